#ifndef ATE_ENUMERATE_INTERNAL_H
#define ATE_ENUMERATE_INTERNAL_H
#include "sites_internal.h"

enum { SITE_MAX_POINTS = 64 };

/* Where a candidate comes from: its family entry, base, point set and pattern vector, enough to
 * build its structure later without enumerating again (lazy lists, ate_candidate_list_build). */
typedef struct site_recipe {
    int fam;          /* index into spec->families */
    int fused;        /* 1: the fused M2N6 base of a dual-metal entry */
    int sep_d, sep_t; /* separated pair: separation and translation index (-1: not one) */
    int dist;         /* cluster distance index (0 without clusters) */
    int cluster_size, cluster_z;
    double strain;
    int v[SITE_MAX_POINTS];
} site_recipe;

/* The state of enumerating one family entry on one base. */
typedef struct site_job {
    const ate_campaign_spec *spec;
    const ate_family_spec *fam;
    ate_candidate_list *list;
    bool lazy; /* record recipes, build no structure */
    char family[96];
    /* which base and point set (the recipe's fam, fused, sep_d, sep_t, dist) */
    int fam_index, fused, sep_d, sep_t, dist;
    /* current base */
    site_model base;
    char base_desc[48];
    double flake_extra; /* bohr added to the flake radius (separated pairs, clusters) */
    int npts, off_shell, off_vac, n_vac, off_hollow, n_hollow;
    double pts[SITE_MAX_POINTS][3];
    site_group group;
    /* parameters outside the pattern vector */
    int cluster_size, cluster_z;
    double cluster_distance; /* Å */
    double strain;           /* % (0 = none) */
} site_job;

ate_status site_enumerate_family(site_job *job, ate_error *err);
/* A new candidate from pattern v of the current base: its descriptor, and its structure (eager)
 * or its recipe (lazy). */
ate_status site_build_candidate(site_job *job, const int *v, ate_error *err);
/* The structure and atom indices (metal_index, ads_sites) of c from pattern v. */
ate_status site_build_structure(const site_job *job, const int *v, ate_candidate *c,
                                ate_error *err);
/* Set up job (a fresh one, or the one of the previous call: same base kept) for recipe r: its
 * base, then its point set. */
ate_status site_job_for_recipe(site_job *job, const site_recipe *r, ate_error *err);
ate_status site_support_model(const ate_support_spec *sup, double extra, site_model *m,
                              ate_error *err);
bool site_list_has(const ate_candidate_list *l, const char *id);
/* Append c (and, for lazy lists, its recipe). */
ate_status site_list_push(ate_candidate_list *l, ate_candidate *c, const site_recipe *r,
                          ate_error *err);

#endif
