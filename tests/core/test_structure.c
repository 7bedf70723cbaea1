/* Unit tests: structure validation (exact error texts), distances, neighbour lists, symmetry. */
#include <math.h>
#include <stdlib.h>

#include "ate_test.h"
#include "atescreen/neighbors.h"
#include "atescreen/structure.h"
#include "atescreen/symmetry.h"
#include "atescreen/units.h"

static const double A = ATE_ANGSTROM_BOHR;

static void expect_error(const ate_structure_desc *d, const char *want)
{
    ate_structure *s = NULL;
    ate_error err;
    ate_status st = ate_structure_create(d, &s, &err);
    char buf[2048];
    ate_error_format(&err, buf, sizeof(buf));
    CHECK(st == ATE_ERR_INPUT && s == NULL, "expected an input error for '%s'", want);
    CHECK_STR(buf, want);
}

int main(void)
{
    ate_error err;
    /* water */
    int zw[3] = {8, 1, 1};
    double pw[9] = {0, 0, 0, 0.9572 * A, 0, 0, -0.24 * A, 0.927 * A, 0};
    ate_structure_desc d = {.natoms = 3, .numbers = zw, .positions = pw, .uhf = ATE_UHF_AUTO};
    ate_structure *s = NULL;
    CHECK(ate_structure_create(&d, &s, &err) == ATE_OK, "water");
    CHECK(ate_structure_nelectrons(s) == 10, "electrons");
    CHECK_CLOSE(ate_structure_distance(s, 0, 1), 0.9572 * A, 1e-12, "O-H");
    ate_structure_destroy(&s);
    CHECK(s == NULL, "destroy nulls");
    ate_structure_destroy(&s); /* NULL-safe */

    /* starting moments (extxyz initial_magmoms): kept by get_desc and copy; all zero = none */
    double mz[3] = {0.0, 0.0, 0.0}, mm[3] = {2.0, -0.5, 0.0};
    d.magmoms = mz;
    CHECK(ate_structure_create(&d, &s, &err) == ATE_OK && !ate_structure_magmoms(s),
          "zero moments");
    ate_structure_destroy(&s);
    d.magmoms = mm;
    ate_structure *s2 = NULL;
    CHECK(ate_structure_create(&d, &s, &err) == ATE_OK &&
              ate_structure_copy(s, &s2, &err) == ATE_OK,
          "moments");
    mm[0] = 9.0; /* the structure holds its own copy */
    CHECK(ate_structure_magmoms(s2) && ate_structure_magmoms(s2)[0] == 2.0 &&
              ate_structure_magmoms(s2)[1] == -0.5 && ate_structure_magmoms(s)[0] == 2.0,
          "moments copied");
    ate_structure_destroy(&s), ate_structure_destroy(&s2);
    mm[0] = NAN;
    expect_error(&d, "initial_magmoms: atom 1 has a non-finite moment");
    d.magmoms = NULL;

    /* bad inputs, exact texts */
    double pclose[9] = {0, 0, 0, 0.9572 * A, 0, 0, 1.3572 * A, 0, 0};
    d.positions = pclose;
    expect_error(&d, "positions: atoms 2 (H) and 3 (H) are 0.400 Å apart (minimum 0.5 Å)");
    d.positions = pw;
    zw[2] = 0;
    expect_error(&d, "numbers: unknown element Z = 0 at atom 3 (ATEscreen knows Z = 1..86)");
    zw[2] = 1;
    d.uhf = 1;
    expect_error(&d, "uhf: 10 electrons (charge +0) cannot have 1 unpaired electrons: an even "
                     "electron count needs an even number of unpaired electrons");
    d.uhf = 12;
    expect_error(&d, "uhf: 12 unpaired electrons requested but there are only 10 electrons "
                     "(charge +0)");
    d.uhf = ATE_UHF_AUTO;
    d.charge = 11;
    expect_error(&d, "charge: charge +11 leaves a negative number of electrons (-1): the nuclear "
                     "charge is only 10");
    d.charge = 1;
    d.uhf = 1;
    CHECK(ate_structure_create(&d, &s, &err) == ATE_OK, "cation doublet");
    ate_structure_destroy(&s);
    d.charge = 0;
    d.uhf = ATE_UHF_AUTO;
    double sing[9] = {5 * A, 0, 0, 0, 5 * A, 0, 5 * A, 5 * A, 0};
    d.cell = sing;
    d.pbc[0] = d.pbc[1] = d.pbc[2] = true;
    expect_error(&d, "cell: cell is singular (volume 0 Å^3): its lattice vectors are linearly "
                     "dependent");
    d.cell = NULL;
    expect_error(&d, "pbc: periodic along a but the cell has no a vector");

    /* tiny cell: an atom meets its own image */
    double tiny[9] = {0.4 * A, 0, 0, 0, 5 * A, 0, 0, 0, 5 * A};
    int zh[1] = {1};
    double ph[3] = {0, 0, 0};
    ate_structure_desc dt = {.natoms = 1,
                             .numbers = zh,
                             .positions = ph,
                             .cell = tiny,
                             .pbc = {true, true, true},
                             .uhf = ATE_UHF_AUTO};
    expect_error(&dt, "cell: atom 1 (H) is 0.400 Å from its own periodic image (minimum 0.5 Å): "
                      "the cell is too small");

    /* graphene 1x1: neighbour list through images, 3 neighbours at 1.42 Å each */
    double a = 2.46 * A;
    double cell[9] = {a, 0, 0, 0.5 * a, 0.5 * sqrt(3.0) * a, 0, 0, 0, 15 * A};
    int zc[2] = {6, 6};
    double pc[6] = {0, 0, 0, 0.5 * a, 0.5 * a / sqrt(3.0), 0};
    ate_structure_desc dg = {.natoms = 2,
                             .numbers = zc,
                             .positions = pc,
                             .cell = cell,
                             .pbc = {true, true, false},
                             .uhf = ATE_UHF_AUTO};
    CHECK(ate_structure_create(&dg, &s, &err) == ATE_OK, "graphene");
    ate_neighbor_list *nl = NULL;
    CHECK(ate_neighbor_list_create(s, 1.6 * A, &nl, &err) == ATE_OK, "nl");
    for (int i = 0; i < 2; ++i) {
        CHECK(ate_neighbor_list_count(nl, i) == 3, "atom %d has %d neighbours", i,
              ate_neighbor_list_count(nl, i));
        const ate_neighbor *nb = ate_neighbor_list_get(nl, i);
        for (int k = 0; k < ate_neighbor_list_count(nl, i); ++k)
            CHECK_CLOSE(nb[k].distance, a / sqrt(3.0), 1e-10, "C-C");
    }
    ate_neighbor_list_destroy(&nl);
    /* second shell: 6 more at a */
    CHECK(ate_neighbor_list_create(s, 2.5 * A, &nl, &err) == ATE_OK, "nl2");
    CHECK(ate_neighbor_list_count(nl, 0) == 9, "9 within 2.5 Å, got %d",
          ate_neighbor_list_count(nl, 0));
    ate_neighbor_list_destroy(&nl);

    /* symmetry: graphene 1x1 has point group 6/mmm -> 24 operations */
    ate_symmetry *sym = NULL;
    CHECK(ate_symmetry_create(s, NULL, 1e-3 * A, &sym, &err) == ATE_OK, "spglib");
    CHECK(ate_symmetry_nops(sym) == 24, "graphene ops %d", ate_symmetry_nops(sym));
    int perm[2];
    for (int op = 0; op < ate_symmetry_nops(sym); ++op)
        CHECK(ate_symmetry_permutation(sym, op, 2, pc, perm, &err) == ATE_OK, "perm op %d", op);
    ate_symmetry_destroy(&sym);
    ate_structure_destroy(&s);

    /* molecule: water in the xy plane keeps at least the mirror z -> -z */
    d.pbc[0] = d.pbc[1] = d.pbc[2] = false;
    CHECK(ate_structure_create(&d, &s, &err) == ATE_OK, "water again");
    CHECK(ate_symmetry_create(s, NULL, 1e-3 * A, &sym, &err) == ATE_OK, "spglib water");
    CHECK(ate_symmetry_nops(sym) >= 2, "water ops %d", ate_symmetry_nops(sym));
    ate_symmetry_destroy(&sym);
    ate_structure_destroy(&s);
    return ate_test_finish("test_structure");
}
