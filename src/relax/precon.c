/**
 * @file precon.c
 * @brief The "Exp" preconditioner of L-BFGS (Packwood, Kermode, Mones, Bernstein, Woolley,
 *        Gould, Ortner, Csányi, J. Chem. Phys. 144, 164109 (2016), Eq. 8): a sparse model
 *        Hessian built from the geometry, applied to the three Cartesian directions alike,
 *          L_ij = -exp(-A (r_ij / r_nn - 1))  for i != j, r_ij < r_cut = 2 r_nn, both atoms free,
 *          L_ii = -sum_{j != i} L_ij + c_stab,
 *        with A = 3 and c_stab = 0.1 (the paper's and ASE's defaults) and r_nn the largest
 *        nearest-neighbour distance of the free atoms. Atoms with a frozen component are
 *        decoupled (L_ii = 1). The scale mu is not estimated here: the L-BFGS driver scales
 *        H0 = gamma L^-1 with gamma = s.y / y.L^-1 y from the newest curvature pair.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "relax_internal.h"

#define EXP_A  3.0
#define C_STAB 0.1

static bool atom_free(const relax_work *w, int i)
{
    return w->mask[3 * i] && w->mask[3 * i + 1] && w->mask[3 * i + 2];
}

static double dist(const double *x, int i, int j)
{
    double d[3] = {x[3 * i] - x[3 * j], x[3 * i + 1] - x[3 * j + 1], x[3 * i + 2] - x[3 * j + 2]};
    return sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
}

ate_status relax_precon_build(relax_work *w, const double *x, ate_error *err)
{
    int n = w->n;
    if (!w->precon) {
        w->precon = malloc((size_t)n * (size_t)n * sizeof(double));
        if (!w->precon) return ATE_ERROR(err, ATE_ERR_MEMORY, "relax: out of memory (precon)");
    }
    double rnn = 0.0;
    for (int i = 0; i < n; ++i) {
        if (!atom_free(w, i)) continue;
        double best = INFINITY;
        for (int j = 0; j < n; ++j)
            if (j != i) best = fmin(best, dist(x, i, j));
        if (isfinite(best)) rnn = fmax(rnn, best);
    }
    double *l = w->precon, sum = 0.0;
    memset(l, 0, (size_t)n * (size_t)n * sizeof(double));
    for (int i = 0; i < n; ++i) {
        if (!atom_free(w, i)) {
            l[(size_t)i * n + i] = 1.0;
            continue;
        }
        double diag = C_STAB;
        for (int j = 0; j < n && rnn > 0.0; ++j) {
            if (j == i || !atom_free(w, j)) continue;
            double r = dist(x, i, j);
            if (r >= 2.0 * rnn) continue;
            double c = exp(-EXP_A * (r / rnn - 1.0));
            l[(size_t)i * n + j] = -c;
            diag += c;
        }
        l[(size_t)i * n + i] = diag;
    }
    for (int i = 0; i < n; ++i)
        sum += l[(size_t)i * n + i];
    w->precon_diag = sum / n;
    /* Cholesky factor, kept for relax_precon_solve (L is SPD: diagonally dominant + c_stab) */
    lapack_int info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', n, l, n);
    if (info != 0)
        return ATE_ERROR(err, ATE_ERR_LIB, "relax: preconditioner Cholesky failed (info %d)",
                         (int)info);
    return ATE_OK;
}

void relax_precon_solve(const relax_work *w, double *q)
{
    /* q is [n][3] row-major: three right-hand sides, one per Cartesian direction */
    LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', w->n, 3, w->precon, w->n, q, 3);
}
