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
/** Called for every (grid point, periodic image) pair within a ball: p the point's index in the
 *  box, r2 its squared distance from the centre (bohr^2). */
typedef void (*pw_ball_visit)(void *ctx, size_t p, double r2);

/** Visit the points r of the FFT grid n (with their images r + T) with |r - x|^2 < r2max around
 *  x (Cartesian, bohr), axis 0 outermost; radius bounds the search (sqrt(r2max) <= radius + a
 *  grid step). Shared by the sphere densities and the Hirshfeld charges. */
void pw_grid_ball(const pw_cell *c, const int n[3], const double x[3], double radius, double r2max,
                  pw_ball_visit visit, void *ctx);

void pw_sphere_densities(const pw_cell *c, const pw_grid *g, const pw_atoms *at,
                         const pw_cplx *rhog, int nspin, double radius, double *rho_work,
                         double *out);

#endif /* ATESCREEN_PW_SPHERES_H */
