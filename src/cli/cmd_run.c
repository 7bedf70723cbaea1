/**
 * @file cmd_run.c
 * @brief `atescreen run CAMPAIGN.yaml [-o DIR] [--shard I/N] [--walltime S]`: the screening
 *        campaign (docs/pipeline.md).
 *
 * Layout of DIR: journal/rank-<r>.jrnl (one durable record per finished candidate, written by
 * rank r), results.h5 (rebuilt from all journals at the end, atomically), run.lock, STOP (a
 * request to stop). Candidates are handed to the ranks dynamically, the most expensive first
 * (atescreen/scheduler.h); a candidate found in any journal is not computed again, so re-running
 * the same command resumes an interrupted campaign; --retry-failed computes the failed ones
 * again (the new record supersedes the failed one). The journals remember the settings:
 * resuming with different settings is refused, or with --force the old journals are moved to
 * DIR/journal.replaced-K and the campaign starts afresh. SIGTERM and SIGUSR1 (Slurm's warning
 * before the time limit), DIR/STOP and --walltime stop after the current candidates and still write
 * results.h5 (exit status 3). With --shard I/N, DIR/shard-I-of-N is the directory of this run
 * and only the shard's candidates are computed (rundir.h); `atescreen merge` combines shards.
 *
 * Rank 0 writes DIR/results.h5.tmp while the others compute (stream.c); --writer auto (default)
 * lets it stop taking candidates when writing would delay the run (writer_only), shared keeps it
 * computing, dedicated makes it a writer from the start.
 *
 * --group-size G splits the ranks into groups of G consecutive ranks that take one candidate at
 * a time (ate_workqueue_create_groups: the group leader advances the counter). The pipeline's
 * kernel runs on the group's communicator (plane waves spread the (k, spin) pairs over it), the
 * stop decisions are agreed within the group before each candidate and during it, and the leader
 * alone journals. gfn1 evaluates a structure on one rank, so G > 1 is refused for it
 * (docs/pipeline.md, "Rank groups").
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* flock */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <mpi.h>

#include "atescreen/campaign_io.h"
#include "atescreen/context.h"
#include "atescreen/journal.h"
#include "atescreen/par.h"
#include "atescreen/pipeline.h"
#include "atescreen/scheduler.h"
#include "atescreen/sites.h"
#include "cli.h"
#include "run_internal.h"
#include "rundir.h"

static volatile sig_atomic_t stop_requested = 0;
static void on_signal(int sig) { stop_requested = sig; }

/* Pipeline hook after every energy evaluation: MPI progress for the work queue, and a signal
 * abandons the candidate in progress (it is computed again on resume). */
static int run_poll(void *queue)
{
    ate_workqueue_poll(queue);
    return stop_requested > 0;
}

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: atescreen run CAMPAIGN.yaml [-o DIR] [--shard I/N] [--walltime SECONDS]\n"
        "                     [--retry-failed] [--force] [--group-size G] [-v|--verbose]\n"
        "                     [--writer auto|shared|dedicated] [-q|--quiet]\n\n"
        "Screen every candidate of the campaign: relax the clean site and *OH, *O, *OOH, *H\n"
        "on each metal, scan spin states, rescue failed SCFs, compute CHE free energies and\n"
        "write DIR/results.h5 (default DIR: the campaign name). Re-running the same command\n"
        "resumes: finished candidates (DIR/journal/) are not computed again; --retry-failed\n"
        "computes the failed ones again. Resuming with other settings is refused; --force\n"
        "moves the old journals to DIR/journal.replaced-K and starts afresh.\n"
        "Candidates are handed to the MPI ranks dynamically, the most expensive first.\n"
        "--group-size G (default 1): groups of G ranks take one candidate each, for kernels\n"
        "that share one evaluation between ranks (pw: the k-points and spins); G must divide\n"
        "the number of ranks, and gfn1 (one rank per structure) accepts only 1.\n"
        "--writer: rank 0 writes DIR/results.h5 while the others compute; 'shared': it also\n"
        "computes candidates, 'dedicated': it computes none (more than one rank), 'auto'\n"
        "(default): it computes until writing would delay the run (docs/pipeline.md).\n"
        "Stopping: SIGTERM or SIGUSR1 abandons the candidates in progress (they are redone\n"
        "on resume) and stops within seconds; a file DIR/STOP (removed when read) or\n"
        "--walltime (no candidate is started that the slowest one so far says would not\n"
        "finish in time) lets the candidates in progress finish. Either way results.h5 is\n"
        "written and the exit status is 3 (requeue).\n"
        "--shard I/N (0 <= I < N; Slurm job arrays): compute only shard I of N, in\n"
        "DIR/shard-I-of-N/ with its own journals (resumable like a whole run). The candidates,\n"
        "sorted most expensive first, are dealt round-robin: shard I takes positions I, I+N,\n"
        "I+2N, ... `atescreen merge -o DIR DIR` then combines the shards into DIR/results.h5.\n");
}

int ate_cli_run(int argc, char **argv)
{
    const char *outdir = NULL;
    int verbosity = 1;
    double walltime = 0.0;
    int shard = 0, nshards = 1, group_size = 1, writer = WRITER_AUTO;
    bool sharded = false, retry_failed = false, force = false;
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"walltime", required_argument, NULL, 'w'},
                                         {"shard", required_argument, NULL, 's'},
                                         {"retry-failed", no_argument, NULL, 'r'},
                                         {"force", no_argument, NULL, 'f'},
                                         {"verbose", no_argument, NULL, 'v'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"group-size", required_argument, NULL, 'g'},
                                         {"writer", required_argument, NULL, 'W'},
                                         {NULL, 0, NULL, 0}};
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "o:w:s:vqh", opts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            outdir = optarg;
            break;
        case 'v':
            verbosity = 2;
            break;
        case 'w': {
            char *end;
            walltime = strtod(optarg, &end);
            if (*end || !(walltime > 0.0)) {
                fprintf(stderr, "atescreen run: invalid value '%s' for --walltime (seconds > 0)\n",
                        optarg);
                return ATE_EXIT_USAGE;
            }
            break;
        }
        case 'g': {
            char *end;
            long g = strtol(optarg, &end, 10);
            if (*end || end == optarg || g < 1 || g > 1000000) {
                fprintf(stderr,
                        "atescreen run: invalid value '%s' for --group-size (an integer >= 1)\n",
                        optarg);
                return ATE_EXIT_USAGE;
            }
            group_size = (int)g;
            break;
        }
        case 's': {
            ate_error e;
            if (ate_rundir_parse_shard(optarg, "--shard", &shard, &nshards, &e) != ATE_OK) {
                fprintf(stderr, "atescreen run: %s\n", e.message);
                return ATE_EXIT_USAGE;
            }
            sharded = true;
            break;
        }
        case 'W':
            if (strcmp(optarg, "auto") == 0)
                writer = WRITER_AUTO;
            else if (strcmp(optarg, "shared") == 0)
                writer = WRITER_SHARED;
            else if (strcmp(optarg, "dedicated") == 0)
                writer = WRITER_DEDICATED;
            else {
                fprintf(stderr,
                        "atescreen run: invalid value '%s' for --writer (auto, shared or "
                        "dedicated)\n",
                        optarg);
                return ATE_EXIT_USAGE;
            }
            break;
        case 'q':
            verbosity = 0;
            break;
        case 'r':
            retry_failed = true;
            break;
        case 'f':
            force = true;
            break;
        case 'h':
            usage(stdout);
            return ATE_EXIT_OK;
        default:
            usage(stderr);
            return ATE_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "atescreen run: expected one campaign file\n");
        usage(stderr);
        return ATE_EXIT_USAGE;
    }
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    /* the rank group (--group-size): consecutive ranks, as ate_workqueue_create_groups makes
     * them; the pipeline's kernel runs on it and its first rank (the leader) journals */
    MPI_Comm group = MPI_COMM_SELF;
    bool grouped = group_size > 1 && size % group_size == 0, leader = true;
    if (grouped) {
        MPI_Comm_split(MPI_COMM_WORLD, rank / group_size, rank, &group);
        leader = rank % group_size == 0;
    }
    char cmdline[2048];
    ate_cli_command_line(argc, argv, cmdline, sizeof(cmdline));
    ate_error err;
    ate_error_clear(&err);
    ate_campaign_spec spec;
    ate_campaign_spec_init(&spec);
    ate_candidate_list *list = NULL;
    ate_pipeline *pipe = NULL;
    ate_journal *mine = NULL;
    ate_rundir_journals old = {0};
    int lock_fd = -1;
    static char settings[8192];
    char dir[2048], path[4200];
    ate_references refs = {0};

    double timer[T_COUNT] = {0}, t_phase = MPI_Wtime();
    bool live = rank == 0 && isatty(fileno(stderr)); /* \r progress line */
    if (verbosity) ate_run_launch_checks(size);
    /* set-up: every rank reads and enumerates (deterministic); errors are the same everywhere */
    ate_status st = ate_campaign_read(argv[optind], &spec, &err);
    if (st == ATE_OK && size % group_size != 0)
        st = ATE_ERROR(&err, ATE_ERR_INPUT,
                       "--group-size %d does not divide the number of MPI ranks (%d): launch a "
                       "multiple of %d ranks or choose a divisor of %d",
                       group_size, size, group_size, size);
    if (st == ATE_OK && group_size > 1 && strcmp(spec.settings.method, "gfn1") == 0)
        st = ATE_ERROR(&err, ATE_ERR_INPUT,
                       "--group-size %d: the gfn1 kernel evaluates a structure on one rank, so "
                       "the other ranks of a group would only wait; run gfn1 campaigns with "
                       "--group-size 1 (the default, one candidate per rank)",
                       group_size);
    double t_enum = MPI_Wtime();
    if (st == ATE_OK) st = ate_sites_enumerate_lazy(&spec, &list, &err);
    timer[T_ENUMERATE] = MPI_Wtime() - t_enum;
    t_enum = MPI_Wtime();
    ate_status st_atoms = ate_run_count_atoms(list, st, rank, size, &err);
    if (st == ATE_OK) st = st_atoms;
    timer[T_ATOMS] = MPI_Wtime() - t_enum;
    if (st == ATE_OK)
        /* on a terminal the live progress line replaces the per-state lines (unless -v) */
        st = ate_pipeline_create_on(&spec, group, rank == 0 ? stderr : NULL,
                                    rank == 0 && !(live && verbosity < 2) ? verbosity : 0, &pipe,
                                    &err);
    if (st == ATE_OK) {
        snprintf(dir, sizeof(dir), "%s", outdir ? outdir : spec.name);
        if (sharded) { /* its own directory and journals (rundir.h) */
            size_t l = strlen(dir);
            snprintf(dir + l, sizeof(dir) - l, "/shard-%d-of-%d", shard, nshards);
        }
        ate_run_settings_json(&spec, settings, sizeof(settings));
        snprintf(path, sizeof(path), "%s/journal", dir);
        if (rank == 0) st = ate_cli_make_dir(path, &err);
        if (st == ATE_OK && rank == 0 && force)
            st = ate_run_replace_journals(dir, settings, verbosity, &err);
    }
    if (st == ATE_OK && rank == 0) {
        snprintf(path, sizeof(path), "%s/run.lock", dir);
        lock_fd = open(path, O_RDWR | O_CREAT, 0644);
        if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0)
            st = ATE_ERROR(&err, ATE_ERR_IO, "%s is in use by another atescreen run (%s)", dir,
                           lock_fd < 0 ? strerror(errno) : "locked");
    }
    /* the journals of earlier runs: rank 0 alone reads them (the others learn what they need
     * below), before any rank appends its settings */
    double t_journals = MPI_Wtime();
    if (st == ATE_OK && rank == 0) st = ate_rundir_open_journals(dir, &old, NULL, &err);
    timer[T_JOURNALS] = MPI_Wtime() - t_journals;
    if (st == ATE_OK && rank == 0 && !ate_rundir_same_settings(&old, 0, old.n, settings))
        st = ATE_ERROR(&err, ATE_ERR_INPUT,
                       "%s/journal holds results of a campaign with different settings; use "
                       "another output directory (-o) to start afresh",
                       dir);
    /* rank 0's verdict decides for all (the directory exists, is ours, has our settings) */
    int ok0 = st == ATE_OK;
    MPI_Bcast(&ok0, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (st == ATE_OK && !ok0) st = ATE_ERROR(&err, ATE_ERR_IO, "set-up failed on rank 0");
    if (st == ATE_OK) {
        ate_rundir_journal_path(dir, rank, path, sizeof(path));
        size_t dropped = 0;
        st = ate_journal_open(path, &mine, &dropped, &err);
        if (st == ATE_OK && dropped && verbosity)
            fprintf(stderr, "atescreen run: %s: dropped a torn record of %zu bytes\n", path,
                    dropped);
        if (st == ATE_OK) st = ate_run_put_record(mine, ATE_RUNDIR_SETTINGS, settings, &err);
        if (st == ATE_OK && rank == 0)
            st = ate_run_describe_run(mine, &spec, list, shard, nshards, &err);
    }
    /* one report: rank 0's error if it has one, otherwise each failing rank's own */
    int bad = st != ATE_OK, anybad = 0, bad0 = bad;
    MPI_Allreduce(&bad, &anybad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    MPI_Bcast(&bad0, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (anybad) {
        int rc = ATE_EXIT_FAILED;
        if (bad && (rank == 0 || !bad0))
            rc = ate_cli_report_error(&err);
        else if (bad)
            rc = err.code == ATE_ERR_INPUT || err.code == ATE_ERR_IO ? ATE_EXIT_USAGE
                                                                     : ATE_EXIT_FAILED;
        ate_journal_close(&mine);
        ate_rundir_close_journals(&old);
        ate_pipeline_destroy(&pipe);
        ate_candidate_list_destroy(&list);
        ate_campaign_spec_clear(&spec);
        if (lock_fd >= 0) close(lock_fd);
        if (grouped) MPI_Comm_free(&group);
        return rc;
    }
    signal(SIGTERM, on_signal);
    signal(SIGUSR1, on_signal);

    int nc = ate_candidate_list_count(list), nmine = 0;
    int done = 0, failed = 0, computed = 0;
    bool *finished = calloc((size_t)(nc ? nc : 1), sizeof(bool));
    bool *member = calloc((size_t)(nc ? nc : 1), sizeof(bool)); /* in this shard */
    /* what the journals hold of each candidate (rank 0 reads, all learn): 0 nothing, 1 a
     * finished record, 2 a failed one */
    unsigned char *journaled = calloc((size_t)(nc ? nc : 1), 1);
    if (!finished || !member || !journaled) st = ATE_ERROR(&err, ATE_ERR_MEMORY, "out of memory");
    if (st == ATE_OK) st = ate_rundir_shard_members(list, &spec, shard, nshards, member, &err);
    for (int i = 0; i < nc && st == ATE_OK && rank == 0; ++i) {
        size_t len;
        const void *rec =
            member[i] ? ate_rundir_find(&old, 0, old.n, ate_candidate_list_get(list, i)->id, &len)
                      : NULL;
        int status;
        if (rec)
            journaled[i] =
                ate_candidate_result_status(rec, len, &status) && status == ATE_RESULT_FAILED ? 2
                                                                                              : 1;
    }
    if (journaled) MPI_Bcast(journaled, nc, MPI_UNSIGNED_CHAR, 0, MPI_COMM_WORLD);
    for (int i = 0; i < nc && st == ATE_OK; ++i) {
        if (!member[i]) continue;
        ++nmine;
        if (!journaled[i]) continue;
        bool was_failed = journaled[i] == 2;
        if (was_failed && retry_failed) continue; /* computed again */
        finished[i] = true;
        ++done;
        failed += was_failed;
    }
    free(journaled);
    bool tty = live && verbosity < 2;
    int *pcount = calloc(2 * (size_t)size, sizeof(int));
    if (!pcount && st == ATE_OK) st = ATE_ERROR(&err, ATE_ERR_MEMORY, "out of memory");
    progress prog = {.total = nmine,
                     .done0 = done,
                     .failed0 = failed,
                     .computed = pcount,
                     .failed = pcount ? pcount + size : NULL,
                     .size = size,
                     .tty = tty,
                     .verbose = rank == 0 && verbosity > 0,
                     .help = MPI_COMM_NULL};
    MPI_Comm_dup(MPI_COMM_WORLD, &prog.help); /* collective: every rank is here */
    int my_failed = 0;
    if (rank == 0 && verbosity && sharded)
        fprintf(stderr, "atescreen run: shard %d/%d: %d of the campaign's %d candidates\n", shard,
                nshards, nmine, nc);
    if (rank == 0 && verbosity)
        fprintf(stderr, "atescreen run: %d candidates, %d already done, %d rank(s), output %s\n",
                nmine, done, size, dir);
    if (pipe) ate_pipeline_set_poll(pipe, run_poll, NULL);
    timer[T_SETUP] =
        MPI_Wtime() - t_phase - timer[T_ENUMERATE] - timer[T_ATOMS] - timer[T_JOURNALS];
    t_phase = MPI_Wtime();
    bool refs_ok = true;
    if (st == ATE_OK) st = ate_pipeline_references(pipe, &refs, &err);
    if (st == ATE_ERR_INTERRUPTED) { /* a signal during the gas references */
        st = ATE_OK, refs_ok = false;
        ate_error_clear(&err);
    } else if (st == ATE_OK && rank == 0) {
        char text[512];
        ate_rundir_pack_refs(&refs, text, sizeof(text));
        st = ate_run_put_record(mine, ATE_RUNDIR_REFERENCES, text, &err);
    }
    /* the unfinished candidates, most expensive first (cost ~ atoms^3 x states), handed out
     * dynamically (atescreen/scheduler.h) */
    int *pending = malloc((size_t)(nc ? nc : 1) * sizeof(int));
    double *cost = malloc((size_t)(nc ? nc : 1) * sizeof(double));
    int npending = 0;
    if ((!pending || !cost) && st == ATE_OK) st = ATE_ERROR(&err, ATE_ERR_MEMORY, "out of memory");
    if (cost) ate_rundir_costs(list, &spec, cost);
    for (int i = 0; i < nc && pending && cost; ++i)
        if (member[i] && !finished[i]) pending[npending++] = i;
    if (pending && cost) ate_schedule_order(pending, npending, cost);
    timer[T_REFERENCES] = MPI_Wtime() - t_phase;
    t_phase = MPI_Wtime();
    if (rank == 0 && refs_ok && st == ATE_OK) {
        /* results.h5 grows while the ranks compute; its failure is not the run's */
        bool *waiting = finished; /* reused: the candidates this run computes */
        for (int i = 0; i < nc; ++i)
            waiting[i] = member[i] && !finished[i];
        ate_error e;
        snprintf(path, sizeof(path), "%s/results.h5", dir);
        if (ate_rundir_track_journals(dir, &old, size, &e) != ATE_OK ||
            ate_rundir_stream_create(path, &spec, list, waiting, &old, &prog.stream, &e) !=
                ATE_OK) {
            char buf[2048];
            ate_error_format(&e, buf, sizeof(buf));
            fprintf(stderr, "atescreen run: warning: %s; results.h5 is written at the end\n", buf);
        }
        ate_run_stream_step(&prog); /* the candidates finished before this run */
    }
    ate_workqueue *queue = NULL;
    if (st == ATE_OK)
        st = ate_workqueue_create_groups(MPI_COMM_WORLD, group_size, pending, npending, &queue,
                                         &err);
    /* groups of G > 1 (pw): the kernel runs on `group` (the same ranks as
     * ate_workqueue_group), every rank of it computes the candidate, the leader journals */
    if (pipe) ate_pipeline_set_poll(pipe, run_poll, queue);
    char stop_path[4200];
    snprintf(stop_path, sizeof(stop_path), "%s/STOP", dir);
    double slowest = 0.0;
    prog.t0 = MPI_Wtime();
    while (st == ATE_OK) {
        /* 3 a signal, 2 the STOP file, 1 --walltime; a group agrees (the strongest wins), as
         * its ranks take the next candidate together */
        int why = stop_requested                                                 ? 3
                  : access(stop_path, F_OK) == 0                                 ? 2
                  : walltime > 0.0 && MPI_Wtime() - prog.t0 + slowest > walltime ? 1
                                                                                 : 0;
        if (grouped) MPI_Allreduce(MPI_IN_PLACE, &why, 1, MPI_INT, MPI_MAX, group);
        if (why) {
            if (!stop_requested) stop_requested = why == 3 ? SIGTERM : why == 2 ? -1 : -2;
            break;
        }
        if (rank == 0 && ate_run_writer_only(&prog, writer, group_size)) {
            if (verbosity >= 2)
                fprintf(stderr, "atescreen run: rank 0 writes results.h5 and computes no more "
                                "candidates\n");
            break; /* the others go on; it writes until they are done */
        }
        int i = ate_workqueue_next(queue);
        if (i < 0) break;
        double tc = MPI_Wtime();
        const ate_candidate *c = ate_candidate_list_get(list, i);
        if (rank == 0 && verbosity >= 1 && !tty)
            fprintf(stderr, "candidate %s %s (%s)\n", c->id, c->name, c->family);
        ate_candidate_result r;
        st = ate_candidate_list_build(list, i, &err); /* only the rank that computes it */
        if (st == ATE_OK) st = ate_pipeline_candidate(pipe, c, &r, &err);
        ate_candidate_list_release(list, i);
        if (st == ATE_ERR_INTERRUPTED) { /* a signal: abandon it, it is redone on resume */
            st = ATE_OK;
            ate_error_clear(&err);
            break;
        }
        if (ate_pipeline_state_failure(st)) {
            /* this candidate's own failure (it cannot be built, or the pipeline met an error
             * no state could absorb): a failed record with the reason, the run goes on */
            ate_candidate_result_failed(c, ate_candidate_list_natoms(list, i), &err, &r);
            if (leader)
                fprintf(stderr, "atescreen run: candidate %s %s failed: %s\n", c->id, c->name,
                        r.fail_reason);
            ate_error_clear(&err);
            st = ATE_OK;
        }
        if (st != ATE_OK) break;
        if (!leader) { /* the group's leader journals it (the same result on every rank) */
            ate_candidate_result_clear(&r);
            slowest = fmax(slowest, MPI_Wtime() - tc);
            continue;
        }
        r.rank = rank;
        void *buf = NULL;
        size_t blen = 0;
        st = ate_candidate_result_pack(&r, &buf, &blen, &err);
        if (st == ATE_OK) st = ate_journal_append(mine, c->id, buf, blen, &err);
        free(buf);
        ++computed;
        my_failed += r.status == ATE_RESULT_FAILED;
        if (rank == 0) {
            prog.computed[0] = computed, prog.failed[0] = my_failed;
            if (prog.stream && st == ATE_OK) ate_rundir_stream_arrived(prog.stream, i, 0);
            ate_run_progress_drain(&prog, false);
            ate_run_progress_print(&prog);
        } else {
            int msg[3] = {computed, my_failed, st == ATE_OK ? i : -1};
            MPI_Send(msg, 3, MPI_INT, 0, PROGRESS_TAG, MPI_COMM_WORLD);
            if (verbosity >= 1 && !tty)
                fprintf(stderr, "[rank %d] %s %s %s\n", rank, c->id, c->name,
                        r.status == ATE_RESULT_FAILED ? "failed" : "done");
        }
        ate_candidate_result_clear(&r);
        slowest = fmax(slowest, MPI_Wtime() - tc);
    }
    if (pipe) ate_pipeline_set_poll(pipe, NULL, NULL);
    free(pending), free(cost);
    int rc = st == ATE_OK ? ATE_EXIT_OK : ate_cli_report_error(&err);
    ate_journal_close(&mine);
    /* The end. The queue's window stays until every rank is done (freeing it is collective):
     * rank 0 goes on adding candidates to results.h5 while the others finish, and a rank that
     * has finished compresses results.h5 chunks for rank 0 until the file is written. */
    if (rank != 0) {
        int msg[3] = {computed, my_failed, -1};
        MPI_Send(msg, 3, MPI_INT, 0, PROGRESS_END, MPI_COMM_WORLD);
        ate_rundir_help(prog.help);
    } else {
        if (prog.computed) ate_run_progress_drain(&prog, true);
        if (tty && verbosity) fputc('\n', stderr);
        timer[T_LOOP] = MPI_Wtime() - t_phase - prog.t_stream;
        timer[T_STREAM] = prog.t_stream;
        t_phase = MPI_Wtime();
        if (!refs_ok)
            fprintf(stderr,
                    "atescreen run: stopped during the gas references: %s/results.h5 is left "
                    "as it was\n",
                    dir);
        if (refs_ok) {
            int ndone = 0, nfail = 0;
            ate_error e2;
            ate_error_clear(&e2);
            ate_results_meta meta = {.command_line = cmdline,
                                     .mpi_size = size,
                                     .parameters_json = settings,
                                     .param_dir = ate_pipeline_param_dir(pipe)};
            MPI_Comm helpers = size > 1 ? prog.help : MPI_COMM_NULL; /* all done now */
            ate_status s2 = prog.stream ? ate_rundir_stream_finish(&prog.stream, &refs, &meta,
                                                                   helpers, &ndone, &nfail, &e2)
                                        : ate_run_write_results(dir, &spec, list, &refs, &meta,
                                                                helpers, &ndone, &nfail, &e2);
            if (s2 != ATE_OK) {
                int r2 = ate_cli_report_error(&e2);
                if (rc == ATE_EXIT_OK) rc = r2;
            } else if (verbosity) {
                fprintf(stderr,
                        "atescreen run: %d of %d candidates in %s/results.h5 (%d failed)%s\n",
                        ndone, nmine, dir, nfail, ndone < nmine ? "; run again to continue" : "");
            }
            timer[T_RESULTS] = MPI_Wtime() - t_phase;
            if (verbosity >= 2) ate_run_timers_print(timer, &prog.times, nc, prog.streamed, ndone);
        }
        ate_rundir_help_done(prog.help);
    }
    ate_workqueue_destroy(&queue);
    MPI_Comm_free(&prog.help);
    /* any rank's reason to stop, the strongest wins: 3 signal (candidates abandoned), 2 STOP
     * file, 1 walltime (stop_requested: signal number > 0, -1 STOP file, -2 walltime) */
    int why = stop_requested > 0 ? 3 : stop_requested == -1 ? 2 : stop_requested == -2 ? 1 : 0;
    int why_any = why;
    MPI_Allreduce(&why, &why_any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    static const char *const why_text[4] = {
        "", "--walltime reached: stopped after the candidates in progress",
        "STOP file: stopped after the candidates in progress",
        "signal: the candidates in progress were abandoned (they are computed again on resume)"};
    if (why_any && rank == 0) fprintf(stderr, "atescreen run: %s\n", why_text[why_any]);
    stop_requested = why_any;
    if (why_any == 2 && rank == 0) unlink(stop_path); /* consumed: a requeued run goes on */
    ate_rundir_stream_abort(&prog.stream); /* stopped during the references: not created */
    ate_rundir_close_journals(&old);
    free(finished), free(member);
    free(pcount);
    int rcmax = rc;
    MPI_Allreduce(&rc, &rcmax, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    ate_pipeline_destroy(&pipe);
    ate_candidate_list_destroy(&list);
    ate_campaign_spec_clear(&spec);
    if (lock_fd >= 0) close(lock_fd);
    if (grouped) MPI_Comm_free(&group);
    if (stop_requested && rcmax == ATE_EXIT_OK) return 3; /* interrupted: requeue */
    return rcmax;
}
