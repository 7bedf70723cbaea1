/* ate_adsorbate_place error paths: each returns ATE_ERR_VALUE with its exact message, leaves *out
 * NULL and never returns a structure. */
#include <string.h>

#include "ads_fixtures.h"
#include "ate_test.h"

static void expect(const ate_structure *clean, int ads, ate_ads_site site, const char *want)
{
    ate_error err;
    ate_error_clear(&err);
    ate_structure *s = (ate_structure *)&err; /* must be reset to NULL */
    ate_status st = ate_adsorbate_place(clean, (ate_adsorbate)ads, &site, &s, &err);
    CHECK(st == ATE_ERR_VALUE, "status %d for '%s'", (int)st, want);
    CHECK(err.code == ATE_ERR_VALUE, "error code %d", (int)err.code);
    CHECK(s == NULL, "a structure came back for '%s'", want);
    CHECK_STR(err.message, want);
    ate_structure_destroy(&s);
}

static ate_structure *make(const fixture *f)
{
    ate_structure *s = NULL;
    ate_error err;
    CHECK(fix_create(f, ATE_UHF_AUTO, &s, &err) == ATE_OK, "fixture: %s", err.message);
    return s;
}

int main(void)
{
    const double o[3] = {5.0, 5.0, 7.5};
    fixture fx = {.cell = {10.0, 10.0, 15.0}};
    fix_fen4(&fx, o);
    ate_structure *fen4 = make(&fx);
    const ate_ads_site top = {ATE_ADS_SITE_TOP, {0, 0}, 1};

    /* arguments */
    ate_error err;
    ate_structure *s = NULL;
    const char *null_msg = "ate_adsorbate_place: clean, site and out must not be NULL";
    CHECK(ate_adsorbate_place(NULL, ATE_ADS_OH, &top, &s, &err) == ATE_ERR_VALUE, "NULL clean");
    CHECK_STR(err.message, null_msg);
    CHECK(ate_adsorbate_place(fen4, ATE_ADS_OH, NULL, &s, &err) == ATE_ERR_VALUE, "NULL site");
    CHECK_STR(err.message, null_msg);
    CHECK(ate_adsorbate_place(fen4, ATE_ADS_OH, &top, NULL, &err) == ATE_ERR_VALUE, "NULL out");
    CHECK_STR(err.message, null_msg);
    CHECK(ate_adsorbate_place(fen4, ATE_ADS_OH, &top, &s, NULL) == ATE_OK, "err == NULL works");
    ate_structure_destroy(&s);

    expect(fen4, ATE_ADS_COUNT, top, "unknown adsorbate 4 (known: 0-3 = OH, O, OOH, H)");
    expect(fen4, -1, top, "unknown adsorbate -1 (known: 0-3 = OH, O, OOH, H)");
    expect(fen4, ATE_ADS_OH, (ate_ads_site){(ate_ads_site_kind)7, {0, 0}, 1},
           "unknown adsorption site kind 7 (top 0, bridge 1)");
    expect(fen4, ATE_ADS_OH, (ate_ads_site){ATE_ADS_SITE_TOP, {0, 0}, 0},
           "adsorption face must be +1 or -1, got 0");
    expect(fen4, ATE_ADS_O, (ate_ads_site){ATE_ADS_SITE_TOP, {0, 0}, 2},
           "adsorption face must be +1 or -1, got 2");
    expect(fen4, ATE_ADS_OH, (ate_ads_site){ATE_ADS_SITE_TOP, {-1, 0}, 1},
           "adsorption site metal[0] = -1 is out of range (the structure has 13 atoms, "
           "indices 0-12)");
    expect(fen4, ATE_ADS_H, (ate_ads_site){ATE_ADS_SITE_TOP, {13, 0}, -1},
           "adsorption site metal[0] = 13 is out of range (the structure has 13 atoms, "
           "indices 0-12)");
    expect(fen4, ATE_ADS_OOH, (ate_ads_site){ATE_ADS_SITE_BRIDGE, {0, 13}, 1},
           "adsorption site metal[1] = 13 is out of range (the structure has 13 atoms, "
           "indices 0-12)");
    expect(fen4, ATE_ADS_OOH, (ate_ads_site){ATE_ADS_SITE_BRIDGE, {3, 3}, 1},
           "a bridge needs two different metals, got metal[0] = metal[1] = 3");
    /* a top site ignores metal[1] */
    CHECK(ate_adsorbate_place(fen4, ATE_ADS_O, &(ate_ads_site){ATE_ADS_SITE_TOP, {0, 99}, 1}, &s,
                              &err) == ATE_OK,
          "top with junk metal[1]: %s", err.message);
    ate_structure_destroy(&s);

    /* contacts below 0.9 Å: a C 1.0 Å above Fe (the O would sit 0.8 Å from it) ... */
    fix_add(&fx, 6, o[0], o[1], o[2] + 1.0);
    ate_structure *capped = make(&fx);
    expect(capped, ATE_ADS_OH, top,
           "*OH on top of atom 1 (Fe): the placed O (atom 15) would be 0.800 Å from atom 14 (C) "
           "(minimum 0.9 Å)");
    /* ... the other face is free */
    CHECK(ate_adsorbate_place(capped, ATE_ADS_OH, &(ate_ads_site){ATE_ADS_SITE_TOP, {0, 0}, -1}, &s,
                              &err) == ATE_OK,
          "face -1 of the capped site: %s", err.message);
    ate_structure_destroy(&s);

    /* ... through a periodic image: a C 1.0 Å below Fe, its image 2.0 Å above (c = 3 Å) */
    fixture thin = {.cell = {10.0, 10.0, 3.0}};
    fix_add(&thin, 26, 5.0, 5.0, 1.0);
    fix_add(&thin, 6, 5.0, 5.0, 0.0);
    ate_structure *thin_s = make(&thin);
    expect(thin_s, ATE_ADS_H, top,
           "*H on top of atom 1 (Fe): the placed H (atom 3) would be 0.400 Å from atom 2 (C) "
           "(minimum 0.9 Å)");

    /* ... of a tilted atom: a ring of 12 C (radius 1.5 Å, every 30°) at the height of the *OH
     * hydrogen leaves no open azimuth; the best (15°) is 0.655 Å from the ring atom at 0° */
    fixture ring = {.cell = {10.0, 10.0, 15.0}};
    fix_fen4(&ring, o);
    double zh = o[2] + 1.8 + 0.98 * cos(70.0 * ATE_PI / 180.0);
    for (int k = 0; k < 12; ++k) {
        double t = k * ATE_PI / 6.0;
        fix_add(&ring, 6, o[0] + 1.5 * cos(t), o[1] + 1.5 * sin(t), zh);
    }
    ate_structure *ring_s = make(&ring);
    expect(ring_s, ATE_ADS_OH, top,
           "*OH on top of atom 1 (Fe): the placed H (atom 27) would be 0.655 Å from atom 14 (C) "
           "(minimum 0.9 Å)");

    /* ... and the adsorbate's own periodic image (a = 0.85 Å) */
    fixture chain = {.cell = {0.85, 10.0, 10.0}};
    fix_add(&chain, 26, 0.0, 5.0, 5.0);
    ate_structure *chain_s = make(&chain);
    expect(chain_s, ATE_ADS_O, top,
           "*O on top of atom 1 (Fe): the placed O (atom 2) would be 0.850 Å from atom 2 (O), its "
           "own periodic image (minimum 0.9 Å)");

    ate_structure_destroy(&fen4);
    ate_structure_destroy(&capped);
    ate_structure_destroy(&thin_s);
    ate_structure_destroy(&chain_s);
    ate_structure_destroy(&ring_s);
    return ate_test_finish("test_ads_errors");
}
