/**
 * @file gfn1_params.h
 * @brief GFN1-xTB parameters (Grimme, Bannwarth, Shushkov, J. Chem. Theory Comput. 13, 1989
 *        (2017)) and the D3 reference C6 table (Grimme, Antony, Ehrlich, Krieg, J. Chem. Phys. 132,
 *        154104 (2010)), loaded from inputs/params/{gfn1,d3} (see inputs/params/PROVENANCE.md).
 *        Radii are stored in bohr converted with xtb's own 0.52917726 Å/bohr (the spec's §1).
 */
#ifndef ATE_GFN1_PARAMS_H
#define ATE_GFN1_PARAMS_H

#include <stdbool.h>

#include "atescreen/status.h"

#define GFN1_MAXZ      86
#define GFN1_AUTOAA    0.52917726  /* xtb's Å per bohr for its radii tables */
#define GFN1_AUTOEV    27.21138505 /* xtb's eV per hartree */
#define GFN1_D3_MAXREF 5

typedef struct gfn1_element {
    int nsh;           /* shells */
    int n[3], l[3];    /* principal and angular quantum numbers, ao order */
    double lev[3];     /* self-energies h_l, eV */
    double zeta[3];    /* Slater exponents */
    double gam, gam3;  /* hardness (Eh), Hubbard derivative x0.1 (Eh) */
    double cxb;        /* halogen-bond strength x0.1 */
    double repa, repb; /* repulsion exponent, effective charge */
    double poly[3];    /* k_poly s, p, d (x0.01 applied where used) */
    double lpar[3];    /* shell hardness scaling kappa_l (x0.1 applied) */
    int zval;          /* valence electrons */
    double refocc[3];  /* reference occupation of valence s, p, d */
    int kind;          /* CN-shift kind 0, 1, 2 */
    double en;         /* Pauling electronegativity */
    double r_atomic;   /* Mantina radius, bohr */
    double r_cov;      /* 4/3 x D3 covalent radius, bohr */
    double r4r2;       /* <r^4>/<r^2> */
    double q_d3;       /* sqrt(0.5 r4r2 sqrt(Z)) */
    int drow;          /* d-block row for the TM k_pair rule */
    double eeq[4];     /* EEQ guess model (eeq.c): chi, J (Eh), kappa, alpha (bohr) */
    double wspin[6];   /* spGFN1 spin constants W_ss sp pp sd pd dd (Eh), spin.tsv */
    int nref;          /* D3 reference systems */
    double cnref[GFN1_D3_MAXREF];
} gfn1_element;

/* STO-nG expansion of a Slater shell (exponents for zeta = 1, coefficients of normalised
 * primitives; Stewart, J. Chem. Phys. 52, 431 (1970); xtb 6.5.1's own 4s/4p, 6s/6p). */
typedef struct gfn1_sto {
    int ng; /* 0 = not tabulated */
    double alpha[6], coeff[6];
} gfn1_sto;

typedef struct gfn1_params {
    gfn1_sto sto[7][7][3]; /* [ng][n][l] */
    gfn1_element el[GFN1_MAXZ + 1];
    double ks, kp, kd, ksp, kdiff, enscale, cns, cnp, cnd1, cnd2, alphaj;
    double a1, a2, s8, s9, kexp, kexplight, xbdamp, xbrad;
    double kpair[GFN1_MAXZ + 1][GFN1_MAXZ + 1];
    /* c6[za][zb][i][j], only za, zb <= 86 */
    double (*c6)[GFN1_MAXZ + 1][GFN1_D3_MAXREF][GFN1_D3_MAXREF];
    bool c6_builtin; /* the C6 rows came from the compiled-in copy (gfn1_c6_table.h) */
} gfn1_params;

/** Load from dir (containing gfn1/ and d3/). Errors name the file, line and field. The D3 table
 *  comes from the rows compiled into the kernel when dir/d3/c6ref.tsv is the file they were
 *  generated from (gfn1_c6_table.h), else it is parsed. */
ate_status gfn1_params_load(const char *dir, gfn1_params **out, ate_error *err);

/** Where gfn1_params_load_from takes the D3 table from: the compiled-in rows when they match the
 *  file (GFN1_C6_AUTO, what gfn1_params_load does), or always the file (GFN1_C6_PARSE, the
 *  reference the compiled-in rows are tested against). */
enum { GFN1_C6_AUTO = 0, GFN1_C6_PARSE = 1 };
ate_status gfn1_params_load_from(const char *dir, int c6_source, gfn1_params **out, ate_error *err);
void gfn1_params_destroy(gfn1_params **p);

#endif
