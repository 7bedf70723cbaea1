/**
 * @file coulomb.c
 * @brief GFN1-xTB electrostatics (J. Chem. Theory Comput. 13, 1989 (2017), eqs. 12-14; spec §5):
 *        shell-resolved isotropic second order with the Klopman-Ohno-Mataga-Nishimoto kernel
 *        gamma = 1/sqrt(R^2 + eta^-2), eta_sh = eta_A (1 + kappa_l), harmonic mean between shells,
 *        gamma = eta on the same atom; third order E3 = 1/3 sum_A Gamma_A q_A^3. Hartree.
 *
 *        Periodic cells (spec §12; docs/theory-gfn1.md, "Periodic cells"): gamma is split as
 *        1/R + [gamma_KO - 1/R]; the 1/R part is an Ewald sum (P. P. Ewald, Ann. Phys. 369, 253
 *        (1921)),
 *          phi(v) = sum_T erfc(a|v+T|)/|v+T| + 4 pi/V sum_{G != 0} cos(G.v) e^{-G^2/4a^2}/G^2
 *                   - pi/(V a^2)   (- 2a/sqrt(pi) for the atom's own term T = 0, v = 0),
 *        the short-range remainder a direct lattice sum.
 *         - full mode: phi converged (tails below 1e-13) plus the remainder over all images
 *           |v+T| <= 40 bohr, smoothly switched off between 30 and 40 bohr (it decays as
 *           -1/(2 eta^2 R^3); docs/theory-gfn1.md gives the truncation error), on-site eta;
 *         - xtb651 mode: xtb 6.5.1's rules: per atom pair the nearest ("Wigner-Seitz") images
 *           within the real-space cutoff, weight 1/count, each with the reciprocal sum and the
 *           real-space sum of [gamma_KO - erf(a r)/r] over the translations |T'| <= r_cut
 *           (tau = 1e-8), then on-site eta.
 *        Optional dipole correction (off by default; docs/theory-gfn1.md): the Ewald sum above has
 *        tin-foil boundary conditions; with M = sum_x q_x r_x (positions as given, not wrapped),
 *          slab: E_dip = 2 pi/V (M.n)^2, n the unit normal of a x b (L. Bengtsson, Phys. Rev. B
 *                59, 12301 (1999); I.-C. Yeh, M. L. Berkowitz, J. Chem. Phys. 111, 3155 (1999));
 *          xyz:  the isolated-system correction (coulomb_excess): every image interaction of
 *                the 1/r tail is taken out again; its leading terms are the Makov-Payne monopole
 *                term and the surface term 2 pi/(3V) |M|^2 of a cell embedded in vacuum (S. W.
 *                de Leeuw, J. W. Perram, E. R. Smith, Proc. R. Soc. A 373, 27 (1980));
 *        both are quadratic in the charges, so they enter gamma.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gfn1_coulomb.h"

static double pair_eta(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, int x, int y)
{
    const gfn1_shell *a = &b->sh[x], *c = &b->sh[y];
    const gfn1_element *ea = &p->el[g->z[a->atom]], *ec = &p->el[g->z[c->atom]];
    double eta_a = ea->gam * (1.0 + ea->lpar[a->l]), eta_c = ec->gam * (1.0 + ec->lpar[c->l]);
    return 2.0 / (1.0 / eta_a + 1.0 / eta_c);
}

static double pair_r2(const gfn1_basis *b, const gfn1_geom *g, int x, int y)
{
    double r2 = 0.0;
    for (int k = 0; k < 3; ++k) {
        double d = g->xyz[3 * b->sh[x].atom + k] - g->xyz[3 * b->sh[y].atom + k];
        r2 += d * d;
    }
    return r2;
}

double gfn1_gamma_dr_over_r(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, int x,
                            int y)
{
    double eta = pair_eta(p, b, g, x, y), t = pair_r2(b, g, x, y) + 1.0 / (eta * eta);
    return -1.0 / (t * sqrt(t));
}

static void gamma_molecule(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                           double *gam)
{
    int n = b->nsh;
    for (int x = 0; x < n; ++x)
        for (int y = 0; y <= x; ++y) {
            double eta = pair_eta(p, b, g, x, y);
            double v = b->sh[x].atom == b->sh[y].atom
                           ? eta
                           : 1.0 / sqrt(pair_r2(b, g, x, y) + 1.0 / (eta * eta));
            gam[(size_t)x * n + y] = gam[(size_t)y * n + x] = v;
        }
}

double gfn1_es_energy(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                      const double *gam, const double *qsh, const double *qat, double *vsh)
{
    int n = b->nsh;
    double e2 = 0.0, e3 = 0.0;
    for (int x = 0; x < n; ++x) {
        double v = 0.0;
        for (int y = 0; y < n; ++y)
            v += gam[(size_t)x * n + y] * qsh[y];
        e2 += 0.5 * qsh[x] * v;
        int a = b->sh[x].atom;
        double g3 = p->el[g->z[a]].gam3;
        if (vsh) vsh[x] = v + g3 * qat[a] * qat[a];
    }
    for (int a = 0; a < g->n; ++a)
        e3 += p->el[g->z[a]].gam3 * qat[a] * qat[a] * qat[a] / 3.0;
    return e2 + e3;
}

/* ---- periodic cells ---- */

#define GFN1_MAXSH 3 /* shells per atom in GFN1 */
#define KO_RON     30.0
#define KO_ROFF    40.0
#define SQRTPI     1.7724538509055160272981674833411452

/* Reciprocal-space Ewald sum at v (without -pi/(V a^2)); when dphi is not NULL its gradient with
 * respect to v, when sig is not NULL its strain derivative added to sig[9] (G.v is invariant,
 * G -> (1 - eps) G, V -> (1 + tr eps) V):
 *   d/d eps_ij [4 pi/V e^{-G^2/4a^2}/G^2] = 4 pi/V e^{..}/G^2 [2 G_i G_j (1/G^2 + 1/4a^2) -
 * delta_ij]. */
static double ewald_recip(const gfn1_lattice *l, const double *v, double *dphi, double scale,
                          double *sig)
{
    double sum = 0.0, pref = 4.0 * GFN1_PI / l->volume, a2 = 4.0 * l->alpha * l->alpha;
    if (dphi) dphi[0] = dphi[1] = dphi[2] = 0.0;
    for (int i = 0; i < l->ng; ++i) {
        const double *gv = l->g + 4 * (size_t)i;
        double e = pref * exp(-gv[0] / a2) / gv[0];
        double arg = gv[1] * v[0] + gv[2] * v[1] + gv[3] * v[2];
        sum += cos(arg) * e;
        if (sig) {
            double c = scale * cos(arg) * e, f = 2.0 * (1.0 / gv[0] + 1.0 / a2);
            for (int q = 0; q < 3; ++q)
                for (int k = 0; k < 3; ++k)
                    sig[3 * q + k] += c * (f * gv[1 + q] * gv[1 + k] - (q == k));
        }
        if (!dphi) continue;
        double sn = -sin(arg) * e;
        for (int k = 0; k < 3; ++k)
            dphi[k] += sn * gv[1 + k];
    }
    return sum;
}

/* the strain derivative of -pi/(V a^2): +pi/(V a^2) delta_ij */
static void background_strain(const gfn1_lattice *l, double scale, double *sig)
{
    for (int k = 0; k < 3; ++k)
        sig[4 * k] += scale * GFN1_PI / (l->volume * l->alpha * l->alpha);
}

/* gamma_KO at r and (d gamma / dr) / r. */
static double ko(double r2, double eta, double *dg_r)
{
    double t = r2 + 1.0 / (eta * eta), g = 1.0 / sqrt(t);
    if (dg_r) *dg_r = -g / t;
    return g;
}

/* pair_eta of every shell pair of atoms A, B: eta[x - sh0(A)][y - sh0(B)] */
static void shell_etas(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, int A, int B,
                       double eta[GFN1_MAXSH][GFN1_MAXSH], int *nx, int *ny)
{
    int x0 = b->atom_sh0[A], y0 = b->atom_sh0[B];
    *nx = b->atom_sh0[A + 1] - x0, *ny = b->atom_sh0[B + 1] - y0;
    if (*nx > GFN1_MAXSH || *ny > GFN1_MAXSH) /* cannot happen: no GFN1 element has more */
        *nx = *ny = 0;
    for (int x = 0; x < *nx; ++x)
        for (int y = 0; y < *ny; ++y)
            eta[x][y] = pair_eta(p, b, g, x0 + x, y0 + y);
}

/* Full mode, one atom pair A >= B with v = r_A - r_B: J block (shell x of A, y of B); when dj is
 * not NULL the q_x q_y-weighted dJ/dv summed into dj[3]; when sg is not NULL the q-weighted
 * strain derivative, times the pair's weight in E2 (1, or 1/2 for A = B), added to sg[9]. */
static void full_pair(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, int A, int B,
                      double *jblk, const double *qsh, double *dj, double *sg)
{
    const gfn1_lattice *l = g->lat;
    double eta[GFN1_MAXSH][GFN1_MAXSH], qq[GFN1_MAXSH][GFN1_MAXSH], qsum = 0.0;
    int nx, ny;
    shell_etas(p, b, g, A, B, eta, &nx, &ny);
    int x0 = b->atom_sh0[A], y0 = b->atom_sh0[B];
    bool deriv = dj || sg;
    double wpair = A == B ? 0.5 : 1.0;
    for (int x = 0; deriv && x < nx; ++x)
        for (int y = 0; y < ny; ++y)
            qq[x][y] = qsh[x0 + x] * qsh[y0 + y], qsum += qq[x][y];
    double v[3], dphi[3] = {0.0, 0.0, 0.0};
    gfn1_image_r2(g, A, B, 0, v);
    /* Ewald 1/R: shell independent */
    double phi = ewald_recip(l, v, dj ? dphi : NULL, wpair * qsum, sg) -
                 GFN1_PI / (l->volume * l->alpha * l->alpha);
    if (sg) background_strain(l, wpair * qsum, sg);
    double a = l->alpha;
    int nt = gfn1_ntrans(g, l->rcut > KO_ROFF ? l->rcut : KO_ROFF);
    double kosum[GFN1_MAXSH][GFN1_MAXSH] = {{0.0}}, dko[GFN1_MAXSH][GFN1_MAXSH][3] = {{{0.0}}};
    for (int t = 0; t < nt; ++t) {
        double d[3], r2 = gfn1_image_r2(g, A, B, t, d);
        if (r2 < 1e-12) { /* the atom itself: Ewald self term, no KO remainder */
            phi -= 2.0 * a / SQRTPI;
            continue;
        }
        double r = sqrt(r2);
        if (r <= l->rcut) {
            double ec = erfc(a * r) / r;
            phi += ec;
            if (deriv) {
                double de_r = (-2.0 * a / SQRTPI * exp(-a * a * r2) - ec) / r2;
                for (int k = 0; dj && k < 3; ++k)
                    dphi[k] += de_r * d[k];
                gfn1_virial(sg, wpair * qsum * de_r, d);
            }
        }
        if (r >= KO_ROFF) continue;
        double ds_r, sw = gfn1_switch(r, KO_ROFF, KO_ROFF - KO_RON, &ds_r);
        for (int x = 0; x < nx; ++x)
            for (int y = 0; y < ny; ++y) {
                double dg_r, rem = ko(r2, eta[x][y], &dg_r) - 1.0 / r;
                kosum[x][y] += sw * rem;
                if (!deriv) continue;
                double drem_r = dg_r + 1.0 / (r2 * r), f = sw * drem_r + rem * ds_r;
                for (int k = 0; dj && k < 3; ++k)
                    dko[x][y][k] += f * d[k];
                gfn1_virial(sg, wpair * qq[x][y] * f, d);
            }
    }
    for (int x = 0; x < nx; ++x)
        for (int y = 0; y < ny; ++y) {
            double onsite = A == B ? eta[x][y] : 0.0;
            if (jblk) jblk[x * GFN1_MAXSH + y] = phi + kosum[x][y] + onsite;
            for (int k = 0; dj && k < 3; ++k)
                dj[k] += qq[x][y] * (dphi[k] + dko[x][y][k]);
        }
}

/* xtb651 mode: the nearest images v = r_A + T - r_B (T in L(r_cut), T != 0 for A = B) within
 * d^2 <= d_min^2 + 1e-4 bohr^2; returns their count and fills idx (translation indices). */
static int ws_images(const gfn1_geom *g, int A, int B, int *idx, int cap)
{
    const gfn1_lattice *l = g->lat;
    int nt = gfn1_ntrans(g, l->rcut), n = 0;
    double dmin = INFINITY;
    for (int pass = 0; pass < 2; ++pass)
        for (int t = A == B; t < nt; ++t) {
            double d[3], r2 = gfn1_image_r2(g, A, B, t, d);
            /* image_r2 is r_A - r_B - T: the image r_A + T' - r_B with T' = -T is the same set */
            if (r2 > l->rcut * l->rcut) continue;
            if (pass == 0) {
                if (r2 < dmin) dmin = r2;
            } else if (r2 <= dmin + 1e-4 && n < cap) {
                idx[n++] = t;
            }
        }
    return n;
}

/* Real-space part of one xtb651 image v for every shell pair:
 * sum_{T'} [gamma_KO(|v+T'|) - erf(a|v+T'|)/|v+T'|] (-2a/sqrt(pi) at zero); dout (optional) its
 * gradient with respect to v; sg (optional) the strain derivative weighted by wq[x][y], added. */
static void xtb651_real(const gfn1_lattice *l, const double *v, int nx, int ny,
                        double eta[GFN1_MAXSH][GFN1_MAXSH], double out[GFN1_MAXSH][GFN1_MAXSH],
                        double dout[GFN1_MAXSH][GFN1_MAXSH][3], int ntp,
                        double wq[GFN1_MAXSH][GFN1_MAXSH], double *sg)
{
    double a = l->alpha;
    for (int x = 0; x < nx; ++x)
        for (int y = 0; y < ny; ++y) {
            out[x][y] = 0.0;
            if (dout) dout[x][y][0] = dout[x][y][1] = dout[x][y][2] = 0.0;
        }
    for (int t = 0; t < ntp; ++t) {
        const double *tv = l->t + 4 * (size_t)t + 1;
        double d[3] = {v[0] + tv[0], v[1] + tv[1], v[2] + tv[2]};
        double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2], r = sqrt(r2);
        if (r < 1e-9) {
            for (int x = 0; x < nx; ++x)
                for (int y = 0; y < ny; ++y)
                    out[x][y] -= 2.0 * a / SQRTPI;
            continue;
        }
        double ef = erf(a * r) / r;
        double def_r = (2.0 * a / SQRTPI * exp(-a * a * r2) - ef) / r2;
        for (int x = 0; x < nx; ++x)
            for (int y = 0; y < ny; ++y) {
                double dg_r;
                out[x][y] += ko(r2, eta[x][y], &dg_r) - ef;
                for (int k = 0; dout && k < 3; ++k)
                    dout[x][y][k] += (dg_r - def_r) * d[k];
                if (sg) gfn1_virial(sg, wq[x][y] * (dg_r - def_r), d);
            }
    }
}

/* xtb651 mode, one atom pair A >= B: J block, q-weighted dJ/d(r_A - r_B) and strain derivative
 * (as full_pair). */
static void xtb651_pair(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, int A, int B,
                        double *jblk, const double *qsh, double *dj, double *sg)
{
    const gfn1_lattice *l = g->lat;
    double eta[GFN1_MAXSH][GFN1_MAXSH], wq[GFN1_MAXSH][GFN1_MAXSH];
    int nx, ny;
    shell_etas(p, b, g, A, B, eta, &nx, &ny);
    int x0 = b->atom_sh0[A], y0 = b->atom_sh0[B];
    int idx[64], nimg = ws_images(g, A, B, idx, 64);
    int ntp = gfn1_ntrans(g, l->rcut);   /* L(r_cut) (no reach in xtb651 mode) */
    for (int x = 0; jblk && x < nx; ++x) /* the on-site hardness, then the images */
        for (int y = 0; y < ny; ++y)
            jblk[x * GFN1_MAXSH + y] = 0.0;
    for (int x = 0; jblk && A == B && x < nx; ++x)
        for (int y = 0; y < ny; ++y)
            jblk[x * GFN1_MAXSH + y] += eta[x][y];
    double w = nimg ? 1.0 / nimg : 0.0, wpair = A == B ? 0.5 : 1.0, qsum = 0.0;
    for (int x = 0; (dj || sg) && x < nx; ++x)
        for (int y = 0; y < ny; ++y)
            wq[x][y] = wpair * w * qsh[x0 + x] * qsh[y0 + y], qsum += wq[x][y];
    for (int i = 0; i < nimg; ++i) {
        double v[3], dphi[3];
        gfn1_image_r2(g, A, B, idx[i], v);
        double gt = ewald_recip(l, v, dj ? dphi : NULL, qsum, sg) -
                    GFN1_PI / (l->volume * l->alpha * l->alpha);
        if (sg) background_strain(l, qsum, sg);
        double real[GFN1_MAXSH][GFN1_MAXSH], dreal[GFN1_MAXSH][GFN1_MAXSH][3];
        xtb651_real(l, v, nx, ny, eta, real, dj ? dreal : NULL, ntp, wq, sg);
        for (int x = 0; x < nx; ++x)
            for (int y = 0; y < ny; ++y) {
                if (jblk) jblk[x * GFN1_MAXSH + y] += w * (gt + real[x][y]);
                if (!dj) continue;
                double qq = qsh[x0 + x] * qsh[y0 + y];
                for (int k = 0; k < 3; ++k)
                    dj[k] += w * qq * (dphi[k] + dreal[x][y][k]);
            }
    }
}

typedef void (*pair_fn)(const gfn1_params *, const gfn1_basis *, const gfn1_geom *, int, int,
                        double *, const double *, double *, double *);

/* The Madelung potential of a unit point charge at its own site in the lattice with the
 * neutralising background: v_M = lim_{r->0} [phi(r) - 1/r] (-2.8373/L for a cube of edge L). */
static double madelung(const gfn1_lattice *l)
{
    static const double zero[3] = {0.0, 0.0, 0.0};
    double a = l->alpha, v = ewald_recip(l, zero, NULL, 0.0, NULL) - GFN1_PI / (l->volume * a * a) -
                             2.0 * a / SQRTPI;
    for (int t = 1; t < l->ntrans && l->t[4 * (size_t)t] <= l->rcut * l->rcut; ++t) {
        double r = sqrt(l->t[4 * (size_t)t]);
        v += erfc(a * r) / r;
    }
    return v;
}

/* scale * d v_M / d eps_ij added to sig[9]: the strain derivatives of madelung()'s terms, the
 * reciprocal sum and the background as in the Ewald stress (ewald_recip, background_strain) and
 * the real-space sum d/d eps_ij f(|T|) = f'(T) T_i T_j / T with f(r) = erfc(a r)/r,
 * f'(r) = -erfc(a r)/r^2 - 2a/sqrt(pi) e^{-a^2 r^2}/r. */
static void madelung_strain(const gfn1_lattice *l, double scale, double *sig)
{
    static const double zero[3] = {0.0, 0.0, 0.0};
    double a = l->alpha;
    ewald_recip(l, zero, NULL, scale, sig);
    background_strain(l, scale, sig);
    for (int t = 1; t < l->ntrans && l->t[4 * (size_t)t] <= l->rcut * l->rcut; ++t) {
        const double *tv = l->t + 4 * (size_t)t;
        double r = sqrt(tv[0]);
        double fp = -erfc(a * r) / (r * r) - 2.0 * a / SQRTPI * exp(-a * a * r * r) / r;
        for (int q = 0; q < 3; ++q)
            for (int k = 0; k < 3; ++k)
                sig[3 * q + k] += scale * fp * tv[1 + q] * tv[1 + k] / r;
    }
}

/* The isolated-system correction of `xyz` mode: E = 1/2 sum_AB q_A q_B K_AB with
 * K_AB = -Delta(r_A - r_B), Delta(d) = phi(d) - 1/|d| the excess of the periodic Coulomb potential
 * phi (the Ewald sum with its neutralising background) over the bare one, and K_AA = -v_M: it
 * takes every image interaction of the 1/r tail out again, so a molecule in a box sees its
 * isolated electrostatics at any order in 1/L. Expanded for a cube, Delta(d) = v_M +
 * 2 pi/(3V) |d|^2 + O(|d|^4/L^5), which is the Makov-Payne correction (Phys. Rev. B 51, 4014
 * (1995): the monopole term -1/2 v_M Q^2 and the quadrupole term, for a neutral cell the
 * vacuum-boundary dipole term 2 pi/(3V) |M|^2 of de Leeuw, Perram, Smith) plus the cubic l = 4
 * term that a charged, octahedral ion still feels at 40 Å (docs/validation.md). phi is periodic,
 * so it is taken at the wrapped separation dw (every translation within the real-space cutoff is
 * in the list), 1/|d| at the separation du of the positions as given (the molecule as a whole).
 * dd (optional): the gradient with respect to d; sig (optional): scale * d Delta / d eps_ij added
 * (r -> (1 + eps) r: the Ewald stress terms and, for -1/|d|, + d_i d_j / |d|^3). */
static double coulomb_excess(const gfn1_lattice *l, const double dw[3], const double du[3],
                             double *dd, double scale, double *sig)
{
    double a = l->alpha, v = ewald_recip(l, dw, dd, scale, sig) - GFN1_PI / (l->volume * a * a);
    if (sig) background_strain(l, scale, sig);
    double rw = sqrt(dw[0] * dw[0] + dw[1] * dw[1] + dw[2] * dw[2]);
    double rmax = l->rcut + rw;
    for (int t = 0; t < l->ntrans && l->t[4 * (size_t)t] <= rmax * rmax; ++t) {
        const double *tv = l->t + 4 * (size_t)t;
        double x[3] = {dw[0] + tv[1], dw[1] + tv[2], dw[2] + tv[3]};
        double r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
        if (r2 > l->rcut * l->rcut) continue;
        double r = sqrt(r2), ec = erfc(a * r) / r;
        v += ec;
        double fp = -ec / r - 2.0 * a / SQRTPI * exp(-a * a * r2) / r; /* d/dr erfc(a r)/r */
        for (int q = 0; q < 3; ++q) {
            if (dd) dd[q] += fp * x[q] / r;
            for (int k = 0; sig && k < 3; ++k)
                sig[3 * q + k] += scale * fp * x[q] * x[k] / r;
        }
    }
    double ru = sqrt(du[0] * du[0] + du[1] * du[1] + du[2] * du[2]), r3 = ru * ru * ru;
    v -= 1.0 / ru;
    for (int q = 0; q < 3; ++q) {
        if (dd) dd[q] += du[q] / r3;
        for (int k = 0; sig && k < 3; ++k)
            sig[3 * q + k] += scale * du[q] * du[k] / r3;
    }
    return v;
}

/* the charge of atom A: the sum of its shell charges */
static double atom_charge(const gfn1_basis *b, const double *qsh, int A)
{
    double q = 0.0;
    for (int x = b->atom_sh0[A]; x < b->atom_sh0[A + 1]; ++x)
        q += qsh[x];
    return q;
}

/* Delta(r_A - r_B) of atoms A != B (coulomb_excess) */
static double pair_excess(const gfn1_geom *g, int A, int B, double *dd, double scale, double *sig)
{
    double dw[3], du[3];
    for (int k = 0; k < 3; ++k) {
        dw[k] = g->xyz[3 * A + k] - g->xyz[3 * B + k];
        du[k] = g->lat->dip_xyz[3 * A + k] - g->lat->dip_xyz[3 * B + k];
    }
    return coulomb_excess(g->lat, dw, du, dd, scale, sig);
}

/* D of the slab dipole correction, scaled by 4 pi / V; false without one */
static bool dipole_matrix(const gfn1_lattice *l, double d[3][3])
{
    memset(d, 0, 9 * sizeof(double));
    double f = 4.0 * GFN1_PI / l->volume;
    if (l->dipole != GFN1_DIPOLE_SLAB) return false;
    const double *a = l->a[0], *b = l->a[1];
    double nv[3] = {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2],
                    a[0] * b[1] - a[1] * b[0]};
    double nn = sqrt(nv[0] * nv[0] + nv[1] * nv[1] + nv[2] * nv[2]);
    for (int i = 0; i < 3; ++i)
        for (int k = 0; k < 3; ++k)
            d[i][k] = f * nv[i] * nv[k] / (nn * nn);
    return true;
}

void gfn1_gamma(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, double *gam)
{
    if (!g->lat) {
        gamma_molecule(p, b, g, gam);
        return;
    }
    pair_fn fn = g->lat->mode == GFN1_PBC_XTB651 ? xtb651_pair : full_pair;
    int n = b->nsh;
    bool iso = g->lat->dipole == GFN1_DIPOLE_XYZ;
    double vm = iso ? madelung(g->lat) : 0.0;
    for (int A = 0; A < g->n; ++A)
        for (int B = 0; B <= A; ++B) {
            double blk[GFN1_MAXSH * GFN1_MAXSH];
            fn(p, b, g, A, B, blk, NULL, NULL, NULL);
            int x0 = b->atom_sh0[A], y0 = b->atom_sh0[B];
            double dm[3][3], dip = !iso     ? 0.0
                                   : A == B ? -vm
                                            : -pair_excess(g, A, B, NULL, 0.0, NULL);
            if (dipole_matrix(g->lat, dm)) { /* slab: (4 pi/V) r_A^T D r_B */
                const double *ra = g->lat->dip_xyz + 3 * A, *rb = g->lat->dip_xyz + 3 * B;
                for (int i = 0; i < 3; ++i)
                    for (int k = 0; k < 3; ++k)
                        dip += ra[i] * dm[i][k] * rb[k];
            }
            for (int x = x0; x < b->atom_sh0[A + 1]; ++x)
                for (int y = y0; y < b->atom_sh0[B + 1]; ++y) {
                    double v = blk[(x - x0) * GFN1_MAXSH + (y - y0)] + dip;
                    gam[(size_t)x * n + y] = gam[(size_t)y * n + x] = v;
                }
        }
}

void gfn1_gamma_gradient(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                         const double *qsh, double *grad, double *sigma)
{
    if (!g->lat) {
        for (int x = 0; x < b->nsh; ++x)
            for (int y = 0; y < x; ++y) {
                const gfn1_shell *a = &b->sh[x], *c = &b->sh[y];
                if (a->atom == c->atom) continue;
                double dg_r = gfn1_gamma_dr_over_r(p, b, g, x, y);
                for (int k = 0; k < 3; ++k) {
                    double v = qsh[x] * qsh[y] * dg_r *
                               (g->xyz[3 * a->atom + k] - g->xyz[3 * c->atom + k]);
                    grad[3 * a->atom + k] += v;
                    grad[3 * c->atom + k] -= v;
                }
            }
        return;
    }
    double dm[3][3];
    if (dipole_matrix(g->lat, dm)) { /* slab: q_A (4 pi/V) D M */
        double mu[3] = {0.0, 0.0, 0.0};
        for (int x = 0; x < b->nsh; ++x)
            for (int k = 0; k < 3; ++k)
                mu[k] += qsh[x] * g->lat->dip_xyz[3 * b->sh[x].atom + k];
        for (int x = 0; grad && x < b->nsh; ++x)
            for (int i = 0; i < 3; ++i)
                for (int k = 0; k < 3; ++k)
                    grad[3 * b->sh[x].atom + i] += qsh[x] * dm[i][k] * mu[k];
    }
    if (g->lat->dipole == GFN1_DIPOLE_XYZ) {
        /* E = 1/2 sum_AB q_A q_B K_AB, K_AB = -Delta(r_A - r_B), K_AA = -v_M (coulomb_excess) */
        double q2 = 0.0;
        for (int A = 0; A < g->n; ++A) {
            double qA = atom_charge(b, qsh, A);
            q2 += qA * qA;
            for (int B = 0; B < A; ++B) {
                double dd[3], qq = qA * atom_charge(b, qsh, B);
                pair_excess(g, A, B, dd, -qq, sigma);
                for (int k = 0; grad && k < 3; ++k)
                    grad[3 * A + k] -= qq * dd[k], grad[3 * B + k] += qq * dd[k];
            }
        }
        if (sigma) madelung_strain(g->lat, -0.5 * q2, sigma);
    }
    if (sigma && dipole_matrix(g->lat, dm)) {
        /* slab: E = 2 pi/V (M.n)^2 with n the unit normal of a x b and M = sum q r over the
         * unwrapped positions; under strain (r -> (1 + eps) r, V -> (1 + tr eps) V) M.n ->
         * (1 + n^T eps n) M.n (the in-plane parts of M and of the rotated normal cancel), so
         * d E / d eps_ij = E (2 n_i n_j - delta_ij) */
        const double *a = g->lat->a[0], *bb = g->lat->a[1];
        double nv[3] = {a[1] * bb[2] - a[2] * bb[1], a[2] * bb[0] - a[0] * bb[2],
                        a[0] * bb[1] - a[1] * bb[0]};
        double nn = sqrt(nv[0] * nv[0] + nv[1] * nv[1] + nv[2] * nv[2]), mn = 0.0;
        for (int x = 0; x < b->nsh; ++x)
            for (int k = 0; k < 3; ++k)
                mn += qsh[x] * g->lat->dip_xyz[3 * b->sh[x].atom + k] * nv[k] / nn;
        double e = 2.0 * GFN1_PI / g->lat->volume * mn * mn;
        for (int i = 0; i < 3; ++i)
            for (int k = 0; k < 3; ++k)
                sigma[3 * i + k] += e * (2.0 * nv[i] * nv[k] / (nn * nn) - (i == k));
    }
    pair_fn fn = g->lat->mode == GFN1_PBC_XTB651 ? xtb651_pair : full_pair;
    for (int A = 0; A < g->n; ++A)
        for (int B = 0; B <= A; ++B) { /* own images: no force (the distance is a lattice vector) */
            double dj[3] = {0.0, 0.0, 0.0};
            if (A == B && !sigma) continue;
            fn(p, b, g, A, B, NULL, qsh, A == B ? NULL : dj, sigma);
            for (int k = 0; grad && k < 3; ++k)
                grad[3 * A + k] += dj[k], grad[3 * B + k] -= dj[k];
        }
}
