/**
 * @file h5.c
 * @brief Checked HDF5 writing of column tables with atomic commit (see h5.h).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>
#include <zlib.h>

#include "atescreen/h5.h"

/* A full chunk of a growing column waiting to be compressed elsewhere (ate_h5_defer_chunks). */
typedef struct h5_job {
    hid_t ds;   /* a reference of its own: the column may be closed before the chunk is put */
    char *path; /* for messages */
    hsize_t row0;
    size_t bytes, elem;
    unsigned char *raw; /* NULL once written */
    bool taken;
} h5_job;

struct ate_h5 {
    hid_t file;
    char path[4096], tmp[4100];
    bool defer;
    h5_job *job;
    size_t njob, cap, next; /* jobs; the next one to hand out */
};

/* Turn a negative HDF5 return into ATE_ERR_LIB naming the call and the object. */
#define ATE_H5_CALL(err, call, what, obj)                                                          \
    ((call) < 0 ? ate_error_set((err), ATE_ERR_LIB, __FILE__, __LINE__, "HDF5 %s failed for '%s'", \
                                (what), (obj))                                                     \
                : ATE_OK)

static void silence(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

ate_status ate_h5_create(const char *path, ate_h5 **out, ate_error *err)
{
    *out = NULL;
    silence();
    ate_h5 *h = calloc(1, sizeof(*h));
    if (!h) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    snprintf(h->path, sizeof(h->path), "%s", path);
    snprintf(h->tmp, sizeof(h->tmp), "%s.tmp", path);
    h->file = H5Fcreate(h->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (h->file < 0) {
        free(h);
        return ate_error_set_input(err, ATE_ERR_IO, __FILE__, __LINE__, path, 0, 0, NULL,
                                   "cannot create the HDF5 file '%s.tmp'", path);
    }
    *out = h;
    return ATE_OK;
}

static void free_jobs(ate_h5 *h)
{
    for (size_t i = 0; i < h->njob; ++i) {
        if (h->job[i].raw) H5Idec_ref(h->job[i].ds);
        free(h->job[i].raw), free(h->job[i].path);
    }
    free(h->job);
    h->job = NULL, h->njob = h->cap = h->next = 0;
}

static int fsync_path(const char *path, int flags)
{
    int fd = open(path, flags);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

ate_status ate_h5_commit(ate_h5 **hp, ate_error *err)
{
    ate_h5 *h = *hp;
    *hp = NULL;
    if (!h) return ATE_OK;
    ate_status st = ATE_OK;
    for (size_t i = 0; i < h->njob && st == ATE_OK; ++i) /* nothing may be left out */
        if (h->job[i].raw && h->job[i].taken)
            st = ATE_ERROR(err, ATE_ERR_VALUE, "'%s': a chunk out for compression at commit",
                           h->job[i].path);
    if (st == ATE_OK) st = ate_h5_flush_chunks(h, err);
    free_jobs(h);
    if (st == ATE_OK)
        st = ATE_H5_CALL(err, H5Fflush(h->file, H5F_SCOPE_GLOBAL), "H5Fflush", h->tmp);
    if (H5Fclose(h->file) < 0 && st == ATE_OK)
        st = ate_error_set(err, ATE_ERR_LIB, __FILE__, __LINE__, "HDF5 H5Fclose failed for '%s'",
                           h->tmp);
    if (st == ATE_OK && fsync_path(h->tmp, O_RDONLY) != 0)
        st = ATE_ERROR(err, ATE_ERR_IO, "cannot sync '%s': %s", h->tmp, strerror(errno));
    if (st == ATE_OK && rename(h->tmp, h->path) != 0)
        st = ATE_ERROR(err, ATE_ERR_IO, "cannot rename '%s' to '%s': %s", h->tmp, h->path,
                       strerror(errno));
    if (st == ATE_OK) { /* make the rename itself durable */
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s", h->path);
        fsync_path(dirname(dir), O_RDONLY | O_DIRECTORY);
    } else {
        unlink(h->tmp);
    }
    free(h);
    return st;
}

void ate_h5_abort(ate_h5 **hp)
{
    if (!hp || !*hp) return;
    free_jobs(*hp);
    H5Fclose((*hp)->file);
    unlink((*hp)->tmp);
    free(*hp);
    *hp = NULL;
}

ate_status ate_h5_group(ate_h5 *h, const char *path, ate_error *err)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1;; ++p) {
        int end = *p == '\0';
        if (*p != '/' && !end) continue;
        *p = '\0';
        htri_t exists = H5Lexists(h->file, buf, H5P_DEFAULT);
        if (exists < 0) return ATE_ERROR(err, ATE_ERR_LIB, "HDF5 H5Lexists failed for '%s'", buf);
        if (!exists) {
            hid_t g = H5Gcreate2(h->file, buf, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            if (g < 0) return ATE_ERROR(err, ATE_ERR_LIB, "HDF5 H5Gcreate2 failed for '%s'", buf);
            H5Gclose(g);
        }
        if (end) return ATE_OK;
        *p = '/';
    }
}

/* Create the parent group of a dataset path. */
static ate_status parent(ate_h5 *h, const char *path, ate_error *err)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return ATE_OK;
    char buf[1024];
    snprintf(buf, sizeof(buf), "%.*s", (int)(slash - path), path);
    return ate_h5_group(h, buf, err);
}

/* Numeric datasets of 64 KiB or more are chunked along the first axis (chunks of about
 * 256 KiB) and compressed with the shuffle + deflate filters, which every h5py has
 * (ecosystem-and-hdf5.md §4.1.8); smaller ones, and strings, stay contiguous. */
#define COMPRESS_MIN  (64u * 1024u)
#define CHUNK_BYTES   (256u * 1024u)
#define DEFLATE_LEVEL 4

static hid_t creation_props(hid_t file_type, int rank, const hsize_t *dims)
{
    if (H5Tget_class(file_type) == H5T_STRING || dims[0] == 0) return H5P_DEFAULT;
    size_t row = H5Tget_size(file_type);
    for (int k = 1; k < rank; ++k)
        row *= (size_t)dims[k];
    if ((size_t)dims[0] * row < COMPRESS_MIN || !H5Zfilter_avail(H5Z_FILTER_DEFLATE))
        return H5P_DEFAULT;
    hsize_t chunk[8];
    chunk[0] = CHUNK_BYTES / row ? CHUNK_BYTES / row : 1;
    if (chunk[0] > dims[0]) chunk[0] = dims[0];
    for (int k = 1; k < rank && k < 8; ++k)
        chunk[k] = dims[k];
    hid_t p = H5Pcreate(H5P_DATASET_CREATE);
    if (p < 0 || H5Pset_chunk(p, rank, chunk) < 0 || H5Pset_shuffle(p) < 0 ||
        H5Pset_deflate(p, DEFLATE_LEVEL) < 0) {
        if (p >= 0) H5Pclose(p);
        return H5P_DEFAULT;
    }
    return p;
}

static ate_status write_any(ate_h5 *h, const char *path, hid_t mem_type, hid_t file_type,
                            const void *v, int rank, const hsize_t *dims, const char *units,
                            ate_error *err)
{
    ATE_TRY(parent(h, path, err));
    hid_t space = H5Screate_simple(rank, dims, NULL);
    if (space < 0)
        return ATE_ERROR(err, ATE_ERR_LIB, "HDF5 H5Screate_simple failed for '%s'", path);
    hid_t dcpl = creation_props(file_type, rank, dims);
    hid_t ds = H5Dcreate2(h->file, path, file_type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dcpl != H5P_DEFAULT) H5Pclose(dcpl);
    ate_status st =
        ds < 0 ? ATE_ERROR(err, ATE_ERR_LIB, "HDF5 H5Dcreate2 failed for '%s'", path) : ATE_OK;
    if (st == ATE_OK && (dims[0] > 0))
        st = ATE_H5_CALL(err, H5Dwrite(ds, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), "H5Dwrite",
                         path);
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(space);
    if (st == ATE_OK && units) st = ate_h5_attr_string(h, path, "units", units, err);
    return st;
}

ate_status ate_h5_write_doubles(ate_h5 *h, const char *path, const double *v, size_t n,
                                const char *units, ate_error *err)
{
    hsize_t d[1] = {n};
    return write_any(h, path, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, v, 1, d, units, err);
}

ate_status ate_h5_write_ints(ate_h5 *h, const char *path, const int *v, size_t n, const char *units,
                             ate_error *err)
{
    hsize_t d[1] = {n};
    return write_any(h, path, H5T_NATIVE_INT, H5T_STD_I32LE, v, 1, d, units, err);
}

ate_status ate_h5_write_matrix(ate_h5 *h, const char *path, const double *v, size_t rows,
                               size_t cols, const char *units, ate_error *err)
{
    hsize_t d[2] = {rows, cols};
    return write_any(h, path, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, v, 2, d, units, err);
}

ate_status ate_h5_write_int_matrix(ate_h5 *h, const char *path, const int *v, size_t rows,
                                   size_t cols, const char *units, ate_error *err)
{
    hsize_t d[2] = {rows, cols};
    return write_any(h, path, H5T_NATIVE_INT, H5T_STD_I32LE, v, 2, d, units, err);
}

static hid_t utf8_string_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

ate_status ate_h5_write_strings(ate_h5 *h, const char *path, const char *const *v, size_t n,
                                ate_error *err)
{
    hid_t t = utf8_string_type();
    hsize_t d[1] = {n};
    ate_status st = write_any(h, path, t, t, v, 1, d, NULL, err);
    H5Tclose(t);
    return st;
}

/* ---- growing columns ---------------------------------------------------------------------- */

#define STRING_CHUNK_ROWS 1024u

struct ate_h5_column {
    ate_h5 *h;
    bool direct; /* compressed full chunks may be written directly (filters on, file = memory) */
    char path[1024];
    hid_t ds, mem_type;
    ate_h5_kind kind;
    size_t cols, elem;  /* values per row, bytes per value in memory */
    size_t chunk;       /* rows per chunk */
    size_t rows, nbuf;  /* rows in the file, rows buffered */
    unsigned char *buf; /* [chunk][cols] values (strings: malloc'd copies) */
};

static void free_strings(ate_h5_column *c)
{
    if (c->kind != ATE_H5_STRING) return;
    char **v = (char **)c->buf;
    for (size_t i = 0; i < c->nbuf * c->cols; ++i)
        free(v[i]);
}

void ate_h5_column_free(ate_h5_column **cp)
{
    if (!cp || !*cp) return;
    ate_h5_column *c = *cp;
    free_strings(c);
    if (c->ds >= 0) H5Dclose(c->ds);
    if (c->kind == ATE_H5_STRING && c->mem_type >= 0) H5Tclose(c->mem_type);
    free(c->buf);
    free(c);
    *cp = NULL;
}

ate_status ate_h5_column_create(ate_h5 *h, const char *path, ate_h5_kind kind, size_t cols,
                                const char *units, ate_h5_column **out, ate_error *err)
{
    *out = NULL;
    ATE_TRY(parent(h, path, err));
    ate_h5_column *c = calloc(1, sizeof(*c));
    if (!c) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    snprintf(c->path, sizeof(c->path), "%s", path);
    c->kind = kind, c->cols = cols ? cols : 1, c->ds = -1, c->h = h;
    hid_t file_type;
    if (kind == ATE_H5_STRING) {
        c->mem_type = file_type = utf8_string_type();
        c->elem = sizeof(char *);
        c->chunk = STRING_CHUNK_ROWS;
    } else {
        c->mem_type = kind == ATE_H5_DOUBLE ? H5T_NATIVE_DOUBLE : H5T_NATIVE_INT;
        file_type = kind == ATE_H5_DOUBLE ? H5T_IEEE_F64LE : H5T_STD_I32LE;
        c->elem = kind == ATE_H5_DOUBLE ? sizeof(double) : sizeof(int);
        size_t row = H5Tget_size(file_type) * c->cols;
        c->chunk = CHUNK_BYTES / row ? CHUNK_BYTES / row : 1;
    }
    c->buf = malloc(c->chunk * c->cols * c->elem);
    int rank = c->cols > 1 ? 2 : 1;
    hsize_t dims[2] = {0, c->cols}, maxd[2] = {H5S_UNLIMITED, c->cols},
            chunk[2] = {c->chunk, c->cols};
    hid_t space = H5Screate_simple(rank, dims, maxd);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), dapl = H5Pcreate(H5P_DATASET_ACCESS);
    bool ok = c->buf && space >= 0 && dcpl >= 0 && dapl >= 0 &&
              H5Pset_chunk(dcpl, rank, chunk) >= 0 &&
              /* no chunk cache: each full chunk is compressed and written when appended */
              H5Pset_chunk_cache(dapl, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, 0,
                                 H5D_CHUNK_CACHE_W0_DEFAULT) >= 0;
    if (ok && kind != ATE_H5_STRING && H5Zfilter_avail(H5Z_FILTER_DEFLATE)) {
        ok = H5Pset_shuffle(dcpl) >= 0 && H5Pset_deflate(dcpl, DEFLATE_LEVEL) >= 0;
        /* the bytes in memory are the bytes in the file (little-endian IEEE / int32) */
        c->direct = H5Tequal(c->mem_type, file_type) > 0 ||
                    (H5Tget_size(c->mem_type) == H5Tget_size(file_type) &&
                     H5Tget_order(c->mem_type) == H5Tget_order(file_type) &&
                     H5Tget_class(c->mem_type) == H5Tget_class(file_type));
    }
    if (ok) c->ds = H5Dcreate2(h->file, path, file_type, space, H5P_DEFAULT, dcpl, dapl);
    if (space >= 0) H5Sclose(space);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (dapl >= 0) H5Pclose(dapl);
    ate_status st = ATE_OK;
    if (!c->buf)
        st = ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    else if (c->ds < 0)
        st = ATE_ERROR(err, ATE_ERR_LIB, "HDF5 H5Dcreate2 failed for '%s'", path);
    if (st == ATE_OK && units) st = ate_h5_attr_string(h, path, "units", units, err);
    if (st != ATE_OK) {
        ate_h5_column_free(&c);
        return st;
    }
    *out = c;
    return ATE_OK;
}

static ate_status write_rows(ate_h5_column *c, ate_error *err);

/* The buffered rows queued as a chunk for compression elsewhere (a partial last chunk padded
 * with zeros, HDF5's fill value, as HDF5 stores edge chunks): the dataset grows now, the chunk
 * is written by ate_h5_put_chunk. */
static ate_status queue_chunk(ate_h5_column *c, ate_error *err)
{
    ate_h5 *h = c->h;
    hsize_t dims[2] = {c->rows + c->nbuf, c->cols};
    ATE_TRY(ATE_H5_CALL(err, H5Dset_extent(c->ds, dims), "H5Dset_extent", c->path));
    if (h->njob == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 64;
        h5_job *j = realloc(h->job, cap * sizeof(*j));
        if (!j) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
        h->job = j, h->cap = cap;
    }
    size_t full = c->chunk * c->cols * c->elem, used = c->nbuf * c->cols * c->elem;
    unsigned char *fresh = malloc(full);
    char *path = strdup(c->path);
    if (!fresh || !path || H5Iinc_ref(c->ds) < 0) {
        free(fresh), free(path);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    }
    memset(c->buf + used, 0, full - used);
    h->job[h->njob++] = (h5_job){
        .ds = c->ds, .path = path, .row0 = c->rows, .bytes = full, .elem = c->elem, .raw = c->buf};
    c->buf = fresh;
    c->rows += c->nbuf, c->nbuf = 0;
    return ATE_OK;
}

/* Write the buffered rows at the end of the dataset (a full chunk may be queued instead). */
static ate_status flush_column(ate_h5_column *c, ate_error *err)
{
    if (!c->nbuf) return ATE_OK;
    if (c->h->defer && c->direct && c->nbuf == c->chunk) return queue_chunk(c, err);
    return write_rows(c, err);
}

static ate_status write_rows(ate_h5_column *c, ate_error *err)
{
    hsize_t dims[2] = {c->rows + c->nbuf, c->cols}, start[2] = {c->rows, 0},
            count[2] = {c->nbuf, c->cols};
    int rank = c->cols > 1 ? 2 : 1;
    ate_status st = ATE_H5_CALL(err, H5Dset_extent(c->ds, dims), "H5Dset_extent", c->path);
    hid_t file = st == ATE_OK ? H5Dget_space(c->ds) : -1;
    hid_t mem = st == ATE_OK ? H5Screate_simple(rank, count, NULL) : -1;
    if (st == ATE_OK && (file < 0 || mem < 0 ||
                         H5Sselect_hyperslab(file, H5S_SELECT_SET, start, NULL, count, NULL) < 0))
        st = ATE_ERROR(err, ATE_ERR_LIB, "HDF5 dataspace selection failed for '%s'", c->path);
    if (st == ATE_OK)
        st = ATE_H5_CALL(err, H5Dwrite(c->ds, c->mem_type, mem, file, H5P_DEFAULT, c->buf),
                         "H5Dwrite", c->path);
    if (file >= 0) H5Sclose(file);
    if (mem >= 0) H5Sclose(mem);
    free_strings(c);
    c->rows += c->nbuf, c->nbuf = 0;
    return st;
}

ate_status ate_h5_column_append(ate_h5_column *c, const void *rows, size_t nrows, ate_error *err)
{
    const unsigned char *src = rows;
    while (nrows) {
        size_t take = c->chunk - c->nbuf < nrows ? c->chunk - c->nbuf : nrows;
        size_t nval = take * c->cols;
        unsigned char *dst = c->buf + c->nbuf * c->cols * c->elem;
        if (c->kind == ATE_H5_STRING) {
            const char *const *s = (const char *const *)src;
            char **d = (char **)dst;
            for (size_t i = 0; i < nval; ++i) {
                d[i] = strdup(s[i] ? s[i] : "");
                if (!d[i]) {
                    for (size_t k = 0; k < i; ++k)
                        free(d[k]);
                    return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
                }
            }
        } else {
            memcpy(dst, src, nval * c->elem);
        }
        c->nbuf += take, src += nval * c->elem, nrows -= take;
        if (c->nbuf == c->chunk) ATE_TRY(flush_column(c, err));
    }
    return ATE_OK;
}

size_t ate_h5_column_rows(const ate_h5_column *c) { return c->rows + c->nbuf; }

ate_status ate_h5_column_close(ate_h5_column **cp, ate_error *err)
{
    if (!cp || !*cp) return ATE_OK;
    ate_h5_column *c = *cp;
    ate_status st = ATE_OK;
    if (c->nbuf) /* the last, partial chunk: queued too while deferring */
        st = c->h->defer && c->direct ? queue_chunk(c, err) : write_rows(c, err);
    ate_h5_column_free(cp);
    return st;
}

/* ---- chunks compressed elsewhere ------------------------------------------------------------ */

void ate_h5_defer_chunks(ate_h5 *h, bool on) { h->defer = on; }

bool ate_h5_take_chunk(ate_h5 *h, ate_h5_chunk *out)
{
    while (h->next < h->njob && (!h->job[h->next].raw || h->job[h->next].taken))
        h->next++;
    if (h->next >= h->njob) return false;
    h5_job *j = &h->job[h->next];
    j->taken = true;
    *out = (ate_h5_chunk){
        .id = h->next++, .raw = j->raw, .bytes = j->bytes, .elem = j->elem, .level = DEFLATE_LEVEL};
    return true;
}

ate_status ate_h5_put_chunk(ate_h5 *h, size_t id, const void *data, size_t bytes, ate_error *err)
{
    if (id >= h->njob || !h->job[id].raw)
        return ATE_ERROR(err, ATE_ERR_VALUE, "HDF5 chunk %zu is not waiting to be written", id);
    h5_job *j = &h->job[id];
    hsize_t off[2] = {j->row0, 0};
    ate_status st = ATE_H5_CALL(err, H5Dwrite_chunk(j->ds, H5P_DEFAULT, 0, off, bytes, data),
                                "H5Dwrite_chunk", j->path);
    H5Idec_ref(j->ds);
    free(j->raw);
    j->raw = NULL;
    return st;
}

ate_status ate_h5_flush_chunks(ate_h5 *h, ate_error *err)
{
    ate_h5_chunk c;
    while (ate_h5_take_chunk(h, &c)) {
        void *out = NULL;
        size_t n = 0;
        ATE_TRY(ate_h5_compress_chunk(c.raw, c.bytes, c.elem, c.level, &out, &n, err));
        ate_status st = ate_h5_put_chunk(h, c.id, out, n, err);
        free(out);
        ATE_TRY(st);
    }
    return ATE_OK;
}

ate_status ate_h5_compress_chunk(const void *raw, size_t bytes, size_t elem, int level, void **out,
                                 size_t *outlen, ate_error *err)
{
    *out = NULL, *outlen = 0;
    const unsigned char *src = raw;
    unsigned char *shuf = NULL;
    if (elem > 1) { /* H5Z shuffle: byte k of every element together, the remainder as is */
        shuf = malloc(bytes ? bytes : 1);
        if (!shuf) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
        size_t n = bytes / elem;
        for (size_t k = 0; k < elem; ++k)
            for (size_t i = 0; i < n; ++i)
                shuf[k * n + i] = src[i * elem + k];
        memcpy(shuf + n * elem, src + n * elem, bytes - n * elem);
        src = shuf;
    }
    uLongf n = compressBound((uLong)bytes);
    unsigned char *z = malloc(n);
    int rc = z ? compress2(z, &n, src, (uLong)bytes, level) : Z_MEM_ERROR;
    free(shuf);
    if (rc != Z_OK) {
        free(z);
        return ATE_ERROR(err, rc == Z_MEM_ERROR ? ATE_ERR_MEMORY : ATE_ERR_LIB,
                         "zlib compress2 failed (%d)", rc);
    }
    *out = z, *outlen = n;
    return ATE_OK;
}

static ate_status attr(ate_h5 *h, const char *object, const char *name, hid_t type,
                       const void *value, ate_error *err)
{
    if (H5Aexists_by_name(h->file, object, name, H5P_DEFAULT) > 0)
        H5Adelete_by_name(h->file, object, name, H5P_DEFAULT);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate_by_name(h->file, object, name, type, space, H5P_DEFAULT, H5P_DEFAULT,
                                H5P_DEFAULT);
    ate_status st =
        a < 0 ? ATE_ERROR(err, ATE_ERR_LIB, "HDF5 H5Acreate failed for '%s' on '%s'", name, object)
              : ATE_H5_CALL(err, H5Awrite(a, type, value), "H5Awrite", name);
    if (a >= 0) H5Aclose(a);
    H5Sclose(space);
    return st;
}

ate_status ate_h5_attr_string(ate_h5 *h, const char *object, const char *name, const char *value,
                              ate_error *err)
{
    hid_t t = utf8_string_type();
    ate_status st = attr(h, object, name, t, &value, err);
    H5Tclose(t);
    return st;
}

ate_status ate_h5_attr_double(ate_h5 *h, const char *object, const char *name, double value,
                              ate_error *err)
{
    return attr(h, object, name, H5T_NATIVE_DOUBLE, &value, err);
}

ate_status ate_h5_attr_int(ate_h5 *h, const char *object, const char *name, long value,
                           ate_error *err)
{
    return attr(h, object, name, H5T_NATIVE_LONG, &value, err);
}
