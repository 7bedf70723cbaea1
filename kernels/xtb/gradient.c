/**
 * @file gradient.c
 * @brief Analytic gradient of the GFN1-xTB electronic energy (spec §13): the SCC free energy is
 *        variational, so with the density P, the energy-weighted density W (hartree) and the
 *        converged shell potentials V,
 *          dE/dR_A = sum_{mu in A, nu in B != A} { 2 P (hfac pi dS/dR_A + hfac S dpi/dR_A)/eV
 *                                                 - 2 W dS/dR_A - P (V_mu + V_nu) dS/dR_A }
 *                    + sum_A dE/dCN_A dCN_A/dR  (self-energies shift with CN)
 *                    + sum q_sh q_sh' dgamma/dR  (explicit second-order term),
 *        with dE/dR_B = -dE/dR_A for each pair (translational invariance of two-centre terms).
 *        In a cell the sums run over the images B + T with the real-space densities P~(T), W~(T)
 *        of the k-point sampling (bloch.c; P and W themselves at Gamma). Spin polarised: the
 *        alpha/beta Fock matrices carry +-1/2 S (Vs_x + Vs_y), which adds
 *        + sum M (Vs_x + Vs_y)/2 dS/dR with M = P_a - P_b (and W sums both spins' e_i).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gfn1_coulomb.h"

ate_status gfn1_el_gradient(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                            const double *selfenergy, const gfn1_density *dens, const double *vsh,
                            const double *qsh, const double *dcn, const double *dcnde, double *grad,
                            double *sigma, const double *vspin, ate_error *err)
{
    int n = g->n;
    static const double zero[3] = {0.0, 0.0, 0.0};
    double *dedh = calloc((size_t)b->nsh, sizeof(double)); /* dE/dH_xx, eV^-1 x hartree */
    if (!dedh) return ATE_ERROR(err, ATE_ERR_MEMORY, "gradient: out of memory");
    for (int x = 0; x < b->nsh; ++x)
        for (int u = 0; u < b->sh[x].nao; ++u) {
            size_t mu = (size_t)(b->sh[x].ao0 + u);
            dedh[x] += gfn1_density_at(dens, mu, mu, zero, NULL, NULL);
        }
    bool self_images;
    int nt = gfn1_sh0_ntrans(g, &self_images);
    for (int x = 0; x < b->nsh; ++x)
        for (int y = 0; y < b->nsh; ++y) {
            const gfn1_shell *a = &b->sh[x], *c = &b->sh[y];
            bool same = a->atom == c->atom;
            /* the pairs gfn1_sh0 sums: A > B (both triangles, hence the factor 2) and, in full
             * mode, every ordered shell pair of an atom with its own images (factor 1; no force,
             * the distance is a lattice vector, but the CN-dependent prefactor enters dedh) */
            if (a->atom < c->atom || (same && !self_images)) continue;
            double fac = same ? 1.0 : 2.0;
            bool need_ds = !same || sigma; /* an atom's own images: a stress, no force */
            const double *ra = g->xyz + 3 * a->atom;
            for (int t = same; t < nt; ++t) {
                double d[3], rc[3];
                double r = sqrt(gfn1_image_r2(g, a->atom, c->atom, t, d));
                for (int k = 0; k < 3; ++k)
                    rc[k] = ra[k] - d[k];
                double s[5][5], ds[3][5][5];
                if (!gfn1_overlap_pair(a, c, ra, rc, s, need_ds ? ds : NULL)) continue;
                double hfac, pi, dpi;
                gfn1_h0_pair(p, b, g, x, y, selfenergy, r, &hfac, &pi, &dpi);
                double ga[3] = {0.0, 0.0, 0.0}, dh = 0.0;
                for (int u = 0; u < a->nao; ++u)
                    for (int v = 0; v < c->nao; ++v) {
                        size_t mu = (size_t)(a->ao0 + u), nu = (size_t)(c->ao0 + v);
                        double wm, mm,
                            pm = gfn1_density_at(dens, mu, nu, gfn1_trans(g, t), &wm, &mm);
                        dh += fac * pm * pi * s[u][v]; /* d(hfac)/dH_xx = K/2 */
                        if (!need_ds) continue;
                        double coef_s = fac * (pm * hfac * pi / GFN1_AUTOEV - wm -
                                               0.5 * pm * (vsh[x] + vsh[y]));
                        if (vspin) coef_s += fac * 0.5 * mm * (vspin[x] + vspin[y]);
                        double coef_pi = fac * pm * hfac * s[u][v] * dpi / GFN1_AUTOEV;
                        for (int k = 0; k < 3; ++k)
                            ga[k] += coef_s * ds[k][u][v] + coef_pi * d[k] / r;
                    }
                double kh = hfac / (selfenergy[x] + selfenergy[y]);
                dedh[x] += kh * dh;
                dedh[y] += kh * dh;
                for (int q = 0; sigma && q < 3; ++q) /* dE/dR_i R_j */
                    for (int k = 0; k < 3; ++k)
                        sigma[3 * q + k] += ga[q] * d[k];
                for (int k = 0; !same && k < 3; ++k)
                    grad[3 * a->atom + k] += ga[k], grad[3 * c->atom + k] -= ga[k];
            }
        }
    /* CN dependence of the self-energies */
    double *dedcn = calloc((size_t)n, sizeof(double));
    if (!dedcn) {
        free(dedh);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "gradient: out of memory");
    }
    for (int x = 0; x < b->nsh; ++x)
        dedcn[b->sh[x].atom] += dedh[x] * gfn1_selfenergy_dcn(p, b, g, x) / GFN1_AUTOEV;
    for (int a = 0; a < n; ++a)
        for (int q = 0; q < n; ++q)
            for (int k = 0; k < 3; ++k)
                grad[3 * q + k] += dedcn[a] * dcn[((size_t)a * n + q) * 3 + k];
    for (int a = 0; sigma && a < n; ++a)
        for (int k = 0; k < 9; ++k)
            sigma[k] += dedcn[a] * dcnde[9 * a + k];
    gfn1_gamma_gradient(p, b, g, qsh, grad, sigma); /* explicit second-order electrostatics */
    free(dedh);
    free(dedcn);
    return ATE_OK;
}
