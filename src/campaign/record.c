/**
 * @file record.c
 * @brief A candidate result as bytes for the journal and back: little-endian fixed-width fields
 *        behind the tag "ATEREC" and a format version. Readers reject other versions and any
 *        record whose lengths do not add up.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "campaign_internal.h"

#define RECORD_MAGIC   "ATEREC"
#define RECORD_VERSION 2 /* 2: harmonic corrections per state */

typedef struct wbuf {
    unsigned char *p;
    size_t len, cap;
    bool failed;
} wbuf;

static void put(wbuf *b, const void *v, size_t n)
{
    if (b->failed) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *t = realloc(b->p, cap);
        if (!t) {
            b->failed = true;
            return;
        }
        b->p = t, b->cap = cap;
    }
    memcpy(b->p + b->len, v, n);
    b->len += n;
}
static void put_i32(wbuf *b, int v)
{
    int32_t x = v;
    put(b, &x, 4);
}
static void put_f64(wbuf *b, double v) { put(b, &v, 8); }
static void put_str(wbuf *b, const char *s)
{
    int n = (int)strlen(s);
    put_i32(b, n);
    put(b, s, (size_t)n);
}
static void put_f64s(wbuf *b, const double *v, int n)
{
    put_i32(b, v ? n : -1);
    if (v) put(b, v, (size_t)n * 8);
}

static void put_structure(wbuf *b, const ate_structure *s)
{
    put_i32(b, s ? 1 : 0);
    if (!s) return;
    ate_structure_desc d = ate_structure_get_desc(s);
    put_i32(b, d.natoms);
    for (int i = 0; i < d.natoms; ++i)
        put_i32(b, d.numbers[i]);
    put(b, d.positions, (size_t)d.natoms * 24);
    put_i32(b, d.cell ? 1 : 0);
    if (d.cell) put(b, d.cell, 72);
    for (int k = 0; k < 3; ++k)
        put_i32(b, d.pbc[k]);
    for (int i = 0; i < 3 * d.natoms; ++i)
        put_i32(b, d.fixed ? d.fixed[i] : 0);
    for (int i = 0; i < d.natoms; ++i)
        put_i32(b, d.tags ? d.tags[i] : 0);
    put_i32(b, d.charge);
    put_i32(b, d.uhf);
}

ate_status ate_candidate_result_pack(const ate_candidate_result *r, void **buf, size_t *len,
                                     ate_error *err)
{
    wbuf b = {0};
    put(&b, RECORD_MAGIC, 6);
    put_i32(&b, RECORD_VERSION);
    put_str(&b, r->id), put_str(&b, r->name), put_str(&b, r->family);
    put_i32(&b, r->nmetals), put_i32(&b, r->metal_z[0]), put_i32(&b, r->metal_z[1]);
    put_i32(&b, r->natoms), put_i32(&b, r->status), put_str(&b, r->fail_reason);
    put_i32(&b, r->best_site);
    const double *dd[2] = {&r->de.oh, &r->dg.oh};
    for (int k = 0; k < 2; ++k)
        for (int i = 0; i < 4; ++i)
            put_f64(&b, dd[k][i]);
    put_f64(&b, r->ul_orr_tandem), put_f64(&b, r->ul_oer_tandem);
    for (int st = 0; st < ATE_STATE_COUNT; ++st)
        put_i32(&b, r->uhf[st]);
    put_i32(&b, r->spin_changed);
    put_f64(&b, r->metal_charge), put_f64(&b, r->metal_spin);
    put_f64(&b, r->dband_centre), put_f64(&b, r->homo_lumo_gap);
    put_i32(&b, (int)r->anomaly), put_f64(&b, r->wall_s), put_i32(&b, r->rank);
    put_i32(&b, r->nstates);
    for (int i = 0; i < r->nstates; ++i) {
        const ate_state_result *s = &r->states[i];
        put_i32(&b, s->state), put_str(&b, s->site), put_i32(&b, s->ok);
        put_str(&b, s->fail_reason), put_i32(&b, s->uhf), put_f64(&b, s->energy);
        put_i32(&b, s->converged), put_i32(&b, s->opt_steps), put_f64(&b, s->fmax);
        put_i32(&b, s->scf_attempts), put_f64(&b, s->etemp);
        put_f64(&b, s->metal_charge), put_f64(&b, s->metal_spin);
        put_f64(&b, s->dband_centre), put_f64(&b, s->homo_lumo_gap);
        put_i32(&b, (int)s->anomaly);
        put_f64(&b, s->zpe), put_f64(&b, s->cp), put_f64(&b, s->ts), put_i32(&b, s->nimag);
        put_structure(&b, s->initial), put_structure(&b, s->final);
        int nf = s->final ? ate_structure_natoms(s->final) : 0;
        put_f64s(&b, s->charges, nf), put_f64s(&b, s->spins, nf);
        put_i32(&b, s->nattempts);
        for (int a = 0; a < s->nattempts; ++a) {
            const ate_attempt *t = &s->attempts[a];
            put_i32(&b, t->uhf), put_i32(&b, (int)t->rung), put_f64(&b, t->etemp);
            put_f64(&b, t->energy), put_i32(&b, t->converged), put_i32(&b, t->scf_iterations);
            put_str(&b, t->message);
        }
    }
    if (b.failed) {
        free(b.p);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "record: out of memory");
    }
    *buf = b.p, *len = b.len;
    return ATE_OK;
}

/* ---- reading ---------------------------------------------------------------------------- */

typedef struct rbuf {
    const unsigned char *p;
    size_t len, pos;
    bool bad;
} rbuf;

static void get(rbuf *b, void *v, size_t n)
{
    if (b->bad || n > b->len - b->pos) {
        b->bad = true;
        memset(v, 0, n);
        return;
    }
    memcpy(v, b->p + b->pos, n);
    b->pos += n;
}
static int get_i32(rbuf *b)
{
    int32_t x;
    get(b, &x, 4);
    return x;
}
static double get_f64(rbuf *b)
{
    double x;
    get(b, &x, 8);
    return x;
}
static void get_str(rbuf *b, char *out, size_t cap)
{
    int n = get_i32(b);
    if (n < 0 || (size_t)n >= cap) {
        b->bad = true;
        out[0] = '\0';
        return;
    }
    get(b, out, (size_t)n);
    out[b->bad ? 0 : n] = '\0';
}
static double *get_f64s(rbuf *b)
{
    int n = get_i32(b);
    if (n < 0 || b->bad) return NULL;
    if ((size_t)n > (b->len - b->pos) / 8) {
        b->bad = true;
        return NULL;
    }
    double *v = malloc((size_t)(n ? n : 1) * 8);
    if (!v) {
        b->bad = true;
        return NULL;
    }
    get(b, v, (size_t)n * 8);
    return v;
}

static ate_status get_structure(rbuf *b, ate_structure **out, ate_error *err)
{
    *out = NULL;
    if (!get_i32(b) || b->bad) return ATE_OK;
    int n = get_i32(b);
    if (n <= 0 || (size_t)n > (b->len - b->pos) / 24) {
        b->bad = true;
        return ATE_OK;
    }
    int *z = malloc((size_t)n * sizeof(int)), *tags = malloc((size_t)n * sizeof(int));
    double *x = malloc((size_t)n * 24), cell[9];
    bool *fixed = malloc((size_t)n * 3);
    ate_status st = ATE_OK;
    if (!z || !tags || !x || !fixed) {
        st = ATE_ERROR(err, ATE_ERR_MEMORY, "record: out of memory");
        goto done;
    }
    for (int i = 0; i < n; ++i)
        z[i] = get_i32(b);
    get(b, x, (size_t)n * 24);
    bool has_cell = get_i32(b) != 0;
    if (has_cell) get(b, cell, 72);
    ate_structure_desc d = {.natoms = n,
                            .numbers = z,
                            .positions = x,
                            .cell = has_cell ? cell : NULL,
                            .fixed = fixed,
                            .tags = tags};
    for (int k = 0; k < 3; ++k)
        d.pbc[k] = get_i32(b) != 0;
    for (int i = 0; i < 3 * n; ++i)
        fixed[i] = get_i32(b) != 0;
    for (int i = 0; i < n; ++i)
        tags[i] = get_i32(b);
    d.charge = get_i32(b);
    d.uhf = get_i32(b);
    if (!b->bad) st = ate_structure_create(&d, out, err);
done:
    free(z), free(tags), free(x), free(fixed);
    return st;
}

bool ate_candidate_result_status(const void *buf, size_t len, int *status)
{
    rbuf b = {buf, len, 0, false};
    char magic[6], s[256];
    get(&b, magic, 6);
    if (b.bad || memcmp(magic, RECORD_MAGIC, 6) != 0 || get_i32(&b) != RECORD_VERSION) return false;
    for (int k = 0; k < 3; ++k) /* id, name, family */
        get_str(&b, s, sizeof(s));
    for (int k = 0; k < 4; ++k) /* nmetals, metal_z[2], natoms */
        get_i32(&b);
    *status = get_i32(&b);
    return !b.bad;
}

ate_status ate_candidate_result_unpack(const void *buf, size_t len, ate_candidate_result *r,
                                       ate_error *err)
{
    memset(r, 0, sizeof(*r));
    rbuf b = {buf, len, 0, false};
    char magic[6];
    get(&b, magic, 6);
    if (b.bad || memcmp(magic, RECORD_MAGIC, 6) != 0)
        return ATE_ERROR(err, ATE_ERR_INPUT, "record: not a candidate result");
    int version = get_i32(&b);
    if (version != RECORD_VERSION)
        return ATE_ERROR(err, ATE_ERR_INPUT,
                         "record: format version %d, this build reads version %d", version,
                         RECORD_VERSION);
    get_str(&b, r->id, sizeof(r->id)), get_str(&b, r->name, sizeof(r->name));
    get_str(&b, r->family, sizeof(r->family));
    r->nmetals = get_i32(&b), r->metal_z[0] = get_i32(&b), r->metal_z[1] = get_i32(&b);
    r->natoms = get_i32(&b), r->status = get_i32(&b);
    get_str(&b, r->fail_reason, sizeof(r->fail_reason));
    r->best_site = get_i32(&b);
    double *dd[2] = {&r->de.oh, &r->dg.oh};
    for (int k = 0; k < 2; ++k)
        for (int i = 0; i < 4; ++i)
            dd[k][i] = get_f64(&b);
    ate_che_activity_compute(&r->dg, &r->act);
    r->ul_orr_tandem = get_f64(&b), r->ul_oer_tandem = get_f64(&b);
    for (int st = 0; st < ATE_STATE_COUNT; ++st)
        r->uhf[st] = get_i32(&b);
    r->spin_changed = get_i32(&b);
    r->metal_charge = get_f64(&b), r->metal_spin = get_f64(&b);
    r->dband_centre = get_f64(&b), r->homo_lumo_gap = get_f64(&b);
    r->anomaly = (unsigned)get_i32(&b), r->wall_s = get_f64(&b), r->rank = get_i32(&b);
    int ns = get_i32(&b);
    if (ns < 0 || ns > 4096) b.bad = true;
    ate_status st = ATE_OK;
    if (!b.bad && ns > 0) {
        r->states = calloc((size_t)ns, sizeof(*r->states));
        if (!r->states) return ATE_ERROR(err, ATE_ERR_MEMORY, "record: out of memory");
    }
    for (int i = 0; i < ns && !b.bad && st == ATE_OK; ++i) {
        ate_state_result *s = &r->states[i];
        r->nstates = i + 1;
        s->state = get_i32(&b);
        get_str(&b, s->site, sizeof(s->site));
        s->ok = get_i32(&b) != 0;
        get_str(&b, s->fail_reason, sizeof(s->fail_reason));
        s->uhf = get_i32(&b), s->energy = get_f64(&b);
        s->converged = get_i32(&b) != 0, s->opt_steps = get_i32(&b), s->fmax = get_f64(&b);
        s->scf_attempts = get_i32(&b), s->etemp = get_f64(&b);
        s->metal_charge = get_f64(&b), s->metal_spin = get_f64(&b);
        s->dband_centre = get_f64(&b), s->homo_lumo_gap = get_f64(&b);
        s->anomaly = (unsigned)get_i32(&b);
        s->zpe = get_f64(&b), s->cp = get_f64(&b), s->ts = get_f64(&b), s->nimag = get_i32(&b);
        st = get_structure(&b, &s->initial, err);
        if (st == ATE_OK) st = get_structure(&b, &s->final, err);
        if (st != ATE_OK) break;
        s->charges = get_f64s(&b), s->spins = get_f64s(&b);
        int na = get_i32(&b);
        if (na < 0 || na > 4096) b.bad = true;
        if (!b.bad && na > 0) {
            s->attempts = calloc((size_t)na, sizeof(*s->attempts));
            if (!s->attempts) b.bad = true;
        }
        for (int a = 0; a < na && !b.bad; ++a) {
            ate_attempt *t = &s->attempts[a];
            s->nattempts = a + 1;
            t->uhf = get_i32(&b), t->rung = (ate_rescue_rung)get_i32(&b);
            t->etemp = get_f64(&b), t->energy = get_f64(&b);
            t->converged = get_i32(&b) != 0, t->scf_iterations = get_i32(&b);
            get_str(&b, t->message, sizeof(t->message));
        }
    }
    if (st == ATE_OK && (b.bad || b.pos != b.len))
        st = ATE_ERROR(err, ATE_ERR_INPUT, "record: truncated or inconsistent (%zu of %zu bytes)",
                       b.pos, len);
    if (st != ATE_OK) ate_candidate_result_clear(r);
    return st;
}
