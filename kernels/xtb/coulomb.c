/**
 * @file coulomb.c
 * @brief GFN1-xTB electrostatics (J. Chem. Theory Comput. 13, 1989 (2017), eqs. 12-14; spec §5):
 *        shell-resolved isotropic second order with the Klopman-Ohno-Mataga-Nishimoto kernel
 *        gamma = 1/sqrt(R^2 + eta^-2), eta_sh = eta_A (1 + kappa_l), harmonic mean between shells,
 *        gamma = eta on the same atom; third order E3 = 1/3 sum_A Gamma_A q_A^3. Hartree.
 */
#include <math.h>
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

void gfn1_gamma(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, double *gam)
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
