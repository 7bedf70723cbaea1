/**
 * @file campaign_families.c
 * @brief The `families` list of the campaign YAML: each item a mapping of one or more family
 *        names to their options ({} or null = defaults); several names = a combination.
 */
#include <stdlib.h>
#include <string.h>

#include "campaign_internal.h"

static const char *const family_names[] = {"symmetric", "lateral",    "low_coordination",
                                           "axial",     "dual_metal", "cluster",
                                           "vacancy",   "strain",     NULL};

/* Options of one family; n is its value node (mapping or null). */
static ate_status read_options(const ynode_ctx *c, int fam, const yaml_node_t *n, const char *path,
                               ate_family_spec *f)
{
    static const char *const none[] = {NULL};
    static const char *const k_lat[] = {"dopants", "min_substitutions", "max_substitutions", NULL};
    static const char *const k_low[] = {"remove", NULL};
    static const char *const k_ax[] = {"ligands", NULL};
    static const char *const k_dual[] = {"fused",       "separated",     "separations",
                                         "homonuclear", "heteronuclear", NULL};
    static const char *const k_clu[] = {"sizes", "metals", "distances", NULL};
    static const char *const k_vac[] = {"shells", NULL};
    static const char *const k_str[] = {"percent", NULL};
    static const char *const *keys[] = {none, k_lat, k_low, k_ax, k_dual, k_clu, k_vac, k_str};
    static const yaml_node_t empty = {.type = YAML_MAPPING_NODE};
    if (ynode_is_null(n)) n = &empty;
    if (fam == 0 && n->type == YAML_MAPPING_NODE &&
        n->data.mapping.pairs.top != n->data.mapping.pairs.start)
        return yerror(c, ynode(c, n->data.mapping.pairs.start->key), path,
                      "symmetric takes no options (write 'symmetric: {}')");
    ATE_TRY(ymap_check(c, n, path, keys[fam]));
    const cy_range subs = {0, 4}, sub1 = {1, 4}, twoone = {1, 2}, sizes = {2, 4},
                   dist = {0.5, 50.0}, strain = {-10.0, 10.0};
    char p[CY_PATH];
    yaml_node_t *v;
    switch (fam) {
    case 1:
        ATE_TRY(cy_read_list(c, n, path, "dopants", true, true, &f->lateral.ndopants,
                             cy_item_dopant, f->lateral.dopants, NULL));
        if ((v = cy_lookup(c, n, "min_substitutions"))) {
            ypath_key(p, sizeof(p), path, "min_substitutions");
            ATE_TRY(yget_int(c, v, p, (int)subs.lo, (int)subs.hi, &f->lateral.min_substitutions));
        }
        if ((v = cy_lookup(c, n, "max_substitutions"))) {
            ypath_key(p, sizeof(p), path, "max_substitutions");
            ATE_TRY(yget_int(c, v, p, (int)sub1.lo, (int)sub1.hi, &f->lateral.max_substitutions));
        }
        if (f->lateral.min_substitutions > f->lateral.max_substitutions)
            return yerror(c, n, path,
                          "min_substitutions (%d) is larger than max_substitutions (%d)",
                          f->lateral.min_substitutions, f->lateral.max_substitutions);
        return ATE_OK;
    case 2:
        f->low_coordination.nremove = 1, f->low_coordination.remove[0] = 1;
        return cy_read_list(c, n, path, "remove", false, true, &f->low_coordination.nremove,
                            cy_item_int, f->low_coordination.remove, &twoone);
    case 3:
        return cy_read_list(c, n, path, "ligands", true, true, &f->axial.nligands, cy_item_ligand,
                            f->axial.ligands, NULL);
    case 4: {
        static const char *const flags[] = {"fused", "separated", "homonuclear", "heteronuclear"};
        bool *dst[] = {&f->dual_metal.fused, &f->dual_metal.separated, &f->dual_metal.homonuclear,
                       &f->dual_metal.heteronuclear};
        for (int k = 0; k < 4; ++k)
            if ((v = cy_lookup(c, n, flags[k]))) {
                ypath_key(p, sizeof(p), path, flags[k]);
                ATE_TRY(yget_bool(c, v, p, dst[k]));
            }
        ATE_TRY(cy_read_list(c, n, path, "separations", false, true, &f->dual_metal.nseparations,
                             cy_item_double, f->dual_metal.separations, &dist));
        if (!f->dual_metal.fused && !f->dual_metal.separated)
            return yerror(c, n, path, "at least one of fused and separated must be true");
        if (!f->dual_metal.homonuclear && !f->dual_metal.heteronuclear)
            return yerror(c, n, path, "at least one of homonuclear and heteronuclear must be true");
        if (f->dual_metal.separated && f->dual_metal.nseparations == 0)
            return yerror(c, n, path,
                          "separated pairs need 'separations' (metal-metal distances in Å)");
        return ATE_OK;
    }
    case 5:
        f->cluster.nsizes = 1, f->cluster.sizes[0] = 3;
        f->cluster.nmetals = 1, f->cluster.metals[0] = 0;
        f->cluster.ndistances = 1, f->cluster.distances[0] = 5.0;
        ATE_TRY(cy_read_list(c, n, path, "sizes", false, true, &f->cluster.nsizes, cy_item_int,
                             f->cluster.sizes, &sizes));
        ATE_TRY(cy_read_list(c, n, path, "metals", false, true, &f->cluster.nmetals, cy_item_metal,
                             f->cluster.metals, "same"));
        return cy_read_list(c, n, path, "distances", false, true, &f->cluster.ndistances,
                            cy_item_double, f->cluster.distances, &dist);
    case 6:
        f->vacancy.nshells = 1, f->vacancy.shells[0] = 1;
        return cy_read_list(c, n, path, "shells", false, true, &f->vacancy.nshells, cy_item_int,
                            f->vacancy.shells, &twoone);
    case 7:
        ATE_TRY(cy_read_list(c, n, path, "percent", true, true, &f->strain.npercent, cy_item_double,
                             f->strain.percent, &strain));
        for (int k = 0; k < f->strain.npercent; ++k)
            if (f->strain.percent[k] == 0.0) {
                ypath_key(p, sizeof(p), path, "percent");
                return yerror(c, cy_lookup(c, n, "percent"), p,
                              "0 %% strain is the unstrained support; leave it out");
            }
        return ATE_OK;
    }
    return ATE_OK;
}

ate_status cy_read_families(const ynode_ctx *c, const yaml_node_t *n, ate_campaign_spec *spec)
{
    ATE_TRY(yseq_check(c, n, "families", 64));
    int count = cy_seq_len(n);
    if (count == 0) return yerror(c, n, "families", "the list must not be empty");
    spec->families = calloc((size_t)count, sizeof(ate_family_spec));
    if (!spec->families) return ATE_ERROR(c->err, ATE_ERR_MEMORY, "out of memory");
    for (int i = 0; i < count; ++i) {
        char path[CY_PATH];
        ypath_index(path, sizeof(path), "families", i);
        yaml_node_t *item = cy_seq_item(c, n, i);
        ate_family_spec *f = &spec->families[i];
        ate_family_spec_init(f);
        f->source_line = (int)item->start_mark.line + 1;
        if (item->type == YAML_SCALAR_NODE && !ynode_is_null(item))
            return yerror(c, item, path, "write '- %s: {}' (a family name followed by its options)",
                          (const char *)item->data.scalar.value);
        ATE_TRY(ymap_check(c, item, path, family_names));
        if (item->data.mapping.pairs.top == item->data.mapping.pairs.start)
            return yerror(c, item, path, "empty family entry");
        for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
             ++p) {
            const char *name = (const char *)ynode(c, p->key)->data.scalar.value;
            int fam = 0;
            while (strcmp(family_names[fam], name))
                ++fam;
            char fpath[CY_PATH];
            ypath_key(fpath, sizeof(fpath), path, name);
            ATE_TRY(read_options(c, fam, ynode(c, p->value), fpath, f));
            f->flags |= 1u << fam;
        }
        spec->nfamilies = i + 1;
        if ((f->flags & ATE_FAMILY_SYMMETRIC) && f->flags != ATE_FAMILY_SYMMETRIC)
            return yerror(
                c, item, path,
                "symmetric cannot be combined with other families (it is the plain MN4 site)");
        if ((f->flags & ATE_FAMILY_DUAL_METAL) && (f->flags & ATE_FAMILY_CLUSTER))
            return yerror(c, item, path, "dual_metal cannot be combined with cluster");
    }
    return ATE_OK;
}
