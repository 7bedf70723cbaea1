/* Every family (and two combinations) for metals {Mn, Fe, Co, Ni, Cu} on periodic graphene and
 * on flakes: valid structures (no two atoms closer than 0.9 Å, periodic images included), each
 * site metal with its intended in-plane first-shell coordination, stable IDs (same result twice,
 * all distinct), adsorbates placeable on every site; a lazy enumeration has the same candidates
 * and builds (in reverse order) bit for bit the same structures. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ate_test.h"
#include "atescreen/adsorbates.h"
#include "atescreen/sites.h"
#include "atescreen/units.h"

static void add_family(ate_campaign_spec *spec, unsigned flags)
{
    ate_family_spec *f = &spec->families[spec->nfamilies++];
    ate_family_spec_init(f);
    f->flags = flags;
    bool combo = (flags & (flags - 1)) != 0; /* lighter options for combinations */
    f->lateral.ndopants = combo ? 1 : 2, f->lateral.dopants[0] = 16, f->lateral.dopants[1] = 6;
    f->lateral.max_substitutions = combo ? 1 : 2;
    f->low_coordination.nremove = 2, f->low_coordination.remove[0] = 1,
    f->low_coordination.remove[1] = 2;
    f->axial.nligands = combo ? 1 : ATE_LIGAND_COUNT;
    for (int l = 0; l < ATE_LIGAND_COUNT; ++l)
        f->axial.ligands[l] = (ate_ligand)l;
    f->dual_metal.separated = true;
    f->dual_metal.nseparations = 1, f->dual_metal.separations[0] = 6.0;
    f->cluster.nsizes = 3, f->cluster.sizes[0] = 2, f->cluster.sizes[1] = 3,
    f->cluster.sizes[2] = 4;
    f->cluster.nmetals = 2, f->cluster.metals[0] = 0, f->cluster.metals[1] = 78;
    f->cluster.ndistances = 1, f->cluster.distances[0] = 5.0;
    f->vacancy.nshells = 2, f->vacancy.shells[0] = 1, f->vacancy.shells[1] = 2;
    f->strain.npercent = 2, f->strain.percent[0] = -2.0, f->strain.percent[1] = 4.0;
}

/* Smallest distance (Å) over all pairs and images, in-plane first-shell count of atom m. */
static double min_distance(const ate_structure *s)
{
    double best = INFINITY;
    int n = ate_structure_natoms(s);
    for (int i = 0; i < n; ++i)
        for (int j = i; j < n; ++j)
            best = fmin(best, ate_structure_distance(s, i, j));
    return best * ATE_BOHR_ANGSTROM;
}

static int inplane_cn(const ate_structure *s, int m)
{
    int n = ate_structure_natoms(s), cn = 0;
    const double *p = ate_structure_positions(s);
    for (int j = 0; j < n; ++j) {
        if (j == m || fabs(p[3 * j + 2] - p[3 * m + 2]) > 0.3 * ATE_ANGSTROM_BOHR) continue;
        if (ate_structure_distance(s, m, j) < 2.3 * ATE_ANGSTROM_BOHR) ++cn;
    }
    return cn;
}

/* Two candidates with the same descriptor and bit for bit the same structure. */
static void same_candidate(const ate_candidate *a, const ate_candidate *b)
{
    CHECK_STR(a->id, b->id);
    CHECK_STR(a->name, b->name);
    CHECK_STR(a->family, b->family);
    CHECK_STR(a->description, b->description);
    CHECK(a->nmetals == b->nmetals && a->nads_sites == b->nads_sites, "%s: counts", a->name);
    CHECK(memcmp(a->metal_index, b->metal_index, sizeof(a->metal_index)) == 0 &&
              memcmp(a->metal_z, b->metal_z, sizeof(a->metal_z)) == 0 &&
              memcmp(a->first_shell_cn, b->first_shell_cn, sizeof(a->first_shell_cn)) == 0,
          "%s: metals", a->name);
    for (int k = 0; k < a->nads_sites; ++k) {
        CHECK(a->ads_sites[k].kind == b->ads_sites[k].kind &&
                  a->ads_sites[k].metal[0] == b->ads_sites[k].metal[0] &&
                  a->ads_sites[k].metal[1] == b->ads_sites[k].metal[1] &&
                  a->ads_sites[k].face == b->ads_sites[k].face,
              "%s: adsorption site %d", a->name, k);
        CHECK_STR(a->ads_site_labels[k], b->ads_site_labels[k]);
    }
    if (!a->structure || !b->structure) {
        CHECK(0, "%s: no structure", a->name);
        return;
    }
    ate_structure_desc x = ate_structure_get_desc(a->structure);
    ate_structure_desc y = ate_structure_get_desc(b->structure);
    int n = x.natoms;
    bool same = n == y.natoms && memcmp(x.numbers, y.numbers, (size_t)n * sizeof(int)) == 0 &&
                memcmp(x.positions, y.positions, (size_t)n * 3 * sizeof(double)) == 0 &&
                (x.tags && y.tags ? memcmp(x.tags, y.tags, (size_t)n * sizeof(int)) == 0
                                  : x.tags == y.tags) &&
                memcmp(x.pbc, y.pbc, sizeof(x.pbc)) == 0 && !x.cell == !y.cell &&
                (!x.cell || memcmp(x.cell, y.cell, 9 * sizeof(double)) == 0) &&
                x.charge == y.charge && x.uhf == y.uhf;
    CHECK(same, "%s (%s): the lazy build differs", a->name, a->family);
}

static int run(ate_support_kind kind)
{
    ate_campaign_spec spec;
    ate_campaign_spec_init(&spec);
    spec.support.kind = kind;
    spec.support.supercell[0] = spec.support.supercell[1] = 7; /* room for a 6.5 Å separation */
    const int metals[5] = {25, 26, 27, 28, 29};
    spec.nmetals = 5;
    memcpy(spec.metals, metals, sizeof(metals));
    ate_family_spec fams[12];
    spec.families = fams;
    const unsigned single[] = {ATE_FAMILY_SYMMETRIC,
                               ATE_FAMILY_LATERAL,
                               ATE_FAMILY_LOW_COORDINATION,
                               ATE_FAMILY_AXIAL,
                               ATE_FAMILY_DUAL_METAL,
                               ATE_FAMILY_CLUSTER,
                               ATE_FAMILY_VACANCY,
                               ATE_FAMILY_STRAIN,
                               ATE_FAMILY_LATERAL | ATE_FAMILY_AXIAL,
                               ATE_FAMILY_DUAL_METAL | ATE_FAMILY_LATERAL};
    for (size_t k = 0; k < sizeof(single) / sizeof(single[0]); ++k)
        add_family(&spec, single[k]);
    ate_candidate_list *list = NULL, *again = NULL;
    ate_error err;
    char buf[2048];
    if (ate_sites_enumerate(&spec, &list, &err) != ATE_OK ||
        ate_sites_enumerate_lazy(&spec, &again, &err) != ATE_OK) {
        ate_error_format(&err, buf, sizeof(buf));
        CHECK(0, "enumeration failed: %s", buf);
        return 1;
    }
    int n = ate_candidate_list_count(list);
    CHECK(n == ate_candidate_list_count(again), "repeatable count");
    CHECK(n > 0 && ate_candidate_list_get(again, 0)->structure == NULL &&
              ate_candidate_list_natoms(again, 0) == -1,
          "a lazy list builds nothing");
    for (int i = n - 1; i >= 0 && n == ate_candidate_list_count(again); --i) {
        if (ate_candidate_list_build(again, i, &err) != ATE_OK) {
            ate_error_format(&err, buf, sizeof(buf));
            CHECK(0, "lazy build %d: %s", i, buf);
            continue;
        }
        same_candidate(ate_candidate_list_get(list, i), ate_candidate_list_get(again, i));
        CHECK(ate_candidate_list_natoms(again, i) ==
                  ate_structure_natoms(ate_candidate_list_get(list, i)->structure),
              "natoms");
        if (i % 2) ate_candidate_list_release(again, i); /* built again below */
    }
    for (int i = 1; i < n && n == ate_candidate_list_count(again); i += 2) {
        CHECK(ate_candidate_list_get(again, i)->structure == NULL &&
                  ate_candidate_list_natoms(again, i) > 0,
              "released, natoms kept");
        CHECK(ate_candidate_list_build(again, i, &err) == ATE_OK, "rebuilt");
        same_candidate(ate_candidate_list_get(list, i), ate_candidate_list_get(again, i));
    }
    int by_family[16] = {0};
    double worst = INFINITY;
    for (int i = 0; i < n; ++i) {
        const ate_candidate *c = ate_candidate_list_get(list, i);
        CHECK_STR(c->id, ate_candidate_list_get(again, i)->id);
        for (int j = 0; j < i; ++j)
            CHECK(strcmp(c->id, ate_candidate_list_get(list, j)->id) != 0, "dup id");
        double dmin = min_distance(c->structure);
        worst = fmin(worst, dmin);
        CHECK(dmin >= 0.9, "%s (%s): atoms %.3f Å apart", c->name, c->family, dmin);
        for (int k = 0; k < c->nmetals; ++k) {
            int cn = inplane_cn(c->structure, c->metal_index[k]);
            CHECK(cn == c->first_shell_cn[k], "%s (%s) metal %d: CN %d, intended %d", c->name,
                  c->family, k, cn, c->first_shell_cn[k]);
            CHECK(ate_structure_numbers(c->structure)[c->metal_index[k]] == c->metal_z[k],
                  "metal Z");
        }
        /* adsorbates on every site */
        for (int a = 0; a < ATE_ADS_COUNT; ++a)
            for (int k = 0; k < c->nads_sites; ++k) {
                ate_structure *s = NULL;
                ate_status st =
                    ate_adsorbate_place(c->structure, (ate_adsorbate)a, &c->ads_sites[k], &s, &err);
                if (st != ATE_OK) ate_error_format(&err, buf, sizeof(buf));
                CHECK(st == ATE_OK, "%s %s@%s: %s", c->name, ate_adsorbate_name((ate_adsorbate)a),
                      c->ads_site_labels[k], st == ATE_OK ? "" : buf);
                if (st == ATE_OK) {
                    double d = min_distance(s);
                    CHECK(d >= 0.9, "%s %s@%s: %.3f Å", c->name,
                          ate_adsorbate_name((ate_adsorbate)a), c->ads_site_labels[k], d);
                }
                ate_structure_destroy(&s);
            }
        for (size_t k = 0; k < sizeof(single) / sizeof(single[0]); ++k) {
            char label[96];
            label[0] = '\0';
            for (unsigned bit = 1; bit <= ATE_FAMILY_STRAIN; bit <<= 1)
                if (single[k] & bit)
                    snprintf(label + strlen(label), sizeof(label) - strlen(label), "%s%s",
                             label[0] ? "+" : "", ate_family_name((ate_family_flag)bit));
            if (strcmp(label, c->family) == 0) by_family[k]++;
        }
    }
    fprintf(stderr, "%s: %d candidates, closest contact %.3f Å\n",
            kind == ATE_SUPPORT_FLAKE ? "flake" : "periodic 7x7", n, worst);
    for (size_t k = 0; k < sizeof(single) / sizeof(single[0]); ++k) {
        fprintf(stderr, "  family entry %zu: %d candidates\n", k, by_family[k]);
        CHECK(by_family[k] > 0, "family entry %zu produced no new candidate", k);
    }
    ate_candidate_list_destroy(&list);
    ate_candidate_list_destroy(&again);
    return 0;
}

int main(void)
{
    run(ATE_SUPPORT_GRAPHENE);
    run(ATE_SUPPORT_FLAKE);
    return ate_test_finish("test_families");
}
