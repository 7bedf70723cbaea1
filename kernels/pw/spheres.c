/**
 * @file spheres.c
 * @brief Electrons of each spin inside a sphere of radius R around every atom (docs/theory-pw.md,
 *        "Atomic spheres"): N_s(I) = (Omega / N) sum_r rho_s(r) over the points r of the real-space
 *        FFT grid with |r - R_I - T| < R for some lattice vector T. This is the rectangle-rule
 *        integral ABINIT prints with prtdensph 1, ratsph R and ratsm 0 (no smoothing of the sphere
 *        surface; a point counts when |r - R_I - T|^2 < 1.0000001 R^2 - 1e-12), so the numbers can
 *        be compared with ABINIT 9.6.2 on the same grid (tests/pw/make_refs.py --spheres). The
 *        spheres need not partition the cell: they may overlap or leave density outside.
 */
#include <math.h>
#include <string.h>

#include "pw_spheres.h"

void pw_grid_ball(const pw_cell *c, const int n[3], const double x[3], double radius, double r2max,
                  pw_ball_visit visit, void *ctx)
{
    double f[3];
    int lo[3], hi[3];
    for (int d = 0; d < 3; ++d) {
        /* reduced coordinate and the ball's extent along reduced axis d: R |b_d| / (2 pi) */
        double bl =
            sqrt(c->b[d][0] * c->b[d][0] + c->b[d][1] * c->b[d][1] + c->b[d][2] * c->b[d][2]);
        f[d] = (c->b[d][0] * x[0] + c->b[d][1] * x[1] + c->b[d][2] * x[2]) / (2.0 * ATE_PI);
        double ext = radius * bl / (2.0 * ATE_PI);
        lo[d] = (int)floor((f[d] - ext) * n[d]) - 1;
        hi[d] = (int)ceil((f[d] + ext) * n[d]) + 1;
    }
    for (int i = lo[0]; i <= hi[0]; ++i) {
        double d0 = (double)i / n[0] - f[0];
        int ii = ((i % n[0]) + n[0]) % n[0];
        for (int j = lo[1]; j <= hi[1]; ++j) {
            double d1 = (double)j / n[1] - f[1];
            int jj = ((j % n[1]) + n[1]) % n[1];
            for (int k = lo[2]; k <= hi[2]; ++k) {
                double d2 = (double)k / n[2] - f[2], r2 = 0.0;
                for (int e = 0; e < 3; ++e) {
                    double r = d0 * c->a[0][e] + d1 * c->a[1][e] + d2 * c->a[2][e];
                    r2 += r * r;
                }
                if (!(r2 < r2max)) continue;
                visit(ctx, ((size_t)ii * n[1] + (size_t)jj) * n[2] + ((k % n[2]) + n[2]) % n[2],
                      r2);
            }
        }
    }
}

typedef struct sphere_sum {
    const double *rho; /* [nspin][ntot] */
    size_t ntot;
    int nspin;
    double sum[2];
} sphere_sum;

static void add_point(void *ctx, size_t p, double r2)
{
    (void)r2;
    sphere_sum *t = ctx;
    for (int s = 0; s < t->nspin; ++s)
        t->sum[s] += t->rho[s * t->ntot + p];
}

void pw_sphere_densities(const pw_cell *c, const pw_grid *g, const pw_atoms *at,
                         const pw_cplx *rhog, int nspin, double radius, double *rho_work,
                         double *out)
{
    size_t ntot = (size_t)g->ntot;
    for (int s = 0; s < nspin; ++s)
        pw_density_to_real(g, rhog + s * ntot, rho_work + s * ntot);
    double r2max = 1.0000001 * radius * radius - 1e-12, dv = c->vol / (double)g->ntot;
    for (int a = 0; a < at->n; ++a) {
        sphere_sum t = {rho_work, ntot, nspin, {0.0, 0.0}};
        pw_grid_ball(c, g->n, at->x + 3 * a, radius, r2max, add_point, &t);
        for (int s = 0; s < nspin; ++s)
            out[nspin * a + s] = t.sum[s] * dv;
    }
}
