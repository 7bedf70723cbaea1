/**
 * @file gfn1_eigen.c
 * @brief Miniapp (a program, not a test): the generalized eigenproblem of one GFN1-xTB SCC
 *        iteration, F C = S C e, by the routes considered for kernels/xtb/scc.c, on the H0 and
 *        overlap of a given structure (zero charges), single-threaded. Every route reduces to
 *        F' = L^-1 F L^-T with the Cholesky factor of S (dsygst) and ends with C = L^-T Z for the
 *        lowest m orbitals (dtrsm); in between:
 *          evd    dsyevd, all eigenvectors (what scc.c did before)
 *          split  dsytrd + dstedc (all eigenpairs of T) + dormtr for m columns (scc.c now)
 *          evr    dsyevr RANGE='I' 1..m (bisection and inverse iteration for a subset)
 *          evx    dsyevx RANGE='I' 1..m
 *          mrrr   dsytrd + dstemr RANGE='I' 1..m + dormtr for m columns
 *          single split in single precision (ssygst, ssytrd, sstedc, sormtr; the early iterations
 *                 of scc.c's mixed precision), widened to double for dtrsm
 *        Prints CPU seconds per stage (evd, evr and evx: one call, all under "reduction") and,
 * against evd, the largest eigenvalue difference and the largest difference of the density matrix
 * of the lowest nocc orbitals (doubly occupied). First, the direct construction of F' that
 * scc.c uses from 1000 basis functions instead of dsygst (block sizes 128, 256, 512).
 *
 * usage: ate_bench_gfn1_eigen FILE.xyz [MARGIN (default 8)] [ROUTES (default
 * evd,split,evr,evx,mrrr)]
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>
#include <lapacke.h>

#include "atescreen/structio.h"
#include "atescreen/structure.h"
#include "gfn1_params.h"
#include "gfn1_scc.h"
#include "gfn1_terms.h"

static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double density_diff(int n, int nocc, const double *c, const double *c0, double *p,
                           double *p0)
{
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, n, nocc, 2.0, c, n, 0.0, p, n);
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, n, nocc, 2.0, c0, n, 0.0, p0, n);
    double d = 0.0;
    for (int j = 0; j < n; ++j)
        for (int i = j; i < n; ++i)
            d = fmax(d, fabs(p[(size_t)j * n + i] - p0[(size_t)j * n + i]));
    return d;
}

/* The per-iteration reduction of scc.c from 1000 basis functions (eigen.c, gfn1_fock_ortho): with
 * F = H0 - 1/2 (D S + S D), L^-1 F L^-T = L^-1 H0 L^-T - 1/2 (M + M^T), M = (L^-1 D) L, a product
 * of two lower triangles in blocks of nb; against dsygst of F, for potentials D of a few eV. fp, a,
 * z: n x n scratch; l: the Cholesky factor (lower). */
static void direct_fock(int n, const double *sm, const double *h0, const double *l, double *fp,
                        double *a, double *z)
{
    size_t n2 = (size_t)n * n;
    double *dp = malloc((size_t)n * sizeof(double)), *x = malloc(n2 * sizeof(double)),
           *lz = malloc(n2 * sizeof(double)), *h2 = malloc(n2 * sizeof(double));
    for (int i = 0; i < n; ++i)
        dp[i] = 2.0 * sin(0.37 * i);
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) {
            size_t k = (size_t)j * n + i;
            fp[k] = h0[k] - 0.5 * (dp[i] + dp[j]) * sm[k];
            lz[k] = i >= j ? l[k] : 0.0;
        }
    double t = cpu();
    LAPACKE_dsygst(LAPACK_COL_MAJOR, 1, 'L', n, fp, n, l, n);
    double t_gst = cpu() - t;
    t = cpu();
    memcpy(x, lz, n2 * sizeof(double));
    LAPACKE_dtrtri(LAPACK_COL_MAJOR, 'L', 'N', n, x, n);
    memcpy(h2, h0, n2 * sizeof(double));
    LAPACKE_dsygst(LAPACK_COL_MAJOR, 1, 'L', n, h2, n, l, n);
    double t_once = cpu() - t;
    for (int nb = 128; nb <= 512; nb *= 2) {
        int nblk = (n + nb - 1) / nb;
        t = cpu();
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < n; ++i)
                z[(size_t)j * n + i] = i >= j ? x[(size_t)j * n + i] * dp[j] : 0.0;
        for (int jb = 0; jb < nblk; ++jb)
            for (int ib = jb; ib < nblk; ++ib)
                for (int kb = jb; kb <= ib; ++kb) {
                    int i0 = ib * nb, j0 = jb * nb, k0 = kb * nb;
                    int mi = i0 + nb < n ? nb : n - i0, mj = j0 + nb < n ? nb : n - j0,
                        mk = k0 + nb < n ? nb : n - k0;
                    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, mi, mj, mk, 1.0,
                                z + (size_t)k0 * n + i0, n, lz + (size_t)j0 * n + k0, n,
                                kb == jb ? 0.0 : 1.0, a + (size_t)j0 * n + i0, n);
                }
        double dmax = 0.0;
        for (int j = 0; j < n; ++j)
            for (int i = j; i < n; ++i) {
                size_t k = (size_t)j * n + i;
                double v = h2[k] - (i == j ? 1.0 : 0.5) * a[k];
                dmax = fmax(dmax, fabs(v - fp[k]));
            }
        printf("direct F' (nb %d) %.3f s per iteration vs dsygst %.3f s (L^-1 and L^-1 H0 L^-T "
               "once %.3f s); max |dF'| %.1e eV\n",
               nb, cpu() - t, t_gst, t_once, dmax);
    }
    free(dp), free(x), free(lz), free(h2);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.xyz [MARGIN] [ROUTES]\n", argv[0]);
        return 2;
    }
    int margin = argc > 2 ? atoi(argv[2]) : 8;
    const char *routes = argc > 3 ? argv[3] : "evd,split,evr,evx,mrrr,single";
    ate_error err;
    gfn1_params *p = NULL;
    ate_structure *s = NULL;
    if (gfn1_params_load(ATE_PARAM_DIR, &p, &err) != ATE_OK ||
        ate_structure_read(argv[1], ATE_FORMAT_AUTO, &s, &err) != ATE_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    int nat = ate_structure_natoms(s);
    gfn1_geom g = {.n = nat, .z = ate_structure_numbers(s), .xyz = ate_structure_positions(s)};
    gfn1_basis b;
    if (gfn1_basis_create(p, g.z, nat, &b, &err) != ATE_OK) return 1;
    int n = b.nao, nel = 0;
    for (int a = 0; a < nat; ++a)
        nel += p->el[g.z[a]].zval;
    int nocc = nel / 2, m = nocc + margin < n ? nocc + margin : n;
    size_t n2 = (size_t)n * n;
    double *cn = malloc((size_t)nat * sizeof(double)),
           *self = malloc((size_t)b.nsh * sizeof(double));
    double *sm = malloc(n2 * sizeof(double)), *h0 = malloc(n2 * sizeof(double));
    double *l = malloc(n2 * sizeof(double)), *fp = malloc(n2 * sizeof(double));
    double *a = malloc(n2 * sizeof(double)), *z = malloc(n2 * sizeof(double));
    double *z0 = malloc(n2 * sizeof(double)), *e = malloc((size_t)n * sizeof(double));
    double *e0 = malloc((size_t)n * sizeof(double)), *off = malloc((size_t)n * sizeof(double));
    double *tau = malloc((size_t)n * sizeof(double)), *d = malloc((size_t)n * sizeof(double));
    lapack_int *isuppz = malloc((size_t)2 * n * sizeof(lapack_int)),
               *ifail = malloc((size_t)n * sizeof(lapack_int));
    gfn1_cn(p, &g, cn, NULL, NULL);
    gfn1_sh0(p, &b, &g, cn, sm, h0, self);
    for (size_t k = 0; k < n2; ++k) /* the overlap the Fock matrix sees (scc.c) */
        if (fabs(sm[k]) < 1e-8) sm[k] = 0.0, h0[k] = 0.0;
    memcpy(l, sm, n2 * sizeof(double));
    double t = cpu();
    LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', n, l, n);
    printf("%d atoms, %d basis functions, %d occupied, m = %d; dpotrf (once) %.3f s\n", nat, n,
           nocc, m, cpu() - t);
    t = cpu();
    memcpy(fp, h0, n2 * sizeof(double));
    LAPACKE_dsygst(LAPACK_COL_MAJOR, 1, 'L', n, fp, n, l, n);
    printf("dsygst %.3f s (every route but single, which reduces in single precision)\n",
           cpu() - t);
    direct_fock(n, sm, h0, l, fp, a, z);
    bool have_ref = false;
    char list[256];
    snprintf(list, sizeof(list), "%s", routes);
    for (char *r = list; r && *r;) {
        char *next = strchr(r, ',');
        if (next) *next++ = '\0';
        memcpy(a, fp, n2 * sizeof(double));
        double t0 = cpu(), t1 = t0, t2 = t0, t3;
        lapack_int info = 0, mf = m;
        if (!strcmp(r, "evd")) {
            info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'L', n, a, n, e);
            memcpy(z, a, n2 * sizeof(double));
            t1 = t2 = cpu();
        } else if (!strcmp(r, "split") || !strcmp(r, "mrrr")) {
            info = LAPACKE_dsytrd(LAPACK_COL_MAJOR, 'L', n, a, n, d, off, tau);
            t1 = cpu();
            if (!strcmp(r, "split")) {
                info = LAPACKE_dstedc(LAPACK_COL_MAJOR, 'I', n, d, off, z, n);
                memcpy(e, d, (size_t)n * sizeof(double));
            } else {
                lapack_logical tryrac = 1;
                info = LAPACKE_dstemr(LAPACK_COL_MAJOR, 'V', 'I', n, d, off, 0.0, 0.0, 1, m, &mf, e,
                                      z, n, m, isuppz, &tryrac);
            }
            t2 = cpu();
            if (!info)
                info = LAPACKE_dormtr(LAPACK_COL_MAJOR, 'L', 'L', 'N', n, m, a, n, tau, z, n);
        } else if (!strcmp(r, "single")) {
            float *af = malloc(n2 * sizeof(float)), *lf = malloc(n2 * sizeof(float));
            float *zf = malloc(n2 * sizeof(float)), *df = malloc((size_t)n * sizeof(float));
            float *ef = malloc((size_t)n * sizeof(float)), *tf = malloc((size_t)n * sizeof(float));
            t0 = cpu();
            for (size_t k = 0; k < n2; ++k)
                af[k] = (float)h0[k], lf[k] = (float)l[k];
            info = LAPACKE_ssygst(LAPACK_COL_MAJOR, 1, 'L', n, af, n, lf, n);
            if (!info) info = LAPACKE_ssytrd(LAPACK_COL_MAJOR, 'L', n, af, n, df, ef, tf);
            t1 = cpu();
            if (!info) info = LAPACKE_sstedc(LAPACK_COL_MAJOR, 'I', n, df, ef, zf, n);
            t2 = cpu();
            if (!info)
                info = LAPACKE_sormtr(LAPACK_COL_MAJOR, 'L', 'L', 'N', n, m, af, n, tf, zf, n);
            for (int i = 0; i < n; ++i)
                e[i] = df[i];
            for (size_t k = 0; k < (size_t)n * m; ++k)
                z[k] = zf[k];
            free(af), free(lf), free(zf), free(df), free(ef), free(tf);
        } else if (!strcmp(r, "evr")) {
            info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', 'L', n, a, n, 0.0, 0.0, 1, m, 0.0,
                                  &mf, e, z, n, isuppz);
            t1 = t2 = cpu();
        } else if (!strcmp(r, "evx")) {
            info = LAPACKE_dsyevx(LAPACK_COL_MAJOR, 'V', 'I', 'L', n, a, n, 0.0, 0.0, 1, m, 0.0,
                                  &mf, e, z, n, ifail);
            t1 = t2 = cpu();
        } else {
            fprintf(stderr, "unknown route %s\n", r);
            return 2;
        }
        t3 = cpu();
        cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, n, m, 1.0, l, n,
                    z, n);
        double t4 = cpu();
        if (info) printf("%-6s info %d\n", r, (int)info);
        printf("%-6s total %.3f s (reduction %.3f, eigenpairs %.3f, back-transformation %.3f, "
               "dtrsm %.3f)",
               r, t4 - t0, t1 - t0, t2 - t1, t3 - t2, t4 - t3);
        if (!have_ref && !strcmp(r, "evd")) {
            memcpy(e0, e, (size_t)n * sizeof(double)), memcpy(z0, z, n2 * sizeof(double));
            have_ref = true;
        } else if (have_ref) {
            double de = 0.0;
            for (int i = 0; i < m; ++i)
                de = fmax(de, fabs(e[i] - e0[i]));
            printf("; vs evd: max |de| %.1e eV, max |dP| %.1e", de,
                   density_diff(n, nocc, z, z0, a, fp));
            memcpy(fp, h0, n2 * sizeof(double)); /* fp was scratch: reduce again */
            LAPACKE_dsygst(LAPACK_COL_MAJOR, 1, 'L', n, fp, n, l, n);
        }
        printf("\n");
        r = next;
    }
    return 0;
}
