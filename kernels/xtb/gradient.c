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

typedef struct grad_ctx {
    const gfn1_density *dens;
    const double *selfenergy, *vsh, *vspin;
    double *dedh, *grad, *sigma;
    double _Complex *ph; /* [nk] phases of the block's T (k-points) */
} grad_ctx;

/* One block of S/H0 (gfn1_sh0_visit): A > B counts both triangles (factor 2); an atom with its
 * own image counts once and exerts no force (the distance is a lattice vector) but feels the
 * strain, and its CN-dependent prefactor enters dedh. */
static void block_gradient(void *ctx, const gfn1_sh0_block *blk)
{
    grad_ctx *c = ctx;
    const gfn1_shell *a = blk->a, *sc = blk->c;
    int x = blk->x, y = blk->y;
    double fac = blk->same ? 1.0 : 2.0, ga[3] = {0.0, 0.0, 0.0}, dh = 0.0;
    if (c->dens->kp) gfn1_density_phases(c->dens, blk->T, c->ph);
    for (int u = 0; u < a->nao; ++u)
        for (int v = 0; v < sc->nao; ++v) {
            size_t mu = (size_t)(a->ao0 + u), nu = (size_t)(sc->ao0 + v);
            double wm, mm, pm = gfn1_density_at(c->dens, mu, nu, c->ph, &wm, &mm);
            dh += fac * pm * blk->pi * blk->s[u][v]; /* d(hfac)/dH_xx = K/2 */
            if (!blk->has_ds) continue;
            double coef_s = fac * (pm * blk->hfac * blk->pi / GFN1_AUTOEV - wm -
                                   0.5 * pm * (c->vsh[x] + c->vsh[y]));
            if (c->vspin) coef_s += fac * 0.5 * mm * (c->vspin[x] + c->vspin[y]);
            double coef_pi = fac * pm * blk->hfac * blk->s[u][v] * blk->dpi / GFN1_AUTOEV;
            for (int k = 0; k < 3; ++k)
                ga[k] += coef_s * blk->ds[k][u][v] + coef_pi * blk->d[k] / blk->r;
        }
    double kh = blk->hfac / (c->selfenergy[x] + c->selfenergy[y]);
    c->dedh[x] += kh * dh;
    c->dedh[y] += kh * dh;
    for (int q = 0; c->sigma && q < 3; ++q) /* dE/dR_i R_j */
        for (int k = 0; k < 3; ++k)
            c->sigma[3 * q + k] += ga[q] * blk->d[k];
    for (int k = 0; !blk->same && k < 3; ++k)
        c->grad[3 * a->atom + k] += ga[k], c->grad[3 * sc->atom + k] -= ga[k];
}

ate_status gfn1_el_gradient(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                            const double *selfenergy, const gfn1_density *dens, const double *vsh,
                            const double *qsh, const double *dcn, const double *dcnde, double *grad,
                            double *sigma, const double *vspin, ate_error *err)
{
    int n = g->n;
    static const double zero[3] = {0.0, 0.0, 0.0};
    int nk = dens->kp ? dens->kp->nk : 0;
    double *dedh = calloc((size_t)b->nsh, sizeof(double)); /* dE/dH_xx, eV^-1 x hartree */
    double _Complex *ph = nk ? malloc((size_t)nk * sizeof(double _Complex)) : NULL;
    if (!dedh || (nk && !ph)) {
        free(dedh), free(ph);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "gradient: out of memory");
    }
    if (nk) gfn1_density_phases(dens, zero, ph);
    for (int x = 0; x < b->nsh; ++x)
        for (int u = 0; u < b->sh[x].nao; ++u) {
            size_t mu = (size_t)(b->sh[x].ao0 + u);
            dedh[x] += gfn1_density_at(dens, mu, mu, ph, NULL, NULL);
        }
    grad_ctx ctx = {dens, selfenergy, vsh, vspin, dedh, grad, sigma, ph};
    /* overlap derivatives of an atom's own images only for the stress */
    gfn1_sh0_visit(p, b, g, selfenergy, sigma ? 2 : 1, block_gradient, &ctx);
    free(ph);
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
