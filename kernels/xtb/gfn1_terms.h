/**
 * @file gfn1_terms.h
 * @brief The classical (non-self-consistent) GFN1-xTB terms: coordination number, repulsion,
 *        D3(BJ) dispersion and the halogen-bond correction, each with its analytic gradient, for
 *        molecules and periodic cells (lattice.c). Positions in bohr, energies in hartree,
 *        gradients in hartree/bohr ([natoms][3], accumulated into the caller's array when not
 *        NULL).
 *
 * Pair terms sum over atom pairs a >= b and lattice translations T with R = r_a - r_b - T
 * (a = b only for T != 0, with weight 1/2); a molecule has the single translation T = 0.
 */
#ifndef ATE_GFN1_TERMS_H
#define ATE_GFN1_TERMS_H

#include "gfn1_params.h"

#define GFN1_PI 3.1415926535897932384626433832795029

/* Lattice-sum rules (spec §12.4): proper sums (default) or xtb 6.5.1's. */
enum { GFN1_PBC_FULL = 0, GFN1_PBC_XTB651 = 1 };

typedef struct gfn1_lattice {
    int mode;       /* GFN1_PBC_FULL or GFN1_PBC_XTB651 (the values of ATE_PBC_FULL, _XTB651) */
    double a[3][3]; /* lattice vectors (rows), bohr */
    double b[3][3]; /* reciprocal vectors (rows), a_i . b_j = 2 pi delta_ij */
    double volume;  /* bohr^3 */
    double reach;   /* full mode: longest distance between atoms of the cell; else 0 */
    int ntrans;     /* translations, sorted by length, the first one 0 */
    double *t;      /* [ntrans][4]: |T|^2, Tx, Ty, Tz */
    double alpha, rcut, gcut; /* Ewald splitting (1/bohr) and cutoffs (bohr, 1/bohr) */
    int ng;                   /* reciprocal vectors 0 < |G| <= gcut */
    double *g;                /* [ng][4]: |G|^2, Gx, Gy, Gz */
    int dipole;               /* GFN1_DIPOLE_*: correction for the periodic images' dipoles */
    const double *dip_xyz;    /* [n][3] positions before wrapping (the dipole's), bohr */
} gfn1_lattice;

/* Dipole corrections (coulomb.c): none (tin-foil Ewald), along the slab normal (a x b), or the
 * vacuum-boundary surface term of a cubic-like box (all three directions). */
enum { GFN1_DIPOLE_NONE = 0, GFN1_DIPOLE_SLAB = 1, GFN1_DIPOLE_XYZ = 2 };

typedef struct gfn1_geom {
    int n;
    const int *z;            /* [n] atomic numbers (1..86) */
    const double *xyz;       /* [n][3] bohr (wrapped into the cell when periodic) */
    const gfn1_lattice *lat; /* NULL for a molecule */
} gfn1_geom;

/* The cell (rows, bohr) of xyz[n][3] (wrapped already, see gfn1_wrap); frees with
 * gfn1_lattice_free. */
ate_status gfn1_lattice_init(gfn1_lattice *l, const double cell[3][3], int mode, const double *xyz,
                             int n, ate_error *err);
void gfn1_lattice_free(gfn1_lattice *l);
/* Positions moved into the cell (fractional coordinates in [0, 1)). */
void gfn1_wrap(const double cell[3][3], int n, double *xyz);
/* Number of leading translations a term with pair cutoff r (bohr) visits: |T| <= r (xtb651),
 * |T| <= r + reach (full), 1 for a molecule. */
int gfn1_ntrans(const gfn1_geom *g, double r);
/* Translation t (bohr, [3]). */
const double *gfn1_trans(const gfn1_geom *g, int t);
/* d = r_a - r_b - T_t; returns |d|^2. */
double gfn1_image_r2(const gfn1_geom *g, int a, int b, int t, double d[3]);

/* Strain derivatives: sigma (optional, [3][3]) accumulates dE/d(epsilon_ij), positions and cell
 * scaled together (r -> (1 + epsilon) r); the stress is sigma / V. A pair term with dE/dR along
 * R = r_a - r_b - T adds (dE/dR)_i R_j. */
static inline void gfn1_virial(double *sigma, double s, const double d[3])
{
    for (int i = 0; sigma && i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            sigma[3 * i + j] += s * d[i] * d[j];
}

/* Quintic switch 1 -> 0 on [roff - width, roff]: s = 1 - 10x^3 + 15x^4 - 6x^5; *ds_r = (ds/dr)/r.
 */
static inline double gfn1_switch(double r, double roff, double width, double *ds_r)
{
    *ds_r = 0.0;
    if (r <= roff - width) return 1.0;
    if (r >= roff) return 0.0;
    double x = (r - roff + width) / width;
    *ds_r = -30.0 * x * x * (1.0 - x) * (1.0 - x) / width / r;
    return 1.0 - x * x * x * (10.0 - 15.0 * x + 6.0 * x * x);
}
/* The pair cutoffs of CN and D3 in full mode are switched smoothly over their last 5 bohr (a hard
 * cutoff makes the energy of a lattice jump when a shell of images crosses it); molecules and
 * xtb651 mode keep xtb's hard cutoffs. */
static inline double gfn1_cutoff(const gfn1_geom *g, double r, double roff, double *ds_r)
{
    *ds_r = 0.0;
    if (!g->lat || g->lat->mode != GFN1_PBC_FULL) return 1.0;
    return gfn1_switch(r, roff, 5.0, ds_r);
}

/* CN_A (spec §3; cn.c). dcn (optional) [n][n][3]: dcn[(a*n + b)*3 + k] = dCN_a / dx_{b,k};
 * dcnde (optional) [n][9]: dCN_a / d epsilon_ij. */
void gfn1_cn(const gfn1_params *p, const gfn1_geom *g, double *cn, double *dcn, double *dcnde);
/* E_rep (spec §7; repulsion.c). */
double gfn1_repulsion(const gfn1_params *p, const gfn1_geom *g, double *grad, double *sigma);
/* E_disp, D3(BJ) two-body with C6(CN) (spec §8; dispersion.c). cn, dcn, dcnde from gfn1_cn
 * (dcn may be NULL when grad is, dcnde when sigma is). */
double gfn1_dispersion(const gfn1_params *p, const gfn1_geom *g, const double *cn,
                       const double *dcn, const double *dcnde, double *grad, double *sigma);
/* E_XB (spec §9; halogen.c). */
double gfn1_halogen(const gfn1_params *p, const gfn1_geom *g, double *grad, double *sigma);

#endif
