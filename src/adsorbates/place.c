/**
 * @file place.c
 * @brief Starting geometries of *OH, *O, *OOH and *H on metal top and M-M bridge sites.
 *
 * Bond lengths (Å) and angles are typical DFT values for M-N-C sites (e.g. Fe-OH 1.8-1.9 Å on
 * FeN4, Kattel & Wang, J. Phys. Chem. Lett. 5, 452 (2014); peroxide-like O-O 1.45 Å in *OOH,
 * Nørskov et al., J. Phys. Chem. B 108, 17886 (2004)): M-O 1.8, O-H 0.98, O-O 1.45, M-H 1.6,
 * M-O-H 110°, M-O-O 115°, O-O-H 100°. A bridge puts the binding atom above the M-M midpoint at the
 * height that gives the same M-X distance (at least 0.8 Å). Tilted atoms lean towards the most
 * open azimuth: 36 directions are tried and the one whose tilted atoms stay farthest from the
 * existing atoms (minimum image) wins; ties go to the smallest angle, so the result is
 * deterministic. The relaxation refines all of this.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/adsorbates.h"
#include "atescreen/elements.h"
#include "atescreen/units.h"

#define D_MO        1.8
#define D_MH        1.6
#define D_OH        0.98
#define D_OO        1.45
#define ANG_MOH     110.0
#define ANG_MOO     115.0
#define ANG_OOH     100.0
#define MIN_CONTACT 0.9 /* Å: closest allowed contact of a placed atom */

enum { MAX_ADS_ATOMS = 3, N_AZIMUTH = 36 };

int ate_adsorbate_natoms(ate_adsorbate ads)
{
    static const int n[ATE_ADS_COUNT] = {2, 1, 3, 1};
    return (int)ads >= 0 && ads < ATE_ADS_COUNT ? n[ads] : 0;
}

typedef struct ads_geom {
    int n;
    int z[MAX_ADS_ATOMS];
    double pos[MAX_ADS_ATOMS][3]; /* bohr */
} ads_geom;

static double deg(double a) { return a * ATE_PI / 180.0; }

/* p = o + len * (sin(t) u + cos(t) n), t measured from the surface normal n. */
static void along(const double o[3], const double u[3], const double n[3], double t, double len,
                  double p[3])
{
    for (int k = 0; k < 3; ++k)
        p[k] = o[k] + len * ATE_ANGSTROM_BOHR * (sin(t) * u[k] + cos(t) * n[k]);
}

/* Build the adsorbate for binding point x, normal n, in-plane azimuth direction u. */
static void build(ate_adsorbate ads, const double x[3], const double n[3], const double u[3],
                  ads_geom *g)
{
    const int bind = ads == ATE_ADS_H ? 1 : 8;
    g->n = 1;
    g->z[0] = bind;
    memcpy(g->pos[0], x, sizeof(double) * 3);
    if (ads == ATE_ADS_OH) {
        g->z[1] = 1;
        along(x, u, n, deg(180.0 - ANG_MOH), D_OH, g->pos[1]);
        g->n = 2;
    } else if (ads == ATE_ADS_OOH) {
        g->z[1] = 8;
        along(x, u, n, deg(180.0 - ANG_MOO), D_OO, g->pos[1]);
        /* H on O2: O1-O2-H = 100° in the bending plane, on the side away from the surface:
         * the O2->O1 direction sits at 180° + (180° - M-O-O) from n (towards -u); rotating it by
         * the O-O-H angle towards +n gives the O2->H direction. */
        double t_back = deg(180.0 + (180.0 - ANG_MOO)); /* angle of O2->O1 from n, towards u */
        double t_h = t_back + deg(ANG_OOH);
        along(g->pos[1], u, n, t_h, D_OH, g->pos[2]);
        g->z[2] = 1;
        g->n = 3;
    }
}

static double closest(const ate_structure *s, const ads_geom *g, int first)
{
    double best = INFINITY;
    for (int a = first; a < g->n; ++a)
        for (int j = 0; j < ate_structure_natoms(s); ++j)
            best = fmin(best, ate_structure_point_distance(s, g->pos[a], j));
    return best;
}

static ate_status check_site(const ate_structure *s, ate_adsorbate ads, const ate_ads_site *site,
                             ate_error *err)
{
    int n = ate_structure_natoms(s);
    if ((int)ads < 0 || ads >= ATE_ADS_COUNT)
        return ATE_ERROR(err, ATE_ERR_VALUE, "unknown adsorbate %d", (int)ads);
    if (site->face != 1 && site->face != -1)
        return ATE_ERROR(err, ATE_ERR_VALUE, "adsorption face must be +1 or -1, got %d",
                         site->face);
    int nm = site->kind == ATE_ADS_SITE_BRIDGE ? 2 : 1;
    if (site->kind != ATE_ADS_SITE_TOP && site->kind != ATE_ADS_SITE_BRIDGE)
        return ATE_ERROR(err, ATE_ERR_VALUE, "unknown adsorption site kind %d", (int)site->kind);
    for (int k = 0; k < nm; ++k)
        if (site->metal[k] < 0 || site->metal[k] >= n)
            return ATE_ERROR(err, ATE_ERR_VALUE,
                             "adsorption site atom %d is out of range (structure has %d atoms)",
                             site->metal[k] + 1, n);
    if (nm == 2 && site->metal[0] == site->metal[1])
        return ATE_ERROR(err, ATE_ERR_VALUE,
                         "a bridge needs two different atoms, got atom %d twice",
                         site->metal[0] + 1);
    return ATE_OK;
}

/* Binding point: on top, or above the (minimum-image) midpoint of a bridge. */
static void binding_point(const ate_structure *s, ate_adsorbate ads, const ate_ads_site *site,
                          double x[3])
{
    const double *p = ate_structure_positions(s);
    const double *m0 = p + 3 * site->metal[0];
    double d_mx = (ads == ATE_ADS_H ? D_MH : D_MO) * ATE_ANGSTROM_BOHR;
    double base[3], h = d_mx;
    memcpy(base, m0, sizeof(base));
    if (site->kind == ATE_ADS_SITE_BRIDGE) {
        /* the two metals are taken as given (the site builders keep a site inside one image) */
        const double *m1 = p + 3 * site->metal[1];
        double dmm = sqrt((m1[0] - m0[0]) * (m1[0] - m0[0]) + (m1[1] - m0[1]) * (m1[1] - m0[1]) +
                          (m1[2] - m0[2]) * (m1[2] - m0[2]));
        for (int k = 0; k < 3; ++k)
            base[k] = 0.5 * (m0[k] + m1[k]);
        double hh = d_mx * d_mx - 0.25 * dmm * dmm;
        h = fmax(hh > 0 ? sqrt(hh) : 0.0, 0.8 * ATE_ANGSTROM_BOHR);
    }
    for (int k = 0; k < 3; ++k)
        x[k] = base[k];
    x[2] += site->face * h;
}

ate_status ate_adsorbate_place(const ate_structure *clean, ate_adsorbate ads,
                               const ate_ads_site *site, ate_structure **out, ate_error *err)
{
    *out = NULL;
    ATE_TRY(check_site(clean, ads, site, err));
    double x[3], n[3] = {0.0, 0.0, (double)site->face};
    binding_point(clean, ads, site, x);
    ads_geom best = {0}, g;
    double best_score = -INFINITY;
    for (int a = 0; a < N_AZIMUTH; ++a) {
        double phi = 2.0 * ATE_PI * a / N_AZIMUTH;
        double u[3] = {cos(phi), sin(phi), 0.0};
        build(ads, x, n, u, &g);
        double score = g.n > 1 ? closest(clean, &g, 1) : 0.0;
        if (score > best_score + 1e-9) best_score = score, best = g;
        if (g.n == 1) break; /* nothing to orient */
    }
    double contact = closest(clean, &best, 0);
    if (contact < MIN_CONTACT * ATE_ANGSTROM_BOHR)
        return ATE_ERROR(err, ATE_ERR_VALUE,
                         "*%s on %s of atom %d comes %.3f Å from an existing atom (minimum %.1f Å)",
                         ate_adsorbate_name(ads), site->kind == ATE_ADS_SITE_TOP ? "top" : "bridge",
                         site->metal[0] + 1, contact * ATE_BOHR_ANGSTROM, MIN_CONTACT);
    /* new structure: clean atoms, then the adsorbate tagged 2 and free */
    ate_structure_desc d = ate_structure_get_desc(clean);
    int n0 = d.natoms, n1 = n0 + best.n;
    int *z = malloc((size_t)n1 * sizeof(int)), *tags = malloc((size_t)n1 * sizeof(int));
    double *pos = malloc((size_t)n1 * 3 * sizeof(double));
    bool *fixed = calloc((size_t)n1 * 3, sizeof(bool));
    ate_status st = ATE_OK;
    if (!z || !tags || !pos || !fixed)
        st = ATE_ERROR(err, ATE_ERR_MEMORY, "adsorbate: out of memory");
    if (st == ATE_OK) {
        memcpy(z, d.numbers, (size_t)n0 * sizeof(int));
        memcpy(tags, d.tags, (size_t)n0 * sizeof(int));
        memcpy(pos, d.positions, (size_t)n0 * 3 * sizeof(double));
        memcpy(fixed, d.fixed, (size_t)n0 * 3 * sizeof(bool));
        for (int a = 0; a < best.n; ++a) {
            z[n0 + a] = best.z[a];
            tags[n0 + a] = ATE_TAG_ADSORBATE;
            memcpy(pos + 3 * (n0 + a), best.pos[a], 3 * sizeof(double));
        }
        d.natoms = n1, d.numbers = z, d.tags = tags, d.positions = pos, d.fixed = fixed;
        d.uhf = ATE_UHF_AUTO;
        st = ate_structure_create(&d, out, err);
    }
    for (int i = 0; st == ATE_OK && i < ate_structure_info_count(clean); ++i)
        st = ate_structure_info_set(*out, ate_structure_info_key(clean, i),
                                    ate_structure_info_value(clean, i), err);
    if (st != ATE_OK) ate_structure_destroy(out);
    free(z), free(tags), free(pos), free(fixed);
    return st;
}
