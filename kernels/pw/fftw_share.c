/**
 * @file fftw_share.c
 * @brief The FFTW plans of a grid made once for the ranks of a communicator (docs/theory-pw.md,
 *        "Band groups"): every rank needs the same transforms, and FFTW_MEASURE planning is a
 *        fifth of a small molecule's serial run (H2O 25 Ha, 72x75x80). The ranks divide the
 *        plans (largest first to the least loaded rank), each measures its share, the planners'
 *        wisdom (FFTW 3 manual, "Words of Wisdom"; its string export and import) is gathered,
 *        every rank imports all of it in rank order and makes every plan from it
 *        (FFTW_WISDOM_ONLY). So the ranks' plans are the same algorithms, and their transforms
 *        the same numbers. ATE_FFTW_WISDOM=PATH (opt-in) keeps the wisdom in a file between
 *        runs (rank 0 reads it before planning and writes it after; CP2K's FFTW_WISDOM_FILE_NAME
 *        does the same).
 */
#include <stdlib.h>
#include <string.h>

#include "pw.h"

/* creation order of the plans (pw_grid_plan_slot) in the serial path: the order the planner
 * has always seen (dir 0 then 1: the lines of block 0 of axis f, then of block 1, axis f) */
static const int SERIAL_ORDER[PW_GRID_NPLANS] = {0, 1,  2,  3,  4,  7,  5,  6, 8,
                                                 9, 10, 11, 14, 12, 13, 15, 16};

/* plans not made on pruned boxes: bwd_wf, and with g->zl p2 and p1 (axes s and 1 run on the
 * k-point's own lines and planes there, through g->lseg and g->lrow made in basis.c) */
static bool unused(const pw_grid *g, int j)
{
    return g->pruned && (j == 2 || (g->zl && j >= 3 && (j - 3) % 7 < 6));
}

/* the relative cost of plan j: the points it transforms (3D: three axes) */
static double plan_cost(const pw_grid *g, int j)
{
    double n0 = g->n[0], n1 = g->n[1], n2 = g->n[2];
    if (unused(g, j)) return 0.0; /* not made */
    if (j < 3) return 3.0 * n0 * n1 * n2;
    int q = (j - 3) % 7;
    double wm[2] = {g->M[0] + 1, g->M[0]}, wf[2] = {g->M[1] + 1, g->M[1]};
    double ns = g->n[2 - g->faxis]; /* the first axis (pw_grid_make_plan) */
    if (q < 4) return wm[q / 2] * wf[q % 2] * ns;
    if (q < 6) return wf[q - 4] * n1 * ns;
    return n0 * n1 * n2;
}

/* 0: every plan made (the pruned ones only when g->pruned, and then not bwd_wf, which only
 * unpruned boxes use; g->pruned cleared when one of them failed); -1: a 3D plan failed */
static int make_all(pw_grid *g, const int *order, unsigned extra)
{
    int nplans = g->pruned ? PW_GRID_NPLANS : 3;
    for (int q = 0; q < nplans; ++q) {
        int j = order[q];
        fftw_plan *slot = pw_grid_plan_slot(g, j);
        if (*slot || unused(g, j)) continue;
        *slot = extra ? pw_grid_make_plan(g, j, extra) : NULL;
        if (!*slot) *slot = pw_grid_make_plan(g, j, 0); /* not in the wisdom: measured here */
        if (!*slot && j >= 3) g->pruned = false;
    }
    if (!g->pruned && !g->bwd_wf) g->bwd_wf = pw_grid_make_plan(g, 2, 0);
    return g->fwd && g->bwd && (g->pruned || g->bwd_wf) ? 0 : -1;
}

int pw_grid_plan_shared(pw_grid *g, MPI_Comm comm)
{
    int size = 1, rank = 0;
    if (comm != MPI_COMM_NULL) {
        MPI_Comm_size(comm, &size);
        MPI_Comm_rank(comm, &rank);
    }
    const char *path = getenv("ATE_FFTW_WISDOM");
    if (path && !*path) path = NULL;
    if (path && rank == 0) fftw_import_wisdom_from_filename(path); /* none yet: no matter */
    /* ATE_PW_FFTW: the planner chosen per rank (basis.c; the values may differ between the
     * ranks on purpose: pw_band_groups), each rank plans alone when any rank has it */
    const char *own = getenv("ATE_PW_FFTW");
    int alone = own && *own;
    if (size > 1) MPI_Allreduce(MPI_IN_PLACE, &alone, 1, MPI_INT, MPI_MAX, comm);
    if (size == 1 || alone) {
        int r = make_all(g, SERIAL_ORDER, 0);
        if (path && r == 0) fftw_export_wisdom_to_filename(path);
        return r;
    }
    if (path) { /* rank 0's wisdom (with the file's) to every rank before the measurements */
        char *w0 = rank == 0 ? fftw_export_wisdom_to_string() : NULL;
        int len0 = w0 ? (int)strlen(w0) + 1 : 0;
        MPI_Bcast(&len0, 1, MPI_INT, 0, comm);
        char *buf = rank == 0 ? w0 : (len0 > 0 ? malloc((size_t)len0) : NULL);
        int okb = len0 == 0 || buf != NULL, allb = 0;
        MPI_Allreduce(&okb, &allb, 1, MPI_INT, MPI_MIN, comm);
        if (allb && len0 > 0) {
            MPI_Bcast(buf, len0, MPI_CHAR, 0, comm);
            if (rank != 0) fftw_import_wisdom_from_string(buf);
        }
        free(buf);
    }
    /* the plans divided over the ranks: largest first, to the least loaded rank (the same
     * assignment on every rank) */
    int nplans = g->pruned ? PW_GRID_NPLANS : 3, owner[PW_GRID_NPLANS], byc[PW_GRID_NPLANS];
    double *load = calloc((size_t)size, sizeof(double));
    int ok = load != NULL;
    for (int q = 0; q < nplans; ++q)
        byc[q] = q;
    for (int q = 1; q < nplans; ++q) /* insertion sort by cost, descending (stable) */
        for (int r = q; r > 0 && plan_cost(g, byc[r - 1]) < plan_cost(g, byc[r]); --r) {
            int t = byc[r];
            byc[r] = byc[r - 1], byc[r - 1] = t;
        }
    for (int q = 0; q < nplans && ok; ++q) {
        int best = 0;
        for (int r = 1; r < size; ++r)
            if (load[r] < load[best]) best = r;
        owner[byc[q]] = best;
        load[best] += plan_cost(g, byc[q]);
    }
    free(load);
    /* this rank's share measured (the plans themselves are made again from the wisdom below) */
    for (int q = 0; q < nplans && ok; ++q) {
        int j = SERIAL_ORDER[q];
        if (j >= nplans || owner[j] != rank || unused(g, j)) continue;
        fftw_plan p = pw_grid_make_plan(g, j, 0);
        if (p) fftw_destroy_plan(p);
    }
    /* everyone's wisdom (with rank 0's file), imported in rank order on every rank */
    char *mine = ok ? fftw_export_wisdom_to_string() : NULL;
    int len = mine ? (int)strlen(mine) + 1 : 0, *lens = malloc((size_t)size * 2 * sizeof(int));
    int good = mine && lens, allgood = 0;
    MPI_Allreduce(&good, &allgood, 1, MPI_INT, MPI_MIN, comm);
    int r = -1;
    if (allgood) {
        int *displ = lens + size, total = 0;
        MPI_Allgather(&len, 1, MPI_INT, lens, 1, MPI_INT, comm);
        for (int q = 0; q < size; ++q)
            displ[q] = total, total += lens[q];
        char *all = malloc((size_t)total);
        good = all != NULL;
        MPI_Allreduce(&good, &allgood, 1, MPI_INT, MPI_MIN, comm);
        if (allgood) {
            MPI_Allgatherv(mine, len, MPI_CHAR, all, lens, displ, MPI_CHAR, comm);
            fftw_forget_wisdom();
            for (int q = 0; q < size; ++q)
                fftw_import_wisdom_from_string(all + displ[q]);
            r = make_all(g, SERIAL_ORDER, FFTW_WISDOM_ONLY);
        }
        free(all);
    }
    if (r != 0 && !g->fwd) r = make_all(g, SERIAL_ORDER, 0); /* a failed exchange: plan alone */
    free(mine), free(lens);
    /* the same layout on every rank: pruned transforms only where every rank has them */
    int pr = g->pruned, allpr = 0;
    MPI_Allreduce(&pr, &allpr, 1, MPI_INT, MPI_MIN, comm);
    g->pruned = allpr;
    if (!g->pruned && !g->bwd_wf) { /* another rank lost its pruned plans: this one's too */
        g->bwd_wf = pw_grid_make_plan(g, 2, 0);
        if (!g->bwd_wf) r = -1;
    }
    if (path && rank == 0 && r == 0) fftw_export_wisdom_to_filename(path);
    return r;
}
