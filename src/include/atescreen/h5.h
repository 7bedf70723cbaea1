/**
 * @file h5.h
 * @brief Writing HDF5 results as column tables readable by h5py and pandas: one 1-D dataset per
 *        field, units in a `units` attribute, strings as variable-length UTF-8. Not collective
 *        (one writer rank).
 *
 * Durability: the file is written under PATH.tmp and only ate_h5_commit (flush, close, fsync,
 * rename over PATH, fsync of the directory) makes it visible, so a kill at any moment leaves
 * either the previous PATH or the new one, never a truncated file. ate_h5_abort drops the
 * temporary file. All HDF5 calls are checked; a failure names the call and the object path.
 */
#ifndef ATESCREEN_H5_H
#define ATESCREEN_H5_H

#include <stdbool.h>
#include <stddef.h>

#include "atescreen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ate_h5 ate_h5;

/** Start writing path (as path.tmp, replacing any stale temporary). */
ATE_API ate_status ate_h5_create(const char *path, ate_h5 **out, ate_error *err);
/** Finish: the new file replaces path atomically. *h is freed and nulled in every case. */
ATE_API ate_status ate_h5_commit(ate_h5 **h, ate_error *err);
/** Give up: close and delete the temporary file; path is untouched. NULL-safe. */
ATE_API void ate_h5_abort(ate_h5 **h);

/** Create a group and its missing parents ("/candidates/c0123/OH"). */
ATE_API ate_status ate_h5_group(ate_h5 *h, const char *path, ate_error *err);
/** 1-D datasets of n values; units may be NULL (no attribute) or e.g. "eV", "V", "Angstrom". */
ATE_API ate_status ate_h5_write_doubles(ate_h5 *h, const char *path, const double *v, size_t n,
                                        const char *units, ate_error *err);
ATE_API ate_status ate_h5_write_ints(ate_h5 *h, const char *path, const int *v, size_t n,
                                     const char *units, ate_error *err);
ATE_API ate_status ate_h5_write_strings(ate_h5 *h, const char *path, const char *const *v, size_t n,
                                        ate_error *err);
/** 2-D dataset [rows][cols] of doubles (positions, forces). */
ATE_API ate_status ate_h5_write_matrix(ate_h5 *h, const char *path, const double *v, size_t rows,
                                       size_t cols, const char *units, ate_error *err);
/** 2-D dataset [rows][cols] of 32-bit integers. */
ATE_API ate_status ate_h5_write_int_matrix(ate_h5 *h, const char *path, const int *v, size_t rows,
                                           size_t cols, const char *units, ate_error *err);
/** A column that grows: an extendible dataset of rows (cols values each; 1-D for cols == 1)
 *  appended in pieces and written a chunk at a time (numeric: shuffle + deflate, like the large
 *  datasets above; strings: variable-length UTF-8), so a column of any length holds one chunk
 *  in memory and its compression is spread over the appends. Owned by the caller: close (or
 *  free, on an error path) every column before ate_h5_commit / ate_h5_abort. */
typedef struct ate_h5_column ate_h5_column;
typedef enum ate_h5_kind { ATE_H5_DOUBLE, ATE_H5_INT, ATE_H5_STRING } ate_h5_kind;
ATE_API ate_status ate_h5_column_create(ate_h5 *h, const char *path, ate_h5_kind kind, size_t cols,
                                        const char *units, ate_h5_column **out, ate_error *err);
/** Append nrows rows: nrows * cols doubles, ints, or strings (const char *, copied). */
ATE_API ate_status ate_h5_column_append(ate_h5_column *c, const void *rows, size_t nrows,
                                        ate_error *err);
/** Rows appended so far. */
ATE_API size_t ate_h5_column_rows(const ate_h5_column *c);
/** Write what is buffered and close; *c freed and nulled in every case. */
ATE_API ate_status ate_h5_column_close(ate_h5_column **c, ate_error *err);
/** Close without writing the buffered rows (error paths); NULL-safe. */
ATE_API void ate_h5_column_free(ate_h5_column **c);

/** Chunks compressed elsewhere (e.g. by idle MPI ranks): while deferring, a numeric growing
 *  column whose chunk fills, or that is closed with a partial one (padded as HDF5 pads edge
 *  chunks), queues it raw (the dataset grows at once) instead of compressing and writing it;
 *  ate_h5_take_chunk hands out the oldest queued chunk (its bytes stay owned by h),
 *  ate_h5_compress_chunk turns it into what HDF5's shuffle + deflate filters write, and
 *  ate_h5_put_chunk writes that (H5Dwrite_chunk; the column may be closed by then).
 *  ate_h5_flush_chunks compresses and writes every queued chunk here; ate_h5_commit does so
 *  for what is still queued and fails if a chunk taken is not put. Not thread-safe. */
typedef struct ate_h5_chunk {
    size_t id;       /**< for ate_h5_put_chunk */
    const void *raw; /**< bytes, little-endian values */
    size_t bytes;
    size_t elem; /**< bytes per value (the shuffle) */
    int level;   /**< deflate level */
} ate_h5_chunk;
ATE_API void ate_h5_defer_chunks(ate_h5 *h, bool on);
/** false when no chunk is queued. */
ATE_API bool ate_h5_take_chunk(ate_h5 *h, ate_h5_chunk *out);
ATE_API ate_status ate_h5_put_chunk(ate_h5 *h, size_t id, const void *data, size_t bytes,
                                    ate_error *err);
ATE_API ate_status ate_h5_flush_chunks(ate_h5 *h, ate_error *err);
/** Shuffle (elem bytes per value) and deflate raw[bytes] as HDF5's filters do; *out malloc'd. Not
 *  collective, no HDF5 call: any process can compress a chunk another one writes. */
ATE_API ate_status ate_h5_compress_chunk(const void *raw, size_t bytes, size_t elem, int level,
                                         void **out, size_t *outlen, ate_error *err);

/** Attributes on an existing object ("/" for the file). */
ATE_API ate_status ate_h5_attr_string(ate_h5 *h, const char *object, const char *name,
                                      const char *value, ate_error *err);
ATE_API ate_status ate_h5_attr_double(ate_h5 *h, const char *object, const char *name, double value,
                                      ate_error *err);
ATE_API ate_status ate_h5_attr_int(ate_h5 *h, const char *object, const char *name, long value,
                                   ate_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_H5_H */
