/* Relaxation on analytic potentials with known minima: the Lennard-Jones 13-atom icosahedron
 * (E = -44.326801 epsilon, Wales & Doye, J. Phys. Chem. A 101, 5111 (1997)) from a perturbed
 * start with L-BFGS and FIRE; fixed components and the freeze radius honoured exactly; the step
 * limit; callback errors passed through. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ate_test.h"
#include "atescreen/relax.h"

static const double EPS = 0.01, SIG = 6.0; /* hartree, bohr */

static ate_status lj(void *user, const ate_structure *s, double *e, double *g, ate_error *err)
{
    int *calls = user;
    ++*calls;
    int n = ate_structure_natoms(s);
    const double *x = ate_structure_positions(s);
    *e = 0.0;
    memset(g, 0, (size_t)n * 3 * sizeof(double));
    for (int i = 0; i < n; ++i)
        for (int j = i + 1; j < n; ++j) {
            double d[3] = {x[3 * j] - x[3 * i], x[3 * j + 1] - x[3 * i + 1],
                           x[3 * j + 2] - x[3 * i + 2]};
            double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            double sr6 = pow(SIG * SIG / r2, 3);
            *e += 4.0 * EPS * (sr6 * sr6 - sr6);
            double dedr_over_r = 4.0 * EPS * (-12.0 * sr6 * sr6 + 6.0 * sr6) / r2;
            for (int k = 0; k < 3; ++k)
                g[3 * j + k] += dedr_over_r * d[k], g[3 * i + k] -= dedr_over_r * d[k];
        }
    return ATE_OK;
}

static ate_status failing(void *user, const ate_structure *s, double *e, double *g, ate_error *err)
{
    (void)user, (void)s, (void)e, (void)g;
    return ATE_ERROR(err, ATE_ERR_NOT_CONVERGED, "SCF did not converge");
}

/* icosahedron: centre + 12 vertices at radius r, perturbed deterministically */
static ate_structure *lj13(double perturb, const bool *fixed, const int *tags)
{
    const double phi = 0.5 * (1.0 + sqrt(5.0));
    double v[12][3] = {{0, 1, phi}, {0, -1, phi}, {0, 1, -phi}, {0, -1, -phi},
                       {1, phi, 0}, {-1, phi, 0}, {1, -phi, 0}, {-1, -phi, 0},
                       {phi, 0, 1}, {-phi, 0, 1}, {phi, 0, -1}, {-phi, 0, -1}};
    double r = 1.1 * SIG, norm = sqrt(1.0 + phi * phi);
    double pos[39] = {0};
    int z[13];
    unsigned seed = 12345;
    for (int i = 0; i < 13; ++i) {
        z[i] = 18;
        for (int k = 0; k < 3; ++k) {
            seed = seed * 1103515245u + 12345u;
            double rnd = ((seed >> 16) & 0x7fff) / 32767.0 - 0.5;
            pos[3 * i + k] = (i ? r * v[i - 1][k] / norm : 0.0) + perturb * rnd;
        }
    }
    ate_structure_desc d = {.natoms = 13,
                            .numbers = z,
                            .positions = pos,
                            .fixed = fixed,
                            .tags = tags,
                            .uhf = ATE_UHF_AUTO};
    ate_structure *s = NULL;
    ate_error err;
    ate_structure_create(&d, &s, &err);
    return s;
}

int main(void)
{
    ate_error err;
    for (int method = 0; method < 2; ++method) {
        ate_structure *s = lj13(1.0, NULL, NULL);
        ate_relax_opts o;
        ate_relax_opts_init(&o);
        o.method = (ate_relax_method)method;
        o.fmax = 1e-6;
        o.max_steps = 2000;
        int calls = 0;
        ate_relax_result r;
        CHECK(ate_relax_run(&o, lj, &calls, NULL, NULL, s, &r, &err) == ATE_OK, "run");
        CHECK(r.converged, "%s converged (fmax %.2e after %d steps)", method ? "FIRE" : "L-BFGS",
              r.fmax, r.steps);
        CHECK_CLOSE(r.energy / EPS, -44.326801, 1e-5,
                    method ? "FIRE LJ13 energy" : "L-BFGS LJ13 energy");
        CHECK(calls == r.evaluations, "evaluations counted");
        double e;
        double *g = malloc(39 * sizeof(double));
        lj(&calls, s, &e, g, &err);
        CHECK_CLOSE(e, r.energy, 1e-12, "structure left at the reported geometry");
        free(g);
        fprintf(stderr, "%s: LJ13 %.6f eps in %d steps, %d evaluations\n",
                method ? "FIRE" : "L-BFGS", r.energy / EPS, r.steps, r.evaluations);
        ate_structure_destroy(&s);
    }
    /* fixed components and the freeze radius stay exactly where they were */
    bool fixed[39] = {false};
    fixed[3 * 5] = fixed[3 * 5 + 1] = fixed[3 * 5 + 2] = true; /* atom 5 fully */
    fixed[3 * 7 + 2] = true;                                   /* z of atom 7 */
    int tags[13];
    for (int i = 0; i < 13; ++i)
        tags[i] = i == 0 ? ATE_TAG_SITE : ATE_TAG_SUPPORT;
    ate_structure *s = lj13(1.0, fixed, tags);
    double before[39];
    memcpy(before, ate_structure_positions(s), sizeof(before));
    ate_relax_opts o;
    ate_relax_opts_init(&o);
    o.fmax = 1e-5;
    o.freeze_center = 0;
    o.freeze_radius = 0.0; /* every support atom farther than 0 from the centre: all but atom 0 */
    int calls = 0;
    ate_relax_result r;
    CHECK(ate_relax_run(&o, lj, &calls, NULL, NULL, s, &r, &err) == ATE_OK, "frozen run");
    const double *after = ate_structure_positions(s);
    for (int j = 3; j < 39; ++j)
        CHECK(after[j] == before[j], "frozen component %d moved", j);
    ate_structure_destroy(&s);
    s = lj13(1.0, fixed, tags);
    o.freeze_center = -1;
    CHECK(ate_relax_run(&o, lj, &calls, NULL, NULL, s, &r, &err) == ATE_OK && r.converged,
          "fixed run");
    after = ate_structure_positions(s);
    CHECK(after[15] == before[15] && after[16] == before[16] && after[17] == before[17],
          "FixAtoms honoured");
    CHECK(after[23] == before[23] && after[21] != before[21], "only z of atom 7 fixed");
    ate_structure_destroy(&s);
    /* step limit: not converged, best geometry kept */
    s = lj13(1.0, NULL, NULL);
    o.max_steps = 3;
    CHECK(ate_relax_run(&o, lj, &calls, NULL, NULL, s, &r, &err) == ATE_OK && !r.converged &&
              r.steps == 3,
          "step limit");
    /* callback errors propagate */
    o.max_steps = 100;
    CHECK(ate_relax_run(&o, failing, NULL, NULL, NULL, s, &r, &err) == ATE_ERR_NOT_CONVERGED,
          "error passed");
    CHECK_STR(err.message, "SCF did not converge");
    ate_structure_destroy(&s);
    return ate_test_finish("test_relax");
}
