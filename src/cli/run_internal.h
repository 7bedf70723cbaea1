/**
 * @file run_internal.h
 * @brief What cmd_run.c, run_setup.c and run_progress.c share (`atescreen run`; not installed).
 */
#ifndef ATE_CLI_RUN_INTERNAL_H
#define ATE_CLI_RUN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <mpi.h>

#include "atescreen/campaign_io.h"
#include "atescreen/journal.h"
#include "atescreen/pipeline.h"
#include "rundir.h"

/* Progress of the whole campaign, kept by rank 0: the other ranks send (computed, failed,
 * the candidate just journaled) after each candidate (tag PROGRESS_TAG, small eager messages)
 * and a last message with PROGRESS_END (candidate -1) when they leave the loop; rank 0 drains
 * them between its own candidates and, after its share, waits for the rest while printing. On
 * a terminal one live line (\r), otherwise one log line per finished candidate. Each
 * journaled candidate is announced to rank 0's results.h5 stream (rundir.h), which adds it
 * when its turn in the canonical order has come. */
enum { PROGRESS_TAG = 7301, PROGRESS_END = 7302 };

typedef struct progress {
    int total, done0, failed0; /* candidates; finished before this run started */
    int *computed, *failed;    /* per rank, this run */
    int size, ended;           /* ranks; ranks that sent PROGRESS_END */
    double t0;
    bool tty, verbose;
    ate_rundir_stream *stream; /* rank 0: results.h5 while the run computes (NULL: at the end) */
    MPI_Comm help;             /* the helpers' traffic (ate_rundir_help), apart from progress */
    double t_stream;           /* seconds spent adding to it */
    int streamed;              /* candidates added */
    ate_rundir_stream_times times; /* of the stream, split (ate_rundir_stream_get_times) */
} progress;

/* --writer: whether rank 0 takes candidates besides writing results.h5. */
enum { WRITER_AUTO, WRITER_SHARED, WRITER_DEDICATED };

/* Named phase timers of rank 0 (seconds), printed with -v: what a run spends besides the
 * candidates (benchmarks/scaling reads them). */
enum {
    T_ENUMERATE,
    T_ATOMS,
    T_JOURNALS,
    T_SETUP,
    T_REFERENCES,
    T_LOOP,
    T_STREAM,
    T_RESULTS,
    T_COUNT
};

/* Launch checks (issue #6): a Slurm step of N tasks that started N single-rank copies, and
 * more ranks on a node than it has cores. Warnings on stderr, rank 0 of each node. */
void ate_run_launch_checks(int size);

/* The atoms of every candidate of the lazily enumerated list, which the scheduler's cost
 * estimate needs before any structure is built: each rank builds a block of them and the
 * counts are shared (collective on MPI_COMM_WORLD, also when st, this rank's set-up so far,
 * failed: then nothing is counted). */
ate_status ate_run_count_atoms(ate_candidate_list *list, ate_status st, int rank, int size,
                               ate_error *err);

/* The settings that decide the numbers, as JSON (stored in the journals and in results.h5). */
void ate_run_settings_json(const ate_campaign_spec *sp, char *out, size_t cap);

/* --force: journals of other settings are moved to DIR/journal.replaced-K (the first free K) and
 * an empty DIR/journal takes their place; journals of the same settings are kept. Rank 0, before
 * the others open the journals. */
ate_status ate_run_replace_journals(const char *dir, const char *settings, int verbosity,
                                    ate_error *err);

/* Append key = text to j unless that is already its latest value. */
ate_status ate_run_put_record(ate_journal *j, const char *key, const char *text, ate_error *err);

/* Rank 0: what `atescreen merge` needs to know about this run (rundir.h). */
ate_status ate_run_describe_run(ate_journal *j, const ate_campaign_spec *spec,
                                const ate_candidate_list *list, int shard, int nshards,
                                ate_error *err);

/* Rank 0: every record of this campaign into results.h5 at once (when the stream failed). */
ate_status ate_run_write_results(const char *dir, const ate_campaign_spec *spec,
                                 const ate_candidate_list *list, const ate_references *refs,
                                 const ate_results_meta *meta, MPI_Comm comm, int *ndone,
                                 int *nfailed, ate_error *err);

/* Rank 0: add what the stream can add now. A failure drops the stream (results.h5 is then
 * written from the journals at the end, as it would be anyway). */
void ate_run_stream_step(progress *p);

void ate_run_progress_print(const progress *p);

/* Records a message; true when the counts changed. */
bool ate_run_progress_take(progress *p, const MPI_Status *ms, const int msg[3]);

/* Rank 0: take whatever has arrived and add it to the stream; with wait, block until every
 * other rank has ended, adding each candidate as it comes. */
void ate_run_progress_drain(progress *p, bool wait);

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
bool ate_run_writer_only(const progress *p, int mode, int group_size);

void ate_run_timers_print(const double *t, const ate_rundir_stream_times *st, int ncand,
                          int streamed, int ndone);

#endif
