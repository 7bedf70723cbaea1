/**
 * @file sites.h
 * @brief Enumeration of asymmetric catalytic sites (single and dual metal atoms in N-doped
 *        graphene) from a campaign description. Not collective: every rank that enumerates the
 *        same campaign gets the same candidates in the same order with the same IDs.
 *
 * A candidate is the clean site (tags: support 0, site 1 for the metals, their first shell and
 * axial ligands) plus the adsorption sites to decorate. Its ID is a hash of a canonical
 * description (support, metals, first-shell pattern, ligand, modifications) taken over the
 * symmetry-equivalent variants, so it does not depend on run, rank count or family entry; the
 * same structure reached from two family entries is kept once (with the first entry's family).
 */
#ifndef ATESCREEN_SITES_H
#define ATESCREEN_SITES_H

#include "atescreen/adsorbates.h"
#include "atescreen/campaign_spec.h"
#include "atescreen/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { ATE_CANDIDATE_MAX_ADS_SITES = 3 };

typedef struct ate_candidate {
    char id[18];     /**< "c" + 16 hex digits (never all digits, so ASE/pandas keep it a string) */
    char name[96];   /**< readable, e.g. "Fe-N3S1", "FeCo-N6", "Fe-N4+Pt3" (not unique) */
    char family[96]; /**< family entry that produced it, e.g. "lateral+axial" */
    char description[512];    /**< canonical description hashed into id */
    ate_structure *structure; /**< clean site, owned by the list */
    int nmetals;              /**< site metals: 1 or 2 */
    int metal_index[2];       /**< atom indices of the site metals */
    int metal_z[2];
    int first_shell_cn[2]; /**< intended in-plane first-shell coordination of each metal */
    int nads_sites;
    ate_ads_site ads_sites[ATE_CANDIDATE_MAX_ADS_SITES];   /**< top of each metal (+z), bridge */
    char ads_site_labels[ATE_CANDIDATE_MAX_ADS_SITES][16]; /**< "top", "top1", "top2", "bridge" */
} ate_candidate;

typedef struct ate_candidate_list ate_candidate_list;

/** Enumerate all candidates of spec (ATE_ERR_INPUT for impossible requests, e.g. a supercell
 *  too small for the requested separation). */
ATE_API ate_status ate_sites_enumerate(const ate_campaign_spec *spec, ate_candidate_list **out,
                                       ate_error *err);
/** The same candidates as ate_sites_enumerate, in the same order with the same descriptors, but
 *  no structure is built: structure is NULL, and metal_index and the atoms of ads_sites are -1,
 *  until ate_candidate_list_build(list, i). Building the structures (cutting the flake, placing
 *  the decorations) is most of what enumerating costs, so `atescreen run` enumerates lazily on
 *  every rank and each rank builds only the candidates it computes. spec must outlive the list. */
ATE_API ate_status ate_sites_enumerate_lazy(const ate_campaign_spec *spec, ate_candidate_list **out,
                                            ate_error *err);
ATE_API int ate_candidate_list_count(const ate_candidate_list *list);
ATE_API const ate_candidate *ate_candidate_list_get(const ate_candidate_list *list, int i);
/** Build candidate i's structure (and metal_index, ads_sites) if it is not built: bit for bit the
 *  structure ate_sites_enumerate builds. A no-op for a list from ate_sites_enumerate. The list
 *  keeps the base of the last build (consecutive candidates of one base are cheaper): not
 *  thread-safe. */
ATE_API ate_status ate_candidate_list_build(ate_candidate_list *list, int i, ate_error *err);
/** Free candidate i's structure in a lazy list (it can be built again); a no-op for a list from
 *  ate_sites_enumerate. */
ATE_API void ate_candidate_list_release(ate_candidate_list *list, int i);
/** Atoms of candidate i's clean structure: known once it has been built (and kept after
 *  ate_candidate_list_release) or set with ate_candidate_list_set_natoms (e.g. counted by
 *  another rank), -1 otherwise. */
ATE_API int ate_candidate_list_natoms(const ate_candidate_list *list, int i);
ATE_API void ate_candidate_list_set_natoms(ate_candidate_list *list, int i, int natoms);
ATE_API void ate_candidate_list_destroy(ate_candidate_list **list);

/** Number of symmetry-distinct first-shell patterns of MN4 on the campaign's support for the
 *  given lateral options (the count the lateral family enumerates; used by tests and docs). */
ATE_API ate_status ate_sites_count_lateral(const ate_support_spec *support,
                                           const ate_lateral_spec *lateral, double symprec,
                                           int *count, ate_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_SITES_H */
