/**
 * @file enumerate.c
 * @brief Campaign -> candidates: for every family entry, build the bases (MN4, M1M2-N6,
 *        separated MN4 pairs), enumerate the decorations (metals, first-shell pattern, axial
 *        ligand, vacancy, cluster, strain), keep one representative per symmetry orbit and per
 *        stable ID, and build its structure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/elements.h"
#include "atescreen/units.h"
#include "enumerate_internal.h"

struct ate_candidate_list {
    int n, cap;
    ate_candidate *items;
};

int ate_candidate_list_count(const ate_candidate_list *l) { return l->n; }
const ate_candidate *ate_candidate_list_get(const ate_candidate_list *l, int i)
{
    return l->items + i;
}

void ate_candidate_list_destroy(ate_candidate_list **l)
{
    if (!l || !*l) return;
    for (int i = 0; i < (*l)->n; ++i)
        ate_structure_destroy(&(*l)->items[i].structure);
    free((*l)->items);
    free(*l);
    *l = NULL;
}

bool site_list_has(const ate_candidate_list *l, const char *id)
{
    for (int i = 0; i < l->n; ++i)
        if (strcmp(l->items[i].id, id) == 0) return true;
    return false;
}

ate_status site_list_push(ate_candidate_list *l, ate_candidate *c, ate_error *err)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 64;
        ate_candidate *v = realloc(l->items, (size_t)cap * sizeof(*v));
        if (!v) return ATE_ERROR(err, ATE_ERR_MEMORY, "candidate list: out of memory");
        l->items = v;
        l->cap = cap;
    }
    l->items[l->n++] = *c;
    return ATE_OK;
}

/* The periodic model every base starts from: the campaign's supercell, or for flakes a
 * supercell large enough to hold the flake (inscribed radius >= flake radius + 3 Å + extra). */
ate_status site_support_model(const ate_support_spec *sup, double extra, site_model *m,
                              ate_error *err)
{
    int n1 = sup->supercell[0], n2 = sup->supercell[1];
    if (sup->kind == ATE_SUPPORT_FLAKE) {
        double need = sup->flake_radius + 3.0 + extra;
        int n = (int)ceil(4.0 * need / (sup->lattice_constant * sqrt(3.0))) + 1;
        n1 = n2 = n;
    }
    if (n1 < 3 || n2 < 3)
        return ate_error_set_input(
            err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "support.supercell",
            "a %dx%d supercell is too small for a site (need at least 3x3)", n1, n2);
    return site_graphene_supercell(sup, n1, n2, m, err);
}

static void family_label(unsigned flags, char *buf, size_t n)
{
    buf[0] = '\0';
    for (unsigned bit = 1; bit <= ATE_FAMILY_STRAIN; bit <<= 1) {
        if (!(flags & bit)) continue;
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, "%s%s", len ? "+" : "", ate_family_name((ate_family_flag)bit));
    }
}

ate_status ate_sites_enumerate(const ate_campaign_spec *spec, ate_candidate_list **out,
                               ate_error *err)
{
    *out = NULL;
    ate_candidate_list *list = calloc(1, sizeof(*list));
    if (!list) return ATE_ERROR(err, ATE_ERR_MEMORY, "candidate list: out of memory");
    ate_status st = ATE_OK;
    for (int f = 0; st == ATE_OK && f < spec->nfamilies; ++f) {
        site_job job = {.spec = spec, .fam = &spec->families[f], .list = list};
        family_label(job.fam->flags, job.family, sizeof(job.family));
        st = site_enumerate_family(&job, err);
        if (st != ATE_OK && err) {
            /* the family entry is part of the key path: families[1].dual_metal.separations */
            char field[ATE_ERROR_FIELD_LEN];
            snprintf(field, sizeof(field), "families[%d]%s%.200s", f, err->field[0] ? "." : "",
                     err->field);
            err->field[0] = '\0';
            ate_error_locate(err, spec->source_file[0] ? spec->source_file : NULL,
                             job.fam->source_line, 0, field);
        }
    }
    if (st != ATE_OK) {
        ate_candidate_list_destroy(&list);
        return st;
    }
    *out = list;
    return ATE_OK;
}

ate_status ate_sites_count_lateral(const ate_support_spec *support, const ate_lateral_spec *lateral,
                                   double symprec, int *count, ate_error *err)
{
    ate_campaign_spec spec;
    ate_campaign_spec_init(&spec);
    spec.support = *support;
    spec.settings.symprec = symprec;
    spec.nmetals = 1;
    spec.metals[0] = 26;
    ate_family_spec fam;
    ate_family_spec_init(&fam);
    fam.flags = ATE_FAMILY_LATERAL;
    fam.lateral = *lateral;
    spec.nfamilies = 1;
    spec.families = &fam;
    ate_candidate_list *list = NULL;
    ATE_TRY(ate_sites_enumerate(&spec, &list, err));
    *count = ate_candidate_list_count(list);
    ate_candidate_list_destroy(&list);
    return ATE_OK;
}
