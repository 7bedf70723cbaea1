/* Growing HDF5 columns (ate_h5_column): rows appended in pieces of any size read back exactly
 * (1-D and [n][3] doubles, ints, strings), whether a chunk was compressed by HDF5 or queued
 * (ate_h5_defer_chunks), compressed with ate_h5_compress_chunk and written back out of order;
 * ate_h5_compress_chunk gives the same bytes as HDF5's own shuffle + deflate filters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "ate_test.h"
#include "atescreen/h5.h"

enum { N = 40000 }; /* rows: several 256 KiB chunks of [n][3] doubles */

static double value(int i, int k) { return 0.001 * i + k / 3.0 + (i % 7) * 1e-9; }

/* Write the columns, with the full chunks queued from row `defer_from` on and written in
 * reverse order. */
static ate_status write_file(const char *path, int defer_from, ate_error *err)
{
    ate_h5 *h = NULL;
    ATE_TRY(ate_h5_create(path, &h, err));
    ate_h5_column *pos = NULL, *num = NULL, *str = NULL;
    ate_status st = ate_h5_column_create(h, "/t/pos", ATE_H5_DOUBLE, 3, "Angstrom", &pos, err);
    if (st == ATE_OK) st = ate_h5_column_create(h, "/t/num", ATE_H5_INT, 1, NULL, &num, err);
    if (st == ATE_OK) st = ate_h5_column_create(h, "/t/str", ATE_H5_STRING, 1, NULL, &str, err);
    double row[3 * 37];
    int ints[37];
    char text[37][16];
    const char *strs[37];
    for (int i = 0; i < N && st == ATE_OK;) {
        if (i >= defer_from) ate_h5_defer_chunks(h, true);
        int n = 1 + (i * 7) % 37; /* pieces of 1 to 37 rows */
        if (i + n > N) n = N - i;
        for (int r = 0; r < n; ++r) {
            for (int k = 0; k < 3; ++k)
                row[3 * r + k] = value(i + r, k);
            ints[r] = (i + r) % 86;
            snprintf(text[r], sizeof(text[r]), "s%d", i + r);
            strs[r] = text[r];
        }
        st = ate_h5_column_append(pos, row, (size_t)n, err);
        if (st == ATE_OK) st = ate_h5_column_append(num, ints, (size_t)n, err);
        if (st == ATE_OK) st = ate_h5_column_append(str, strs, (size_t)n, err);
        i += n;
    }
    ate_h5_chunk c[64];
    int nc = 0;
    while (st == ATE_OK && nc < 64 && ate_h5_take_chunk(h, &c[nc]))
        ++nc;
    CHECK(defer_from >= N || nc == 2, "chunks queued: %d", nc);
    for (int k = nc - 1; k >= 0 && st == ATE_OK; --k) { /* out of order */
        void *z = NULL;
        size_t zn = 0;
        st = ate_h5_compress_chunk(c[k].raw, c[k].bytes, c[k].elem, c[k].level, &z, &zn, err);
        if (st == ATE_OK) st = ate_h5_put_chunk(h, c[k].id, z, zn, err);
        free(z);
    }
    if (st == ATE_OK) CHECK(ate_h5_column_rows(pos) == N, "rows %zu", ate_h5_column_rows(pos));
    if (st == ATE_OK) st = ate_h5_column_close(&pos, err);
    if (st == ATE_OK) st = ate_h5_column_close(&num, err);
    if (st == ATE_OK) st = ate_h5_column_close(&str, err);
    ate_h5_column_free(&pos), ate_h5_column_free(&num), ate_h5_column_free(&str);
    if (st != ATE_OK) {
        ate_h5_abort(&h);
        return st;
    }
    return ate_h5_commit(&h, err);
}

static void check_file(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(f >= 0, "%s opens", path);
    if (f < 0) return;
    double *pos = malloc(3 * N * sizeof(double));
    int *num = malloc(N * sizeof(int));
    char **str = malloc(N * sizeof(char *));
    hid_t ds = H5Dopen2(f, "/t/pos", H5P_DEFAULT);
    CHECK(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, pos) >= 0, "read pos");
    H5Dclose(ds);
    ds = H5Dopen2(f, "/t/num", H5P_DEFAULT);
    CHECK(H5Dread(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, num) >= 0, "read num");
    H5Dclose(ds);
    ds = H5Dopen2(f, "/t/str", H5P_DEFAULT);
    hid_t t = H5Dget_type(ds);
    CHECK(H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, str) >= 0, "read str");
    int bad = 0;
    for (int i = 0; i < N; ++i) {
        char want[16];
        snprintf(want, sizeof(want), "s%d", i);
        for (int k = 0; k < 3; ++k)
            bad += pos[3 * i + k] != value(i, k);
        bad += num[i] != i % 86 || strcmp(str[i], want) != 0;
    }
    CHECK(bad == 0, "%s: %d values differ", path, bad);
    hid_t space = H5Dget_space(ds);
    H5Dvlen_reclaim(t, space, H5P_DEFAULT, str);
    H5Sclose(space), H5Tclose(t), H5Dclose(ds);
    free(pos), free(num), free(str);
    H5Fclose(f);
}

/* The chunks HDF5 compressed itself against ate_h5_compress_chunk on the same rows. */
static void same_bytes(const char *path)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t ds = f >= 0 ? H5Dopen2(f, "/t/pos", H5P_DEFAULT) : -1;
    hid_t dcpl = ds >= 0 ? H5Dget_create_plist(ds) : -1;
    hsize_t chunk[2] = {0, 0};
    CHECK(dcpl >= 0 && H5Pget_chunk(dcpl, 2, chunk) == 2, "chunked");
    size_t rows = (size_t)chunk[0], bytes = rows * 3 * sizeof(double);
    double *raw = malloc(bytes);
    unsigned char *got = malloc(2 * bytes + 64);
    for (hsize_t c = 0; c < 2 && raw && got; ++c) {
        for (size_t r = 0; r < rows; ++r)
            for (int k = 0; k < 3; ++k)
                raw[3 * r + k] = value((int)(c * rows + r), k);
        hsize_t off[2] = {c * rows, 0}, n = 0;
        uint32_t mask = 1;
        CHECK(H5Dget_chunk_storage_size(ds, off, &n) >= 0 &&
                  H5Dread_chunk(ds, H5P_DEFAULT, off, &mask, got) >= 0 && mask == 0,
              "read chunk %d", (int)c);
        void *z = NULL;
        size_t zn = 0;
        ate_error err;
        CHECK(ate_h5_compress_chunk(raw, bytes, sizeof(double), 4, &z, &zn, &err) == ATE_OK,
              "compress");
        CHECK(zn == n && memcmp(z, got, zn) == 0, "chunk %d: %zu bytes, HDF5 wrote %zu", (int)c, zn,
              (size_t)n);
        free(z);
    }
    free(raw), free(got);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (ds >= 0) H5Dclose(ds);
    if (f >= 0) H5Fclose(f);
}

int main(void)
{
    ate_error err;
    const char *a = "columns_hdf5.h5", *b = "columns_deferred.h5";
    unlink(a), unlink(b);
    CHECK(write_file(a, N, &err) == ATE_OK, "columns, compressed by HDF5");
    CHECK(write_file(b, N / 3, &err) == ATE_OK, "columns, two thirds compressed elsewhere");
    check_file(a);
    check_file(b);
    same_bytes(a);
    return ate_test_finish("test_h5_column");
}
