/**
 * @file density_dist.c
 * @brief The density side of the SCF divided over the ranks of the kernel's communicator
 *        (docs/theory-pw.md, "Band groups"): slabs of whole planes of axis 0 of the real-space
 *        box, FFTW-MPI's slab decomposition (M. Frigo, S. G. Johnson, FFTW 3 manual,
 *        "Distributed-memory FFTW with MPI": "MPI Data Distribution", "Transposed distributions"),
 *        one per rank, for the point-wise work (libxc); the gradient and divergence transforms of
 *        the GGA distributed (fftw_mpi_plan_dft_3d, G space transposed: no transpose back); a
 *        slab gathered to every rank (MPI_Allgatherv) where the whole box is needed (v_eff for
 *        H psi). The SCF's density transforms between the slabs and the planes of the transposed
 *        G space (rho_out summed onto the slabs, pw_slab_sum_to_recip; with ATE_PW_DENS_FFT=slabs
 *        also rho_in and v_H + v_loc, pw_slab_input_potential). ATE_PW_XC_FFT=replicated: every
 *        rank makes the whole GGA transforms itself (the comparison of benchmarks/README.md);
 *        ATE_PW_XC_FFT=measure: FFTW_MEASURE instead of FFTW_ESTIMATE for all the slab plans.
 */
#include <stdlib.h>
#include <string.h>

#include "pw.h"

ate_status pw_slab_init(pw_slab *sl, const pw_grid *g, MPI_Comm comm, bool fft, ate_error *err)
{
    memset(sl, 0, sizeof(*sl));
    sl->comm = comm, sl->size = 1;
    if (comm != MPI_COMM_NULL) {
        MPI_Comm_size(comm, &sl->size);
        MPI_Comm_rank(comm, &sl->rank);
    }
    int n0 = g->n[0], n1 = g->n[1], n2 = g->n[2], plane = n1 * n2;
    sl->cnt = malloc(2 * (size_t)sl->size * sizeof(int));
    int ok = sl->cnt != NULL, allok = ok;
    if (sl->size > 1) MPI_Allreduce(&ok, &allok, 1, MPI_INT, MPI_MIN, comm);
    if (!allok) {
        pw_slab_free(sl);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "density slabs: out of memory%s",
                         ok ? " on another rank" : "");
    }
    sl->displ = sl->cnt + sl->size;
    if (sl->size == 1) {
        sl->cnt[0] = n0 * plane, sl->p0 = 0, sl->np = n0 * plane;
        return ATE_OK;
    }
    /* FFTW-MPI's distribution of the axis-0 planes (blocks of ceil(n0 / size)) */
    static bool fftw_mpi_ready = false;
    if (!fftw_mpi_ready) fftw_mpi_init(), fftw_mpi_ready = true;
    ptrdiff_t ln0, l0;
    sl->alloc = fftw_mpi_local_size_3d_transposed(n0, n1, n2, comm, &ln0, &l0, &sl->ln1, &sl->l1);
    int mine[2] = {(int)l0 * plane, (int)ln0 * plane},
        *all = malloc(2 * (size_t)sl->size * sizeof(int));
    ok = all != NULL;
    MPI_Allreduce(&ok, &allok, 1, MPI_INT, MPI_MIN, comm);
    if (!allok) {
        free(all);
        pw_slab_free(sl);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "density slabs: out of memory");
    }
    MPI_Allgather(mine, 2, MPI_INT, all, 2, MPI_INT, comm);
    for (int q = 0; q < sl->size; ++q)
        sl->displ[q] = all[2 * q], sl->cnt[q] = all[2 * q + 1];
    free(all);
    sl->p0 = mine[0], sl->np = mine[1];
    char ebuf[32];
    const char *env = pw_env(comm, "ATE_PW_XC_FFT", ebuf, sizeof ebuf);
    /* the distributed transforms: only when every rank has its arrays and plans (else every
     * rank transforms the whole box itself); the density's always, xc's for a GGA unless
     * ATE_PW_XC_FFT=replicated */
    for (int q = 0; q < 3; ++q)
        sl->w[q] = fftw_alloc_complex(sl->alloc > 0 ? (size_t)sl->alloc : 1);
    ok = sl->w[0] && sl->w[1] && sl->w[2];
    MPI_Allreduce(&ok, &allok, 1, MPI_INT, MPI_MIN, comm);
    unsigned flags = env && strcmp(env, "measure") == 0 ? FFTW_MEASURE : FFTW_ESTIMATE;
    if (allok) {
        sl->fwd = fftw_mpi_plan_dft_3d(n0, n1, n2, sl->w[0], sl->w[1], comm, FFTW_FORWARD,
                                       flags | FFTW_MPI_TRANSPOSED_OUT);
        sl->bwd = fftw_mpi_plan_dft_3d(n0, n1, n2, sl->w[0], sl->w[1], comm, FFTW_BACKWARD,
                                       flags | FFTW_MPI_TRANSPOSED_IN);
        ok = sl->fwd && sl->bwd;
        MPI_Allreduce(&ok, &allok, 1, MPI_INT, MPI_MIN, comm);
    }
    if (allok) { /* the box index of each point of the planes */
        sl->pbox = malloc((size_t)(sl->ln1 * n0 * n2 > 0 ? sl->ln1 * n0 * n2 : 1) * sizeof(int));
        ok = sl->pbox != NULL;
        MPI_Allreduce(&ok, &allok, 1, MPI_INT, MPI_MIN, comm);
        for (ptrdiff_t jj = 0, q = 0; jj < sl->ln1 && ok; ++jj)
            for (int i = 0; i < n0; ++i)
                for (int k = 0; k < n2; ++k, ++q)
                    sl->pbox[q] = (i * n1 + (int)(sl->l1 + jj)) * n2 + k;
    }
    sl->dens = allok;
    sl->fft = allok && fft && !(env && strcmp(env, "replicated") == 0);
    return ATE_OK;
}

void pw_slab_free(pw_slab *sl)
{
    if (sl->fwd) fftw_destroy_plan(sl->fwd);
    if (sl->bwd) fftw_destroy_plan(sl->bwd);
    for (int q = 0; q < 3; ++q)
        if (sl->w[q]) fftw_free(sl->w[q]);
    free(sl->cnt), free(sl->pbox);
    memset(sl, 0, sizeof(*sl));
}

void pw_slab_gather(const pw_slab *sl, double *f)
{
    if (sl && sl->size > 1)
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, f, sl->cnt, sl->displ, MPI_DOUBLE,
                       sl->comm);
}

/* the index m of box index i along an axis of n points folded to (-n/2, n/2], with the Nyquist
 * index of an even axis (its own -G) at 0: the derivative i G_d of a real function's spectrum
 * made Hermitian, (s(G) + s(-G)^*) / 2 (xc.c's gradient and divergence do the same with the
 * -G partner; here no rank needs another's) */
static inline double msym(int i, int n)
{
    if (2 * i == n) return 0.0;
    return i > n / 2 ? i - n : i;
}

/* G_sym of the transposed G-space point (j, i, k) into G[3] */
static inline void gsym(const pw_grid *g, int i, int j, int k, double G[3])
{
    double a = msym(i, g->n[0]), b = msym(j, g->n[1]), c = msym(k, g->n[2]);
    for (int d = 0; d < 3; ++d)
        G[d] = a * g->b[0][d] + b * g->b[1][d] + c * g->b[2][d];
}

void pw_slab_gradient(const pw_slab *sl, const pw_grid *g, const double *f, double *out)
{
    const int n0 = g->n[0], n2 = g->n[2];
    const size_t n = (size_t)g->ntot, np = (size_t)sl->np, p0 = (size_t)sl->p0;
    pw_cplx *a = (pw_cplx *)sl->w[0], *b = (pw_cplx *)sl->w[1], *c = (pw_cplx *)sl->w[2];
    for (size_t q = 0; q < np; ++q)
        a[q] = f[p0 + q];
    fftw_mpi_execute_dft(sl->fwd, sl->w[0], sl->w[1]);
    /* s_x + i s_y and s_z, s_d = i G_d f(G) (f real: both Hermitian, so the transform of the
     * first is grad_x f + i grad_y f) */
    for (ptrdiff_t jj = 0, q = 0; jj < sl->ln1; ++jj)
        for (int i = 0; i < n0; ++i)
            for (int k = 0; k < n2; ++k, ++q) {
                double G[3];
                gsym(g, i, (int)(sl->l1 + jj), k, G);
                pw_cplx fg = b[q] / (double)n;
                a[q] = I * G[0] * fg - G[1] * fg;
                c[q] = I * G[2] * fg;
            }
    fftw_mpi_execute_dft(sl->bwd, sl->w[0], sl->w[1]);
    for (size_t q = 0; q < np; ++q)
        out[p0 + q] = creal(b[q]), out[n + p0 + q] = cimag(b[q]);
    fftw_mpi_execute_dft(sl->bwd, sl->w[2], sl->w[0]);
    for (size_t q = 0; q < np; ++q)
        out[2 * n + p0 + q] = creal(a[q]);
}

void pw_slab_subtract_divergence(const pw_slab *sl, const pw_grid *g, const double *h, double *out)
{
    const int n0 = g->n[0], n2 = g->n[2];
    const size_t n = (size_t)g->ntot, np = (size_t)sl->np, p0 = (size_t)sl->p0;
    pw_cplx *a = (pw_cplx *)sl->w[0], *b = (pw_cplx *)sl->w[1], *c = (pw_cplx *)sl->w[2];
    for (size_t q = 0; q < np; ++q)
        a[q] = h[p0 + q] + I * h[n + p0 + q], c[q] = h[2 * n + p0 + q];
    fftw_mpi_execute_dft(sl->fwd, sl->w[0], sl->w[1]); /* F = H_x + i H_y */
    fftw_mpi_execute_dft(sl->fwd, sl->w[2], sl->w[0]); /* H_z */
    /* Re FFT^-1[i G_x F + G_y F + i G_z H_z] = div h: the real part keeps i G_x H_x from the
     * first term and i G_y H_y from the second (the transforms of i G_d H_e are real) */
    for (ptrdiff_t jj = 0, q = 0; jj < sl->ln1; ++jj)
        for (int i = 0; i < n0; ++i)
            for (int k = 0; k < n2; ++k, ++q) {
                double G[3];
                gsym(g, i, (int)(sl->l1 + jj), k, G);
                c[q] = ((I * G[0] + G[1]) * b[q] + I * G[2] * a[q]) / (double)n;
            }
    fftw_mpi_execute_dft(sl->bwd, sl->w[2], sl->w[0]);
    for (size_t q = 0; q < np; ++q)
        out[p0 + q] -= creal(a[q]);
}

void pw_slab_planes_from_box(const pw_slab *sl, const pw_grid *g, const pw_cplx *box,
                             pw_cplx *planes)
{
    const size_t nq = (size_t)sl->ln1 * g->n[0] * g->n[2];
    for (size_t q = 0; q < nq; ++q)
        planes[q] = box[sl->pbox[q]];
}

void pw_slab_to_real(const pw_slab *sl, const pw_grid *g, const pw_cplx *f, double *re, double *im)
{
    const size_t np = (size_t)sl->np, p0 = (size_t)sl->p0, nq = (size_t)sl->ln1 * g->n[0] * g->n[2];
    pw_cplx *a = (pw_cplx *)sl->w[0], *b = (pw_cplx *)sl->w[1];
    if (f != a) memcpy(a, f, nq * sizeof(pw_cplx));
    fftw_mpi_execute_dft(sl->bwd, sl->w[0], sl->w[1]);
    for (size_t q = 0; q < np && re; ++q)
        re[p0 + q] = creal(b[q]);
    for (size_t q = 0; q < np && im; ++q)
        im[p0 + q] = cimag(b[q]);
}

void pw_slab_to_recip(const pw_slab *sl, const pw_grid *g, const double *f, pw_cplx *out)
{
    const size_t np = (size_t)sl->np, p0 = (size_t)sl->p0, nq = (size_t)sl->ln1 * g->n[0] * g->n[2];
    pw_cplx *a = (pw_cplx *)sl->w[0], *b = (pw_cplx *)sl->w[1];
    for (size_t q = 0; q < np; ++q)
        a[q] = f[p0 + q];
    fftw_mpi_execute_dft(sl->fwd, sl->w[0], sl->w[1]);
    const double inv = 1.0 / g->ntot;
    for (size_t q = 0; q < nq; ++q)
        out[q] = g->sphere[sl->pbox[q]] ? b[q] * inv : 0.0;
}

void pw_slab_sum_to_recip(pw_slab *sl, const pw_grid *g, double *f, pw_cplx *out)
{
    double *t = (double *)sl->w[2];
    MPI_Reduce_scatter(f, t, sl->cnt, MPI_DOUBLE, MPI_SUM, sl->comm);
    memcpy(f + sl->p0, t, (size_t)sl->np * sizeof(double));
    pw_slab_to_recip(sl, g, f, out);
}

void pw_slab_input_potential(pw_slab *sl, const pw_cell *c, const pw_grid *g, int ns, bool pair,
                             const pw_cplx *rhog, const pw_cplx *vloc, bool gather_rho,
                             double *rho_in, double *veff)
{
    const size_t ntot = (size_t)g->ntot, nq = (size_t)sl->ln1 * g->n[0] * g->n[2];
    pw_cplx *t = (pw_cplx *)sl->w[2];
    for (size_t q = 0; q < nq; ++q) {
        int p = sl->pbox[q];
        t[q] = ns == 2 ? rhog[p] + rhog[ntot + p] : rhog[p];
    }
    pw_hartree_planes(c, g, sl, t, t);
    for (size_t q = 0; q < nq; ++q) /* rho(G) + i (v_H + v_loc)(G): one transform, both real */
        t[q] = (pair ? rhog[sl->pbox[q]] : 0.0) + I * (t[q] + vloc[q]);
    pw_slab_to_real(sl, g, t, pair ? rho_in : NULL, veff);
    for (int sp = pair ? 1 : 0; sp < ns; ++sp) {
        pw_slab_planes_from_box(sl, g, rhog + sp * ntot, t);
        pw_slab_to_real(sl, g, t, rho_in + sp * ntot, NULL);
    }
    pw_slab_gather(sl, veff);
    for (int sp = 0; sp < ns && gather_rho; ++sp)
        pw_slab_gather(sl, rho_in + sp * ntot);
}
