/**
 * @file dispersion.c
 * @brief D3(BJ) two-body dispersion with GFN1-xTB's parameters (Grimme, Antony, Ehrlich, Krieg,
 *        J. Chem. Phys. 132, 154104 (2010), eqs. 2, 14-16; Becke-Johnson damping: Grimme,
 *        Ehrlich, Goerigk, J. Comput. Chem. 32, 1456 (2011), eq. 4):
 *          E = -sum_{A<B} C6 [ s6/(R^6 + R0^6) + s8 C8/C6 /(R^8 + R0^8) ],
 *          C8/C6 = 3 Q_A Q_B, R0 = a1 sqrt(3 Q_A Q_B) + a2,
 *          C6 = sum_ij W_A^i W_B^j C6ref, W^i = exp(-4 (CN - CN_i)^2) / sum_k exp(-4 (CN -
 * CN_k)^2), s6 = 1, s8 = 2.4, a1 = 0.63, a2 = 5.0 bohr, no three-body term; pairs up to 60 bohr.
 * In a cell: over the images B + T, an atom's own images with weight 1/2.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gfn1_terms.h"

#define D3_K3      4.0
#define D3_CUTOFF  60.0
#define D3_CUTOFF2 3600.0

/* Gaussian weights of the references of element z at cn and their derivatives. */
static void weights(const gfn1_element *e, double cn, double *w, double *dw)
{
    double norm = 0.0, dnorm = 0.0, gi[GFN1_D3_MAXREF], dgi[GFN1_D3_MAXREF];
    for (int i = 0; i < e->nref; ++i) {
        double d = cn - e->cnref[i];
        gi[i] = exp(-D3_K3 * d * d);
        dgi[i] = -2.0 * D3_K3 * d * gi[i];
        norm += gi[i];
        dnorm += dgi[i];
    }
    if (norm > 0.0) {
        for (int i = 0; i < e->nref; ++i) {
            w[i] = gi[i] / norm;
            dw[i] = (dgi[i] - w[i] * dnorm) / norm;
        }
        return;
    }
    /* every weight underflowed: the reference with the largest CN takes it all */
    int best = 0;
    for (int i = 1; i < e->nref; ++i)
        if (e->cnref[i] > e->cnref[best]) best = i;
    for (int i = 0; i < e->nref; ++i)
        w[i] = i == best, dw[i] = 0.0;
}

double gfn1_dispersion(const gfn1_params *p, const gfn1_geom *g, const double *cn,
                       const double *dcn, const double *dcnde, double *grad, double *sigma)
{
    int n = g->n;
    double *w = malloc((size_t)n * GFN1_D3_MAXREF * 2 * sizeof(double));
    bool deriv = grad || sigma;
    double *dedcn = deriv ? calloc((size_t)n, sizeof(double)) : NULL;
    if (!w || (deriv && !dedcn)) {
        free(w), free(dedcn);
        return NAN;
    }
    double *dw = w + (size_t)n * GFN1_D3_MAXREF;
    for (int a = 0; a < n; ++a)
        weights(&p->el[g->z[a]], cn[a], w + a * GFN1_D3_MAXREF, dw + a * GFN1_D3_MAXREF);
    double e = 0.0;
    int nt = gfn1_ntrans(g, D3_CUTOFF);
    for (int a = 0; a < n; ++a)
        for (int b = 0; b <= a; ++b)
            for (int t = a == b; t < nt; ++t) {
                double d[3], r2 = gfn1_image_r2(g, a, b, t, d);
                if (r2 > D3_CUTOFF2 || r2 < 1e-12) continue;
                int za = g->z[a], zb = g->z[b];
                const gfn1_element *A = &p->el[za], *B = &p->el[zb];
                double c6 = 0.0, dc6a = 0.0, dc6b = 0.0;
                for (int i = 0; i < A->nref; ++i)
                    for (int j = 0; j < B->nref; ++j) {
                        double ref = p->c6[za][zb][i][j];
                        c6 += w[a * GFN1_D3_MAXREF + i] * w[b * GFN1_D3_MAXREF + j] * ref;
                        dc6a += dw[a * GFN1_D3_MAXREF + i] * w[b * GFN1_D3_MAXREF + j] * ref;
                        dc6b += w[a * GFN1_D3_MAXREF + i] * dw[b * GFN1_D3_MAXREF + j] * ref;
                    }
                double qq = 3.0 * A->q_d3 * B->q_d3;
                double r0 = p->a1 * sqrt(qq) + p->a2;
                double r6 = r2 * r2 * r2, r8 = r6 * r2, r06 = pow(r0, 6), r08 = r06 * r0 * r0;
                double t6 = 1.0 / (r6 + r06), t8 = 1.0 / (r8 + r08);
                double ds_r, sw = gfn1_cutoff(g, sqrt(r2), D3_CUTOFF, &ds_r);
                double f0 = t6 + p->s8 * qq * t8, f = sw * f0; /* s6 = 1 */
                double wt = a == b ? 0.5 : 1.0;
                e -= wt * c6 * f;
                if (!deriv) continue;
                dedcn[a] -= wt * dc6a * f;
                dedcn[b] -= wt * dc6b * f;
                /* d f / d r divided by r */
                double dfdr_r =
                    sw * (-6.0 * r2 * r2 * t6 * t6 - p->s8 * qq * 8.0 * r6 * t8 * t8) + f0 * ds_r;
                gfn1_virial(sigma, -wt * c6 * dfdr_r, d);
                if (a == b || !grad) continue;
                for (int k = 0; k < 3; ++k) {
                    grad[3 * a + k] -= c6 * dfdr_r * d[k];
                    grad[3 * b + k] += c6 * dfdr_r * d[k];
                }
            }
    if (grad) /* C6(CN) chain rule: dE/dx = sum_A dE/dCN_A dCN_A/dx */
        for (int a = 0; a < n; ++a)
            for (int b = 0; b < n; ++b)
                for (int k = 0; k < 3; ++k)
                    grad[3 * b + k] += dedcn[a] * dcn[((size_t)a * n + b) * 3 + k];
    for (int a = 0; sigma && a < n; ++a)
        for (int k = 0; k < 9; ++k)
            sigma[k] += dedcn[a] * dcnde[9 * a + k];
    free(w);
    free(dedcn);
    return e;
}
