/**
 * @file vib.c
 * @brief Vibrational frequencies of selected atoms from finite differences of the kernel's
 *        analytic gradient (partial Hessian: the other atoms are held at their positions).
 *        H_ij = [g_j(x + h e_i) - g_j(x - h e_i)] / 2h, symmetrised, mass-weighted
 *        (M^-1/2 H M^-1/2), eigenvalues lambda -> wavenumbers sign(lambda) sqrt|lambda|
 *        (Wilson, Decius, Cross, Molecular Vibrations (1955), ch. 2; the partial-Hessian
 *        approximation for adsorbates: Li and Jensen, Theor. Chem. Acc. 107, 211 (2002)).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "atescreen/elements.h"
#include "atescreen/units.h"
#include "campaign_internal.h"
#include "kernel.h"

ate_status ate_vib_frequencies(ate_kernel *k, const ate_structure *s, const int *idx, int n,
                               double step_bohr, double *freq_cm, ate_error *err)
{
    int natoms = ate_structure_natoms(s), m = 3 * n;
    ate_structure *d = NULL;
    ATE_TRY(ate_structure_copy(s, &d, err));
    double *pos = malloc(3 * (size_t)natoms * sizeof(double));
    double *gp = malloc(3 * (size_t)natoms * sizeof(double));
    double *gm = malloc(3 * (size_t)natoms * sizeof(double));
    double *h = calloc((size_t)m * (size_t)m, sizeof(double));
    double *w = malloc((size_t)m * sizeof(double));
    ate_status st = ATE_OK;
    if (!pos || !gp || !gm || !h || !w)
        st = ATE_ERROR(err, ATE_ERR_MEMORY, "vibrations: out of memory");
    if (st == ATE_OK) memcpy(pos, ate_structure_positions(s), 3 * (size_t)natoms * sizeof(double));
    for (int i = 0; i < m && st == ATE_OK; ++i) {
        double *x = &pos[3 * idx[i / 3] + i % 3], x0 = *x;
        for (int sgn = 0; sgn < 2 && st == ATE_OK; ++sgn) {
            *x = x0 + (sgn ? -step_bohr : step_bohr);
            ate_calc_result r = {.gradient = sgn ? gm : gp};
            st = ate_structure_set_positions(d, pos, err);
            if (st == ATE_OK)
                st = ate_kernel_compute(k, d, ATE_CALC_ENERGY | ATE_CALC_GRADIENT, &r, err);
        }
        *x = x0;
        for (int j = 0; j < m && st == ATE_OK; ++j) {
            int c = 3 * idx[j / 3] + j % 3;
            h[(size_t)i * m + j] = (gp[c] - gm[c]) / (2.0 * step_bohr);
        }
    }
    if (st == ATE_OK) {
        for (int i = 0; i < m; ++i) {
            double mi = ate_element_mass(ate_structure_numbers(s)[idx[i / 3]]) * ATE_AMU_ME;
            for (int j = 0; j <= i; ++j) {
                double mj = ate_element_mass(ate_structure_numbers(s)[idx[j / 3]]) * ATE_AMU_ME;
                double v = 0.5 * (h[(size_t)i * m + j] + h[(size_t)j * m + i]) / sqrt(mi * mj);
                h[(size_t)i * m + j] = h[(size_t)j * m + i] = v;
            }
        }
        lapack_int info = LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', m, h, m, w);
        if (info != 0)
            st = ATE_ERROR(err, ATE_ERR_LIB, "vibrations: dsyev failed (info %d)", (int)info);
    }
    for (int i = 0; i < m && st == ATE_OK; ++i)
        freq_cm[i] = (w[i] < 0.0 ? -1.0 : 1.0) * sqrt(fabs(w[i])) * ATE_HARTREE_WAVENUMBER;
    free(pos), free(gp), free(gm), free(h), free(w);
    ate_structure_destroy(&d);
    return st;
}
