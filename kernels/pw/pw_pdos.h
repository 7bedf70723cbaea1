/**
 * @file pw_pdos.h
 * @brief Angular-momentum weights of the bands in spheres around atoms and the d-band centres
 *        built from them (pdos.c; docs/theory-pw.md, "Projected DOS in atomic spheres").
 */
#ifndef ATESCREEN_PW_PDOS_H
#define ATESCREEN_PW_PDOS_H

#include <mpi.h>

#include "pw.h"

/** Largest angular momentum pw_pdos_weights accepts. */
enum { PW_PDOS_LMAX = 4 };

/** w[n][s][l] (l = 0..lmax): the weight of angular momentum l of band n of one k-point and spin
 *  inside the sphere of radius (bohr) around centre s,
 *      w = sum_m int_0^radius r^2 |psi_lm(r)|^2 dr,  psi_lm(r) = int Y_lm(rhat) psi(x_s + r rhat),
 *  from the full coefficient columns psi [nb][ks->npw] (the half sphere of a gamma set) by the
 *  Rayleigh expansion of the plane waves (ABINIT's prtdos 3 quantity, norm-conserving case).
 *  x: [ncentre][3] Cartesian, bohr. Not collective. */
ate_status pw_pdos_weights(const pw_cell *c, const pw_kset *ks, const pw_cplx *psi, int nb,
                           int ncentre, const double *x, double radius, int lmax, double *w,
                           ate_error *err);

/** pw_pdos_weights with ABINIT 9.6's numerical scheme (m_epjdos.F90) instead of the exact one:
 *  Simpson's rule on int(2 pi radius sqrt(ecut) / 0.1) + 1 uniform radial points and j_l(x) from a
 *  cubic spline on x = 0, 0.1, ... with zero end derivatives. For the comparison with ABINIT only
 *  (tests/pw/pw_check.py): it separates ABINIT's discretisation error from the rest. */
ate_status pw_pdos_weights_abinit(const pw_cell *c, const pw_kset *ks, const pw_cplx *psi, int nb,
                                  int ncentre, const double *x, double radius, int lmax,
                                  double ecut, double *w, ate_error *err);

/** out[sp][k][n][s][l]: pw_pdos_weights for the nb first bands of every (k-point, spin) pair,
 *  summed over the ranks of comm (MPI_COMM_NULL: one rank); the rank of pair (k, sp) holds
 *  psi[k * nspin + sp] when (k nspin + sp) mod size = rank (scf.c's distribution), the other
 *  entries of psi are not read; abinit_ecut > 0: pw_pdos_weights_abinit with that cutoff.
 *  Collective over comm. */
ate_status pw_pdos_collect(const pw_cell *c, int nk, const pw_kset *ks, int nspin, int nb,
                           pw_cplx *const *psi, int ncentre, const double *x, double radius,
                           int lmax, double abinit_ecut, MPI_Comm comm, double *out,
                           ate_error *err);

/** d-band centre of every transition-metal atom (z[a]), eV relative to fermi_ev, NaN for the
 *  other atoms (and for one without occupied d weight): the centre of the occupied d-projected DOS,
 *      sum w_k f_nks W_d,nks eps_nks / sum w_k f_nks W_d,nks,
 *  over the nb bands of every k-point and both spins, W_d the l = 2 weight in the sphere of
 *  radius (bohr) around the atom; eig, occ [nspin][nk][nb] (hartree; occupations without the
 *  k weights). Collective over comm. */
ate_status pw_dband_centres(const pw_cell *c, const pw_atoms *at, const int *z, int nk,
                            const pw_kset *ks, int nspin, int nb, pw_cplx *const *psi,
                            const double *eig, const double *occ, double fermi_ev, double radius,
                            MPI_Comm comm, double *dband, ate_error *err);

#endif /* ATESCREEN_PW_PDOS_H */
