/**
 * @file run_progress.c
 * @brief `atescreen run`, rank 0's view of the run (split from cmd_run.c): progress messages,
 *        the results.h5 stream during the run, the --writer rule and the phase timers.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpi.h>

#include "atescreen/campaign_io.h"
#include "atescreen/context.h"
#include "atescreen/journal.h"
#include "atescreen/par.h"
#include "atescreen/pipeline.h"
#include "atescreen/sites.h"
#include "cli.h"
#include "run_internal.h"

/* Rank 0: add what the stream can add now. A failure drops the stream (results.h5 is then
 * written from the journals at the end, as it would be anyway). */
void ate_run_stream_step(progress *p)
{
    if (!p->stream) return;
    double t = MPI_Wtime();
    int added = 0;
    ate_error e;
    if (ate_rundir_stream_advance(p->stream, &added, &e) != ATE_OK) {
        char buf[2048];
        ate_error_format(&e, buf, sizeof(buf));
        fprintf(stderr,
                "atescreen run: warning: writing results.h5 during the run failed (%s); it is "
                "written from the journals at the end\n",
                buf);
        ate_rundir_stream_abort(&p->stream);
    }
    p->streamed += added;
    if (p->stream) ate_rundir_stream_get_times(p->stream, &p->times);
    p->t_stream += MPI_Wtime() - t;
}

void ate_run_progress_print(const progress *p)
{
    if (!p->verbose) return;
    int comp = 0, fail = p->failed0;
    for (int r = 0; r < p->size; ++r)
        comp += p->computed[r], fail += p->failed[r];
    int done = p->done0 + comp, left = p->total - done;
    double elapsed = MPI_Wtime() - p->t0;
    double eta = comp > 0 ? elapsed / comp * left : NAN; /* all ranks' combined rate */
    if (p->tty)
        fprintf(stderr, "\r[%.0f s] %d/%d done, %d failed, %d left, ETA %s%.0f s   ", elapsed, done,
                p->total, fail, left, isfinite(eta) ? "" : "? ", isfinite(eta) ? eta : 0.0);
    else
        fprintf(stderr, "[%.0f s] %d/%d done, %d failed, %d left, ETA %.0f s\n", elapsed, done,
                p->total, fail, left, isfinite(eta) ? eta : -1.0);
    fflush(stderr);
}

/* Records a message; true when the counts changed. */
bool ate_run_progress_take(progress *p, const MPI_Status *ms, const int msg[3])
{
    if (p->stream && msg[2] >= 0) ate_rundir_stream_arrived(p->stream, msg[2], ms->MPI_SOURCE);
    bool changed = p->computed[ms->MPI_SOURCE] != msg[0] || p->failed[ms->MPI_SOURCE] != msg[1];
    p->computed[ms->MPI_SOURCE] = msg[0];
    p->failed[ms->MPI_SOURCE] = msg[1];
    if (ms->MPI_TAG == PROGRESS_END) {
        ++p->ended;
        if (p->stream) ate_rundir_stream_helper(p->stream, p->help, ms->MPI_SOURCE);
    }
    return changed;
}

/* Rank 0: take whatever has arrived and add it to the stream; with wait, block until every
 * other rank has ended, adding each candidate as it comes. */
void ate_run_progress_drain(progress *p, bool wait)
{
    for (;;) {
        int flag = 0, msg[3];
        MPI_Status ms;
        if (wait && p->ended < p->size - 1) {
            MPI_Recv(msg, 3, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &ms);
            if (ate_run_progress_take(p, &ms, msg)) ate_run_progress_print(p);
            MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &ms);
            if (!flag) ate_run_stream_step(p); /* nothing else waiting */
            continue;
        }
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &ms);
        if (!flag) break;
        MPI_Recv(msg, 3, MPI_INT, ms.MPI_SOURCE, ms.MPI_TAG, MPI_COMM_WORLD, &ms);
        ate_run_progress_take(p, &ms, msg);
    }
    ate_run_stream_step(p);
}

/* Rank 0, before it takes a candidate: true when it should stop taking them and only write
 * results.h5 for the rest of the run (a dedicated writer). --writer auto decides from what the
 * stream has seen so far: with P ranks, w rank 0's time per candidate written (reading and
 * unpacking the record, adding it, compressing) and c the mean candidate (wall_s), writing
 * takes f = (P - 1) w / c of rank 0's time. A candidate rank 0 computes gains the run about
 * (1 - f) of it divided among P ranks, but the records that arrive meanwhile (f of it to
 * write) wait until it is done, and once the work left is short that backlog is written after
 * the other ranks have finished. Rank 0 stops when f >= 1 or when the candidates not yet
 * finished, R, are few against that: R (1 - f) < P^2 f. Small runs never stop (f ~ P x 1e-4 on
 * the benchmark's candidates); at P = 1024 and 0.7 ms per record, rank 0 writes from the start.
 * benchmarks/scaling/simsched.py (writer_rule) simulates the same rule. */
bool ate_run_writer_only(const progress *p, int mode, int group_size)
{
    if (p->size < 2 || group_size > 1 || mode == WRITER_SHARED) return false;
    if (mode == WRITER_DEDICATED) return true;
    const ate_rundir_stream_times *t = &p->times;
    if (!p->stream || t->unpacked < 1 || !(t->wall > 0.0)) return false;
    double w = p->t_stream / t->unpacked, c = t->wall / t->unpacked;
    double f = (p->size - 1) * w / c, P = p->size;
    int done = p->done0;
    for (int r = 0; r < p->size; ++r)
        done += p->computed[r];
    return f >= 1.0 || (p->total - done) * (1.0 - f) < P * P * f;
}

static const char *const timer_name[T_COUNT] = {"enumerate",
                                                "atom counts",
                                                "journals",
                                                "set-up",
                                                "references",
                                                "candidates",
                                                "results.h5 during the run",
                                                "results.h5 at the end"};

void ate_run_timers_print(const double *t, const ate_rundir_stream_times *st, int ncand,
                          int streamed, int ndone)
{
    fprintf(stderr, "atescreen run: timers (rank 0):");
    for (int k = 0; k < T_COUNT; ++k)
        fprintf(stderr, " %s %.6f s,", timer_name[k], t[k]);
    /* the part of "results.h5 during the run" spent reading the journals, unpacking records,
     * adding them to the columns and compressing full chunks; records unpacked ahead */
    fprintf(stderr,
            " stream read %.6f s, stream unpack %.6f s, stream add %.6f s, stream compress %.6f s,"
            " unpacked ahead %d records",
            st->read, st->unpack, st->add, st->compress, st->early);
    fprintf(stderr, "; %d candidates, %d in results.h5, %d of them added during the run\n", ncand,
            ndone, streamed);
}
