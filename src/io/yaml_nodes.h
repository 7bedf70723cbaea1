/**
 * @file yaml_nodes.h
 * @brief Typed access to a libyaml document with file:line:column + key-path errors.
 */
#ifndef ATE_YAML_NODES_H
#define ATE_YAML_NODES_H

#include <stdbool.h>

#include <yaml.h>

#include "atescreen/status.h"

typedef struct ynode_ctx {
    yaml_document_t *doc;
    const char *file;
    ate_error *err;
} ynode_ctx;

/* A child path: "parent.key" or "parent[i]". */
void ypath_key(char *out, size_t n, const char *parent, const char *key);
void ypath_index(char *out, size_t n, const char *parent, int i);

yaml_node_t *ynode(const ynode_ctx *c, int id);
ate_status yerror(const ynode_ctx *c, const yaml_node_t *n, const char *path, const char *fmt, ...)
    ATE_PRINTF(4, 5);
const char *ynode_kind(const yaml_node_t *n);
bool ynode_is_null(const yaml_node_t *n);

/* Mapping checks: every key a plain scalar among allowed[] (NULL-terminated), no duplicates. */
ate_status ymap_check(const ynode_ctx *c, const yaml_node_t *n, const char *path,
                      const char *const *allowed);
/* Sequence of at most max items. */
ate_status yseq_check(const ynode_ctx *c, const yaml_node_t *n, const char *path, int max);

ate_status yget_string(const ynode_ctx *c, const yaml_node_t *n, const char *path, char *out,
                       size_t cap);
ate_status yget_double(const ynode_ctx *c, const yaml_node_t *n, const char *path, double lo,
                       double hi, double *v);
ate_status yget_int(const ynode_ctx *c, const yaml_node_t *n, const char *path, int lo, int hi,
                    int *v);
ate_status yget_bool(const ynode_ctx *c, const yaml_node_t *n, const char *path, bool *v);
/* One of names[] (NULL-terminated); *index receives its position. */
ate_status yget_choice(const ynode_ctx *c, const yaml_node_t *n, const char *path,
                       const char *const *names, const char *what, int *index);
ate_status yget_element(const ynode_ctx *c, const yaml_node_t *n, const char *path, int *z);

#endif
