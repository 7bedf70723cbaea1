/**
 * @file adsorbates_internal.h
 * @brief Geometry helpers shared by place.c and orientation.c (not installed). Not collective.
 */
#ifndef ATE_ADSORBATES_INTERNAL_H
#define ATE_ADSORBATES_INTERNAL_H

#include <stdbool.h>

#include "atescreen/adsorbates.h"

/* Starting geometry, Å and degrees (sources in orientation.c). */
#define ATE_ADS_D_MO        1.8  /* M-O, top site (also *O) */
#define ATE_ADS_D_MH        1.6  /* M-H, top site */
#define ATE_ADS_D_OH        0.98 /* O-H */
#define ATE_ADS_D_OO        1.45 /* O-O in *OOH, peroxide-like */
#define ATE_ADS_ANG_MOH     110.0
#define ATE_ADS_ANG_MOO     115.0
#define ATE_ADS_ANG_OOH     100.0
#define ATE_ADS_MIN_HEIGHT  0.8 /* Å: lowest bridge height above the M-M midpoint */
#define ATE_ADS_MIN_CONTACT 0.9 /* Å: closest allowed contact of a placed atom */

/* at most 3 placed atoms; 72 tilt azimuths (5°); the 8 shortest contacts rank an azimuth */
enum { ATE_ADS_MAX_ATOMS = 3, ATE_ADS_N_AZIMUTH = 72, ATE_ADS_SCORE_DEPTH = 8 };

/** The placed atoms: atomic numbers and positions (bohr); atom 0 binds to the site. */
typedef struct ate_ads_geom {
    int n;
    int z[ATE_ADS_MAX_ATOMS];
    double pos[ATE_ADS_MAX_ATOMS][3];
    double azimuth; /**< chosen tilt azimuth, radians from +x (0 when nothing is tilted) */
} ate_ads_geom;

/** Shortest periodic image of the Cartesian difference d[3] (bohr) over s's periodic axes;
 *  writes it to v[3] (may be NULL) and returns its length. With exclude_zero the zero vector
 *  itself is skipped (d = 0 then gives the shortest lattice translation, INFINITY without pbc). */
double ate_ads_shortest_image(const ate_structure *s, const double d[3], bool exclude_zero,
                              double v[3]);

/** Binding point x[3] (bohr) of ads at a validated site of s. */
void ate_ads_binding_point(const ate_structure *s, ate_adsorbate ads, const ate_ads_site *site,
                           double x[3]);

/** Build ads at binding point x with its tilted atoms (H of *OH, O2 and H of *OOH) turned to the
 *  most open of ATE_ADS_N_AZIMUTH azimuths around the normal (0, 0, face). */
void ate_ads_orient(const ate_structure *s, ate_adsorbate ads, const double x[3], int face,
                    ate_ads_geom *g);

#endif /* ATE_ADSORBATES_INTERNAL_H */
