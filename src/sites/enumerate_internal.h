#ifndef ATE_ENUMERATE_INTERNAL_H
#define ATE_ENUMERATE_INTERNAL_H
#include "sites_internal.h"

enum { SITE_MAX_POINTS = 64 };

/* The state of enumerating one family entry on one base. */
typedef struct site_job {
    const ate_campaign_spec *spec;
    const ate_family_spec *fam;
    ate_candidate_list *list;
    char family[96];
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
ate_status site_build_candidate(site_job *job, const int *v, ate_error *err);
ate_status site_support_model(const ate_support_spec *sup, double extra, site_model *m,
                              ate_error *err);
bool site_list_has(const ate_candidate_list *l, const char *id);
ate_status site_list_push(ate_candidate_list *l, ate_candidate *c, ate_error *err);

#endif
