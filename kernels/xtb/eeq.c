/**
 * @file eeq.c
 * @brief The initial guess of the GFN1 SCC for molecules: atomic charges of the electronegativity
 *        equilibration (EEQ) model of DFT-D4 (Caldeweyher, Ehlert, Hansen, Neugebauer, Spicher,
 *        Bannwarth, Grimme, J. Chem. Phys. 150, 154122 (2019), Eqs. 3-6; Ghasemi et al.,
 *        Phys. Rev. B 92, 045131 (2015)), the guess xtb 6.5.1 uses (spec §6.3). The converged SCC
 *        does not depend on it; a guess close to the solution saves iterations and selects the
 *        same SCC solution as xtb where several exist.
 *
 *   minimise E(q) = sum_A [X_A q_A + 1/2 (J_A + sqrt(2/pi)/alpha_A) q_A^2]
 *                   + 1/2 sum_{A != B} q_A q_B erf(gamma_AB R_AB)/R_AB,  sum_A q_A = Q,
 *   X_A = -chi_A + kappa_A sqrt(CN_A),  gamma_AB = 1/sqrt(alpha_A^2 + alpha_B^2),
 * with the error-function coordination number CN_A = sum_B 1/2 [1 + erf(-k_n (R_AB - R0)/R0)],
 * k_n = 7.5, R0 = 4/3 (r_A + r_B) (the D3 covalent radii), pairs with R^2 <= 1600 bohr^2.
 * The stationarity conditions with a Lagrange multiplier for the total charge form one
 * symmetric (n+1) x (n+1) linear system, solved with LAPACK dsysv.
 */
#include <math.h>
#include <stdlib.h>

#include <lapacke.h>

#include "gfn1_scc.h"

#define EEQ_KN    7.5
#define EEQ_CUT2  1600.0
#define SQRT_2_PI 0.79788456080286535588 /* sqrt(2/pi) */

ate_status gfn1_eeq_charges(const gfn1_params *p, const gfn1_geom *g, int charge, double *q,
                            ate_error *err)
{
    int n = g->n, m = n + 1;
    double *a = calloc((size_t)m * (size_t)m, sizeof(double));
    double *x = calloc((size_t)m, sizeof(double));
    double *cn = calloc((size_t)n, sizeof(double));
    lapack_int *ipiv = calloc((size_t)m, sizeof(lapack_int));
    ate_status st =
        a && x && cn && ipiv ? ATE_OK : ATE_ERROR(err, ATE_ERR_MEMORY, "EEQ guess: out of memory");
    for (int i = 0; i < n && st == ATE_OK; ++i)
        for (int j = 0; j < i; ++j) {
            const double *ri = g->xyz + 3 * i, *rj = g->xyz + 3 * j;
            double d[3] = {ri[0] - rj[0], ri[1] - rj[1], ri[2] - rj[2]};
            double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            const gfn1_element *ei = &p->el[g->z[i]], *ej = &p->el[g->z[j]];
            double r = sqrt(r2);
            if (r2 <= EEQ_CUT2) {
                double r0 = ei->r_cov + ej->r_cov;
                double c = 0.5 * (1.0 + erf(-EEQ_KN * (r - r0) / r0));
                cn[i] += c, cn[j] += c;
            }
            double gam = 1.0 / sqrt(ei->eeq[3] * ei->eeq[3] + ej->eeq[3] * ej->eeq[3]);
            a[(size_t)i * m + j] = a[(size_t)j * m + i] = erf(gam * r) / r;
        }
    for (int i = 0; i < n && st == ATE_OK; ++i) {
        const gfn1_element *e = &p->el[g->z[i]];
        a[(size_t)i * m + i] = e->eeq[1] + SQRT_2_PI / e->eeq[3];
        a[(size_t)i * m + n] = a[(size_t)n * m + i] = 1.0;
        x[i] = -e->eeq[0] + e->eeq[2] * sqrt(cn[i]);
    }
    if (st == ATE_OK) {
        x[n] = charge;
        lapack_int info = LAPACKE_dsysv(LAPACK_ROW_MAJOR, 'U', m, 1, a, m, ipiv, x, 1);
        if (info != 0)
            st = ATE_ERROR(err, ATE_ERR_LIB, "EEQ guess: singular Coulomb matrix (info %d)",
                           (int)info);
    }
    for (int i = 0; i < n && st == ATE_OK; ++i)
        q[i] = x[i];
    free(a), free(x), free(cn), free(ipiv);
    return st;
}
