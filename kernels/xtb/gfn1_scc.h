/**
 * @file gfn1_scc.h
 * @brief The electronic part of GFN1-xTB for molecules: basis, overlap, H0, charges, SCC.
 *        Energies in hartree except H0, the Fock matrix and orbital energies, which are kept in eV
 *        as xtb does (spec §1).
 */
#ifndef ATE_GFN1_SCC_H
#define ATE_GFN1_SCC_H

#include <stdbool.h>

#include "gfn1_terms.h"

#define ATE_XTB_PI GFN1_PI
#define GFN1_KB    3.166808578545117e-6 /* hartree/K, as in xtb */

typedef struct gfn1_shell {
    int atom, l, ish, nao, ao0;
    bool polarization;
    int nprim;
    double alpha[7], coeff[7];
} gfn1_shell;

typedef struct gfn1_basis {
    int nsh, nao;
    gfn1_shell *sh;
    int *atom_sh0; /* [natoms + 1] first shell of each atom */
} gfn1_basis;

ate_status gfn1_basis_create(const gfn1_params *p, const int *z, int natoms, gfn1_basis *b,
                             ate_error *err);
void gfn1_basis_free(gfn1_basis *b);

/* Spherical block of one off-site shell pair and (ds != NULL) its derivative with respect to the
 * centre of a; false when the pair is screened out (R^2 > 2000 bohr^2). */
bool gfn1_overlap_pair(const gfn1_shell *a, const gfn1_shell *c, const double *ra, const double *rc,
                       double s[5][5], double ds[3][5][5]);
void gfn1_sph_block(int la, int lb, double cart[6][6], double out[5][5]);

/* One off-site shell pair of H0 at distance r (bohr): H_mn = hfac * pi * S_mn (eV),
 * hfac = K (H_xx + H_yy) / 2; dpi_dr = d pi / d R; dhfac_dh = K / 2 (the derivative of hfac
 * with respect to either H_xx). */
void gfn1_h0_pair(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, int x, int y,
                  const double *selfenergy, double r, double *hfac, double *pi, double *dpi_dr);
/* Translations the S/H0 lattice sums visit; *self_images (optional): whether the atoms' own
 * images enter the on-site blocks (full mode). */
int gfn1_sh0_ntrans(const gfn1_geom *g, bool *self_images);
/* dH_xx / dCN of shell x (eV). */
double gfn1_selfenergy_dcn(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, int x);

/* Overlap S[nao][nao] (spec §2.5; on-site blocks the identity for a molecule) and H0[nao][nao]
 * in eV (spec §4) from the CN; selfenergy[nsh] (eV) returned too. */
void gfn1_sh0(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, const double *cn,
              double *s, double *h0, double *selfenergy);

typedef struct gfn1_scc_opts {
    double *grad; /* [natoms][3]: when not NULL, the electronic gradient is added (hartree/bohr) */
    double etemp; /* K */
    int charge, uhf; /* uhf: N_alpha - N_beta; odd electron counts force >= 1 */
    int max_iter;
    double econv, qconv; /* hartree, e (RMS per atom) */
    double mixing;       /* Broyden damping weight in (0, 1]; 0 = the default 0.4 */
    bool uniform_guess;  /* start from q_A = charge/n instead of the EEQ charges (eeq.c) */
} gfn1_scc_opts;

typedef struct gfn1_scc_result {
    double e_scc; /* band + E2 + E3 + E_TS, hartree (xtb's "SCC energy") */
    double e_band, e_es, e_ts;
    int iterations;
    bool converged;
    double gap_ev;
    double *q_atom; /* [natoms] Mulliken charges (caller-owned, may be NULL) */
    /* [nsh] shell charges: on input (when guess_valid) the starting guess, on output the converged
     * shell charges (caller-owned, may be NULL) */
    double *q_shell;
    bool guess_valid;
    /* [natoms] Mulliken spin populations (alpha - beta), caller-owned, may be NULL */
    double *spin_atom;
    /* [natoms] d-band centre relative to fermi_ev (eV), NaN without d shell; may be NULL */
    double *dband_atom;
    double fermi_ev; /* midpoint between the highest orbital occupied >= 1/2 and the next, eV */
} gfn1_scc_result;

/* EEQ atomic charges q[n] of total charge `charge` (the initial guess; eeq.c). */
ate_status gfn1_eeq_charges(const gfn1_params *p, const gfn1_geom *g, int charge, double *q,
                            ate_error *err);

ate_status gfn1_scc_run(const gfn1_params *p, const gfn1_geom *g, const gfn1_scc_opts *o,
                        gfn1_scc_result *r, ate_error *err);

#endif
