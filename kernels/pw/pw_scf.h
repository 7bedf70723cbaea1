/**
 * @file pw_scf.h
 * @brief The SCF driver of the plane-wave kernel (scf.c) and what it needs and returns.
 */
#ifndef ATESCREEN_PW_SCF_H
#define ATESCREEN_PW_SCF_H

#include <mpi.h>

#include "pw.h"

typedef struct pw_scf_input {
    const pw_cell *cell;
    pw_grid *grid;
    const pw_atoms *atoms;
    int nk;
    const pw_kset *ks; /* [nk] (the non-local projectors are made per k-point as needed) */
    int nb;            /* bands per k-point (occupied and, with smearing, empty) */
    int nbx;           /* nb + buffer bands the eigensolver carries but does not converge */
    int nspin;         /* 1, or 2 (collinear spin: densities and bands per channel) */
    bool fixed_moment; /* nspin 2: nel_spin[0] up and nel_spin[1] down electrons */
    double nel_spin[2];
    double moment0;             /* nspin 2: starting moment (rho_up - rho_down integrates to it) */
    const double *atom_moments; /* nspin 2: starting moment per atom (or NULL: moment0) */
    double nel;
    pw_xc *xc;
    int smearing;
    double sigma;  /* smearing width, hartree */
    double mixing; /* generic mixing weight: the Pulay step is min(1, 1.75 mixing) (scf.c) */
    int max_iter;
    double econv;   /* energy change, hartree */
    double qconv;   /* int |rho_out - rho_in| per atom, e */
    double eig_tol; /* smallest residual norm asked of the eigensolver */
    double *forces; /* [natoms][3] out (hartree/bohr) or NULL */
    double *stress; /* [3][3] out: (1/Omega) dE/deps (hartree/bohr^3), fixed basis; or NULL */
    MPI_Comm comm;  /* k-points distributed over its ranks; MPI_COMM_NULL: one rank */
    bool verbose;
} pw_scf_input;

/* what survives between calls: the input density and the wavefunctions (restart guess) */
typedef struct pw_scf_state {
    bool have_density;
    pw_cplx *rhog;  /* [nspin][ntot] spin densities */
    pw_cplx **psi;  /* [nk * nspin][nbx * npw_k] */
    double *x_prev; /* [natoms][3] positions of the density (or NULL): moved atoms shift it */
} pw_scf_state;

typedef struct pw_scf_result {
    double energy, e_kin, e_nl, e_loc, e_h, e_xc, e_ewald, e_psp_core, e_ts, e_band;
    double fermi, drho, magnetization; /* magnetisation: N_up - N_down */
    int iterations;
    bool converged;
    double *eig, *occ; /* [nspin][nk][nb], caller-allocated */
} pw_scf_result;

ate_status pw_scf_run(const pw_scf_input *in, pw_scf_state *st, pw_scf_result *res, ate_error *err);

#endif /* ATESCREEN_PW_SCF_H */
