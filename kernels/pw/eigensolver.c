/**
 * @file eigensolver.c
 * @brief The Kohn-Sham Hamiltonian applied to plane-wave coefficients, and a block Davidson
 *        eigensolver (E. R. Davidson, J. Comput. Phys. 17, 87 (1975)) with the kinetic
 *        preconditioner of M. P. Teter, M. C. Payne, D. C. Allan, PRB 40, 12255 (1989), eq. 5.3
 *        (docs/theory-pw.md, "Eigensolver").
 *   H c = |k+G|^2/2 c + FFT[v_eff(r) psi(r)] + V_nl c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "pw.h"

void pw_ham_apply(const pw_ham *h, int nb, const pw_cplx *c, pw_cplx *hc)
{
    const pw_kset *ks = h->ks;
    size_t npw = (size_t)ks->npw;
    double scale = 1.0 / h->g->ntot;
    pw_cplx *b = (pw_cplx *)h->g->buf;
    for (int n = 0; n < nb; ++n) {
        const pw_cplx *cn = c + n * npw;
        pw_cplx *hn = hc + n * npw;
        for (size_t g = 0; g < npw; ++g)
            hn[g] = ks->kin[g] * cn[g];
        pw_to_real(h->g, ks, cn);
        for (int p = 0; p < h->g->ntot; ++p)
            b[p] *= h->veff[p];
        pw_to_sphere(h->g, ks, scale, hn);
    }
    if (h->nl) pw_nl_apply(h->nl, nb, c, hc, h->work);
}

/* Orthonormalise the nt columns of t against the m orthonormal columns of v and each other
 * (classical Gram-Schmidt twice, then modified Gram-Schmidt in the block); columns that vanish
 * are dropped. Returns the number kept (compacted to the front). */
static int orthonormalise(size_t npw, const pw_cplx *v, int m, pw_cplx *t, int nt, pw_cplx *s)
{
    const pw_cplx one = 1.0, zero = 0.0, mone = -1.0;
    for (int pass = 0; pass < 2 && m > 0; ++pass) {
        cblas_zgemm(CblasColMajor, CblasConjTrans, CblasNoTrans, m, nt, (int)npw, &one, v, (int)npw,
                    t, (int)npw, &zero, s, m);
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)npw, nt, m, &mone, v, (int)npw,
                    s, m, &one, t, (int)npw);
    }
    int kept = 0;
    for (int j = 0; j < nt; ++j) {
        pw_cplx *tj = t + (size_t)j * npw;
        double n0 = cblas_dznrm2((int)npw, tj, 1);
        for (int pass = 0; pass < 2; ++pass)
            for (int q = 0; q < kept; ++q) {
                pw_cplx *tq = t + (size_t)q * npw, d;
                cblas_zdotc_sub((int)npw, tq, 1, tj, 1, &d);
                pw_cplx md = -d;
                cblas_zaxpy((int)npw, &md, tq, 1, tj, 1);
            }
        double nrm = cblas_dznrm2((int)npw, tj, 1);
        if (!(nrm > 1e-8 * n0) || nrm == 0.0) continue;
        pw_cplx inv = 1.0 / nrm;
        cblas_zscal((int)npw, &inv, tj, 1);
        if (kept != j) memcpy(t + (size_t)kept * npw, tj, npw * sizeof(pw_cplx));
        ++kept;
    }
    return kept;
}

ate_status pw_davidson(const pw_ham *h, int nb, int nneed, pw_cplx *c, double *eig, double tol,
                       int maxit, double *resid, ate_error *err)
{
    size_t npw = (size_t)h->ks->npw;
    if ((size_t)nb > npw)
        return ATE_ERROR(err, ATE_ERR_VALUE,
                         "%d bands do not fit in %zu plane waves (raise the cutoff)", nb, npw);
    int mmax = 3 * nb;
    if ((size_t)mmax > npw) mmax = (int)npw;
    pw_cplx *v = malloc((size_t)mmax * npw * sizeof(pw_cplx));
    pw_cplx *hv = malloc((size_t)mmax * npw * sizeof(pw_cplx));
    pw_cplx *x = malloc((size_t)nb * npw * sizeof(pw_cplx));
    pw_cplx *hx = malloc((size_t)nb * npw * sizeof(pw_cplx));
    pw_cplx *hs = malloc((size_t)mmax * mmax * sizeof(pw_cplx));
    pw_cplx *s = malloc((size_t)mmax * mmax * sizeof(pw_cplx));
    double *theta = malloc((size_t)mmax * sizeof(double)),
           *rn = malloc((size_t)nb * sizeof(double));
    if (!v || !hv || !x || !hx || !hs || !s || !theta || !rn) {
        free(v), free(hv), free(x), free(hx), free(hs), free(s), free(theta), free(rn);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "eigensolver: out of memory");
    }
    const pw_cplx one = 1.0, zero = 0.0;
    memcpy(v, c, (size_t)nb * npw * sizeof(pw_cplx));
    int m = orthonormalise(npw, NULL, 0, v, nb, s);
    ate_status st = ATE_OK;
    if (m < nb) {
        st = ATE_ERROR(err, ATE_ERR_INTERNAL, "eigensolver: linearly dependent start vectors");
        goto done;
    }
    pw_ham_apply(h, m, v, hv);
    double rmax = 0.0;
    for (int it = 0;; ++it) {
        /* Rayleigh-Ritz in span(v) */
        cblas_zgemm(CblasColMajor, CblasConjTrans, CblasNoTrans, m, m, (int)npw, &one, v, (int)npw,
                    hv, (int)npw, &zero, hs, m);
        for (int i = 0; i < m; ++i) /* exact Hermitian symmetry for LAPACK */
            for (int j = 0; j < i; ++j) {
                pw_cplx a = 0.5 * (hs[(size_t)j * m + i] + conj(hs[(size_t)i * m + j]));
                hs[(size_t)j * m + i] = a, hs[(size_t)i * m + j] = conj(a);
            }
        for (int i = 0; i < m; ++i)
            hs[(size_t)i * m + i] = creal(hs[(size_t)i * m + i]);
        if (LAPACKE_zheevd(LAPACK_COL_MAJOR, 'V', 'U', m, hs, m, theta) != 0) {
            st = ATE_ERROR(err, ATE_ERR_LIB, "eigensolver: zheevd failed");
            goto done;
        }
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)npw, nb, m, &one, v, (int)npw,
                    hs, m, &zero, x, (int)npw);
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)npw, nb, m, &one, hv, (int)npw,
                    hs, m, &zero, hx, (int)npw);
        /* residuals r = H x - theta x, kept in hx */
        rmax = 0.0;
        int nconv = 0;
        for (int n = 0; n < nb; ++n) {
            pw_cplx *r = hx + (size_t)n * npw;
            const pw_cplx *xn = x + (size_t)n * npw;
            for (size_t g = 0; g < npw; ++g)
                r[g] -= theta[n] * xn[g];
            rn[n] = cblas_dznrm2((int)npw, r, 1);
            if (n < nneed && rn[n] > rmax) rmax = rn[n];
            if (rn[n] < tol) ++nconv;
        }
        if (rmax < tol || it >= maxit) break;
        /* preconditioned residuals of the unconverged bands */
        int nt = nb - nconv;
        if (m + nt > mmax) { /* restart from the Ritz vectors */
            memcpy(v, x, (size_t)nb * npw * sizeof(pw_cplx));
            for (int n = 0; n < nb; ++n) /* H x = r + theta x */
                for (size_t g = 0; g < npw; ++g)
                    hv[(size_t)n * npw + g] =
                        hx[(size_t)n * npw + g] + theta[n] * x[(size_t)n * npw + g];
            m = nb;
            if (m + nt > mmax) nt = mmax - m;
            if (nt <= 0) break;
        }
        pw_cplx *t = v + (size_t)m * npw;
        int j = 0;
        for (int n = 0; n < nb && j < nt; ++n) {
            if (rn[n] < tol) continue;
            const pw_cplx *xn = x + (size_t)n * npw, *r = hx + (size_t)n * npw;
            double ek = 0.0;
            for (size_t g = 0; g < npw; ++g)
                ek += h->ks->kin[g] * creal(conj(xn[g]) * xn[g]);
            if (ek < 1e-2) ek = 1e-2;
            pw_cplx *tj = t + (size_t)j * npw;
            for (size_t g = 0; g < npw; ++g) {
                double y = h->ks->kin[g] / ek, y2 = y * y;
                double num = 27.0 + 18.0 * y + 12.0 * y2 + 8.0 * y2 * y;
                tj[g] = -num / (num + 16.0 * y2 * y2) * r[g];
            }
            ++j;
        }
        int kept = orthonormalise(npw, v, m, t, j, s);
        if (kept == 0) break;
        pw_ham_apply(h, kept, t, hv + (size_t)m * npw);
        m += kept;
    }
    memcpy(c, x, (size_t)nb * npw * sizeof(pw_cplx));
    memcpy(eig, theta, (size_t)nb * sizeof(double));
    if (resid) *resid = rmax;
done:
    free(v), free(hv), free(x), free(hx), free(hs), free(s), free(theta), free(rn);
    return st;
}
