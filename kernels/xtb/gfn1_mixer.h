/**
 * @file gfn1_mixer.h
 * @brief Charge mixing of the GFN1-xTB SCC (mixer.c): Johnson's modified Broyden scheme as xtb
 *        6.5.1 uses it, optionally preconditioned by a local-density-of-states dielectric model
 *        (docs/theory-gfn1.md, "Charge mixing"). Not collective; no allocation after create.
 */
#ifndef ATE_GFN1_MIXER_H
#define ATE_GFN1_MIXER_H

#include "gfn1_scc.h"

/* History of one SCC: every step's normalised differences (up to max_iter of them), their
 * weights, the previous iterate and residual, and scratch for the preconditioner. Owned by the
 * caller through gfn1_mixer_create / gfn1_mixer_free. */
typedef struct gfn1_mixer {
    int n, maxhist, nhist, nsh;
    double *hist_x, *hist_f; /* dX, dF: [maxhist][n] */
    double *hist_w, *bmat, *bvec;
    double *xprev, *fprev, *r;
    double *ldos;         /* [nsh] Fermi-level LDOS per shell (e/Eh), set by the caller */
    double *pc_m, *pc_z;  /* [nsh][nsh], [nsh] preconditioner scratch */
    int *pc_idx, *pc_piv; /* [nsh] */
    int steps;            /* steps taken (the first is never preconditioned) */
    int pc_state;         /* 0 undecided, 1 on, -1 off */
} gfn1_mixer;

/* n mixed entries (the first nsh of them are shell charges), at most max_iter steps. */
ate_status gfn1_mixer_create(gfn1_mixer *m, int n, int nsh, int max_iter, ate_error *err);
void gfn1_mixer_free(gfn1_mixer *m);

/* One step: x[n] (input charges of this iteration) <- the next input from the residual
 * f[n] = q_out - q_in, damping beta. gam[nsh][nsh] (hartree) and m->ldos give the preconditioner;
 * gam == NULL (or an LDOS below the threshold everywhere) is xtb's unpreconditioned step. */
void gfn1_mixer_step(gfn1_mixer *m, double *x, const double *f, double beta, const double *gam);

/* r[nsh] <- (I + K gamma)^-1 r with K = D - d d^T / sum(d) from m->ldos (docs/theory-gfn1.md);
 * false (r unchanged) when the model is empty or not used for this SCC (decided at the first call
 * with at least two shells above the threshold). Used by gfn1_mixer_step; exposed for its test. */
bool gfn1_mixer_precondition(gfn1_mixer *m, const double *gam, double *r);

/* Forget the history: the next step records no difference and is Broyden's first, x + beta P f. */
void gfn1_mixer_restart(gfn1_mixer *m);

/* Fermi-level LDOS per shell for the preconditioner, ldos[nsh] (e/Eh): sum over the orbitals i of
 * t_i w_ix with t_i = sum_spin f(1-f)/kT and w_ix the Mulliken population of orbital i in shell x.
 * c: orbitals (column-major, nao each, the first nev back-transformed), occa/occb their
 * occupations, s the overlap (nao x nao), scratch at least nao x nao. */
void gfn1_fermi_ldos(gfn1_mixer *m, const gfn1_basis *b, const double *c, int nev,
                     const double *occa, const double *occb, double kt_ev, const double *s,
                     double *scratch);

#endif
