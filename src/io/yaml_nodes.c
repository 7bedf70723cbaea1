/**
 * @file yaml_nodes.c
 * @brief Typed access to libyaml document nodes with precise errors.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/elements.h"
#include "yaml_nodes.h"

void ypath_key(char *out, size_t n, const char *parent, const char *key)
{
    snprintf(out, n, "%s%s%s", parent, parent[0] ? "." : "", key);
}

void ypath_index(char *out, size_t n, const char *parent, int i)
{
    snprintf(out, n, "%s[%d]", parent, i);
}

yaml_node_t *ynode(const ynode_ctx *c, int id) { return yaml_document_get_node(c->doc, id); }

ate_status yerror(const ynode_ctx *c, const yaml_node_t *n, const char *path, const char *fmt, ...)
{
    char msg[ATE_ERROR_MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    int line = n ? (int)n->start_mark.line + 1 : 0, col = n ? (int)n->start_mark.column + 1 : 0;
    return ate_error_set_input(c->err, ATE_ERR_INPUT, __FILE__, __LINE__, c->file, line, col,
                               path && path[0] ? path : NULL, "%s", msg);
}

const char *ynode_kind(const yaml_node_t *n)
{
    if (!n) return "nothing";
    if (n->type == YAML_MAPPING_NODE) return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE) return "a list";
    return ynode_is_null(n) ? "nothing" : "a scalar";
}

static const char *sval(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static bool plain(const yaml_node_t *n) { return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE; }

bool ynode_is_null(const yaml_node_t *n)
{
    if (!n) return true;
    if (n->type != YAML_SCALAR_NODE || !plain(n)) return false;
    const char *s = sval(n);
    return !s[0] || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

static void list_names(char *buf, size_t n, const char *const *names)
{
    buf[0] = '\0';
    for (int i = 0; names[i]; ++i) {
        size_t len = strlen(buf);
        snprintf(buf + len, n - len, "%s%s", i ? ", " : "", names[i]);
    }
}

ate_status ymap_check(const ynode_ctx *c, const yaml_node_t *n, const char *path,
                      const char *const *allowed)
{
    if (!n || n->type != YAML_MAPPING_NODE)
        return yerror(c, n, path, "expected a mapping of keys, got %s", ynode_kind(n));
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; ++p) {
        yaml_node_t *k = ynode(c, p->key);
        if (k->type != YAML_SCALAR_NODE) return yerror(c, k, path, "keys must be plain names");
        bool ok = false;
        for (int i = 0; allowed[i] && !ok; ++i)
            ok = !strcmp(sval(k), allowed[i]);
        if (!ok) {
            char names[512];
            list_names(names, sizeof(names), allowed);
            return yerror(c, k, path, "unknown key '%s' (allowed: %s)", sval(k), names);
        }
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; ++q)
            if (!strcmp(sval(ynode(c, q->key)), sval(k)))
                return yerror(c, k, path, "duplicated key '%s'", sval(k));
    }
    return ATE_OK;
}

ate_status yseq_check(const ynode_ctx *c, const yaml_node_t *n, const char *path, int max)
{
    if (!n || n->type != YAML_SEQUENCE_NODE)
        return yerror(c, n, path, "expected a list, got %s", ynode_kind(n));
    long len = n->data.sequence.items.top - n->data.sequence.items.start;
    if (len > max) return yerror(c, n, path, "at most %d entries allowed, got %ld", max, len);
    return ATE_OK;
}

static ate_status scalar(const ynode_ctx *c, const yaml_node_t *n, const char *path,
                         const char *what)
{
    if (!n || n->type != YAML_SCALAR_NODE || ynode_is_null(n))
        return yerror(c, n, path, "expected %s, got %s", what, ynode_kind(n));
    return ATE_OK;
}

ate_status yget_string(const ynode_ctx *c, const yaml_node_t *n, const char *path, char *out,
                       size_t cap)
{
    ATE_TRY(scalar(c, n, path, "a string"));
    if (strlen(sval(n)) >= cap) return yerror(c, n, path, "longer than %zu characters", cap - 1);
    strcpy(out, sval(n));
    return ATE_OK;
}

ate_status yget_double(const ynode_ctx *c, const yaml_node_t *n, const char *path, double lo,
                       double hi, double *v)
{
    ATE_TRY(scalar(c, n, path, "a number"));
    char *end;
    errno = 0;
    *v = strtod(sval(n), &end);
    if (!plain(n))
        return yerror(c, n, path, "expected a number, got the quoted string '%s'", sval(n));
    if (end == sval(n) || *end || errno || !isfinite(*v))
        return yerror(c, n, path, "expected a number, got '%s'", sval(n));
    if (*v < lo || *v > hi) return yerror(c, n, path, "%g is out of range [%g, %g]", *v, lo, hi);
    return ATE_OK;
}

ate_status yget_int(const ynode_ctx *c, const yaml_node_t *n, const char *path, int lo, int hi,
                    int *v)
{
    ATE_TRY(scalar(c, n, path, "an integer"));
    char *end;
    errno = 0;
    long x = strtol(sval(n), &end, 10);
    if (!plain(n))
        return yerror(c, n, path, "expected an integer, got the quoted string '%s'", sval(n));
    if (end == sval(n) || *end || errno)
        return yerror(c, n, path, "expected an integer, got '%s'", sval(n));
    if (x < lo || x > hi) return yerror(c, n, path, "%ld is out of range [%d, %d]", x, lo, hi);
    *v = (int)x;
    return ATE_OK;
}

ate_status yget_bool(const ynode_ctx *c, const yaml_node_t *n, const char *path, bool *v)
{
    ATE_TRY(scalar(c, n, path, "true or false"));
    if (plain(n) && !strcmp(sval(n), "true")) return *v = true, ATE_OK;
    if (plain(n) && !strcmp(sval(n), "false")) return *v = false, ATE_OK;
    return yerror(c, n, path, "expected true or false, got %s'%s'",
                  plain(n) ? "" : "the quoted string ", sval(n));
}

ate_status yget_choice(const ynode_ctx *c, const yaml_node_t *n, const char *path,
                       const char *const *names, const char *what, int *index)
{
    ATE_TRY(scalar(c, n, path, what));
    for (int i = 0; names[i]; ++i)
        if (!strcmp(sval(n), names[i])) return *index = i, ATE_OK;
    char list[512];
    list_names(list, sizeof(list), names);
    return yerror(c, n, path, "unknown %s '%s' (allowed: %s)", what, sval(n), list);
}

ate_status yget_element(const ynode_ctx *c, const yaml_node_t *n, const char *path, int *z)
{
    ATE_TRY(scalar(c, n, path, "an element symbol"));
    *z = ate_element_from_symbol(sval(n));
    if (!*z) return yerror(c, n, path, "unknown element '%s'", sval(n));
    return ATE_OK;
}
