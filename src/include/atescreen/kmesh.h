/**
 * @file kmesh.h
 * @brief Uniform k-point meshes reduced by time reversal, shared by the kernels: Monkhorst-Pack
 *        (H. J. Monkhorst, J. D. Pack, Phys. Rev. B 13, 5188 (1976)), Gamma-centred, or shifted
 *        by half a mesh step (ABINIT's shiftk 1/2, QE's offset 1). Not collective.
 */
#ifndef ATESCREEN_KMESH_H
#define ATESCREEN_KMESH_H

#include "atescreen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The points of an N1 x N2 x N3 mesh, k_d = c_d / (2 N_d) with the integer codes
 *  c_d = 2 n_d + offset2[d] (n_d = 0 .. N_d - 1, reduced modulo 2 N_d), so offset2 = 0 is the
 *  Gamma-centred mesh, offset2 = 1 the mesh shifted by half a step and offset2 = 1 - N_d the
 *  Monkhorst-Pack mesh. k and -k (mod 1) count as one point (time reversal). On success *frac
 *  ([*nk][3], fractional coordinates in (-1/2, 1/2]) and *weight ([*nk], summing to 1) are
 *  malloc'ed; the order is that of the first occurrence in the (n1, n2, n3) loop. */
ATE_API ate_status ate_kmesh_reduced(const int mesh[3], const int offset2[3], int *nk,
                                     double **frac, double **weight, ate_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_KMESH_H */
