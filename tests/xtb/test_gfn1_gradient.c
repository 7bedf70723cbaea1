/* The electronic (SCC) part of the GFN1-xTB gradient against central finite differences of the
 * SCC energy (h = 1e-4 bohr, SCC converged to 1e-11 Eh / 1e-9 e, which the smeared high-spin Fe
 * case reaches; tighter thresholds stall there at the rounding level): closed shell, d shells on
 * both sides of a pair (TiCl4, CH3SH), open shell (CH3), charged high-spin Fe with smearing.
 * A non-converged SCC fails the test (its energy is NaN). */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ate_test.h"
#include "atescreen/structio.h"
#include "gfn1_scc.h"

static double scc_energy(const gfn1_params *p, const gfn1_geom *g, gfn1_scc_opts o, double *grad)
{
    gfn1_scc_result r = {0};
    ate_error err;
    o.grad = grad;
    if (gfn1_scc_run(p, g, &o, &r, &err) != ATE_OK || !r.converged) return NAN;
    return r.e_scc;
}

int main(void)
{
    gfn1_params *p = NULL;
    ate_error err;
    if (gfn1_params_load(ATE_PARAM_DIR, &p, &err) != ATE_OK) return 1;
    const char *names[] = {"h2o", "ticl4", "ch3sh", "ch3", "feh2o6"};
    const int charge[] = {0, 0, 0, 0, 2}, uhf[] = {0, 0, 0, 1, 4};
    for (int m = 0; m < 5; ++m) {
        char path[512];
        snprintf(path, sizeof(path), "%s/molecules/%s.xyz", ATE_TEST_DIR, names[m]);
        ate_structure *s = NULL;
        CHECK(ate_structure_read(path, ATE_FORMAT_AUTO, &s, &err) == ATE_OK, "%s", path);
        if (!s) continue;
        int n = ate_structure_natoms(s);
        double *x = malloc((size_t)n * 3 * sizeof(double)),
               *grad = calloc((size_t)n * 3, sizeof(double));
        memcpy(x, ate_structure_positions(s), (size_t)n * 3 * sizeof(double));
        gfn1_geom g = {n, ate_structure_numbers(s), x, NULL};
        gfn1_scc_opts o = {.etemp = 300.0,
                           .charge = charge[m],
                           .uhf = uhf[m],
                           .max_iter = 500,
                           .econv = 1e-11,
                           .qconv = 1e-9};
        CHECK(isfinite(scc_energy(p, &g, o, grad)), "%s: SCC did not converge", names[m]);
        double worst = 0.0, h = 1e-4;
        bool finite = true;
        for (int j = 0; j < 3 * n; ++j) {
            double x0 = x[j];
            x[j] = x0 + h;
            double ep = scc_energy(p, &g, o, NULL);
            x[j] = x0 - h;
            double em = scc_energy(p, &g, o, NULL);
            x[j] = x0;
            finite = finite && isfinite(ep) && isfinite(em);
            worst = fmax(worst, fabs((ep - em) / (2 * h) - grad[j]));
        }
        CHECK(finite, "%s: a displaced SCC did not converge", names[m]);
        fprintf(stderr, "%-8s electronic gradient: max |analytic - FD| = %.1e Eh/bohr\n", names[m],
                worst);
        CHECK(worst < 1e-7, "%s: %.2e", names[m], worst);
        free(x), free(grad);
        ate_structure_destroy(&s);
    }
    gfn1_params_destroy(&p);
    return ate_test_finish("test_gfn1_gradient");
}
