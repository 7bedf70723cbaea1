/**
 * @file mixer.c
 * @brief Charge mixing for the GFN1-xTB SCC (docs/theory-gfn1.md, "Charge mixing").
 *
 * Modified Broyden mixing (D. D. Johnson, Phys. Rev. B 38, 12807 (1988)), the scheme xtb 6.5.1
 * uses (spec §6.3): normalised differences dF_i = df_i/|df_i|, dX_i = dx_i/|df_i| of all previous
 * steps, weights w_i = 0.01/|f_i| clipped to [1, 1e5], w0 = 0.01, damping a = 0.4:
 *   beta = (w0^2 I + [w_i w_j dF_i.dF_j])^-1,  c_k = w_k dF_k.f,  g_n = sum_k c_k beta_kn,
 *   x <- x + a f - sum_n w_n g_n (a dF_n + dX_n)
 * i.e. Johnson's update with the initial inverse Jacobian G1 = -a I. Preconditioned, G1 = -a P with
 * P = (I + K gamma)^-1 the inverse of a model dielectric operator, whose response K is the
 * frozen-orbital response of the states at the Fermi level in the local (diagonal) approximation,
 * K = D - d d^T / sum(d), d_x the Fermi-level LDOS of shell x (the LDOS preconditioner of
 * M. F. Herbst and A. Levitt, J. Phys.: Condens. Matter 33, 085503 (2021), in a shell
 * basis; the - d d^T/sum(d) term is the Fermi-level shift that conserves the charge). Since the
 * update is linear in G1, x <- x + a P (f - sum_n w_n g_n dF_n) - sum_n w_n g_n dX_n, one
 * application of P per step; P is applied by the Woodbury identity on the k shells where d is
 * not negligible (a k x k solve), and is the identity (xtb's step, bit for bit) where there are
 * none, as in every system with a gap of more than a few kT.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "gfn1_mixer.h"

#define MIX_W0   0.01
#define LDOS_MIN 1e-4  /* e/Eh: shells with less Fermi-level LDOS are left out of K */
#define FSURF    1e-12 /* f(1-f) below which an orbital is not at the Fermi level */
/* the model response of one level, f(1-f)/kT per spin, at most PC_TMAX (1/eV): linear response
 * holds for potential changes below kT, and early SCC steps move levels by tenths of an eV, so a
 * level is modelled as broadened to at least 1/(4 PC_TMAX) = 0.125 eV */
#define PC_TMAX 2.0
/* the model is used for an SCC when, where it is first needed, its LDOS is spread over at least
 * PC_DELOC of the shells and PC_MIN_SHELLS shells ((sum d)^2 / sum d^2: a metal or semimetal),
 * and never when it sits on a few atoms (molecular levels, a d shell, a defect): there the local
 * model overscreens the polarisation of those molecules and stalls the SCC (docs/theory-gfn1.md).
 * The first step from the initial guess is always xtb's plain damping (a preconditioned first
 * step took [Sc(H2O)6]3+ from its EEQ guess, gap 0, to another SCC solution, 117 Eh higher) */
#define PC_DELOC      0.05
#define PC_MIN_SHELLS 16.0

ate_status gfn1_mixer_create(gfn1_mixer *m, int n, int nsh, int max_iter, ate_error *err)
{
    memset(m, 0, sizeof(*m));
    size_t mh = (size_t)(max_iter > 1 ? max_iter : 1), nv = (size_t)n, ns = (size_t)nsh;
    m->n = n, m->nsh = nsh, m->maxhist = (int)mh;
    m->hist_x = calloc(mh * nv, sizeof(double)), m->hist_f = calloc(mh * nv, sizeof(double));
    m->hist_w = calloc(mh, sizeof(double)), m->bmat = calloc(mh * mh, sizeof(double));
    m->bvec = calloc(mh, sizeof(double));
    m->xprev = calloc(nv, sizeof(double)), m->fprev = calloc(nv, sizeof(double));
    m->r = calloc(nv, sizeof(double)), m->ldos = calloc(ns, sizeof(double));
    m->pc_m = calloc(ns * ns, sizeof(double)), m->pc_z = calloc(ns, sizeof(double));
    m->pc_idx = calloc(ns, sizeof(int)), m->pc_piv = calloc(ns, sizeof(int));
    if (!m->hist_x || !m->hist_f || !m->hist_w || !m->bmat || !m->bvec || !m->xprev || !m->fprev ||
        !m->r || !m->ldos || !m->pc_m || !m->pc_z || !m->pc_idx || !m->pc_piv) {
        gfn1_mixer_free(m);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "SCC mixer: out of memory for %d charges", n);
    }
    m->nhist = -1; /* no previous step yet */
    return ATE_OK;
}

void gfn1_mixer_free(gfn1_mixer *m)
{
    free(m->hist_x), free(m->hist_f), free(m->hist_w), free(m->bmat), free(m->bvec);
    free(m->xprev), free(m->fprev), free(m->r), free(m->ldos), free(m->pc_m), free(m->pc_z);
    free(m->pc_idx), free(m->pc_piv);
    memset(m, 0, sizeof(*m));
}

void gfn1_mixer_restart(gfn1_mixer *m) { m->nhist = -1; }

/* r_sh <- P r_sh = (I + K gamma)^-1 r_sh with K = D - d d^T/s on the support of d (Woodbury:
 * (I + E K_S E^T gamma)^-1 = I - E K_S (I + gamma_SS K_S)^-1 E^T gamma). false when K is empty. */
bool gfn1_mixer_precondition(gfn1_mixer *m, const double *gam, double *r)
{
    int nsh = m->nsh, k = 0;
    const double *d = m->ldos;
    double s = 0.0;
    for (int x = 0; x < nsh; ++x)
        if (d[x] >= LDOS_MIN) m->pc_idx[k++] = x, s += d[x];
    if (k < 2 || m->pc_state < 0) return false;
    double s2 = 0.0;
    for (int i = 0; i < k; ++i)
        s2 += d[m->pc_idx[i]] * d[m->pc_idx[i]];
    if (m->pc_state == 0) {
        double need = PC_DELOC * nsh > PC_MIN_SHELLS ? PC_DELOC * nsh : PC_MIN_SHELLS;
        m->pc_state = s * s / s2 >= need ? 1 : -1;
    }
    if (m->pc_state < 0) return false;
    const int *ix = m->pc_idx;
    double *a = m->pc_m, *z = m->pc_z;
    for (int i = 0; i < k; ++i) {
        const double *gi = gam + (size_t)ix[i] * nsh;
        double gd = 0.0, gr = 0.0;
        for (int j = 0; j < k; ++j)
            gd += gi[ix[j]] * d[ix[j]];
        for (int y = 0; y < nsh; ++y)
            gr += gi[y] * r[y];
        z[i] = gr; /* (gamma r)_S */
        for (int j = 0; j < k; ++j)
            a[(size_t)j * k + i] = (i == j) + gi[ix[j]] * d[ix[j]] - gd * d[ix[j]] / s;
    }
    if (LAPACKE_dgesv_work(LAPACK_COL_MAJOR, k, 1, a, k, m->pc_piv, z, k) != 0) return false;
    double dz = 0.0;
    for (int i = 0; i < k; ++i)
        dz += d[ix[i]] * z[i];
    for (int i = 0; i < k; ++i)
        r[ix[i]] -= d[ix[i]] * (z[i] - dz / s);
    return true;
}

void gfn1_mixer_step(gfn1_mixer *m, double *x, const double *f, double beta, const double *gam)
{
    int n = m->n;
    double fnorm = 0.0;
    for (int k = 0; k < n; ++k)
        fnorm += f[k] * f[k];
    fnorm = sqrt(fnorm);
    if (m->nhist >= 0) { /* record the normalised (x_k - x_{k-1}, f_k - f_{k-1}), its weight */
        double dnorm = 0.0;
        for (int k = 0; k < n; ++k)
            dnorm += (f[k] - m->fprev[k]) * (f[k] - m->fprev[k]);
        dnorm = sqrt(dnorm);
        if (dnorm > 0.0 && m->nhist < m->maxhist) {
            size_t slot = (size_t)m->nhist * n;
            for (int k = 0; k < n; ++k) {
                m->hist_x[slot + k] = (x[k] - m->xprev[k]) / dnorm;
                m->hist_f[slot + k] = (f[k] - m->fprev[k]) / dnorm;
            }
            double wt = fnorm > 0.0 ? MIX_W0 / fnorm : 1e5;
            m->hist_w[m->nhist++] = wt < 1.0 ? 1.0 : (wt > 1e5 ? 1e5 : wt);
        }
    } else {
        m->nhist = 0;
    }
    memcpy(m->xprev, x, (size_t)n * sizeof(double));
    memcpy(m->fprev, f, (size_t)n * sizeof(double));

    int nh = m->nhist;
    double *dx = m->hist_x, *df = m->hist_f, *a = m->bmat, *c = m->bvec;
    for (int i = 0; i < nh; ++i) {
        c[i] = 0.0;
        for (int k = 0; k < n; ++k)
            c[i] += df[(size_t)i * n + k] * f[k];
        c[i] *= m->hist_w[i];
        for (int j = 0; j <= i; ++j) {
            double s = 0.0;
            for (int k = 0; k < n; ++k)
                s += df[(size_t)i * n + k] * df[(size_t)j * n + k];
            a[i * nh + j] = a[j * nh + i] =
                m->hist_w[i] * m->hist_w[j] * s + (i == j ? MIX_W0 * MIX_W0 : 0.0);
        }
    }
    if (nh > 0 && LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', nh, 1, a, nh, c, 1) != 0)
        for (int i = 0; i < nh; ++i)
            c[i] = 0.0; /* degenerate history: plain damping this step */
    /* the preconditioned form: r = f - sum_i w_i g_i dF_i, x += beta P r - sum_i w_i g_i dX_i */
    double *r = m->r;
    for (int k = 0; k < n; ++k) {
        double v = f[k];
        for (int i = 0; i < nh; ++i)
            v -= m->hist_w[i] * c[i] * df[(size_t)i * n + k];
        r[k] = v;
    }
    bool first = ++m->steps == 1; /* the first step from the guess: xtb's plain damping */
    if (gam && !first && gfn1_mixer_precondition(m, gam, r)) {
        for (int k = 0; k < n; ++k) {
            double v = x[k] + beta * r[k];
            for (int i = 0; i < nh; ++i)
                v -= m->hist_w[i] * c[i] * dx[(size_t)i * n + k];
            x[k] = v;
        }
        return;
    }
    for (int k = 0; k < n; ++k) { /* xtb's step, in its order of operations */
        double v = x[k] + beta * f[k];
        for (int i = 0; i < nh; ++i)
            v -= m->hist_w[i] * c[i] * (beta * df[(size_t)i * n + k] + dx[(size_t)i * n + k]);
        x[k] = v;
    }
}

void gfn1_fermi_ldos(gfn1_mixer *m, const gfn1_basis *b, const double *c, int nev,
                     const double *occa, const double *occb, double kt_ev, const double *s,
                     double *scratch)
{
    int n = b->nao, i0 = -1, i1 = -1;
    double *ldos = m->ldos;
    memset(ldos, 0, (size_t)b->nsh * sizeof(double));
    if (!(kt_ev > 0.0)) return;
    for (int i = 0; i < nev; ++i) {
        double t = occa[i] * (1.0 - occa[i]) + (occb ? occb[i] * (1.0 - occb[i]) : 0.0);
        if (t >= FSURF) i1 = i, i0 = i0 < 0 ? i : i0;
    }
    if (i0 < 0) return;
    int k = i1 - i0 + 1; /* the orbitals at the Fermi level are consecutive in energy */
    const double *ci = c + (size_t)i0 * n;
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, k, n, 1.0, s, n, ci, n, 0.0, scratch,
                n);
    for (int i = 0; i < k; ++i) {
        double fa = occa[i0 + i], fb = occb ? occb[i0 + i] : 0.0;
        double ta = fa * (1.0 - fa) / kt_ev, tb = fb * (1.0 - fb) / kt_ev;
        double t = (fmin(ta, PC_TMAX) + fmin(tb, PC_TMAX)) * GFN1_AUTOEV; /* e/Eh */
        for (int x = 0; x < b->nsh; ++x) {
            const gfn1_shell *sh = &b->sh[x];
            double w = 0.0;
            for (int u = 0; u < sh->nao; ++u) {
                size_t mu = (size_t)i * n + sh->ao0 + u;
                w += ci[mu] * scratch[mu];
            }
            ldos[x] += t * w;
        }
    }
}
