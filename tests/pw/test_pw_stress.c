/* The strain derivatives of the plane-wave energy terms (kernels/pw, docs/theory-pw.md "Stress")
 * term by term against central differences of the same term at a fixed basis: the cell and the
 * atoms strained by 1 + h S (S symmetric with off-diagonal parts), the plane-wave coefficients, the
 * integer labels of the G vectors and of the density sphere, Omega rho(G) and the fractional grid
 * points held fixed. Non-local with s, p, d and f projectors (a made-up GTH entry with l <= 3) at a
 * general k-point and at Gamma (real wavefunctions); Ewald; Hartree; local; xc LDA, PBE and
 * spin-polarised PBE. Also q dP/dq of the projector transforms (gth.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ate_test.h"
#include "kernel.h"
#include "pw.h"

static const double S[9] = {0.3, 0.2, -0.1, 0.2, -0.4, 0.25, -0.1, 0.25, 0.5};
static const double A0[9] = {9.1, 0.3, -0.2, 0.5, 8.4, 0.4, -0.3, 0.6, 9.8}; /* rows, bohr */
static const double X0[6] = {0.4, 0.7, 1.1, 4.3, 3.6, 5.2};

/* M = 1 + h S applied to n vectors (rows of v) */
static void apply(double h, int n, const double *v, double *out)
{
    for (int a = 0; a < n; ++a)
        for (int i = 0; i < 3; ++i) {
            double s = v[3 * a + i];
            for (int j = 0; j < 3; ++j)
                s += h * S[3 * i + j] * v[3 * a + j];
            out[3 * a + i] = s;
        }
}

/* (1 + h S)^{-1} applied to n vectors: the strained k+G of fixed labels */
static void apply_inv(double h, int n, const double *v, double *out)
{
    double m[9], inv[9];
    for (int q = 0; q < 9; ++q)
        m[q] = (q % 4 == 0) + h * S[q];
    double det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
                 m[2] * (m[3] * m[7] - m[4] * m[6]);
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) {
            int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
            inv[3 * i + j] =
                (m[3 * r0 + c0] * m[3 * r1 + c1] - m[3 * r0 + c1] * m[3 * r1 + c0]) / det;
        }
    for (int a = 0; a < n; ++a)
        for (int i = 0; i < 3; ++i)
            out[3 * a + i] = inv[3 * i] * v[3 * a] + inv[3 * i + 1] * v[3 * a + 1] +
                             inv[3 * i + 2] * v[3 * a + 2];
}

static double contract(const double *d) /* sum_ab d_ab S_ab */
{
    double s = 0.0;
    for (int q = 0; q < 9; ++q)
        s += d[q] * S[q];
    return s;
}

static void report(const char *what, double ana, double num, double tol)
{
    fprintf(stderr, "%-28s analytic %.12e  central difference %.12e  diff %.1e\n", what, ana, num,
            fabs(ana - num));
    CHECK(fabs(ana - num) <= tol * (1.0 + fabs(ana)),
          "%s: analytic %.12e, central difference %.12e", what, ana, num);
}

/* the made-up pseudopotential: every channel l = 0..3 */
static pw_gth fake_psp(void)
{
    pw_gth p = {.z = 26, .zion = 8.0, .rloc = 0.45, .nloc = 2, .c = {-4.1, 0.7, 0.0, 0.0}, .nl = 4};
    const double rl[4] = {0.42, 0.5, 0.38, 0.55};
    const int np[4] = {2, 2, 2, 1};
    for (int l = 0; l < 4; ++l) {
        p.rl[l] = rl[l], p.nprj[l] = np[l];
        for (int i = 0; i < np[l]; ++i)
            for (int j = 0; j < np[l]; ++j)
                p.h[l][i][j] = i == j ? 3.5 - 0.6 * l - 0.7 * i : -0.4 + 0.1 * l; /* all non-zero */
    }
    return p;
}

static double e_nl(double h, const pw_kset *ks0, const pw_atoms *at0, int nb, const pw_cplx *c,
                   const double *occ)
{
    double a[9], x[6];
    apply(h, 3, A0, a);
    apply(h, 2, at0->x, x);
    pw_cell cell;
    pw_cell_init(&cell, a);
    pw_kset ks = *ks0;
    ks.kpg = malloc((size_t)ks0->npw * 3 * sizeof(double));
    apply_inv(h, ks0->npw, ks0->kpg, ks.kpg);
    pw_atoms at = *at0;
    at.x = x;
    pw_nl nl;
    ate_error err;
    double e = NAN;
    if (pw_nl_init(&nl, &cell, &ks, &at, &err) == ATE_OK)
        e = pw_nl_energy(&nl, &ks, nb, c, occ, NULL);
    pw_nl_free(&nl);
    free(ks.kpg);
    return e;
}

static void check_nonlocal(const pw_cell *c0, const pw_grid *g0, const pw_atoms *at, bool gamma)
{
    ate_error err;
    pw_kset ks;
    double kf[3] = {0.13, -0.21, 0.34};
    if (gamma) kf[0] = kf[1] = kf[2] = 0.0;
    CHECK(pw_kset_init(&ks, c0, g0, kf, 1.0, 6.0, &err) == ATE_OK, "kset: %s", err.message);
    if (gamma) CHECK(pw_kset_make_gamma(&ks, g0, &err) == ATE_OK, "gamma: %s", err.message);
    enum { NB = 3 };
    const double occ[NB] = {2.0, 1.3, 0.4};
    pw_cplx *c = malloc((size_t)NB * ks.npw * sizeof(pw_cplx));
    for (int n = 0; n < NB; ++n) {
        double norm = 0.0;
        for (int g = 0; g < ks.npw; ++g) {
            double t = 0.37 * g + 1.7 * n;
            c[n * ks.npw + g] = (sin(3.1 * t) + I * cos(2.3 * t)) / (1.0 + ks.kin[g]);
            if (gamma && g == 0) c[n * ks.npw] = creal(c[n * ks.npw]);
            norm += (gamma && g ? 2.0 : 1.0) * creal(conj(c[n * ks.npw + g]) * c[n * ks.npw + g]);
        }
        for (int g = 0; g < ks.npw; ++g)
            c[n * ks.npw + g] /= sqrt(norm);
    }
    pw_nl nl;
    double d[9] = {0};
    CHECK(pw_nl_init(&nl, c0, &ks, at, &err) == ATE_OK, "nl: %s", err.message);
    CHECK(pw_nl_stress(&nl, c0, &ks, at, NB, c, occ, d, &err) == ATE_OK, "nl stress: %s",
          err.message);
    double h = 1e-5;
    double num = (e_nl(h, &ks, at, NB, c, occ) - e_nl(-h, &ks, at, NB, c, occ)) / (2.0 * h);
    report(gamma ? "non-local (Gamma, real)" : "non-local (k, complex)", contract(d), num, 1e-8);
    pw_nl_free(&nl);
    pw_kset_free(&ks);
    free(c);
}

/* strained cell, atoms and grid (the sphere of g0: fixed labels); rho scaled by Omega0/Omega */
typedef struct strained {
    pw_cell c;
    pw_grid g;
    double x[6];
    pw_atoms at;
} strained;

static void make_strained(double h, const pw_grid *g0, const pw_atoms *at0, strained *s)
{
    double a[9];
    ate_error err;
    apply(h, 3, A0, a);
    pw_cell_init(&s->c, a);
    CHECK(pw_grid_init(&s->g, &s->c, g0->n, 6.0, &err) == ATE_OK, "grid: %s", err.message);
    memcpy(s->g.sphere, g0->sphere, (size_t)g0->ntot * sizeof(bool));
    apply(h, 2, at0->x, s->x);
    s->at = *at0;
    s->at.x = s->x;
}

/* the density-dependent terms of the strained cell; which: 0 Hartree, 1 local, 2 xc */
static double e_density(int which, double h, const pw_cell *c0, const pw_grid *g0,
                        const pw_atoms *at, const pw_cplx *rhog0, const double *rho0, pw_xc *xc,
                        int ns)
{
    strained s;
    make_strained(h, g0, at, &s);
    double f = c0->vol / s.c.vol, e = 0.0;
    size_t n = (size_t)g0->ntot;
    pw_cplx *rg = malloc(n * sizeof(pw_cplx)), *vg = malloc(n * sizeof(pw_cplx));
    double *rho = malloc(ns * n * sizeof(double)), *v = malloc(ns * n * sizeof(double)),
           *work = xc ? malloc(pw_xc_work(xc, n) * sizeof(double)) : NULL;
    for (size_t p = 0; p < n; ++p)
        rg[p] = f * rhog0[p];
    for (size_t p = 0; p < ns * n; ++p)
        rho[p] = f * rho0[p];
    if (which == 0) e = pw_hartree(&s.c, &s.g, rg, NULL);
    if (which == 1) {
        pw_vloc(&s.c, &s.g, &s.at, vg);
        for (size_t p = 0; p < n; ++p)
            e += creal(vg[p] * conj(rg[p]));
        e *= s.c.vol;
    }
    if (which == 2) e = pw_xc_eval(xc, &s.c, &s.g, rho, v, work);
    free(rg), free(vg), free(rho), free(v), free(work);
    pw_grid_free(&s.g);
    return e;
}

int main(void)
{
    /* q dP/dq of the projector transforms against central differences */
    pw_gth p = fake_psp();
    for (int l = 0; l < 4; ++l)
        for (int i = 0; i < 3; ++i)
            for (double q = 0.0; q < 12.0; q += 1.3) {
                double qdp, hq = 1e-5;
                pw_gth_proj_qdq(&p, l, i, q, &qdp);
                double num =
                    q > 0.0
                        ? q * (pw_gth_proj_q(&p, l, i, q + hq) - pw_gth_proj_q(&p, l, i, q - hq)) /
                              (2.0 * hq)
                        : 0.0;
                CHECK(fabs(num - qdp) < 1e-7 * (1.0 + fabs(qdp)),
                      "q dP_%d^%d/dq(%g): %.12e vs %.12e", i + 1, l, q, qdp, num);
            }

    pw_gth psp[2] = {fake_psp(), fake_psp()};
    psp[1].zion = 3.0, psp[1].rloc = 0.6, psp[1].c[0] = -2.0, psp[1].nl = 2;
    int species[2] = {0, 1};
    pw_atoms at = {2, species, psp, 2, X0};
    pw_cell c0;
    pw_cell_init(&c0, A0);
    const int nfft[3] = {27, 25, 27};
    pw_grid g0;
    ate_error err;
    CHECK(pw_grid_init(&g0, &c0, nfft, 6.0, &err) == ATE_OK, "grid: %s", err.message);

    check_nonlocal(&c0, &g0, &at, false);
    check_nonlocal(&c0, &g0, &at, true);

    /* Ewald */
    {
        double d[9] = {0}, h = 1e-5;
        pw_ewald(&c0, &at, NULL, d);
        double e[2];
        for (int s = 0; s < 2; ++s) {
            double a[9], x[6];
            apply(s ? -h : h, 3, A0, a);
            apply(s ? -h : h, 2, X0, x);
            pw_cell c;
            pw_cell_init(&c, a);
            pw_atoms at2 = at;
            at2.x = x;
            e[s] = pw_ewald(&c, &at2, NULL, NULL);
        }
        report("Ewald", contract(d), (e[0] - e[1]) / (2.0 * h), 1e-8);
    }

    /* a positive density on the grid: a constant and a few cosines of the fractional coordinates,
     * two spin densities (up: rho (1 + m)/2) */
    size_t n = (size_t)g0.ntot;
    double *rho = malloc(2 * n * sizeof(double));
    pw_cplx *rhog = malloc(n * sizeof(pw_cplx));
    for (int i = 0, q = 0; i < nfft[0]; ++i)
        for (int j = 0; j < nfft[1]; ++j)
            for (int k = 0; k < nfft[2]; ++k, ++q) {
                double u = 2.0 * ATE_PI * i / nfft[0], v = 2.0 * ATE_PI * j / nfft[1],
                       w = 2.0 * ATE_PI * k / nfft[2];
                double r = 0.02 * (1.0 + 0.5 * cos(u + v) + 0.3 * sin(2.0 * w - u) +
                                   0.15 * cos(v - 3.0 * w + 0.4));
                double m = 0.3 * cos(u - w);
                rho[q] = r, rho[n + q] = 0.5 * r * (1.0 + m);
            }
    {
        pw_cplx *b = (pw_cplx *)g0.buf;
        for (size_t q = 0; q < n; ++q)
            b[q] = rho[q];
        const pw_cplx *t = pw_fft(&g0, g0.fwd);
        for (size_t q = 0; q < n; ++q)
            rhog[q] = g0.sphere[q] ? t[q] / (double)n : 0.0;
    }
    const double h = 1e-4; /* truncation ~1e-9 here (h^2: 9e-8 at 1e-3), above the xc roundoff */
    {
        double d[9] = {0};
        pw_hartree_stress(&c0, &g0, rhog, d);
        double num = (e_density(0, h, &c0, &g0, &at, rhog, rho, NULL, 1) -
                      e_density(0, -h, &c0, &g0, &at, rhog, rho, NULL, 1)) /
                     (2.0 * h);
        report("Hartree", contract(d), num, 1e-8);
    }
    {
        double d[9] = {0};
        pw_vloc_stress(&c0, &g0, &at, rhog, d);
        double num = (e_density(1, h, &c0, &g0, &at, rhog, rho, NULL, 1) -
                      e_density(1, -h, &c0, &g0, &at, rhog, rho, NULL, 1)) /
                     (2.0 * h);
        report("local", contract(d), num, 1e-8);
    }
    /* xc: LDA, PBE, spin-polarised PBE (spin densities up = rho (1 + m)/2, down = rho - up) */
    double *rs = malloc(2 * n * sizeof(double));
    for (size_t q = 0; q < n; ++q)
        rs[q] = rho[n + q], rs[n + q] = rho[q] - rho[n + q];
    const struct {
        const char *name;
        int xc, ns;
    } xcs[3] = {
        {"xc LDA", ATE_XC_LDA, 1}, {"xc PBE", ATE_XC_PBE, 1}, {"xc PBE spin", ATE_XC_PBE, 2}};
    for (int t = 0; t < 3; ++t) {
        pw_xc *xc = NULL;
        CHECK(pw_xc_create(xcs[t].xc, xcs[t].ns, &xc, &err) == ATE_OK, "xc: %s", err.message);
        if (!xc) continue;
        const double *r = xcs[t].ns == 2 ? rs : rho;
        double d[9] = {0};
        double *v = malloc(2 * n * sizeof(double)),
               *work = malloc(pw_xc_work(xc, n) * sizeof(double));
        pw_xc_stress(xc, &c0, &g0, r, v, work, d);
        double num = (e_density(2, h, &c0, &g0, &at, rhog, r, xc, xcs[t].ns) -
                      e_density(2, -h, &c0, &g0, &at, rhog, r, xc, xcs[t].ns)) /
                     (2.0 * h);
        report(xcs[t].name, contract(d), num, 1e-8);
        free(v), free(work);
        pw_xc_destroy(&xc);
    }
    free(rho), free(rs), free(rhog);
    pw_grid_free(&g0);
    return ate_test_finish("test_pw_stress");
}
