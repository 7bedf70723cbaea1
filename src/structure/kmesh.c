/**
 * @file kmesh.c
 * @brief Uniform k-point meshes reduced by time reversal (atescreen/kmesh.h).
 */
#include <stdlib.h>
#include <string.h>

#include "atescreen/kmesh.h"

ate_status ate_kmesh_reduced(const int mesh[3], const int offset2[3], int *nk_out, double **frac,
                             double **weight, ate_error *err)
{
    *nk_out = 0, *frac = NULL, *weight = NULL;
    if (mesh[0] < 1 || mesh[1] < 1 || mesh[2] < 1 || (long)mesh[0] * mesh[1] * mesh[2] > 100000)
        return ATE_ERROR(err, ATE_ERR_VALUE,
                         "k-point mesh %dx%dx%d: each count must be >= 1 (at most 1e5 points)",
                         mesh[0], mesh[1], mesh[2]);
    int ntot = mesh[0] * mesh[1] * mesh[2];
    /* integer codes over 2 N_d keep the comparison k == -k (mod 1) exact */
    int *code = malloc((size_t)ntot * 3 * sizeof(int)), *mult = calloc((size_t)ntot, sizeof(int));
    double *f = malloc((size_t)ntot * 3 * sizeof(double)),
           *w = malloc((size_t)ntot * sizeof(double));
    if (!code || !mult || !f || !w) {
        free(code), free(mult), free(f), free(w);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "k-points: out of memory");
    }
    int nk = 0;
    for (int i = 0; i < mesh[0]; ++i)
        for (int j = 0; j < mesh[1]; ++j)
            for (int q = 0; q < mesh[2]; ++q) {
                int n[3] = {i, j, q}, c[3], mc[3];
                for (int d = 0; d < 3; ++d) {
                    int den = 2 * mesh[d];
                    c[d] = ((2 * n[d] + offset2[d]) % den + den) % den;
                    mc[d] = (den - c[d]) % den;
                }
                int found = -1;
                for (int m = 0; m < nk && found < 0; ++m)
                    if (!memcmp(code + 3 * m, mc, sizeof(mc))) found = m;
                if (found >= 0) {
                    ++mult[found];
                    continue;
                }
                memcpy(code + 3 * nk, c, sizeof(c));
                mult[nk++] = 1;
            }
    for (int m = 0; m < nk; ++m) {
        for (int d = 0; d < 3; ++d) { /* into (-1/2, 1/2] */
            f[3 * m + d] = code[3 * m + d] / (2.0 * mesh[d]);
            if (f[3 * m + d] > 0.5) f[3 * m + d] -= 1.0;
        }
        w[m] = (double)mult[m] / ntot;
    }
    free(code), free(mult);
    *nk_out = nk, *frac = f, *weight = w;
    return ATE_OK;
}
