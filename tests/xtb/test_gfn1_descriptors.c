/* Descriptors and SCF controls of the GFN1 kernel (kernels/kernel.h): Mulliken spin populations
 * (zero for closed shells, summing to N_alpha - N_beta, on the metal of a high-spin complex, equal
 * on the two atoms of triplet O2), d-band centres (NaN without d shell; falling with the d filling
 * across the 3d row), the Broyden mixing weight
 * (same converged energy, different iteration count; invalid values refused), the explicit guess
 * reset and ate_kernel_update_opts. xtb 6.5.1 prints no spin populations for GFN1, so the spin
 * checks are the exact sum rules and the symmetry. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ate_test.h"
#include "atescreen/structio.h"
#include "kernel.h"

static ate_structure *load(const char *name, int charge, int uhf)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/molecules/%s.xyz", ATE_TEST_DIR, name);
    ate_structure *s = NULL, *t = NULL;
    ate_error err;
    CHECK(ate_structure_read(path, ATE_FORMAT_AUTO, &s, &err) == ATE_OK, "%s", err.message);
    ate_structure_desc d = ate_structure_get_desc(s);
    d.charge = charge, d.uhf = uhf;
    CHECK(ate_structure_create(&d, &t, &err) == ATE_OK, "%s", err.message);
    ate_structure_destroy(&s);
    return t;
}

typedef struct out {
    ate_calc_result r;
    double q[64], m[64], d[64];
    ate_status st;
} out;

static void calc(ate_kernel *k, const ate_structure *s, out *o)
{
    memset(o, 0, sizeof(*o));
    o->r.charges = o->q, o->r.spins = o->m, o->r.dband_centre = o->d;
    ate_error err;
    o->st = ate_kernel_compute(k, s, ATE_CALC_ENERGY, &o->r, &err);
    CHECK(o->st == ATE_OK, "compute: %s", err.message);
}

static double sum(const double *v, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; ++i)
        s += v[i];
    return s;
}

int main(void)
{
    ate_error err;
    ate_kernel *k = NULL;
    CHECK(ate_kernel_create("gfn1", NULL, MPI_COMM_NULL, &k, &err) == ATE_OK, "create");
    out o;
    /* closed shell: no spin anywhere, no d shell on H or O */
    ate_structure *w = load("h2o", 0, 0);
    calc(k, w, &o);
    for (int i = 0; i < 3; ++i) {
        CHECK(fabs(o.m[i]) < 1e-12, "h2o spin[%d] = %g", i, o.m[i]);
        CHECK(isnan(o.d[i]), "h2o dband[%d] = %g (no d shell)", i, o.d[i]);
    }
    /* high-spin Mn(H2O)6 2+: five unpaired electrons, mostly on Mn */
    ate_structure *mn = load("mn_h2o6", 2, 5);
    int nmn = ate_structure_natoms(mn);
    calc(k, mn, &o);
    CHECK_CLOSE(sum(o.m, nmn), 5.0, 1e-6, "Mn(H2O)6 spin sum");
    CHECK(o.m[0] > 4.0 && o.m[0] < 5.2, "Mn spin population %g", o.m[0]);
    CHECK(isfinite(o.d[0]), "Mn d-band centre");
    fprintf(stderr, "Mn(H2O)6 2+: Mn spin %.4f, d-band centre %.3f eV, E_F %.3f eV\n", o.m[0],
            o.d[0], o.r.fermi_ev);
    /* across the 3d row the d-band centre falls with the d filling (Hammer & Norskov): V3+ (d2)
     * has its d band at the Fermi level, Ni2+ (d8) and Cu2+ (d9) well below it */
    ate_structure *v = load("v_h2o6", 3, 2), *ni = load("ni_h2o6", 2, 2);
    ate_structure *cu = load("cu_nh3_4", 2, 1);
    double dv, dni, dcu;
    calc(k, v, &o), dv = o.d[0];
    calc(k, ni, &o), dni = o.d[0];
    CHECK_CLOSE(sum(o.m, ate_structure_natoms(ni)), 2.0, 1e-6, "Ni(H2O)6 spin sum");
    calc(k, cu, &o), dcu = o.d[0];
    CHECK_CLOSE(sum(o.m, ate_structure_natoms(cu)), 1.0, 1e-6, "Cu(NH3)4 spin sum");
    fprintf(stderr, "d-band centres (eV): V(H2O)6 3+ %.3f, Ni(H2O)6 2+ %.3f, Cu(NH3)4 2+ %.3f\n",
            dv, dni, dcu);
    CHECK(fabs(dv) < 1.0, "V d band %.3f eV not at the Fermi level", dv);
    CHECK(dni < dv - 2.0 && dcu < dv - 2.0, "late-metal d bands not below V's by 2 eV");
    /* triplet O2: one unpaired electron on each atom by symmetry */
    ate_structure *o2 = load("o2_triplet", 0, 2);
    calc(k, o2, &o);
    CHECK_CLOSE(o.m[0], 1.0, 1e-6, "O2 spin on atom 1");
    CHECK_CLOSE(o.m[1], 1.0, 1e-6, "O2 spin on atom 2");

    /* mixing: the converged energy does not depend on it, the iteration count does */
    ate_kernel_opts opts;
    ate_kernel_opts_init(&opts);
    CHECK(opts.mixing == 0.4, "default mixing %g", opts.mixing);
    opts.mixing = 0.1;
    ate_kernel *slow = NULL, *fresh = NULL;
    CHECK(ate_kernel_create("gfn1", &opts, MPI_COMM_NULL, &slow, &err) == ATE_OK, "mixing 0.1");
    CHECK(ate_kernel_create("gfn1", NULL, MPI_COMM_NULL, &fresh, &err) == ATE_OK, "fresh");
    out a, b;
    calc(fresh, mn, &a);
    calc(slow, mn, &b);
    CHECK_CLOSE(a.r.energy, b.r.energy, 1e-9, "energy independent of the mixing");
    CHECK(a.r.iterations != b.r.iterations, "iterations %d and %d", a.r.iterations, b.r.iterations);
    fprintf(stderr, "Mn(H2O)6: %d iterations with mixing 0.4, %d with 0.1\n", a.r.iterations,
            b.r.iterations);
    ate_kernel *bad = NULL;
    opts.mixing = 0.0;
    CHECK(ate_kernel_create("gfn1", &opts, MPI_COMM_NULL, &bad, &err) == ATE_ERR_INPUT && !bad,
          "mixing 0 refused");
    CHECK_STR(err.field, "mixing");
    CHECK(ate_kernel_update_opts(k, 300.0, 1.5, 100, &err) == ATE_ERR_INPUT, "mixing 1.5");
    CHECK(ate_kernel_update_opts(k, -1.0, 0.4, 100, &err) == ATE_ERR_INPUT, "etemp -1");
    CHECK(ate_kernel_update_opts(k, 300.0, 0.4, 0, &err) == ATE_ERR_INPUT, "max_iter 0");
    /* update_opts: a 3-iteration limit makes the SCC fail, then the default works again */
    CHECK(ate_kernel_update_opts(k, 300.0, 0.4, 3, &err) == ATE_OK, "update");
    ate_kernel_reset_guess(k);
    ate_calc_result r = {0};
    CHECK(ate_kernel_compute(k, mn, ATE_CALC_ENERGY, &r, &err) == ATE_ERR_NOT_CONVERGED,
          "3 iterations are not enough");
    CHECK(ate_kernel_update_opts(k, 300.0, 0.4, 250, &err) == ATE_OK, "update back");
    /* reset_guess: after a converged call the guess shortens the SCC; after a reset it does not */
    calc(k, mn, &a);
    calc(k, mn, &b);
    CHECK(b.r.iterations < a.r.iterations, "guess reused: %d vs %d", b.r.iterations,
          a.r.iterations);
    ate_kernel_reset_guess(k);
    calc(k, mn, &b);
    ate_kernel *newk = NULL;
    CHECK(ate_kernel_create("gfn1", NULL, MPI_COMM_NULL, &newk, &err) == ATE_OK, "new kernel");
    calc(newk, mn, &o);
    ate_kernel_destroy(&newk);
    CHECK(b.r.iterations == o.r.iterations, "after reset %d iterations, fresh kernel %d",
          b.r.iterations, o.r.iterations);
    ate_kernel_reset_guess(NULL);
    ate_kernel_destroy(&slow), ate_kernel_destroy(&fresh), ate_kernel_destroy(&k);
    ate_structure_destroy(&w), ate_structure_destroy(&mn), ate_structure_destroy(&v);
    ate_structure_destroy(&ni), ate_structure_destroy(&cu);
    ate_structure_destroy(&o2);
    return ate_test_finish("test_gfn1_descriptors");
}
