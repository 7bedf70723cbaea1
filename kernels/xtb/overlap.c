/**
 * @file overlap.c
 * @brief Overlap integrals of contracted Cartesian Gaussians by the Obara-Saika recursion
 *        (Obara & Saika, J. Chem. Phys. 84, 3963 (1986), eq. A2), transformed to real spherical d;
 *        xtb's screening: primitive pairs with mu R^2 > 25 and shell pairs with R^2 > 2000 bohr^2
 * are skipped; on-site blocks are the identity (spec §2.5).
 */
#include <math.h>
#include <string.h>

#include "gfn1_scc.h"

#define INTCUT     25.0
#define SHELL_CUT2 2000.0

/* Cartesian exponents: s; p x y z; d xx yy zz xy xz yz */
static const int cart_l[3][6][3] = {
    {{0, 0, 0}},
    {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
    {{2, 0, 0}, {0, 2, 0}, {0, 0, 2}, {1, 1, 0}, {1, 0, 1}, {0, 1, 1}}};
static const int ncart[3] = {1, 3, 6};

/* 1-D overlaps s[i][j], i <= 3 (one beyond d, for derivatives), j <= 2, without the Gaussian
 * prefactor (s00 = 1). */
static void os1d(double xpa, double xpb, double p, double s[4][3])
{
    double h = 0.5 / p;
    s[0][0] = 1.0;
    for (int i = 1; i < 4; ++i)
        s[i][0] = xpa * s[i - 1][0] + (i > 1 ? (i - 1) * h * s[i - 2][0] : 0.0);
    for (int j = 1; j < 3; ++j)
        for (int i = 0; i < 4; ++i)
            s[i][j] = xpb * s[i][j - 1] + (i > 0 ? i * h * s[i - 1][j - 1] : 0.0) +
                      (j > 1 ? (j - 1) * h * s[i][j - 2] : 0.0);
}

/* Cartesian shell block (individually normalised components: xy, xz, yz carry sqrt(3)) and,
 * when dblk is not NULL, its derivative with respect to the centre of a:
 * d/dA_x x_A^i exp(-a x_A^2) = 2a x_A^(i+1) exp(..) - i x_A^(i-1) exp(..). */
static void cart_block(const gfn1_shell *a, const gfn1_shell *b, const double *ra, const double *rb,
                       double blk[6][6], double dblk[3][6][6])
{
    memset(blk, 0, sizeof(double) * 36);
    if (dblk) memset(dblk, 0, sizeof(double) * 108);
    double d[3], r2 = 0.0;
    for (int k = 0; k < 3; ++k)
        d[k] = ra[k] - rb[k], r2 += d[k] * d[k];
    for (int i = 0; i < a->nprim; ++i)
        for (int j = 0; j < b->nprim; ++j) {
            double p = a->alpha[i] + b->alpha[j], mu = a->alpha[i] * b->alpha[j] / p;
            if (mu * r2 > INTCUT) continue;
            double pref = a->coeff[i] * b->coeff[j] * exp(-mu * r2) * pow(ATE_XTB_PI / p, 1.5);
            double s[3][4][3];
            for (int k = 0; k < 3; ++k) {
                double P = (a->alpha[i] * ra[k] + b->alpha[j] * rb[k]) / p;
                os1d(P - ra[k], P - rb[k], p, s[k]);
            }
            for (int u = 0; u < ncart[a->l]; ++u)
                for (int v = 0; v < ncart[b->l]; ++v) {
                    const int *lu = cart_l[a->l][u], *lv = cart_l[b->l][v];
                    double sx = s[0][lu[0]][lv[0]], sy = s[1][lu[1]][lv[1]],
                           sz = s[2][lu[2]][lv[2]];
                    blk[u][v] += pref * sx * sy * sz;
                    if (!dblk) continue;
                    double one[3] = {sx, sy, sz};
                    for (int k = 0; k < 3; ++k) {
                        int li = lu[k];
                        double dk = 2.0 * a->alpha[i] * s[k][li + 1][lv[k]] -
                                    (li > 0 ? li * s[k][li - 1][lv[k]] : 0.0);
                        double prod = dk;
                        for (int q = 0; q < 3; ++q)
                            if (q != k) prod *= one[q];
                        dblk[k][u][v] += pref * prod;
                    }
                }
        }
    const double r3 = sqrt(3.0);
    for (int u = 3; u < 6; ++u) {
        if (a->l == 2)
            for (int v = 0; v < 6; ++v) {
                blk[u][v] *= r3;
                for (int k = 0; dblk && k < 3; ++k)
                    dblk[k][u][v] *= r3;
            }
        if (b->l == 2)
            for (int v = 0; v < 6; ++v) {
                blk[v][u] *= r3;
                for (int k = 0; dblk && k < 3; ++k)
                    dblk[k][v][u] *= r3;
            }
    }
}

/* Spherical d from normalised Cartesians: x2-y2, z2, xy, xz, yz. */
static const double tsph[5][6] = {{0.8660254037844386, -0.8660254037844386, 0, 0, 0, 0},
                                  {-0.5, -0.5, 1.0, 0, 0, 0},
                                  {0, 0, 0, 1.0, 0, 0},
                                  {0, 0, 0, 0, 1.0, 0},
                                  {0, 0, 0, 0, 0, 1.0}};

void gfn1_sph_block(int la, int lb, double cart[6][6], double out[5][5])
{
    double tmp[5][6];
    int na = la == 2 ? 5 : ncart[la], nb = lb == 2 ? 5 : ncart[lb];
    for (int u = 0; u < na; ++u)
        for (int v = 0; v < ncart[lb]; ++v) {
            double x = 0.0;
            if (la == 2)
                for (int c = 0; c < 6; ++c)
                    x += tsph[u][c] * cart[c][v];
            else
                x = cart[u][v];
            tmp[u][v] = x;
        }
    for (int u = 0; u < na; ++u)
        for (int v = 0; v < nb; ++v) {
            double x = 0.0;
            if (lb == 2)
                for (int c = 0; c < 6; ++c)
                    x += tmp[u][c] * tsph[v][c];
            else
                x = tmp[u][v];
            out[u][v] = x;
        }
}

bool gfn1_overlap_pair(const gfn1_shell *a, const gfn1_shell *c, const double *ra, const double *rc,
                       double s[5][5], double ds[3][5][5])
{
    double r2 = 0.0;
    for (int k = 0; k < 3; ++k)
        r2 += (ra[k] - rc[k]) * (ra[k] - rc[k]);
    if (r2 > SHELL_CUT2) return false;
    double cart[6][6], dcart[3][6][6];
    cart_block(a, c, ra, rc, cart, ds ? dcart : NULL);
    gfn1_sph_block(a->l, c->l, cart, s);
    for (int k = 0; ds && k < 3; ++k)
        gfn1_sph_block(a->l, c->l, dcart[k], ds[k]);
    return true;
}
