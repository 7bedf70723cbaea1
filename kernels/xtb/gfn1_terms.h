/**
 * @file gfn1_terms.h
 * @brief The classical (non-self-consistent) GFN1-xTB terms for molecules: coordination number,
 *        repulsion, D3(BJ) dispersion and the halogen-bond correction, each with its analytic
 *        gradient. Positions in bohr, energies in hartree, gradients in hartree/bohr
 *        ([natoms][3], accumulated into the caller's array when not NULL).
 */
#ifndef ATE_GFN1_TERMS_H
#define ATE_GFN1_TERMS_H

#include "gfn1_params.h"

typedef struct gfn1_geom {
    int n;
    const int *z;      /* [n] atomic numbers (1..86) */
    const double *xyz; /* [n][3] bohr */
} gfn1_geom;

/* CN_A (spec §3; cn.c). dcn (optional) [n][n][3]: dcn[(a*n + b)*3 + k] = dCN_a / dx_{b,k}. */
void gfn1_cn(const gfn1_params *p, const gfn1_geom *g, double *cn, double *dcn);
/* E_rep (spec §7; repulsion.c). */
double gfn1_repulsion(const gfn1_params *p, const gfn1_geom *g, double *grad);
/* E_disp, D3(BJ) two-body with C6(CN) (spec §8; dispersion.c). cn, dcn from gfn1_cn (dcn may be
 * NULL when grad is NULL). */
double gfn1_dispersion(const gfn1_params *p, const gfn1_geom *g, const double *cn,
                       const double *dcn, double *grad);
/* E_XB (spec §9; halogen.c). */
double gfn1_halogen(const gfn1_params *p, const gfn1_geom *g, double *grad);

#endif
