/**
 * @file hartree.c
 * @brief The Hartree term (docs/theory-pw.md): v_H(G) = 4 pi rho(G) / G^2 for 0 < |G| <= 2 G_max,
 *        E_H = (Omega / 2) sum_G v_H(G) rho(G)^* (the G = 0 term is part of E_psp_core and the
 *        Ewald background). No force: it depends on the atoms only through rho.
 */
#include <complex.h>

#include "pw.h"

/* v_H and E_H of the n points q of rhog (vhg, which may be rhog) at the box indices box[q]
 * (box NULL: q itself) */
static double hartree_on(const pw_cell *c, const pw_grid *g, size_t n, const int *box,
                         const pw_cplx *rhog, pw_cplx *vhg)
{
    double e = 0.0;
    for (size_t q = 0; q < n; ++q) {
        size_t p = box ? (size_t)box[q] : q;
        if (!g->sphere[p] || g->g2[p] == 0.0) {
            if (vhg) vhg[q] = 0.0;
            continue;
        }
        pw_cplx v = 4.0 * ATE_PI * rhog[q] / g->g2[p];
        e += creal(v * conj(rhog[q])); /* before vhg[q]: vhg may be rhog */
        if (vhg) vhg[q] = v;
    }
    return 0.5 * c->vol * e;
}

double pw_hartree(const pw_cell *c, const pw_grid *g, const pw_cplx *rhog, pw_cplx *vhg)
{
    return hartree_on(c, g, (size_t)g->ntot, NULL, rhog, vhg);
}

double pw_hartree_planes(const pw_cell *c, const pw_grid *g, const pw_slab *sl, const pw_cplx *rhog,
                         pw_cplx *vhg)
{
    return hartree_on(c, g, (size_t)sl->ln1 * g->n[0] * g->n[2], sl->pbox, rhog, vhg);
}

/* Strain derivative (docs/theory-pw.md, "Stress"; O. H. Nielsen, R. M. Martin, PRB 32, 3780
 * (1985)): Omega rho(G) is fixed, G_a -> G_a - eps_ba G_b, so with E_H = (2 pi / Omega)
 * sum |Omega rho|^2 / G^2,
 *   dE_H/deps_ab = -delta_ab E_H + 4 pi Omega sum_G |rho(G)|^2 G_a G_b / G^4. */
void pw_hartree_stress(const pw_cell *c, const pw_grid *g, const pw_cplx *rhog, double *dde)
{
    double s[9] = {0}, e = 0.0;
    for (int p = 0; p < g->ntot; ++p) {
        if (!g->sphere[p] || g->g2[p] == 0.0) continue;
        double G[3], r2 = creal(rhog[p] * conj(rhog[p])), g2 = g->g2[p];
        pw_grid_gvec(g, p, G);
        e += r2 / g2;
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b)
                s[3 * a + b] += r2 * G[a] * G[b] / (g2 * g2);
    }
    e *= 2.0 * ATE_PI * c->vol;
    for (int q = 0; q < 9; ++q)
        dde[q] += 4.0 * ATE_PI * c->vol * s[q] - (q % 4 == 0 ? e : 0.0);
}
