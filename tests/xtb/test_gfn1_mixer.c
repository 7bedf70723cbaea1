/* The GFN1 charge mixer (kernels/xtb/mixer.c, docs/theory-gfn1.md "Charge mixing"): the first step
 * is xtb's plain damping; the LDOS preconditioner applied by the Woodbury identity equals the dense
 * (I + K gamma)^-1 r with K = D - d d^T/sum(d) and keeps the total charge; a Fermi-level LDOS on a
 * few shells turns the model off for the whole SCC. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "ate_test.h"
#include "gfn1_mixer.h"

#define NSH 40

static double frand(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return ((*seed >> 8) & 0xffff) / 65536.0;
}

int main(void)
{
    static double gam[NSH * NSH], pos[NSH][3], r[NSH], y[NSH], a[NSH * NSH], d[NSH];
    unsigned seed = 7;
    for (int x = 0; x < NSH; ++x)
        for (int k = 0; k < 3; ++k)
            pos[x][k] = 12.0 * frand(&seed);
    for (int x = 0; x < NSH; ++x)
        for (int z = 0; z < NSH; ++z) { /* a Klopman-Ohno-like gamma, hartree */
            double r2 = 0.0;
            for (int k = 0; k < 3; ++k)
                r2 += (pos[x][k] - pos[z][k]) * (pos[x][k] - pos[z][k]);
            gam[x * NSH + z] = 1.0 / sqrt(r2 + 4.0);
        }
    double mean = 0.0;
    for (int x = 0; x < NSH; ++x)
        r[x] = frand(&seed) - 0.5, mean += r[x] / NSH;
    for (int x = 0; x < NSH; ++x)
        r[x] -= mean, d[x] = 2.0 + 20.0 * frand(&seed); /* e/Eh, on every shell */

    gfn1_mixer m;
    ate_error err;
    CHECK(gfn1_mixer_create(&m, NSH, NSH, 10, &err) == ATE_OK, "create");
    /* first step: x + 0.4 f whatever the LDOS */
    double x0[NSH], x1[NSH];
    for (int x = 0; x < NSH; ++x)
        x0[x] = x1[x] = 0.1 * x, m.ldos[x] = d[x];
    gfn1_mixer_step(&m, x1, r, 0.4, gam);
    double dmax = 0.0;
    for (int x = 0; x < NSH; ++x)
        dmax = fmax(dmax, fabs(x1[x] - (x0[x] + 0.4 * r[x])));
    CHECK(dmax == 0.0, "first step is plain damping (max diff %.1e)", dmax);

    /* P r against the dense solve */
    double s = 0.0;
    for (int x = 0; x < NSH; ++x)
        s += d[x];
    for (int i = 0; i < NSH; ++i)
        for (int j = 0; j < NSH; ++j) { /* (I + K gamma)_ij, column-major */
            double v = i == j;
            for (int k = 0; k < NSH; ++k)
                v += ((i == k ? d[i] : 0.0) - d[i] * d[k] / s) * gam[k * NSH + j];
            a[j * NSH + i] = v;
        }
    memcpy(y, r, sizeof(r));
    lapack_int piv[NSH];
    CHECK(LAPACKE_dgesv(LAPACK_COL_MAJOR, NSH, 1, a, NSH, piv, y, NSH) == 0, "dense solve");
    double pr[NSH], sum_r = 0.0, sum_p = 0.0;
    memcpy(pr, r, sizeof(r));
    CHECK(gfn1_mixer_precondition(&m, gam, pr), "delocalised LDOS: model used");
    dmax = 0.0;
    double ymax = 0.0;
    for (int x = 0; x < NSH; ++x) {
        dmax = fmax(dmax, fabs(pr[x] - y[x])), ymax = fmax(ymax, fabs(y[x]));
        sum_r += r[x], sum_p += pr[x];
    }
    CHECK(dmax <= 1e-12 * ymax, "Woodbury vs dense (I + K gamma)^-1 r: max diff %.1e", dmax);
    CHECK(fabs(sum_p - sum_r) <= 1e-13, "charge kept: %.1e vs %.1e", sum_p, sum_r);
    gfn1_mixer_free(&m);

    /* LDOS on 3 shells: off, and off for the rest of that SCC */
    CHECK(gfn1_mixer_create(&m, NSH, NSH, 10, &err) == ATE_OK, "create");
    for (int x = 0; x < NSH; ++x)
        m.ldos[x] = x < 3 ? d[x] : 0.0;
    memcpy(pr, r, sizeof(r));
    CHECK(!gfn1_mixer_precondition(&m, gam, pr) && memcmp(pr, r, sizeof(r)) == 0,
          "localised LDOS: r unchanged");
    for (int x = 0; x < NSH; ++x)
        m.ldos[x] = d[x];
    CHECK(!gfn1_mixer_precondition(&m, gam, pr), "the decision holds for the SCC");
    gfn1_mixer_free(&m);
    return ate_test_finish("test_gfn1_mixer");
}
