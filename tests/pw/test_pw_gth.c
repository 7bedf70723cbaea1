/* GTH pseudopotential forms (kernels/pw/gth.c) against direct numerical quadrature of their
 * real-space definitions: the projector transforms P_i^l(q) = int r^2 j_l(qr) p_i^l(r) dr for
 * l = 0..3, i = 1..3, the short-range part of the local transform, its q-derivative, alpha, and
 * the reader (values of Si GTH-PADE-q4 as printed in CP2K's file; a missing element is refused). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ate_test.h"
#include "kernel.h"
#include "pw.h"

static double sph_j(int l, double x)
{
    if (x < 1e-6)
        return l == 0 ? 1.0 - x * x / 6.0 : pow(x, l) / (l == 1 ? 3.0 : l == 2 ? 15.0 : 105.0);
    double s = sin(x), c = cos(x);
    switch (l) {
    case 0:
        return s / x;
    case 1:
        return s / (x * x) - c / x;
    case 2:
        return (3.0 / (x * x) - 1.0) * s / x - 3.0 * c / (x * x);
    default:
        return (15.0 / (x * x * x) - 6.0 / x) * s / x - (15.0 / (x * x) - 1.0) * c / x;
    }
}

/* HGH 1998 eq. 3 */
static double proj_r(double rl, int l, int i, double r)
{
    double s = l + (4.0 * (i + 1) - 1.0) / 2.0;
    return sqrt(2.0) * pow(r, l + 2 * i) * exp(-r * r / (2.0 * rl * rl)) /
           (pow(rl, s) * sqrt(tgamma(s)));
}

/* Simpson on [0, R] */
static double radial(double (*f)(const void *, double), const void *ctx, double R)
{
    int n = 20000;
    double h = R / n, s = f(ctx, 0.0) + f(ctx, R);
    for (int k = 1; k < n; ++k)
        s += (k % 2 ? 4.0 : 2.0) * f(ctx, k * h);
    return s * h / 3.0;
}

typedef struct pctx {
    double rl, q;
    int l, i;
    const pw_gth *p;
} pctx;

static double proj_integrand(const void *v, double r)
{
    const pctx *c = v;
    return r * r * sph_j(c->l, c->q * r) * proj_r(c->rl, c->l, c->i, r);
}

/* 4 pi int r^2 j0(qr) [V_loc(r) + Z erf(r / sqrt2 rloc) / r] dr */
static double short_integrand(const void *v, double r)
{
    const pctx *c = v;
    const pw_gth *p = c->p;
    double x = r / p->rloc, x2 = x * x;
    double g =
        exp(-0.5 * x2) * (p->c[0] + p->c[1] * x2 + p->c[2] * x2 * x2 + p->c[3] * x2 * x2 * x2);
    return 4.0 * ATE_PI * r * r * sph_j(0, c->q * r) * g;
}

int main(void)
{
    pw_gth p = {.z = 26,
                .zion = 16.0,
                .rloc = 0.36,
                .nloc = 4,
                .c = {6.7, -0.23, 0.05, -0.01},
                .nl = 4,
                .rl = {0.28, 0.25, 0.22, 0.4}};
    for (int l = 0; l < 4; ++l)
        for (int i = 0; i < 3; ++i)
            for (double q = 0.0; q < 12.0; q += 1.7) {
                pctx c = {p.rl[l], q, l, i, &p};
                double num = radial(proj_integrand, &c, 12.0);
                double ana = pw_gth_proj_q(&p, l, i, q);
                CHECK(fabs(num - ana) < 1e-9 * (1.0 + fabs(num)),
                      "P_%d^%d(%g): analytic %.12e, quadrature %.12e", i + 1, l, q, ana, num);
            }
    /* the batch form (pw_nl_update) against the scalar one */
    for (int l = 0; l < 4; ++l)
        for (int i = 0; i < 3; ++i) {
            double qs[8], out[8];
            for (int g = 0; g < 8; ++g)
                qs[g] = 1.55 * g;
            pw_gth_proj_q_n(&p, l, i, 8, qs, out);
            for (int g = 0; g < 8; ++g) {
                double one = pw_gth_proj_q(&p, l, i, qs[g]);
                CHECK(fabs(out[g] - one) <= 1e-14 * fabs(one), "P_%d^%d(%g): batch %.17e, %.17e",
                      i + 1, l, qs[g], out[g], one);
            }
        }
    for (double q = 0.3; q < 15.0; q += 1.3) {
        pctx c = {0, q, 0, 0, &p};
        double num = radial(short_integrand, &c, 12.0);
        double x = q * p.rloc;
        double coul = -4.0 * ATE_PI * p.zion / (q * q) * exp(-0.5 * x * x);
        double dv, ana = pw_gth_vloc_q(&p, q, &dv) - coul;
        CHECK(fabs(num - ana) < 1e-9 * (1.0 + fabs(num)), "v_short(%g): %.12e vs %.12e", q, ana,
              num);
        double h = 1e-5, vp = pw_gth_vloc_q(&p, q + h, NULL), vm = pw_gth_vloc_q(&p, q - h, NULL);
        CHECK(fabs((vp - vm) / (2 * h) - dv) < 1e-6 * (1.0 + fabs(dv)), "dv/dq(%g): %.10e vs %.10e",
              q, dv, (vp - vm) / (2 * h));
    }
    double q0 = 1e-4;
    double lim = pw_gth_vloc_q(&p, q0, NULL) + 4.0 * ATE_PI * p.zion / (q0 * q0);
    CHECK(fabs(lim - pw_gth_alpha(&p)) < 1e-5 * fabs(pw_gth_alpha(&p)),
          "alpha %.10e vs limit %.10e", pw_gth_alpha(&p), lim);

    /* the reader on the shipped file */
    ate_error err;
    ate_error_clear(&err);
    pw_gth si;
    const char *path = ATE_PARAM_DIR "/gth/GTH_POTENTIALS";
    CHECK(pw_gth_read(path, 14, NULL, "GTH-PADE", &si, &err) == ATE_OK, "read Si: %s", err.message);
    CHECK(si.zion == 4.0 && si.rloc == 0.44 && si.nloc == 1 && si.c[0] == -7.33610297 &&
              si.nl == 2 && si.nprj[0] == 2 && si.h[0][0][1] == -1.26189397 &&
              si.h[0][1][0] == -1.26189397 && si.h[0][1][1] == 3.25819622 &&
              si.rl[1] == 0.48427842 && si.h[1][0][0] == 2.72701346,
          "Si GTH-PADE-q4 values");
    CHECK(!strcmp(si.name, "GTH-PADE-q4"), "name %s", si.name);
    pw_gth fe;
    CHECK(pw_gth_read(path, 26, "GTH-PBE-q16", NULL, &fe, &err) == ATE_OK && fe.zion == 16.0 &&
              fe.nl == 3 && fe.nprj[2] == 1,
          "Fe GTH-PBE-q16");
    CHECK(pw_gth_read(path, 26, "GTH-PBE-q99", NULL, &fe, &err) == ATE_ERR_INPUT &&
              strstr(err.message, "no GTH pseudopotential Fe GTH-PBE-q99"),
          "missing entry refused: %s", err.message);
    CHECK(pw_gth_read("/nonexistent/GTH", 26, NULL, "GTH-PBE", &fe, &err) == ATE_ERR_IO,
          "missing file refused");

    /* the provenance query (ate_kernel_pseudopotential): the kernel's rule without a handle --
     * CP2K's alias (Pt PBE q18 after q10 in the file, Cu LDA q11 after q1); the options' file;
     * no pseudopotentials in gfn1 */
    ate_pseudo_info pi;
    CHECK(ate_kernel_pseudopotential("pw", NULL, 78, &pi, &err) == ATE_OK &&
              !strcmp(pi.entry, "GTH-PBE-q18") && pi.z_ion == 18.0,
          "Pt (defaults): %s %g", pi.entry, pi.z_ion);
    ate_kernel_opts o;
    ate_kernel_opts_init(&o);
    o.xc = ATE_XC_LDA;
    CHECK(ate_kernel_pseudopotential("pw", &o, 29, &pi, &err) == ATE_OK &&
              !strcmp(pi.entry, "GTH-PADE-q11") && pi.z_ion == 11.0,
          "Cu (lda): %s %g", pi.entry, pi.z_ion);
    o.xc = ATE_XC_PBE;
    /* U has a GTH-PBE entry (q14, no alias) but is beyond the element table (ATE_MAX_Z) */
    CHECK(ate_kernel_pseudopotential("pw", &o, 92, &pi, &err) == ATE_ERR_INPUT && !pi.entry[0],
          "U refused: %s", err.message);
    o.pseudo_file = "/nonexistent/GTH";
    CHECK(ate_kernel_pseudopotential("pw", &o, 78, &pi, &err) == ATE_ERR_IO && !pi.entry[0],
          "the options' file is the one read");
    CHECK(ate_kernel_pseudopotential("gfn1", NULL, 78, &pi, &err) == ATE_ERR_UNSUPPORTED,
          "gfn1 has none");
    CHECK(ate_kernel_pseudopotential("nope", NULL, 78, &pi, &err) == ATE_ERR_INPUT,
          "unknown method");
    return ate_test_finish("test_pw_gth");
}
