/* HDF5 column tables: write a summary table with units, strings and attributes; a second write
 * that is aborted leaves the first file untouched; a committed one replaces it; errors name the
 * object. The Python side (load_check.py) reads the result with atescreen.load() and checks that
 * the large arrays are chunked and compressed (and read back exactly), the small ones not. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ate_test.h"
#include "atescreen/h5.h"

static ate_status write_table(const char *path, int rows, bool commit, ate_error *err)
{
    ate_h5 *h = NULL;
    ATE_TRY(ate_h5_create(path, &h, err));
    const char *ids[3] = {"c0123456789abcdef", "c00000000000000ff", "cdeadbeefdeadbeef"};
    const char *names[3] = {"Fe-N4", "Co-N3S1", "FeCo-N6 (µ-O)"};
    const double dg[3] = {0.80225, 1.7855, 4.04475};
    const int status[3] = {0, 0, 1};
    const double pos[6] = {0, 0, 0, 1.0, 2.0, 3.0};
    ate_status st = ate_h5_write_strings(h, "/summary/id", ids, (size_t)rows, err);
    if (st == ATE_OK) st = ate_h5_write_strings(h, "/summary/name", names, (size_t)rows, err);
    if (st == ATE_OK) st = ate_h5_write_doubles(h, "/summary/dG_OH", dg, (size_t)rows, "eV", err);
    if (st == ATE_OK) st = ate_h5_write_ints(h, "/summary/status", status, (size_t)rows, NULL, err);
    if (st == ATE_OK)
        st = ate_h5_write_matrix(h, "/candidates/c0/clean/positions", pos, 2, 3, "Angstrom", err);
    enum { NBIG = 20000 };
    double *big = malloc(3 * NBIG * sizeof(double));
    int *num = malloc(NBIG * sizeof(int));
    if (!big || !num) st = ATE_ERR_MEMORY;
    for (int i = 0; i < NBIG && st == ATE_OK; ++i) {
        num[i] = 1 + i % 86;
        for (int k = 0; k < 3; ++k)
            big[3 * i + k] = 0.001 * i + k / 3.0;
    }
    if (st == ATE_OK)
        st = ate_h5_write_matrix(h, "/structures/positions", big, NBIG, 3, "Angstrom", err);
    if (st == ATE_OK) st = ate_h5_write_ints(h, "/structures/numbers", num, NBIG, NULL, err);
    free(big), free(num);
    if (st == ATE_OK) st = ate_h5_attr_string(h, "/", "program", "ATEscreen", err);
    if (st == ATE_OK) st = ate_h5_attr_int(h, "/", "schema_version", 1, err);
    if (st == ATE_OK) st = ate_h5_attr_double(h, "/summary", "temperature", 298.15, err);
    if (st != ATE_OK || !commit) {
        ate_h5_abort(&h);
        return st;
    }
    return ate_h5_commit(&h, err);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "results.h5";
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    ate_error err;
    unlink(path);
    CHECK(write_table(path, 2, true, &err) == ATE_OK, "first write");
    CHECK(access(path, F_OK) == 0 && access(tmp, F_OK) != 0, "committed, no temporary left");
    CHECK(write_table(path, 3, false, &err) == ATE_OK, "aborted write");
    CHECK(access(tmp, F_OK) != 0, "abort removes the temporary");
    /* the 2-row file is still there: the Python check reads it and expects 2 rows, then we write 3
     */
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL, "previous file intact");
    if (f) fclose(f);
    /* errors name the object */
    ate_h5 *h = NULL;
    CHECK(ate_h5_create(path, &h, &err) == ATE_OK, "create");
    const double one = 1.0;
    CHECK(ate_h5_write_doubles(h, "/summary/x", &one, 1, NULL, &err) == ATE_OK, "x");
    CHECK(ate_h5_write_doubles(h, "/summary/x", &one, 1, NULL, &err) == ATE_ERR_LIB,
          "duplicate dataset");
    CHECK_STR(err.message, "HDF5 H5Dcreate2 failed for '/summary/x'");
    ate_h5_abort(&h);
    CHECK(ate_h5_create("/nonexistent/dir/r.h5", &h, &err) == ATE_ERR_IO, "bad directory");
    return ate_test_finish("test_h5");
}
