/**
 * @file orientation.c
 * @brief Starting geometries of *OH, *O, *OOH and *H and the choice of their tilt direction.
 *
 * Bond lengths (Å) and angles are typical DFT values for M-N-C sites; the relaxation refines them:
 *  - M-O 1.8 (Fe-OH on FeN4 graphene 1.8-1.9 Å, Kattel & Wang, J. Phys. Chem. Lett. 5, 452
 *    (2014)); *O uses the same 1.8 Å (metal-oxo 1.6-1.8 Å: the long end keeps the start away from
 *    the support and the relaxation shortens it);
 *  - O-H 0.98 (adsorbed hydroxyl 0.97-0.98 Å); M-H 1.6 (terminal transition-metal hydrides
 *    1.5-1.6 Å);
 *  - O-O 1.45 in *OOH, peroxide-like (gas-phase H2O2 1.475 Å); bent M-O-O 115°, O-O-H 100° (H2O2
 *    94.8°), with the H trans to the metal (dihedral M-O1-O2-H 180°), i.e. pointing away from the
 *    surface; M-O-H 110° in *OH. Free energies built on these states follow the computational
 *    hydrogen electrode, Nørskov et al., J. Phys. Chem. B 108, 17886 (2004).
 *
 * Frame: the support lies in (or near) the z = const plane of the metal(s); n = (0, 0, face).
 * Top site: the binding atom X sits at d_MX along n above the metal. Bridge: X sits above the
 * (minimum-image) M-M midpoint at h = sqrt(d_MX^2 - (d_MM/2)^2), at least 0.8 Å, which gives
 * both metals the top-site distance when they share one z plane. Angles "M-X-Y" are measured from
 * -n (the metal or the M-M midpoint lies straight below X).
 *
 * Tilt: the tilted atoms (H of *OH; O2 and H of *OOH) lie in the vertical plane through n and an
 * in-plane direction u(phi) = (cos phi, sin phi, 0). 72 azimuths phi = 0°, 5°, ..., 355° are tried
 * (the grid holds the 45° and 30° bisectors of square and hexagonal sites) and the most open one
 * wins: the one that maximises the shortest distance from its tilted atoms
 * to the clean structure's atoms (periodic images included). Equal shortest distances (on a top
 * site the metal is the same distance away at every azimuth) pass the decision to the next-shortest
 * one, and so on: the sorted lists of the 8 shortest contacts are compared lexicographically, to
 * 1e-9 bohr. Remaining ties go to the smaller phi, so the result is deterministic.
 */
#include <math.h>
#include <string.h>

#include "adsorbates_internal.h"
#include "atescreen/units.h"

static double rad(double deg) { return deg * ATE_PI / 180.0; }

static double norm3(const double v[3]) { return sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]); }

double ate_ads_shortest_image(const ate_structure *s, const double d[3], bool exclude_zero,
                              double v[3])
{
    bool pbc[3];
    ate_structure_pbc(s, pbc);
    double f[3], best = INFINITY, tmp[3];
    if (!v) v = tmp;
    if (!ate_structure_is_periodic(s) || ate_structure_to_fractional(s, d, f, NULL) != ATE_OK) {
        memcpy(v, d, 3 * sizeof(double));
        double r = norm3(d);
        return exclude_zero && r < 1e-12 ? INFINITY : r;
    }
    const double *cell = ate_structure_cell(s);
    for (int k = 0; k < 3; ++k)
        if (pbc[k]) f[k] -= round(f[k]);
    for (int a = -1; a <= 1; ++a)
        for (int b = -1; b <= 1; ++b)
            for (int c = -1; c <= 1; ++c) {
                int t[3] = {a, b, c};
                double g[3], w[3] = {0.0, 0.0, 0.0};
                bool skip = false;
                for (int k = 0; k < 3; ++k) {
                    skip = skip || (!pbc[k] && t[k] != 0);
                    g[k] = f[k] + t[k];
                }
                if (skip) continue;
                for (int k = 0; k < 3; ++k)
                    for (int m = 0; m < 3; ++m)
                        w[m] += g[k] * cell[3 * k + m];
                double r = norm3(w);
                if (exclude_zero && r < 1e-12) continue;
                if (r < best) best = r, memcpy(v, w, sizeof(w));
            }
    return best;
}

void ate_ads_binding_point(const ate_structure *s, ate_adsorbate ads, const ate_ads_site *site,
                           double x[3])
{
    const double *p = ate_structure_positions(s);
    const double *m0 = p + 3 * site->metal[0];
    double d_mx = (ads == ATE_ADS_H ? ATE_ADS_D_MH : ATE_ADS_D_MO) * ATE_ANGSTROM_BOHR;
    double h = d_mx;
    memcpy(x, m0, 3 * sizeof(double));
    if (site->kind == ATE_ADS_SITE_BRIDGE) {
        const double *m1 = p + 3 * site->metal[1];
        double d[3] = {m1[0] - m0[0], m1[1] - m0[1], m1[2] - m0[2]}, v[3];
        double dmm = ate_ads_shortest_image(s, d, false, v);
        for (int k = 0; k < 3; ++k)
            x[k] = m0[k] + 0.5 * v[k];
        double hh = d_mx * d_mx - 0.25 * dmm * dmm;
        h = fmax(hh > 0.0 ? sqrt(hh) : 0.0, ATE_ADS_MIN_HEIGHT * ATE_ANGSTROM_BOHR);
    }
    x[2] += site->face * h;
}

/* p = o + len * (sin(t) u + cos(t) n): t is measured from n, towards u; len in Å. */
static void along(const double o[3], const double u[3], const double n[3], double t, double len,
                  double p[3])
{
    for (int k = 0; k < 3; ++k)
        p[k] = o[k] + len * ATE_ANGSTROM_BOHR * (sin(t) * u[k] + cos(t) * n[k]);
}

/* ads at x with its tilted atoms in the (n, u) half-plane. */
static void build(ate_adsorbate ads, const double x[3], const double n[3], const double u[3],
                  ate_ads_geom *g)
{
    g->n = 1;
    g->z[0] = ads == ATE_ADS_H ? 1 : 8;
    memcpy(g->pos[0], x, 3 * sizeof(double));
    if (ads == ATE_ADS_OH) {
        /* X-M points along -n, so M-O-H = 180° - (tilt of O->H from n) */
        along(x, u, n, rad(180.0 - ATE_ADS_ANG_MOH), ATE_ADS_D_OH, g->pos[1]);
        g->z[1] = 1;
        g->n = 2;
    } else if (ads == ATE_ADS_OOH) {
        along(x, u, n, rad(180.0 - ATE_ADS_ANG_MOO), ATE_ADS_D_OO, g->pos[1]);
        /* O2->O1 points at 360° - M-O-O from n (towards -u); turning it on by O-O-H towards +n
         * puts H trans to M, above O2 */
        along(g->pos[1], u, n, rad(360.0 - ATE_ADS_ANG_MOO + ATE_ADS_ANG_OOH), ATE_ADS_D_OH,
              g->pos[2]);
        g->z[1] = 8;
        g->z[2] = 1;
        g->n = 3;
    }
}

/* The ATE_ADS_SCORE_DEPTH shortest contacts (bohr, ascending) of the tilted atoms with s. */
typedef struct contacts {
    int n;
    double d[ATE_ADS_SCORE_DEPTH];
} contacts;

static void contacts_of(const ate_structure *s, const ate_ads_geom *g, contacts *c)
{
    c->n = 0;
    for (int a = 1; a < g->n; ++a)
        for (int j = 0; j < ate_structure_natoms(s); ++j) {
            double r = ate_structure_point_distance(s, g->pos[a], j);
            if (c->n == ATE_ADS_SCORE_DEPTH && r >= c->d[c->n - 1]) continue;
            int k = c->n < ATE_ADS_SCORE_DEPTH ? c->n++ : c->n - 1;
            for (; k > 0 && c->d[k - 1] > r; --k)
                c->d[k] = c->d[k - 1];
            c->d[k] = r;
        }
}

/* +1 when a is more open than b, -1 when less, 0 on a tie (1e-9 bohr) */
static int contacts_cmp(const contacts *a, const contacts *b)
{
    for (int k = 0; k < a->n && k < b->n; ++k) {
        if (a->d[k] > b->d[k] + 1e-9) return 1;
        if (a->d[k] < b->d[k] - 1e-9) return -1;
    }
    return 0;
}

void ate_ads_orient(const ate_structure *s, ate_adsorbate ads, const double x[3], int face,
                    ate_ads_geom *g)
{
    const double n[3] = {0.0, 0.0, (double)face};
    contacts best = {0}, c;
    ate_ads_geom trial;
    for (int a = 0; a < ATE_ADS_N_AZIMUTH; ++a) {
        double phi = 2.0 * ATE_PI * a / ATE_ADS_N_AZIMUTH;
        double u[3] = {cos(phi), sin(phi), 0.0};
        build(ads, x, n, u, &trial);
        trial.azimuth = trial.n > 1 ? phi : 0.0;
        if (trial.n == 1) { /* nothing to turn */
            *g = trial;
            return;
        }
        contacts_of(s, &trial, &c);
        if (a == 0 || contacts_cmp(&c, &best) > 0) best = c, *g = trial;
    }
}
