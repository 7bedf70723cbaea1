/* The GFN1 kernel through kernels/kernel.h: the restart guess (charges of the previous structure
 * with the same atoms, charge and spin) cuts the SCC iterations on a displaced geometry and gives
 * the same energy as a fresh kernel; another molecule, charge or spin starts from scratch;
 * cells periodic along only some axes and unknown methods are refused with clear errors;
 * ate_kernel_create_serial gives the same energies and refuses methods that need MPI. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ate_test.h"
#include "atescreen/structio.h"
#include "kernel.h"

static ate_structure *load(const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/molecules/%s.xyz", ATE_TEST_DIR, name);
    ate_structure *s = NULL;
    ate_error err;
    ate_structure_read(path, ATE_FORMAT_AUTO, &s, &err);
    return s;
}

static ate_calc_result run(ate_kernel *k, const ate_structure *s, ate_status *st)
{
    static double charges[256];
    ate_calc_result r = {.charges = charges};
    ate_error err;
    *st = ate_kernel_compute(k, s, ATE_CALC_ENERGY, &r, &err);
    return r;
}

int main(void)
{
    ate_error err;
    ate_kernel *k = NULL, *fresh = NULL;
    CHECK(ate_kernel_create("gfn1", NULL, MPI_COMM_NULL, &k, &err) == ATE_OK, "create");
    CHECK(ate_kernel_create("gfn1", NULL, MPI_COMM_NULL, &fresh, &err) == ATE_OK, "create fresh");
    ate_structure *s = load("ch3cooh");
    ate_status st;
    ate_calc_result r0 = run(k, s, &st);
    CHECK(st == ATE_OK, "first call");
    /* displace every atom a little: the relaxation-step situation */
    int n = ate_structure_natoms(s);
    double *x = malloc((size_t)n * 3 * sizeof(double));
    memcpy(x, ate_structure_positions(s), (size_t)n * 3 * sizeof(double));
    for (int j = 0; j < 3 * n; ++j)
        x[j] += 0.02 * sin(1.7 * j);
    CHECK(ate_structure_set_positions(s, x, &err) == ATE_OK, "displace");
    ate_calc_result r1 = run(k, s, &st);
    ate_calc_result rf = run(fresh, s, &st);
    CHECK(st == ATE_OK, "fresh call");
    CHECK(r1.iterations < rf.iterations, "restart guess: %d iterations vs %d from scratch",
          r1.iterations, rf.iterations);
    CHECK_CLOSE(r1.energy, rf.energy, 1e-9, "same energy with and without the guess");
    fprintf(stderr, "restart guess: %d SCC iterations (from scratch %d), first geometry %d\n",
            r1.iterations, rf.iterations, r0.iterations);
    /* another molecule: no stale guess (the energy equals a fresh kernel's) */
    ate_structure *w = load("h2o");
    ate_calc_result rw = run(k, w, &st), rwf = run(fresh, w, &st);
    CHECK_CLOSE(rw.energy, rwf.energy, 1e-10, "guess reset for another molecule");
    /* refusals */
    double cell[9] = {20, 0, 0, 0, 20, 0, 0, 0, 20};
    ate_structure_desc d = ate_structure_get_desc(w);
    d.cell = cell;
    d.pbc[0] = d.pbc[2] = true;
    d.pbc[1] = false;
    ate_structure *pw = NULL;
    CHECK(ate_structure_create(&d, &pw, &err) == ATE_OK, "water periodic along a and c");
    ate_calc_result rp = {0};
    CHECK(ate_kernel_compute(k, pw, ATE_CALC_ENERGY, &rp, &err) == ATE_ERR_UNSUPPORTED,
          "periodicity along a and c refused");
    CHECK_STR(err.message, "GFN1-xTB needs a cell periodic along a, b and c, a slab periodic "
                           "along a and b with a vacuum vector c, or no cell");
    /* a slab (T T F with a c vector) is the 3D cell */
    ate_structure *slab = NULL, *bulk = NULL;
    d.pbc[0] = d.pbc[1] = true, d.pbc[2] = false;
    CHECK(ate_structure_create(&d, &slab, &err) == ATE_OK, "slab water");
    d.pbc[2] = true;
    CHECK(ate_structure_create(&d, &bulk, &err) == ATE_OK, "3D water");
    ate_calc_result rs = {0}, rb = {0};
    CHECK(ate_kernel_compute(fresh, slab, ATE_CALC_ENERGY, &rs, &err) == ATE_OK, "slab computed");
    CHECK(ate_kernel_compute(fresh, bulk, ATE_CALC_ENERGY, &rb, &err) == ATE_OK, "3D computed");
    CHECK_CLOSE(rs.energy, rb.energy, 1e-12, "slab = 3D cell");
    ate_structure_destroy(&slab);
    ate_structure_destroy(&bulk);
    ate_kernel *bad = NULL;
    CHECK(ate_kernel_create("dftb", NULL, MPI_COMM_NULL, &bad, &err) == ATE_ERR_INPUT && !bad,
          "unknown method");
    char buf[512];
    ate_error_format(&err, buf, sizeof(buf));
    CHECK_STR(buf, "method: unknown method 'dftb' (available: gfn1, pw)");
    /* the serial entry (no communicator): the same kernel; methods that need MPI refused */
    ate_kernel *serial = NULL;
    CHECK(ate_kernel_is_serial("gfn1") && !ate_kernel_is_serial("pw") &&
              !ate_kernel_is_serial("dftb") && !ate_kernel_is_serial(NULL),
          "serial methods");
    CHECK(ate_kernel_create_serial("gfn1", NULL, &serial, &err) == ATE_OK, "create serial");
    ate_calc_result rws = run(serial, w, &st);
    CHECK(st == ATE_OK && rws.energy == rwf.energy, "serial kernel: %.12f vs %.12f", rws.energy,
          rwf.energy);
    ate_kernel_destroy(&serial);
    CHECK(ate_kernel_create_serial("pw", NULL, &bad, &err) == ATE_ERR_UNSUPPORTED && !bad,
          "pw needs MPI");
    ate_error_format(&err, buf, sizeof(buf));
    CHECK_STR(buf, "method: method 'pw' does not run without MPI (serial methods: gfn1)");
    ate_structure_destroy(&pw);
    ate_structure_destroy(&w);
    ate_structure_destroy(&s);
    free(x);
    ate_kernel_destroy(&k);
    ate_kernel_destroy(&fresh);
    CHECK(k == NULL, "destroy nulls");
    return ate_test_finish("test_gfn1_kernel");
}
