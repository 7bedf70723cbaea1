/* Exact symmetry counts of MN4 first-shell patterns (issue #2 acceptance). The four first-shell
 * sites of MN4 in a graphene divacancy form a rectangle (site group mmm), so the patterns are
 * counted by Burnside over the Klein four-group: {S} <= 4 -> 7, {S,P} <= 2 -> 12, {S,P} <= 4 -> 27.
 * Checked on the 5x5 periodic support and a flake. A 4x6 supercell of the hexagonal lattice is
 * not invariant under the mirrors that swap a1 and a2, so the periodic model keeps only a
 * two-element group acting on the rectangle by a double transposition: Burnside gives
 * (16+4)/2 = 10, (33+5)/2 = 19, (81+9)/2 = 45 and (5+1)/2 = 3 there. */
#include "ate_test.h"
#include "atescreen/sites.h"

static int count(const ate_support_spec *sup, int nd, const int *dop, int maxsub)
{
    ate_lateral_spec lat = {.ndopants = nd, .min_substitutions = 0, .max_substitutions = maxsub};
    for (int i = 0; i < nd; ++i)
        lat.dopants[i] = dop[i];
    int n = -1;
    ate_error err;
    if (ate_sites_count_lateral(sup, &lat, 0.01, &n, &err) != ATE_OK) {
        char buf[2048];
        ate_error_format(&err, buf, sizeof(buf));
        fprintf(stderr, "enumeration failed: %s\n", buf);
    }
    return n;
}

int main(void)
{
    ate_campaign_spec spec;
    ate_campaign_spec_init(&spec);
    const int S[1] = {16}, SP[2] = {16, 15};
    ate_support_spec sups[3] = {spec.support, spec.support, spec.support};
    sups[1].supercell[0] = 4, sups[1].supercell[1] = 6;
    sups[2].kind = ATE_SUPPORT_FLAKE;
    const char *names[3] = {"graphene 5x5", "graphene 4x6", "flake r=7"};
    const int want[3][4] = {{7, 12, 27, 2}, {10, 19, 45, 3}, {7, 12, 27, 2}};
    for (int k = 0; k < 3; ++k) {
        int n;
        CHECK((n = count(&sups[k], 1, S, 4)) == want[k][0], "%s {S} <= 4: %d", names[k], n);
        CHECK((n = count(&sups[k], 2, SP, 2)) == want[k][1], "%s {S,P} <= 2: %d", names[k], n);
        CHECK((n = count(&sups[k], 2, SP, 4)) == want[k][2], "%s {S,P} <= 4: %d", names[k], n);
        CHECK((n = count(&sups[k], 1, S, 1)) == want[k][3], "%s {S} <= 1: %d", names[k], n);
    }
    return ate_test_finish("test_lateral_counts");
}
