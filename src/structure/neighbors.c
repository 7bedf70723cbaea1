/**
 * @file neighbors.c
 * @brief Neighbour lists over periodic images (all-pairs over the images within the cutoff).
 *
 * Along a periodic axis k the number of images needed is ceil(cutoff * |b_k|) + 1, where b_k is
 * the k-th reciprocal vector (1/|b_k| is the spacing of the lattice planes). Differences are first
 * wrapped into [-1/2, 1/2), so atoms outside the cell are handled.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/elements.h"
#include "atescreen/neighbors.h"
#include "atescreen/units.h"
#include "structure_internal.h"

struct ate_neighbor_list {
    int natoms;
    int *offset; /* [natoms + 1] into list */
    ate_neighbor *list;
};

typedef struct pair_buf {
    ate_neighbor *v;
    int *owner;
    size_t n, cap;
} pair_buf;

static bool push(pair_buf *b, int i, const ate_neighbor *nb)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 256;
        ate_neighbor *v = realloc(b->v, cap * sizeof(*v));
        if (!v) return false;
        b->v = v;
        int *o = realloc(b->owner, cap * sizeof(int));
        if (!o) return false;
        b->owner = o;
        b->cap = cap;
    }
    b->v[b->n] = *nb;
    b->owner[b->n] = i;
    b->n++;
    return true;
}

static int cmp_dist(const void *a, const void *b)
{
    const ate_neighbor *x = a, *y = b;
    if (x->distance < y->distance) return -1;
    if (x->distance > y->distance) return 1;
    return x->j - y->j;
}

/* cutoff_of(i, j) returns the pair cutoff in bohr. */
static ate_status build(const ate_structure *s, double rmax, const double *radius, double scale,
                        ate_neighbor_list **out, ate_error *err)
{
    *out = NULL;
    int n = ate_structure_natoms(s);
    const double *pos = ate_structure_positions(s);
    bool pbc[3];
    ate_structure_pbc(s, pbc);
    const double *cell = ate_structure_cell(s);
    int nimg[3] = {0, 0, 0};
    double recip_len[3] = {0, 0, 0};
    const double *inv = ate_structure_inv_basis(s);
    if (ate_structure_is_periodic(s))
        for (int k = 0; k < 3; ++k) {
            /* reciprocal vector b_k = column k of inv(cell) */
            recip_len[k] =
                sqrt(inv[k] * inv[k] + inv[3 + k] * inv[3 + k] + inv[6 + k] * inv[6 + k]);
            if (pbc[k]) nimg[k] = (int)ceil(rmax * recip_len[k]) + 1;
        }
    pair_buf buf = {0};
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            double rc = radius ? scale * (radius[i] + radius[j]) : rmax;
            double d[3] = {pos[3 * j] - pos[3 * i], pos[3 * j + 1] - pos[3 * i + 1],
                           pos[3 * j + 2] - pos[3 * i + 2]};
            int shift[3] = {0, 0, 0};
            if (ate_structure_is_periodic(s)) {
                double f[3];
                ate_cart_to_frac(inv, d, f);
                for (int k = 0; k < 3; ++k)
                    if (pbc[k]) shift[k] = -(int)lround(f[k]);
            }
            for (int a = -nimg[0]; a <= nimg[0]; ++a)
                for (int b = -nimg[1]; b <= nimg[1]; ++b)
                    for (int c = -nimg[2]; c <= nimg[2]; ++c) {
                        int t[3] = {a + shift[0], b + shift[1], c + shift[2]};
                        double v[3];
                        for (int x = 0; x < 3; ++x)
                            v[x] = d[x] + t[0] * cell[x] + t[1] * cell[3 + x] + t[2] * cell[6 + x];
                        double r = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
                        if (r > rc || r < 1e-10) continue;
                        ate_neighbor nb = {.j = j, .image = {t[0], t[1], t[2]}, .distance = r};
                        memcpy(nb.vec, v, sizeof(v));
                        if (!push(&buf, i, &nb)) {
                            free(buf.v);
                            free(buf.owner);
                            return ATE_ERROR(err, ATE_ERR_MEMORY, "neighbour list: out of memory");
                        }
                    }
        }
    ate_neighbor_list *nl = calloc(1, sizeof(*nl));
    if (nl) nl->offset = calloc((size_t)n + 1, sizeof(int));
    if (nl) nl->list = malloc((buf.n ? buf.n : 1) * sizeof(ate_neighbor));
    if (!nl || !nl->offset || !nl->list) {
        ate_neighbor_list_destroy(&nl);
        free(buf.v);
        free(buf.owner);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "neighbour list: out of memory");
    }
    nl->natoms = n;
    /* pairs were produced in owner order already (i outer loop) */
    for (size_t p = 0; p < buf.n; ++p)
        nl->offset[buf.owner[p] + 1]++;
    for (int i = 0; i < n; ++i)
        nl->offset[i + 1] += nl->offset[i];
    if (buf.n) memcpy(nl->list, buf.v, buf.n * sizeof(ate_neighbor));
    for (int i = 0; i < n; ++i)
        qsort(nl->list + nl->offset[i], (size_t)(nl->offset[i + 1] - nl->offset[i]),
              sizeof(ate_neighbor), cmp_dist);
    free(buf.v);
    free(buf.owner);
    *out = nl;
    return ATE_OK;
}

ate_status ate_neighbor_list_create(const ate_structure *s, double cutoff, ate_neighbor_list **out,
                                    ate_error *err)
{
    if (!(cutoff > 0.0)) return ATE_ERROR(err, ATE_ERR_VALUE, "neighbour cutoff must be > 0");
    return build(s, cutoff, NULL, 1.0, out, err);
}

ate_status ate_neighbor_list_create_bonded(const ate_structure *s, double scale,
                                           ate_neighbor_list **out, ate_error *err)
{
    int n = ate_structure_natoms(s);
    const int *z = ate_structure_numbers(s);
    double *rad = malloc((size_t)n * sizeof(double));
    if (!rad) return ATE_ERROR(err, ATE_ERR_MEMORY, "neighbour list: out of memory");
    double rmax = 0.0;
    for (int i = 0; i < n; ++i) {
        rad[i] = ate_element_covalent_radius(z[i]) * ATE_ANGSTROM_BOHR;
        rmax = fmax(rmax, rad[i]);
    }
    ate_status st = build(s, 2.0 * scale * rmax, rad, scale, out, err);
    free(rad);
    return st;
}

void ate_neighbor_list_destroy(ate_neighbor_list **nl)
{
    if (!nl || !*nl) return;
    free((*nl)->offset);
    free((*nl)->list);
    free(*nl);
    *nl = NULL;
}

int ate_neighbor_list_count(const ate_neighbor_list *nl, int i)
{
    return nl->offset[i + 1] - nl->offset[i];
}

const ate_neighbor *ate_neighbor_list_get(const ate_neighbor_list *nl, int i)
{
    return nl->list + nl->offset[i];
}
