/**
 * @file lattice.c
 * @brief Periodic cells for GFN1-xTB (docs/theory-gfn1.md, "Periodic cells"; spec §12): the
 *        reciprocal lattice, the lattice translations sorted by length, the Ewald splitting
 *        parameter and cutoffs, and the translation subset each term uses.
 *
 * Two modes (spec §12.4):
 *  - xtb651: the rules of xtb 6.5.1 — a term with cutoff r uses the translations with |T| <= r
 *    (chosen on the length of T itself, so pairs reaching across the cell can be lost); Ewald
 *    real- and reciprocal-space cutoffs where erfc(alpha R)/R and 4 pi exp(-G^2/4 alpha^2)/(V G^2)
 *    drop below tau = 1e-8;
 *  - full: every pair within a term's cutoff is included — the translations reach
 *    |T| <= r + d_max, d_max the longest distance between two atoms of the wrapped cell — and the
 *    Ewald tails are cut at tau = 1e-13.
 * In both, alpha balances the tails of the two Ewald sums, g(4 G_min) - g(5 G_min) =
 * r(2 R_min) - r(3 R_min) to 1e-8 (G_min, R_min the shortest reciprocal and direct basis vectors),
 * found by doubling from 1e-8 and bisection, as described in spec §12.1 (Ewald, Ann. Phys. 369,
 * 253 (1921); the balancing follows xtb 6.5.1 so that its charged-cell constant -pi/(V alpha^2)
 * and its Klopman-Ohno tail are reproduced).
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gfn1_terms.h"

#define SEARCH_ITER 30
#define ALPHA_TOL   1e-8
#define TAU_XTB651  1e-8
#define TAU_FULL    1e-13
#define TERM_RMAX   60.0 /* the longest cutoff of a pair term (D3, spec §12.1) */

static double gterm(double g, const double *av)
{
    return 4.0 * GFN1_PI * exp(-0.25 * g * g / (av[0] * av[0])) / (av[1] * g * g);
}
static double rterm(double r, const double *av) { return erfc(av[0] * r) / r; }

static double tail_diff(double alpha, double gmin, double rmin, double vol)
{
    double av[2] = {alpha, vol};
    return (gterm(4.0 * gmin, av) - gterm(5.0 * gmin, av)) -
           (rterm(2.0 * rmin, av) - rterm(3.0 * rmin, av));
}

/* alpha with |tail_diff| <= ALPHA_TOL: doubling from 1e-8 to bracket the sign change, then
 * bisection. */
static int ewald_alpha(double gmin, double rmin, double vol, double *alpha)
{
    double a = 1e-8, d = tail_diff(a, gmin, rmin, vol);
    while (d < -ALPHA_TOL && a < 1e300)
        a *= 2.0, d = tail_diff(a, gmin, rmin, vol);
    if (a >= 1e300 || a == 1e-8) return -1;
    double left = 0.5 * a;
    while (d < ALPHA_TOL && a < 1e300)
        a *= 2.0, d = tail_diff(a, gmin, rmin, vol);
    if (a >= 1e300) return -1;
    double right = a;
    a = 0.5 * (left + right);
    d = tail_diff(a, gmin, rmin, vol);
    for (int it = 0; fabs(d) > ALPHA_TOL; ++it) {
        if (it > SEARCH_ITER) return -1;
        if (d < 0)
            left = a;
        else
            right = a;
        a = 0.5 * (left + right);
        d = tail_diff(a, gmin, rmin, vol);
    }
    *alpha = a;
    return 0;
}

/* The point where a decreasing tail f drops below tol: doubling from 1e-8, then bisection while
 * the bracket's values differ by more than tol. */
static int cutoff_search(double (*f)(double, const double *), const double *av, double tol,
                         double *out)
{
    double x = 1e-8, y = f(x, av);
    while (y > tol && x < 1e300)
        x *= 2.0, y = f(x, av);
    if (x >= 1e300 || x == 1e-8) return -1;
    double xl = 0.5 * x, yl = f(xl, av), xr = x, yr = y;
    for (int it = 1; yl - yr > tol; ++it) {
        if (it > SEARCH_ITER) return -1;
        x = 0.5 * (xl + xr);
        y = f(x, av);
        if (y >= tol)
            xl = x, yl = y;
        else
            xr = x, yr = y;
    }
    *out = x;
    return 0;
}

static double dot3(const double *a, const double *b)
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/* b_i = a_j x a_k (cyclic); returns det = a_0 . b_0 */
static double cofactors(const double a[3][3], double b[3][3])
{
    for (int i = 0; i < 3; ++i) {
        const double *u = a[(i + 1) % 3], *v = a[(i + 2) % 3];
        b[i][0] = u[1] * v[2] - u[2] * v[1];
        b[i][1] = u[2] * v[0] - u[0] * v[2];
        b[i][2] = u[0] * v[1] - u[1] * v[0];
    }
    return dot3(a[0], b[0]);
}

/* records (|T|^2, Tx, Ty, Tz): by length, ties by the components, so the order is reproducible */
static int by_length(const void *x, const void *y)
{
    const double *a = x, *b = y;
    for (int k = 0; k < 4; ++k)
        if (a[k] != b[k]) return a[k] < b[k] ? -1 : 1;
    return 0;
}

/* All n1 v1 + n2 v2 + n3 v3 with |T| <= r (v the rows of vec, w the rows of the dual basis with
 * v_i . w_j = 2 pi delta_ij), sorted by length; the index ranges follow from the spacing of the
 * lattice planes, 2 pi / |w_i|. */
static ate_status lattice_points(const double vec[3][3], const double dual[3][3], double r,
                                 bool skip_zero, double **out, int *count, ate_error *err)
{
    int nmax[3];
    double cap = 1.0;
    for (int i = 0; i < 3; ++i) {
        nmax[i] = (int)ceil(r * sqrt(dot3(dual[i], dual[i])) / (2.0 * GFN1_PI));
        cap *= 2.0 * nmax[i] + 1.0;
    }
    if (cap > 5e7)
        return ATE_ERROR(err, ATE_ERR_VALUE,
                         "lattice: %.3g translations within %.1f bohr (is a cell vector tiny?)",
                         cap, r);
    double *t = malloc((size_t)cap * 4 * sizeof(double));
    if (!t) return ATE_ERROR(err, ATE_ERR_MEMORY, "lattice: out of memory");
    int n = 0;
    for (int i = -nmax[0]; i <= nmax[0]; ++i)
        for (int j = -nmax[1]; j <= nmax[1]; ++j)
            for (int k = -nmax[2]; k <= nmax[2]; ++k) {
                if (skip_zero && i == 0 && j == 0 && k == 0) continue;
                double v[3];
                for (int q = 0; q < 3; ++q)
                    v[q] = i * vec[0][q] + j * vec[1][q] + k * vec[2][q];
                double r2 = dot3(v, v);
                if (r2 > r * r) continue;
                double *dst = t + 4 * (size_t)n++;
                dst[0] = r2, dst[1] = v[0], dst[2] = v[1], dst[3] = v[2];
            }
    qsort(t, (size_t)n, 4 * sizeof(double), by_length);
    *out = t;
    *count = n;
    return ATE_OK;
}

ate_status gfn1_lattice_init(gfn1_lattice *l, const double cell[3][3], int mode, const double *xyz,
                             int n, ate_error *err)
{
    memset(l, 0, sizeof(*l));
    l->mode = mode;
    memcpy(l->a, cell, sizeof(l->a));
    double(*a)[3] = l->a, (*b)[3] = l->b;
    double det = cofactors(a, b);
    l->volume = fabs(det);
    if (!(l->volume > 1e-6))
        return ATE_ERROR(err, ATE_ERR_VALUE, "periodic cell is singular (volume %g bohr^3)",
                         l->volume);
    for (int i = 0; i < 3; ++i)
        for (int k = 0; k < 3; ++k)
            b[i][k] *= 2.0 * GFN1_PI / det;
    /* the longest distance between two atoms of the (wrapped) cell */
    if (mode == GFN1_PBC_FULL)
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < i; ++j) {
                double d[3];
                for (int k = 0; k < 3; ++k)
                    d[k] = xyz[3 * i + k] - xyz[3 * j + k];
                double r = sqrt(dot3(d, d));
                if (r > l->reach) l->reach = r;
            }
    double gmin = INFINITY, rmin = INFINITY;
    for (int i = 0; i < 3; ++i) {
        gmin = fmin(gmin, sqrt(dot3(b[i], b[i])));
        rmin = fmin(rmin, sqrt(dot3(a[i], a[i])));
    }
    double tau = mode == GFN1_PBC_XTB651 ? TAU_XTB651 : TAU_FULL;
    double av[2];
    if (ewald_alpha(gmin, rmin, l->volume, &l->alpha) != 0 ||
        (av[0] = l->alpha, av[1] = l->volume, cutoff_search(rterm, av, tau, &l->rcut)) != 0 ||
        cutoff_search(gterm, av, tau, &l->gcut) != 0)
        return ATE_ERROR(err, ATE_ERR_VALUE,
                         "Ewald summation: no splitting parameter found for "
                         "this cell");
    double rmax = fmax(TERM_RMAX, l->rcut) + l->reach;
    ATE_TRY(lattice_points(l->a, l->b, rmax, false, &l->t, &l->ntrans, err));
    ate_status st = lattice_points(l->b, l->a, l->gcut, true, &l->g, &l->ng, err);
    if (st != ATE_OK) gfn1_lattice_free(l);
    return st;
}

void gfn1_lattice_free(gfn1_lattice *l)
{
    free(l->t), free(l->g);
    l->t = l->g = NULL;
    l->ntrans = l->ng = 0;
}

int gfn1_ntrans(const gfn1_geom *g, double r)
{
    if (!g->lat) return 1;
    const gfn1_lattice *l = g->lat;
    double reach = r + l->reach, r2 = reach * reach;
    int lo = 0, hi = l->ntrans; /* first index with |T|^2 > r2 */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (l->t[4 * (size_t)mid] <= r2)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const double *gfn1_trans(const gfn1_geom *g, int i)
{
    static const double zero[3] = {0.0, 0.0, 0.0};
    return g->lat ? g->lat->t + 4 * (size_t)i + 1 : zero;
}

double gfn1_image_r2(const gfn1_geom *g, int a, int b, int t, double d[3])
{
    const double *tv = gfn1_trans(g, t);
    for (int k = 0; k < 3; ++k)
        d[k] = g->xyz[3 * a + k] - g->xyz[3 * b + k] - tv[k];
    return dot3(d, d);
}

void gfn1_wrap(const double cell[3][3], int n, double *xyz)
{
    /* fractional coordinates s_i = x . (a_j x a_k) / det; an atom with s_i outside
     * [-1e-14, 1 + 1e-14], or within 1e-14 of 1, moves by whole lattice vectors into [0, 1)
     * (the tolerance of xtb 6.5.1, so atoms on a cell face stay where they are) */
    const double eps = 1e-14;
    double b[3][3], det = cofactors(cell, b);
    for (int a = 0; a < n; ++a) {
        double *x = xyz + 3 * a;
        for (int i = 0; i < 3; ++i) {
            double s = dot3(x, b[i]) / det, shift = 0.0;
            if (s < -eps) shift = ceil(-s);
            if (s > 1.0 + eps) shift = -floor(s);
            if (fabs(s - 1.0) < eps) shift = -1.0;
            for (int k = 0; shift != 0.0 && k < 3; ++k)
                x[k] += shift * cell[i][k];
        }
    }
}
