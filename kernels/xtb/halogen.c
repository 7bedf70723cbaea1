/**
 * @file halogen.c
 * @brief GFN1-xTB halogen-bond correction (J. Chem. Theory Comput. 13, 1989 (2017), eq. 11):
 *        for halogen X (Cl, Br, I, At) bonded to its nearest atom B and acceptor Y (N, O, P, S)
 *        within 20 bohr,
 *          E = f(theta) c_X [ (R0/R)^12 - k_XB (R0/R)^6 ] / [ 1 + (R0/R)^12 ],
 *          f(theta) = (1/2 - t/4)^6, t = 2 cos(B-X...Y) = (R_BX^2 + R_XY^2 - R_BY^2)/(R_BX R_XY),
 *          R0 = 1.3 (R_at(X) + R_at(Y)), k_XB = 0.44, c_X = 0.1 CXB.
 *        In a cell, B and Y are the nearest image of B and every image of Y within 20 bohr
 *        (xtb 6.5.1 has no periodic halogen-bond term and stops when one would apply).
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "gfn1_terms.h"

static bool is_halogen(int z) { return z == 17 || z == 35 || z == 53 || z == 85; }
static bool is_acceptor(int z) { return z == 7 || z == 8 || z == 15 || z == 16; }

#define XB_CUTOFF 20.0

/* distance between points p and q, d = p - q */
static double dist(const double *p, const double *q, double d[3])
{
    double r2 = 0.0;
    for (int k = 0; k < 3; ++k)
        d[k] = p[k] - q[k], r2 += d[k] * d[k];
    return sqrt(r2);
}

/* the position of atom i's image t */
static void image(const gfn1_geom *g, int i, int t, double out[3])
{
    const double *tv = gfn1_trans(g, t);
    for (int k = 0; k < 3; ++k)
        out[k] = g->xyz[3 * i + k] + tv[k];
}

/* Accumulate dE/dR_ij along the i-j vector (and its strain derivative). */
static void add_pair(double *grad, double *sigma, int i, int j, double dedr, const double d[3],
                     double r)
{
    gfn1_virial(sigma, dedr / r, d);
    for (int k = 0; grad && k < 3; ++k) {
        grad[3 * i + k] += dedr * d[k] / r;
        grad[3 * j + k] -= dedr * d[k] / r;
    }
}

double gfn1_halogen(const gfn1_params *p, const gfn1_geom *g, double *grad, double *sigma)
{
    double e = 0.0, d[3];
    int nt = gfn1_ntrans(g, XB_CUTOFF);
    for (int x = 0; x < g->n; ++x) {
        if (!is_halogen(g->z[x])) continue;
        const double *px = g->xyz + 3 * x;
        int nb = -1;
        double rbest = INFINITY, pb[3];
        for (int b = 0; b < g->n; ++b)
            for (int t = 0; t < nt; ++t) {
                double q[3];
                image(g, b, t, q);
                double r = dist(px, q, d);
                if ((b != x || t != 0) && r < rbest) rbest = r, nb = b, memcpy(pb, q, sizeof(q));
            }
        if (nb < 0) continue;
        const gfn1_element *X = &p->el[g->z[x]];
        for (int y = 0; y < g->n; ++y)
            for (int ty = 0; ty < nt; ++ty) {
                if ((y == x && ty == 0) || !is_acceptor(g->z[y])) continue;
                double py[3], dxy[3], dbx[3], dby[3];
                image(g, y, ty, py);
                double rxy = dist(py, px, dxy), rbx = dist(px, pb, dbx), rby = dist(py, pb, dby);
                if (rxy * rxy >= XB_CUTOFF * XB_CUTOFF) continue;
                double r0 = p->xbrad * (X->r_atomic + p->el[g->z[y]].r_atomic);
                double t = (rbx * rbx + rxy * rxy - rby * rby) / (rbx * rxy);
                double base = 0.5 - 0.25 * t;
                double fth = pow(base, 6);
                double u6 = pow(r0 / rxy, 6), u12 = u6 * u6;
                double num = u12 - p->xbdamp * u6, den = 1.0 + u12;
                double radial = X->cxb * num / den;
                e += fth * radial;
                if (!grad && !sigma) continue;
                double dnum = (-12.0 * u12 + 6.0 * p->xbdamp * u6) / rxy, dden = -12.0 * u12 / rxy;
                double dradial = X->cxb * (dnum * den - num * dden) / (den * den);
                double dfdt = -1.5 * pow(base, 5);
                double dt_dbx = 2.0 / rxy - t / rbx, dt_dxy = 2.0 / rbx - t / rxy,
                       dt_dby = -2.0 * rby / (rbx * rxy);
                add_pair(grad, sigma, y, x, fth * dradial + radial * dfdt * dt_dxy, dxy, rxy);
                add_pair(grad, sigma, x, nb, radial * dfdt * dt_dbx, dbx, rbx);
                add_pair(grad, sigma, y, nb, radial * dfdt * dt_dby, dby, rby);
            }
    }
    return e;
}
