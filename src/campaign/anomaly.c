/**
 * @file anomaly.c
 * @brief Geometry checks of a relaxed state against its starting structure (docs/pipeline.md).
 *
 * Two atoms are bonded when closer than 1.2 x the sum of their covalent radii (Cordero et al.,
 * Dalton Trans. 2832 (2008), the table of atescreen/elements.h) and a bond counts as broken only
 * beyond 1.5 x that sum (a hysteresis, so that stretched but intact bonds are not flagged); a
 * metal-first-shell bond also counts as broken when it grew by more than 25 % of its starting
 * length (a metal that slides off one ligand keeps it within 1.5 x the radii sum). The framework
 * is every atom that is not an adsorbate (tag 2) or the site metal: support (tag 0) and the
 * other site atoms (tag 1: first shell, axial ligand, a second metal). The support plane is the
 * xy plane, as every ATEscreen support is built.
 */
#include <math.h>
#include <stddef.h>

#include "atescreen/elements.h"
#include "atescreen/pipeline.h"
#include "atescreen/units.h"

#define BONDED        1.2  /* x (r_i + r_j): bonded */
#define BROKEN        1.5  /* x (r_i + r_j): no longer bonded */
#define LIFT_ANGSTROM 0.5  /* metal height above its first shell grows by more than this */
#define SHELL_STRETCH 1.25 /* x the starting length: a first-shell bond broken */

static bool framework(const int *tags, int i, int metal)
{
    return i != metal && tags[i] != ATE_TAG_ADSORBATE;
}

static double rsum(const ate_structure *s, int i, int j)
{
    const int *z = ate_structure_numbers(s);
    return (ate_element_covalent_radius(z[i]) + ate_element_covalent_radius(z[j])) *
           ATE_ANGSTROM_BOHR;
}

static bool bonded(const ate_structure *s, int i, int j)
{
    return ate_structure_distance(s, i, j) < BONDED * rsum(s, i, j);
}

static bool broken(const ate_structure *s, int i, int j)
{
    return ate_structure_distance(s, i, j) > BROKEN * rsum(s, i, j);
}

/* Height of atom m above the mean z of the framework atoms bonded to it in s0, measured in s. */
static double height(const ate_structure *s0, const ate_structure *s, int m)
{
    const int *tags = ate_structure_tags(s0);
    const double *x = ate_structure_positions(s);
    double zsum = 0.0;
    int n = 0;
    for (int j = 0; j < ate_structure_natoms(s0); ++j)
        if (framework(tags, j, m) && bonded(s0, m, j)) zsum += x[3 * j + 2], ++n;
    return n ? fabs(x[3 * m + 2] - zsum / n) : 0.0;
}

const char *ate_anomaly_name(int bit)
{
    static const char *names[ATE_ANOMALY_NFLAGS] = {"desorbed", "dissociated", "metal_out_of_plane",
                                                    "first_shell_broken", "support_reconstructed"};
    return bit >= 0 && bit < ATE_ANOMALY_NFLAGS ? names[bit] : "?";
}

unsigned ate_anomaly_detect(const ate_structure *s0, const ate_structure *s, int metal,
                            int ads_first, ate_adsorbate ads_kind)
{
    const int n = ate_structure_natoms(s0);
    const int *tags = ate_structure_tags(s0);
    unsigned mask = 0;
    if (ads_first >= 0) {
        int nads = ate_adsorbate_natoms(ads_kind);
        bool anchored = false;
        for (int j = 0; j < n && !anchored; ++j)
            if (tags[j] != ATE_TAG_ADSORBATE && bonded(s, ads_first, j)) anchored = true;
        if (!anchored) mask |= ATE_ANOMALY_DESORBED;
        for (int i = ads_first; i < ads_first + nads; ++i)
            for (int j = i + 1; j < ads_first + nads; ++j)
                if (bonded(s0, i, j) && broken(s, i, j)) mask |= ATE_ANOMALY_DISSOCIATED;
    }
    if (metal >= 0) {
        if (height(s0, s, metal) - height(s0, s0, metal) > LIFT_ANGSTROM * ATE_ANGSTROM_BOHR)
            mask |= ATE_ANOMALY_METAL_OUT_OF_PLANE;
        for (int j = 0; j < n; ++j)
            if (framework(tags, j, metal) && bonded(s0, metal, j) &&
                (broken(s, metal, j) || ate_structure_distance(s, metal, j) >
                                            SHELL_STRETCH * ate_structure_distance(s0, metal, j)))
                mask |= ATE_ANOMALY_FIRST_SHELL_BROKEN;
    }
    for (int i = 0; i < n; ++i) {
        if (!framework(tags, i, metal)) continue;
        for (int j = i + 1; j < n; ++j) {
            if (!framework(tags, j, metal)) continue;
            bool was = bonded(s0, i, j), now = bonded(s, i, j);
            if ((was && broken(s, i, j)) || (!was && broken(s0, i, j) && now))
                mask |= ATE_ANOMALY_SUPPORT_RECONSTRUCTED;
        }
    }
    return mask;
}
