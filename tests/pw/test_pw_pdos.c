/* l weights in spheres (kernels/pw/pdos.c) against closed forms. A single plane wave
 * psi = Omega^{-1/2} e^{iq.r} has sum_m |Y_lm(qhat)|^2 = (2l+1)/(4 pi), so
 *     w_l = (4 pi (2l+1) / Omega) int_0^R r^2 j_l(qr)^2 dr
 *         = (4 pi (2l+1) / Omega) (R^3/2) [j_l(qR)^2 - j_{l-1}(qR) j_{l+1}(qR)]
 * (the Lommel integral, j_{-1}(x) = cos x / x), whatever the centre; at Gamma (real storage) the
 * wave sqrt(2/Omega) cos(G.r) around a centre x has 2 w_l cos^2(G.x) for even l and
 * 2 w_l sin^2(G.x) for odd l (sin: the other way round), and the constant band G = 0 has
 * w_0 = 4 pi R^3 / (3 Omega). Complex k-point with several bands at once (the matrix layout). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ate_test.h"
#include "pw_pdos.h"

static const double A0[9] = {9.1, 0.0, 0.0, 0.7, 8.6, 0.0, -0.4, 0.5, 9.4};

/* j_{-1} .. j_6 at x > 0 by upward recurrence (x >= 2 here) */
static void sph_j(double x, double *j) /* j[l + 1] = j_l */
{
    j[0] = cos(x) / x, j[1] = sin(x) / x;
    for (int l = 1; l <= 6; ++l)
        j[l + 1] = (2 * l - 1) / x * j[l] - j[l - 1];
}

static double w_plane(double q, double R, int l, double vol)
{
    double j[8];
    sph_j(q * R, j);
    return 4.0 * ATE_PI * (2 * l + 1) / vol * 0.5 * R * R * R *
           (j[l + 1] * j[l + 1] - j[l] * j[l + 2]);
}

int main(void)
{
    pw_cell c;
    pw_cell_init(&c, A0);
    int nfft[3];
    pw_fft_default(&c, 6.0, nfft);
    pw_grid g;
    ate_error err;
    CHECK(pw_grid_init(&g, &c, nfft, 6.0, &err) == ATE_OK, "grid: %s", err.message);
    const double R = 2.3, x[6] = {1.1, -0.3, 2.0, 4.0, 3.3, -1.2};
    const int L = PW_PDOS_LMAX;

    /* complex k-point, three bands = three plane waves with |k+G| R >= 2 */
    {
        pw_kset ks;
        const double kf[3] = {0.13, -0.21, 0.3};
        CHECK(pw_kset_init(&ks, &c, &g, kf, 1.0, 6.0, &err) == ATE_OK, "kset: %s", err.message);
        int pick[3], np = 0;
        for (int p = 0; p < ks.npw && np < 3; ++p)
            if (sqrt(2.0 * ks.kin[p]) * R > 2.0 && (np == 0 || p > pick[np - 1] + 17))
                pick[np++] = p;
        CHECK(np == 3, "three plane waves");
        pw_cplx psi[3 * 2000];
        CHECK(ks.npw <= 2000, "npw %d", ks.npw);
        memset(psi, 0, sizeof psi);
        for (int b = 0; b < 3; ++b)
            psi[(size_t)b * ks.npw + pick[b]] = cexp(I * 0.7 * b); /* any phase */
        double w[3 * 2 * (PW_PDOS_LMAX + 1)];
        CHECK(pw_pdos_weights(&c, &ks, psi, 3, 2, x, R, L, w, &err) == ATE_OK, "%s", err.message);
        double worst = 0.0;
        for (int b = 0; b < 3; ++b)
            for (int s = 0; s < 2; ++s)
                for (int l = 0; l <= L; ++l) {
                    double ref = w_plane(sqrt(2.0 * ks.kin[pick[b]]), R, l, c.vol);
                    double v = w[(b * 2 + s) * (L + 1) + l];
                    worst = fmax(worst, fabs(v - ref));
                    CHECK(fabs(v - ref) < 1e-13, "k band %d centre %d l %d: %.15e vs %.15e", b, s,
                          l, v, ref);
                }
        printf("plane waves at k: max |w - closed form| = %.1e\n", worst);
        pw_kset_free(&ks);
    }

    /* Gamma, real storage: G = 0, cos and sin waves around two centres */
    {
        pw_kset ks;
        const double kf[3] = {0.0, 0.0, 0.0};
        CHECK(pw_kset_init(&ks, &c, &g, kf, 1.0, 6.0, &err) == ATE_OK, "kset: %s", err.message);
        CHECK(pw_kset_make_gamma(&ks, &g, &err) == ATE_OK && ks.gamma, "gamma set");
        int p = 1;
        while (sqrt(2.0 * ks.kin[p]) * R < 2.0)
            ++p;
        pw_cplx psi[3 * 2000];
        CHECK(ks.npw <= 2000, "npw %d", ks.npw);
        memset(psi, 0, sizeof psi);
        psi[0] = 1.0;                                        /* constant */
        psi[(size_t)ks.npw + p] = 1.0 / sqrt(2.0);           /* sqrt(2) cos(G.r) */
        psi[2 * (size_t)ks.npw + p] = I * (1.0 / sqrt(2.0)); /* -sqrt(2) sin(G.r) */
        double w[3 * 2 * (PW_PDOS_LMAX + 1)];
        CHECK(pw_pdos_weights(&c, &ks, psi, 3, 2, x, R, L, w, &err) == ATE_OK, "%s", err.message);
        double q = sqrt(2.0 * ks.kin[p]), worst = 0.0;
        for (int s = 0; s < 2; ++s) {
            const double *G = ks.kpg + 3 * p, *xs = x + 3 * s;
            double ph = G[0] * xs[0] + G[1] * xs[1] + G[2] * xs[2];
            for (int l = 0; l <= L; ++l) {
                double w1 = w_plane(q, R, l, c.vol), cc = cos(ph) * cos(ph), ss = sin(ph) * sin(ph);
                double ref[3] = {l == 0 ? 4.0 * ATE_PI * R * R * R / (3.0 * c.vol) : 0.0,
                                 2.0 * w1 * (l % 2 ? ss : cc), 2.0 * w1 * (l % 2 ? cc : ss)};
                for (int b = 0; b < 3; ++b) {
                    double v = w[(b * 2 + s) * (L + 1) + l];
                    worst = fmax(worst, fabs(v - ref[b]));
                    CHECK(fabs(v - ref[b]) < 1e-13, "gamma band %d centre %d l %d: %.15e vs %.15e",
                          b, s, l, v, ref[b]);
                }
            }
        }
        printf("real waves at Gamma: max |w - closed form| = %.1e\n", worst);
        pw_kset_free(&ks);
    }
    pw_grid_free(&g);
    return ate_test_failures ? 1 : 0;
}
