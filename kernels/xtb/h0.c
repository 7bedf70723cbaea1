/**
 * @file h0.c
 * @brief GFN1-xTB zeroth-order Hamiltonian (J. Chem. Theory Comput. 13, 1989 (2017), eqs. 5-7;
 *        spec §4), in eV:
 *          H_mm = h_l (1 + 0.01 c_l(kind) CN_A)  (kind 0: no CN shift),
 *          H_mn = 1/2 K_ll' (H_mm + H_nn) S_mn Pi_ll'(R),  A != B,
 *          K = k_ll' (1 + k_EN (EN_A - EN_B)^2) k_pair  for valence shells,
 *              kdiff if both are polarisation shells, 1/2 (k_ll + kdiff) if one is,
 *          Pi = (1 + 0.01 k_poly,l^A sqrt(R/R_AB)) (1 + 0.01 k_poly,l'^B sqrt(R/R_AB)).
 */
#include <math.h>
#include <string.h>

#include "gfn1_scc.h"

static double kll(const gfn1_params *p, int la, int lb)
{
    const double k[3] = {p->ks, p->kp, p->kd};
    if ((la == 0 && lb == 1) || (la == 1 && lb == 0)) return p->ksp;
    return la == lb ? k[la] : 0.5 * (k[la] + k[lb]);
}

static double cn_coefficient(const gfn1_params *p, int kind, int l)
{
    if (kind == 0) return 0.0;
    if (l == 0) return p->cns;
    if (l == 1) return p->cnp;
    return kind == 2 ? p->cnd2 : p->cnd1;
}

double gfn1_selfenergy_dcn(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, int x)
{
    const gfn1_shell *sh = &b->sh[x];
    const gfn1_element *e = &p->el[g->z[sh->atom]];
    return e->lev[sh->ish] * 0.01 * cn_coefficient(p, e->kind, sh->l);
}

void gfn1_h0_pair(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, int x, int y,
                  const double *selfenergy, double *hfac, double *pi, double *dpi_dr)
{
    const gfn1_shell *a = &b->sh[x], *c = &b->sh[y];
    int za = g->z[a->atom], zc = g->z[c->atom];
    const gfn1_element *ea = &p->el[za], *ec = &p->el[zc];
    double k;
    if (a->polarization && c->polarization)
        k = p->kdiff;
    else if (a->polarization)
        k = 0.5 * (kll(p, c->l, c->l) + p->kdiff);
    else if (c->polarization)
        k = 0.5 * (kll(p, a->l, a->l) + p->kdiff);
    else {
        double den = ea->en - ec->en;
        k = kll(p, a->l, c->l) * (1.0 + 0.005 * (p->enscale + p->enscale) * den * den) *
            p->kpair[za][zc];
    }
    double r2 = 0.0;
    for (int q = 0; q < 3; ++q) {
        double d = g->xyz[3 * a->atom + q] - g->xyz[3 * c->atom + q];
        r2 += d * d;
    }
    double r = sqrt(r2), sq = sqrt(r / (ea->r_atomic + ec->r_atomic));
    double ka = 0.01 * ea->poly[a->l], kc = 0.01 * ec->poly[c->l];
    *pi = (1.0 + ka * sq) * (1.0 + kc * sq);
    if (dpi_dr) *dpi_dr = (ka * (1.0 + kc * sq) + kc * (1.0 + ka * sq)) * 0.5 * sq / r;
    *hfac = 0.5 * k * (selfenergy[x] + selfenergy[y]);
}

void gfn1_h0(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, const double *cn,
             const double *s, double *h0, double *selfenergy)
{
    int nao = b->nao;
    memset(h0, 0, (size_t)nao * nao * sizeof(double));
    for (int x = 0; x < b->nsh; ++x) {
        const gfn1_shell *sh = &b->sh[x];
        selfenergy[x] =
            p->el[g->z[sh->atom]].lev[sh->ish] + gfn1_selfenergy_dcn(p, b, g, x) * cn[sh->atom];
        for (int u = 0; u < sh->nao; ++u)
            h0[(size_t)(sh->ao0 + u) * nao + sh->ao0 + u] = selfenergy[x];
    }
    for (int x = 0; x < b->nsh; ++x)
        for (int y = 0; y < x; ++y) {
            const gfn1_shell *a = &b->sh[x], *c = &b->sh[y];
            if (a->atom == c->atom) continue;
            double hfac, pi;
            gfn1_h0_pair(p, b, g, x, y, selfenergy, &hfac, &pi, NULL);
            for (int u = 0; u < a->nao; ++u)
                for (int v = 0; v < c->nao; ++v) {
                    size_t mu = (size_t)(a->ao0 + u), nu = (size_t)(c->ao0 + v);
                    double h = hfac * pi * s[mu * nao + nu];
                    h0[mu * nao + nu] = h;
                    h0[nu * nao + mu] = h;
                }
        }
}
