/**
 * @file eigen.c
 * @brief The generalized eigenproblem F C = S C e of the GFN1-xTB SCC (docs/theory-gfn1.md,
 *        "Eigensolver"): Cholesky of S once, F' = L^-1 F L^-T (dsygst, or for large systems built
 *        directly from L^-1 H0 L^-T and the shell potentials), dsytrd + dstedc, back-transformation
 *        of the occupied orbitals only; single precision in the early iterations of large systems.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>

#include "gfn1_scc_internal.h"

#define ORTHO_NB 384 /* block size of the triangular product L^-1 D L (benchmarks/README.md) */

/* S = L L^T once (the upper triangle of chol zeroed); for large systems also L^-1 and
 * H0'' = L^-1 H0 L^-T from the Fock matrix without potentials in w->f (gfn1_ortho_setup). */
static ate_status factor_overlap(scc_work *w, ate_error *err)
{
    int n = w->nao;
    if (w->have_chol) return ATE_OK;
    memcpy(w->chol, w->sfock, (size_t)n * n * sizeof(double));
    lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', n, w->chol, n);
    if (info != 0)
        return ATE_ERROR(err, ATE_ERR_LIB,
                         "LAPACK dpotrf failed (info %d): " GFN1_MSG_OVERLAP_NOT_PD, (int)info);
    for (int j = 1; j < n; ++j)
        memset(w->chol + (size_t)j * n, 0, (size_t)j * sizeof(double));
    w->have_chol = true;
    for (size_t k = 0; w->cholf && k < (size_t)n * n; ++k)
        w->cholf[k] = (float)w->chol[k];
    return ATE_OK;
}

ate_status gfn1_ortho_setup(scc_work *w, ate_error *err)
{
    int n = w->nao;
    ATE_TRY(factor_overlap(w, err));
    memcpy(w->xinv, w->chol, (size_t)n * n * sizeof(double));
    lapack_int info = LAPACKE_dtrtri_work(LAPACK_COL_MAJOR, 'L', 'N', n, w->xinv, n);
    if (info == 0) {
        memcpy(w->h0o, w->f, (size_t)n * n * sizeof(double));
        info = LAPACKE_dsygst_work(LAPACK_COL_MAJOR, 1, 'L', n, w->h0o, n, w->chol, n);
    }
    if (info != 0)
        return ATE_ERROR(err, ATE_ERR_LIB, "LAPACK dtrtri/dsygst failed (info %d)", (int)info);
    w->ortho_ready = true;
    return ATE_OK;
}

/* With S = L L^T and F = H0 - 1/2 (D S + S D): L^-1 F L^-T = H0'' - 1/2 (M + M^T), M = L^-1 D L,
 * which is lower triangular, so the lower triangle of F' is H0'' - M/2 off the diagonal and
 * H0'' - M on it. M = (L^-1 D) L is a product of two lower triangles: ORTHO_NB blocks, the zero
 * ones skipped, n^3/3 multiply-adds against dsygst's n^3. */
ate_status gfn1_fock_ortho(scc_work *w, const double *dpot, bool single, ate_error *err)
{
    int n = w->nao, nb = ORTHO_NB, nblk = (n + ORTHO_NB - 1) / ORTHO_NB;
    (void)err;
    single = single && w->af;
    double *xd = w->sfock_scratch; /* (L^-1 D), upper triangle zero */
    float *xdf = w->zf;
    for (int j = 0; j < n; ++j) {
        const double *xj = w->xinv + (size_t)j * n;
        if (single) {
            float *o = xdf + (size_t)j * n;
            memset(o, 0, (size_t)j * sizeof(float));
            for (int i = j; i < n; ++i)
                o[i] = (float)(xj[i] * dpot[j]);
        } else {
            double *o = xd + (size_t)j * n;
            memset(o, 0, (size_t)j * sizeof(double));
            for (int i = j; i < n; ++i)
                o[i] = xj[i] * dpot[j];
        }
    }
    for (int jb = 0; jb < nblk; ++jb)
        for (int ib = jb; ib < nblk; ++ib) {
            int i0 = ib * nb, j0 = jb * nb, mi = i0 + nb < n ? nb : n - i0;
            int mj = j0 + nb < n ? nb : n - j0;
            for (int kb = jb; kb <= ib; ++kb) {
                int k0 = kb * nb, mk = k0 + nb < n ? nb : n - k0;
                if (single)
                    cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, mi, mj, mk, 1.0f,
                                xdf + (size_t)k0 * n + i0, n, w->cholf + (size_t)j0 * n + k0, n,
                                kb == jb ? 0.0f : 1.0f, w->af + (size_t)j0 * n + i0, n);
                else
                    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, mi, mj, mk, 1.0,
                                xd + (size_t)k0 * n + i0, n, w->chol + (size_t)j0 * n + k0, n,
                                kb == jb ? 0.0 : 1.0, w->f + (size_t)j0 * n + i0, n);
            }
        }
    for (int j = 0; j < n; ++j) {
        const double *h = w->h0o + (size_t)j * n;
        if (single) {
            float *o = w->af + (size_t)j * n;
            o[j] = (float)(h[j] - o[j]);
            for (int i = j + 1; i < n; ++i)
                o[i] = (float)(h[i] - 0.5 * o[i]);
        } else {
            double *o = w->f + (size_t)j * n;
            o[j] = h[j] - o[j];
            for (int i = j + 1; i < n; ++i)
                o[i] = h[i] - 0.5 * o[i];
        }
    }
    w->f_ortho = true;
    return ATE_OK;
}

/* Q Z for the first ncol eigenvectors of T (the ones from w->nq on) with the reflectors of the
 * last dsytrd, which stay in f (or af) until the Fock matrix of the next channel or iteration;
 * the result in c (single precision: computed in zf, then widened into c). */
static ate_status apply_q(scc_work *w, double *c, int ncol, ate_error *err)
{
    int n = w->nao;
    if (ncol <= w->nq) return ATE_OK;
    lapack_int info;
    if (w->single) {
        float *z = w->zf + (size_t)w->nq * n;
        info = LAPACKE_sormtr_work(LAPACK_COL_MAJOR, 'L', 'L', 'N', n, ncol - w->nq, w->af, n,
                                   w->tauf, z, n, w->workf, w->nlwork);
        for (size_t k = 0; info == 0 && k < (size_t)(ncol - w->nq) * n; ++k)
            c[(size_t)w->nq * n + k] = z[k];
    } else {
        info = LAPACKE_dormtr_work(LAPACK_COL_MAJOR, 'L', 'L', 'N', n, ncol - w->nq, w->f, n,
                                   w->tau, c + (size_t)w->nq * n, n, w->lwork, w->nlwork);
    }
    if (info != 0) return ATE_ERROR(err, ATE_ERR_LIB, "LAPACK dormtr failed (info %d)", (int)info);
    w->nq = ncol;
    return ATE_OK;
}

/* F C = S C e: S = L L^T once, F' = L^-1 F L^-T (dsygst, in place in f), F' = Q T Q^T (dsytrd; the
 * reflectors stay in f), all eigenpairs of T by divide and conquer (dstedc, into c): the steps of
 * dsyevd, whose last one, the back-transformation Q Z of the eigenvectors, is left to
 * backtransform(), which applies it (and C = L^-T Q Z) to the occupied orbitals only unless
 * full_vectors. All eigenvalues are known here, so the Fermi occupations see every state. MRRR for
 * a subset (dsyevr / dstemr) and bisection with inverse iteration were slower on this matrix
 * (benchmarks/README.md). Symmetric matrices are the same in row- and column-major order; C is
 * column-major (orbital i at c + i * nao). */
ate_status gfn1_eigensolve(scc_work *w, double *c, double *eps, bool full_vectors, bool single,
                           ate_error *err)
{
    int n = w->nao;
    lapack_int info;
    ATE_TRY(factor_overlap(w, err));
    double *a = w->f, *work = w->lwork;
    bool ortho = w->f_ortho; /* F' already built (gfn1_fock_ortho) */
    w->f_ortho = false;
    w->single = single && w->af;
    info = 0;
    if (w->single) { /* the lower triangles of F and L in single precision */
        if (!ortho) {
            for (int j = 0; j < n; ++j)
                for (int i = j; i < n; ++i)
                    w->af[(size_t)j * n + i] = (float)a[(size_t)j * n + i];
            info = LAPACKE_ssygst_work(LAPACK_COL_MAJOR, 1, 'L', n, w->af, n, w->cholf, n);
        }
        if (info == 0)
            info = LAPACKE_ssytrd_work(LAPACK_COL_MAJOR, 'L', n, w->af, n, w->df, w->ef, w->tauf,
                                       w->workf, w->nlwork);
        if (info == 0)
            info = LAPACKE_sstedc_work(LAPACK_COL_MAJOR, 'I', n, w->df, w->ef, w->zf, n, w->workf,
                                       w->nlwork, w->iwork, w->niwork);
        for (int i = 0; i < n; ++i)
            eps[i] = w->df[i];
    } else {
        if (!ortho) info = LAPACKE_dsygst_work(LAPACK_COL_MAJOR, 1, 'L', n, a, n, w->chol, n);
        if (info == 0)
            info = LAPACKE_dsytrd_work(LAPACK_COL_MAJOR, 'L', n, a, n, eps, w->offd, w->tau, work,
                                       w->nlwork);
        if (info == 0)
            info = LAPACKE_dstedc_work(LAPACK_COL_MAJOR, 'I', n, eps, w->offd, c, n, work,
                                       w->nlwork, w->iwork, w->niwork);
    }
    if (info != 0)
        return ATE_ERROR(err, ATE_ERR_LIB, "LAPACK dsygst/dsytrd/dstedc failed (info %d)",
                         (int)info);
    w->nq = 0; /* eigenvectors of T in c, none transformed by Q yet */
    if (full_vectors) ATE_TRY(apply_q(w, c, n, err));
    return ATE_OK;
}

/* C = L^-T Q Z for the orbitals up to the highest one holding electrons and the next one; their
 * count into *nev. */
ate_status gfn1_backtransform(scc_work *w, double *c, const double *occ1, const double *occ2,
                              int *nev, ate_error *err)
{
    int n = w->nao, m = 0;
    for (int i = 0; i < n; ++i)
        if (occ1[i] + (occ2 ? occ2[i] : 0.0) >= 1e-14) m = i + 1;
    if (m < n) ++m; /* keep the LUMO too */
    *nev = m;
    ATE_TRY(apply_q(w, c, m, err));
    cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, n, m, 1.0, w->chol,
                n, c, n);
    return ATE_OK;
}
