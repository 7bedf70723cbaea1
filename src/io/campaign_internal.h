/**
 * @file campaign_internal.h
 * @brief Shared pieces of the campaign YAML reader (campaign_yaml.c, campaign_families.c).
 */
#ifndef ATE_CAMPAIGN_INTERNAL_H
#define ATE_CAMPAIGN_INTERNAL_H

#include "atescreen/campaign_spec.h"
#include "yaml_nodes.h"

#define CY_PATH 256

typedef struct cy_range {
    double lo, hi;
} cy_range;

/* Read one list item i of a list into out; arg carries options (a range, an allowed set). */
typedef ate_status (*cy_item_fn)(const ynode_ctx *c, const yaml_node_t *n, const char *path,
                                 void *out, int i, const void *arg);

yaml_node_t *cy_lookup(const ynode_ctx *c, const yaml_node_t *map, const char *key);
int cy_seq_len(const yaml_node_t *n);
yaml_node_t *cy_seq_item(const ynode_ctx *c, const yaml_node_t *n, int i);
/* map[key] as a list (<= ATE_SPEC_MAX_LIST items) read item by item; absent and not required:
 * *count is left unchanged (defaults stay). */
ate_status cy_read_list(const ynode_ctx *c, const yaml_node_t *map, const char *parent,
                        const char *key, bool required, bool nonempty, int *count, cy_item_fn fn,
                        void *out, const void *arg);
ate_status cy_item_double(const ynode_ctx *c, const yaml_node_t *n, const char *path, void *out,
                          int i, const void *arg);
ate_status cy_item_int(const ynode_ctx *c, const yaml_node_t *n, const char *path, void *out, int i,
                       const void *arg);
/* arg != NULL also accepts "same" (stored as 0) */
ate_status cy_item_metal(const ynode_ctx *c, const yaml_node_t *n, const char *path, void *out,
                         int i, const void *arg);
ate_status cy_item_dopant(const ynode_ctx *c, const yaml_node_t *n, const char *path, void *out,
                          int i, const void *arg);
ate_status cy_item_ligand(const ynode_ctx *c, const yaml_node_t *n, const char *path, void *out,
                          int i, const void *arg);

ate_status cy_read_families(const ynode_ctx *c, const yaml_node_t *n, ate_campaign_spec *spec);

#endif
