/**
 * @file cmd_merge.c
 * @brief `atescreen merge -o OUT DIR...`: one results.h5 from the journals of the shards of a
 *        campaign (`atescreen run --shard I/N`, rundir.h; docs/pipeline.md).
 *
 * Each DIR is a run directory (it has journal/) and/or the parent of shard-I-of-N/ directories.
 * The campaign (its YAML text), settings and gas references come from the journals: shards of
 * a different campaign or with different settings are refused. Each candidate is taken once (from
 * the first directory that has it, in the order given), so merging again, or a shard given twice,
 * changes nothing. OUT/results.h5 is written under a temporary name and renamed. Exit status 0
 * when every candidate of the campaign is present, 3 when some are missing (the file is written
 * with the others; merge again when the shards have finished), 2 for bad input.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* flock */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "atescreen/campaign_io.h"
#include "cli.h"
#include "rundir.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: atescreen merge -o OUT DIR... [-q|--quiet]\n\n"
            "Combine the results of the shards of a campaign (atescreen run --shard I/N) into\n"
            "OUT/results.h5, read from the shards' journals. Each DIR is a run directory (with\n"
            "journal/) or the parent of shard-I-of-N/ directories: `atescreen merge -o DIR DIR`\n"
            "after `atescreen run CAMPAIGN --shard I/N -o DIR` for every I. Each candidate is\n"
            "taken once; shards of another campaign or with other settings are refused.\n"
            "Exit status: 0 every candidate merged, 3 some are missing (the others are written;\n"
            "merge again when the shards have finished), 2 bad input, 1 failure.\n");
}

typedef struct input {
    char path[PATH_MAX];
    int first, last; /* its journals in the combined list */
    int shard, nshards;
} input;

typedef struct inputs {
    input *v;
    int n;
} inputs;

static ate_status add_input(inputs *in, const char *path, ate_error *err)
{
    char real[PATH_MAX];
    if (!realpath(path, real)) return ATE_ERROR(err, ATE_ERR_IO, "%s: %s", path, strerror(errno));
    for (int k = 0; k < in->n; ++k)
        if (!strcmp(in->v[k].path, real)) return ATE_OK; /* given twice */
    input *t = realloc(in->v, (size_t)(in->n + 1) * sizeof(*t));
    if (!t) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    in->v = t;
    memset(&t[in->n], 0, sizeof(*t));
    snprintf(t[in->n++].path, PATH_MAX, "%s", real);
    return ATE_OK;
}

static int by_shard(const void *a, const void *b)
{
    const int *x = a, *y = b;
    return x[1] != y[1] ? (x[1] > y[1]) - (x[1] < y[1]) : (x[0] > y[0]) - (x[0] < y[0]);
}

/* DIR itself if it has journals, then its shard-I-of-N subdirectories by N, I. */
static ate_status expand(inputs *in, const char *dir, ate_error *err)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/journal", dir);
    bool is_run = access(path, F_OK) == 0;
    if (is_run) ATE_TRY(add_input(in, dir, err));
    DIR *d = opendir(dir);
    if (!d) return ATE_ERROR(err, ATE_ERR_IO, "%s: %s", dir, strerror(errno));
    int(*sub)[2] = NULL, nsub = 0;
    for (struct dirent *e; (e = readdir(d));) {
        int i, n;
        char again[64];
        if (sscanf(e->d_name, "shard-%d-of-%d", &i, &n) != 2) continue;
        snprintf(again, sizeof(again), "shard-%d-of-%d", i, n);
        if (strcmp(again, e->d_name) != 0) continue;
        int(*t)[2] = realloc(sub, (size_t)(nsub + 1) * sizeof(*sub));
        if (!t) {
            free(sub), closedir(d);
            return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
        }
        sub = t, sub[nsub][0] = i, sub[nsub++][1] = n;
    }
    closedir(d);
    if (!is_run && nsub == 0)
        return ATE_ERROR(err, ATE_ERR_INPUT,
                         "%s: neither a run directory (no journal/) nor the parent of "
                         "shard-I-of-N/ directories",
                         dir);
    if (nsub > 1) qsort(sub, (size_t)nsub, sizeof(*sub), by_shard);
    ate_status st = ATE_OK;
    for (int k = 0; k < nsub && st == ATE_OK; ++k) {
        snprintf(path, sizeof(path), "%s/shard-%d-of-%d", dir, sub[k][0], sub[k][1]);
        st = add_input(in, path, err);
    }
    free(sub);
    return st;
}

/* A record of input x as a NUL-terminated string in out[cap] ("" if absent). */
static void record_text(const ate_rundir_journals *js, const input *x, const char *key, char *out,
                        size_t cap)
{
    size_t len = 0;
    const char *p = ate_rundir_find(js, x->first, x->last, key, &len);
    if (!p) len = 0;
    if (len >= cap) len = cap - 1;
    memcpy(out, p ? p : "", len);
    out[len] = '\0';
}

/* Every input against the first: same campaign, same settings. */
static ate_status check_inputs(const ate_rundir_journals *js, inputs *in, char *settings,
                               size_t cap, char *campaign, ate_error *err)
{
    for (int k = 0; k < in->n; ++k) {
        input *x = &in->v[k];
        char key[256], shard[64], set[8192];
        record_text(js, x, ATE_RUNDIR_CAMPAIGN, key, sizeof(key));
        record_text(js, x, ATE_RUNDIR_SHARD, shard, sizeof(shard));
        record_text(js, x, ATE_RUNDIR_SETTINGS, set, sizeof(set));
        if (!*key || !*set || sscanf(shard, "%d/%d", &x->shard, &x->nshards) != 2)
            return ATE_ERROR(err, ATE_ERR_INPUT,
                             "%s: its journals do not describe a campaign (no run got past its "
                             "set-up there, or an older atescreen wrote them): run it again",
                             x->path);
        if (k == 0) {
            snprintf(campaign, 256, "%s", key);
            snprintf(settings, cap, "%s", set);
            continue;
        }
        if (strcmp(key, campaign) != 0)
            return ATE_ERROR(err, ATE_ERR_INPUT,
                             "%s holds a different campaign than %s (other candidates or "
                             "adsorbates): merge only the shards of one campaign",
                             x->path, in->v[0].path);
        if (!ate_rundir_same_settings(js, x->first, x->last, settings))
            return ATE_ERROR(err, ATE_ERR_INPUT,
                             "%s holds results computed with different settings than %s: merge "
                             "only the shards of one campaign",
                             x->path, in->v[0].path);
    }
    return ATE_OK;
}

/* Print what each input contributed and which shards are missing; the number missing. */
static int report_inputs(const ate_rundir_journals *js, const inputs *in,
                         const ate_candidate_list *list, const ate_campaign_spec *spec,
                         bool verbose, int *dups, ate_error *err)
{
    int nc = ate_candidate_list_count(list), missing = 0;
    bool *member = calloc((size_t)(nc ? nc : 1), sizeof(bool));
    int *seen = calloc((size_t)(nc ? nc : 1), sizeof(int));
    *dups = 0;
    for (int k = 0; k < in->n && member && seen; ++k) {
        const input *x = &in->v[k];
        if (ate_rundir_shard_members(list, spec, x->shard, x->nshards, member, err) != ATE_OK)
            break;
        int want = 0, have = 0;
        for (int c = 0; c < nc; ++c) {
            bool got = ate_rundir_find(js, x->first, x->last, ate_candidate_list_get(list, c)->id,
                                       NULL) != NULL;
            want += member[c], have += got && member[c];
            *dups += got && seen[c]++ == 1;
        }
        if (verbose)
            fprintf(stderr, "atescreen merge: %s: shard %d/%d, %d of %d candidates%s\n", x->path,
                    x->shard, x->nshards, have, want, have < want ? " (unfinished)" : "");
    }
    for (int c = 0; c < nc && seen; ++c)
        missing += seen[c] == 0;
    for (int k = 0; k < in->n && missing && verbose; ++k) { /* shards of a split not given */
        int n = in->v[k].nshards;
        bool first = true; /* of the inputs split into n */
        for (int q = 0; q < k; ++q)
            first = first && in->v[q].nshards != n;
        for (int i = 0; i < n && first; ++i) {
            bool given = false;
            for (int q = 0; q < in->n && !given; ++q)
                given = in->v[q].nshards == n && in->v[q].shard == i;
            if (!given) fprintf(stderr, "atescreen merge: shard %d/%d was not given\n", i, n);
        }
    }
    free(member), free(seen);
    return missing;
}

int ate_cli_merge(int argc, char **argv)
{
    const char *out = NULL;
    bool verbose = true;
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    optind = 1;
    for (int ch; (ch = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1;) {
        if (ch == 'o')
            out = optarg;
        else if (ch == 'q')
            verbose = false;
        else if (ch == 'h')
            return usage(stdout), ATE_EXIT_OK;
        else
            return usage(stderr), ATE_EXIT_USAGE;
    }
    if (!out || optind >= argc) {
        fprintf(stderr, "atescreen merge: %s\n",
                !out ? "-o OUT is required" : "expected at least one shard directory");
        usage(stderr);
        return ATE_EXIT_USAGE;
    }
    char cmdline[4096];
    ate_cli_command_line(argc, argv, cmdline, sizeof(cmdline));
    ate_error err;
    ate_error_clear(&err);
    inputs in = {0};
    ate_rundir_journals js = {0};
    ate_campaign_spec spec;
    ate_campaign_spec_init(&spec);
    ate_candidate_list *list = NULL;
    ate_references refs = {0};
    static char settings[8192];
    char campaign[256], path[PATH_MAX + 64];
    int lock_fd = -1, ndone = 0, nfailed = 0, dups = 0, missing = 0;
    ate_status st = ATE_OK;
    for (int a = optind; a < argc && st == ATE_OK; ++a)
        st = expand(&in, argv[a], &err);
    for (int k = 0; k < in.n && st == ATE_OK; ++k) {
        in.v[k].first = js.n;
        st = ate_rundir_open_journals(in.v[k].path, &js, NULL, &err);
        in.v[k].last = js.n;
    }
    if (st == ATE_OK) st = check_inputs(&js, &in, settings, sizeof(settings), campaign, &err);
    if (st == ATE_OK) { /* the campaign as the first input's latest run read it */
        size_t len = 0;
        const char *yaml = ate_rundir_find(&js, in.v[0].first, in.v[0].last, ATE_RUNDIR_YAML, &len);
        char *text = malloc(len + 1), name[PATH_MAX + 64];
        snprintf(name, sizeof(name), "%s/journal (campaign of the run)", in.v[0].path);
        if (text && yaml) memcpy(text, yaml, len), text[len] = '\0';
        st = !yaml  ? ATE_ERROR(&err, ATE_ERR_INPUT, "%s: no campaign text in its journals",
                                in.v[0].path)
             : text ? ate_campaign_parse(text, name, &spec, &err)
                    : ATE_ERROR(&err, ATE_ERR_MEMORY, "out of memory");
        free(text);
    }
    if (st == ATE_OK) st = ate_sites_enumerate(&spec, &list, &err);
    if (st == ATE_OK) {
        char key[256];
        ate_rundir_campaign_key(list, &spec, key, sizeof(key));
        if (strcmp(key, campaign) != 0)
            st = ATE_ERROR(&err, ATE_ERR_INPUT,
                           "%s: the campaign stored in the journals gives other candidates with "
                           "this atescreen than with the one that ran it",
                           in.v[0].path);
    }
    for (int k = 0; k < in.n && st == ATE_OK; ++k) { /* gas references: the first input's */
        size_t len;
        const void *rec =
            ate_rundir_find(&js, in.v[k].first, in.v[k].last, ATE_RUNDIR_REFERENCES, &len);
        if (rec) {
            st = ate_rundir_unpack_refs(rec, len, &refs, &err);
            break;
        }
        if (k == in.n - 1)
            st = ATE_ERROR(&err, ATE_ERR_INPUT,
                           "no shard got as far as the gas references: nothing to merge");
    }
    if (st == ATE_OK) missing = report_inputs(&js, &in, list, &spec, verbose, &dups, &err);
    if (st == ATE_OK) st = ate_cli_make_dir(out, &err);
    if (st == ATE_OK) { /* OUT may be a run directory: not while a run writes it */
        snprintf(path, sizeof(path), "%s/run.lock", out);
        lock_fd = open(path, O_RDWR | O_CREAT, 0644);
        if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0)
            st = ATE_ERROR(&err, ATE_ERR_IO, "%s is in use by an atescreen run (%s)", out,
                           lock_fd < 0 ? strerror(errno) : "locked");
    }
    if (st == ATE_OK) {
        ate_results_meta meta = {.command_line = cmdline,
                                 .mpi_size = 1,
                                 .parameters_json = settings,
                                 .param_dir = ate_pipeline_param_dir(NULL)};
        snprintf(path, sizeof(path), "%s/results.h5", out);
        st = ate_rundir_write_results(path, &spec, list, &refs, &js, &meta, MPI_COMM_NULL, &ndone,
                                      &nfailed, &err);
    }
    int rc = st == ATE_OK ? ATE_EXIT_OK : ate_cli_report_error(&err);
    if (st == ATE_OK && verbose) {
        fprintf(stderr, "atescreen merge: %d of %d candidates in %s (%d failed) from %d director%s",
                ndone, ate_candidate_list_count(list), path, nfailed, in.n,
                in.n == 1 ? "y" : "ies");
        if (dups) fprintf(stderr, "; %d found in more than one (the first kept)", dups);
        fprintf(stderr, "\n");
        if (missing)
            fprintf(stderr,
                    "atescreen merge: %d candidates missing: merge again when the shards "
                    "have finished\n",
                    missing);
    }
    if (rc == ATE_EXIT_OK && missing) rc = 3;
    if (lock_fd >= 0) close(lock_fd);
    ate_candidate_list_destroy(&list);
    ate_campaign_spec_clear(&spec);
    ate_rundir_close_journals(&js);
    free(in.v);
    return rc;
}
