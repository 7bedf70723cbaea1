/**
 * @file pw_fft.c
 * @brief Miniapp (a program, not a test): one wavefunction transform of kernels/pw/basis.c on an
 *        n^3 box, the full 3D FFTW transform against the pruned one (the sphere's bounding box
 *        |m_0|, |m_1| <= M: axis 2 on the (i, j) columns of the box, axis 1 on its i planes,
 *        axis 0 everywhere), the latter with one FFTW guru plan per block of columns or planes
 *        as basis.c builds them (7 executions per transform). Both include the box clear before
 *        the coefficients go in, as pw_to_real does. Prints CPU microseconds per transform and
 *        the largest difference between the two results (single-threaded FFTW, FFTW_MEASURE).
 *        Then the pruned transform in the two stage orders of basis.c, alternating for 3 rounds:
 *        axis 0 last (as above; boxes up to 32^3) and axis 2 last (axis 0 on the (j, k) lines of
 *        the box, axis 1 on its k blocks, axis 2 everywhere; boxes above 32^3). Last, the
 *        backward transform of basis.c's pw_to_real on boxes up to 32^3 against the in-place
 *        pruned one (both with the coefficients put in, 3 alternating rounds): axis 2 only on the
 *        (i, j) lines that hold points of the ball (runs along axis 1 per i, one FFTW_ESTIMATE
 *        plan per run length through fftw_execute_dft) out of place from a compact array of
 *        those lines (zero but for the ball's points, cleared again after use) into a compact
 *        array of the i planes of the block, axis 1 from there into the box, the box cleared
 *        only outside the block of axis 0, axis 0 in place (basis.c further runs axis 1 only on
 *        the planes that hold lines and clears the rest; not timed here). The ball has radius M
 * here, so its lines fill pi/4 of the block; the cells of benchmarks/peers/pw_vs_qe.py are skewed
 * and fill less (bcc Fe 96, Si2 86 of 225 lines at M 7).
 *
 * usage: ate_bench_pw_fft N M [REPEATS (default 2000)]
 *        (Si2 at 12 Ha and bcc Fe at 30 Ha of benchmarks/peers/pw_vs_qe.py: N 25, M 7;
 *        Si8 at 15 Ha: N 40, M 11)
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fftw3.h>

static double cpu(void) { return (double)clock() / CLOCKS_PER_SEC; }

/* basis.c's backward wavefunction transform on boxes up to 32^3 (see the file comment): z
 * [2M+1][2M+1][n] (axis 0 block, axis 1 block, axis 2), y [2M+1][n][n]; runs[3 r ..]: offsets of
 * run r's first line in z and y, its length */
typedef struct runs_fft {
    fftw_complex *z, *y, *buf;
    fftw_plan *run, p1[2], p0;
    int *runs, nrun, n, M;
    size_t *zidx;
} runs_fft;

static double time_runs(const runs_fft *rf, const double *coef, size_t nin, int reps)
{
    int n = rf->n, M = rf->M;
    size_t n12 = (size_t)n * n;
    double t0 = cpu();
    for (int r = 0; r < reps; ++r) {
        for (size_t q = 0; q < nin; ++q)
            rf->z[rf->zidx[q]][0] = coef[2 * q], rf->z[rf->zidx[q]][1] = coef[2 * q + 1];
        for (int q = 0; q < rf->nrun; ++q) {
            const int *u = rf->runs + 3 * q;
            fftw_execute_dft(rf->run[u[2] - 1], rf->z + u[0], rf->y + u[1]);
        }
        for (size_t q = 0; q < nin; ++q)
            rf->z[rf->zidx[q]][0] = rf->z[rf->zidx[q]][1] = 0.0;
        for (int b = 0; b < 2; ++b)
            fftw_execute(rf->p1[b]);
        for (int q = 0; q < rf->nrun; ++q)
            memset(rf->y + rf->runs[3 * q + 1], 0,
                   (size_t)rf->runs[3 * q + 2] * n * sizeof(fftw_complex));
        memset(rf->buf + (size_t)(M + 1) * n12, 0,
               (size_t)(n - 2 * M - 1) * n12 * sizeof(fftw_complex));
        fftw_execute(rf->p0);
    }
    return (cpu() - t0) / reps;
}

/* CPU seconds per pruned transform (columns, planes, axis): the sphere's coefficients put in a
 * cleared box, then the plans, reps times */
static double time_pruned(fftw_complex *buf, size_t ntot, const size_t *idx, const double *coef,
                          size_t nin, fftw_plan c[4], fftw_plan pl[2], fftw_plan ax, int reps)
{
    double t0 = cpu();
    for (int r = 0; r < reps; ++r) {
        memset(buf, 0, ntot * sizeof(fftw_complex));
        for (size_t q = 0; q < nin; ++q)
            buf[idx[q]][0] = coef[2 * q], buf[idx[q]][1] = coef[2 * q + 1];
        for (int q = 0; q < 4; ++q)
            fftw_execute(c[q]);
        for (int a = 0; a < 2; ++a)
            fftw_execute(pl[a]);
        fftw_execute(ax);
    }
    return (cpu() - t0) / reps;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s N M [REPEATS]\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[1]), M = atoi(argv[2]), reps = argc > 3 ? atoi(argv[3]) : 2000;
    if (n < 4 || M < 1 || 2 * M + 1 >= n || reps < 1) {
        fprintf(stderr, "need 2 M + 1 < N, N >= 4, M >= 1\n");
        return 2;
    }
    int n12 = n * n;
    size_t ntot = (size_t)n * n12;
    fftw_complex *buf = fftw_malloc(ntot * sizeof(fftw_complex)),
                 *tmp = fftw_malloc(ntot * sizeof(fftw_complex)),
                 *ref = fftw_malloc(ntot * sizeof(fftw_complex));
    if (!buf || !tmp || !ref) return 1;
    /* the full transform of basis.c's unpruned path: tmp -> buf, input destroyed */
    fftw_plan full =
        fftw_plan_dft_3d(n, n, n, tmp, buf, FFTW_BACKWARD, FFTW_MEASURE | FFTW_DESTROY_INPUT);
    /* the pruned one, in place on buf */
    int len[2] = {M + 1, M}, off[2] = {0, n - M};
    fftw_plan p2[4], p1[2], p0;
    for (int a = 0; a < 2; ++a) {
        fftw_complex *pl = buf + (size_t)off[a] * n12;
        for (int b = 0; b < 2; ++b) {
            fftw_iodim d = {n, 1, 1}, h[2] = {{len[a], n12, n12}, {len[b], n, n}};
            fftw_complex *p = pl + (size_t)off[b] * n;
            p2[2 * a + b] = fftw_plan_guru_dft(1, &d, 2, h, p, p, FFTW_BACKWARD, FFTW_MEASURE);
        }
        fftw_iodim d = {n, n, n}, h[2] = {{len[a], n12, n12}, {n, 1, 1}};
        p1[a] = fftw_plan_guru_dft(1, &d, 2, h, pl, pl, FFTW_BACKWARD, FFTW_MEASURE);
    }
    {
        fftw_iodim d = {n, n12, n12}, h = {n12, 1, 1};
        p0 = fftw_plan_guru_dft(1, &d, 1, &h, buf, buf, FFTW_BACKWARD, FFTW_MEASURE);
    }
    /* the same with axis 2 (contiguous) as the full, last stage: axis 0 on the (j, k) lines of
     * the box, axis 1 on its k blocks, axis 2 everywhere (basis.c on boxes above 32^3) */
    fftw_plan q2[4], q1[2], q0;
    for (int b = 0; b < 2; ++b) {
        for (int a = 0; a < 2; ++a) {
            fftw_iodim d = {n, n12, n12}, h[2] = {{len[a], n, n}, {len[b], 1, 1}};
            fftw_complex *p = buf + (size_t)off[a] * n + off[b];
            q2[2 * a + b] = fftw_plan_guru_dft(1, &d, 2, h, p, p, FFTW_BACKWARD, FFTW_MEASURE);
        }
        fftw_iodim d = {n, n, n}, h[2] = {{n, n12, n12}, {len[b], 1, 1}};
        q1[b] = fftw_plan_guru_dft(1, &d, 2, h, buf + off[b], buf + off[b], FFTW_BACKWARD,
                                   FFTW_MEASURE);
    }
    {
        fftw_iodim d = {n, 1, 1}, h = {n12, n, n};
        q0 = fftw_plan_guru_dft(1, &d, 1, &h, buf, buf, FFTW_BACKWARD, FFTW_MEASURE);
    }
    /* coefficients inside the bounding box (a ball of radius M would do as well) */
    unsigned long long x = 12345;
    double *coef = malloc(ntot * 2 * sizeof(double));
    size_t *idx = malloc(ntot * sizeof(size_t)), nin = 0;
    if (!coef || !idx) return 1;
    for (size_t p = 0; p < ntot; ++p) {
        int i = (int)(p / (size_t)n12), j = (int)(p / (size_t)n % (size_t)n);
        int mi = i > n / 2 ? i - n : i, mj = j > n / 2 ? j - n : j, mk = (int)(p % (size_t)n);
        mk = mk > n / 2 ? mk - n : mk;
        bool in = abs(mi) <= M && abs(mj) <= M && mi * mi + mj * mj + mk * mk <= M * M;
        for (int c = 0; c < 2; ++c) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            coef[2 * nin + c] = (double)(x >> 11) / 9007199254740992.0 - 0.5;
        }
        if (in) idx[nin++] = p;
    }
    double t0 = cpu();
    for (int r = 0; r < reps; ++r) {
        memset(tmp, 0, ntot * sizeof(fftw_complex));
        for (size_t q = 0; q < nin; ++q)
            tmp[idx[q]][0] = coef[2 * q], tmp[idx[q]][1] = coef[2 * q + 1];
        fftw_execute(full);
    }
    double tf = (cpu() - t0) / reps;
    memcpy(ref, buf, ntot * sizeof(fftw_complex));
    double tp = time_pruned(buf, ntot, idx, coef, nin, p2, p1, p0, reps), dmax = 0.0;
    for (size_t p = 0; p < ntot; ++p)
        for (int c = 0; c < 2; ++c)
            dmax = fmax(dmax, fabs(buf[p][c] - ref[p][c]));
    printf("n %d  M %d  full %.1f us  pruned %.1f us  pruned/full %.2f  max difference %.1e\n", n,
           M, 1e6 * tf, 1e6 * tp, tp / tf, dmax);
    /* the two pruned orders alternating, 3 rounds */
    for (int round = 0; round < 3; ++round) {
        double t[2];
        for (int o = 0; o < 2; ++o)
            t[o] = o ? time_pruned(buf, ntot, idx, coef, nin, q2, q1, q0, reps)
                     : time_pruned(buf, ntot, idx, coef, nin, p2, p1, p0, reps);
        dmax = 0.0;
        for (size_t p = 0; p < ntot; ++p)
            for (int c = 0; c < 2; ++c)
                dmax = fmax(dmax, fabs(buf[p][c] - ref[p][c]));
        printf("pruned, axis 0 last %.1f us  axis 2 last %.1f us  ratio %.2f  max difference "
               "%.1e\n",
               1e6 * t[0], 1e6 * t[1], t[1] / t[0], dmax);
    }
    /* basis.c's transform with runs (boxes up to 32^3) */
    int W = 2 * M + 1;
    runs_fft rf = {.n = n, .M = M, .buf = buf, .p0 = p0};
    rf.z = fftw_malloc((size_t)W * W * n * sizeof(fftw_complex));
    rf.y = fftw_malloc((size_t)W * n12 * sizeof(fftw_complex));
    rf.run = calloc((size_t)M + 1, sizeof(fftw_plan));
    rf.runs = malloc((size_t)2 * W * 3 * sizeof(int));
    rf.zidx = malloc(nin * sizeof(size_t));
    char *line = calloc((size_t)W * W, 1);
    if (!rf.z || !rf.y || !rf.run || !rf.runs || !rf.zidx || !line) return 1;
    for (int L = 1; L <= M + 1; ++L) {
        fftw_iodim d = {n, 1, 1}, h = {L, n, n};
        rf.run[L - 1] = fftw_plan_guru_dft(1, &d, 1, &h, rf.z, rf.y, FFTW_BACKWARD,
                                           FFTW_ESTIMATE | FFTW_PRESERVE_INPUT);
    }
    for (int b = 0; b < 2; ++b) {
        int cf = b == 0 ? 0 : M + 1;
        fftw_iodim d = {n, n, n}, h[2] = {{len[b], n12, n12}, {n, 1, 1}};
        rf.p1[b] =
            fftw_plan_guru_dft(1, &d, 2, h, rf.y + (size_t)cf * n12, buf + (size_t)off[b] * n12,
                               FFTW_BACKWARD, FFTW_MEASURE | FFTW_PRESERVE_INPUT);
    }
    memset(rf.z, 0, (size_t)W * W * n * sizeof(fftw_complex));
    memset(rf.y, 0, (size_t)W * n12 * sizeof(fftw_complex));
    for (size_t q = 0; q < nin; ++q) {
        int i = (int)(idx[q] / (size_t)n12), j = (int)(idx[q] / (size_t)n % (size_t)n);
        int mi = i > n / 2 ? i - n : i, mj = j > n / 2 ? j - n : j;
        int ci = mi >= 0 ? mi : W + mi, cj = mj >= 0 ? mj : W + mj;
        rf.zidx[q] = ((size_t)ci * W + cj) * n + idx[q] % (size_t)n;
        line[ci * W + cj] = 1;
    }
    int nlines = 0;
    for (int ci = 0; ci < W; ++ci) {
        int lo = M + 1, hi = -M - 1;
        for (int cj = 0; cj < W; ++cj)
            if (line[ci * W + cj]) {
                int mj = cj <= M ? cj : cj - W;
                lo = mj < lo ? mj : lo, hi = mj > hi ? mj : hi;
                ++nlines;
            }
        for (int part = 0; part < 2 && lo <= hi; ++part) {
            int a = part == 0 ? (lo > 0 ? lo : 0) : lo, e = part == 0 ? hi : (hi < -1 ? hi : -1);
            if (a > e) continue;
            int *u = rf.runs + 3 * rf.nrun++, cj = a >= 0 ? a : W + a;
            u[0] = (ci * W + cj) * n, u[1] = (ci * n + (a + n) % n) * n, u[2] = e - a + 1;
        }
    }
    for (int round = 0; round < 3; ++round) {
        double t[2];
        t[0] = time_pruned(buf, ntot, idx, coef, nin, p2, p1, p0, reps);
        t[1] = time_runs(&rf, coef, nin, reps);
        dmax = 0.0;
        for (size_t p = 0; p < ntot; ++p)
            for (int c = 0; c < 2; ++c)
                dmax = fmax(dmax, fabs(buf[p][c] - ref[p][c]));
        printf(
            "pruned in place %.1f us  runs (%d of %d lines, %d runs) out of place %.1f us  ratio "
            "%.2f  max difference %.1e\n",
            1e6 * t[0], nlines, W * W, rf.nrun, 1e6 * t[1], t[1] / t[0], dmax);
    }
    for (int L = 0; L <= M; ++L)
        fftw_destroy_plan(rf.run[L]);
    fftw_destroy_plan(rf.p1[0]), fftw_destroy_plan(rf.p1[1]);
    fftw_free(rf.z), fftw_free(rf.y), free(rf.run), free(rf.runs), free(rf.zidx), free(line);
    fftw_destroy_plan(q0);
    for (int q = 0; q < 4; ++q)
        fftw_destroy_plan(q2[q]);
    for (int a = 0; a < 2; ++a)
        fftw_destroy_plan(q1[a]);
    fftw_destroy_plan(full), fftw_destroy_plan(p0);
    for (int q = 0; q < 4; ++q)
        fftw_destroy_plan(p2[q]);
    for (int a = 0; a < 2; ++a)
        fftw_destroy_plan(p1[a]);
    fftw_free(buf), fftw_free(tmp), fftw_free(ref), free(coef), free(idx);
    return 0;
}
