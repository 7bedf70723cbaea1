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
 * a time (ate_workqueue_create_groups: the group leader advances the counter). The kernels of
 * this build (gfn1) evaluate a structure on one rank, so G > 1 is refused for them
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
        "that share one evaluation between ranks; G must divide the number of ranks, and\n"
        "gfn1 (one rank per structure) accepts only 1.\n"
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

/* Launch checks (issue #6): a Slurm step of N tasks that started N single-rank copies, and
 * more ranks on a node than it has cores. Warnings on stderr, rank 0 of each node. */
static void launch_checks(int size)
{
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    int on_node = 1, node_rank = 0;
    MPI_Comm_size(node, &on_node);
    MPI_Comm_rank(node, &node_rank);
    MPI_Comm_free(&node);
    if (node_rank != 0) return;
    const char *tasks = getenv("SLURM_NTASKS");
    long nt = tasks ? strtol(tasks, NULL, 10) : 0;
    if (nt > 1 && size == 1)
        fprintf(stderr,
                "atescreen run: warning: SLURM_NTASKS=%ld but this MPI world has 1 rank: %ld "
                "separate copies are probably running (the second one stops at run.lock); "
                "launch with `srun --mpi=pmix` (or pmi2) or `mpirun` so the ranks form one "
                "world\n",
                nt, nt);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores > 0 && on_node > cores)
        fprintf(stderr,
                "atescreen run: warning: %d ranks on this node but %ld cores: the ranks "
                "oversubscribe the cores and every candidate runs slower; use at most one rank "
                "per core\n",
                on_node, cores);
}

/* The atoms of every candidate of the lazily enumerated list, which the scheduler's cost
 * estimate needs before any structure is built: each rank builds a block of them and the
 * counts are shared (collective on MPI_COMM_WORLD, also when st, this rank's set-up so far,
 * failed: then nothing is counted). */
static ate_status count_atoms(ate_candidate_list *list, ate_status st, int rank, int size,
                              ate_error *err)
{
    int nc = list ? ate_candidate_list_count(list) : 0, bad = st != ATE_OK || !list;
    ATE_TRY(ate_par_max_int(MPI_COMM_WORLD, &bad, 1, err));
    if (bad) return ATE_OK; /* reported by the ranks that failed */
    int *n = calloc((size_t)(nc ? nc : 1), sizeof(int));
    ate_status mine = n ? ATE_OK : ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    /* a block each: consecutive candidates mostly share a base, which the list keeps built */
    int first = (int)((long long)nc * rank / size), last = (int)((long long)nc * (rank + 1) / size);
    for (int i = first; i < last && mine == ATE_OK; ++i) {
        mine = ate_candidate_list_build(list, i, err);
        if (mine == ATE_OK) n[i] = ate_candidate_list_natoms(list, i);
        ate_candidate_list_release(list, i);
    }
    int fail = mine != ATE_OK;
    ate_error e2;
    ate_status s2 = ate_par_max_int(MPI_COMM_WORLD, &fail, 1, &e2);
    if (mine == ATE_OK && s2 != ATE_OK) *err = e2, mine = s2;
    if (mine == ATE_OK && !fail) mine = ate_par_max_int(MPI_COMM_WORLD, n, nc, err);
    for (int i = 0; i < nc && mine == ATE_OK && !fail; ++i)
        ate_candidate_list_set_natoms(list, i, n[i]);
    free(n);
    return mine; /* ATE_OK here while another rank reports its failure */
}

/* The settings that decide the numbers, as JSON (stored in the journals and in results.h5). */
static void settings_json(const ate_campaign_spec *sp, char *out, size_t cap)
{
    const ate_settings_spec *s = &sp->settings;
    /* spGFN1 is named only when on, so the settings of earlier campaigns stay the same */
    int n = snprintf(
        out, cap,
        "{\"method\": \"%s\"%s, \"electronic_temperature_K\": %.17g, "
        "\"fmax_eV_per_A\": %.17g, \"max_steps\": %d, \"freeze_radius_A\": %.17g, "
        "\"min_unpaired\": %d, \"max_unpaired\": %d, \"spin_scan\": \"%s\", "
        "\"scf\": {\"max_iter\": %d, \"mixing\": %.17g, \"econv_Eh\": %.17g, "
        "\"qconv_e\": %.17g, \"guess\": \"%s\", \"rescue\": [",
        s->method, s->spin_polarized ? ", \"spin_polarized\": true" : "", s->electronic_temperature,
        s->fmax, s->max_steps, s->freeze_radius, s->min_unpaired, s->max_unpaired,
        s->spin_scan == ATE_SPIN_SCAN_RELAX ? "relax" : "single_point", s->scf_max_iter,
        s->scf_mixing, s->scf_econv, s->scf_qconv, s->scf_uniform_guess ? "uniform" : "eeq");
    for (int i = 0; i < s->nrescue && n > 0 && (size_t)n < cap; ++i)
        n += snprintf(out + n, cap - (size_t)n,
                      "%s{\"rung\": \"%s\", \"mixing\": %.17g, \"max_iter\": %d, \"etemp_K\": "
                      "%.17g}",
                      i ? ", " : "", ate_rescue_rung_name(s->rescue[i].rung), s->rescue[i].mixing,
                      s->rescue[i].max_iter, s->rescue[i].etemp);
    if (n > 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, "]}, \"support\": {\"type\": \"%s\", ",
                      sp->support.kind == ATE_SUPPORT_FLAKE ? "flake" : "graphene");
    /* a periodic support's k-mesh and dipole correction decide its numbers (flakes: neither) */
    if (n > 0 && (size_t)n < cap && sp->support.kind != ATE_SUPPORT_FLAKE)
        n += snprintf(out + n, cap - (size_t)n,
                      "\"kpoints\": [%d, %d, %d], \"dipole_correction\": \"%s\", ", s->kpoints[0],
                      s->kpoints[1], s->kpoints[2], s->dipole_correction ? "slab" : "none");
    if (n > 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n,
                      "\"flake_radius_A\": %.17g}, "
                      "\"thermo\": {\"corrections\": \"%s\", \"temperature_K\": %.17g, \"pH\": "
                      "%.17g, \"potential_V_RHE\": %.17g, \"vib_floor_cm-1\": %.17g}}",
                      sp->support.flake_radius, sp->thermo.corrections, sp->thermo.temperature,
                      sp->thermo.ph, sp->thermo.potential, sp->thermo.vib_floor);
    (void)n;
}

/* --force: journals of other settings are moved to DIR/journal.replaced-K (the first free K) and
 * an empty DIR/journal takes their place; journals of the same settings are kept. Rank 0, before
 * the others open the journals. */
static ate_status replace_journals(const char *dir, const char *settings, int verbosity,
                                   ate_error *err)
{
    ate_rundir_journals js = {0};
    ATE_TRY(ate_rundir_open_journals(dir, &js, NULL, err));
    bool same = ate_rundir_same_settings(&js, 0, js.n, settings);
    ate_rundir_close_journals(&js);
    if (same) return ATE_OK;
    char from[2100], to[2200];
    snprintf(from, sizeof(from), "%s/journal", dir);
    for (int k = 1; k < 10000; ++k) {
        snprintf(to, sizeof(to), "%s/journal.replaced-%d", dir, k);
        if (access(to, F_OK) == 0) continue;
        if (rename(from, to) != 0)
            return ATE_ERROR(err, ATE_ERR_IO, "--force: cannot move %s to %s: %s", from, to,
                             strerror(errno));
        if (verbosity)
            fprintf(stderr, "atescreen run: --force: the results of other settings moved to %s\n",
                    to);
        return ate_cli_make_dir(from, err);
    }
    return ATE_ERROR(err, ATE_ERR_IO, "--force: no free name for %s", from);
}

/* Append key = text to j unless that is already its latest value. */
static ate_status put_record(ate_journal *j, const char *key, const char *text, ate_error *err)
{
    size_t len, n = strlen(text);
    const void *old = ate_journal_get(j, key, &len);
    if (old && len == n && memcmp(old, text, n) == 0) return ATE_OK;
    return ate_journal_append(j, key, text, n, err);
}

/* Rank 0: what `atescreen merge` needs to know about this run (rundir.h). */
static ate_status describe_run(ate_journal *j, const ate_campaign_spec *spec,
                               const ate_candidate_list *list, int shard, int nshards,
                               ate_error *err)
{
    char text[256];
    ate_rundir_campaign_key(list, spec, text, sizeof(text));
    ATE_TRY(put_record(j, ATE_RUNDIR_CAMPAIGN, text, err));
    snprintf(text, sizeof(text), "%d/%d", shard, nshards);
    ATE_TRY(put_record(j, ATE_RUNDIR_SHARD, text, err));
    return put_record(j, ATE_RUNDIR_YAML, spec->yaml_text ? spec->yaml_text : "", err);
}

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

/* Rank 0: add what the stream can add now. A failure drops the stream (results.h5 is then
 * written from the journals at the end, as it would be anyway). */
static void stream_step(progress *p)
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

static void progress_print(const progress *p)
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
static bool progress_take(progress *p, const MPI_Status *ms, const int msg[3])
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
static void progress_drain(progress *p, bool wait)
{
    for (;;) {
        int flag = 0, msg[3];
        MPI_Status ms;
        if (wait && p->ended < p->size - 1) {
            MPI_Recv(msg, 3, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &ms);
            if (progress_take(p, &ms, msg)) progress_print(p);
            MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &ms);
            if (!flag) stream_step(p); /* nothing else waiting */
            continue;
        }
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &ms);
        if (!flag) break;
        MPI_Recv(msg, 3, MPI_INT, ms.MPI_SOURCE, ms.MPI_TAG, MPI_COMM_WORLD, &ms);
        progress_take(p, &ms, msg);
    }
    stream_step(p);
}

/* --writer: whether rank 0 takes candidates besides writing results.h5. */
enum { WRITER_AUTO, WRITER_SHARED, WRITER_DEDICATED };

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
static bool writer_only(const progress *p, int mode, int group_size)
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
static const char *const timer_name[T_COUNT] = {"enumerate",
                                                "atom counts",
                                                "journals",
                                                "set-up",
                                                "references",
                                                "candidates",
                                                "results.h5 during the run",
                                                "results.h5 at the end"};

static void timers_print(const double *t, const ate_rundir_stream_times *st, int ncand,
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

/* Rank 0: every record of this campaign into results.h5 at once (when the stream failed). */
static ate_status write_results(const char *dir, const ate_campaign_spec *spec,
                                const ate_candidate_list *list, const ate_references *refs,
                                const ate_results_meta *meta, MPI_Comm comm, int *ndone,
                                int *nfailed, ate_error *err)
{
    ate_rundir_journals js = {0};
    char path[4200];
    snprintf(path, sizeof(path), "%s/results.h5", dir);
    ate_status st = ate_rundir_open_journals(dir, &js, NULL, err);
    if (st == ATE_OK)
        st = ate_rundir_write_results(path, spec, list, refs, &js, meta, comm, ndone, nfailed, err);
    ate_rundir_close_journals(&js);
    return st;
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
    if (verbosity) launch_checks(size);
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
    ate_status st_atoms = count_atoms(list, st, rank, size, &err);
    if (st == ATE_OK) st = st_atoms;
    timer[T_ATOMS] = MPI_Wtime() - t_enum;
    if (st == ATE_OK)
        /* on a terminal the live progress line replaces the per-state lines (unless -v) */
        st =
            ate_pipeline_create(&spec, rank == 0 ? stderr : NULL,
                                rank == 0 && !(live && verbosity < 2) ? verbosity : 0, &pipe, &err);
    if (st == ATE_OK) {
        snprintf(dir, sizeof(dir), "%s", outdir ? outdir : spec.name);
        if (sharded) { /* its own directory and journals (rundir.h) */
            size_t l = strlen(dir);
            snprintf(dir + l, sizeof(dir) - l, "/shard-%d-of-%d", shard, nshards);
        }
        settings_json(&spec, settings, sizeof(settings));
        snprintf(path, sizeof(path), "%s/journal", dir);
        if (rank == 0) st = ate_cli_make_dir(path, &err);
        if (st == ATE_OK && rank == 0 && force)
            st = replace_journals(dir, settings, verbosity, &err);
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
        if (st == ATE_OK) st = put_record(mine, ATE_RUNDIR_SETTINGS, settings, &err);
        if (st == ATE_OK && rank == 0) st = describe_run(mine, &spec, list, shard, nshards, &err);
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
        st = put_record(mine, ATE_RUNDIR_REFERENCES, text, &err);
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
        stream_step(&prog); /* the candidates finished before this run */
    }
    ate_workqueue *queue = NULL;
    if (st == ATE_OK)
        st = ate_workqueue_create_groups(MPI_COMM_WORLD, group_size, pending, npending, &queue,
                                         &err);
    /* group_size is 1 here (larger groups are refused above for the kernels of this build):
     * every rank leads its own group. A kernel that shares one evaluation would be created on
     * ate_workqueue_group, with the stop decisions agreed within the group and the leader
     * alone journaling (docs/pipeline.md, "Rank groups"). */
    if (pipe) ate_pipeline_set_poll(pipe, run_poll, queue);
    char stop_path[4200];
    snprintf(stop_path, sizeof(stop_path), "%s/STOP", dir);
    double slowest = 0.0;
    prog.t0 = MPI_Wtime();
    while (st == ATE_OK && !stop_requested) {
        if (access(stop_path, F_OK) == 0) {
            stop_requested = -1; /* the STOP file */
            break;
        }
        if (walltime > 0.0 && MPI_Wtime() - prog.t0 + slowest > walltime) {
            stop_requested = -2; /* --walltime */
            break;
        }
        if (rank == 0 && writer_only(&prog, writer, group_size)) {
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
            fprintf(stderr, "atescreen run: candidate %s %s failed: %s\n", c->id, c->name,
                    r.fail_reason);
            ate_error_clear(&err);
            st = ATE_OK;
        }
        if (st != ATE_OK) break;
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
            progress_drain(&prog, false);
            progress_print(&prog);
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
        if (prog.computed) progress_drain(&prog, true);
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
                                        : write_results(dir, &spec, list, &refs, &meta, helpers,
                                                        &ndone, &nfail, &e2);
            if (s2 != ATE_OK) {
                int r2 = ate_cli_report_error(&e2);
                if (rc == ATE_EXIT_OK) rc = r2;
            } else if (verbosity) {
                fprintf(stderr,
                        "atescreen run: %d of %d candidates in %s/results.h5 (%d failed)%s\n",
                        ndone, nmine, dir, nfail, ndone < nmine ? "; run again to continue" : "");
            }
            timer[T_RESULTS] = MPI_Wtime() - t_phase;
            if (verbosity >= 2) timers_print(timer, &prog.times, nc, prog.streamed, ndone);
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
    if (stop_requested && rcmax == ATE_EXIT_OK) return 3; /* interrupted: requeue */
    return rcmax;
}
