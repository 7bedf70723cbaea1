/**
 * @file local.c
 * @brief The local pseudopotential (docs/theory-pw.md, "Local pseudopotential"):
 *   V_loc(G) = Omega^{-1} sum_I v_I(|G|) e^{-iG.x_I}  (G != 0, |G| <= 2 G_max),
 *   E_loc = Omega sum_G V_loc(G) rho(G)^*,  F_I = -dE_loc/dx_I = Re sum_G iG v_I(G) e^{-iG.x_I}
 *   rho(G)^*, with v_I the GTH transform (gth.c). The G = 0 term, whose Coulomb divergence
 *   cancels against the Hartree and Ewald ones, leaves E_psp_core = N_el sum_I alpha_I / Omega
 *   (pw_gth_alpha; Ihm, Zunger, Cohen, J. Phys. C 12, 4409 (1979)).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pw.h"

/* the structure factor of species s at G: sum over its atoms of e^{-iG.x} */
static pw_cplx species_sf(const pw_atoms *at, int s, const double G[3])
{
    pw_cplx sf = 0.0;
    for (int i = 0; i < at->n; ++i)
        if (at->species[i] == s) {
            const double *x = at->x + 3 * i;
            sf += cexp(-I * (G[0] * x[0] + G[1] * x[1] + G[2] * x[2]));
        }
    return sf;
}

/* e^{-iG.x} and v_s(|G|) for each box point of the density sphere, summed over the atoms */
void pw_vloc(const pw_cell *c, const pw_grid *g, const pw_atoms *at, pw_cplx *vg)
{
    memset(vg, 0, (size_t)g->ntot * sizeof(pw_cplx));
    for (int p = 0; p < g->ntot; ++p) {
        if (!g->sphere[p] || g->g2[p] == 0.0) continue;
        double q = sqrt(g->g2[p]);
        double G[3];
        pw_grid_gvec(g, p, G);
        pw_cplx sum = 0.0;
        for (int s = 0; s < at->nspecies; ++s) {
            pw_cplx sf = species_sf(at, s, G);
            if (sf != 0.0) sum += pw_gth_vloc_q(&at->psp[s], q, NULL) * sf;
        }
        vg[p] = sum / c->vol;
    }
}

void pw_vloc_forces(const pw_cell *c, const pw_grid *g, const pw_atoms *at, const pw_cplx *rhog,
                    double *f)
{
    (void)c;
    for (int p = 0; p < g->ntot; ++p) {
        if (!g->sphere[p] || g->g2[p] == 0.0) continue;
        double q = sqrt(g->g2[p]);
        double G[3];
        pw_grid_gvec(g, p, G);
        for (int s = 0; s < at->nspecies; ++s) {
            double v = pw_gth_vloc_q(&at->psp[s], q, NULL);
            for (int i = 0; i < at->n; ++i) {
                if (at->species[i] != s) continue;
                const double *x = at->x + 3 * i;
                pw_cplx t =
                    I * v * cexp(-I * (G[0] * x[0] + G[1] * x[1] + G[2] * x[2])) * conj(rhog[p]);
                for (int d = 0; d < 3; ++d)
                    f[3 * i + d] += creal(t) * G[d];
            }
        }
    }
}

/* Strain derivative (docs/theory-pw.md, "Stress"; O. H. Nielsen, R. M. Martin, PRB 32, 3780
 * (1985)): E_loc = Omega^{-1} sum_G sum_I v_I(|G|) e^{-iG.x_I} (Omega rho(G))^* with
 * G.x_I and Omega rho fixed, d|G|/deps_ab = -G_a G_b / |G|:
 *   dE_loc/deps_ab = -delta_ab E_loc - sum_G Re[sum_I v_I'(|G|) e^{-iG.x_I} rho(G)^*] G_a G_b/|G|.
 * The G = 0 term E_psp_core = N_el sum alpha / Omega adds -delta_ab E_psp_core (scf.c). */
void pw_vloc_stress(const pw_cell *c, const pw_grid *g, const pw_atoms *at, const pw_cplx *rhog,
                    double *dde)
{
    (void)c;
    double s[9] = {0}, e = 0.0;
    for (int p = 0; p < g->ntot; ++p) {
        if (!g->sphere[p] || g->g2[p] == 0.0) continue;
        double q = sqrt(g->g2[p]), G[3];
        pw_grid_gvec(g, p, G);
        pw_cplx v = 0.0, dv = 0.0;
        for (int sp = 0; sp < at->nspecies; ++sp) {
            pw_cplx sf = species_sf(at, sp, G);
            if (sf == 0.0) continue;
            double d;
            v += pw_gth_vloc_q(&at->psp[sp], q, &d) * sf;
            dv += d * sf;
        }
        e += creal(v * conj(rhog[p]));
        double t = creal(dv * conj(rhog[p])) / q;
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b)
                s[3 * a + b] -= t * G[a] * G[b];
    }
    for (int k = 0; k < 9; ++k)
        dde[k] += s[k] - (k % 4 == 0 ? e : 0.0);
}
