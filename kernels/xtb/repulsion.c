/**
 * @file repulsion.c
 * @brief GFN1-xTB repulsion (J. Chem. Theory Comput. 13, 1989 (2017), eq. 9):
 *        E_rep = sum_{A<B} (Y_A Y_B / R) exp(-sqrt(a_A a_B) R^k), k = 1.5 (kexp; kexplight for
 * pairs of H/He, also 1.5); Y = REPB (effective charge), a = REPA. Cutoff 40 bohr. dE/dR =
 * -(sqrt(a_A a_B) k R^k + 1) E / R. In a cell: over the images B + T, an atom's own images with
 * weight 1/2.
 */
#include <math.h>

#include "gfn1_terms.h"

#define REP_CUTOFF  40.0
#define REP_CUTOFF2 1600.0

double gfn1_repulsion(const gfn1_params *p, const gfn1_geom *g, double *grad, double *sigma)
{
    double e = 0.0;
    int nt = gfn1_ntrans(g, REP_CUTOFF);
    for (int a = 0; a < g->n; ++a)
        for (int b = 0; b <= a; ++b)
            for (int t = a == b; t < nt; ++t) {
                double d[3], r2 = gfn1_image_r2(g, a, b, t, d);
                if (r2 > REP_CUTOFF2 || r2 < 1e-12) continue;
                const gfn1_element *A = &p->el[g->z[a]], *B = &p->el[g->z[b]];
                double kexp = (g->z[a] <= 2 && g->z[b] <= 2) ? p->kexplight : p->kexp;
                double r = sqrt(r2), alpha = sqrt(A->repa * B->repa), rk = pow(r, kexp);
                double epair = A->repb * B->repb / r * exp(-alpha * rk);
                double dedr = -(alpha * kexp * rk + 1.0) * epair / r;
                if (a == b) { /* an atom and its own image: half the pair, no force */
                    e += 0.5 * epair;
                    gfn1_virial(sigma, 0.5 * dedr / r, d);
                    continue;
                }
                e += epair;
                gfn1_virial(sigma, dedr / r, d);
                for (int k = 0; grad && k < 3; ++k) {
                    grad[3 * a + k] += dedr * d[k] / r;
                    grad[3 * b + k] -= dedr * d[k] / r;
                }
            }
    return e;
}
