/**
 * @file ewald.c
 * @brief Ewald energy and forces of the ionic point charges Z_ion in a neutralising background
 *        (P. P. Ewald, Ann. Phys. 369, 253 (1921); the form of e.g. Martin, "Electronic
 *        Structure", app. F):
 *   E = 1/2 sum'_{I,J,T} Z_I Z_J erfc(eta r)/r + (2 pi / Omega) sum_{G != 0} |S(G)|^2
 *       e^{-G^2/4eta^2} / G^2 - eta/sqrt(pi) sum_I Z_I^2 - pi (sum_I Z_I)^2 / (2 Omega eta^2),
 *   S(G) = sum_I Z_I e^{iG.x_I}, r = |x_I - x_J + T|. The result is independent of eta; eta and
 *   both cutoffs are chosen so that every neglected term is below 1e-16 relative.
 *   Strain derivative at fixed eta (O. H. Nielsen, R. M. Martin, PRB 32, 3780 (1985);
 *   docs/theory-pw.md, "Stress"): r_a -> r_a + eps_ab r_b, G_a -> G_a - eps_ba G_b, Omega ->
 *   Omega (1 + tr eps):
 *   dE/deps_ab = 1/2 sum' Z_I Z_J phi'(r) r_a r_b / r
 *              + (2 pi / Omega) sum_G |S|^2 e^{-G^2/4eta^2} / G^2 [2 G_a G_b (1/4eta^2 + 1/G^2)
 *                - delta_ab] + delta_ab pi (sum Z)^2 / (2 Omega eta^2),  phi = erfc(eta r)/r.
 */
#include <math.h>
#include <stdlib.h>

#include "pw.h"

double pw_ewald(const pw_cell *c, const pw_atoms *at, double *f, double *dde)
{
    int n = at->n;
    double ztot = 0.0, z2 = 0.0;
    for (int i = 0; i < n; ++i) {
        double z = at->psp[at->species[i]].zion;
        ztot += z, z2 += z * z;
    }
    double eta = sqrt(ATE_PI) / cbrt(c->vol); /* balances the two sums */
    const double tail = 6.2;                  /* erfc(6.2) ~ 2e-18, e^{-6.2^2} ~ 2e-17 */
    double rcut = tail / eta, gcut = 2.0 * eta * tail;
    /* translation ranges: |T_i| <= rcut + cell extent, via the reciprocal vector lengths */
    int nt[3], ng[3];
    for (int d = 0; d < 3; ++d) {
        double bl =
            sqrt(c->b[d][0] * c->b[d][0] + c->b[d][1] * c->b[d][1] + c->b[d][2] * c->b[d][2]);
        double al =
            sqrt(c->a[d][0] * c->a[d][0] + c->a[d][1] * c->a[d][1] + c->a[d][2] * c->a[d][2]);
        nt[d] = (int)ceil(rcut * bl / (2.0 * ATE_PI)) + 1;
        ng[d] = (int)ceil(gcut * al / (2.0 * ATE_PI)) + 1;
    }
    double er = 0.0, eg = 0.0;
    for (int i = 0; i < n; ++i) {
        double zi = at->psp[at->species[i]].zion;
        for (int j = 0; j < n; ++j) {
            double zj = at->psp[at->species[j]].zion;
            for (int t0 = -nt[0]; t0 <= nt[0]; ++t0)
                for (int t1 = -nt[1]; t1 <= nt[1]; ++t1)
                    for (int t2 = -nt[2]; t2 <= nt[2]; ++t2) {
                        double r[3];
                        for (int d = 0; d < 3; ++d)
                            r[d] = at->x[3 * i + d] - at->x[3 * j + d] + t0 * c->a[0][d] +
                                   t1 * c->a[1][d] + t2 * c->a[2][d];
                        double rr = sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
                        if (rr < 1e-10 || rr > rcut) continue;
                        double e = zi * zj * erfc(eta * rr) / rr;
                        er += 0.5 * e;
                        if (!f && !dde) continue;
                        /* Z_i Z_j phi'(r) / r */
                        double de =
                            -(e + zi * zj * 2.0 * eta / sqrt(ATE_PI) * exp(-eta * eta * rr * rr)) /
                            (rr * rr);
                        if (f) /* dE/dx_i of the (i,j) and (j,i) terms together */
                            for (int d = 0; d < 3; ++d)
                                f[3 * i + d] -= de * r[d];
                        if (dde)
                            for (int a = 0; a < 3; ++a)
                                for (int d = 0; d < 3; ++d)
                                    dde[3 * a + d] += 0.5 * de * r[a] * r[d];
                    }
        }
    }
    for (int g0 = -ng[0]; g0 <= ng[0]; ++g0)
        for (int g1 = -ng[1]; g1 <= ng[1]; ++g1)
            for (int g2 = -ng[2]; g2 <= ng[2]; ++g2) {
                if (!g0 && !g1 && !g2) continue;
                double G[3];
                for (int d = 0; d < 3; ++d)
                    G[d] = g0 * c->b[0][d] + g1 * c->b[1][d] + g2 * c->b[2][d];
                double gg = G[0] * G[0] + G[1] * G[1] + G[2] * G[2];
                if (gg > gcut * gcut) continue;
                double fac = 2.0 * ATE_PI / c->vol * exp(-gg / (4.0 * eta * eta)) / gg;
                double sr = 0.0, si = 0.0;
                for (int i = 0; i < n; ++i) {
                    double z = at->psp[at->species[i]].zion, ph = G[0] * at->x[3 * i] +
                                                                  G[1] * at->x[3 * i + 1] +
                                                                  G[2] * at->x[3 * i + 2];
                    sr += z * cos(ph), si += z * sin(ph);
                }
                eg += fac * (sr * sr + si * si);
                if (dde) {
                    double s2 = fac * (sr * sr + si * si),
                           t = 2.0 * (0.25 / (eta * eta) + 1.0 / gg);
                    for (int a = 0; a < 3; ++a)
                        for (int d = 0; d < 3; ++d)
                            dde[3 * a + d] += s2 * (t * G[a] * G[d] - (a == d));
                }
                if (f)
                    for (int i = 0; i < n; ++i) {
                        /* d|S|^2/dx_i = 2 Z_i G (-sin(ph) sr + cos(ph) si) */
                        double z = at->psp[at->species[i]].zion, ph = G[0] * at->x[3 * i] +
                                                                      G[1] * at->x[3 * i + 1] +
                                                                      G[2] * at->x[3 * i + 2];
                        double dd = 2.0 * z * (-sin(ph) * sr + cos(ph) * si);
                        for (int d = 0; d < 3; ++d)
                            f[3 * i + d] -= fac * dd * G[d];
                    }
            }
    double ebg = -ATE_PI * ztot * ztot / (2.0 * c->vol * eta * eta);
    if (dde)
        for (int a = 0; a < 3; ++a)
            dde[4 * a] -= ebg;
    return er + eg - eta / sqrt(ATE_PI) * z2 + ebg;
}
