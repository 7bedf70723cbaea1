#ifndef ATE_STRUCTURE_INTERNAL_H
#define ATE_STRUCTURE_INTERNAL_H
#include "atescreen/structure.h"

/* 3x3 helpers (row-major, cell rows = lattice vectors). */
double ate_mat3_det(const double m[9]);
/* Inverse of m; returns false when |det| < tiny. */
bool ate_mat3_inverse(const double m[9], double inv[9]);
/* frac = cart * inv(cell)  (row vector convention). */
void ate_cart_to_frac(const double inv_cell[9], const double cart[3], double frac[3]);
void ate_frac_to_cart(const double cell[9], const double frac[3], double cart[3]);

/* The cell completed along non-periodic zero rows, and its inverse (valid when has_cell). */
const double *ate_structure_basis(const ate_structure *s);
const double *ate_structure_inv_basis(const ate_structure *s);
#endif
