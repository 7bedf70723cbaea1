/**
 * @file mat3.c
 * @brief Small 3x3 helpers for cells (rows = lattice vectors, row-vector convention).
 */
#include <math.h>

#include "structure_internal.h"

double ate_mat3_det(const double m[9])
{
    return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
           m[2] * (m[3] * m[7] - m[4] * m[6]);
}

bool ate_mat3_inverse(const double m[9], double inv[9])
{
    double det = ate_mat3_det(m);
    double scale = 0.0;
    for (int i = 0; i < 9; ++i)
        scale = fmax(scale, fabs(m[i]));
    if (scale == 0.0 || fabs(det) < 1e-12 * scale * scale * scale) return false;
    inv[0] = (m[4] * m[8] - m[5] * m[7]) / det;
    inv[1] = (m[2] * m[7] - m[1] * m[8]) / det;
    inv[2] = (m[1] * m[5] - m[2] * m[4]) / det;
    inv[3] = (m[5] * m[6] - m[3] * m[8]) / det;
    inv[4] = (m[0] * m[8] - m[2] * m[6]) / det;
    inv[5] = (m[2] * m[3] - m[0] * m[5]) / det;
    inv[6] = (m[3] * m[7] - m[4] * m[6]) / det;
    inv[7] = (m[1] * m[6] - m[0] * m[7]) / det;
    inv[8] = (m[0] * m[4] - m[1] * m[3]) / det;
    return true;
}

void ate_cart_to_frac(const double inv_cell[9], const double cart[3], double frac[3])
{
    for (int j = 0; j < 3; ++j)
        frac[j] = cart[0] * inv_cell[0 * 3 + j] + cart[1] * inv_cell[1 * 3 + j] +
                  cart[2] * inv_cell[2 * 3 + j];
}

void ate_frac_to_cart(const double cell[9], const double frac[3], double cart[3])
{
    for (int j = 0; j < 3; ++j)
        cart[j] = frac[0] * cell[0 * 3 + j] + frac[1] * cell[1 * 3 + j] + frac[2] * cell[2 * 3 + j];
}
