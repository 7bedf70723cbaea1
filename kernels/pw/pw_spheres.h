/**
 * @file pw_spheres.h
 * @brief Electrons per spin in spheres around the atoms (spheres.c; docs/theory-pw.md, "Atomic
 *        spheres"). Not collective: every rank holds the whole density.
 */
#ifndef ATESCREEN_PW_SPHERES_H
#define ATESCREEN_PW_SPHERES_H

#include "pw.h"

/** Default sphere radius, bohr (ate_kernel_opts.sphere_radius = 0). */
#define PW_SPHERE_RADIUS_DEFAULT 2.0

/** out[natoms][nspin]: the electrons of each spin (nspin 2: up, down; 1: both) within radius
 *  (bohr) of each atom, rectangle rule on g's real-space grid as ABINIT's prtdensph with ratsm 0.
 *  rhog: [nspin][ntot] densities on the box (f(G) convention of pw.h); rho_work: [nspin][ntot]
 *  scratch (real space). Uses g->buf. */
void pw_sphere_densities(const pw_cell *c, const pw_grid *g, const pw_atoms *at,
                         const pw_cplx *rhog, int nspin, double radius, double *rho_work,
                         double *out);

#endif /* ATESCREEN_PW_SPHERES_H */
