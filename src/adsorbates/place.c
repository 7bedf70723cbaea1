/**
 * @file place.c
 * @brief ate_adsorbate_place: input checks, the contact check and the new structure.
 *
 * The geometry itself (bond lengths, angles, tilt azimuth, with sources) is in orientation.c.
 * Nothing is placed closer than 0.9 Å to any atom, periodic images included: such a request fails
 * with ATE_ERR_VALUE naming the two atoms instead of returning a bad starting geometry.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adsorbates_internal.h"
#include "atescreen/elements.h"
#include "atescreen/units.h"

int ate_adsorbate_natoms(ate_adsorbate ads)
{
    static const int n[ATE_ADS_COUNT] = {2, 1, 3, 1};
    return (int)ads >= 0 && ads < ATE_ADS_COUNT ? n[ads] : 0;
}

static ate_status check_site(const ate_structure *s, ate_adsorbate ads, const ate_ads_site *site,
                             ate_error *err)
{
    int n = ate_structure_natoms(s);
    if ((int)ads < 0 || ads >= ATE_ADS_COUNT)
        return ATE_ERROR(err, ATE_ERR_VALUE, "unknown adsorbate %d (known: 0-%d = OH, O, OOH, H)",
                         (int)ads, ATE_ADS_COUNT - 1);
    if (site->kind != ATE_ADS_SITE_TOP && site->kind != ATE_ADS_SITE_BRIDGE)
        return ATE_ERROR(err, ATE_ERR_VALUE, "unknown adsorption site kind %d (top 0, bridge 1)",
                         (int)site->kind);
    if (site->face != 1 && site->face != -1)
        return ATE_ERROR(err, ATE_ERR_VALUE, "adsorption face must be +1 or -1, got %d",
                         site->face);
    int nm = site->kind == ATE_ADS_SITE_BRIDGE ? 2 : 1;
    for (int k = 0; k < nm; ++k)
        if (site->metal[k] < 0 || site->metal[k] >= n)
            return ATE_ERROR(err, ATE_ERR_VALUE,
                             "adsorption site metal[%d] = %d is out of range (the structure has "
                             "%d atoms, indices 0-%d)",
                             k, site->metal[k], n, n - 1);
    if (nm == 2 && site->metal[0] == site->metal[1])
        return ATE_ERROR(err, ATE_ERR_VALUE,
                         "a bridge needs two different metals, got metal[0] = metal[1] = %d",
                         site->metal[0]);
    return ATE_OK;
}

/* "top of atom 1 (Fe)" / "the bridge of atoms 1 (Fe) and 2 (Co)", 1-based as in every message */
static void site_text(const ate_structure *s, const ate_ads_site *site, char *buf, size_t len)
{
    const int *z = ate_structure_numbers(s);
    int i = site->metal[0], j = site->metal[1];
    if (site->kind == ATE_ADS_SITE_TOP)
        snprintf(buf, len, "top of atom %d (%s)", i + 1, ate_element_symbol(z[i]));
    else
        snprintf(buf, len, "the bridge of atoms %d (%s) and %d (%s)", i + 1,
                 ate_element_symbol(z[i]), j + 1, ate_element_symbol(z[j]));
}

/* Closest contact of a placed atom with any atom of clean or of the adsorbate's own periodic
 * images; fails when it is below ATE_ADS_MIN_CONTACT. */
static ate_status check_contacts(const ate_structure *clean, ate_adsorbate ads,
                                 const ate_ads_site *site, const ate_ads_geom *g, ate_error *err)
{
    int n0 = ate_structure_natoms(clean), ia = -1, jb = -1;
    double best = INFINITY;
    for (int a = 0; a < g->n; ++a) {
        for (int j = 0; j < n0; ++j) {
            double r = ate_structure_point_distance(clean, g->pos[a], j);
            if (r < best) best = r, ia = a, jb = j;
        }
        for (int b = a; b < g->n; ++b) {
            double d[3] = {g->pos[b][0] - g->pos[a][0], g->pos[b][1] - g->pos[a][1],
                           g->pos[b][2] - g->pos[a][2]};
            double r = ate_ads_shortest_image(clean, d, a == b, NULL);
            if (r < best) best = r, ia = a, jb = n0 + b;
        }
    }
    if (best >= ATE_ADS_MIN_CONTACT * ATE_ANGSTROM_BOHR) return ATE_OK;
    char where[128];
    site_text(clean, site, where, sizeof(where));
    int zb = jb < n0 ? ate_structure_numbers(clean)[jb] : g->z[jb - n0];
    return ATE_ERROR(err, ATE_ERR_VALUE,
                     "*%s on %s: the placed %s (atom %d) would be %.3f Å from atom %d (%s)%s "
                     "(minimum %.1f Å)",
                     ate_adsorbate_name(ads), where, ate_element_symbol(g->z[ia]), n0 + ia + 1,
                     best * ATE_BOHR_ANGSTROM, jb + 1, ate_element_symbol(zb),
                     jb == n0 + ia ? ", its own periodic image" : "", ATE_ADS_MIN_CONTACT);
}

/* clean's atoms unchanged, then the adsorbate tagged ATE_TAG_ADSORBATE and free; info copied */
static ate_status assemble(const ate_structure *clean, const ate_ads_geom *g, ate_structure **out,
                           ate_error *err)
{
    ate_structure_desc d = ate_structure_get_desc(clean);
    int n0 = d.natoms, n1 = n0 + g->n;
    int *z = malloc((size_t)n1 * sizeof(int)), *tags = malloc((size_t)n1 * sizeof(int));
    double *pos = malloc((size_t)n1 * 3 * sizeof(double));
    bool *fixed = calloc((size_t)n1 * 3, sizeof(bool));
    ate_status st = ATE_OK;
    if (!z || !tags || !pos || !fixed)
        st = ATE_ERROR(err, ATE_ERR_MEMORY, "placing an adsorbate: out of memory");
    if (st == ATE_OK) {
        memcpy(z, d.numbers, (size_t)n0 * sizeof(int));
        memcpy(tags, d.tags, (size_t)n0 * sizeof(int));
        memcpy(pos, d.positions, (size_t)n0 * 3 * sizeof(double));
        memcpy(fixed, d.fixed, (size_t)n0 * 3 * sizeof(bool));
        for (int a = 0; a < g->n; ++a) {
            z[n0 + a] = g->z[a];
            tags[n0 + a] = ATE_TAG_ADSORBATE;
            memcpy(pos + 3 * (n0 + a), g->pos[a], 3 * sizeof(double));
        }
        d.natoms = n1, d.numbers = z, d.tags = tags, d.positions = pos, d.fixed = fixed;
        d.uhf = ATE_UHF_AUTO, d.magmoms = NULL; /* starting moments: the spin scan's */
        st = ate_structure_create(&d, out, err);
    }
    for (int i = 0; st == ATE_OK && i < ate_structure_info_count(clean); ++i)
        st = ate_structure_info_set(*out, ate_structure_info_key(clean, i),
                                    ate_structure_info_value(clean, i), err);
    if (st != ATE_OK) ate_structure_destroy(out);
    free(z), free(tags), free(pos), free(fixed);
    return st;
}

ate_status ate_adsorbate_place(const ate_structure *clean, ate_adsorbate ads,
                               const ate_ads_site *site, ate_structure **out, ate_error *err)
{
    if (out) *out = NULL;
    if (!clean || !site || !out)
        return ATE_ERROR(err, ATE_ERR_VALUE,
                         "ate_adsorbate_place: clean, site and out must not be NULL");
    ATE_TRY(check_site(clean, ads, site, err));
    double x[3];
    ate_ads_geom g;
    ate_ads_binding_point(clean, ads, site, x);
    ate_ads_orient(clean, ads, x, site->face, &g);
    ATE_TRY(check_contacts(clean, ads, site, &g, err));
    return assemble(clean, &g, out, err);
}
