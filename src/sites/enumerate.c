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
    int *natoms;         /* [cap]: atoms of each clean structure, -1 while unknown */
    site_recipe *recipe; /* [cap] for lazy lists (NULL: every structure built) */
    const ate_campaign_spec *spec;
    int *slot; /* open-addressing set of the IDs: index + 1, 0 = empty; nslot a power of 2 */
    size_t nslot;
    site_job *job; /* lazy lists: the base of the last build */
};

int ate_candidate_list_count(const ate_candidate_list *l) { return l->n; }
const ate_candidate *ate_candidate_list_get(const ate_candidate_list *l, int i)
{
    return l->items + i;
}

static void free_job(site_job **job)
{
    if (!*job) return;
    site_model_free(&(*job)->base);
    free(*job);
    *job = NULL;
}

void ate_candidate_list_destroy(ate_candidate_list **l)
{
    if (!l || !*l) return;
    for (int i = 0; i < (*l)->n; ++i)
        ate_structure_destroy(&(*l)->items[i].structure);
    free((*l)->items);
    free((*l)->natoms);
    free((*l)->recipe);
    free((*l)->slot);
    free_job(&(*l)->job);
    free(*l);
    *l = NULL;
}

static size_t id_hash(const char *id)
{
    size_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)id; *p; ++p)
        h = (h ^ *p) * 1099511628211ull;
    return h;
}

bool site_list_has(const ate_candidate_list *l, const char *id)
{
    if (!l->nslot) return false;
    for (size_t h = id_hash(id) & (l->nslot - 1);; h = (h + 1) & (l->nslot - 1)) {
        int i = l->slot[h] - 1;
        if (i < 0) return false;
        if (strcmp(l->items[i].id, id) == 0) return true;
    }
}

static void id_insert(int *slot, size_t nslot, const char *id, int i)
{
    size_t h = id_hash(id) & (nslot - 1);
    while (slot[h])
        h = (h + 1) & (nslot - 1);
    slot[h] = i + 1;
}

ate_status site_list_push(ate_candidate_list *l, ate_candidate *c, const site_recipe *r,
                          ate_error *err)
{
    if (l->n == l->cap) {
        int cap = l->cap ? 2 * l->cap : 64;
        ate_candidate *v = realloc(l->items, (size_t)cap * sizeof(*v));
        if (v) l->items = v;
        int *na = realloc(l->natoms, (size_t)cap * sizeof(*na));
        if (na) l->natoms = na;
        site_recipe *rv = l->recipe ? realloc(l->recipe, (size_t)cap * sizeof(*rv)) : NULL;
        if (rv) l->recipe = rv;
        if (!v || !na || (l->recipe && !rv))
            return ATE_ERROR(err, ATE_ERR_MEMORY, "candidate list: out of memory");
        l->cap = cap;
    }
    if (2 * (size_t)(l->n + 1) > l->nslot) { /* keep the ID set at most half full */
        size_t nslot = l->nslot ? 2 * l->nslot : 256;
        int *slot = calloc(nslot, sizeof(int));
        if (!slot) return ATE_ERROR(err, ATE_ERR_MEMORY, "candidate list: out of memory");
        for (int k = 0; k < l->n; ++k)
            id_insert(slot, nslot, l->items[k].id, k);
        free(l->slot);
        l->slot = slot, l->nslot = nslot;
    }
    if (l->recipe) l->recipe[l->n] = *r;
    l->natoms[l->n] = c->structure ? ate_structure_natoms(c->structure) : -1;
    id_insert(l->slot, l->nslot, c->id, l->n);
    l->items[l->n++] = *c;
    return ATE_OK;
}

ate_status ate_candidate_list_build(ate_candidate_list *l, int i, ate_error *err)
{
    ate_candidate *c = &l->items[i];
    if (c->structure || !l->recipe) return ATE_OK;
    if (!l->job) {
        l->job = calloc(1, sizeof(*l->job));
        if (!l->job) return ATE_ERROR(err, ATE_ERR_MEMORY, "candidate list: out of memory");
        l->job->spec = l->spec, l->job->list = l, l->job->fam_index = -1;
    }
    ate_status st = site_job_for_recipe(l->job, &l->recipe[i], err);
    if (st != ATE_OK) {
        ate_error_prefix(err, "building candidate %s (%s): ", c->name, c->family);
        return st;
    }
    ATE_TRY(site_build_structure(l->job, l->recipe[i].v, c, err));
    l->natoms[i] = ate_structure_natoms(c->structure);
    return ATE_OK;
}

void ate_candidate_list_release(ate_candidate_list *l, int i)
{
    if (l->recipe) ate_structure_destroy(&l->items[i].structure);
}

int ate_candidate_list_natoms(const ate_candidate_list *l, int i) { return l->natoms[i]; }

void ate_candidate_list_set_natoms(ate_candidate_list *l, int i, int natoms)
{
    l->natoms[i] = natoms;
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

static ate_status enumerate(const ate_campaign_spec *spec, bool lazy, ate_candidate_list **out,
                            ate_error *err)
{
    *out = NULL;
    ate_candidate_list *list = calloc(1, sizeof(*list));
    if (list && lazy) list->recipe = malloc(sizeof(site_recipe)); /* marks the list lazy */
    if (!list || (lazy && !list->recipe)) {
        free(list);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "candidate list: out of memory");
    }
    list->spec = spec;
    ate_status st = ATE_OK;
    for (int f = 0; st == ATE_OK && f < spec->nfamilies; ++f) {
        site_job job = {
            .spec = spec, .fam = &spec->families[f], .list = list, .lazy = lazy, .fam_index = f};
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

ate_status ate_sites_enumerate(const ate_campaign_spec *spec, ate_candidate_list **out,
                               ate_error *err)
{
    return enumerate(spec, false, out, err);
}

ate_status ate_sites_enumerate_lazy(const ate_campaign_spec *spec, ate_candidate_list **out,
                                    ate_error *err)
{
    return enumerate(spec, true, out, err);
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
