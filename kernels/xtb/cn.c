/**
 * @file cn.c
 * @brief Coordination number of GFN1-xTB / D3: CN_A = sum_B 1/(1 + exp(-k (R_cov,AB/R_AB - 1))),
 *        k = 16, R_cov,AB = 4/3 (r_A + r_B) (Grimme et al., J. Chem. Phys. 132, 154104 (2010),
 *        eq. 15; GFN1-xTB paper §2.1). Pairs beyond 40 bohr are skipped (xtb 6.5.1). In a cell
 *        the sum runs over the images B + T; an atom's own images count once.
 */
#include <math.h>
#include <string.h>

#include "gfn1_terms.h"

#define KCN        16.0
#define CN_CUTOFF  40.0
#define CN_CUTOFF2 1600.0

void gfn1_cn(const gfn1_params *p, const gfn1_geom *g, double *cn, double *dcn, double *dcnde)
{
    int n = g->n;
    memset(cn, 0, (size_t)n * sizeof(double));
    if (dcn) memset(dcn, 0, (size_t)n * n * 3 * sizeof(double));
    if (dcnde) memset(dcnde, 0, (size_t)n * 9 * sizeof(double));
    int nt = gfn1_ntrans(g, CN_CUTOFF);
    for (int a = 0; a < n; ++a)
        for (int b = 0; b <= a; ++b)
            for (int t = a == b; t < nt; ++t) {
                double d[3], r2 = gfn1_image_r2(g, a, b, t, d);
                if (r2 > CN_CUTOFF2 || r2 < 1e-12) continue;
                double r = sqrt(r2), rc = p->el[g->z[a]].r_cov + p->el[g->z[b]].r_cov;
                double e = exp(-KCN * (rc / r - 1.0));
                double ds_r, sw = gfn1_cutoff(g, r, CN_CUTOFF, &ds_r);
                double f0 = 1.0 / (1.0 + e), f = sw * f0;
                cn[a] += f;
                double dfdr = sw * -KCN * rc * e / (r2 * (1.0 + e) * (1.0 + e)) + f0 * ds_r * r;
                if (dcnde) gfn1_virial(dcnde + 9 * a, dfdr / r, d);
                if (b == a) continue; /* an image of the atom itself: counted once, no force */
                cn[b] += f;
                if (dcnde) gfn1_virial(dcnde + 9 * b, dfdr / r, d);
                if (!dcn) continue;
                for (int k = 0; k < 3; ++k) {
                    double v = dfdr * d[k] / r; /* d f / d x_a,k */
                    dcn[((size_t)a * n + a) * 3 + k] += v;
                    dcn[((size_t)a * n + b) * 3 + k] -= v;
                    dcn[((size_t)b * n + b) * 3 + k] -= v;
                    dcn[((size_t)b * n + a) * 3 + k] += v;
                }
            }
}
