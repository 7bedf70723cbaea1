/**
 * @file bloch.c
 * @brief k-point sampling for periodic GFN1-xTB (full mode; docs/theory-gfn1.md, "k-points"):
 *        Monkhorst-Pack grids reduced by time reversal (H. J. Monkhorst, J. D. Pack, Phys. Rev. B
 *        13, 5188 (1976)), Bloch sums of S and H0,
 *          S_mn(k) = sum_T <m, A | n, B + T> e^{i k.T},   H0_mn(k) likewise,
 *        the generalised Hermitian eigenproblems F(k) C = S(k) C e per k-point (LAPACK zpotrf,
 *        zhegst, zheevd), one Fermi level per spin channel over all k-points, Mulliken shell
 *        populations sum_k w_k Re (P(k) S(k))_mm, the band energy sum_k w_k Re tr(P(k) H0(k)),
 *        and the real-space densities the gradient needs,
 *          P~_nm(T) = sum_k w_k Re[e^{i k.T} P_nm(k)],
 *        real because the k-set is closed under k -> -k (P(-k) = P(k)*). Matrices are complex
 *        and column-major, one nao x nao block per k-point.
 */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "atescreen/kmesh.h"
#include "gfn1_coulomb.h"

/* ---- k-point grids ---- */

ate_status gfn1_kpts_grid(const gfn1_lattice *l, const int mesh[3], bool gamma_centred,
                          gfn1_kpts *kp, ate_error *err)
{
    memset(kp, 0, sizeof(*kp));
    /* Gamma-centred n/N = 2n/2N, Monkhorst-Pack (2n - N + 1)/2N */
    int off[3];
    for (int d = 0; d < 3; ++d)
        off[d] = gamma_centred ? 0 : 1 - mesh[d];
    double *f = NULL;
    ATE_TRY(ate_kmesh_reduced(mesh, off, &kp->nk, &f, &kp->w, err));
    kp->k = malloc((size_t)kp->nk * sizeof(*kp->k));
    if (!kp->k) {
        free(f);
        gfn1_kpts_free(kp);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "k-points: out of memory");
    }
    for (int m = 0; m < kp->nk; ++m)
        for (int d = 0; d < 3; ++d)
            kp->k[m][d] =
                f[3 * m] * l->b[0][d] + f[3 * m + 1] * l->b[1][d] + f[3 * m + 2] * l->b[2][d];
    free(f);
    return ATE_OK;
}

void gfn1_kpts_free(gfn1_kpts *kp)
{
    free(kp->k), free(kp->w);
    kp->k = NULL, kp->w = NULL, kp->nk = 0;
}

/* ---- Bloch sums ---- */

typedef struct kctx {
    const gfn1_kpts *kp;
    int nao;
    double complex *s, *h0;
} kctx;

static void add_bloch(void *ctx, const gfn1_sh0_block *blk)
{
    kctx *m = ctx;
    const gfn1_shell *a = blk->a, *c = blk->c;
    const double *T = blk->T;
    double hscale = blk->hfac * blk->pi;
    bool same = blk->same;
    size_t n = (size_t)m->nao, n2 = n * n;
    for (int k = 0; k < m->kp->nk; ++k) {
        const double *kv = m->kp->k[k];
        double complex ph = cexp(I * (kv[0] * T[0] + kv[1] * T[1] + kv[2] * T[2]));
        double complex *s = m->s + k * n2, *h = m->h0 + k * n2;
        for (int u = 0; u < a->nao; ++u)
            for (int v = 0; v < c->nao; ++v) {
                size_t mu = (size_t)(a->ao0 + u), nu = (size_t)(c->ao0 + v);
                double complex x = blk->s[u][v] * ph;
                s[mu + nu * n] += x; /* column-major (mu, nu) */
                h[mu + nu * n] += hscale * x;
                if (same) continue;
                s[nu + mu * n] += conj(x);
                h[nu + mu * n] += hscale * conj(x);
            }
    }
}

void gfn1_sh0_kpts(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, const double *cn,
                   const gfn1_kpts *kp, double complex *s, double complex *h0, double *selfenergy)
{
    size_t n = (size_t)b->nao, n2 = n * n;
    memset(s, 0, (size_t)kp->nk * n2 * sizeof(double complex));
    memset(h0, 0, (size_t)kp->nk * n2 * sizeof(double complex));
    gfn1_selfenergies(p, b, g, cn, selfenergy);
    for (int k = 0; k < kp->nk; ++k)
        for (int x = 0; x < b->nsh; ++x)
            for (int u = 0; u < b->sh[x].nao; ++u) {
                size_t mu = (size_t)(b->sh[x].ao0 + u);
                s[k * n2 + mu + mu * n] = 1.0;
                h0[k * n2 + mu + mu * n] = selfenergy[x];
            }
    kctx ctx = {kp, b->nao, s, h0};
    gfn1_sh0_visit(p, b, g, selfenergy, 0, add_bloch, &ctx);
}

/* ---- one SCC iteration over the k-points ---- */

ate_status gfn1_kwork_alloc(gfn1_kwork *w, const gfn1_kpts *kp, int nao, bool spin, ate_error *err)
{
    memset(w, 0, sizeof(*w));
    w->kp = kp, w->nao = nao, w->spin = spin;
    size_t n2 = (size_t)nao * nao * kp->nk, ne = (size_t)nao * kp->nk;
    w->s = malloc(n2 * sizeof(double complex)), w->h0 = malloc(n2 * sizeof(double complex));
    w->chol = malloc(n2 * sizeof(double complex)), w->c = malloc(n2 * sizeof(double complex));
    w->p = malloc(n2 * sizeof(double complex));
    w->scratch = malloc((size_t)nao * nao * sizeof(double complex));
    w->scratch2 = malloc((size_t)nao * nao * sizeof(double complex));
    w->eps = malloc(ne * sizeof(double)), w->occa = malloc(ne * sizeof(double));
    if (spin) {
        w->cb = malloc(n2 * sizeof(double complex)), w->m = malloc(n2 * sizeof(double complex));
        w->epsb = malloc(ne * sizeof(double));
    }
    w->occb = malloc(ne * sizeof(double)), w->wstate = malloc(ne * sizeof(double));
    if (!w->s || !w->h0 || !w->chol || !w->c || !w->p || !w->scratch || !w->scratch2 || !w->eps ||
        (spin && (!w->cb || !w->m || !w->epsb)) || !w->occa || !w->occb || !w->wstate) {
        gfn1_kwork_free(w);
        return ATE_ERROR(err, ATE_ERR_MEMORY,
                         "k-points: out of memory for %d k-points x %d basis "
                         "functions",
                         kp->nk, nao);
    }
    for (int k = 0; k < kp->nk; ++k)
        for (int i = 0; i < nao; ++i)
            w->wstate[(size_t)k * nao + i] = kp->w[k];
    return ATE_OK;
}

void gfn1_kwork_free(gfn1_kwork *w)
{
    free(w->s), free(w->h0), free(w->chol), free(w->c), free(w->p), free(w->scratch),
        free(w->scratch2);
    free(w->eps), free(w->occa), free(w->occb), free(w->wstate);
    free(w->cb), free(w->m), free(w->epsb);
    memset(w, 0, sizeof(*w));
}

/* F(k) = H0(k) - 1/2 S(k) (V_x + V_y) (eV), solved against S(k); all orbitals back-transformed. */
static ate_status solve_k(const gfn1_basis *b, gfn1_kwork *w, int k, const double *vsh_ev,
                          const double *vs_ev, double sgn, double complex *cset, double *epsset,
                          ate_error *err)
{
    int n = w->nao;
    size_t n2 = (size_t)n * n;
    double complex *s = w->s + k * n2, *h = w->h0 + k * n2, *c = cset + k * n2,
                   *l = w->chol + k * n2;
    lapack_int info;
    if (!w->have_chol) {
        memcpy(l, s, n2 * sizeof(double complex));
        info = LAPACKE_zpotrf(LAPACK_COL_MAJOR, 'L', n, l, n);
        if (info != 0)
            return ATE_ERROR(err, ATE_ERR_LIB,
                             "LAPACK zpotrf failed (info %d) at k-point %d: the Bloch overlap is "
                             "not positive definite",
                             (int)info, k + 1);
    }
    for (int x = 0; x < b->nsh; ++x)
        for (int y = 0; y < b->nsh; ++y) {
            const gfn1_shell *a = &b->sh[x], *cc = &b->sh[y];
            double v = 0.5 * (vsh_ev[x] + vsh_ev[y]);
            if (vs_ev) v -= sgn * 0.5 * (vs_ev[x] + vs_ev[y]);
            for (int u = 0; u < a->nao; ++u)
                for (int q = 0; q < cc->nao; ++q) {
                    size_t e = (size_t)(a->ao0 + u) + (size_t)(cc->ao0 + q) * n;
                    c[e] = h[e] - s[e] * v;
                }
        }
    info = LAPACKE_zhegst(LAPACK_COL_MAJOR, 1, 'L', n, c, n, l, n);
    if (info == 0) info = LAPACKE_zheevd(LAPACK_COL_MAJOR, 'V', 'L', n, c, n, epsset + k * n);
    if (info != 0)
        return ATE_ERROR(err, ATE_ERR_LIB, "LAPACK zhegst/zheevd failed (info %d) at k-point %d",
                         (int)info, k + 1);
    const double complex one = 1.0;
    cblas_ztrsm(CblasColMajor, CblasLeft, CblasLower, CblasConjTrans, CblasNonUnit, n, n, &one, l,
                n, c, n);
    return ATE_OK;
}

/* out(k) (+)= scale C diag(f) C^H over one set of orbitals (f the occupations occ1 + occ2, times
 * the orbital energy in hartree when energy-weighted): one zgemm of the occupation-scaled
 * occupied columns of C with the occupied columns. */
static void kdensity_of(gfn1_kwork *w, const double complex *cset, const double *epsset,
                        const double *occ1, const double *occ2, double scale, bool energy_weighted,
                        double complex *out, bool accumulate)
{
    int n = w->nao;
    size_t n2 = (size_t)n * n;
    for (int k = 0; k < w->kp->nk; ++k) {
        const double complex *c = cset + k * n2;
        double complex *sc = w->scratch, *cc = w->scratch2, *p = out + k * n2;
        int m = 0;
        for (int i = 0; i < n; ++i) {
            size_t e = (size_t)k * n + i;
            double f = occ1[e] + (occ2 ? occ2[e] : 0.0);
            if (f < 1e-14) continue;
            if (energy_weighted) f *= epsset[e] / GFN1_AUTOEV;
            for (int mu = 0; mu < n; ++mu) {
                sc[(size_t)m * n + mu] = f * c[(size_t)i * n + mu];
                cc[(size_t)m * n + mu] = c[(size_t)i * n + mu];
            }
            ++m;
        }
        if (m == 0) {
            if (!accumulate) memset(p, 0, n2 * sizeof(double complex));
            continue;
        }
        const double complex alpha = scale, beta = accumulate ? 1.0 : 0.0;
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasConjTrans, n, n, m, &alpha, sc, n, cc, n,
                    &beta, p, n);
    }
}

/* P(k) (or W(k)): one set of orbitals filled with both spins, or the alpha and beta sets. */
void gfn1_kdensity(gfn1_kwork *w, bool energy_weighted, double complex *out)
{
    if (!w->spin) {
        kdensity_of(w, w->c, w->eps, w->occa, w->occb, 1.0, energy_weighted, out, false);
        return;
    }
    kdensity_of(w, w->c, w->eps, w->occa, NULL, 1.0, energy_weighted, out, false);
    kdensity_of(w, w->cb, w->epsb, w->occb, NULL, 1.0, energy_weighted, out, true);
}

ate_status gfn1_kiterate(const gfn1_basis *b, gfn1_kwork *w, const double *vsh, int nalpha,
                         int nbeta, double kt_ev, gfn1_kstep *out, ate_error *err)
{
    int n = w->nao, nk = w->kp->nk;
    size_t n2 = (size_t)n * n, ne = (size_t)n * nk;
    int nv = w->spin ? 2 * b->nsh : b->nsh; /* spin: vsh[nsh + x] = the spin potential */
    double *vev = malloc((size_t)nv * sizeof(double));
    if (!vev) return ATE_ERROR(err, ATE_ERR_MEMORY, "k-points: out of memory");
    for (int x = 0; x < nv; ++x)
        vev[x] = vsh[x] * GFN1_AUTOEV;
    ate_status st = ATE_OK;
    for (int k = 0; k < nk && st == ATE_OK; ++k) {
        st = solve_k(b, w, k, vev, w->spin ? vev + b->nsh : NULL, 1.0, w->c, w->eps, err);
        if (st == ATE_OK && w->spin)
            st = solve_k(b, w, k, vev, vev + b->nsh, -1.0, w->cb, w->epsb, err);
    }
    free(vev);
    ATE_TRY(st);
    w->have_chol = true;
    const double *epsb = w->spin ? w->epsb : w->eps;
    double sa, sb = 0.0;
    if (w->spin && w->free_moment) { /* one Fermi level for both spins */
        sa = gfn1_fermi_free(w->eps, w->epsb, w->wstate, (int)ne, nalpha + nbeta, kt_ev, w->occa,
                             w->occb);
        if (isnan(sa)) return ATE_ERROR(err, ATE_ERR_MEMORY, "k-points: out of memory");
    } else {
        sa = gfn1_fermi_weighted(w->eps, w->wstate, (int)ne, nalpha, kt_ev, w->occa);
        sb = gfn1_fermi_weighted(epsb, w->wstate, (int)ne, nbeta, kt_ev, w->occb);
    }
    out->entropy_sum = sa + sb;
    gfn1_kdensity(w, false, w->p);
    if (w->spin) { /* M(k) = P_a(k) - P_b(k) */
        kdensity_of(w, w->c, w->eps, w->occa, NULL, 1.0, false, w->m, false);
        kdensity_of(w, w->cb, w->epsb, w->occb, NULL, -1.0, false, w->m, true);
    }
    /* Mulliken shell populations and the band energy (eV) */
    memset(out->pop, 0, (size_t)nv * sizeof(double));
    double eband = 0.0;
    for (int k = 0; k < nk; ++k) {
        const double complex *p = w->p + k * n2, *s = w->s + k * n2, *h = w->h0 + k * n2;
        const double complex *mk = w->spin ? w->m + k * n2 : NULL;
        for (int x = 0; x < b->nsh; ++x)
            for (int u = 0; u < b->sh[x].nao; ++u) {
                size_t mu = (size_t)(b->sh[x].ao0 + u);
                double pop = 0.0, e = 0.0, mp = 0.0;
                for (size_t nu = 0; nu < (size_t)n; ++nu) { /* (P S)_mm = sum_n P_mn S_nm */
                    pop += creal(p[mu + nu * n] * s[nu + mu * n]);
                    e += creal(p[mu + nu * n] * h[nu + mu * n]);
                    if (mk) mp += creal(mk[mu + nu * n] * s[nu + mu * n]);
                }
                out->pop[x] += w->kp->w[k] * pop;
                if (mk) out->pop[b->nsh + x] += w->kp->w[k] * mp;
                eband += w->kp->w[k] * e;
            }
    }
    out->eband_ev = eband;
    /* frontier orbitals over all k-points (and both spin sets) */
    double homo = -INFINITY, lumo = INFINITY;
    for (size_t e = 0; e < ne; ++e)
        for (int set = 0; set < (w->spin ? 2 : 1); ++set) {
            double ev = set ? w->epsb[e] : w->eps[e];
            bool occ = w->spin ? (set ? w->occb[e] : w->occa[e]) >= 0.5
                               : w->occa[e] >= 0.5 || w->occb[e] >= 0.5;
            if (occ && ev > homo) homo = ev;
            if (!occ && ev < lumo) lumo = ev;
        }
    out->gap_ev = isfinite(homo) && isfinite(lumo) && lumo > homo ? lumo - homo : 0.0;
    out->fermi_ev = isfinite(homo) && isfinite(lumo) ? 0.5 * (homo + lumo)
                    : isfinite(homo)                 ? homo
                                                     : lumo;
    return ATE_OK;
}

void gfn1_kspins(const gfn1_basis *b, gfn1_kwork *w, int natoms, double *spin_atom)
{
    int n = w->nao;
    size_t n2 = (size_t)n * n;
    memset(spin_atom, 0, (size_t)natoms * sizeof(double));
    for (int k = 0; k < w->kp->nk; ++k) {
        const double complex *s = w->s + k * n2;
        for (int set = 0; set < 2;
             ++set) { /* sum_i (f_a - f_b)_i c_i^H S c_i (one set) or per set */
            if (set && !w->spin) break;
            const double complex *c = (set ? w->cb : w->c) + k * n2;
            for (int i = 0; i < n; ++i) {
                size_t e = (size_t)k * n + i;
                double d = w->spin ? (set ? -w->occb[e] : w->occa[e]) : w->occa[e] - w->occb[e];
                if (fabs(d) < 1e-14) continue;
                const double complex *ci = c + (size_t)i * n;
                for (int x = 0; x < b->nsh; ++x)
                    for (int u = 0; u < b->sh[x].nao; ++u) {
                        size_t mu = (size_t)(b->sh[x].ao0 + u);
                        double complex sc = 0.0;
                        for (size_t nu = 0; nu < (size_t)n; ++nu)
                            sc += s[mu + nu * n] * ci[nu];
                        spin_atom[b->sh[x].atom] += w->kp->w[k] * d * creal(conj(ci[mu]) * sc);
                    }
            }
        }
    }
}

ate_status gfn1_kdband(const gfn1_basis *b, gfn1_kwork *w, int natoms, double fermi_ev,
                       double *dband_atom, ate_error *err)
{
    int n = w->nao;
    size_t n2 = (size_t)n * n;
    for (int a = 0; a < natoms; ++a)
        dband_atom[a] = NAN;
    /* per d shell: sum_k w_k sum_i w_i(k) eps_i(k) and sum_k w_k sum_i w_i(k), both spin sets */
    double *num = calloc((size_t)b->nsh * 2, sizeof(double)), *den = num + b->nsh;
    if (!num) return ATE_ERROR(err, ATE_ERR_MEMORY, "d-band centres: out of memory");
    const double complex one = 1.0, zero = 0.0;
    for (int k = 0; k < w->kp->nk; ++k)
        for (int set = 0; set < (w->spin ? 2 : 1); ++set) {
            const double complex *c = (set ? w->cb : w->c) + k * n2;
            const double *eps = (set ? w->epsb : w->eps) + (size_t)k * n;
            double complex *sc = w->scratch; /* S(k) C(k) */
            cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, &one, w->s + k * n2, n,
                        c, n, &zero, sc, n);
            for (int x = 0; x < b->nsh; ++x) {
                const gfn1_shell *sh = &b->sh[x];
                if (sh->l != 2) continue;
                for (int i = 0; i < n; ++i) {
                    double wi = 0.0; /* Mulliken weight of orbital i on the d shell */
                    for (int u = 0; u < sh->nao; ++u) {
                        size_t e = (size_t)i * n + (size_t)(sh->ao0 + u);
                        wi += creal(conj(c[e]) * sc[e]);
                    }
                    num[x] += w->kp->w[k] * wi * eps[i], den[x] += w->kp->w[k] * wi;
                }
            }
        }
    ate_status st = gfn1_dband_centres(b, num, den, fermi_ev, dband_atom, err);
    free(num);
    return st;
}

ate_status gfn1_dband_centres(const gfn1_basis *b, const double *num, const double *den,
                              double fermi_ev, double *dband_atom, ate_error *err)
{
    for (int x = 0; x < b->nsh; ++x) {
        if (b->sh[x].l != 2) continue;
        if (den[x] <= 0.0)
            return ATE_ERROR(err, ATE_ERR_INTERNAL, "d-band centre: no d weight on atom %d",
                             b->sh[x].atom + 1);
        dband_atom[b->sh[x].atom] = num[x] / den[x] - fermi_ev;
    }
    return ATE_OK;
}

void gfn1_density_phases(const gfn1_density *d, const double *T, double complex *ph)
{
    for (int k = 0; d->kp && k < d->kp->nk; ++k) {
        const double *kv = d->kp->k[k];
        ph[k] = cexp(I * (kv[0] * T[0] + kv[1] * T[1] + kv[2] * T[2])) * d->kp->w[k];
    }
}

double gfn1_density_at(const gfn1_density *d, size_t mu, size_t nu, const double complex *ph,
                       double *wv, double *mv)
{
    if (mv) *mv = 0.0;
    if (!d->kp) {
        size_t e = mu * (size_t)d->nao + nu;
        if (wv) *wv = d->w[e];
        if (mv && d->m) *mv = d->m[e];
        return d->p[e];
    }
    size_t n = (size_t)d->nao, n2 = n * n, e = nu + mu * n; /* element (nu, mu) */
    double pv = 0.0, ww = 0.0;
    for (int k = 0; k < d->kp->nk; ++k) {
        pv += creal(ph[k] * d->pk[k * n2 + e]);
        if (wv) ww += creal(ph[k] * d->wk[k * n2 + e]);
        if (mv && d->mk) *mv += creal(ph[k] * d->mk[k * n2 + e]);
    }
    if (wv) *wv = ww;
    return pv;
}
