/**
 * @file symmetry.h
 * @brief Space-group operations of a structure (spglib; this is the only spglib user) and their
 *        action on arbitrary point sets. Not collective.
 *
 * Non-periodic structures are placed at the centre of a cubic box 20 Å larger than their extent,
 * so the operations found are point operations compatible with the Cartesian axes.
 */
#ifndef ATESCREEN_SYMMETRY_H
#define ATESCREEN_SYMMETRY_H

#include "atescreen/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ate_symmetry ate_symmetry;

/** Find the operations of s. types[natoms] (optional) overrides the atom types seen by spglib
 *  (e.g. to treat all first-shell atoms alike); symprec in bohr. */
ATE_API ate_status ate_symmetry_create(const ate_structure *s, const int *types, double symprec,
                                       ate_symmetry **out, ate_error *err);
ATE_API void ate_symmetry_destroy(ate_symmetry **sym);
ATE_API int ate_symmetry_nops(const ate_symmetry *sym);
/** Apply operation op to a Cartesian point (bohr): out = R x + t (in the cell of the structure). */
ATE_API void ate_symmetry_apply(const ate_symmetry *sym, int op, const double in[3], double out[3]);
/** Permutation of npoints Cartesian points (bohr) under op: point i maps onto point perm[i]
 *  (modulo lattice translations along periodic axes, within symprec). Returns ATE_ERR_VALUE when
 *  the set is not mapped onto itself. */
ATE_API ate_status ate_symmetry_permutation(const ate_symmetry *sym, int op, int npoints,
                                            const double *points, int *perm, ate_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_SYMMETRY_H */
