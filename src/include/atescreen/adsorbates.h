/**
 * @file adsorbates.h
 * @brief Placing *OH, *O, *OOH and *H on metal top and M-M bridge sites. Not collective.
 *
 * Starting geometries (relaxation refines them): M-O 1.8 Å (top), O-H 0.98 Å, O-O 1.45 Å with
 * *OOH bent (M-O-O about 115°, O-O-H about 100°), M-H 1.6 Å; on a bridge the O or H sits above the
 * M-M midpoint at the height that gives the same M-X distance (at least 0.8 Å above the metals'
 * mean plane). Adsorbate atoms are appended after the clean structure's atoms, tagged
 * ATE_TAG_ADSORBATE and free to move; tilted H atoms point into the most open direction.
 */
#ifndef ATESCREEN_ADSORBATES_H
#define ATESCREEN_ADSORBATES_H

#include "atescreen/campaign_spec.h"
#include "atescreen/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ate_ads_site_kind { ATE_ADS_SITE_TOP = 0, ATE_ADS_SITE_BRIDGE = 1 } ate_ads_site_kind;

typedef struct ate_ads_site {
    ate_ads_site_kind kind;
    int metal[2]; /**< atom indices (0-based); metal[1] only for bridges */
    int face;     /**< +1: adsorbate on the +z side of the support, -1: on the -z side */
} ate_ads_site;

/** New structure = clean + adsorbate at site. The result keeps clean's cell, pbc, charge, fixed
 *  flags and info; its uhf is ATE_UHF_AUTO (the electron count changed). */
ATE_API ate_status ate_adsorbate_place(const ate_structure *clean, ate_adsorbate ads,
                                       const ate_ads_site *site, ate_structure **out,
                                       ate_error *err);
/** Number of atoms an adsorbate adds (OH 2, O 1, OOH 3, H 1). */
ATE_API int ate_adsorbate_natoms(ate_adsorbate ads);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_ADSORBATES_H */
