/**
 * @file build.c
 * @brief From a canonical pattern vector to a candidate: description, stable ID, name, the
 *        decorated structure (flake cut when asked) and its adsorption sites.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/elements.h"
#include "atescreen/units.h"
#include "enumerate_internal.h"

static void append(char *buf, size_t n, const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len >= n) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, n - len, fmt, ap);
    va_end(ap);
}

static void describe(const site_job *job, const int *v, char *desc, size_t n)
{
    const ate_support_spec *sup = &job->spec->support;
    desc[0] = '\0';
    if (sup->kind == ATE_SUPPORT_FLAKE)
        append(desc, n, "ate-site/1;support=flake:r=%.2f:a=%.4f", sup->flake_radius,
               sup->lattice_constant);
    else
        append(desc, n, "ate-site/1;support=graphene:%dx%d:a=%.4f:vac=%.2f", sup->supercell[0],
               sup->supercell[1], sup->lattice_constant, sup->vacuum);
    append(desc, n, ";base=%s;v=", job->base_desc);
    for (int i = 0; i < job->npts; ++i)
        append(desc, n, "%s%d", i ? "," : "", v[i]);
    if (job->cluster_size)
        append(desc, n, ";cluster=%d:%d:%.2f", job->cluster_size, job->cluster_z,
               job->cluster_distance);
    if (job->strain != 0.0) append(desc, n, ";strain=%+.3f", job->strain);
}

/* "N3S1": first-shell composition, N first, then dopants by increasing Z. */
static void shell_formula(const site_job *job, const int *v, char *buf, size_t n)
{
    int count[ATE_MAX_Z + 1] = {0};
    for (int s = 0; s < job->base.nshell; ++s) {
        int x = v[job->off_shell + s];
        if (x >= 0) count[x == 0 ? 7 : x]++;
    }
    buf[0] = '\0';
    if (count[7]) append(buf, n, "N%d", count[7]);
    for (int z = 1; z <= ATE_MAX_Z; ++z)
        if (z != 7 && count[z]) append(buf, n, "%s%d", ate_element_symbol(z), count[z]);
}

static void make_name(const site_job *job, const int *v, char *name, size_t n)
{
    const site_model *m = &job->base;
    char formula[64];
    shell_formula(job, v, formula, sizeof(formula));
    name[0] = '\0';
    for (int k = 0; k < m->nmetals; ++k)
        append(name, n, "%s", ate_element_symbol(v[k] / 16));
    append(name, n, "-%s", formula);
    if (strncmp(job->base_desc, "sep", 3) == 0)
        append(name, n, "(sep %.2fA)",
               hypot(m->pos[3 * m->metal[1]] - m->pos[3 * m->metal[0]],
                     m->pos[3 * m->metal[1] + 1] - m->pos[3 * m->metal[0] + 1]) *
                   ATE_BOHR_ANGSTROM);
    for (int k = 0; k < m->nmetals; ++k)
        if (v[k] % 16) {
            append(name, n, "-ax%s", ate_ligand_name((ate_ligand)(v[k] % 16 - 1)));
            if (m->nmetals == 2) append(name, n, "@%s", ate_element_symbol(v[k] / 16));
        }
    for (int c = 0; c < job->n_vac; ++c)
        if (v[job->off_vac + c]) append(name, n, "-Cv%d", m->cand_vac_shell[c]);
    if (job->cluster_size)
        append(name, n, "+%s%d(%.1fA)",
               ate_element_symbol(job->cluster_z ? job->cluster_z : v[0] / 16), job->cluster_size,
               job->cluster_distance);
    if (job->strain != 0.0) append(name, n, "@%+.1f%%", job->strain);
}

/* Apply v to a copy of the base. */
static ate_status decorate(const site_job *job, const int *v, site_model *m, ate_error *err)
{
    ATE_TRY(site_model_copy(&job->base, m, err));
    ate_status st = ATE_OK;
    for (int k = 0; k < m->nmetals; ++k)
        m->z[m->metal[k]] = v[k] / 16;
    for (int s = 0; s < m->nshell; ++s) {
        int x = v[job->off_shell + s];
        m->z[m->shell[s]] = x == 0 ? 7 : (x < 0 ? 0 : x);
    }
    for (int c = 0; c < job->n_vac; ++c)
        if (v[job->off_vac + c]) m->z[m->cand_vac[c]] = 0;
    for (int h = 0; st == ATE_OK && h < job->n_hollow; ++h)
        if (v[job->off_hollow + h])
            st = site_add_cluster(m, job->pts[job->off_hollow + h], job->cluster_size,
                                  job->cluster_z ? job->cluster_z : v[0] / 16, err);
    for (int k = 0; st == ATE_OK && k < m->nmetals; ++k)
        if (v[k] % 16) st = site_add_axial(m, k, (ate_ligand)(v[k] % 16 - 1), err);
    if (st == ATE_OK && job->strain != 0.0) site_apply_strain(m, job->strain);
    if (st != ATE_OK) site_model_free(m);
    return st;
}

static ate_status set_info(ate_candidate *c, ate_error *err)
{
    ATE_TRY(ate_structure_info_set(c->structure, "ate_id", c->id, err));
    ATE_TRY(ate_structure_info_set(c->structure, "ate_name", c->name, err));
    ATE_TRY(ate_structure_info_set(c->structure, "ate_family", c->family, err));
    return ate_structure_info_set(c->structure, "ate_state", "clean", err);
}

/* What a candidate is without its structure: metals, intended first-shell coordination,
 * adsorption sites (their atoms are set by site_build_structure). */
static void describe_sites(const site_job *job, const int *v, ate_candidate *c)
{
    const site_model *m = &job->base;
    c->nmetals = m->nmetals;
    for (int k = 0; k < m->nmetals; ++k) {
        c->metal_index[k] = -1;
        c->metal_z[k] = v[k] / 16;
        for (int s = 0; s < m->nshell; ++s)
            c->first_shell_cn[k] += m->shell_owner[s][k] && v[job->off_shell + s] >= 0;
        c->ads_sites[k] = (ate_ads_site){.kind = ATE_ADS_SITE_TOP, .metal = {-1, -1}, .face = 1};
        snprintf(c->ads_site_labels[k], sizeof(c->ads_site_labels[k]),
                 m->nmetals == 1 ? "top" : "top%d", k + 1);
    }
    c->nads_sites = m->nmetals;
    if (strcmp(job->base_desc, "m2n6") == 0) {
        c->ads_sites[2] = (ate_ads_site){.kind = ATE_ADS_SITE_BRIDGE, .metal = {-1, -1}, .face = 1};
        snprintf(c->ads_site_labels[2], sizeof(c->ads_site_labels[2]), "bridge");
        c->nads_sites = 3;
    }
}

ate_status site_build_structure(const site_job *job, const int *v, ate_candidate *c, ate_error *err)
{
    site_model dec, flake, *use = &dec;
    ATE_TRY(decorate(job, v, &dec, err));
    ate_status st = ATE_OK;
    if (job->spec->support.kind == ATE_SUPPORT_FLAKE) {
        st = site_cut_flake(&dec,
                            job->spec->support.flake_radius * ATE_ANGSTROM_BOHR + job->flake_extra,
                            &flake, err);
        use = &flake;
    }
    int *map = NULL;
    if (st == ATE_OK) {
        map = malloc((size_t)use->n * sizeof(int));
        if (!map) st = ATE_ERROR(err, ATE_ERR_MEMORY, "candidate: out of memory");
    }
    if (st == ATE_OK) st = site_model_to_structure(use, &c->structure, map, err);
    if (st == ATE_OK) {
        for (int k = 0; k < use->nmetals; ++k) {
            c->metal_index[k] = map[use->metal[k]];
            c->ads_sites[k].metal[0] = c->metal_index[k];
        }
        if (c->nads_sites == 3) /* the bridge of M2N6 */
            c->ads_sites[2].metal[0] = c->metal_index[0],
            c->ads_sites[2].metal[1] = c->metal_index[1];
        st = set_info(c, err);
    }
    if (st != ATE_OK) {
        ate_error_prefix(err, "building candidate %s (%s): ", c->name, c->family);
        ate_structure_destroy(&c->structure);
    }
    free(map);
    if (use == &flake) site_model_free(&flake);
    site_model_free(&dec);
    return st;
}

ate_status site_build_candidate(site_job *job, const int *v, ate_error *err)
{
    ate_candidate c;
    memset(&c, 0, sizeof(c));
    describe(job, v, c.description, sizeof(c.description));
    site_hash_id(c.description, c.id);
    if (site_list_has(job->list, c.id)) return ATE_OK;
    make_name(job, v, c.name, sizeof(c.name));
    snprintf(c.family, sizeof(c.family), "%s", job->family);
    describe_sites(job, v, &c);
    site_recipe r = {.fam = job->fam_index,
                     .fused = job->fused,
                     .sep_d = job->sep_d,
                     .sep_t = job->sep_t,
                     .dist = job->dist,
                     .cluster_size = job->cluster_size,
                     .cluster_z = job->cluster_z,
                     .strain = job->strain};
    memcpy(r.v, v, (size_t)job->npts * sizeof(int));
    ate_status st = job->lazy ? ATE_OK : site_build_structure(job, v, &c, err);
    if (st == ATE_OK) st = site_list_push(job->list, &c, job->lazy ? &r : NULL, err);
    if (st != ATE_OK) ate_structure_destroy(&c.structure);
    return st;
}
