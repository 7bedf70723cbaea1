/* Relaxation on analytic potentials with known minima: the Lennard-Jones 13-atom icosahedron
 * (E = -44.326801 epsilon, Wales & Doye, J. Phys. Chem. A 101, 5111 (1997)) from a perturbed
 * start with L-BFGS (plain and Exp-preconditioned) and FIRE; the preconditioner's purpose on an
 * ill-conditioned elastic network (condition number ~ L^2: far fewer steps than plain L-BFGS, the
 * same minimum); fixed components and the freeze radius honoured exactly; the step limit;
 * callback errors passed through. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ate_test.h"
#include "atescreen/relax.h"
#include "atescreen/units.h"

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

/* an elastic network: a 6x6x6 simple-cubic lattice (a = 2.8 bohr) with springs
 * k (r - r0)^2 / 2 to the first and second neighbours (r0 their ideal lengths), one corner
 * tethered; started from a long-wavelength bend plus noise. Minimum E = 0. Its Hessian is
 * Laplacian-like with condition number ~ L^2: the case the Exp preconditioner is built for. */
enum { NL = 6, NNET = NL * NL * NL, MAXSPR = NNET * 9 };
static int nspr, spr_i[MAXSPR], spr_j[MAXSPR];
static double spr_r0[MAXSPR];

static ate_status network(void *user, const ate_structure *s, double *e, double *g, ate_error *err)
{
    (void)err;
    ++*(int *)user;
    const double k = 0.1, kt = 0.1;
    const double *x = ate_structure_positions(s);
    memset(g, 0, 3 * NNET * sizeof(double));
    *e = 0.5 * kt * (x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    for (int c = 0; c < 3; ++c)
        g[c] = kt * x[c];
    for (int p = 0; p < nspr; ++p) {
        int i = spr_i[p], j = spr_j[p];
        double d[3] = {x[3 * j] - x[3 * i], x[3 * j + 1] - x[3 * i + 1],
                       x[3 * j + 2] - x[3 * i + 2]};
        double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
        *e += 0.5 * k * (r - spr_r0[p]) * (r - spr_r0[p]);
        for (int c = 0; c < 3; ++c) {
            double f = k * (r - spr_r0[p]) * d[c] / r;
            g[3 * j + c] += f, g[3 * i + c] -= f;
        }
    }
    return ATE_OK;
}

static ate_structure *network_start(void)
{
    const double a = 2.8;
    double ideal[3 * NNET], pos[3 * NNET];
    int z[NNET];
    unsigned seed = 777;
    for (int i = 0; i < NNET; ++i) {
        int c[3] = {i % NL, (i / NL) % NL, i / (NL * NL)};
        z[i] = 6;
        for (int k = 0; k < 3; ++k) {
            seed = seed * 1103515245u + 12345u;
            double rnd = ((seed >> 16) & 0x7fff) / 32767.0 - 0.5;
            ideal[3 * i + k] = a * c[k];
            pos[3 * i + k] = ideal[3 * i + k] + 0.1 * rnd;
        }
        pos[3 * i + 2] += 0.6 * sin(ATE_PI * c[0] / (NL - 1)); /* bend */
    }
    nspr = 0;
    for (int i = 0; i < NNET; ++i)
        for (int j = i + 1; j < NNET; ++j) {
            double d2 = 0.0;
            for (int k = 0; k < 3; ++k)
                d2 += (ideal[3 * i + k] - ideal[3 * j + k]) * (ideal[3 * i + k] - ideal[3 * j + k]);
            if (d2 < 2.1 * a * a && nspr < MAXSPR)
                spr_i[nspr] = i, spr_j[nspr] = j, spr_r0[nspr++] = sqrt(d2);
        }
    ate_structure_desc d = {.natoms = NNET, .numbers = z, .positions = pos, .uhf = ATE_UHF_AUTO};
    ate_structure *s = NULL;
    ate_error err;
    ate_structure_create(&d, &s, &err);
    return s;
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
    static const char *const names[3] = {"L-BFGS", "L-BFGS (no precon)", "FIRE"};
    for (int variant = 0; variant < 3; ++variant) {
        int method = variant == 2;
        ate_structure *s = lj13(1.0, NULL, NULL);
        ate_relax_opts o;
        ate_relax_opts_init(&o);
        o.method = (ate_relax_method)method;
        if (variant == 1) o.precon = ATE_PRECON_NONE;
        o.fmax = 1e-6;
        o.max_steps = 2000;
        int calls = 0;
        ate_relax_result r;
        CHECK(ate_relax_run(&o, lj, &calls, NULL, NULL, s, &r, &err) == ATE_OK, "run");
        CHECK(r.converged, "%s converged (fmax %.2e after %d steps)", names[variant], r.fmax,
              r.steps);
        CHECK(fabs(r.energy / EPS + 44.326801) < 1e-5, "%s LJ13 energy %.7f", names[variant],
              r.energy / EPS);
        CHECK(calls == r.evaluations, "evaluations counted");
        double e;
        double *g = malloc(39 * sizeof(double));
        lj(&calls, s, &e, g, &err);
        CHECK_CLOSE(e, r.energy, 1e-12, "structure left at the reported geometry");
        free(g);
        fprintf(stderr, "%s: LJ13 %.6f eps in %d steps, %d evaluations\n", names[variant],
                r.energy / EPS, r.steps, r.evaluations);
        ate_structure_destroy(&s);
    }
    /* the preconditioner on an ill-conditioned elastic network */
    int steps[2] = {0, 0};
    for (int pre = 0; pre < 2; ++pre) {
        ate_structure *s = network_start();
        ate_relax_opts o;
        ate_relax_opts_init(&o);
        o.precon = pre ? ATE_PRECON_EXP : ATE_PRECON_NONE;
        o.fmax = 1e-6;
        o.max_steps = 5000;
        int calls = 0;
        ate_relax_result r;
        CHECK(ate_relax_run(&o, network, &calls, NULL, NULL, s, &r, &err) == ATE_OK && r.converged,
              "network converged (precon %d, fmax %.1e, %d steps)", pre, r.fmax, r.steps);
        CHECK(r.energy < 1e-9, "network minimum (precon %d): E = %.3e", pre, r.energy);
        steps[pre] = r.steps;
        ate_structure_destroy(&s);
    }
    fprintf(stderr, "elastic network of %d atoms: %d steps plain, %d with the Exp preconditioner\n",
            NNET, steps[0], steps[1]);
    CHECK(2 * steps[1] < steps[0], "preconditioner halves the steps: %d vs %d", steps[1], steps[0]);
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
