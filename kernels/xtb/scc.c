/**
 * @file scc.c
 * @brief Self-consistent charges of GFN1-xTB for molecules (spec §5-6): F = H0 - 1/2 S (V_m + V_n)
 *        (eV), F C = S C e (Cholesky of S once, dsygst + dsytrd + dstedc, back-transformation
 *        of the occupied orbitals only; single precision in the early iterations of large
 *        systems, docs/theory-gfn1.md "Eigensolver"), Fermi occupations per spin channel,
 *        Mulliken shell charges q = n0 - N, E_SCC = tr(P H0) + E2(q_out) + E3(q_out) + E_TS
 *        evaluated with the charges of the current diagonalisation. Charges are mixed by Johnson's
 *        modified Broyden scheme with damping 0.4 (as xtb; settable); the converged energy does
 *        not depend on the mixer (spec §6.3). On request, Mulliken spin populations and d-band
 *        centres of the final diagonalisation (docs/theory-gfn1.md, "Descriptors").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "gfn1_scc_internal.h"

#define MIX_BETA 0.4 /* default damping */
#define NEGLECT  1e-8
/* Mixed precision: with at least GFN1_LARGE_NAO basis functions, the iterations before the RMS
 * charge change first drops below MIXED_RMS solve the generalized eigenproblem in single
 * precision up to the back-transformation C = L^-T Q Z (eigenvalue errors ~2e-5 eV on a 999-atom
 * water cluster); every later iteration, and so the converged one and
 * the one before it that the energy change compares with, is in double precision. */
#define MIXED_RMS 1e-4
/* ... or, below MIXED_STALL_RMS, as soon as the RMS change fails to drop below MIXED_STALL_FAC
 * times the smallest of the previous MIXED_STALL_WIN iterations (a stall: on the 999-atom water
 * cluster main's path crawled from 1.4e-4 to 1e-4 e over 20 single-precision iterations), and
 * then with a restarted Broyden history (docs/theory-gfn1.md, "Eigensolver") */
#define MIXED_STALL_RMS 1e-3
#define MIXED_STALL_FAC 0.7
#define MIXED_STALL_WIN 3

static void work_free(scc_work *w)
{
    free(w->chol), free(w->offd), free(w->tau), free(w->lwork), free(w->iwork);
    free(w->af), free(w->zf), free(w->workf), free(w->df), free(w->ef), free(w->tauf),
        free(w->cholf);
    free(w->xinv), free(w->h0o), free(w->dpot);
    free(w->s), free(w->h0), free(w->sfock), free(w->sfock_scratch), free(w->f), free(w->c),
        free(w->eps), free(w->p), free(w->gam);
    free(w->self), free(w->qin), free(w->qout), free(w->qat), free(w->vsh), free(w->occa),
        free(w->occb);
    free(w->n0);
    gfn1_mixer_free(&w->mix);
    free(w->cb), free(w->epsb), free(w->mag);
}

static ate_status alloc_work(scc_work *w, const gfn1_basis *b, int nat, int max_iter, bool spin,
                             bool gamma, ate_error *err)
{
    size_t n2 = (size_t)b->nao * b->nao, nsh = (size_t)b->nsh, ns = spin ? 2 * nsh : nsh;
    w->nao = b->nao, w->nsh = b->nsh, w->nat = nat, w->spin = spin, w->nv = (int)ns;
    for (int x = 0; x < b->nsh; ++x)
        w->has_d = w->has_d || b->sh[x].l == 2;
    if (spin) {
        w->cb = malloc(n2 * sizeof(double)), w->mag = malloc(n2 * sizeof(double));
        w->epsb = malloc((size_t)b->nao * sizeof(double));
        if (!w->cb || !w->mag || !w->epsb)
            return ATE_ERROR(err, ATE_ERR_MEMORY, "SCC: out of memory for %d basis functions",
                             b->nao);
    }
    w->s = malloc(n2 * sizeof(double)), w->h0 = malloc(n2 * sizeof(double));
    w->sfock = malloc(n2 * sizeof(double)), w->f = malloc(n2 * sizeof(double));
    w->sfock_scratch = malloc(n2 * sizeof(double));
    w->chol = malloc(n2 * sizeof(double));
    /* dstedc: 1 + 4n + n^2 and 3 + 5n; dsytrd and dormtr: (n + 2) * 64 + 4160 (block size up
     * to 64, dormqr's T) */
    size_t nl = 1 + 4 * (size_t)b->nao + n2, nq = ((size_t)b->nao + 2) * 64 + 4160;
    w->nlwork = (lapack_int)(nl > nq ? nl : nq), w->niwork = 3 + 5 * (lapack_int)b->nao;
    w->lwork = malloc((size_t)w->nlwork * sizeof(double));
    w->iwork = malloc((size_t)w->niwork * sizeof(lapack_int));
    w->offd = malloc((size_t)b->nao * sizeof(double)),
    w->tau = malloc((size_t)b->nao * sizeof(double));
    if (gamma && b->nao >= GFN1_LARGE_NAO) { /* failures here only turn mixed precision off */
        w->af = malloc(n2 * sizeof(float)), w->zf = malloc(n2 * sizeof(float));
        w->workf = malloc((size_t)w->nlwork * sizeof(float));
        w->df = malloc((size_t)b->nao * sizeof(float)),
        w->ef = malloc((size_t)b->nao * sizeof(float));
        w->tauf = malloc((size_t)b->nao * sizeof(float)), w->cholf = malloc(n2 * sizeof(float));
        if (!w->af || !w->zf || !w->workf || !w->df || !w->ef || !w->tauf || !w->cholf) {
            free(w->af), free(w->zf), free(w->workf), free(w->df), free(w->ef), free(w->tauf),
                free(w->cholf);
            w->af = w->zf = w->workf = w->df = w->ef = w->tauf = w->cholf = NULL;
        }
    }

    if (gamma && b->nao >= GFN1_LARGE_NAO) { /* failures here only keep dsygst */
        w->xinv = malloc(n2 * sizeof(double)), w->h0o = malloc(n2 * sizeof(double));
        w->dpot = malloc((size_t)b->nao * sizeof(double));
        if (!w->xinv || !w->h0o || !w->dpot) {
            free(w->xinv), free(w->h0o), free(w->dpot);
            w->xinv = w->h0o = w->dpot = NULL;
        }
    }
    w->c = malloc(n2 * sizeof(double)), w->p = malloc(n2 * sizeof(double));
    w->eps = malloc((size_t)b->nao * sizeof(double));
    w->occa = malloc((size_t)b->nao * sizeof(double)),
    w->occb = malloc((size_t)b->nao * sizeof(double));
    w->gam = malloc(nsh * nsh * sizeof(double)), w->self = malloc(nsh * sizeof(double));
    w->qin = calloc(ns, sizeof(double)), w->qout = calloc(ns, sizeof(double)),
    w->vsh = calloc(ns, sizeof(double));
    w->n0 = calloc(ns, sizeof(double)), w->qat = calloc((size_t)nat, sizeof(double));
    if (!w->lwork || !w->iwork || !w->offd || !w->tau || !w->chol || !w->sfock_scratch || !w->s ||
        !w->h0 || !w->sfock || !w->f || !w->c || !w->p || !w->eps || !w->occa || !w->occb ||
        !w->gam || !w->self || !w->qin || !w->qout || !w->vsh || !w->n0 || !w->qat)
        return ATE_ERROR(err, ATE_ERR_MEMORY, "SCC: out of memory for %d basis functions", b->nao);
    return gfn1_mixer_create(&w->mix, w->nv, b->nsh, max_iter, err);
}

static void atom_charges(const gfn1_basis *b, int nat, const double *qsh, double *qat)
{
    memset(qat, 0, (size_t)nat * sizeof(double));
    for (int x = 0; x < b->nsh; ++x)
        qat[b->sh[x].atom] += qsh[x];
}

/* P = sum_i n_i c_i c_i^T, or (energy_weighted) W = sum_i n_i e_i c_i c_i^T in hartree, over the
 * occupied orbitals only: P as one dsyrk of the occupied coefficients scaled by sqrt(n_i) (all
 * n_i > 0), its lower triangle mirrored; W, whose weights have both signs, as one dgemm of the
 * scaled occupied coefficients with the coefficients. */
static void density_of(scc_work *w, const double *c, const double *eps, const double *occ1,
                       const double *occ2, int nev, double scale, bool energy_weighted, double *out,
                       bool accumulate)
{
    int nao = w->nao, nocc = 0;
    double *scaled = w->f; /* the Fock matrix is rebuilt each iteration: free as scratch here */
    for (int i = 0; i < nev; ++i) {
        double occ = occ1[i] + (occ2 ? occ2[i] : 0.0);
        if (occ < 1e-14) continue;
        const double *ci = c + (size_t)i * nao;
        if (energy_weighted) {
            occ *= eps[i] / GFN1_AUTOEV;
            for (int mu = 0; mu < nao; ++mu) {
                scaled[(size_t)mu * nao + nocc] = occ * ci[mu];
                w->sfock_scratch[(size_t)mu * nao + nocc] = ci[mu];
            }
        } else {
            double f = sqrt(occ);
            double *si = scaled + (size_t)nocc * nao;
            for (int mu = 0; mu < nao; ++mu)
                si[mu] = f * ci[mu];
        }
        ++nocc;
    }
    if (nocc == 0) {
        if (!accumulate) memset(out, 0, (size_t)nao * nao * sizeof(double));
        return;
    }
    if (energy_weighted) {
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nao, nao, nocc, scale, scaled, nao,
                    w->sfock_scratch, nao, accumulate ? 1.0 : 0.0, out, nao);
        return;
    }
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, nao, nocc, scale, scaled, nao,
                accumulate ? 1.0 : 0.0, out, nao);
    for (int j = 0; j < nao; ++j) /* column j of the lower triangle into row j */
        for (int i = j + 1; i < nao; ++i)
            out[(size_t)i * nao + j] = out[(size_t)j * nao + i];
}

/* The total density (or W) of the last diagonalisation: one set of orbitals filled with both
 * spins, or (spin polarised) the alpha and beta sets; with magnetisation, M = P_a - P_b too. */
static void density(scc_work *w, double *out, bool energy_weighted)
{
    if (!w->spin) {
        density_of(w, w->c, w->eps, w->occa, w->occb, w->nev, 1.0, energy_weighted, out, false);
        return;
    }
    density_of(w, w->c, w->eps, w->occa, NULL, w->nev, 1.0, energy_weighted, out, false);
    density_of(w, w->cb, w->epsb, w->occb, NULL, w->nevb, 1.0, energy_weighted, out, true);
}

static void magnetisation(scc_work *w)
{
    density_of(w, w->c, w->eps, w->occa, NULL, w->nev, 1.0, false, w->mag, false);
    density_of(w, w->cb, w->epsb, w->occb, NULL, w->nevb, -1.0, false, w->mag, true);
}

/* W_xy of two shells of one atom (spGFN1: tblite's table by angular momenta, params spin.tsv) */
static double spin_w(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g, int x, int y)
{
    static const int idx[3][3] = {{0, 1, 3}, {1, 2, 4}, {3, 4, 5}}; /* ss sp pp sd pd dd */
    return p->el[g->z[b->sh[x].atom]].wspin[idx[b->sh[x].l][b->sh[y].l]];
}

/* E_spin = 1/2 sum_A sum_xy W_xy m_x m_y; vs[x] (optional) = sum_y W_xy m_y */
static double spin_energy(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                          const double *m, double *vs)
{
    double e = 0.0;
    for (int x = 0; x < b->nsh; ++x) {
        int a = b->sh[x].atom;
        double v = 0.0;
        for (int y = b->atom_sh0[a]; y < b->atom_sh0[a + 1]; ++y)
            v += spin_w(p, b, g, x, y) * m[y];
        if (vs) vs[x] = v;
        e += 0.5 * m[x] * v;
    }
    return e;
}

/* Spin polarised: the highest orbital filled at least half and the lowest one less, over the
 * alpha and beta sets (-inf / +inf when there is none). */
static void spin_frontier(const scc_work *w, double *homo, double *lumo)
{
    *homo = -INFINITY, *lumo = INFINITY;
    for (int set = 0; set < 2; ++set)
        for (int i = 0; i < w->nao; ++i) {
            double e = set ? w->epsb[i] : w->eps[i], f = set ? w->occb[i] : w->occa[i];
            if (f >= 0.5)
                *homo = fmax(*homo, e);
            else
                *lumo = fmin(*lumo, e);
        }
}

/* The energies of an iteration from its output charges qout and band energy (eV). */
static ate_status finish_iteration(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                                   scc_work *w, double eband_ev, gfn1_scc_result *r)
{
    atom_charges(b, g->n, w->qout, w->qat);
    r->e_band = eband_ev / GFN1_AUTOEV;
    r->e_es = gfn1_es_energy(p, b, g, w->gam, w->qout, w->qat, NULL);
    r->e_spin = w->spin ? spin_energy(p, b, g, w->qout + b->nsh, NULL) : 0.0;
    r->e_scc = r->e_band + r->e_es + r->e_spin + r->e_ts;
    return ATE_OK;
}

/* F = H0 - 1/2 S (V_x + V_y) - sgn 1/2 S (Vs_x + Vs_y) into w->f (eV; vsh NULL: H0 alone),
 * elements between atoms whose overlap is neglected zero */
static void fock(scc_work *w, const gfn1_basis *b, const double *vsh, const double *vs, double sgn)
{
    int nao = w->nao;
    for (int x = 0; x < b->nsh; ++x)
        for (int y = 0; y < b->nsh; ++y) {
            const gfn1_shell *a = &b->sh[x], *c = &b->sh[y];
            double v = vsh ? 0.5 * (vsh[x] + vsh[y]) * GFN1_AUTOEV : 0.0;
            if (vs) v -= sgn * 0.5 * (vs[x] + vs[y]) * GFN1_AUTOEV;
            for (int u = 0; u < a->nao; ++u)
                for (int q = 0; q < c->nao; ++q) {
                    size_t k = (size_t)(a->ao0 + u) * nao + c->ao0 + q;
                    w->f[k] =
                        w->sfock[k] == 0.0 && a->atom != c->atom ? 0.0 : w->h0[k] - w->sfock[k] * v;
                }
        }
}

/* One diagonalisation with input charges qin: fills eps, c, occupations, P, qout; returns E_SCC. */
static ate_status iterate(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                          scc_work *w, int nalpha, int nbeta, double kt_ev, double etemp,
                          bool single, gfn1_scc_result *r, ate_error *err)
{
    int nao = w->nao;
    atom_charges(b, g->n, w->qin, w->qat);
    gfn1_es_energy(p, b, g, w->gam, w->qin, w->qat, w->vsh);
    if (w->spin) spin_energy(p, b, g, w->qin + b->nsh, w->vsh + b->nsh);
    if (w->kw) {                          /* k-points: the same steps per k-point (bloch.c) */
        gfn1_kstep ks = {.pop = w->qout}; /* populations (and magnetisations) into qout */
        ATE_TRY(gfn1_kiterate(b, w->kw, w->vsh, nalpha, nbeta, kt_ev, &ks, err));
        for (int x = 0; x < b->nsh; ++x)
            w->qout[x] = w->n0[x] - ks.pop[x];
        r->e_ts = GFN1_KB * etemp * ks.entropy_sum;
        r->gap_ev = ks.gap_ev;
        w->kfermi_ev = ks.fermi_ev;
        return finish_iteration(p, b, g, w, ks.eband_ev, r);
    }
    /* Fock matrix (eV): F = H0 - 1/2 S (V_x + V_y), spin polarised F_a,b = F +- 1/2 S (Vs_x +
     * Vs_y) with Vs = dE_spin/dm (tblite's spGFN; docs/theory-gfn1.md) */
    const double *vs = w->spin ? w->vsh + b->nsh : NULL;
    double sa = 0.0, sb = 0.0;
    for (int ch = 0; ch < (w->spin ? 2 : 1); ++ch) {
        double sgn = ch == 0 ? 1.0 : -1.0;
        if (w->xinv) { /* large systems: F' = L^-1 F L^-T directly */
            if (!w->ortho_ready) {
                fock(w, b, NULL, NULL, 0.0);
                ATE_TRY(gfn1_ortho_setup(w, err));
            }
            for (int x = 0; x < b->nsh; ++x)
                for (int u = 0; u < b->sh[x].nao; ++u)
                    w->dpot[b->sh[x].ao0 + u] =
                        (w->vsh[x] - (vs ? sgn * vs[x] : 0.0)) * GFN1_AUTOEV;
            ATE_TRY(gfn1_fock_ortho(w, w->dpot, single, err));
        } else {
            fock(w, b, w->vsh, vs, sgn);
        }
        ATE_TRY(gfn1_eigensolve(w, ch == 0 ? w->c : w->cb, ch == 0 ? w->eps : w->epsb,
                                w->spin || (r->dband_atom && w->has_d), single, err));
    }
    if (!w->spin) { /* one set of orbitals for both spins (xtb 6.5.1) */
        sa = gfn1_fermi(w->eps, nao, nalpha, kt_ev, w->occa);
        sb = gfn1_fermi(w->eps, nao, nbeta, kt_ev, w->occb);
        ATE_TRY(gfn1_backtransform(w, w->c, w->occa, w->occb, &w->nev, err));
        if (w->precond && w->mix.pc_state >= 0) {
            gfn1_fermi_ldos(&w->mix, b, w->c, w->nev, w->occa, w->occb, kt_ev, w->sfock,
                            w->sfock_scratch);
            w->ldos_set = true;
        }
    } else {
        if (w->free_moment) { /* one Fermi level for both spins: the moment follows */
            sa = gfn1_fermi_free(w->eps, w->epsb, NULL, nao, nalpha + nbeta, kt_ev, w->occa,
                                 w->occb);
            sb = 0.0;
            if (isnan(sa)) return ATE_ERROR(err, ATE_ERR_MEMORY, "SCC: out of memory");
        } else {
            sa = gfn1_fermi(w->eps, nao, nalpha, kt_ev, w->occa);
            sb = gfn1_fermi(w->epsb, nao, nbeta, kt_ev, w->occb);
        }
        ATE_TRY(gfn1_backtransform(w, w->c, w->occa, NULL, &w->nev, err));
        ATE_TRY(gfn1_backtransform(w, w->cb, w->occb, NULL, &w->nevb, err));
        magnetisation(w);
    }
    r->e_ts = GFN1_KB * etemp * (sa + sb);
    density(w, w->p, false);
    /* Mulliken shell charges (and magnetisations) and the band energy */
    double eband = 0.0;
    for (int x = 0; x < b->nsh; ++x) {
        const gfn1_shell *a = &b->sh[x];
        double pop = 0.0, mpop = 0.0;
        for (int u = 0; u < a->nao; ++u) {
            size_t mu = (size_t)(a->ao0 + u);
            for (int nu = 0; nu < nao; ++nu) {
                pop += w->p[mu * nao + nu] * w->sfock[mu * nao + nu];
                eband += w->p[mu * nao + nu] * w->h0[mu * nao + nu];
                if (w->spin) mpop += w->mag[mu * nao + nu] * w->sfock[mu * nao + nu];
            }
        }
        w->qout[x] = w->n0[x] - pop;
        if (w->spin) w->qout[b->nsh + x] = mpop;
    }
    if (!w->spin) {
        int homo = (nalpha > nbeta ? nalpha : nbeta) - 1;
        r->gap_ev = homo >= 0 && homo + 1 < nao ? w->eps[homo + 1] - w->eps[homo] : 0.0;
    } else { /* the lowest empty minus the highest filled orbital of either spin */
        double homo, lumo;
        spin_frontier(w, &homo, &lumo);
        r->gap_ev = isfinite(homo) && isfinite(lumo) && lumo > homo ? lumo - homo : 0.0;
    }
    return finish_iteration(p, b, g, w, eband, r);
}

/* Mixed precision: whether this iteration's RMS charge change rms ends the single-precision
 * phase: 1 below MIXED_RMS, 2 for a stall below MIXED_STALL_RMS (then the Broyden history, which
 * has stopped making progress, is restarted in double precision), else 0; hist[MIXED_STALL_WIN]
 * keeps the previous RMS values (iteration it, from 1). */
static int leave_single(double *hist, int it, double rms)
{
    double lo = INFINITY;
    for (int k = 0; k < MIXED_STALL_WIN && k < it - 1; ++k)
        lo = fmin(lo, hist[k]);
    memmove(hist + 1, hist, (MIXED_STALL_WIN - 1) * sizeof(double));
    hist[0] = rms;
    return rms < MIXED_RMS ? 1 : rms < MIXED_STALL_RMS && rms > MIXED_STALL_FAC * lo ? 2 : 0;
}

static bool env_off(const char *name)
{
    const char *v = getenv(name);
    return v && strcmp(v, "0") == 0;
}

/* Gradient at the final state: W from the last diagonalisation, V and q from its output charges. */
static ate_status electronic_gradient(const gfn1_params *p, const gfn1_basis *b, const gfn1_geom *g,
                                      scc_work *w, double *grad, double *sigma, ate_error *err)
{
    int nao = w->nao, nk = w->kw ? w->kw->kp->nk : 0;
    double *wm = w->kw ? NULL : calloc((size_t)nao * nao, sizeof(double));
    double _Complex *wk = w->kw ? malloc((size_t)nk * nao * nao * sizeof(double _Complex)) : NULL;
    double *dcn = malloc((size_t)g->n * g->n * 3 * sizeof(double)),
           *cn = malloc((size_t)g->n * sizeof(double)),
           *dcnde = sigma ? malloc((size_t)g->n * 9 * sizeof(double)) : NULL;
    if ((!wm && !wk) || !dcn || !cn || (sigma && !dcnde)) {
        free(wm), free(wk), free(dcn), free(cn), free(dcnde);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "gradient: out of memory");
    }
    gfn1_density dens = {.nao = nao, .p = w->p, .w = wm, .m = w->spin ? w->mag : NULL};
    if (w->kw) {
        gfn1_kdensity(w->kw, true, wk);
        dens.kp = w->kw->kp, dens.pk = w->kw->p, dens.wk = wk;
        dens.mk = w->spin ? w->kw->m : NULL;
    } else {
        density(w, wm, true);
    }
    atom_charges(b, g->n, w->qout, w->qat);
    gfn1_es_energy(p, b, g, w->gam, w->qout, w->qat, w->vsh);
    if (w->spin) spin_energy(p, b, g, w->qout + b->nsh, w->vsh + b->nsh);
    gfn1_cn(p, g, cn, dcn, dcnde);
    ate_status st = gfn1_el_gradient(p, b, g, w->self, &dens, w->vsh, w->qout, dcn, dcnde, grad,
                                     sigma, w->spin ? w->vsh + b->nsh : NULL, err);
    free(wm), free(wk), free(dcn), free(cn), free(dcnde);
    return st;
}

/* Descriptors of the last diagonalisation (docs/theory-gfn1.md): the Fermi level, Mulliken spin
 * populations m_A = sum_{mu in A} sum_nu (P_a - P_b)_{mu nu} S_{mu nu} (Mulliken, J. Chem. Phys.
 * 23, 1833 (1955)), and the d-band centre of every atom with a d shell, the first moment of its
 * Mulliken-projected density of states over all orbitals, eps_d = sum_i w_i eps_i / sum_i w_i -
 * E_F with w_i = sum_{mu in d(A)} C_{mu i} (S C)_{mu i} (Hammer & Norskov, Nature 376, 238
 * (1995)). Must run before the gradient, which reuses the scratch matrices. */
static ate_status descriptors(const gfn1_basis *b, const gfn1_geom *g, scc_work *w,
                              gfn1_scc_result *r, ate_error *err)
{
    if (w->kw) { /* k-points (bloch.c) */
        r->fermi_ev = w->kfermi_ev;
        if (r->spin_atom) gfn1_kspins(b, w->kw, g->n, r->spin_atom);
        if (r->dband_atom) return gfn1_kdband(b, w->kw, g->n, r->fermi_ev, r->dband_atom, err);
        return ATE_OK;
    }
    int n = w->nao, top = -1;
    for (int i = 0; i < n; ++i)
        if (w->occa[i] >= 0.5 || w->occb[i] >= 0.5) top = i;
    r->fermi_ev = top < 0       ? w->eps[0]
                  : top + 1 < n ? 0.5 * (w->eps[top] + w->eps[top + 1])
                                : w->eps[top];
    if (w->spin) { /* two sets of orbitals: frontier levels over both; spins from m */
        double homo, lumo;
        spin_frontier(w, &homo, &lumo);
        r->fermi_ev = isfinite(homo) && isfinite(lumo) ? 0.5 * (homo + lumo)
                      : isfinite(homo)                 ? homo
                                                       : lumo;
        if (r->spin_atom) {
            memset(r->spin_atom, 0, (size_t)g->n * sizeof(double));
            for (int x = 0; x < b->nsh; ++x)
                r->spin_atom[b->sh[x].atom] += w->qout[b->nsh + x];
        }
    } else if (r->spin_atom) {
        memset(r->spin_atom, 0, (size_t)g->n * sizeof(double));
        for (int i = 0; i < w->nev; ++i) {
            double d = w->occa[i] - w->occb[i];
            if (fabs(d) < 1e-14) continue;
            const double *ci = w->c + (size_t)i * n;
            for (int x = 0; x < b->nsh; ++x) {
                const gfn1_shell *sh = &b->sh[x];
                double pop = 0.0;
                for (int u = 0; u < sh->nao; ++u) {
                    int mu = sh->ao0 + u;
                    double sc = 0.0;
                    for (int nu = 0; nu < n; ++nu)
                        sc += w->sfock[(size_t)mu * n + nu] * ci[nu];
                    pop += ci[mu] * sc;
                }
                r->spin_atom[sh->atom] += d * pop;
            }
        }
    }
    if (!r->dband_atom) return ATE_OK;
    for (int a = 0; a < g->n; ++a)
        r->dband_atom[a] = NAN;
    if (!w->has_d) return ATE_OK; /* no d shell: every centre is NaN */
    /* per d shell, sum_i w_i eps_i and sum_i w_i over the orbitals of both spin sets */
    double *num = calloc((size_t)b->nsh * 2, sizeof(double)), *den = num + b->nsh;
    if (!num) return ATE_ERROR(err, ATE_ERR_MEMORY, "d-band centres: out of memory");
    for (int set = 0; set < (w->spin ? 2 : 1); ++set) {
        double *c = set ? w->cb : w->c, *eps = set ? w->epsb : w->eps;
        int *nev = set ? &w->nevb : &w->nev;
        /* all orbitals: back-transform the ones backtransform() left out */
        if (*nev < n)
            cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, n, n - *nev,
                        1.0, w->chol, n, c + (size_t)*nev * n, n);
        *nev = n;
        double *sc = w->sfock_scratch;
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, w->s, n, c, n, 0.0, sc,
                    n);
        for (int x = 0; x < b->nsh; ++x) {
            const gfn1_shell *sh = &b->sh[x];
            if (sh->l != 2) continue;
            for (int i = 0; i < n; ++i) {
                double wi = 0.0;
                for (int u = 0; u < sh->nao; ++u) {
                    size_t k = (size_t)i * n + sh->ao0 + u;
                    wi += c[k] * sc[k];
                }
                num[x] += wi * eps[i], den[x] += wi;
            }
        }
    }
    ate_status st = gfn1_dband_centres(b, num, den, r->fermi_ev, r->dband_atom, err);
    free(num);
    return st;
}

ate_status gfn1_scc_run(const gfn1_params *p, const gfn1_geom *g, const gfn1_scc_opts *o,
                        gfn1_scc_result *r, ate_error *err)
{
    gfn1_basis b;
    ATE_TRY(gfn1_basis_create(p, g->z, g->n, &b, err));
    scc_work w = {0};
    double *cn = malloc((size_t)g->n * sizeof(double));
    ate_status st = cn ? alloc_work(&w, &b, g->n, o->max_iter, o->spin, !o->kpts, err)
                       : ATE_ERROR(err, ATE_ERR_MEMORY, "SCC: out of memory");
    int nel = -o->charge;
    for (int a = 0; a < g->n; ++a)
        nel += p->el[g->z[a]].zval;
    if (st == ATE_OK && nel < 0)
        st = ATE_ERROR(err, ATE_ERR_VALUE, "negative number of electrons (%d)", nel);
    int nopen = o->uhf;
    if (nopen == 0 && nel % 2) nopen = 1;
    if (st == ATE_OK && (nopen < 0 || nopen > nel || (nel - nopen) % 2))
        st = ATE_ERROR(err, ATE_ERR_VALUE, "%d electrons cannot have %d unpaired", nel, nopen);
    int nalpha = (nel + nopen) / 2, nbeta = (nel - nopen) / 2;
    gfn1_kwork kw;
    if (st == ATE_OK && o->kpts) {
        if (!(o->etemp > 0.0))
            st = ATE_ERROR(err, ATE_ERR_VALUE,
                           "k-point sampling needs an electronic temperature > 0 K");
        else if ((st = gfn1_kwork_alloc(&kw, o->kpts, b.nao, o->spin, err)) == ATE_OK)
            w.kw = &kw;
    }
    if (st == ATE_OK) {
        gfn1_cn(p, g, cn, NULL, NULL);
        if (w.kw)
            gfn1_sh0_kpts(p, &b, g, cn, o->kpts, kw.s, kw.h0, w.self);
        else
            gfn1_sh0(p, &b, g, cn, w.s, w.h0, w.self);
        /* the overlap the Fock matrix sees: tiny off-diagonal elements neglected as xtb does
         * (spec §2.5), except in the full lattice-sum mode, which keeps Gamma and k-point
         * sampling consistent (band folding) */
        bool neglect = !(g->lat && g->lat->mode == GFN1_PBC_FULL);
        memcpy(w.sfock, w.s, (size_t)b.nao * b.nao * sizeof(double));
        for (size_t k = 0; neglect && k < (size_t)b.nao * b.nao; ++k)
            if (fabs(w.sfock[k]) < NEGLECT) w.sfock[k] = 0.0;
        gfn1_gamma(p, &b, g, w.gam);
        /* initial atomic charges: the restart guess, else EEQ (xtb's default), else uniform;
         * spread over the shells in proportion to their reference occupations (spec §6.3) */
        bool restart = r->guess_valid && r->q_shell;
        double *q_guess = cn; /* the CN is not needed after H0 */
        if (!restart && !o->uniform_guess) st = gfn1_eeq_charges(p, g, o->charge, q_guess, err);
        for (int x = 0; x < b.nsh && st == ATE_OK; ++x) {
            const gfn1_shell *sh = &b.sh[x];
            const gfn1_element *e = &p->el[g->z[sh->atom]];
            w.n0[x] = sh->polarization ? 0.0 : e->refocc[sh->l];
            double qa = o->uniform_guess ? (double)o->charge / g->n : q_guess[sh->atom];
            w.qin[x] = restart ? r->q_shell[x] : qa * w.n0[x] / e->zval;
            /* magnetisations: the restart guess, else zero (tblite; N_a != N_b polarises); with
             * a free moment, uhf unpaired electrons spread over the d shells (else all valence
             * shells) in proportion to their reference occupations break the symmetry */
            if (w.spin) w.qin[b.nsh + x] = restart ? r->q_shell[b.nsh + x] : 0.0;
        }
    }
    w.free_moment = o->spin && o->free_moment;
    if (st == ATE_OK && w.free_moment && !(r->guess_valid && r->q_shell) && o->uhf > 0) {
        double tot_d = 0.0, tot = 0.0;
        for (int x = 0; x < b.nsh; ++x)
            tot_d += b.sh[x].l == 2 ? w.n0[x] : 0.0, tot += w.n0[x];
        for (int x = 0; x < b.nsh; ++x) {
            double wx = tot_d > 0.0 ? (b.sh[x].l == 2 ? w.n0[x] / tot_d : 0.0) : w.n0[x] / tot;
            w.qin[b.nsh + x] = o->uhf * wx;
        }
    }
    if (w.kw) w.kw->free_moment = w.free_moment;
    double kt_ev = GFN1_KB * GFN1_AUTOEV * o->etemp, eprev = 0.0;
    r->converged = false;
    bool single = w.af != NULL && !w.kw;
    /* diagnostics (docs/theory-gfn1.md, "Charge mixing"): ATE_GFN1_TRACE prints every iteration
     * to stderr; ATE_GFN1_PRECOND=0 turns the LDOS preconditioner off, ATE_GFN1_MIXED=0 single
     * precision */
    bool trace = getenv("ATE_GFN1_TRACE") != NULL;
    w.precond = !w.kw && !w.spin && !env_off("ATE_GFN1_PRECOND");
    if (env_off("ATE_GFN1_MIXED")) single = false;
    double rms_hist[MIXED_STALL_WIN];
    for (int it = 1; st == ATE_OK && it <= o->max_iter; ++it) {
        bool prev_single = w.single;
        st = iterate(p, &b, g, &w, nalpha, nbeta, kt_ev, o->etemp, single, r, err);
        if (st != ATE_OK) break;
        r->iterations = it;
        double rms = 0.0;
        double *fx = w.vsh; /* reuse as residual buffer */
        for (int x = 0; x < w.nv; ++x)
            fx[x] = w.qout[x] - w.qin[x], rms += fx[x] * fx[x];
        rms = sqrt(rms / g->n);
        if (trace)
            fprintf(stderr, "scc %3d E %.10f dE %+.3e rms %.3e gap %.4f %s\n", it, r->e_scc,
                    r->e_scc - eprev, rms, r->gap_ev, w.single ? "sp" : "dp");
        int leave = single ? leave_single(rms_hist, it, rms) : 0;
        if (leave) single = false;
        if (leave == 2) gfn1_mixer_restart(&w.mix); /* a stalled history is dropped */
        if (it > 1 && !w.single && !prev_single && fabs(r->e_scc - eprev) < o->econv &&
            rms < o->qconv) {
            r->converged = true;
            break;
        }
        eprev = r->e_scc;
        gfn1_mixer_step(&w.mix, w.qin, fx, o->mixing > 0.0 ? o->mixing : MIX_BETA,
                        w.ldos_set ? w.gam : NULL);
    }
    if (st == ATE_OK && r->q_atom) atom_charges(&b, g->n, w.qout, r->q_atom);
    if (st == ATE_OK && r->q_shell) memcpy(r->q_shell, w.qout, (size_t)w.nv * sizeof(double));
    if (st == ATE_OK && (r->spin_atom || r->dband_atom)) st = descriptors(&b, g, &w, r, err);
    if (st == ATE_OK && o->grad) st = electronic_gradient(p, &b, g, &w, o->grad, o->sigma, err);
    if (w.kw) gfn1_kwork_free(w.kw);
    work_free(&w);
    free(cn);
    gfn1_basis_free(&b);
    return st;
}
