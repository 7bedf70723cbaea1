/**
 * @file basis.c
 * @brief The plane-wave discretisation (docs/theory-pw.md, "Discretisation"): reciprocal cell,
 *        FFT box, the plane waves |k+G|^2/2 <= E_cut of each k-point, and the transforms
 *        between a k-point's sphere of coefficients and the real-space box (FFTW3).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pw.h"

#ifndef ATE_PW_FFTW_FLAGS
#define ATE_PW_FFTW_FLAGS FFTW_MEASURE
#endif

void pw_cell_init(pw_cell *c, const double a[9])
{
    memcpy(c->a, a, 9 * sizeof(double));
    double(*A)[3] = c->a;
    double cr[3][3];
    for (int i = 0; i < 3; ++i) {
        const double *u = A[(i + 1) % 3], *v = A[(i + 2) % 3];
        cr[i][0] = u[1] * v[2] - u[2] * v[1];
        cr[i][1] = u[2] * v[0] - u[0] * v[2];
        cr[i][2] = u[0] * v[1] - u[1] * v[0];
    }
    double vol = A[0][0] * cr[0][0] + A[0][1] * cr[0][1] + A[0][2] * cr[0][2];
    c->vol = fabs(vol);
    for (int i = 0; i < 3; ++i)
        for (int d = 0; d < 3; ++d)
            c->b[i][d] = 2.0 * ATE_PI * cr[i][d] / vol;
}

static bool smooth235(int n)
{
    for (int p = 2; p <= 5; ++p)
        while (n % p == 0)
            n /= p;
    return n == 1;
}

void pw_fft_default(const pw_cell *c, double ecut, int n[3])
{
    double gmax = sqrt(2.0 * ecut);
    for (int i = 0; i < 3; ++i) {
        double len =
            sqrt(c->a[i][0] * c->a[i][0] + c->a[i][1] * c->a[i][1] + c->a[i][2] * c->a[i][2]);
        int m = (int)ceil(2.0 * gmax * len / (2.0 * ATE_PI) - 1e-9);
        int v = 2 * m + 1;
        while (!smooth235(v))
            ++v;
        n[i] = v;
    }
}

static int fold(int i, int n) { return i > n / 2 ? i - n : i; }

/* the split of the index range [lo, hi] (wrapping at 0) into part 0, the indices >= 0, and part
 * 1, those < 0: the part's first and last index in [*a, *b], false when it is empty */
static bool split_run(int lo, int hi, int part, int *a, int *b)
{
    *a = part == 0 ? (lo > 0 ? lo : 0) : lo;
    *b = part == 0 ? hi : (hi < -1 ? hi : -1);
    return *a <= *b;
}

/* The slot of FFTW plan j of the grid (j < PW_GRID_NPLANS): 0 fwd, 1 bwd, 2 bwd_wf, then for
 * dir 0 and 1 the pruned transforms p2[dir][0..3], p1[dir][0..1], p0[dir] (only when g->pruned). */
fftw_plan *pw_grid_plan_slot(pw_grid *g, int j)
{
    if (j < 3) return j == 0 ? &g->fwd : j == 1 ? &g->bwd : &g->bwd_wf;
    int dir = (j - 3) / 7, q = (j - 3) % 7;
    return q < 4 ? &g->p2[dir][q] : q < 6 ? &g->p1[dir][q - 4] : &g->p0[dir];
}

/* Make plan j (pw_grid_plan_slot) with the grid's planner flags (pw_grid_init_comm: FFTW_MEASURE,
 * or ATE_PW_FFTW's) | extra; the ranks of a communicator share one set of plans through FFTW's
 * wisdom (fftw_share.c). Out of place 3D transforms (in-place 3D plans allocate and free work
 * buffers on every execution). */
fftw_plan pw_grid_make_plan(pw_grid *g, int j, unsigned extra)
{
    const int *n = g->n;
    unsigned flags = g->plan_flags | extra;
    if (j == 0 || j == 1)
        return fftw_plan_dft_3d(n[0], n[1], n[2], g->buf, g->tmp,
                                j == 0 ? FFTW_FORWARD : FFTW_BACKWARD, flags);
    /* the wavefunction transform of unpruned boxes: coefficients scattered into tmp, the result
     * where pw_to_real's callers read it (no copy back) */
    if (j == 2)
        return fftw_plan_dft_3d(n[0], n[1], n[2], g->tmp, g->buf, FFTW_BACKWARD,
                                flags | FFTW_DESTROY_INPUT);
    int dir = (j - 3) / 7, q = (j - 3) % 7, sign = dir == 0 ? FFTW_FORWARD : FFTW_BACKWARD;
    /* axes: s first (G -> r), 1, f last (g->faxis; pw_grid_init_comm) */
    int f = g->faxis, sx = 2 - f, st[3] = {n[1] * n[2], n[2], 1};
    int wm[2] = {g->M[0] + 1, g->M[0]}, wf[2] = {g->M[1] + 1, g->M[1]};
    int om[2] = {0, n[1] - g->M[0]}, of[2] = {0, n[f] - g->M[1]};
    /* with zl (f = 0) only p0: axes s and 1 run on the k-point's own lines and planes there
     * (g->lseg, g->lrow: make_run_plans) */
    if (q < 6 && g->zl) return NULL;
    if (q < 4) { /* axis s on the lines of block a of axis 1, block b of axis f */
        int a = q / 2, b = q % 2;
        fftw_iodim d = {n[sx], st[sx], st[sx]},
                   h[2] = {{wm[a], st[1], st[1]}, {wf[b], st[f], st[f]}};
        fftw_complex *p = g->buf + (size_t)om[a] * st[1] + (size_t)of[b] * st[f];
        return fftw_plan_guru_dft(1, &d, 2, h, p, p, sign, flags);
    }
    if (q < 6) { /* axis 1 on the lines of block b of axis f */
        int b = q - 4;
        fftw_iodim d = {n[1], st[1], st[1]},
                   h[2] = {{n[sx], st[sx], st[sx]}, {wf[b], st[f], st[f]}};
        fftw_complex *p = g->buf + (size_t)of[b] * st[f];
        return fftw_plan_guru_dft(1, &d, 2, h, p, p, sign, flags);
    }
    fftw_iodim d = {n[f], st[f], st[f]}, h = {g->ntot / n[f], f == 0 ? 1 : n[2], f == 0 ? 1 : n[2]};
    return fftw_plan_guru_dft(1, &d, 1, &h, g->buf, g->buf, sign, flags);
}

/* the run plans g->lseg (pw.h; grids with zl); 0, or -1 when one failed */
static int make_run_plans(pw_grid *g)
{
    int nl = g->M[0] + 1, sx = 2 - g->faxis, *n = g->n, st[3] = {n[1] * n[2], n[2], 1};
    g->lseg = calloc((size_t)2 * nl, sizeof(fftw_plan));
    if (!g->lseg) return -1;
    /* the strides of axes s and 1 in zl ([c_f][c_1][i_s]) and yl ([c_f][i_1][i_s]; f = 0) */
    int zs[2] = {1, n[sx]}, ys[2] = {1, n[sx]};
    for (int dir = 0; dir < 2; ++dir)
        for (int L = 1; L <= nl; ++L) {
            int sign = dir == 0 ? FFTW_FORWARD : FFTW_BACKWARD;
            fftw_plan *p = g->lseg + dir * nl + L - 1;
            if (dir == 1) {
                fftw_iodim d = {n[sx], zs[0], ys[0]}, h = {L, zs[1], ys[1]};
                *p = fftw_plan_guru_dft(1, &d, 1, &h, g->zl, g->yl, sign,
                                        FFTW_ESTIMATE | FFTW_PRESERVE_INPUT);
            } else {
                fftw_iodim d = {n[sx], st[sx], st[sx]}, h = {L, st[1], st[1]};
                *p = fftw_plan_guru_dft(1, &d, 1, &h, g->buf, g->buf, sign, FFTW_ESTIMATE);
            }
            if (!*p) return -1;
        }
    /* axis 1 on L = 1..M[1] + 1 planes of axis f = 0: forward in place, backward yl -> buf */
    int nr = g->M[1] + 1, plane = n[1] * n[2];
    g->lrow = calloc((size_t)2 * nr, sizeof(fftw_plan));
    if (!g->lrow) return -1;
    for (int dir = 0; dir < 2; ++dir)
        for (int L = 1; L <= nr; ++L) {
            fftw_iodim d = {n[1], n[2], n[2]}, h[2] = {{L, plane, plane}, {n[2], 1, 1}};
            fftw_complex *in = dir == 0 ? g->buf : g->yl;
            g->lrow[dir * nr + L - 1] =
                fftw_plan_guru_dft(1, &d, 2, h, in, g->buf, dir == 0 ? FFTW_FORWARD : FFTW_BACKWARD,
                                   FFTW_ESTIMATE | (dir == 1 ? FFTW_PRESERVE_INPUT : 0));
            if (!g->lrow[dir * nr + L - 1]) return -1;
        }
    return 0;
}

ate_status pw_grid_init(pw_grid *g, const pw_cell *c, const int n[3], double ecut, ate_error *err)
{
    return pw_grid_init_comm(g, c, n, ecut, MPI_COMM_NULL, err);
}

ate_status pw_grid_init_comm(pw_grid *g, const pw_cell *c, const int n[3], double ecut,
                             MPI_Comm comm, ate_error *err)
{
    memset(g, 0, sizeof(*g));
    for (int d = 0; d < 3; ++d)
        if (n[d] < 1 || n[d] > 4096)
            return ATE_ERROR(err, ATE_ERR_VALUE, "FFT grid %dx%dx%d out of range", n[0], n[1],
                             n[2]);
    /* the planner: FFTW_MEASURE (ATE_PW_FFTW_FLAGS) chooses the algorithm by timing, so two
     * runs may sum in another order: energies agree to ~1e-11 eV, not to the last bit (the ranks
     * of comm share their plans: fftw_share.c); ATE_PW_FFTW=estimate plans without timing
     * (bitwise-reproducible runs); with ATE_PW_FFTW set each rank plans alone with its own
     * flags (how pw_band_groups gives two ranks different plans on purpose) */
    unsigned flags = ATE_PW_FFTW_FLAGS;
    const char *plan = getenv("ATE_PW_FFTW");
    if (plan && strcmp(plan, "estimate") == 0)
        flags = FFTW_ESTIMATE;
    else if (plan && strcmp(plan, "measure") == 0)
        flags = FFTW_MEASURE;
    else if (plan && *plan)
        return ATE_ERROR(err, ATE_ERR_VALUE, "ATE_PW_FFTW=%s: use estimate or measure", plan);
    g->plan_flags = flags;
    memcpy(g->n, n, sizeof(g->n));
    memcpy(g->b, c->b, sizeof(g->b));
    g->ntot = n[0] * n[1] * n[2];
    g->g2 = malloc((size_t)g->ntot * sizeof(double));
    g->sphere = malloc((size_t)g->ntot * sizeof(bool));
    g->buf = fftw_malloc((size_t)g->ntot * sizeof(fftw_complex));
    g->tmp = fftw_malloc((size_t)g->ntot * sizeof(fftw_complex));
    int bad = !g->g2 || !g->sphere || !g->buf || !g->tmp;
    if (comm != MPI_COMM_NULL) /* one rank out of memory: all stop before planning together */
        MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, comm);
    if (bad) {
        pw_grid_free(g);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "FFT grid: out of memory");
    }
    double g2max = 4.0 * 2.0 * ecut; /* (2 Gmax)^2 */
    for (int i = 0; i < n[0]; ++i)
        for (int j = 0; j < n[1]; ++j)
            for (int k = 0; k < n[2]; ++k) {
                int id = (i * n[1] + j) * n[2] + k,
                    m[3] = {fold(i, n[0]), fold(j, n[1]), fold(k, n[2])};
                double G[3];
                for (int d = 0; d < 3; ++d)
                    G[d] = m[0] * c->b[0][d] + m[1] * c->b[1][d] + m[2] * c->b[2][d];
                g->g2[id] = G[0] * G[0] + G[1] * G[1] + G[2] * G[2];
                g->sphere[id] = g->g2[id] <= g2max;
            }
    /* one FFTW guru plan per block of lines (7 executions per transform): faster than the full
     * 3D transform on every box tried, 25^3 included (benchmarks/miniapps/pw_fft.c). G -> r:
     * axis s on the lines of the sphere's blocks in axes 1 and f, axis 1 on the lines of the
     * blocks in f, then axis f everywhere; r -> G in the reverse order. f = 0 (s = 2) on boxes
     * of up to 32^3 points; above, f = 2 (s = 0), the full stage on contiguous lines (on the
     * strided axis 0 FFTW copies through buffers: fftw_cpy2d was 7 % of Si8's run at 40^3;
     * miniapp: 0.88-0.94 x the time of f = 0 at 36^3-72^3, 1.00 at 25^3;
     * benchmarks/peers/pw_vs_qe.md). With f = 0 the backward transform also runs out of place
     * (pw.h: zl, yl), so that only the planes outside the block of axis f need clearing (the
     * whole box was 3 % of bcc Fe's SCF), and axis s runs only on the lines that hold points of
     * the k-point's sphere (pw_kset.seg: bcc Fe 96, Si2 86 of the 225 lines of the blocks; the
     * sphere is an ellipsoid in index space, skewed in these primitive cells), both directions;
     * Si2 and bcc Fe 5-12 % less SCF CPU, Si8 (f = 2) 1-4 % more with the same, hence f = 0
     * only (benchmarks/peers/pw_vs_qe.md) */
    int f = g->ntot > 32 * 32 * 32 ? 2 : 0;
    g->faxis = f;
    /* the bounding box of every k-point's sphere: |m_d| <= G_max |a_d| / 2pi + 1/2 (axes 1, f) */
    double gmax = sqrt(2.0 * ecut);
    for (int q = 0; q < 2; ++q) {
        int d = q == 0 ? 1 : f;
        double len =
            sqrt(c->a[d][0] * c->a[d][0] + c->a[d][1] * c->a[d][1] + c->a[d][2] * c->a[d][2]);
        g->M[q] = (int)floor(gmax * len / (2.0 * ATE_PI) + 0.5) + 1;
    }
    g->pruned = 2 * g->M[0] + 1 < n[1] && 2 * g->M[1] + 1 < n[f];
    size_t nzl = 0, nyl = 0;
    if (g->pruned && f == 0) {
        nyl = (size_t)(2 * g->M[1] + 1) * n[1] * n[2 - f];
        nzl = (size_t)(2 * g->M[1] + 1) * (2 * g->M[0] + 1) * n[2 - f];
        g->zl = fftw_malloc(nzl * sizeof(fftw_complex));
        g->yl = fftw_malloc(nyl * sizeof(fftw_complex));
    }
    bad = g->pruned && f == 0 && (!g->zl || !g->yl);
    if (comm != MPI_COMM_NULL) MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, comm);
    if (bad) {
        pw_grid_free(g);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "FFT grid: out of memory");
    }
    /* the plans, by the ranks of comm in parallel when it has several (fftw_share.c) */
    if (pw_grid_plan_shared(g, comm) != 0) {
        pw_grid_free(g);
        return ATE_ERROR(err, ATE_ERR_LIB, "FFTW could not plan a %dx%dx%d transform", n[0], n[1],
                         n[2]);
    }
    if (g->pruned && g->zl && make_run_plans(g) != 0) {
        pw_grid_free(g);
        return ATE_ERROR(err, ATE_ERR_LIB, "FFTW could not plan the lines of a %dx%dx%d box", n[0],
                         n[1], n[2]);
    }
    if (g->zl) memset(g->zl, 0, nzl * sizeof(fftw_complex)); /* the planner wrote into them */
    if (g->yl) memset(g->yl, 0, nyl * sizeof(fftw_complex));
    return ATE_OK;
}

/* the planes of axis f = 0 that hold points of ks (m_f in [frow[0], frow[1]]) as two runs, part
 * 0 m_f >= 0, part 1 m_f < 0: false when the part is empty, else its length, its first plane's
 * compact index in yl and index in the box */
static bool row_run(const pw_grid *g, const pw_kset *ks, int part, int *L, int *cf, int *i0)
{
    int a, b;
    if (!split_run(ks->frow[0], ks->frow[1], part, &a, &b)) return false;
    *L = b - a + 1;
    *cf = a >= 0 ? a : 2 * g->M[1] + 1 + a;
    *i0 = (a + g->n[0]) % g->n[0];
    return true;
}

/* pruned forward (r -> G, e^{-iGr}) 3D transform of g->buf in place: axis f, then axis 1 on the
 * lines of the block of axis f, then axis s on the lines of the set ks only (pw_kset.seg) */
static void pruned_fft_forward(const pw_grid *g, const pw_kset *ks)
{
    fftw_execute(g->p0[0]);
    pw_cplx *b = (pw_cplx *)g->buf;
    if (!ks->seg) /* f = 2: the planes of the block of axis f */
        for (int a = 0; a < 2; ++a)
            fftw_execute(g->p1[0][a]);
    for (int part = 0; part < 2 && ks->seg; ++part) { /* f = 0: the set's planes */
        int L, cf, i0;
        size_t plane = (size_t)g->n[1] * g->n[2];
        if (row_run(g, ks, part, &L, &cf, &i0))
            fftw_execute_dft(g->lrow[L - 1], b + i0 * plane, b + i0 * plane);
    }
    for (int q = 0; q < ks->nseg; ++q) {
        const int *sg = ks->seg + 4 * q;
        fftw_execute_dft(g->lseg[sg[3] - 1], b + sg[2], b + sg[2]);
    }
    if (!ks->seg) /* f = 2: the lines of the blocks */
        for (int q = 0; q < 4; ++q)
            fftw_execute(g->p2[0][q]);
}

void pw_grid_free(pw_grid *g)
{
    if (g->fwd) fftw_destroy_plan(g->fwd);
    if (g->bwd) fftw_destroy_plan(g->bwd);
    if (g->bwd_wf) fftw_destroy_plan(g->bwd_wf);
    for (int dir = 0; dir < 2; ++dir) {
        for (int q = 0; q < 4; ++q)
            if (g->p2[dir][q]) fftw_destroy_plan(g->p2[dir][q]);
        for (int a = 0; a < 2; ++a)
            if (g->p1[dir][a]) fftw_destroy_plan(g->p1[dir][a]);
        if (g->p0[dir]) fftw_destroy_plan(g->p0[dir]);
    }
    for (int q = 0; g->lseg && q < 2 * (g->M[0] + 1); ++q)
        if (g->lseg[q]) fftw_destroy_plan(g->lseg[q]);
    free(g->lseg);
    for (int q = 0; g->lrow && q < 2 * (g->M[1] + 1); ++q)
        if (g->lrow[q]) fftw_destroy_plan(g->lrow[q]);
    free(g->lrow);
    fftw_free(g->buf), fftw_free(g->tmp), fftw_free(g->zl), fftw_free(g->yl);
    free(g->g2), free(g->sphere);
    memset(g, 0, sizeof(*g));
}

/* the index in g->zl of box point id (pw.h), or -1 outside the blocks of axes 1 and f */
static int zl_index(const pw_grid *g, int id)
{
    int n1 = g->n[1], n2 = g->n[2], i[3] = {id / (n1 * n2), id / n2 % n1, id % n2};
    int f = g->faxis, m1 = fold(i[1], n1), mf = fold(i[f], g->n[f]);
    if (abs(m1) > g->M[0] || abs(mf) > g->M[1]) return -1;
    int w1 = 2 * g->M[0] + 1, wf = 2 * g->M[1] + 1;
    int c1 = m1 >= 0 ? m1 : w1 + m1, cf = mf >= 0 ? mf : wf + mf;
    return (cf * w1 + c1) * g->n[2 - f] + i[2 - f];
}

/* on grids with zl (pruned, f = 0): the lines of axis s in the blocks that hold points of the set
 * (+-G at gamma) as runs along axis 1 (ks->seg), the range of their rows in axis f (ks->frow) and
 * the points' indices in zl (ks->zidx, zidxm); replaces earlier ones */
static ate_status kset_lines(pw_kset *ks, const pw_grid *g, ate_error *err)
{
    free(ks->zidx), free(ks->zidxm), free(ks->seg);
    ks->zidx = NULL, ks->zidxm = NULL, ks->seg = NULL, ks->nseg = 0;
    if (!g->pruned || !g->zl) return ATE_OK;
    int f = g->faxis, ns = g->n[2 - f], n1 = g->n[1], nf = g->n[f];
    int M0 = g->M[0], M1 = g->M[1], w1 = 2 * M0 + 1, wf = 2 * M1 + 1;
    int st[3] = {n1 * g->n[2], g->n[2], 1};
    size_t n = ks->npw > 0 ? (size_t)ks->npw : 1;
    int *z = malloc(n * sizeof(int)), *zm = ks->idxm ? malloc(n * sizeof(int)) : NULL;
    char *line = calloc((size_t)w1 * wf, 1);
    ks->seg = malloc((size_t)2 * wf * 4 * sizeof(int));
    if (!z || (ks->idxm && !zm) || !line || !ks->seg) {
        free(z), free(zm), free(line);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "plane waves: out of memory");
    }
    for (int p = 0; p < ks->npw; ++p) {
        z[p] = zl_index(g, ks->idx[p]);
        if (zm) zm[p] = zl_index(g, ks->idxm[p]);
        /* cannot happen for |kf_d| <= 1/2 (the blocks: pw_grid_init_comm) */
        if (z[p] < 0 || (zm && zm[p] < 0)) {
            free(z), free(zm), free(line);
            return ATE_ERROR(err, ATE_ERR_INTERNAL,
                             "plane waves: k-point (%g, %g, %g) outside the FFT blocks", ks->kf[0],
                             ks->kf[1], ks->kf[2]);
        }
        line[z[p] / ns] = 1;
        if (zm) line[zm[p] / ns] = 1;
    }
    ks->frow[0] = M1 + 1, ks->frow[1] = -M1 - 1;
    for (int cf = 0; cf < wf; ++cf) { /* each row of axis f: the range [lo, hi] of m_1 */
        int lo = M0 + 1, hi = -M0 - 1, mf = cf <= M1 ? cf : cf - wf;
        for (int c1 = 0; c1 < w1; ++c1)
            if (line[cf * w1 + c1]) {
                int m1 = c1 <= M0 ? c1 : c1 - w1;
                lo = m1 < lo ? m1 : lo, hi = m1 > hi ? m1 : hi;
            }
        if (lo <= hi) /* the range of m_f of the rows with lines */
            ks->frow[0] = mf < ks->frow[0] ? mf : ks->frow[0],
            ks->frow[1] = mf > ks->frow[1] ? mf : ks->frow[1];
        for (int part = 0; part < 2 && lo <= hi; ++part) { /* m_1 >= 0, then m_1 < 0 */
            int a, b;
            if (!split_run(lo, hi, part, &a, &b)) continue;
            int c1 = a >= 0 ? a : w1 + a, j = (a + n1) % n1, *q = ks->seg + 4 * ks->nseg++;
            q[0] = (cf * w1 + c1) * ns;                  /* zl */
            q[1] = (cf * n1 + j) * ns;                   /* yl (f = 0) */
            q[2] = ((mf + nf) % nf) * st[f] + j * st[1]; /* box */
            q[3] = b - a + 1;
        }
    }
    free(line);
    if (ks->frow[0] > ks->frow[1]) ks->frow[0] = 0, ks->frow[1] = -1; /* no points: no planes */
    ks->zidx = z, ks->zidxm = zm;
    return ATE_OK;
}

ate_status pw_kset_init(pw_kset *ks, const pw_cell *c, const pw_grid *g, const double kf[3],
                        double w, double ecut, ate_error *err)
{
    memset(ks, 0, sizeof(*ks));
    memcpy(ks->kf, kf, sizeof(ks->kf));
    for (int d = 0; d < 3; ++d)
        ks->k[d] = kf[0] * c->b[0][d] + kf[1] * c->b[1][d] + kf[2] * c->b[2][d];
    ks->w = w;
    /* the largest index needed along each axis: |m_i| <= |k+G| |a_i| / 2pi + |kf_i| */
    double gmax = sqrt(2.0 * ecut);
    int mmax[3];
    for (int d = 0; d < 3; ++d) {
        double len =
            sqrt(c->a[d][0] * c->a[d][0] + c->a[d][1] * c->a[d][1] + c->a[d][2] * c->a[d][2]);
        mmax[d] = (int)floor(gmax * len / (2.0 * ATE_PI) + fabs(kf[d])) + 1;
    }
    size_t cap = (size_t)(2 * mmax[0] + 1) * (2 * mmax[1] + 1) * (2 * mmax[2] + 1);
    ks->idx = malloc(cap * sizeof(int));
    ks->kpg = malloc(cap * 3 * sizeof(double));
    ks->kin = malloc(cap * sizeof(double));
    if (!ks->idx || !ks->kpg || !ks->kin) {
        pw_kset_free(ks);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "plane waves: out of memory");
    }
    int n = 0;
    for (int i = -mmax[0]; i <= mmax[0]; ++i)
        for (int j = -mmax[1]; j <= mmax[1]; ++j)
            for (int q = -mmax[2]; q <= mmax[2]; ++q) {
                double v[3];
                for (int d = 0; d < 3; ++d)
                    v[d] = ks->k[d] + i * c->b[0][d] + j * c->b[1][d] + q * c->b[2][d];
                double e = 0.5 * (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
                if (e > ecut) continue;
                int m[3] = {i, j, q};
                for (int d = 0; d < 3; ++d)
                    if (2 * abs(m[d]) + 1 > g->n[d])
                        return pw_kset_free(ks),
                               ate_error_set_input(
                                   err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "fft",
                                   "the FFT grid %dx%dx%d is too small for the cutoff %g "
                                   "Ha: axis %d needs at least %d points",
                                   g->n[0], g->n[1], g->n[2], ecut, d + 1, 2 * abs(m[d]) + 1);
                int id = (((i + g->n[0]) % g->n[0]) * g->n[1] + (j + g->n[1]) % g->n[1]) * g->n[2] +
                         (q + g->n[2]) % g->n[2];
                ks->idx[n] = id;
                memcpy(ks->kpg + 3 * n, v, sizeof(v));
                ks->kin[n] = e;
                ++n;
            }
    ks->npw = n;
    ate_status st = kset_lines(ks, g, err);
    if (st != ATE_OK) pw_kset_free(ks);
    return st;
}

void pw_kset_free(pw_kset *ks)
{
    free(ks->idx), free(ks->kpg), free(ks->kin), free(ks->idxm), free(ks->zidx), free(ks->zidxm);
    free(ks->seg);
    ks->idx = NULL, ks->kpg = NULL, ks->kin = NULL, ks->idxm = NULL, ks->zidx = NULL,
    ks->zidxm = NULL, ks->seg = NULL, ks->nseg = 0;
}

/* the box index of -G for the box index of G */
static int minus_index(const pw_grid *g, int id)
{
    int n1 = g->n[1], n2 = g->n[2], i = id / (n1 * n2), j = id / n2 % n1, k = id % n2;
    return (((g->n[0] - i) % g->n[0]) * n1 + (n1 - j) % n1) * n2 + (n2 - k) % n2;
}

ate_status pw_kset_make_gamma(pw_kset *ks, const pw_grid *g, ate_error *err)
{
    if (ks->kf[0] != 0.0 || ks->kf[1] != 0.0 || ks->kf[2] != 0.0 || ks->gamma) return ATE_OK;
    size_t cap = (size_t)ks->npw / 2 + 1;
    int *idx = malloc(cap * sizeof(int)), *idxm = malloc(cap * sizeof(int));
    double *kpg = malloc(cap * 3 * sizeof(double)), *kin = malloc(cap * sizeof(double));
    if (!idx || !idxm || !kpg || !kin) {
        free(idx), free(idxm), free(kpg), free(kin);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "plane waves: out of memory");
    }
    /* G = 0 first, then the half (m0 > 0) or (m0 = 0, m1 > 0) or (m0 = m1 = 0, m2 > 0) in the
     * order of the full set */
    int n = 1, n1 = g->n[1], n2 = g->n[2];
    bool zero = false;
    for (int p = 0; p < ks->npw; ++p) {
        int id = ks->idx[p], i = id / (n1 * n2), j = id / n2 % n1, k = id % n2;
        int m0 = i > g->n[0] / 2 ? i - g->n[0] : i, m1 = j > n1 / 2 ? j - n1 : j,
            m2 = k > n2 / 2 ? k - n2 : k;
        int q;
        if (m0 == 0 && m1 == 0 && m2 == 0)
            q = 0, zero = true;
        else if (m0 > 0 || (m0 == 0 && (m1 > 0 || (m1 == 0 && m2 > 0))))
            q = n++;
        else
            continue;
        if ((size_t)q >= cap) break; /* cannot happen: the sphere is symmetric */
        idx[q] = id;
        idxm[q] = minus_index(g, id);
        memcpy(kpg + 3 * q, ks->kpg + 3 * p, 3 * sizeof(double));
        kin[q] = ks->kin[p];
    }
    if (!zero || (size_t)n != cap || 2 * n - 1 != ks->npw) {
        free(idx), free(idxm), free(kpg), free(kin);
        return ATE_ERROR(err, ATE_ERR_INTERNAL, "plane waves: the Gamma sphere is not symmetric");
    }
    free(ks->idx), free(ks->kpg), free(ks->kin);
    ks->idx = idx, ks->idxm = idxm, ks->kpg = kpg, ks->kin = kin;
    ks->npw = n;
    ks->gamma = true;
    return kset_lines(ks, g, err);
}

pw_cplx *pw_fft(const pw_grid *g, fftw_plan plan)
{
    fftw_execute(plan);
    return (pw_cplx *)g->tmp;
}

void pw_density_to_real(const pw_grid *g, const pw_cplx *rhog, double *rho)
{
    memcpy(g->buf, rhog, (size_t)g->ntot * sizeof(pw_cplx));
    const pw_cplx *t = pw_fft(g, g->bwd);
    for (int p = 0; p < g->ntot; ++p)
        rho[p] = creal(t[p]);
}

/* the coefficients into b at the indices idx (and idxm of -G at gamma: psi(-G) = psi(G)^*, the
 * box holds c + i c2 on +G, c^* + i c2^* on -G) */
static void scatter(pw_cplx *b, const pw_kset *ks, const int *idx, const int *idxm,
                    const pw_cplx *c, const pw_cplx *c2)
{
    if (ks->gamma) {
        if (c2) {
            b[idx[0]] = creal(c[0]) + I * creal(c2[0]);
            for (int p = 1; p < ks->npw; ++p) {
                b[idx[p]] = c[p] + I * c2[p];
                b[idxm[p]] = conj(c[p]) + I * conj(c2[p]);
            }
        } else {
            b[idx[0]] = creal(c[0]);
            for (int p = 1; p < ks->npw; ++p) {
                b[idx[p]] = c[p];
                b[idxm[p]] = conj(c[p]);
            }
        }
    } else
        for (int p = 0; p < ks->npw; ++p)
            b[idx[p]] = c[p];
}

void pw_to_real(const pw_grid *g, const pw_kset *ks, const pw_cplx *c, const pw_cplx *c2)
{
    if (!g->pruned || !g->zl) { /* into a cleared box: tmp (unpruned) or buf (pruned, in place) */
        pw_cplx *b = (pw_cplx *)(g->pruned ? g->buf : g->tmp);
        memset(b, 0, (size_t)g->ntot * sizeof(pw_cplx));
        scatter(b, ks, ks->idx, ks->idxm, c, c2);
        if (!g->pruned) {
            fftw_execute(g->bwd_wf);
            return;
        }
        for (int q = 0; q < 4; ++q) /* axis s on the lines of the blocks, 1, then f */
            fftw_execute(g->p2[1][q]);
        for (int b2 = 0; b2 < 2; ++b2)
            fftw_execute(g->p1[1][b2]);
        fftw_execute(g->p0[1]);
        return;
    }
    /* pruned, f = 0: zl -> yl -> buf (pw.h), zl cleared again where it was written */
    pw_cplx *z = (pw_cplx *)g->zl;
    scatter(z, ks, ks->zidx, ks->zidxm, c, c2);
    const fftw_plan *run = g->lseg + g->M[0] + 1; /* axis s on the set's lines */
    for (int q = 0; q < ks->nseg; ++q) {
        const int *sg = ks->seg + 4 * q;
        fftw_execute_dft(run[sg[3] - 1], g->zl + sg[0], g->yl + sg[1]);
    }
    for (int p = 0; p < ks->npw; ++p)
        z[ks->zidx[p]] = 0.0;
    if (ks->gamma)
        for (int p = 1; p < ks->npw; ++p)
            z[ks->zidxm[p]] = 0.0;
    size_t plane = (size_t)g->n[1] * g->n[2]; /* = the stride of c_f in yl */
    for (int part = 0; part < 2; ++part) {    /* axis 1 on the set's planes of axis f */
        int L, cf, i0;
        if (row_run(g, ks, part, &L, &cf, &i0))
            fftw_execute_dft(g->lrow[g->M[1] + L], g->yl + cf * plane, g->buf + i0 * plane);
    }
    for (int q = 0; q < ks->nseg; ++q) /* yl cleared again on the lines axis s wrote */
        memset(g->yl + ks->seg[4 * q + 1], 0,
               (size_t)ks->seg[4 * q + 3] * g->n[2] * sizeof(pw_cplx));
    /* the other planes of axis f = 0 (m_f outside [frow[0], frow[1]]), which axis f's transform
     * reads: zero (one cyclic range of planes) */
    int n0 = g->n[0], first = (ks->frow[1] + 1 + n0) % n0,
        cnt = n0 - (ks->frow[1] - ks->frow[0] + 1);
    int cnt1 = first + cnt <= n0 ? cnt : n0 - first;
    memset((pw_cplx *)g->buf + first * plane, 0, (size_t)cnt1 * plane * sizeof(pw_cplx));
    memset(g->buf, 0, (size_t)(cnt - cnt1) * plane * sizeof(pw_cplx));
    fftw_execute(g->p0[1]);
}

void pw_to_sphere(const pw_grid *g, const pw_kset *ks, double scale, pw_cplx *out, pw_cplx *out2)
{
    const pw_cplx *b = (const pw_cplx *)g->buf;
    if (g->pruned)
        pruned_fft_forward(g, ks);
    else
        b = pw_fft(g, g->fwd);
    if (ks->gamma) { /* F = A + i B with A(-G) = A(G)^*, B(-G) = B(G)^* */
        double h = 0.5 * scale;
        out[0] += scale * creal(b[ks->idx[0]]);
        if (out2) out2[0] += scale * cimag(b[ks->idx[0]]);
        for (int p = 1; p < ks->npw; ++p) {
            pw_cplx f = b[ks->idx[p]], fm = conj(b[ks->idxm[p]]);
            out[p] += h * (f + fm);
            if (out2) out2[p] += h * (-I) * (f - fm);
        }
    } else
        for (int p = 0; p < ks->npw; ++p)
            out[p] += scale * b[ks->idx[p]];
}
