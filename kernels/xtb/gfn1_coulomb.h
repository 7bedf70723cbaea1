#ifndef ATE_GFN1_COULOMB_H
#define ATE_GFN1_COULOMB_H
#include "gfn1_scc.h"
/* gamma[nsh][nsh] (hartree): molecule, or the Ewald-summed periodic form (coulomb.c) */
void gfn1_gamma(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, double *gam);
/* (d gamma / dR) / R of an off-site shell pair, hartree/bohr^2. */
double gfn1_gamma_dr_over_r(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, int x,
                            int y);
/* sum_{x,y} q_x q_y d gamma_xy / dR added to grad[natoms][3] (explicit second order), and
 * (cells) 1/2 sum q_x q_y d gamma_xy / d epsilon to sigma[9] (optional; no slab dipole term). */
void gfn1_gamma_gradient(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                         const double *qsh, double *grad, double *sigma);
/* Electronic gradient added to grad[natoms][3] (gradient.c). W in hartree, V in hartree/e. */
ate_status gfn1_el_gradient(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                            const double *selfenergy, const gfn1_density *dens, const double *vsh,
                            const double *qsh, const double *dcn, const double *dcnde, double *grad,
                            double *sigma, const double *vspin, ate_error *err);
/* E2 + E3 from shell and atom charges; vsh[nsh] (optional) = dE/dq_sh, hartree/e. */
double gfn1_es_energy(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                      const double *gam, const double *qsh, const double *qat, double *vsh);
/* Fermi occupations of one spin channel (spec §6.2): eps[n] sorted (eV), nel electrons, kt (eV);
 * occ[n] in [0, 1]; returns sum f ln f + (1-f) ln(1-f). */
double gfn1_fermi(const double *eps, int n, int nel, double kt, double *occ);
/* The same for states of weights wt[n] (k-points; unsorted): sum wt f = nel; returns
 * sum wt [f ln f + (1-f) ln(1-f)]. kt > 0 required (0 gives the lowest states by bisection). */
double gfn1_fermi_weighted(const double *eps, const double *wt, int n, int nel, double kt,
                           double *occ);
#endif
