/**
 * @file h0.c
 * @brief GFN1-xTB zeroth-order Hamiltonian (J. Chem. Theory Comput. 13, 1989 (2017), eqs. 5-7;
 *        spec §4), in eV:
 *          H_mm = h_l (1 + 0.01 c_l(kind) CN_A)  (kind 0: no CN shift),
 *          H_mn = 1/2 K_ll' (H_mm + H_nn) S_mn Pi_ll'(R),  A != B,
 *          K = k_ll' (1 + k_EN (EN_A - EN_B)^2) k_pair  for valence shells,
 *              kdiff if both are polarisation shells, 1/2 (k_ll + kdiff) if one is,
 *          Pi = (1 + 0.01 k_poly,l^A sqrt(R/R_AB)) (1 + 0.01 k_poly,l'^B sqrt(R/R_AB)).
 *        In a cell, S and H0 are the Gamma-point Bloch sums over the images B + T (spec §12):
 *        full mode includes the atom's own images A + T (T != 0) in the on-site blocks and every
 *        pair the overlap screening keeps (R^2 <= 2000 bohr^2); xtb651 mode sums A != B only,
 *        over |T| <= sqrt(800) bohr, as xtb 6.5.1 does.
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
                  const double *selfenergy, double r, double *hfac, double *pi, double *dpi_dr)
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
    double sq = sqrt(r / (ea->r_atomic + ec->r_atomic));
    double ka = 0.01 * ea->poly[a->l], kc = 0.01 * ec->poly[c->l];
    *pi = (1.0 + ka * sq) * (1.0 + kc * sq);
    if (dpi_dr) *dpi_dr = (ka * (1.0 + kc * sq) + kc * (1.0 + ka * sq)) * 0.5 * sq / r;
    *hfac = 0.5 * k * (selfenergy[x] + selfenergy[y]);
}

int gfn1_sh0_ntrans(const gfn1_geom *g, bool *self_images)
{
    bool full = g->lat && g->lat->mode == GFN1_PBC_FULL;
    if (self_images) *self_images = full;
    return gfn1_ntrans(g, full ? sqrt(2000.0) : sqrt(800.0));
}

void gfn1_selfenergies(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                       const double *cn, double *selfenergy)
{
    for (int x = 0; x < b->nsh; ++x) {
        const gfn1_shell *sh = &b->sh[x];
        selfenergy[x] =
            p->el[g->z[sh->atom]].lev[sh->ish] + gfn1_selfenergy_dcn(p, b, g, x) * cn[sh->atom];
    }
}

void gfn1_sh0_visit(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                    const double *selfenergy, int ds_mode, gfn1_block_fn fn, void *ctx)
{
    bool self_images;
    int nt = gfn1_sh0_ntrans(g, &self_images);
    gfn1_sh0_block blk;
    for (int x = 0; x < b->nsh; ++x)
        for (int y = 0; y < b->nsh; ++y) {
            const gfn1_shell *a = &b->sh[x], *c = &b->sh[y];
            bool same = a->atom == c->atom;
            /* A > B, mirrored; A = B (own images): every ordered shell pair, no mirror */
            if (a->atom < c->atom || (same && !self_images)) continue;
            blk.x = x, blk.y = y, blk.a = a, blk.c = c, blk.same = same;
            blk.has_ds = ds_mode == 2 || (ds_mode == 1 && !same);
            const double *ra = g->xyz + 3 * a->atom;
            for (int t = same; t < nt; ++t) {
                double rc[3];
                blk.r = sqrt(gfn1_image_r2(g, a->atom, c->atom, t, blk.d));
                for (int k = 0; k < 3; ++k)
                    rc[k] = ra[k] - blk.d[k];
                if (!gfn1_overlap_pair(a, c, ra, rc, blk.s, blk.has_ds ? blk.ds : NULL)) continue;
                gfn1_h0_pair(p, b, g, x, y, selfenergy, blk.r, &blk.hfac, &blk.pi, &blk.dpi);
                blk.T = gfn1_trans(g, t);
                fn(ctx, &blk);
            }
        }
}

typedef struct gamma_ctx {
    int nao;
    double *s, *h0;
} gamma_ctx;

/* Gamma point: S += blk, H0 += hscale blk, mirrored for A != B */
static void add_gamma(void *ctx, const gfn1_sh0_block *blk)
{
    gamma_ctx *m = ctx;
    const gfn1_shell *a = blk->a, *c = blk->c;
    double hscale = blk->hfac * blk->pi;
    bool same = blk->same;
    size_t nao = (size_t)m->nao;
    for (int u = 0; u < a->nao; ++u)
        for (int v = 0; v < c->nao; ++v) {
            size_t mu = (size_t)(a->ao0 + u), nu = (size_t)(c->ao0 + v);
            m->s[mu * nao + nu] += blk->s[u][v];
            m->h0[mu * nao + nu] += hscale * blk->s[u][v];
            if (same) continue;
            m->s[nu * nao + mu] += blk->s[u][v];
            m->h0[nu * nao + mu] += hscale * blk->s[u][v];
        }
}

void gfn1_sh0(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, const double *cn,
              double *s, double *h0, double *selfenergy)
{
    int nao = b->nao;
    memset(s, 0, (size_t)nao * nao * sizeof(double));
    memset(h0, 0, (size_t)nao * nao * sizeof(double));
    gfn1_selfenergies(p, b, g, cn, selfenergy);
    for (int x = 0; x < b->nsh; ++x) {
        const gfn1_shell *sh = &b->sh[x];
        for (int u = 0; u < sh->nao; ++u) {
            size_t mu = (size_t)(sh->ao0 + u);
            h0[mu * nao + mu] = selfenergy[x];
            s[mu * nao + mu] = 1.0;
        }
    }
    gamma_ctx ctx = {nao, s, h0};
    gfn1_sh0_visit(p, b, g, selfenergy, 0, add_gamma, &ctx);
}
