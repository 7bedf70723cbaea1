/**
 * @file journal.c
 * @brief Append-only, fsync'd journal with torn-tail recovery (see journal.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atescreen/journal.h"

#define MAGIC  0xA7E5C0DEu
#define HEADER "ATEJRNL1"
enum { HEADER_LEN = 8, REC_HEAD = 20, MAX_KEY = 4096 };

typedef struct entry {
    char *key;
    unsigned char *payload;
    size_t len;
} entry;

struct ate_journal {
    int fd; /* -1 when read only (closed after reading) */
    bool writable;
    char path[4096];
    int n, cap;
    entry *e;
    int *slot; /* open-addressing hash: key -> entry index + 1 (0 = empty), size nslot */
    size_t nslot;
    size_t good; /* file bytes read: header and complete records (0: header not seen yet) */
};

static uint64_t fnv1a(const unsigned char *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; ++i)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int k = 0; k < 4; ++k)
        p[k] = (unsigned char)(v >> (8 * k));
}
static void put64(unsigned char *p, uint64_t v)
{
    for (int k = 0; k < 8; ++k)
        p[k] = (unsigned char)(v >> (8 * k));
}
static uint32_t get32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k)
        v |= (uint32_t)p[k] << (8 * k);
    return v;
}
static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int k = 0; k < 8; ++k)
        v |= (uint64_t)p[k] << (8 * k);
    return v;
}

static size_t key_hash(const char *key)
{
    return (size_t)fnv1a((const unsigned char *)key, strlen(key), 14695981039346656037ull);
}

static int find(const ate_journal *j, const char *key)
{
    if (!j->nslot) return -1;
    for (size_t h = key_hash(key) & (j->nslot - 1);; h = (h + 1) & (j->nslot - 1)) {
        int i = j->slot[h] - 1;
        if (i < 0) return -1;
        if (!strcmp(j->e[i].key, key)) return i;
    }
}

/* Insert entry i into the hash, growing it to keep the load below 1/2. */
static ate_status index_entry(ate_journal *j, int i, ate_error *err)
{
    if (2 * (size_t)(j->n + 1) > j->nslot) {
        size_t nslot = j->nslot ? 2 * j->nslot : 256;
        int *slot = calloc(nslot, sizeof(int));
        if (!slot) return ATE_ERROR(err, ATE_ERR_MEMORY, "journal: out of memory");
        free(j->slot);
        j->slot = slot, j->nslot = nslot;
        for (int k = 0; k < i; ++k) {
            size_t h = key_hash(j->e[k].key) & (nslot - 1);
            while (slot[h])
                h = (h + 1) & (nslot - 1);
            slot[h] = k + 1;
        }
    }
    size_t h = key_hash(j->e[i].key) & (j->nslot - 1);
    while (j->slot[h])
        h = (h + 1) & (j->nslot - 1);
    j->slot[h] = i + 1;
    return ATE_OK;
}

/* Remember key -> payload (replacing an earlier payload of the same key). */
static ate_status remember(ate_journal *j, const char *key, size_t klen,
                           const unsigned char *payload, size_t len, ate_error *err)
{
    unsigned char *copy = malloc(len ? len : 1);
    if (!copy) return ATE_ERROR(err, ATE_ERR_MEMORY, "journal: out of memory");
    if (len) memcpy(copy, payload, len);
    char kbuf[MAX_KEY + 1];
    memcpy(kbuf, key, klen);
    kbuf[klen] = '\0';
    int i = find(j, kbuf);
    if (i < 0) {
        if (j->n == j->cap) {
            int cap = j->cap ? 2 * j->cap : 64;
            entry *e = realloc(j->e, (size_t)cap * sizeof(*e));
            if (!e) return free(copy), ATE_ERROR(err, ATE_ERR_MEMORY, "journal: out of memory");
            j->e = e, j->cap = cap;
        }
        char *k = malloc(klen + 1);
        if (!k) return free(copy), ATE_ERROR(err, ATE_ERR_MEMORY, "journal: out of memory");
        memcpy(k, kbuf, klen + 1);
        i = j->n;
        j->e[i].key = k;
        j->e[i].payload = NULL;
        ate_status st = index_entry(j, i, err);
        if (st != ATE_OK) return free(k), free(copy), st;
        j->n++;
    }
    free(j->e[i].payload);
    j->e[i].payload = copy;
    j->e[i].len = len;
    return ATE_OK;
}

/* Remember the complete records of buf[pos..size); *good: where the first incomplete or corrupt
 * record starts (size when none), *count (optional): records read. */
static ate_status recover(ate_journal *j, const unsigned char *buf, size_t size, size_t pos,
                          size_t *good, int *count, ate_error *err)
{
    if (count) *count = 0;
    while (pos + REC_HEAD <= size) {
        const unsigned char *h = buf + pos;
        uint32_t klen = get32(h + 4), plen = get32(h + 8);
        if (get32(h) != MAGIC || klen == 0 || klen > MAX_KEY || pos + REC_HEAD + klen + plen > size)
            break;
        const unsigned char *k = h + REC_HEAD;
        if (fnv1a(k, (size_t)klen + plen, 14695981039346656037ull) != get64(h + 12)) break;
        ATE_TRY(remember(j, (const char *)k, klen, k + klen, plen, err));
        pos += REC_HEAD + klen + plen;
        if (count) ++*count;
    }
    *good = pos;
    return ATE_OK;
}

/* Open and recover path; writable: create it if missing and cut a torn tail, otherwise read
 * only (a missing file, or one that holds less than the header, reads as empty). */
static ate_status open_journal(const char *path, bool writable, ate_journal **out, size_t *dropped,
                               ate_error *err)
{
    *out = NULL;
    if (dropped) *dropped = 0;
    ate_journal *j = calloc(1, sizeof(*j));
    if (!j) return ATE_ERROR(err, ATE_ERR_MEMORY, "journal: out of memory");
    snprintf(j->path, sizeof(j->path), "%s", path);
    j->writable = writable;
    j->fd = writable ? open(path, O_RDWR | O_CREAT, 0644) : open(path, O_RDONLY);
    if (j->fd < 0 && !writable && errno == ENOENT) {
        *out = j; /* nothing journaled yet */
        return ATE_OK;
    }
    if (j->fd < 0) {
        free(j);
        return ate_error_set_input(err, ATE_ERR_IO, __FILE__, __LINE__, path, 0, 0, NULL,
                                   "cannot open the journal: %s", strerror(errno));
    }
    struct stat sb;
    ate_status st =
        fstat(j->fd, &sb) == 0 ? ATE_OK : ATE_ERROR(err, ATE_ERR_IO, "journal: fstat failed");
    size_t size = st == ATE_OK ? (size_t)sb.st_size : 0;
    unsigned char *buf = st == ATE_OK ? malloc(size ? size : 1) : NULL;
    if (st == ATE_OK && !buf) st = ATE_ERROR(err, ATE_ERR_MEMORY, "journal: out of memory");
    if (st == ATE_OK && size && pread(j->fd, buf, size, 0) != (ssize_t)size)
        st = ATE_ERROR(err, ATE_ERR_IO, "cannot read the journal '%s': %s", path, strerror(errno));
    size_t good = HEADER_LEN;
    bool header_only = st == ATE_OK && size < HEADER_LEN && memcmp(buf, HEADER, size) == 0;
    if (st == ATE_OK && size == 0 && writable) {
        if (pwrite(j->fd, HEADER, HEADER_LEN, 0) != HEADER_LEN || fsync(j->fd) != 0)
            st = ATE_ERROR(err, ATE_ERR_IO, "cannot write the journal '%s': %s", path,
                           strerror(errno));
    } else if (st == ATE_OK && !writable && header_only) {
        /* being created by its writer: empty */
    } else if (st == ATE_OK && (size < HEADER_LEN || memcmp(buf, HEADER, HEADER_LEN) != 0)) {
        st = ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, path, 0, 0, NULL,
                                 "not an ATEscreen journal (bad header)");
    } else if (st == ATE_OK) {
        st = recover(j, buf, size, HEADER_LEN, &good, NULL, err);
        j->good = good;
        if (st == ATE_OK && good < size && writable) { /* cut a torn tail: appends go on */
            if (ftruncate(j->fd, (off_t)good) != 0 || fsync(j->fd) != 0)
                st = ATE_ERROR(err, ATE_ERR_IO, "cannot repair the journal '%s': %s", path,
                               strerror(errno));
        }
        if (dropped) *dropped = size - good;
    }
    free(buf);
    if (st == ATE_OK && writable && lseek(j->fd, 0, SEEK_END) < 0)
        st = ATE_ERROR(err, ATE_ERR_IO, "journal: seek failed");
    if (st == ATE_OK && !writable) close(j->fd), j->fd = -1;
    if (st != ATE_OK) {
        ate_journal_close(&j);
        return st;
    }
    *out = j;
    return ATE_OK;
}

ate_status ate_journal_open(const char *path, ate_journal **out, size_t *dropped, ate_error *err)
{
    return open_journal(path, true, out, dropped, err);
}

ate_status ate_journal_read(const char *path, ate_journal **out, size_t *torn, ate_error *err)
{
    return open_journal(path, false, out, torn, err);
}

ate_status ate_journal_refresh(ate_journal *j, int *added, ate_error *err)
{
    if (added) *added = 0;
    if (j->writable)
        return ATE_ERROR(err, ATE_ERR_VALUE, "journal '%s' was opened for writing", j->path);
    int fd = open(j->path, O_RDONLY);
    if (fd < 0 && errno == ENOENT) return ATE_OK; /* not created yet */
    if (fd < 0)
        return ate_error_set_input(err, ATE_ERR_IO, __FILE__, __LINE__, j->path, 0, 0, NULL,
                                   "cannot open the journal: %s", strerror(errno));
    struct stat sb;
    ate_status st =
        fstat(fd, &sb) == 0 ? ATE_OK : ATE_ERROR(err, ATE_ERR_IO, "journal: fstat failed");
    size_t size = st == ATE_OK ? (size_t)sb.st_size : 0, off = j->good;
    if (st != ATE_OK || size <= off || size < HEADER_LEN) { /* nothing new (or a partial header) */
        close(fd);
        return st;
    }
    unsigned char *buf = malloc(size - off);
    if (!buf) st = ATE_ERROR(err, ATE_ERR_MEMORY, "journal: out of memory");
    if (st == ATE_OK && pread(fd, buf, size - off, (off_t)off) != (ssize_t)(size - off))
        st = ATE_ERROR(err, ATE_ERR_IO, "cannot read the journal '%s': %s", j->path,
                       strerror(errno));
    close(fd);
    if (st == ATE_OK && off == 0 && memcmp(buf, HEADER, HEADER_LEN) != 0)
        st = ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, j->path, 0, 0, NULL,
                                 "not an ATEscreen journal (bad header)");
    size_t good = 0;
    if (st == ATE_OK) st = recover(j, buf, size - off, off ? 0 : HEADER_LEN, &good, added, err);
    if (st == ATE_OK) j->good = off + good;
    free(buf);
    return st;
}

void ate_journal_close(ate_journal **jp)
{
    if (!jp || !*jp) return;
    ate_journal *j = *jp;
    if (j->fd >= 0) close(j->fd);
    for (int i = 0; i < j->n; ++i)
        free(j->e[i].key), free(j->e[i].payload);
    free(j->e);
    free(j->slot);
    free(j);
    *jp = NULL;
}

ate_status ate_journal_append(ate_journal *j, const char *key, const void *payload, size_t len,
                              ate_error *err)
{
    if (!j->writable)
        return ATE_ERROR(err, ATE_ERR_VALUE, "journal '%s' was opened read only", j->path);
    size_t klen = key ? strlen(key) : 0;
    if (klen == 0 || klen > MAX_KEY || len > UINT32_MAX - REC_HEAD - klen)
        return ATE_ERROR(err, ATE_ERR_VALUE,
                         "journal: key must be 1..%d bytes and the payload < 4 GiB", MAX_KEY);
    size_t total = REC_HEAD + klen + len;
    unsigned char *rec = malloc(total);
    if (!rec) return ATE_ERROR(err, ATE_ERR_MEMORY, "journal: out of memory");
    memcpy(rec + REC_HEAD, key, klen);
    if (len) memcpy(rec + REC_HEAD + klen, payload, len);
    put32(rec, MAGIC);
    put32(rec + 4, (uint32_t)klen);
    put32(rec + 8, (uint32_t)len);
    put64(rec + 12, fnv1a(rec + REC_HEAD, klen + len, 14695981039346656037ull));
    ate_status st = ATE_OK;
    for (size_t done = 0; done < total && st == ATE_OK;) {
        ssize_t w = write(j->fd, rec + done, total - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
            st = ATE_ERROR(err, ATE_ERR_IO, "cannot append to the journal '%s': %s", j->path,
                           strerror(errno));
        else
            done += (size_t)w;
    }
    if (st == ATE_OK && fsync(j->fd) != 0)
        st = ATE_ERROR(err, ATE_ERR_IO, "cannot sync the journal '%s': %s", j->path,
                       strerror(errno));
    if (st == ATE_OK) st = remember(j, key, klen, rec + REC_HEAD + klen, len, err);
    free(rec);
    return st;
}

int ate_journal_count(const ate_journal *j) { return j->n; }
const char *ate_journal_key(const ate_journal *j, int i) { return j->e[i].key; }
bool ate_journal_has(const ate_journal *j, const char *key) { return find(j, key) >= 0; }

const void *ate_journal_get(const ate_journal *j, const char *key, size_t *len)
{
    int i = find(j, key);
    if (i < 0) return NULL;
    if (len) *len = j->e[i].len;
    return j->e[i].payload;
}
