/**
 * @file gfn1_scc_internal.h
 * @brief Work space of one GFN1-xTB SCC (scc.c) and the eigensolver steps on it (eigen.c). Internal
 *        to kernels/xtb; not collective.
 */
#ifndef ATE_GFN1_SCC_INTERNAL_H
#define ATE_GFN1_SCC_INTERNAL_H

#include <lapacke.h>

#include "gfn1_coulomb.h"
#include "gfn1_mixer.h"

/* From this many basis functions (Gamma point): single precision in the early iterations and the
 * orthogonalised Fock matrix built directly (docs/theory-gfn1.md, "Eigensolver") */
#define GFN1_LARGE_NAO 1000

typedef struct scc_work {
    int nao, nsh, nat;
    double *s, *h0, *sfock, *f, *c, *eps, *p, *gam, *self, *sfock_scratch;
    double *chol; /* Cholesky factor L of the overlap (S = L L^T), computed once */
    bool have_chol;
    int nev; /* orbitals back-transformed in the last diagonalisation (the lowest ones) */
    /* eigensolver: off-diagonal of T and dsytrd's tau, workspaces (dsytrd, dstedc, dormtr), the
     * number of eigenvectors in c already multiplied by Q */
    double *offd, *tau, *lwork;
    lapack_int *iwork, nlwork, niwork;
    int nq;
    bool has_d; /* some atom has a d shell (d-band centres need every orbital) */
    /* single precision copies for the mixed-precision iterations (NULL below GFN1_LARGE_NAO):
     * F' and its reflectors, the eigenvectors of T, workspace, diagonal, off-diagonal, tau, L */
    float *af, *zf, *workf, *df, *ef, *tauf, *cholf;
    bool single; /* the last eigensolve was in single precision */
    /* large systems: L^-1, H0'' = L^-1 H0 L^-T (lower triangles), the potential per basis
     * function (eV); f_ortho: w->f / w->af hold F' for the next eigensolve */
    double *xinv, *h0o, *dpot;
    bool ortho_ready, f_ortho;

    double *qin, *qout, *qat, *vsh, *occa, *occb, *n0;
    gfn1_mixer mix;
    bool precond, ldos_set; /* mix.ldos holds the Fermi-level LDOS of the last diagonalisation */
    gfn1_kwork *kw;         /* k-point sampling (bloch.c), NULL at Gamma */
    double kfermi_ev;       /* Fermi level of the last k-point diagonalisation */
    /* spin polarisation (spGFN1): beta orbitals, M = P_alpha - P_beta, and the mixed vector
     * [q; m] of nv = 2 nsh entries (qin, qout, vsh hold both halves; vsh[nsh + x] is the spin
     * potential dE_spin/dm_x) */
    bool spin, free_moment;
    int nv, nevb;
    double *cb, *epsb, *mag;
} scc_work;

/* F C = S C e for the Fock matrix in w->f (or, w->f_ortho, F' = L^-1 F L^-T already in the lower
 * triangle of w->f / w->af): eigenvalues into eps (eV, ascending), eigenvectors of the tridiagonal
 * problem into c, multiplied by Q only with full_vectors (then still without L^-T). */
ate_status gfn1_eigensolve(scc_work *w, double *c, double *eps, bool full_vectors, bool single,
                           ate_error *err);
/* C = L^-T Q Z for the orbitals up to the highest one holding electrons (occ1 + occ2 >= 1e-14)
 * and the next one; their count into *nev. */
ate_status gfn1_backtransform(scc_work *w, double *c, const double *occ1, const double *occ2,
                              int *nev, ate_error *err);
/* Large systems: once, L^-1 and H0'' = L^-1 H0 L^-T from the Fock matrix without potentials in
 * w->f; then per iteration F' = L^-1 F L^-T of F = H0 - 1/2 (D S + S D) straight into the lower
 * triangle of w->f (double) or w->af (single), D = diag(dpot[nao]) in eV; sets w->f_ortho. */
ate_status gfn1_ortho_setup(scc_work *w, ate_error *err);
ate_status gfn1_fock_ortho(scc_work *w, const double *dpot, bool single, ate_error *err);

#endif
