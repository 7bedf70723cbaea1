/**
 * @file basis.c
 * @brief The GFN1-xTB minimal basis (spec §2): one contracted STO-nG function per shell, exponents
 *        a_k zeta^2, primitives normalised as x^l Gaussians, N = (2a/pi)^(3/4) (4a)^(l/2) /
 *        sqrt((2l-1)!!), contractions not renormalised; the H 2s polarisation shell is
 *        orthogonalised to H 1s (Gram-Schmidt) and normalised. s: 1 AO, p: 3 (x, y, z),
 *        d: 5 real spherical.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gfn1_scc.h"

static double prim_norm(double a, int l)
{
    static const double dfact[3] = {1.0, 1.0, 3.0};
    return pow(2.0 * a / ATE_XTB_PI, 0.75) * pow(4.0 * a, 0.5 * l) / sqrt(dfact[l]);
}

static int nprim_of(int z, int l, bool polarization)
{
    if (z <= 2) return polarization ? 3 : 4;
    return l == 2 ? 4 : 6;
}

static void contract(const gfn1_params *p, int ng, int n, int l, double zeta, gfn1_shell *sh)
{
    const gfn1_sto *t = &p->sto[ng][n][l];
    sh->nprim = ng;
    for (int k = 0; k < ng; ++k) {
        sh->alpha[k] = t->alpha[k] * zeta * zeta;
        sh->coeff[k] = t->coeff[k] * prim_norm(sh->alpha[k], l);
    }
}

static double ss_overlap(const gfn1_shell *a, const gfn1_shell *b)
{
    double s = 0.0;
    for (int i = 0; i < a->nprim; ++i)
        for (int j = 0; j < b->nprim; ++j)
            s += a->coeff[i] * b->coeff[j] * pow(ATE_XTB_PI / (a->alpha[i] + b->alpha[j]), 1.5);
    return s;
}

ate_status gfn1_basis_create(const gfn1_params *p, const int *z, int natoms, gfn1_basis *b,
                             ate_error *err)
{
    memset(b, 0, sizeof(*b));
    b->sh = calloc((size_t)natoms * 3, sizeof(gfn1_shell));
    b->atom_sh0 = calloc((size_t)natoms + 1, sizeof(int));
    if (!b->sh || !b->atom_sh0) return ATE_ERROR(err, ATE_ERR_MEMORY, "basis: out of memory");
    static const int nao_of[3] = {1, 3, 5};
    for (int a = 0; a < natoms; ++a) {
        const gfn1_element *e = &p->el[z[a]];
        b->atom_sh0[a] = b->nsh;
        bool seen[3] = {false, false, false};
        for (int s = 0; s < e->nsh; ++s) {
            gfn1_shell *sh = &b->sh[b->nsh++];
            sh->atom = a;
            sh->l = e->l[s];
            sh->ish = s;
            sh->polarization = seen[sh->l];
            seen[sh->l] = true;
            sh->nao = nao_of[sh->l];
            sh->ao0 = b->nao;
            b->nao += sh->nao;
            int ng = nprim_of(z[a], sh->l, sh->polarization);
            if (!p->sto[ng][e->n[s]][sh->l].ng)
                return ATE_ERROR(err, ATE_ERR_UNSUPPORTED,
                                 "no STO-%dG expansion for shell %d%c of Z = %d", ng, e->n[s],
                                 "spd"[sh->l], z[a]);
            contract(p, ng, e->n[s], sh->l, e->zeta[s], sh);
            if (!sh->polarization) continue;
            /* H 2s: phi' = phi_2s - <1s|2s> phi_1s, then normalised */
            const gfn1_shell *val = NULL;
            for (int v = b->atom_sh0[a]; v < b->nsh - 1; ++v)
                if (b->sh[v].l == sh->l && !b->sh[v].polarization) val = &b->sh[v];
            double s12 = ss_overlap(sh, val);
            for (int k = 0; k < val->nprim; ++k) {
                sh->alpha[sh->nprim + k] = val->alpha[k];
                sh->coeff[sh->nprim + k] = -s12 * val->coeff[k];
            }
            sh->nprim += val->nprim;
            double norm = sqrt(ss_overlap(sh, sh));
            for (int k = 0; k < sh->nprim; ++k)
                sh->coeff[k] /= norm;
        }
    }
    b->atom_sh0[natoms] = b->nsh;
    return ATE_OK;
}

void gfn1_basis_free(gfn1_basis *b)
{
    free(b->sh);
    free(b->atom_sh0);
    memset(b, 0, sizeof(*b));
}
