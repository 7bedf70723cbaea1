/**
 * @file eigensolver.c
 * @brief The Kohn-Sham Hamiltonian applied to plane-wave coefficients, and a block Davidson
 *        eigensolver (E. R. Davidson, J. Comput. Phys. 17, 87 (1975)) with Davidson's diagonal
 *        preconditioner, (H_GG - theta)^-1 with H_GG = |k+G|^2/2 + <v_eff> + <G|V_nl|G> and the
 *        denominator kept >= PREC_D as in Quantum ESPRESSO (P. Giannozzi et al., J. Phys.:
 *        Condens. Matter 21, 395502 (2009)); converged bands locked (docs/theory-pw.md,
 *        "Eigensolver").
 *   H c = |k+G|^2/2 c + FFT[v_eff(r) psi(r)] + V_nl c.
 *        In a band group (pw_davidson_bg; docs/theory-pw.md, "Band groups") the blocks hold this
 *        rank's plane-wave rows; the small matrices and norms are summed over the group
 *        (MPI_Allreduce), H is applied after a transpose to whole bands, and the projected
 *        eigenproblem goes to ScaLAPACK (bandgroup.c). Without a group: the serial code.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>
#include <mpi.h>

#include "pw.h"

/* the loosest residual norm asked of a partly occupied or empty band (pw_ham.occ) */
static const double EMPTY_BAND_TOL = 1e-4;
/* the preconditioner's floor (hartree): the denominator 0.5 (d + D + sqrt((d - D)^2 + D^2)) of
 * d = H_GG - theta is ~d above D and tends to D below (docs/theory-pw.md, "Eigensolver") */
static const double PREC_D = 0.35;

/* GCC's function multiversioning (one clone per instruction set, chosen when the program is
 * loaded; glibc's ifunc): for the loops over the FFT box in H.psi, whose SSE2 code (the build has
 * no -march) runs at half the speed of AVX-512 on the box sizes of the benchmarks */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__) &&       \
    !defined(__SANITIZE_ADDRESS__)
#define PW_SIMD_CLONES __attribute__((target_clones("avx512f", "default")))
#else
#define PW_SIMD_CLONES
#endif

/* b[p] *= v[p] on the box: each product exact, so every clone gives the same numbers (25^3:
 * 4.7 us with AVX-512 instead of 7.1 with SSE2, benchmarks/peers/pw_vs_qe.md) */
PW_SIMD_CLONES static void mul_veff(double *restrict b, const double *restrict v, size_t n)
{
    for (size_t p = 0; p < n; ++p) {
        b[2 * p] *= v[p];
        b[2 * p + 1] *= v[p];
    }
}

void pw_ham_apply(const pw_ham *h, int nb, const pw_cplx *c, pw_cplx *hc)
{
    const pw_kset *ks = h->ks;
    size_t npw = (size_t)ks->npw;
    double scale = 1.0 / h->g->ntot;
    double *b = (double *)h->g->buf;
    for (int n = 0; n < nb; ++n)
        for (size_t g = 0; g < npw; ++g)
            hc[n * npw + g] = ks->kin[g] * c[n * npw + g];
    /* real wavefunctions: two bands per transform, psi_n + i psi_{n+1} */
    int step = ks->gamma ? 2 : 1;
    for (int n = 0; n < nb; n += step) {
        const pw_cplx *cn = c + n * npw, *c2 = step == 2 && n + 1 < nb ? cn + npw : NULL;
        pw_cplx *hn = hc + n * npw;
        pw_to_real(h->g, ks, cn, c2);
        mul_veff(b, h->veff, (size_t)h->g->ntot);
        pw_to_sphere(h->g, ks, scale, hn, c2 ? hn + npw : NULL);
    }
    if (h->nl) pw_nl_apply(h->nl, nb, c, hc, h->work);
}

/* ---- the linear algebra of both representations: complex coefficients, or real wavefunctions
 * (gamma) whose half-sphere coefficients are used as 2 npw real numbers with the metric
 * <a|b> = 2 sum a.b - a(0) b(0) (G = 0 first and real). Subspace matrices are complex m x m,
 * or real m x m in the same storage. ---- */

/* sum of the n doubles x over the band group (nothing without one) */
static void gsum(const pw_bgroup *bg, double *x, int n)
{
    if (bg && n > 0) MPI_Allreduce(MPI_IN_PLACE, x, n, MPI_DOUBLE, MPI_SUM, bg->comm);
}

/* H applied to n columns: in a band group, transposed to whole bands and back */
static void apply(const pw_ham *h, const pw_bgroup *bg, int n, const pw_cplx *c, pw_cplx *hc)
{
    if (!bg) {
        pw_ham_apply(h, n, c, hc);
        return;
    }
    int first, mine;
    pw_bg_bands(bg, n, h->ks->gamma, bg->rank, &first, &mine);
    pw_cplx *ci = bg->buf, *co = ci + bg->cap, *scratch = co + bg->cap;
    pw_bg_to_bands(bg, h->ks, n, c, ci, scratch);
    if (mine > 0) pw_ham_apply(h, mine, ci, co);
    pw_bg_to_rows(bg, h->ks, n, co, hc, scratch);
}

/* out[m][n] (leading dimension ldo) = A^H B for the m columns of a and n columns of b. npw: the
 * rows held (in a band group this rank's, G = 0 on rank 0 only; the result summed over the
 * group, through s (m n elements) when ldo > m) */
static void ovl(const pw_bgroup *bg, bool re, size_t npw, int m, int n, const pw_cplx *a,
                const pw_cplx *b, pw_cplx *out, int ldo, pw_cplx *s)
{
    if (m == 0 || n == 0) return;
    if (re) {
        double *o = (double *)out;
        int ld = 2 * (int)npw;
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, m, n, ld, 2.0, (const double *)a, ld,
                    (const double *)b, ld, 0.0, o, ldo);
        for (int j = 0; j < n && (!bg || bg->rank == 0); ++j)
            for (int i = 0; i < m; ++i)
                o[(size_t)j * ldo + i] -= creal(a[(size_t)i * npw]) * creal(b[(size_t)j * npw]);
    } else {
        const pw_cplx one = 1.0, zero = 0.0;
        cblas_zgemm(CblasColMajor, CblasConjTrans, CblasNoTrans, m, n, (int)npw, &one, a, (int)npw,
                    b, (int)npw, &zero, out, ldo);
    }
    if (!bg) return;
    int w = re ? 1 : 2; /* doubles per element */
    double *o = (double *)out, *p = (double *)s;
    if (ldo == m) {
        gsum(bg, o, w * m * n);
        return;
    }
    for (int j = 0; j < n; ++j)
        memcpy(p + (size_t)j * w * m, o + (size_t)j * w * ldo, (size_t)w * m * sizeof(double));
    gsum(bg, p, w * m * n);
    for (int j = 0; j < n; ++j)
        memcpy(o + (size_t)j * w * ldo, p + (size_t)j * w * m, (size_t)w * m * sizeof(double));
}

/* out = alpha V Y + beta out for the m columns of v, Y [m][n] (leading dimension ldy) */
static void lincomb(bool re, size_t npw, int n, int m, double alpha, const pw_cplx *v,
                    const pw_cplx *y, int ldy, double beta, pw_cplx *out)
{
    if (n == 0) return;
    if (re) {
        int ld = 2 * (int)npw;
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, ld, n, m, alpha, (const double *)v,
                    ld, (const double *)y, ldy, beta, (double *)out, ld);
    } else {
        const pw_cplx a = alpha, bt = beta;
        cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)npw, n, m, &a, v, (int)npw, y,
                    ldy, &bt, out, (int)npw);
    }
}

static double vnorm(bool re, size_t npw, const pw_cplx *x)
{
    if (!re) return cblas_dznrm2((int)npw, x, 1);
    double n = cblas_dnrm2(2 * (int)npw, (const double *)x, 1), x0 = creal(x[0]);
    return sqrt(fmax(2.0 * n * n - x0 * x0, 0.0));
}

/* a band group's rows of <x|x> (to be summed over the group) */
static double sumsq_rows(const pw_bgroup *bg, bool re, size_t npw, const pw_cplx *x)
{
    double s = cblas_ddot(2 * (int)npw, (const double *)x, 1, (const double *)x, 1);
    if (!re) return s;
    return 2.0 * s - (bg->rank == 0 ? creal(x[0]) * creal(x[0]) : 0.0);
}

/* the norm of x over a band group (vnorm without one) */
static double gnorm(const pw_bgroup *bg, bool re, size_t npw, const pw_cplx *x)
{
    if (!bg) return vnorm(re, npw, x);
    double s = sumsq_rows(bg, re, npw, x);
    gsum(bg, &s, 1);
    return sqrt(fmax(s, 0.0));
}

/* modified Gram-Schmidt of the nt columns of t (each twice), dropping those that vanish; the
 * fallback of orthonormalise for (nearly) dependent blocks */
static int mgs(const pw_bgroup *bg, bool re, size_t npw, pw_cplx *t, int nt)
{
    int kept = 0;
    for (int j = 0; j < nt; ++j) {
        pw_cplx *tj = t + (size_t)j * npw;
        double n0 = gnorm(bg, re, npw, tj);
        for (int pass = 0; pass < 2; ++pass)
            for (int q = 0; q < kept; ++q) {
                pw_cplx *tq = t + (size_t)q * npw, d;
                if (bg) { /* the overlap over the group, then the update of this rank's rows */
                    ovl(bg, re, npw, 1, 1, tq, tj, &d, 1, NULL);
                    if (re) {
                        cblas_daxpy(2 * (int)npw, -((double *)&d)[0], (const double *)tq, 1,
                                    (double *)tj, 1);
                    } else {
                        pw_cplx md = -d;
                        cblas_zaxpy((int)npw, &md, tq, 1, tj, 1);
                    }
                } else if (re) {
                    double dr = 2.0 * cblas_ddot(2 * (int)npw, (const double *)tq, 1,
                                                 (const double *)tj, 1) -
                                creal(tq[0]) * creal(tj[0]);
                    cblas_daxpy(2 * (int)npw, -dr, (const double *)tq, 1, (double *)tj, 1);
                } else {
                    cblas_zdotc_sub((int)npw, tq, 1, tj, 1, &d);
                    pw_cplx md = -d;
                    cblas_zaxpy((int)npw, &md, tq, 1, tj, 1);
                }
            }
        double nrm = gnorm(bg, re, npw, tj);
        if (!(nrm > 1e-8 * n0) || nrm == 0.0) continue;
        if (re)
            cblas_dscal(2 * (int)npw, 1.0 / nrm, (double *)tj, 1);
        else
            cblas_zdscal((int)npw, 1.0 / nrm, tj, 1);
        if (kept != j) memcpy(t + (size_t)kept * npw, tj, npw * sizeof(pw_cplx));
        ++kept;
    }
    return kept;
}

/* the largest row sum of |S_ij| / sqrt(S_ii S_jj), i != j, of an nt x nt overlap (Gershgorin
 * radius of the overlap scaled to a unit diagonal) */
static double offdiag(bool re, const pw_cplx *s, int nt)
{
    const double *sr = (const double *)s;
    double off = 0.0;
    for (int j = 0; j < nt; ++j) {
        double sum = 0.0, djj = re ? sr[(size_t)j * nt + j] : creal(s[(size_t)j * nt + j]);
        for (int i = 0; i < nt; ++i) {
            if (i == j) continue;
            double dii = re ? sr[(size_t)i * nt + i] : creal(s[(size_t)i * nt + i]);
            sum +=
                (re ? fabs(sr[(size_t)j * nt + i]) : cabs(s[(size_t)j * nt + i])) / sqrt(dii * djj);
        }
        off = fmax(off, sum);
    }
    return off;
}

/* Orthonormalise the nt columns of t against the m orthonormal columns of v (block classical
 * Gram-Schmidt, twice when needed) and each other: Cholesky QR, twice when needed (S = T^H T =
 * U^H U, T <- T U^{-1}; "CholeskyQR2", T. Fukaya et al., ScalA'14 (2014); Y. Yamamoto et al., ETNA
 * 44, 306 (2015)), all level-3 BLAS. The first Gram-Schmidt pass and the first Cholesky QR share
 * one overlap, [V T]^H T (t: the columns right after v's m; docs/theory-pw.md, "Eigensolver").
 * A block whose overlap is (nearly) singular goes through modified Gram-Schmidt instead, which
 * drops the columns that vanish. Returns the number kept (compacted to the front). s: scratch of
 * (m + nt) * nt, d of nt, wk of nt columns. In a band group the overlaps are the group's (the same
 * on every rank, so are the branches). */
static int orthonormalise(const pw_bgroup *bg, bool re, size_t npw, const pw_cplx *v, int m,
                          pw_cplx *t, int nt, pw_cplx *s, double *d, pw_cplx *wk)
{
    if (nt == 0) return 0;
    /* against v: one overlap gives C = V^H T (rows 0 .. m) and G = T^H T (rows m .. m + nt); the
     * pass T' = T - V C leaves T'^H T' = G - C^H C (V orthonormal), whose diagonal is the
     * squared norms after the pass. A second pass only when the first removed more than half of
     * a column's squared norm; otherwise the first leaves it orthogonal to working precision
     * (Kahan's "twice is enough": B. N. Parlett, The Symmetric Eigenvalue Problem, Prentice-Hall
     * (1980)), and G - C^H C, whose diagonal then lost less than half to the subtraction, is
     * the overlap of the first Cholesky QR pass ("Pythagorean" block Gram-Schmidt: E. Carson,
     * K. Lund, M. Rozloznik, SIAM J. Matrix Anal. Appl. 42, 1365 (2021)) */
    bool gram = false; /* s holds the overlap T^H T of the block as it is now */
    if (m > 0) {
        int mt = m + nt;
        size_t w = re ? sizeof(double) : sizeof(pw_cplx);
        ovl(bg, re, npw, mt, nt, v, t, s, mt, NULL);
        lincomb(re, npw, nt, m, -1.0, v, s, mt, 1.0, t);
        if (re) {
            double *sr = (double *)s;
            for (int j = 0; j < nt; ++j)
                d[j] = sr[(size_t)j * mt + m + j];
            cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, nt, nt, m, -1.0, sr, mt, sr, mt,
                        1.0, sr + m, mt);
        } else {
            const pw_cplx mone = -1.0, one = 1.0;
            for (int j = 0; j < nt; ++j)
                d[j] = creal(s[(size_t)j * mt + m + j]);
            cblas_zgemm(CblasColMajor, CblasConjTrans, CblasNoTrans, nt, nt, m, &mone, s, mt, s, mt,
                        &one, s + m, mt);
        }
        bool again = false;
        for (int j = 0; j < nt; ++j) { /* the block's overlap compacted to nt x nt */
            memmove((char *)s + (size_t)j * nt * w, (char *)s + ((size_t)j * mt + m) * w,
                    (size_t)nt * w);
            double djj = re ? ((double *)s)[(size_t)j * nt + j] : creal(s[(size_t)j * nt + j]);
            again = again || !(djj > 0.5 * d[j]);
        }
        gram = !again;
        if (again) {
            ovl(bg, re, npw, m, nt, v, t, s, m, NULL);
            lincomb(re, npw, nt, m, -1.0, v, s, m, 1.0, t);
        }
    }
    /* each other: the second Cholesky QR pass only when the overlap, scaled to a unit
     * diagonal, is not within 1/2 of the identity (Gershgorin: condition number of the scaled
     * block < sqrt(3), so one pass leaves an orthogonality error ~ 3 x machine epsilon; the
     * error of one pass grows as the square of the condition number, Yamamoto et al.) */
    bool again = true;
    for (int pass = 0; pass < 2 && again; ++pass) {
        if (pass > 0 || !gram) ovl(bg, re, npw, nt, nt, t, t, s, nt, NULL);
        double dmin = INFINITY, off = offdiag(re, s, nt);
        int info;
        if (re) {
            double *u = (double *)s;
            for (int i = 0; i < nt; ++i)
                d[i] = u[(size_t)i * nt + i];
            info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', nt, u, nt);
            for (int i = 0; i < nt && info == 0; ++i)
                dmin = fmin(dmin, u[(size_t)i * nt + i] * u[(size_t)i * nt + i] / d[i]);
            if (info == 0 && dmin > 1e-10)
                info = LAPACKE_dtrtri(LAPACK_COL_MAJOR, 'U', 'N', nt, u, nt);
            for (int j = 0; j < nt; ++j) /* U^-1 upper triangular */
                for (int i = j + 1; i < nt; ++i)
                    u[(size_t)j * nt + i] = 0.0;
        } else {
            for (int i = 0; i < nt; ++i)
                d[i] = creal(s[(size_t)i * nt + i]);
            info = LAPACKE_zpotrf(LAPACK_COL_MAJOR, 'U', nt, s, nt);
            for (int i = 0; i < nt && info == 0; ++i) {
                double u = creal(s[(size_t)i * nt + i]);
                dmin = fmin(dmin, u * u / d[i]);
            }
            if (info == 0 && dmin > 1e-10)
                info = LAPACKE_ztrtri(LAPACK_COL_MAJOR, 'U', 'N', nt, s, nt);
            for (int j = 0; j < nt; ++j)
                for (int i = j + 1; i < nt; ++i)
                    s[(size_t)j * nt + i] = 0.0;
        }
        if (info != 0 || !(dmin > 1e-10)) return mgs(bg, re, npw, t, nt);
        /* T <- T U^-1 as a product with the explicit inverse (zgemm is ~1.4 x faster than ztrsm
         * on these narrow blocks), through wk */
        lincomb(re, npw, nt, nt, 1.0, t, s, nt, 0.0, wk);
        memcpy(t, wk, (size_t)nt * npw * sizeof(pw_cplx));
        again = !(off < 0.5);
    }
    return nt;
}

/* The diagonal of H in the plane-wave basis for rows off .. off + npw of the set:
 * H_GG = |k+G|^2/2 + <v_eff> (the box average of the local potential) + <G|V_nl|G>, the last
 * sum_{rs} p_r(G) h_rs p_s(G)^* over the pairs of one atom's block (h is block-diagonal per
 * atom, and an atom's projectors are contiguous) */
static void hdiag(const pw_ham *h, int off, size_t npw, double *hd)
{
    double v0 = 0.0;
    for (int p = 0; p < h->g->ntot; ++p)
        v0 += h->veff[p];
    v0 /= h->g->ntot;
    for (size_t g = 0; g < npw; ++g)
        hd[g] = h->ks->kin[off + g] + v0;
    const pw_nl *nl = h->nl;
    if (!nl) return;
    int np = nl->nproj;
    for (int r = 0, a0 = 0; r < np; ++r) {
        if (nl->atom[r] != nl->atom[a0]) a0 = r; /* a0: the first projector of r's atom */
        for (int q = a0; q < np && nl->atom[q] == nl->atom[r]; ++q) {
            double hrq = nl->h[(size_t)r * np + q];
            if (hrq == 0.0) continue;
            const pw_cplx *pr = nl->p + (size_t)r * nl->npw + off,
                          *pq = nl->p + (size_t)q * nl->npw + off;
            for (size_t g = 0; g < npw; ++g)
                hd[g] += hrq * creal(pr[g] * conj(pq[g]));
        }
    }
}

/* the columns idx[0..n) of the m x m matrix y (complex, or real in the same storage) into the
 * m x n matrix out */
static void gather(bool re, const pw_cplx *y, int m, const int *idx, int n, pw_cplx *out)
{
    size_t w = re ? sizeof(double) : sizeof(pw_cplx);
    for (int j = 0; j < n; ++j)
        memcpy((char *)out + (size_t)j * m * w, (const char *)y + (size_t)idx[j] * m * w,
               (size_t)m * w);
}

/* LAPACK's workspace for the tridiagonalisation of an m x m matrix (w: the elements asked for by
 * the workspace query), with TRIDIAG_PAD extra elements behind it for BLAS kernels that read
 * past their matrix (eigh_low); NULL when out of memory */
enum { TRIDIAG_PAD = 4096 };
static void *tridiag_work(double w, size_t elem, int *lwork)
{
    *lwork = (int)w;
    return malloc(((size_t)*lwork + TRIDIAG_PAD) * elem);
}

/* The nvec lowest eigenpairs of the m x m symmetric (re) or Hermitian matrix a (leading dimension
 * m, upper triangle used): the eigenvalues ascending in w (all m), the eigenvectors in the first
 * nvec columns of a. LAPACK's own path, shortened: Householder tridiagonalisation (zhetrd),
 * divide and conquer on the real tridiagonal matrix (dstedc), and the back-transformation of the
 * nvec vectors wanted only (zunmtr; zheevd back-transforms all m, and its complex dstedc variant
 * rotates complex vectors). e: m doubles, tau: m elements, zr: m * m doubles, zc: m * nvec
 * elements. Returns LAPACK's info (-1000 out of memory).
 * The tridiagonalisation gets its workspace from tridiag_work: Debian's OpenBLAS 0.3.21 zgemv_n
 * (called by zlatrd on zhetrd's panel W, the whole workspace) reads up to ~0.5 KB past the end of
 * its matrix (valgrind on a bare LAPACKE_zhetrd of a 42 x 42 matrix; the same overread as a
 * segfault when LAPACKE's exact-size buffer ended the heap), so the buffer is padded. */
static int eigh_low(bool re, int m, int nvec, pw_cplx *a, double *w, double *e, pw_cplx *tau,
                    double *zr, pw_cplx *zc)
{
    int info;
    if (re) {
        double *ar = (double *)a, *tr = (double *)tau;
        double q;
        int lw;
        info = LAPACKE_dsytrd_work(LAPACK_COL_MAJOR, 'U', m, ar, m, w, e, tr, &q, -1);
        double *wk = info == 0 ? tridiag_work(q, sizeof(double), &lw) : NULL;
        if (info == 0 && !wk) info = -1000;
        if (info == 0)
            info = LAPACKE_dsytrd_work(LAPACK_COL_MAJOR, 'U', m, ar, m, w, e, tr, wk, lw);
        free(wk);
        if (info == 0) info = LAPACKE_dstedc(LAPACK_COL_MAJOR, 'I', m, w, e, zr, m);
        if (info == 0)
            info = LAPACKE_dormtr(LAPACK_COL_MAJOR, 'L', 'U', 'N', m, nvec, ar, m, tr, zr, m);
        if (info == 0) memcpy(ar, zr, (size_t)m * nvec * sizeof(double));
        return info;
    }
    pw_cplx q;
    int lw;
    info = LAPACKE_zhetrd_work(LAPACK_COL_MAJOR, 'U', m, a, m, w, e, tau, &q, -1);
    pw_cplx *wk = info == 0 ? tridiag_work(creal(q), sizeof(pw_cplx), &lw) : NULL;
    if (info == 0 && !wk) info = -1000;
    if (info == 0) info = LAPACKE_zhetrd_work(LAPACK_COL_MAJOR, 'U', m, a, m, w, e, tau, wk, lw);
    free(wk);
    if (info == 0) info = LAPACKE_dstedc(LAPACK_COL_MAJOR, 'I', m, w, e, zr, m);
    if (info != 0) return info;
    for (size_t i = 0; i < (size_t)m * nvec; ++i)
        zc[i] = zr[i];
    info = LAPACKE_zunmtr(LAPACK_COL_MAJOR, 'L', 'U', 'N', m, nvec, a, m, tau, zc, m);
    if (info == 0) memcpy(a, zc, (size_t)m * nvec * sizeof(pw_cplx));
    return info;
}

/* lk[0 .. nb - nu): the bands 0 .. nb-1 not among the nu (ascending) in ul; returns nb - nu */
static int others(int nb, const int *ul, int nu, int *lk)
{
    int nl = 0;
    for (int n = 0, q = 0; n < nb; ++n) {
        if (q < nu && ul[q] == n)
            ++q;
        else
            lk[nl++] = n;
    }
    return nl;
}

/* the Ritz vectors x_n = V y_n of all nb bands in x, in band order, where the first nu columns
 * of x hold those of the bands ul[0 .. nu) (ascending) already: only the others are formed (into
 * out, nb - nu columns, then moved). s: scratch of m nb elements; lk: nb ints */
static void ritz_all(bool re, size_t npw, int nb, int m, const pw_cplx *v, const pw_cplx *y,
                     const int *ul, int nu, int *lk, pw_cplx *s, pw_cplx *out, pw_cplx *x)
{
    int nl = others(nb, ul, nu, lk);
    gather(re, y, m, lk, nl, s);
    lincomb(re, npw, nl, m, 1.0, v, s, m, 0.0, out);
    for (int j = nu - 1; j >= 0; --j) /* ul[j] >= j, and the later columns are moved already */
        if (ul[j] != j) memcpy(x + (size_t)ul[j] * npw, x + (size_t)j * npw, npw * sizeof(pw_cplx));
    for (int q = 0; q < nl; ++q)
        memcpy(x + (size_t)lk[q] * npw, out + (size_t)q * npw, npw * sizeof(pw_cplx));
}

/* the subspace holds at most 3 nb vectors, and no more than the space's dimension */
static int subspace_max(int nb, const pw_kset *ks)
{
    return 3 * nb > pw_kset_dim(ks) ? pw_kset_dim(ks) : 3 * nb;
}

size_t pw_davidson_work(int nb, const pw_kset *ks, const pw_bgroup *bg)
{
    int off, rows = ks->npw;
    if (bg) pw_bg_rows(bg, ks->npw, bg->rank, &off, &rows);
    size_t npw = (size_t)rows, mmax = (size_t)subspace_max(nb, ks);
    /* tau, zc (eigh_low) after the m x m blocks; theta, rn, dd, tb, rc, e (doubles), ul (ints),
     * H_GG (npw doubles) after those */
    return (2 * mmax + (size_t)nb) * npw + 3 * mmax * mmax + mmax * (1 + (size_t)nb) +
           (3 * mmax + 4 * (size_t)nb + npw) / 2 + 2;
}

/* pw_davidson; bg: a band group (c, the work blocks: this rank's rows) or NULL */
static ate_status davidson(const pw_ham *h, const pw_bgroup *bg, int nb, int nneed, pw_cplx *c,
                           double *eig, double tol, int maxit, double *resid, pw_cplx *work,
                           ate_error *err)
{
    int off = 0, rows = h->ks->npw;
    if (bg) pw_bg_rows(bg, h->ks->npw, bg->rank, &off, &rows);
    size_t npw = (size_t)rows;
    bool re = h->ks->gamma;
    if (nb > pw_kset_dim(h->ks))
        return ATE_ERROR(err, ATE_ERR_VALUE,
                         "%d bands do not fit in %d plane waves (raise the cutoff)", nb,
                         pw_kset_dim(h->ks));
    int mmax = subspace_max(nb, h->ks);
    /* the caller's workspace of pw_davidson_work(nb, npw) (kept over the SCF: no allocation);
     * the Ritz vectors x are formed in c itself (its start vectors are copied to v first) */
    pw_cplx *v = work, *hv = v + (size_t)mmax * npw, *x = c, *hx = hv + (size_t)mmax * npw,
            *hs = hx + (size_t)nb * npw, *s = hs + (size_t)mmax * mmax,
            *hp = s + (size_t)mmax * mmax, *tau = hp + (size_t)mmax * mmax, *zc = tau + mmax;
    double *theta = (double *)(zc + (size_t)mmax * nb), *rn = theta + mmax, *dd = rn + nb;
    int mh = 0; /* the columns of the projected H, hp = V^H H V (leading dimension mmax), known */
    memcpy(v, c, (size_t)nb * npw * sizeof(pw_cplx));
    int m = orthonormalise(bg, re, npw, NULL, 0, v, nb, s, dd, hx);
    ate_status st = ATE_OK;
    if (m < nb) {
        st = ATE_ERROR(err, ATE_ERR_INTERNAL, "eigensolver: linearly dependent start vectors");
        goto done;
    }
    apply(h, bg, m, v, hv);
    /* the tolerance of each band: tol / w for a band of relative occupation w (h->occ), at most
     * EMPTY_BAND_TOL: each band's error then changes the density by about as much as that of a
     * full band at tol, and an empty band's eigenvalue error stays ~ (1e-4)^2 Ha or below */
    double rmax = 0.0, rrel = 0.0, *tb = dd + mmax, *rc = tb + nb;
    double *ev = rc + nb;                        /* eigh_low's off-diagonal */
    int *ul = (int *)(ev + mmax), *lk = ul + nb; /* the bands still unconverged, the others */
    double *hdg = ev + mmax + nb;                /* H_GG of this rank's rows */
    hdiag(h, off, npw, hdg);
    for (int n = 0; n < nb; ++n) {
        tb[n] = h->occ && n < nneed ? fmax(tol, fmin(EMPTY_BAND_TOL, tol / h->occ[n])) : tol;
        rn[n] = INFINITY;
    }
    for (int it = 0;; ++it) {
        /* Rayleigh-Ritz in span(v): the projected H gets the columns of the vectors added since
         * the last step, V^H H v_new; its upper triangle (all of it known) goes to LAPACK */
        if (mh < m) {
            pw_cplx *col =
                re ? (pw_cplx *)((double *)hp + (size_t)mh * mmax) : hp + (size_t)mh * mmax;
            ovl(bg, re, npw, m, m - mh, v, hv + (size_t)mh * npw, col, mmax, s);
            mh = m;
        }
        int info;
        if (re) { /* exact symmetry for LAPACK */
            double *a = (double *)hs;
            const double *p = (const double *)hp;
            for (int j = 0; j < m; ++j)
                for (int i = 0; i <= j; ++i)
                    a[(size_t)j * m + i] = a[(size_t)i * m + j] = p[(size_t)j * mmax + i];
            info = bg ? pw_bg_eigh(bg, true, m, hs, theta, nb, hs)
                      : eigh_low(true, m, nb, hs, theta, ev, tau, (double *)s, zc);
        } else {
            for (int j = 0; j < m; ++j) { /* exact Hermitian symmetry for LAPACK */
                for (int i = 0; i < j; ++i) {
                    pw_cplx a = hp[(size_t)j * mmax + i];
                    hs[(size_t)j * m + i] = a, hs[(size_t)i * m + j] = conj(a);
                }
                hs[(size_t)j * m + j] = creal(hp[(size_t)j * mmax + j]);
            }
            info = bg ? pw_bg_eigh(bg, false, m, hs, theta, nb, hs)
                      : eigh_low(false, m, nb, hs, theta, ev, tau, (double *)s, zc);
        }
        if (info != 0) {
            st = ATE_ERROR(err, ATE_ERR_LIB, "eigensolver: the subspace eigenproblem failed");
            goto done;
        }
        /* the Ritz vectors x = V y and H x = (HV) y of the bands still unconverged only, into
         * the first columns of c and hx: a band once converged is locked (no residual, no
         * correction; it stays in the subspace and its Ritz vector is formed at the end) */
        int nu = 0;
        for (int n = 0; n < nneed; ++n)
            if (!(rn[n] < tb[n])) ul[nu++] = n;
        gather(re, hs, m, ul, nu, s);
        lincomb(re, npw, nu, m, 1.0, v, s, m, 0.0, x);
        lincomb(re, npw, nu, m, 1.0, hv, s, m, 0.0, hx);
        /* residuals r = H x - theta x, kept in hx; their norms in a band group summed in one go
         * (the same numbers, so the same branches, on each rank) */
        for (int j = 0; j < nu; ++j) {
            pw_cplx *r = hx + (size_t)j * npw;
            const pw_cplx *xj = x + (size_t)j * npw;
            for (size_t g = 0; g < npw; ++g)
                r[g] -= theta[ul[j]] * xj[g];
            rc[j] = bg ? sumsq_rows(bg, re, npw, r) : vnorm(re, npw, r);
        }
        if (bg) {
            gsum(bg, rc, nu);
            for (int j = 0; j < nu; ++j)
                rc[j] = sqrt(fmax(rc[j], 0.0));
        }
        int nt = 0;
        for (int j = 0; j < nu; ++j)
            rn[ul[j]] = rc[j], nt += rc[j] >= tb[ul[j]];
        rmax = rrel = 0.0;
        for (int n = 0; n < nneed; ++n)
            rmax = fmax(rmax, rn[n]), rrel = fmax(rrel, rn[n] / tb[n]);
        if (rrel < 1.0 || it >= maxit) { /* (the residuals in hx are not needed any more) */
            ritz_all(re, npw, nb, m, v, hs, ul, nu, lk, s, hx, x);
            break;
        }
        /* preconditioned residuals of the unconverged bands; the buffer bands (nneed .. nb-1)
         * get none: they stay in the subspace, improved by the others' corrections only */
        bool restart = m + nt > mmax;
        if (restart) {
            /* restart from the Ritz vectors of all nb bands: V = X, HV = HX, and the projected
             * H is diag(theta) (the Ritz vectors are orthonormal and diagonalise it). Those of
             * the unconverged bands are at hand (x, and H x = r + theta x from their residuals,
             * which stay in the first columns of hx); the others' are formed behind them */
            int nl = others(nb, ul, nu, lk);
            gather(re, hs, m, lk, nl, s);
            lincomb(re, npw, nl, m, 1.0, v, s, m, 0.0, x + (size_t)nu * npw);
            lincomb(re, npw, nl, m, 1.0, hv, s, m, 0.0, hx + (size_t)nu * npw);
            for (int q = 0; q < nl; ++q) {
                memcpy(v + (size_t)lk[q] * npw, x + (size_t)(nu + q) * npw, npw * sizeof(pw_cplx));
                memcpy(hv + (size_t)lk[q] * npw, hx + (size_t)(nu + q) * npw,
                       npw * sizeof(pw_cplx));
            }
            for (int q = 0; q < nu; ++q) {
                const pw_cplx *xq = x + (size_t)q * npw, *rq = hx + (size_t)q * npw;
                pw_cplx *vn = v + (size_t)ul[q] * npw, *hn = hv + (size_t)ul[q] * npw;
                for (size_t g = 0; g < npw; ++g)
                    vn[g] = xq[g], hn[g] = rq[g] + theta[ul[q]] * xq[g];
            }
            m = nb, mh = nb;
            for (int jc = 0; jc < nb; ++jc)
                for (int i = 0; i <= jc; ++i) {
                    double e = i == jc ? theta[jc] : 0.0;
                    if (re)
                        ((double *)hp)[(size_t)jc * mmax + i] = e;
                    else
                        hp[(size_t)jc * mmax + i] = e;
                }
            if (m + nt > mmax) nt = mmax - m;
            if (nt <= 0) {
                memcpy(x, v, (size_t)nb * npw * sizeof(pw_cplx));
                break;
            }
        }
        pw_cplx *t = v + (size_t)m * npw;
        int j = 0;
        for (int q = 0; q < nu && j < nt; ++q) {
            int n = ul[q];
            if (rn[n] < tb[n]) continue;
            const pw_cplx *r = hx + (size_t)q * npw;
            pw_cplx *tj = t + (size_t)j * npw;
            for (size_t g = 0; g < npw; ++g) {
                double d = hdg[g] - theta[n];
                tj[g] = -r[g] /
                        (0.5 * (d + PREC_D + sqrt((d - PREC_D) * (d - PREC_D) + PREC_D * PREC_D)));
            }
            ++j;
        }
        int kept = orthonormalise(bg, re, npw, v, m, t, j, s, dd, hx);
        if (kept == 0) { /* no new direction: the Ritz vectors of all bands (v on a restart) */
            if (restart)
                memcpy(x, v, (size_t)nb * npw * sizeof(pw_cplx));
            else
                ritz_all(re, npw, nb, m, v, hs, ul, nu, lk, s, hx, x);
            break;
        }
        apply(h, bg, kept, t, hv + (size_t)m * npw);
        m += kept;
    }
    memcpy(eig, theta, (size_t)nb * sizeof(double));
    if (resid) *resid = rmax;
done:
    return st;
}

ate_status pw_davidson(const pw_ham *h, int nb, int nneed, pw_cplx *c, double *eig, double tol,
                       int maxit, double *resid, pw_cplx *work, ate_error *err)
{
    return davidson(h, NULL, nb, nneed, c, eig, tol, maxit, resid, work, err);
}

ate_status pw_davidson_bg(const pw_ham *h, const pw_bgroup *bg, int nb, int nneed, pw_cplx *c,
                          double *eig, double tol, int maxit, double *resid, pw_cplx *work,
                          ate_error *err)
{
    return davidson(h, bg && bg->size > 1 ? bg : NULL, nb, nneed, c, eig, tol, maxit, resid, work,
                    err);
}
