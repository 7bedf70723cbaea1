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
/* the end of the message of a failed Cholesky factorisation of S (eigen.c), which the kernel
 * (gfn1.c) recognises to explain it in --pbc-mode xtb651 */
#define GFN1_MSG_OVERLAP_NOT_PD "the overlap is not positive definite"

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

/* Self-energies H_xx (eV) at the coordination numbers cn. */
void gfn1_selfenergies(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                       const double *cn, double *selfenergy);
/* One off-site block of S and H0 (spec §4, §12): shell a (atom A, index x) with shell c (atom B,
 * index y) at the image B + T; d = r_A - r_B - T, r = |d|; same: A = B (an atom and its own
 * image, no mirror block); s[u][v] the spherical overlap, ds its derivative with respect to the
 * centre of A (when requested), H_uv = hfac pi s[u][v] (eV), dpi = d pi / dR. */
typedef struct gfn1_sh0_block {
    int x, y;
    const gfn1_shell *a, *c;
    const double *T;
    double d[3], r;
    bool same, has_ds;
    double s[5][5], ds[3][5][5];
    double hfac, pi, dpi;
} gfn1_sh0_block;
typedef void (*gfn1_block_fn)(void *ctx, const gfn1_sh0_block *blk);
/* Calls fn for every block the S/H0 lattice sums visit: A > B (the caller mirrors) and, in full
 * mode, every ordered shell pair of an atom with its own images. Overlap derivatives: none
 * (ds_mode 0), of A != B blocks (1), of all blocks (2). */
void gfn1_sh0_visit(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                    const double *selfenergy, int ds_mode, gfn1_block_fn fn, void *ctx);
/* Overlap S[nao][nao] (spec §2.5; on-site blocks the identity for a molecule) and H0[nao][nao]
 * in eV (spec §4) from the CN; selfenergy[nsh] (eV) returned too. */
void gfn1_sh0(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, const double *cn,
              double *s, double *h0, double *selfenergy);

/* k-points (bloch.c): Cartesian (1/bohr) and weights summing to 1, reduced by time reversal */
typedef struct gfn1_kpts {
    int nk;
    double (*k)[3];
    double *w;
} gfn1_kpts;
/* A Monkhorst-Pack mesh (gamma_centred: n/N_i instead of (2n - N_i + 1)/2N_i) of the lattice l. */
ate_status gfn1_kpts_grid(const gfn1_lattice *l, const int mesh[3], bool gamma_centred,
                          gfn1_kpts *kp, ate_error *err);
void gfn1_kpts_free(gfn1_kpts *kp);

/* Per-k matrices of the SCC (complex, column-major, [nk][nao][nao]; eps and occupations
 * [nk][nao], eV and 0..1). */
typedef struct gfn1_kwork {
    const gfn1_kpts *kp;
    int nao;
    double _Complex *s, *h0, *chol, *c, *p, *scratch, *scratch2;
    double *eps, *occa, *occb, *wstate; /* wstate: the k-weight of every state */
    bool have_chol;
    bool spin;        /* spin polarised: beta orbitals cb/epsb, M(k) = P_a - P_b */
    bool free_moment; /* spin: one Fermi level for both spins */
    double _Complex *cb, *m;
    double *epsb;
} gfn1_kwork;
ate_status gfn1_kwork_alloc(gfn1_kwork *w, const gfn1_kpts *kp, int nao, bool spin, ate_error *err);
void gfn1_kwork_free(gfn1_kwork *w);
/* S(k) and H0(k) (eV) into s, h0 [nk][nao][nao]; selfenergy[nsh] (eV). */
void gfn1_sh0_kpts(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, const double *cn,
                   const gfn1_kpts *kp, double _Complex *s, double _Complex *h0,
                   double *selfenergy);
typedef struct gfn1_kstep {
    double *pop;        /* [nsh] Mulliken shell populations, then (spin) [nsh] magnetisations */
    double eband_ev;    /* sum_k w_k Re tr(P H0) */
    double entropy_sum; /* sum w [f ln f + (1-f) ln(1-f)] over both channels */
    double gap_ev, fermi_ev;
} gfn1_kstep;
/* One diagonalisation at every k-point with the shell potentials vsh (hartree/e). */
ate_status gfn1_kiterate(const gfn1_basis *b, gfn1_kwork *w, const double *vsh, int nalpha,
                         int nbeta, double kt_ev, gfn1_kstep *out, ate_error *err);
/* P(k), or the energy-weighted W(k) (hartree), of the last diagonalisation. */
void gfn1_kdensity(gfn1_kwork *w, bool energy_weighted, double _Complex *out);
/* Mulliken spin populations (alpha - beta) per atom. */
void gfn1_kspins(const gfn1_basis *b, gfn1_kwork *w, int natoms, double *spin_atom);
/* d-band centres (eV, relative to fermi_ev; NaN for atoms without a d shell) of the last
 * diagonalisation: the first moment of each atom's Mulliken d-projected DOS over all bands, both
 * spin sets and the k-points with their weights (the Gamma formula of scc.c summed over k). */
ate_status gfn1_kdband(const gfn1_basis *b, gfn1_kwork *w, int natoms, double fermi_ev,
                       double *dband_atom, ate_error *err);
/* dband_atom[A] = num[x] / den[x] - fermi_ev for every d shell x of atom A (the first moment of
 * its projected DOS from the sums of w_i eps_i and w_i); an error if a d shell has no weight */
ate_status gfn1_dband_centres(const gfn1_basis *b, const double *num, const double *den,
                              double fermi_ev, double *dband_atom, ate_error *err);

/* The densities the gradient needs: real [nao][nao] P and W at Gamma, or P(k), W(k); m the
 * magnetisation P_a - P_b (spin polarised, Gamma; NULL otherwise). */
typedef struct gfn1_density {
    int nao;
    const double *p, *w, *m;
    const gfn1_kpts *kp; /* NULL at Gamma */
    const double _Complex *pk, *wk, *mk;
} gfn1_density;
/* P~_nm(T) = sum_k w_k Re[e^{ik.T} P_nm(k)] (P_mn at Gamma) for the block <m, A | n, B + T>,
 * with ph from gfn1_density_phases (NULL at Gamma); *wv, *mv (optional) the same of W and M. */
double gfn1_density_at(const gfn1_density *d, size_t mu, size_t nu, const double _Complex *ph,
                       double *wv, double *mv);
/* ph[nk] = w_k e^{i k.T}, the phases gfn1_density_at needs for the block at T (k-points; once per
 * block, not per element). */
void gfn1_density_phases(const gfn1_density *d, const double *T, double _Complex *ph);

typedef struct gfn1_scc_opts {
    double *grad; /* [natoms][3]: when not NULL, the electronic gradient is added (hartree/bohr) */
    double etemp; /* K */
    int charge, uhf; /* uhf: N_alpha - N_beta; odd electron counts force >= 1 */
    int max_iter;
    double econv, qconv;   /* hartree, e (RMS per atom) */
    double mixing;         /* Broyden damping weight in (0, 1]; 0 = the default 0.4 */
    bool uniform_guess;    /* start from q_A = charge/n instead of the EEQ charges (eeq.c) */
    const gfn1_kpts *kpts; /* periodic full mode: k-point sampling (NULL: Gamma, real) */
    double *sigma; /* [9]: with grad, the electronic dE/d(strain) is added (cells; terms.h) */
    bool spin;     /* spin polarisation (spGFN1): alpha and beta Fock matrices, W from spin.tsv */
    bool free_moment; /* spin: one Fermi level for both spins (uhf only seeds the moment) */
} gfn1_scc_opts;

typedef struct gfn1_scc_result {
    double e_scc; /* band + E2 + E3 + E_TS, hartree (xtb's "SCC energy") */
    double e_band, e_es, e_ts;
    double e_spin; /* spin polarisation energy 1/2 sum W m m (spGFN1), 0 otherwise */
    int iterations;
    bool converged;
    double gap_ev;
    double *q_atom; /* [natoms] Mulliken charges (caller-owned, may be NULL) */
    /* [nsh] shell charges (spin polarised: [2 nsh], then the shell magnetisations): on input
     * (when guess_valid) the starting guess, on output the converged values (caller-owned, may
     * be NULL) */
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
