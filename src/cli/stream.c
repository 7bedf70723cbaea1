/**
 * @file stream.c
 * @brief results.h5 written while a run computes: rank 0 follows the journals and adds each
 *        finished candidate to an ate_results_writer once every candidate before it in the
 *        canonical order has been added (rundir.h, docs/pipeline.md "results.h5").
 */
#include <stdlib.h>

#include "atescreen/scheduler.h"
#include "rundir.h"

struct ate_rundir_stream {
    ate_results_writer *w;
    const ate_candidate_list *list;
    ate_rundir_journals *js; /* borrowed */
    int *order, n, next;     /* canonical order; the next position to add */
    bool *waiting;           /* [candidates] computed by this run, record not announced yet */
    bool *computed;          /* [candidates] computed by this run */
    bool *dirty;             /* [journals] refresh before the next advance */
    bool stale;              /* an announced record was not found: refresh every journal */
    int ndirty_cap, ndone, nfailed;
};

ate_status ate_rundir_order(const ate_candidate_list *list, const ate_campaign_spec *spec,
                            int *order, ate_error *err)
{
    int nc = ate_candidate_list_count(list);
    double *cost = malloc((size_t)(nc ? nc : 1) * sizeof(double));
    if (!cost) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    ate_rundir_costs(list, spec, cost);
    for (int i = 0; i < nc; ++i)
        order[i] = i;
    ate_schedule_order(order, nc, cost);
    free(cost);
    return ATE_OK;
}

void ate_rundir_stream_abort(ate_rundir_stream **sp)
{
    if (!sp || !*sp) return;
    ate_rundir_stream *s = *sp;
    ate_results_writer_abort(&s->w);
    free(s->order), free(s->waiting), free(s->computed), free(s->dirty);
    free(s);
    *sp = NULL;
}

ate_status ate_rundir_stream_create(const char *path, const ate_campaign_spec *spec,
                                    const ate_candidate_list *list, const bool *waiting,
                                    ate_rundir_journals *js, ate_rundir_stream **out,
                                    ate_error *err)
{
    *out = NULL;
    int nc = ate_candidate_list_count(list);
    ate_rundir_stream *s = calloc(1, sizeof(*s));
    if (!s) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    s->list = list, s->js = js, s->n = nc;
    s->order = malloc((size_t)(nc ? nc : 1) * sizeof(int));
    s->waiting = calloc((size_t)(nc ? nc : 1), sizeof(bool));
    s->computed = calloc((size_t)(nc ? nc : 1), sizeof(bool));
    ate_status st = s->order && s->waiting && s->computed
                        ? ATE_OK
                        : ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    for (int i = 0; i < nc && waiting && st == ATE_OK; ++i)
        s->waiting[i] = s->computed[i] = waiting[i];
    if (st == ATE_OK) st = ate_rundir_order(list, spec, s->order, err);
    if (st == ATE_OK) st = ate_results_writer_create(path, spec, nc, &s->w, err);
    if (st != ATE_OK) {
        ate_rundir_stream_abort(&s);
        return st;
    }
    *out = s;
    return ATE_OK;
}

void ate_rundir_stream_arrived(ate_rundir_stream *s, int c, int journal)
{
    if (c >= 0 && c < s->n) s->waiting[c] = false;
    if (journal >= s->ndirty_cap) { /* grow the flags (all journals dirty when that fails) */
        int cap = journal + 16;
        bool *d = realloc(s->dirty, (size_t)cap * sizeof(bool));
        if (!d) return;
        for (int k = s->ndirty_cap; k < cap; ++k)
            d[k] = false;
        s->dirty = d, s->ndirty_cap = cap;
    }
    if (journal >= 0) s->dirty[journal] = true;
}

/* Refresh the journals marked dirty (all when `all`). */
static ate_status refresh(ate_rundir_stream *s, bool all, ate_error *err)
{
    for (int k = 0; k < s->js->n; ++k) {
        bool want = all || (k < s->ndirty_cap && s->dirty[k]);
        if (!want || !s->js->j[k]) continue;
        ATE_TRY(ate_journal_refresh(s->js->j[k], NULL, err));
        if (k < s->ndirty_cap) s->dirty[k] = false;
    }
    return ATE_OK;
}

/* Add candidate c from its record (found: false when there is none). */
static ate_status add(ate_rundir_stream *s, int c, bool *found, ate_error *err)
{
    size_t len;
    const char *id = ate_candidate_list_get(s->list, c)->id;
    const void *rec = ate_rundir_find(s->js, 0, s->js->n, id, &len);
    *found = rec != NULL;
    if (!rec) return ATE_OK;
    ate_candidate_result r;
    ATE_TRY(ate_candidate_result_unpack(rec, len, &r, err));
    ate_status st = ate_results_writer_add(s->w, c, &r, err);
    if (st == ATE_OK) s->ndone++, s->nfailed += r.status == ATE_RESULT_FAILED;
    ate_candidate_result_clear(&r);
    return st;
}

ate_status ate_rundir_stream_advance(ate_rundir_stream *s, int *added, ate_error *err)
{
    if (added) *added = 0;
    ATE_TRY(refresh(s, s->stale, err));
    s->stale = false;
    while (s->next < s->n) {
        int c = s->order[s->next];
        if (s->waiting[c]) break; /* its turn comes when it is done */
        bool found;
        ATE_TRY(add(s, c, &found, err));
        if (!found && s->computed[c]) { /* announced but not readable yet: later */
            s->stale = true;
            break;
        }
        s->next++;
        if (added) *added += found;
    }
    return ATE_OK;
}

ate_status ate_rundir_stream_finish(ate_rundir_stream **sp, const ate_references *refs,
                                    const ate_results_meta *meta, int *ndone, int *nfailed,
                                    ate_error *err)
{
    ate_rundir_stream *s = *sp;
    ate_status st = refresh(s, true, err);
    for (; s->next < s->n && st == ATE_OK; s->next++) {
        bool found;
        st = add(s, s->order[s->next], &found, err);
    }
    *ndone = s->ndone, *nfailed = s->nfailed;
    if (st == ATE_OK) st = ate_results_writer_finish(&s->w, refs, meta, err);
    ate_rundir_stream_abort(sp);
    return st;
}
