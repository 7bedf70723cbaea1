/**
 * @file hartree.c
 * @brief The Hartree term (docs/theory-pw.md): v_H(G) = 4 pi rho(G) / G^2 for 0 < |G| <= 2 G_max,
 *        E_H = (Omega / 2) sum_G v_H(G) rho(G)^* (the G = 0 term is part of E_psp_core and the
 *        Ewald background). No force: it depends on the atoms only through rho.
 */
#include <complex.h>

#include "pw.h"

double pw_hartree(const pw_cell *c, const pw_grid *g, const pw_cplx *rhog, pw_cplx *vhg)
{
    double e = 0.0;
    for (int p = 0; p < g->ntot; ++p) {
        if (!g->sphere[p] || g->g2[p] == 0.0) {
            if (vhg) vhg[p] = 0.0;
            continue;
        }
        pw_cplx v = 4.0 * ATE_PI * rhog[p] / g->g2[p];
        if (vhg) vhg[p] = v;
        e += creal(v * conj(rhog[p]));
    }
    return 0.5 * c->vol * e;
}
