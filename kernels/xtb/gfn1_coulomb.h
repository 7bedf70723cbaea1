#ifndef ATE_GFN1_COULOMB_H
#define ATE_GFN1_COULOMB_H
#include "gfn1_scc.h"
/* gamma[nsh][nsh] (hartree) */
void gfn1_gamma(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, double *gam);
/* E2 + E3 from shell and atom charges; vsh[nsh] (optional) = dE/dq_sh, hartree/e. */
double gfn1_es_energy(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                      const double *gam, const double *qsh, const double *qat, double *vsh);
/* Fermi occupations of one spin channel (spec §6.2): eps[n] sorted (eV), nel electrons, kt (eV);
 * occ[n] in [0, 1]; returns sum f ln f + (1-f) ln(1-f). */
double gfn1_fermi(const double *eps, int n, int nel, double kt, double *occ);
#endif
