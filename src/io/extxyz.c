/**
 * @file extxyz.c
 * @brief Plain and extended XYZ (the ASE dialect, ase/io/extxyz.py of ASE 3.22):
 *
 *   N
 *   Lattice="ax ay az bx by bz cx cy cz" Properties=species:S:1:pos:R:3:tags:I:1 pbc="T T F" k=v
 *   Fe  x y z  tag ...
 *
 * Lattice rows are the cell vectors (Å). Properties lists name:type:columns with types S, R, I, L.
 * Recognised columns: species (or Z), pos, tags, move_mask (L:1 or L:3, true = free, ASE's
 * FixAtoms/FixCartesian), fixed (L:1 or L:3, true = fixed) and initial_magmoms (R:1, ASE's
 * collinear starting moments N_up - N_down per atom: the plane-wave kernel's starting moments;
 * written back when the structure has any); any other column (forces, masses, the calculator's
 * magmoms, ...) is read past and dropped. Comment keys other than Lattice, Properties and pbc go
 * to the structure's info dictionary as text; `charge` and `uhf` also set the electron count.
 * Without Lattice the structure has no cell; with Lattice and no pbc key it is periodic along all
 * three axes (ASE's rule).
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/elements.h"
#include "atescreen/units.h"
#include "io_internal.h"

enum { MAX_KV = 128, MAX_PROPS = 32, MAX_COLS = 128 };

typedef struct kv_list {
    int n;
    char *key[MAX_KV];
    char *value[MAX_KV];
} kv_list;

static void kv_free(kv_list *kv)
{
    for (int i = 0; i < kv->n; ++i)
        free(kv->key[i]), free(kv->value[i]);
    kv->n = 0;
}

/* Read a bare or double-quoted token at *p; returns a malloc'd copy or NULL on a missing quote. */
static char *read_token(const char **p, bool stop_at_eq, bool *ok)
{
    const char *s = *p;
    size_t cap = strlen(s) + 1, n = 0;
    char *out = malloc(cap);
    *ok = out != NULL;
    if (!out) return NULL;
    if (*s == '"') {
        ++s;
        while (*s && *s != '"') {
            if (*s == '\\' && s[1]) ++s;
            out[n++] = *s++;
        }
        if (*s != '"')
            *ok = false;
        else
            ++s;
    } else {
        while (*s && !isspace((unsigned char)*s) && !(stop_at_eq && *s == '='))
            out[n++] = *s++;
    }
    out[n] = '\0';
    *p = s;
    return out;
}

static ate_status parse_comment(const io_text *t, int line, kv_list *kv, ate_error *err)
{
    const char *p = t->line[line - 1];
    kv->n = 0;
    while (*p) {
        while (*p && isspace((unsigned char)*p))
            ++p;
        if (!*p) break;
        if (kv->n == MAX_KV) return IO_ERROR(err, t, line, "comment", "more than %d keys", MAX_KV);
        bool ok;
        char *key = read_token(&p, true, &ok);
        char *value = NULL;
        if (ok && *p == '=') {
            ++p;
            value = read_token(&p, false, &ok);
        } else if (ok) {
            size_t n = 2;
            value = malloc(n);
            if (value) memcpy(value, "T", n); /* a bare key is a true flag */
            ok = value != NULL;
        }
        if (!ok || !key || !key[0]) {
            free(key), free(value);
            return IO_ERROR(err, t, line, "comment",
                            "malformed key=value pair (unterminated quote?)");
        }
        kv->key[kv->n] = key, kv->value[kv->n++] = value;
    }
    return ATE_OK;
}

static const char *kv_get(const kv_list *kv, const char *key)
{
    for (int i = 0; i < kv->n; ++i)
        if (strcmp(kv->key[i], key) == 0) return kv->value[i];
    return NULL;
}

typedef struct prop {
    char name[64];
    char type;
    int ncols, first; /* first column index */
} prop;

static ate_status parse_properties(const io_text *t, const char *spec, prop *props, int *nprops,
                                   int *ncols, ate_error *err)
{
    char buf[1024];
    if (strlen(spec) >= sizeof(buf))
        return IO_ERROR(err, t, 2, "Properties", "Properties is too long");
    strcpy(buf, spec);
    *nprops = 0, *ncols = 0;
    char *save = NULL;
    for (char *name = strtok_r(buf, ":", &save); name; name = strtok_r(NULL, ":", &save)) {
        char *type = strtok_r(NULL, ":", &save), *count = strtok_r(NULL, ":", &save);
        int nc;
        if (!type || !count || strlen(type) != 1 || !strchr("SRIL", type[0]) ||
            !io_parse_int(count, &nc) || nc < 1 || *nprops == MAX_PROPS)
            return IO_ERROR(err, t, 2, "Properties",
                            "malformed Properties '%s' (expected name:type:columns triplets, type "
                            "S, R, I or L)",
                            spec);
        prop *p = &props[(*nprops)++];
        snprintf(p->name, sizeof(p->name), "%s", name);
        p->type = type[0], p->ncols = nc, p->first = *ncols;
        *ncols += nc;
    }
    if (*ncols > MAX_COLS)
        return IO_ERROR(err, t, 2, "Properties", "too many columns (%d)", *ncols);
    return ATE_OK;
}

static bool parse_bool(const char *s, bool *v)
{
    if (!strcmp(s, "T") || !strcmp(s, "True") || !strcmp(s, "true") || !strcmp(s, "1"))
        return *v = true, true;
    if (!strcmp(s, "F") || !strcmp(s, "False") || !strcmp(s, "false") || !strcmp(s, "0"))
        return *v = false, true;
    return false;
}

/* Structural keys from the comment line: cell, pbc, charge, uhf. */
static ate_status comment_structure(const io_text *t, int line, const kv_list *kv, double *cell,
                                    bool *has_cell, bool pbc[3], int *charge, int *uhf,
                                    ate_error *err)
{
    const char *lat = kv_get(kv, "Lattice"), *pb = kv_get(kv, "pbc");
    *has_cell = lat != NULL;
    if (lat) {
        char buf[512], *tok[10];
        snprintf(buf, sizeof(buf), "%s", lat);
        int n = io_split(buf, tok, 10);
        if (n != 9)
            return IO_ERROR(err, t, line, "Lattice", "Lattice needs 9 numbers, found %d", n);
        for (int k = 0; k < 9; ++k) {
            if (!io_parse_double(tok[k], &cell[k]))
                return IO_ERROR(err, t, line, "Lattice", "cannot parse '%s' as a number", tok[k]);
            cell[k] *= ATE_ANGSTROM_BOHR;
        }
    }
    for (int k = 0; k < 3; ++k)
        pbc[k] = lat != NULL;
    if (pb) {
        char buf[64], *tok[4];
        snprintf(buf, sizeof(buf), "%s", pb);
        int n = io_split(buf, tok, 4);
        bool ok = n == 3;
        for (int k = 0; ok && k < 3; ++k)
            ok = parse_bool(tok[k], &pbc[k]);
        if (!ok) return IO_ERROR(err, t, line, "pbc", "pbc must be three of T/F, got '%s'", pb);
    }
    const char *q = kv_get(kv, "charge"), *u = kv_get(kv, "uhf");
    double dq;
    if (q && !(io_parse_double(q, &dq) && dq == (int)dq))
        return IO_ERROR(err, t, line, "charge", "charge must be an integer, got '%s'", q);
    *charge = q ? (int)dq : 0;
    if (u && !io_parse_int(u, uhf))
        return IO_ERROR(err, t, line, "uhf", "uhf must be an integer, got '%s'", u);
    if (!u) *uhf = ATE_UHF_AUTO;
    return ATE_OK;
}

typedef struct frame_arrays {
    int *z, *tags, *line;
    double *pos, *magmoms; /* magmoms NULL without an initial_magmoms column */
    bool *fixed;
} frame_arrays;

static void arrays_free(frame_arrays *a)
{
    free(a->z), free(a->tags), free(a->line), free(a->pos), free(a->fixed), free(a->magmoms);
}

static ate_status read_atoms(const io_text *t, int first, int n, const prop *props, int nprops,
                             int ncols, frame_arrays *a, ate_error *err)
{
    for (int i = 0; i < n; ++i) {
        int ln = first + i; /* 1-based line number */
        if (ln > t->nlines)
            return IO_ERROR(err, t, t->nlines, "atoms", "file ends after %d of %d atom lines", i,
                            n);
        char buf[4096], *tok[MAX_COLS + 1];
        snprintf(buf, sizeof(buf), "%s", t->line[ln - 1]);
        int nt = io_split(buf, tok, MAX_COLS + 1);
        if (nt < ncols)
            return IO_ERROR(err, t, ln, "atoms", "expected %d columns, found %d", ncols, nt);
        a->line[i] = ln;
        for (int p = 0; p < nprops; ++p) {
            const prop *pr = &props[p];
            char **c = tok + pr->first;
            if (!strcmp(pr->name, "species") && pr->type == 'S') {
                if (!(a->z[i] = io_element(c[0])))
                    return IO_ERROR(err, t, ln, "species", "unknown element '%s'", c[0]);
            } else if (!strcmp(pr->name, "Z") && pr->type == 'I') {
                if (!io_parse_int(c[0], &a->z[i]) || !ate_element_valid(a->z[i]))
                    return IO_ERROR(err, t, ln, "Z", "unknown element Z = '%s'", c[0]);
            } else if (!strcmp(pr->name, "pos") && pr->type == 'R' && pr->ncols == 3) {
                static const char *xyz[3] = {"x", "y", "z"};
                for (int k = 0; k < 3; ++k) {
                    if (!io_parse_double(c[k], &a->pos[3 * i + k]))
                        return IO_ERROR(err, t, ln, xyz[k], "cannot parse '%s' as a number", c[k]);
                    a->pos[3 * i + k] *= ATE_ANGSTROM_BOHR;
                }
            } else if (!strcmp(pr->name, "tags") && pr->type == 'I') {
                if (!io_parse_int(c[0], &a->tags[i]))
                    return IO_ERROR(err, t, ln, "tags", "cannot parse '%s' as an integer", c[0]);
            } else if ((!strcmp(pr->name, "move_mask") || !strcmp(pr->name, "fixed")) &&
                       pr->type == 'L' && (pr->ncols == 1 || pr->ncols == 3)) {
                bool free_mask = !strcmp(pr->name, "move_mask");
                for (int k = 0; k < 3; ++k) {
                    bool v;
                    if (!parse_bool(c[pr->ncols == 3 ? k : 0], &v))
                        return IO_ERROR(err, t, ln, pr->name, "expected T or F, got '%s'",
                                        c[pr->ncols == 3 ? k : 0]);
                    a->fixed[3 * i + k] = free_mask ? !v : v;
                }
            } else if (!strcmp(pr->name, "initial_magmoms") && a->magmoms) {
                if (!io_parse_double(c[0], &a->magmoms[i]) || !isfinite(a->magmoms[i]))
                    return IO_ERROR(
                        err, t, ln, "initial_magmoms",
                        "cannot parse '%s' as a number (the starting moment of atom %d)", c[0],
                        i + 1);
            }
        }
    }
    return ATE_OK;
}

ate_status io_read_xyz_frame(const io_text *t, int *line, bool extended, ate_structure **out,
                             ate_error *err)
{
    *out = NULL;
    int l1 = *line + 1; /* 1-based line of the atom count */
    char buf[256], *tok[2];
    snprintf(buf, sizeof(buf), "%s", t->line[*line]);
    int n;
    if (io_split(buf, tok, 2) != 1 || !io_parse_int(tok[0], &n) || n < 1)
        return IO_ERROR(err, t, l1, "natoms",
                        "expected the number of atoms (a positive integer), got '%s'",
                        t->line[*line]);
    if (l1 + 1 > t->nlines)
        return IO_ERROR(err, t, l1, "comment", "file ends before the comment line");
    kv_list kv = {0};
    prop props[MAX_PROPS];
    int nprops = 2, ncols = 4;
    props[0] = (prop){"species", 'S', 1, 0};
    props[1] = (prop){"pos", 'R', 3, 1};
    double cell[9] = {0};
    bool has_cell = false, pbc[3] = {false, false, false};
    int charge = 0, uhf = ATE_UHF_AUTO;
    ate_status st = ATE_OK;
    if (extended) {
        st = parse_comment(t, l1 + 1, &kv, err);
        const char *ps = kv_get(&kv, "Properties");
        if (st == ATE_OK && ps) st = parse_properties(t, ps, props, &nprops, &ncols, err);
        if (st == ATE_OK)
            st = comment_structure(t, l1 + 1, &kv, cell, &has_cell, pbc, &charge, &uhf, err);
        bool have_pos = false, have_z = false;
        for (int p = 0; p < nprops; ++p) {
            have_pos |= !strcmp(props[p].name, "pos");
            have_z |= !strcmp(props[p].name, "species") || !strcmp(props[p].name, "Z");
        }
        if (st == ATE_OK && (!have_pos || !have_z))
            st = IO_ERROR(err, t, l1 + 1, "Properties",
                          "Properties must contain species (or Z) and pos");
    }
    frame_arrays a = {0};
    for (int p = 0; extended && st == ATE_OK && p < nprops; ++p)
        if (!strcmp(props[p].name, "initial_magmoms")) {
            if (props[p].type != 'R' || props[p].ncols != 1)
                st = IO_ERROR(err, t, l1 + 1, "initial_magmoms",
                              "initial_magmoms must be one real column (collinear moments, R:1), "
                              "got %c:%d",
                              props[p].type, props[p].ncols);
            else if (!(a.magmoms = calloc((size_t)n, sizeof(double))))
                st = ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory reading %d atoms", n);
        }
    if (st == ATE_OK) {
        a.z = calloc((size_t)n, sizeof(int)), a.tags = calloc((size_t)n, sizeof(int));
        a.line = calloc((size_t)n, sizeof(int)), a.pos = calloc((size_t)n * 3, sizeof(double));
        a.fixed = calloc((size_t)n * 3, sizeof(bool));
        if (!a.z || !a.tags || !a.line || !a.pos || !a.fixed)
            st = ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory reading %d atoms", n);
    }
    if (st == ATE_OK) st = read_atoms(t, l1 + 2, n, props, nprops, ncols, &a, err);
    if (st == ATE_OK) {
        ate_structure_desc d = {.natoms = n,
                                .numbers = a.z,
                                .positions = a.pos,
                                .cell = has_cell ? cell : NULL,
                                .pbc = {pbc[0], pbc[1], pbc[2]},
                                .fixed = a.fixed,
                                .tags = a.tags,
                                .charge = charge,
                                .uhf = uhf,
                                .magmoms = a.magmoms};
        st = io_create(t, &d, a.line, l1 + 1, out, err);
    }
    for (int i = 0; st == ATE_OK && i < kv.n; ++i) {
        const char *k = kv.key[i];
        if (strcmp(k, "Lattice") && strcmp(k, "Properties") && strcmp(k, "pbc"))
            st = ate_structure_info_set(*out, k, kv.value[i], err);
    }
    if (st != ATE_OK) ate_structure_destroy(out);
    arrays_free(&a);
    kv_free(&kv);
    *line = l1 + 1 + n;
    return st;
}

/* Quote a value when ASE would otherwise split or misread it. */
static void write_value(FILE *f, const char *v)
{
    bool quote = !*v;
    for (const char *p = v; *p; ++p)
        quote |= isspace((unsigned char)*p) || *p == '"' || *p == '=';
    if (!quote) {
        fputs(v, f);
        return;
    }
    fputc('"', f);
    for (const char *p = v; *p; ++p) {
        if (*p == '"' || *p == '\\') fputc('\\', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

ate_status io_write_xyz(FILE *f, const ate_structure *s, bool extended, ate_error *err)
{
    int n = ate_structure_natoms(s);
    const int *z = ate_structure_numbers(s), *tags = ate_structure_tags(s);
    const double *pos = ate_structure_positions(s), *cell = ate_structure_cell(s);
    const bool *fixed = ate_structure_fixed(s);
    const double *mag = ate_structure_magmoms(s);
    bool any_fixed = false, partial = false, pbc[3];
    for (int i = 0; i < n; ++i) {
        bool a = fixed[3 * i], b = fixed[3 * i + 1], c = fixed[3 * i + 2];
        any_fixed |= a || b || c;
        partial |= (a != b) || (b != c);
    }
    ate_structure_pbc(s, pbc);
    fprintf(f, "%d\n", n);
    if (extended) {
        if (ate_structure_has_cell(s)) {
            fprintf(f, "Lattice=\"");
            for (int k = 0; k < 9; ++k)
                fprintf(f, "%s%.10f", k ? " " : "", cell[k] * ATE_BOHR_ANGSTROM);
            fprintf(f, "\" ");
        }
        fprintf(f, "Properties=species:S:1:pos:R:3:tags:I:1%s%s",
                any_fixed ? (partial ? ":move_mask:L:3" : ":move_mask:L:1") : "",
                mag ? ":initial_magmoms:R:1" : "");
        for (int i = 0; i < ate_structure_info_count(s); ++i) {
            const char *k = ate_structure_info_key(s, i);
            if (!strcmp(k, "charge") || !strcmp(k, "uhf")) continue;
            fprintf(f, " %s=", k);
            write_value(f, ate_structure_info_value(s, i));
        }
        if (ate_structure_charge(s)) fprintf(f, " charge=%d", ate_structure_charge(s));
        if (ate_structure_uhf(s) != ATE_UHF_AUTO) fprintf(f, " uhf=%d", ate_structure_uhf(s));
        fprintf(f, " pbc=\"%c %c %c\"\n", pbc[0] ? 'T' : 'F', pbc[1] ? 'T' : 'F',
                pbc[2] ? 'T' : 'F');
    } else {
        const char *name = ate_structure_info_get(s, "ate_name");
        fprintf(f, "%s\n", name ? name : "");
    }
    for (int i = 0; i < n; ++i) {
        fprintf(f, "%-2s %17.10f %17.10f %17.10f", ate_element_symbol(z[i]),
                pos[3 * i] * ATE_BOHR_ANGSTROM, pos[3 * i + 1] * ATE_BOHR_ANGSTROM,
                pos[3 * i + 2] * ATE_BOHR_ANGSTROM);
        if (extended) {
            fprintf(f, " %d", tags[i]);
            if (any_fixed && partial)
                fprintf(f, " %c %c %c", fixed[3 * i] ? 'F' : 'T', fixed[3 * i + 1] ? 'F' : 'T',
                        fixed[3 * i + 2] ? 'F' : 'T');
            else if (any_fixed)
                fprintf(f, " %c", fixed[3 * i] ? 'F' : 'T');
            if (mag) fprintf(f, " %.10g", mag[i]);
        }
        fputc('\n', f);
    }
    if (ferror(f)) return ATE_ERROR(err, ATE_ERR_IO, "write error");
    return ATE_OK;
}
