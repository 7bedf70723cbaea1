/* Unit tests: ate_error formatting/locating, elements, units. */
#include "ate_test.h"
#include "atescreen/elements.h"
#include "atescreen/status.h"
#include "atescreen/units.h"

int main(void)
{
    ate_error err;
    char buf[2048];
    ate_status st = ATE_INPUT_ERROR(&err, "camp.yaml", 12, 5, "families[1].lateral.dopants",
                                    "unknown element '%s'", "Xx");
    CHECK(st == ATE_ERR_INPUT, "status %d", (int)st);
    ate_error_format(&err, buf, sizeof(buf));
    CHECK_STR(buf, "camp.yaml:12:5: families[1].lateral.dopants: unknown element 'Xx'");

    ATE_ERROR(&err, ATE_ERR_VALUE, "bad %d", 3);
    ate_error_locate(&err, "a.xyz", 7, 0, "positions");
    ate_error_locate(&err, "b.xyz", 9, 2, "other"); /* innermost location wins */
    ate_error_format(&err, buf, sizeof(buf));
    CHECK_STR(buf, "a.xyz:7:2: positions: bad 3");
    ate_error_prefix(&err, "reading %s: ", "x");
    CHECK_STR(err.message, "reading x: bad 3");
    CHECK(ATE_ERROR(NULL, ATE_ERR_IO, "ignored") == ATE_ERR_IO, "NULL err");

    CHECK(ate_element_from_symbol("Fe") == 26, "Fe");
    CHECK(ate_element_from_symbol("FE") == 0, "case");
    CHECK(ate_element_from_symbol("Rn") == 86, "Rn");
    CHECK(ate_element_from_symbol("Fr") == 0, "beyond 86");
    CHECK_STR(ate_element_symbol(8), "O");
    CHECK_CLOSE(ate_element_mass(6), 12.011, 1e-3, "C mass");
    CHECK_CLOSE(ate_element_covalent_radius(26), 1.32, 1e-9, "Fe radius");
    CHECK(ate_element_is_transition_metal(26) && !ate_element_is_transition_metal(7), "TM");
    CHECK_CLOSE(ATE_ANGSTROM_BOHR, 1.8897261246257702, 1e-13, "bohr");
    CHECK_CLOSE(ATE_HARTREE_EV, 27.211386245988, 0, "hartree");
    return ate_test_finish("test_core_status");
}
