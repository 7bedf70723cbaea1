/**
 * @file sites_internal.h
 * @brief The mutable site model the builders work on, and the pattern machinery.
 *
 * Geometry convention: graphene in the plane z = z0 with a1 = a(1, 0, 0), a2 = a(1/2, sqrt3/2, 0);
 * a divacancy is a removed C-C bond parallel to y, so the MN4 site has mirror planes x and y
 * (point group mmm). Atoms are never deleted while building: a removed atom gets z = 0 and the
 * model is compacted when converted to an ate_structure. All lengths in bohr.
 */
#ifndef ATE_SITES_INTERNAL_H
#define ATE_SITES_INTERNAL_H

#include <stdbool.h>

#include "atescreen/sites.h"
#include "atescreen/symmetry.h"

/* Starting-geometry constants (Å), see docs/sites.md. */
#define SITE_CH_BOND        1.09 /* C-H of the flake edge */
#define SITE_CLUSTER_HEIGHT 2.1  /* metal cluster atoms above the carbon plane */

enum site_role { ROLE_SUPPORT = 0, ROLE_SHELL, ROLE_METAL, ROLE_LIGAND, ROLE_CLUSTER, ROLE_EDGE_H };

typedef struct site_model {
    int n, cap;
    int *z;      /* 0 = removed */
    double *pos; /* [n][3] bohr */
    int *role;
    double cell[9];
    bool periodic;    /* pbc T T F */
    double a;         /* graphene lattice constant, bohr */
    double z0;        /* carbon plane */
    double center[3]; /* site centre (metal, or midpoint of the two metals) */
    int nmetals, metal[2];
    int nshell, shell[8];        /* first-shell atom indices (MN4: 4, M2N6: 6, separated: 8) */
    int shell_owner[8][2];       /* for each shell slot: bonded to metal 0 / 1 */
    int ncand_vac, cand_vac[32]; /* vacancy candidate atoms */
    int cand_vac_shell[32];
    int ncand_hollow; /* cluster candidate points (in-plane hollow centres) */
    double cand_hollow[64][3];
} site_model;

/* model.c */
ate_status site_model_init(site_model *m, ate_error *err);
void site_model_free(site_model *m);
ate_status site_model_copy(const site_model *m, site_model *out, ate_error *err);
ate_status site_model_add(site_model *m, int z, const double pos[3], int role, ate_error *err);
/* Distance between two points with the minimum image in-plane (periodic models). */
double site_model_distance(const site_model *m, const double a[3], const double b[3]);
/* Convert to an ate_structure (removed atoms dropped); index_map[old] = new or -1 (optional). */
ate_status site_model_to_structure(const site_model *m, ate_structure **out, int *index_map,
                                   ate_error *err);

/* graphene.c */
ate_status site_graphene_supercell(const ate_support_spec *sup, int n1, int n2, site_model *m,
                                   ate_error *err);
/* Index of the atom nearest to a point (-1 if none within tol bohr). */
int site_find_atom(const site_model *m, const double p[3], double tol);
ate_status site_cut_flake(const site_model *full, double radius, site_model *out, ate_error *err);

/* symmetric.c / dual_metal.c: the bases */
ate_status site_make_mn4(site_model *m, ate_error *err);
ate_status site_make_m2n6(site_model *m, ate_error *err);
ate_status site_make_separated(site_model *m, const double shift[3], ate_error *err);
ate_status site_separation_vectors(const site_model *m, double distance, double (*out)[3], int max,
                                   int *n, ate_error *err);

/* vacancy.c, cluster.c: candidate points */
void site_find_vacancy_candidates(site_model *m);
void site_find_hollow_candidates(site_model *m, double distance);
ate_status site_add_cluster(site_model *m, const double centroid[3], int size, int metal_z,
                            ate_error *err);

/* axial.c, strain.c */
ate_status site_add_axial(site_model *m, int metal_slot, ate_ligand lig, ate_error *err);
void site_apply_strain(site_model *m, double percent);

/* pattern.c: permutation group of the site on a point list, canonical forms */
typedef struct site_group {
    int nops;
    int npoints;
    int *perm; /* [nops][npoints] */
} site_group;
ate_status site_group_create(const site_model *m, const double *points, int npoints, double symprec,
                             site_group *g, ate_error *err);
void site_group_free(site_group *g);
/* canon = lexicographically smallest image of v (length npoints) under the group. */
void site_group_canonical(const site_group *g, const int *v, int *canon);

/* site_id.c */
void site_hash_id(const char *description, char id[18]);

#endif
