/* GFN1-xTB classical terms against xtb 6.5.1 (references from tests/xtb/make_refs.sh): repulsion,
 * dispersion and halogen-bond energies of every molecule in tests/xtb/molecules.tsv to 1e-10 Eh
 * (xtb prints 12 decimals); analytic gradients of each term against central finite differences;
 * invariance under translation, rotation and permutation; a wrong reference must fail. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ate_test.h"
#include "atescreen/structio.h"
#include "gfn1_terms.h"

#define TOL_E 1e-10

typedef struct terms {
    double rep, disp, xb;
} terms;

static terms energies(const gfn1_params *p, const gfn1_geom *g, double *grad)
{
    double *cn = malloc((size_t)g->n * sizeof(double));
    double *dcn = grad ? malloc((size_t)g->n * g->n * 3 * sizeof(double)) : NULL;
    gfn1_cn(p, g, cn, dcn, NULL);
    terms t = {gfn1_repulsion(p, g, grad, NULL), gfn1_dispersion(p, g, cn, dcn, NULL, grad, NULL),
               gfn1_halogen(p, g, grad, NULL)};
    free(cn), free(dcn);
    return t;
}

static double ref_value(const char *name, const char *key)
{
    char path[512], k[64];
    snprintf(path, sizeof(path), "%s/refs/%s.ref", ATE_TEST_DIR, name);
    FILE *f = fopen(path, "r");
    double v = NAN, x;
    if (!f) return v;
    char line[256];
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "%63s %lf", k, &x) == 2 && !strcmp(k, key)) v = x;
    fclose(f);
    return v;
}

/* Each term's analytic gradient vs central differences (h = 1e-4 bohr). */
static void check_gradient(const gfn1_params *p, gfn1_geom g, const char *name)
{
    int n = g.n;
    double *x = malloc((size_t)n * 3 * sizeof(double)), *grad[3];
    memcpy(x, g.xyz, (size_t)n * 3 * sizeof(double));
    for (int t = 0; t < 3; ++t)
        grad[t] = calloc((size_t)n * 3, sizeof(double));
    double *cn = malloc((size_t)n * sizeof(double)),
           *dcn = malloc((size_t)n * n * 3 * sizeof(double));
    g.xyz = x;
    gfn1_cn(p, &g, cn, dcn, NULL);
    gfn1_repulsion(p, &g, grad[0], NULL);
    gfn1_dispersion(p, &g, cn, dcn, NULL, grad[1], NULL);
    gfn1_halogen(p, &g, grad[2], NULL);
    const double h = 1e-4;
    double worst[3] = {0, 0, 0};
    for (int j = 0; j < 3 * n; ++j) {
        double x0 = x[j];
        x[j] = x0 + h;
        terms ep = energies(p, &g, NULL);
        x[j] = x0 - h;
        terms em = energies(p, &g, NULL);
        x[j] = x0;
        double fd[3] = {(ep.rep - em.rep) / (2 * h), (ep.disp - em.disp) / (2 * h),
                        (ep.xb - em.xb) / (2 * h)};
        for (int t = 0; t < 3; ++t)
            worst[t] = fmax(worst[t], fabs(fd[t] - grad[t][j]));
    }
    static const char *tn[3] = {"repulsion", "dispersion", "halogen"};
    for (int t = 0; t < 3; ++t) {
        CHECK(worst[t] < 1e-8, "%s %s gradient vs finite differences: %.2e Eh/bohr", name, tn[t],
              worst[t]);
        fprintf(stderr, "  %-12s %-10s max |analytic - FD| = %.1e Eh/bohr\n", name, tn[t],
                worst[t]);
    }
    for (int t = 0; t < 3; ++t)
        free(grad[t]);
    free(x), free(cn), free(dcn);
}

int main(void)
{
    gfn1_params *p = NULL;
    ate_error err;
    if (gfn1_params_load(ATE_PARAM_DIR, &p, &err) != ATE_OK) {
        fprintf(stderr, "parameters: %s\n", err.message);
        return 1;
    }
    char list[512];
    snprintf(list, sizeof(list), "%s/molecules.tsv", ATE_TEST_DIR);
    FILE *f = fopen(list, "r");
    CHECK(f != NULL, "molecule list");
    char line[256], name[64];
    int nmol = 0;
    double worst = 0.0;
    while (f && fgets(line, sizeof(line), f)) {
        if (sscanf(line, "%63s", name) != 1 || !strcmp(name, "name")) continue;
        char path[512];
        snprintf(path, sizeof(path), "%s/molecules/%s.xyz", ATE_TEST_DIR, name);
        ate_structure *s = NULL;
        if (ate_structure_read(path, ATE_FORMAT_AUTO, &s, &err) != ATE_OK) {
            CHECK(0, "%s: %s", path, err.message);
            continue;
        }
        gfn1_geom g = {ate_structure_natoms(s), ate_structure_numbers(s),
                       ate_structure_positions(s), NULL};
        terms t = energies(p, &g, NULL);
        double r[3] = {ref_value(name, "repulsion"), ref_value(name, "dispersion"),
                       ref_value(name, "halogen")};
        CHECK_CLOSE(t.rep, r[0], TOL_E, name);
        CHECK_CLOSE(t.disp, r[1], TOL_E, name);
        CHECK_CLOSE(t.xb, r[2], TOL_E, name);
        worst = fmax(worst, fmax(fabs(t.rep - r[0]), fmax(fabs(t.disp - r[1]), fabs(t.xb - r[2]))));
        fprintf(stderr, "%-12s rep %.12f (%+.1e) disp %.12f (%+.1e) xb %.12f (%+.1e)\n", name,
                t.rep, t.rep - r[0], t.disp, t.disp - r[1], t.xb, t.xb - r[2]);
        if (!strcmp(name, "fbrnh3") || !strcmp(name, "brfh2o_bent") || !strcmp(name, "feh2o6") ||
            !strcmp(name, "ticl4"))
            check_gradient(p, g, name);
        if (!strcmp(name, "brfh2o_bent")) {
            /* invariance: translate, rotate (z by 0.7 rad), reverse the atom order */
            int n = g.n;
            double *x = malloc((size_t)n * 3 * sizeof(double));
            int *z = malloc((size_t)n * sizeof(int));
            const double c = cos(0.7), sn = sin(0.7);
            for (int i = 0; i < n; ++i) {
                const double *q = g.xyz + 3 * (n - 1 - i);
                x[3 * i] = c * q[0] - sn * q[1] + 3.1, x[3 * i + 1] = sn * q[0] + c * q[1] - 2.2,
                      x[3 * i + 2] = q[2] + 0.7;
                z[i] = g.z[n - 1 - i];
            }
            gfn1_geom g2 = {n, z, x, NULL};
            terms t2 = energies(p, &g2, NULL);
            CHECK_CLOSE(t2.rep + t2.disp + t2.xb, t.rep + t.disp + t.xb, 1e-12, "invariance");
            free(x), free(z);
        }
        /* a wrong reference must not pass */
        CHECK(fabs(t.rep - (r[0] + 1e-9)) > TOL_E, "comparator accepts a wrong reference");
        ate_structure_destroy(&s);
        ++nmol;
    }
    if (f) fclose(f);
    CHECK(nmol >= 40, "%d molecules", nmol);
    fprintf(stderr, "%d molecules, largest |dE| vs xtb 6.5.1 over the three terms: %.1e Eh\n", nmol,
            worst);
    gfn1_params_destroy(&p);
    return ate_test_finish("test_gfn1_classical");
}
