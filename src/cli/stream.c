/**
 * @file stream.c
 * @brief results.h5 written while a run computes: rank 0 follows the journals, unpacks each
 *        record when its candidate is announced and adds the candidate to an
 *        ate_results_writer once every candidate before it in the canonical order has been
 *        added (rundir.h, docs/pipeline.md "results.h5").
 *
 * Two stages, so that a candidate that runs long and stalls the canonical order leaves little
 * to do when it is done: on arrival the record is read from its journal and unpacked (kept in
 * memory, up to READY_MAX bytes of records; beyond that a record is unpacked at its turn), at
 * its turn the unpacked result is only appended to the columns.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/h5.h"
#include "atescreen/scheduler.h"
#include "rundir.h"

/* Compressing chunks on ranks that have finished their candidates (ate_rundir_help): rank 0
 * sends a full chunk (TAG_JOB: job_head + raw bytes) to a helper, the helper returns it
 * compressed (TAG_RESULT: result_head + bytes); TAG_DONE releases the helpers. */
enum { TAG_JOB = 7310, TAG_RESULT = 7311, TAG_DONE = 7312, MAX_OUT = 64 };
/* Records unpacked ahead of their turn, at most (bytes of the packed records; the unpacked
 * results take about as much again). */
#define READY_MAX ((size_t)256 << 20)
typedef struct job_head {
    uint64_t id;
    uint32_t elem;
    int32_t level;
} job_head;
typedef struct result_head {
    uint64_t id;
    int32_t status; /* ATE_OK or the failure */
    int32_t pad;
} result_head;

/* Rank 0's helpers and the chunks out at them. */
typedef struct helpers {
    MPI_Comm comm;
    int *rank, n, cap, next; /* the helpers; the next one (round robin) */
    unsigned char *is;       /* [ranks of comm]: a helper */
    int out;
    struct {
        size_t id;
        unsigned char *buf;
        MPI_Request req;
    } slot[MAX_OUT];
} helpers;

struct ate_rundir_stream {
    ate_results_writer *w;
    const ate_candidate_list *list;
    ate_rundir_journals *js; /* borrowed */
    int *order, n, next;     /* canonical order; the next position to add */
    int *pos;                /* [candidates] position in order */
    bool *waiting;           /* [candidates] computed by this run, record not announced yet */
    struct ready {
        ate_candidate_result r;
        size_t bytes;       /* of its record */
    } * *ready;             /* [candidates] unpacked ahead of its turn, or NULL */
    size_t ready_bytes;     /* packed bytes of those */
    int *arrived, narrived; /* announced, not unpacked yet (each once) */
    bool *computed;         /* [candidates] computed by this run */
    bool *dirty;            /* [journals] refresh before the next advance */
    bool stale;             /* an announced record was not found: refresh every journal */
    int ndirty_cap, ndone, nfailed;
    ate_rundir_stream_times t;
    helpers hp;
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
    for (; s->hp.out > 0; s->hp.out--) { /* after a failure: what is out comes back anyway */
        MPI_Status ms;
        int n = 0;
        MPI_Probe(MPI_ANY_SOURCE, TAG_RESULT, s->hp.comm, &ms);
        MPI_Get_count(&ms, MPI_BYTE, &n);
        void *buf = malloc((size_t)n + 1);
        MPI_Recv(buf, buf ? n : 0, MPI_BYTE, ms.MPI_SOURCE, TAG_RESULT, s->hp.comm,
                 MPI_STATUS_IGNORE);
        free(buf);
    }
    for (int k = 0; k < MAX_OUT; ++k)
        if (s->hp.slot[k].buf) {
            MPI_Wait(&s->hp.slot[k].req, MPI_STATUS_IGNORE);
            free(s->hp.slot[k].buf);
        }
    free(s->hp.rank), free(s->hp.is);
    for (int c = 0; s->ready && c < s->n; ++c)
        if (s->ready[c]) {
            ate_candidate_result_clear(&s->ready[c]->r);
            free(s->ready[c]);
        }
    free(s->order), free(s->pos), free(s->waiting), free(s->computed), free(s->dirty);
    free(s->ready), free(s->arrived);
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
    s->pos = malloc((size_t)(nc ? nc : 1) * sizeof(int));
    s->ready = calloc((size_t)(nc ? nc : 1), sizeof(*s->ready));
    s->arrived = malloc((size_t)(nc ? nc : 1) * sizeof(int));
    ate_status st = s->order && s->waiting && s->computed && s->pos && s->ready && s->arrived
                        ? ATE_OK
                        : ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    for (int i = 0; i < nc && waiting && st == ATE_OK; ++i)
        s->waiting[i] = s->computed[i] = waiting[i];
    if (st == ATE_OK) st = ate_rundir_order(list, spec, s->order, err);
    for (int k = 0; k < nc && st == ATE_OK; ++k)
        s->pos[s->order[k]] = k;
    if (st == ATE_OK) st = ate_results_writer_create(path, spec, nc, &s->w, err);
    /* full chunks are compressed apart from HDF5's filters (bytes identical), by rank 0 itself
     * or by helpers (chunks below): the time goes where it can be seen and moved */
    if (st == ATE_OK) ate_h5_defer_chunks(ate_results_writer_file(s->w), true);
    if (st != ATE_OK) {
        ate_rundir_stream_abort(&s);
        return st;
    }
    *out = s;
    return ATE_OK;
}

void ate_rundir_stream_arrived(ate_rundir_stream *s, int c, int journal)
{
    if (c >= 0 && c < s->n && s->waiting[c]) { /* unpacked by the next advance */
        s->waiting[c] = false;
        s->arrived[s->narrived++] = c;
    }
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
    double t0 = MPI_Wtime();
    ate_status st = ATE_OK;
    for (int k = 0; k < s->js->n && st == ATE_OK; ++k) {
        bool want = all || (k < s->ndirty_cap && s->dirty[k]);
        if (!want || !s->js->j[k]) continue;
        st = ate_journal_refresh(s->js->j[k], NULL, err);
        if (k < s->ndirty_cap) s->dirty[k] = false;
    }
    s->t.read += MPI_Wtime() - t0;
    return st;
}

/* Candidate c's record unpacked into r (*found false, r untouched, when there is none). */
static ate_status unpack(ate_rundir_stream *s, int c, ate_candidate_result *r, bool *found,
                         size_t *len, ate_error *err)
{
    double t0 = MPI_Wtime();
    const char *id = ate_candidate_list_get(s->list, c)->id;
    const void *rec = ate_rundir_find(s->js, 0, s->js->n, id, len);
    *found = rec != NULL;
    ate_status st = rec ? ate_candidate_result_unpack(rec, *len, r, err) : ATE_OK;
    if (rec && st == ATE_OK && r->wall_s >= 0.0) s->t.wall += r->wall_s, s->t.unpacked++;
    s->t.unpack += MPI_Wtime() - t0;
    return st;
}

/* Unpack the records of the candidates announced since the last call, ahead of their turn
 * (while they fit in READY_MAX; the others are unpacked at their turn). An announced record
 * not readable yet (the journal's tail still being written) is tried again next time. */
static ate_status prepare(ate_rundir_stream *s, ate_error *err)
{
    int keep = 0;
    ate_status st = ATE_OK;
    for (int k = 0; k < s->narrived; ++k) {
        int c = s->arrived[k];
        if (st != ATE_OK) { /* stopped: the rest waits for the next call */
            s->arrived[keep++] = c;
            continue;
        }
        /* added already, or no room: unpacked at its turn */
        if (s->pos[c] < s->next || s->ready[c] || s->ready_bytes >= READY_MAX) continue;
        struct ready *r = malloc(sizeof(*r));
        bool found = false;
        st = r ? unpack(s, c, &r->r, &found, &r->bytes, err)
               : ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
        if (st == ATE_OK && found) {
            s->ready[c] = r, s->ready_bytes += r->bytes;
            s->t.early++;
            continue;
        }
        free(r);
        s->arrived[keep++] = c; /* not readable yet (or failed): again next time */
        if (st == ATE_OK) s->stale = true;
    }
    s->narrived = keep;
    return st;
}

/* Add candidate c, unpacked ahead or from its record now (found: false when there is none). */
static ate_status add(ate_rundir_stream *s, int c, bool *found, ate_error *err)
{
    ate_candidate_result local, *r = s->ready[c] ? &s->ready[c]->r : NULL;
    *found = true;
    if (!r) {
        size_t len;
        ATE_TRY(unpack(s, c, &local, found, &len, err));
        if (!*found) return ATE_OK;
        r = &local;
    }
    double t0 = MPI_Wtime();
    ate_status st = ate_results_writer_add(s->w, c, r, err);
    if (st == ATE_OK) s->ndone++, s->nfailed += r->status == ATE_RESULT_FAILED;
    ate_candidate_result_clear(r);
    if (r != &local) {
        s->ready_bytes -= s->ready[c]->bytes;
        free(s->ready[c]);
        s->ready[c] = NULL;
    }
    s->t.add += MPI_Wtime() - t0;
    return st;
}

/* Write a compressed chunk that came back from a helper. */
static ate_status collect(helpers *hp, ate_h5 *h, bool wait, bool *got, ate_error *err)
{
    MPI_Status ms;
    int flag = 1;
    *got = false;
    if (wait)
        MPI_Probe(MPI_ANY_SOURCE, TAG_RESULT, hp->comm, &ms);
    else
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULT, hp->comm, &flag, &ms);
    if (!flag) return ATE_OK;
    int n = 0;
    MPI_Get_count(&ms, MPI_BYTE, &n);
    unsigned char *buf = malloc((size_t)n + 1);
    if (!buf) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    MPI_Recv(buf, n, MPI_BYTE, ms.MPI_SOURCE, TAG_RESULT, hp->comm, MPI_STATUS_IGNORE);
    result_head rh;
    memcpy(&rh, buf, sizeof(rh));
    for (int k = 0; k < MAX_OUT; ++k) /* the chunk's send buffer */
        if (hp->slot[k].buf && hp->slot[k].id == rh.id) {
            MPI_Wait(&hp->slot[k].req, MPI_STATUS_IGNORE);
            free(hp->slot[k].buf);
            hp->slot[k].buf = NULL;
        }
    hp->out--, *got = true;
    ate_status st = rh.status == ATE_OK
                        ? ate_h5_put_chunk(h, rh.id, buf + sizeof(rh), (size_t)n - sizeof(rh), err)
                        : ATE_ERROR(err, (ate_status)rh.status,
                                    "compressing a results.h5 chunk on rank %d "
                                    "failed",
                                    ms.MPI_SOURCE);
    free(buf);
    return st;
}

/* Rank 0: send the queued chunks to the helpers and write what comes back; with drain, until
 * every chunk is written. */
static ate_status pump(helpers *hp, ate_h5 *h, bool drain, ate_error *err)
{
    for (;;) {
        ate_h5_chunk c;
        bool sent = false;
        while (hp->out < MAX_OUT && ate_h5_take_chunk(h, &c)) {
            int k = 0;
            while (hp->slot[k].buf)
                ++k;
            unsigned char *buf = malloc(sizeof(job_head) + c.bytes);
            if (!buf) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
            job_head jh = {.id = c.id, .elem = (uint32_t)c.elem, .level = c.level};
            memcpy(buf, &jh, sizeof(jh));
            memcpy(buf + sizeof(jh), c.raw, c.bytes);
            hp->slot[k].id = c.id, hp->slot[k].buf = buf;
            int to = hp->rank[hp->next++ % hp->n];
            MPI_Isend(buf, (int)(sizeof(jh) + c.bytes), MPI_BYTE, to, TAG_JOB, hp->comm,
                      &hp->slot[k].req);
            hp->out++, sent = true;
        }
        bool got = true;
        while (got) /* what has come back */
            ATE_TRY(collect(hp, h, false, &got, err));
        if (hp->out == 0 || (!drain && hp->out < MAX_OUT)) {
            if (!sent || !drain) return ATE_OK;
            continue;
        }
        ATE_TRY(collect(hp, h, true, &got, err)); /* wait for one */
    }
}

void ate_rundir_stream_helper(ate_rundir_stream *s, MPI_Comm comm, int rank)
{
    helpers *hp = &s->hp;
    int size = 1;
    MPI_Comm_size(comm, &size);
    if (!hp->is) hp->is = calloc((size_t)size, 1);
    if (!hp->is || rank <= 0 || rank >= size || hp->is[rank]) return;
    if (hp->n == hp->cap) {
        int cap = hp->cap ? 2 * hp->cap : 16;
        int *r = realloc(hp->rank, (size_t)cap * sizeof(int));
        if (!r) return; /* one helper fewer */
        hp->rank = r, hp->cap = cap;
    }
    hp->comm = comm, hp->rank[hp->n++] = rank, hp->is[rank] = 1; /* they compress from now */
}

/* The full chunks queued so far: to the helpers (with drain: until all are written), or
 * compressed and written here when there is none. */
static ate_status chunks(ate_rundir_stream *s, bool drain, ate_error *err)
{
    double t0 = MPI_Wtime();
    ate_h5 *h = ate_results_writer_file(s->w);
    ate_status st = s->hp.n ? pump(&s->hp, h, drain, err) : ate_h5_flush_chunks(h, err);
    s->t.compress += MPI_Wtime() - t0;
    return st;
}

ate_status ate_rundir_stream_advance(ate_rundir_stream *s, int *added, ate_error *err)
{
    if (added) *added = 0;
    ATE_TRY(refresh(s, s->stale, err));
    s->stale = false;
    ATE_TRY(prepare(s, err));
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
        ATE_TRY(chunks(s, false, err));
    }
    return ATE_OK;
}

void ate_rundir_stream_get_times(const ate_rundir_stream *s, ate_rundir_stream_times *t)
{
    *t = s->t;
}

void ate_rundir_help(MPI_Comm comm)
{
    for (;;) {
        MPI_Status ms;
        MPI_Probe(0, MPI_ANY_TAG, comm, &ms);
        int n = 0;
        MPI_Get_count(&ms, MPI_BYTE, &n);
        unsigned char *buf = malloc((size_t)n + 1);
        MPI_Recv(buf, n, MPI_BYTE, 0, ms.MPI_TAG, comm, MPI_STATUS_IGNORE);
        if (ms.MPI_TAG == TAG_DONE || !buf) {
            free(buf);
            if (ms.MPI_TAG == TAG_DONE) return;
            continue;
        }
        job_head jh;
        memcpy(&jh, buf, sizeof(jh));
        void *z = NULL;
        size_t zn = 0;
        ate_error e;
        result_head rh = {.id = jh.id};
        rh.status = ate_h5_compress_chunk(buf + sizeof(jh), (size_t)n - sizeof(jh), jh.elem,
                                          jh.level, &z, &zn, &e);
        free(buf);
        unsigned char *out = malloc(sizeof(rh) + zn);
        if (!out) rh.status = ATE_ERR_MEMORY, zn = 0;
        if (out) memcpy(out + sizeof(rh), z, zn);
        memcpy(out ? out : (unsigned char *)&rh, &rh, sizeof(rh));
        MPI_Send(out ? (void *)out : (void *)&rh, (int)(sizeof(rh) + zn), MPI_BYTE, 0, TAG_RESULT,
                 comm);
        free(out), free(z);
    }
}

void ate_rundir_help_done(MPI_Comm comm)
{
    int size = 1;
    MPI_Comm_size(comm, &size);
    for (int r = 1; r < size; ++r)
        MPI_Send(NULL, 0, MPI_BYTE, r, TAG_DONE, comm);
}

ate_status ate_rundir_stream_finish(ate_rundir_stream **sp, const ate_references *refs,
                                    const ate_results_meta *meta, MPI_Comm comm, int *ndone,
                                    int *nfailed, ate_error *err)
{
    ate_rundir_stream *s = *sp;
    ate_status st = refresh(s, true, err);
    int size = 1;
    if (comm != MPI_COMM_NULL) MPI_Comm_size(comm, &size);
    for (int r = 1; r < size; ++r)
        ate_rundir_stream_helper(s, comm, r);
    ate_h5 *h = ate_results_writer_file(s->w);
    for (; s->next < s->n && st == ATE_OK; s->next++) {
        bool found;
        st = add(s, s->order[s->next], &found, err);
        if (st == ATE_OK) st = chunks(s, false, err);
    }
    if (st == ATE_OK) /* the last, partial chunks go out too */
        st = ate_results_writer_seal(s->w, err);
    if (st == ATE_OK) st = chunks(s, true, err);
    ate_h5_defer_chunks(h, false);
    *ndone = s->ndone, *nfailed = s->nfailed;
    if (st == ATE_OK) st = ate_results_writer_finish(&s->w, refs, meta, err);
    ate_rundir_stream_abort(sp);
    return st;
}
