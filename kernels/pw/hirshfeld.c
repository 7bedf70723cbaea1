/**
 * @file hirshfeld.c
 * @brief Hirshfeld atomic charges of the plane-wave density (docs/theory-pw.md, "Atomic charges"):
 *        F. L. Hirshfeld, Theor. Chim. Acta 44, 129 (1977). The weight of atom A at r is
 *        rho_A^0(|r - R_A - T|) / sum_B,T rho_B^0(...), rho^0 the spherical all-electron density of
 *        the free neutral atom, and q_A = Z_ion,A - (Omega/N) sum_r w_A(r) rho(r) over the FFT
 * grid, rho the valence (pseudo) density. The discretisation is that of ABINIT's cut3d (option 11,
 *        m_dens.F90 dens_hirsh) so that the numbers compare with it on the same density: each
 * free-atom table stops before its first value below 1e-6 e/bohr^3 (the atom's reach R_A is its
 * last radius), values between the table's radii from a cubic spline with first derivatives (rho_1
 * - rho_0)/(r_1 - r_0) at the first radius and 0 at the last, a straight line below the first
 * radius; grid points where sum_B rho_B^0 <= 1e-6 are left out and elsewhere the denominator is
 * sum_B rho_B^0 + 1e-6. The tables (inputs/params/hirshfeld/SYMBOL.dat, "r rho" lines after one
 * header line) come from QE's ld1.x (make_free_atoms.py there).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/elements.h"
#include "pw_hirshfeld.h"
#include "pw_spheres.h"

#define HIRSH_MIN_DEN 1e-6 /* cut3d's minimal_den */

typedef struct free_atom {
    int n;
    double *r, *y, *y2; /* radii, densities, spline second derivatives */
} free_atom;

static void free_atom_free(free_atom *f)
{
    free(f->r), free(f->y), free(f->y2);
    f->r = f->y = f->y2 = NULL;
}

/* Read a table; *found false when the file does not exist. */
static ate_status free_atom_read(const char *path, free_atom *f, bool *found, ate_error *err)
{
    memset(f, 0, sizeof(*f));
    FILE *fp = fopen(path, "r");
    *found = fp != NULL;
    if (!fp) return ATE_OK;
    char line[256];
    int cap = 0;
    ate_status st = ATE_OK;
    if (!fgets(line, sizeof line, fp)) st = ATE_ERROR(err, ATE_ERR_IO, "%s: empty", path);
    while (st == ATE_OK && fgets(line, sizeof line, fp)) {
        double a, b;
        if (sscanf(line, "%lf %lf", &a, &b) != 2) {
            st = ATE_ERROR(err, ATE_ERR_IO, "%s: bad line '%.40s'", path, line);
            break;
        }
        if (b < HIRSH_MIN_DEN) break;
        if (f->n == cap) {
            cap = cap ? 2 * cap : 1024;
            double *nr = realloc(f->r, (size_t)cap * sizeof(double));
            if (nr) f->r = nr;
            double *ny = nr ? realloc(f->y, (size_t)cap * sizeof(double)) : NULL;
            if (ny) f->y = ny;
            if (!nr || !ny) {
                st = ATE_ERROR(err, ATE_ERR_MEMORY, "hirshfeld: out of memory");
                break;
            }
        }
        f->r[f->n] = a, f->y[f->n] = b, ++f->n;
    }
    fclose(fp);
    if (st == ATE_OK && f->n < 3) st = ATE_ERROR(err, ATE_ERR_IO, "%s: fewer than 3 points", path);
    if (st != ATE_OK) {
        free_atom_free(f);
        return st;
    }
    /* cubic spline, first derivatives yp1 at r_0 and 0 at r_{n-1} (tridiagonal, forward sweep) */
    int n = f->n;
    f->y2 = malloc((size_t)n * sizeof(double));
    double *r = f->r, *y = f->y, *y2 = f->y2, *u = malloc((size_t)n * sizeof(double));
    if (!u || !y2) {
        free(u);
        free_atom_free(f);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "hirshfeld: out of memory");
    }
    double yp1 = (y[1] - y[0]) / (r[1] - r[0]), ypn = 0.0;
    y2[0] = -0.5;
    u[0] = 3.0 / (r[1] - r[0]) * ((y[1] - y[0]) / (r[1] - r[0]) - yp1);
    for (int i = 1; i < n - 1; ++i) {
        double sig = (r[i] - r[i - 1]) / (r[i + 1] - r[i - 1]), p = sig * y2[i - 1] + 2.0;
        y2[i] = (sig - 1.0) / p;
        double d = (y[i + 1] - y[i]) / (r[i + 1] - r[i]) - (y[i] - y[i - 1]) / (r[i] - r[i - 1]);
        u[i] = (6.0 * d / (r[i + 1] - r[i - 1]) - sig * u[i - 1]) / p;
    }
    double hn = r[n - 1] - r[n - 2];
    double qn = 0.5, un = 3.0 / hn * (ypn - (y[n - 1] - y[n - 2]) / hn);
    y2[n - 1] = (un - qn * u[n - 2]) / (qn * y2[n - 2] + 1.0);
    for (int k = n - 2; k >= 0; --k)
        y2[k] = y2[k] * y2[k + 1] + u[k];
    free(u);
    return ATE_OK;
}

/* rho^0 at radius rr < r[n-1] */
static double free_atom_at(const free_atom *f, double rr)
{
    const double *r = f->r, *y = f->y;
    if (rr < r[0]) return y[0] + (rr - r[0]) / (r[1] - r[0]) * (y[1] - y[0]);
    int lo = 0, hi = f->n - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (rr >= r[mid])
            lo = mid;
        else
            hi = mid;
    }
    double h = r[lo + 1] - r[lo], a = (r[lo + 1] - rr) / h, b = (rr - r[lo]) / h;
    return a * y[lo] + b * y[lo + 1] +
           ((a * a * a - a) * f->y2[lo] + (b * b * b - b) * f->y2[lo + 1]) * h * h / 6.0;
}

/* One pass over the (grid point, image) pairs within the reach of an atom (pw_grid_ball): adds
 * rho^0 to sum (pass 0) or rho^0 rho / (sum + 1e-6) where sum > 1e-6 to acc (pass 1). */
typedef struct hirsh_pass {
    const free_atom *f;
    int pass;
    double *sum, acc;
    const double *rho;
} hirsh_pass;

static void hirsh_point(void *ctx, size_t p, double r2)
{
    hirsh_pass *h = ctx;
    double den = free_atom_at(h->f, sqrt(r2));
    if (h->pass == 0)
        h->sum[p] += den;
    else if (fabs(h->sum[p]) > HIRSH_MIN_DEN)
        h->acc += den * h->rho[p] / (h->sum[p] + HIRSH_MIN_DEN);
}

static void visit(const pw_cell *c, const pw_grid *g, const double *x, const free_atom *f, int pass,
                  double *sum, const double *rho, double *acc)
{
    double rmax = f->r[f->n - 1];
    hirsh_pass h = {f, pass, sum, 0.0, rho};
    pw_grid_ball(c, g->n, x, rmax, rmax * rmax, hirsh_point, &h);
    if (pass == 1) *acc += h.acc;
}

ate_status pw_hirshfeld_charges(const pw_cell *c, const pw_grid *g, const pw_atoms *at,
                                const int *z, const double *rho, const char *dir, double *sum,
                                double *q, bool *have, ate_error *err)
{
    *have = false;
    for (int a = 0; a < at->n; ++a)
        q[a] = NAN;
    free_atom *fa = calloc((size_t)at->nspecies, sizeof(free_atom));
    if (!fa) return ATE_ERROR(err, ATE_ERR_MEMORY, "hirshfeld: out of memory");
    ate_status st = ATE_OK;
    bool all = true;
    for (int sp = 0; sp < at->nspecies && st == ATE_OK && all; ++sp) {
        int zz = 0;
        for (int a = 0; a < at->n; ++a)
            if (at->species[a] == sp) zz = z[a];
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.dat", dir, ate_element_symbol(zz));
        st = free_atom_read(path, &fa[sp], &all, err);
    }
    if (st == ATE_OK && all) {
        memset(sum, 0, (size_t)g->ntot * sizeof(double));
        for (int a = 0; a < at->n; ++a)
            visit(c, g, at->x + 3 * a, &fa[at->species[a]], 0, sum, rho, NULL);
        double dv = c->vol / (double)g->ntot;
        for (int a = 0; a < at->n; ++a) {
            double nel = 0.0;
            visit(c, g, at->x + 3 * a, &fa[at->species[a]], 1, sum, rho, &nel);
            q[a] = at->psp[at->species[a]].zion - nel * dv;
        }
        *have = true;
    }
    for (int sp = 0; sp < at->nspecies; ++sp)
        free_atom_free(&fa[sp]);
    free(fa);
    return st;
}
