/**
 * @file rundir.c
 * @brief The output directory of `atescreen run`: journals, shards, results.h5 (rundir.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atescreen/pipeline.h"
#include "atescreen/scheduler.h"
#include "atescreen/sha256.h"
#include "rundir.h"

void ate_rundir_journal_path(const char *dir, int rank, char *out, size_t cap)
{
    snprintf(out, cap, "%s/journal/rank-%d.jrnl", dir, rank);
}

ate_status ate_rundir_open_journals(const char *dir, ate_rundir_journals *js, int *found,
                                    ate_error *err)
{
    if (found) *found = 0;
    for (int r = 0;; ++r) {
        char path[4200];
        ate_rundir_journal_path(dir, r, path, sizeof(path));
        if (access(path, F_OK) != 0) {
            /* ranks of a larger earlier run may follow a gap; look a little further */
            bool more = false;
            for (int q = r + 1; q < r + 64 && !more; ++q) {
                ate_rundir_journal_path(dir, q, path, sizeof(path));
                more = access(path, F_OK) == 0;
            }
            if (!more) return ATE_OK;
            ate_rundir_journal_path(dir, r, path, sizeof(path));
        }
        ate_journal **t = realloc(js->j, (size_t)(js->n + 1) * sizeof(*t));
        if (!t) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
        js->j = t;
        t[js->n] = NULL;
        if (access(path, F_OK) == 0) {
            ATE_TRY(ate_journal_read(path, &t[js->n], NULL, err));
            if (found) ++*found;
        }
        ++js->n;
    }
}

void ate_rundir_close_journals(ate_rundir_journals *js)
{
    if (!js) return;
    for (int i = 0; i < js->n; ++i)
        ate_journal_close(&js->j[i]);
    free(js->j);
    js->j = NULL, js->n = 0;
}

const void *ate_rundir_find(const ate_rundir_journals *js, int first, int last, const char *key,
                            size_t *len)
{
    size_t unused;
    if (!len) len = &unused;
    /* a finished record wins over a failed one (a failed candidate retried by another rank, or
     * in another shard, leaves both); otherwise the first one found */
    const void *failed = NULL;
    size_t failed_len = 0;
    for (int i = first; i < last; ++i) {
        if (!js->j[i] || !ate_journal_has(js->j[i], key)) continue;
        size_t n;
        const void *rec = ate_journal_get(js->j[i], key, &n);
        if (key[0] == '#') { /* metadata (#settings, #yaml, ...): not a candidate result */
            *len = n;
            return rec;
        }
        int status;
        bool is_failed =
            ate_candidate_result_status(rec, n, &status) && status == ATE_RESULT_FAILED;
        if (!is_failed) {
            *len = n;
            return rec;
        }
        if (!failed) failed = rec, failed_len = n;
    }
    if (failed) *len = failed_len;
    return failed;
}

bool ate_rundir_same_settings(const ate_rundir_journals *js, int first, int last,
                              const char *settings)
{
    for (int i = first; i < last; ++i) {
        size_t len;
        const char *old = js->j[i] ? ate_journal_get(js->j[i], ATE_RUNDIR_SETTINGS, &len) : NULL;
        if (old && (len != strlen(settings) || memcmp(old, settings, len) != 0)) return false;
    }
    return true;
}

void ate_rundir_costs(const ate_candidate_list *list, const ate_campaign_spec *spec, double *cost)
{
    for (int i = 0; i < ate_candidate_list_count(list); ++i) {
        const ate_candidate *c = ate_candidate_list_get(list, i);
        double na = ate_candidate_list_natoms(list, i);
        cost[i] = na * na * na * (1.0 + (double)c->nads_sites * spec->nadsorbates);
    }
}

ate_status ate_rundir_shard_members(const ate_candidate_list *list, const ate_campaign_spec *spec,
                                    int i, int n, bool *member, ate_error *err)
{
    int nc = ate_candidate_list_count(list);
    int *order = malloc((size_t)(nc ? nc : 1) * sizeof(int));
    double *cost = malloc((size_t)(nc ? nc : 1) * sizeof(double));
    if (!order || !cost) {
        free(order), free(cost);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    }
    ate_rundir_costs(list, spec, cost);
    for (int k = 0; k < nc; ++k)
        order[k] = k, member[k] = false;
    ate_schedule_order(order, nc, cost);
    for (int k = i; k < nc; k += n)
        member[order[k]] = true;
    free(order), free(cost);
    return ATE_OK;
}

ate_status ate_rundir_parse_shard(const char *text, const char *option, int *i, int *n,
                                  ate_error *err)
{
    char *end = NULL;
    long a = strtol(text, &end, 10), b = -1;
    bool ok = end != text && *end == '/';
    if (ok) {
        const char *s = end + 1;
        b = strtol(s, &end, 10);
        ok = end != s && *end == '\0';
    }
    if (!ok)
        return ATE_ERROR(err, ATE_ERR_INPUT,
                         "invalid value '%s' for %s: expected I/N (shard I of N)", text, option);
    if (b < 1 || b > 1000000)
        return ATE_ERROR(err, ATE_ERR_INPUT, "invalid value '%s' for %s: N must be 1 to 1000000",
                         text, option);
    if (a < 0 || a >= b)
        return ATE_ERROR(err, ATE_ERR_INPUT,
                         "invalid value '%s' for %s: I must be 0 to %ld (shards are numbered "
                         "from 0; in a Slurm array use --array=0-%ld)",
                         text, option, b - 1, b - 1);
    *i = (int)a, *n = (int)b;
    return ATE_OK;
}

void ate_rundir_campaign_key(const ate_candidate_list *list, const ate_campaign_spec *spec,
                             char *out, size_t cap)
{
    int nc = ate_candidate_list_count(list);
    size_t len = 32 + (size_t)nc * 20;
    char *text = malloc(len), hex[65] = "";
    if (text) {
        size_t k = 0;
        for (int a = 0; a < spec->nadsorbates; ++a)
            k +=
                (size_t)snprintf(text + k, len - k, "%s ", ate_adsorbate_name(spec->adsorbates[a]));
        for (int i = 0; i < nc && k < len; ++i)
            k += (size_t)snprintf(text + k, len - k, "\n%s", ate_candidate_list_get(list, i)->id);
        ate_sha256_bytes(text, k < len ? k : len, hex);
    }
    free(text);
    snprintf(out, cap, "%d %s", nc, hex);
}

void ate_rundir_pack_refs(const ate_references *r, char *out, size_t cap)
{
    snprintf(out, cap, "%a %a %d %a %a %a %a %a %a", r->e_h2o, r->e_h2, r->converged ? 1 : 0,
             r->corr_h2o[0], r->corr_h2o[1], r->corr_h2o[2], r->corr_h2[0], r->corr_h2[1],
             r->corr_h2[2]);
}

ate_status ate_rundir_unpack_refs(const void *rec, size_t len, ate_references *r, ate_error *err)
{
    char text[512];
    if (len >= sizeof(text)) len = sizeof(text) - 1;
    memcpy(text, rec, len);
    text[len] = '\0';
    double v[9];
    char *p = text, *end;
    for (int k = 0; k < 9; ++k, p = end) {
        v[k] = strtod(p, &end);
        if (end == p)
            return ATE_ERROR(err, ATE_ERR_INPUT, "a corrupt %s record", ATE_RUNDIR_REFERENCES);
    }
    *r = (ate_references){.e_h2o = v[0],
                          .e_h2 = v[1],
                          .converged = v[2] != 0.0,
                          .corr_h2o = {v[3], v[4], v[5]},
                          .corr_h2 = {v[6], v[7], v[8]}};
    return ATE_OK;
}

ate_status ate_rundir_write_results(const char *path, const ate_campaign_spec *spec,
                                    const ate_candidate_list *list, const ate_references *refs,
                                    ate_rundir_journals *js, const ate_results_meta *meta,
                                    MPI_Comm comm, int *ndone, int *nfailed, ate_error *err)
{
    ate_rundir_stream *s = NULL;
    *ndone = *nfailed = 0;
    ATE_TRY(ate_rundir_stream_create(path, spec, list, NULL, js, &s, err));
    return ate_rundir_stream_finish(&s, refs, meta, comm, ndone, nfailed, err);
}

ate_status ate_rundir_track_journals(const char *dir, ate_rundir_journals *js, int nranks,
                                     ate_error *err)
{
    if (nranks > js->n) {
        ate_journal **t = realloc(js->j, (size_t)nranks * sizeof(*t));
        if (!t) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
        for (int r = js->n; r < nranks; ++r)
            t[r] = NULL;
        js->j = t, js->n = nranks;
    }
    for (int r = 0; r < nranks; ++r) {
        if (js->j[r]) continue;
        char path[4200];
        ate_rundir_journal_path(dir, r, path, sizeof(path));
        ATE_TRY(ate_journal_read(path, &js->j[r], NULL, err));
    }
    return ATE_OK;
}
