/**
 * @file density_dist.c
 * @brief The density side of the SCF divided over the ranks of the kernel's communicator
 *        (docs/theory-pw.md, "Band groups"): slabs of whole planes of axis 0 of the real-space
 *        box, as FFTW-MPI's slab decomposition (M. Frigo, S. G. Johnson, FFTW 3 manual,
 *        "Distributed-memory FFTW with MPI", "MPI Data Distribution"), one per rank, for the
 *        point-wise work; a slab gathered to every rank (MPI_Allgatherv) where the whole box is
 *        needed (the transforms, v_eff for H psi).
 */
#include <stdlib.h>

#include "pw.h"

ate_status pw_slab_init(pw_slab *sl, const pw_grid *g, MPI_Comm comm, ate_error *err)
{
    sl->comm = comm, sl->size = 1, sl->rank = 0, sl->cnt = sl->displ = NULL;
    if (comm != MPI_COMM_NULL) {
        MPI_Comm_size(comm, &sl->size);
        MPI_Comm_rank(comm, &sl->rank);
    }
    sl->cnt = malloc(2 * (size_t)sl->size * sizeof(int));
    if (!sl->cnt) return ATE_ERROR(err, ATE_ERR_MEMORY, "density slabs: out of memory");
    sl->displ = sl->cnt + sl->size;
    int plane = g->n[1] * g->n[2], base = g->n[0] / sl->size, rem = g->n[0] % sl->size;
    for (int q = 0, i0 = 0; q < sl->size; ++q) {
        int planes = base + (q < rem);
        sl->displ[q] = i0 * plane, sl->cnt[q] = planes * plane;
        i0 += planes;
    }
    sl->p0 = sl->displ[sl->rank], sl->np = sl->cnt[sl->rank];
    return ATE_OK;
}

void pw_slab_free(pw_slab *sl)
{
    free(sl->cnt);
    sl->cnt = sl->displ = NULL;
}

void pw_slab_gather(const pw_slab *sl, double *f)
{
    if (sl && sl->size > 1)
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, f, sl->cnt, sl->displ, MPI_DOUBLE,
                       sl->comm);
}
