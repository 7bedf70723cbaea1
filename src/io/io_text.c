/**
 * @file io_text.c
 * @brief Line-oriented text scanning for the structure readers.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/elements.h"
#include "io_internal.h"

static ate_status split_lines(io_text *t, ate_error *err)
{
    int cap = 64;
    t->line = malloc((size_t)cap * sizeof(char *));
    if (!t->line) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory reading '%s'", t->path);
    char *p = t->buf;
    while (*p) {
        if (t->nlines == cap) {
            cap *= 2;
            char **l = realloc(t->line, (size_t)cap * sizeof(char *));
            if (!l) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory reading '%s'", t->path);
            t->line = l;
        }
        t->line[t->nlines++] = p;
        char *e = strchr(p, '\n');
        if (!e) break;
        if (e > p && e[-1] == '\r') e[-1] = '\0';
        *e = '\0';
        p = e + 1;
    }
    return ATE_OK;
}

ate_status io_text_from_string(const char *text, const char *name, io_text *t, ate_error *err)
{
    memset(t, 0, sizeof(*t));
    t->path = name;
    size_t n = strlen(text);
    t->buf = malloc(n + 1);
    if (!t->buf) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory reading '%s'", name);
    memcpy(t->buf, text, n + 1);
    return split_lines(t, err);
}

ate_status io_read_file(const char *path, char **text, size_t *len, ate_error *err)
{
    *text = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ate_error_set_input(err, ATE_ERR_IO, __FILE__, __LINE__, path, 0, 0, NULL,
                                   "cannot open the file: %s", strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1) break;
        cap *= 2;
        char *b = realloc(buf, cap);
        if (!b) free(buf);
        buf = b;
    }
    bool bad = ferror(f);
    fclose(f);
    if (!buf) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory reading '%s'", path);
    buf[n] = '\0';
    ate_status st = ATE_OK;
    if (bad)
        st = ate_error_set_input(err, ATE_ERR_IO, __FILE__, __LINE__, path, 0, 0, NULL,
                                 "cannot read the file: %s", strerror(errno));
    else if (strlen(buf) != n)
        st = ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, path, 0, 0, NULL,
                                 "not a text file (it contains NUL bytes)");
    if (st != ATE_OK) {
        free(buf);
        return st;
    }
    *text = buf;
    if (len) *len = n;
    return ATE_OK;
}

ate_status io_text_load(const char *path, io_text *t, ate_error *err)
{
    memset(t, 0, sizeof(*t));
    t->path = path;
    ATE_TRY(io_read_file(path, &t->buf, NULL, err));
    return split_lines(t, err);
}

void io_text_free(io_text *t)
{
    free(t->buf);
    free(t->line);
    memset(t, 0, sizeof(*t));
}

int io_split(char *s, char **tok, int max)
{
    int n = 0;
    while (*s && n < max) {
        while (*s && isspace((unsigned char)*s))
            ++s;
        if (!*s) break;
        tok[n++] = s;
        while (*s && !isspace((unsigned char)*s))
            ++s;
        if (*s) *s++ = '\0';
    }
    return n;
}

bool io_parse_double(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    /* Fortran-style exponents (1.0D-3) are common in chemistry files */
    if (*end == 'd' || *end == 'D') {
        char tmp[64];
        size_t n = strlen(s);
        if (n >= sizeof(tmp)) return false;
        memcpy(tmp, s, n + 1);
        tmp[end - s] = 'e';
        *v = strtod(tmp, &end);
        return end != tmp && *end == '\0' && errno == 0;
    }
    return end != s && *end == '\0' && errno == 0;
}

bool io_parse_int(const char *s, int *v)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno != 0 || x < -2147483647L || x > 2147483647L) return false;
    *v = (int)x;
    return true;
}

int io_element(const char *sym)
{
    char s[4] = {0};
    size_t n = strlen(sym);
    if (n == 0 || n > 3) return 0;
    s[0] = (char)toupper((unsigned char)sym[0]);
    for (size_t i = 1; i < n; ++i)
        s[i] = (char)tolower((unsigned char)sym[i]);
    return ate_element_from_symbol(s);
}

ate_status io_create(const io_text *t, const ate_structure_desc *d, const int *atom_line,
                     int header_line, ate_structure **out, ate_error *err)
{
    ate_status st = ate_structure_create(d, out, err);
    if (st == ATE_OK || !err) return st;
    int line = 0;
    /* messages name atoms 1-based: "atoms 3 (C) and 7 (N) ..." -> line of atom 7;
     * "unknown element Z = .. at atom 4" / "atom 4 ..." -> line of atom 4 */
    if (atom_line) {
        int a = 0, b = 0;
        const char *m = err->message;
        if (sscanf(m, "atoms %d (%*[^)]) and %d", &a, &b) == 2 && b >= 1 && b <= d->natoms)
            line = atom_line[b - 1];
        else if (sscanf(m, "atom %d", &a) == 1 && a >= 1 && a <= d->natoms)
            line = atom_line[a - 1];
        else if ((m = strstr(m, "at atom ")) && sscanf(m, "at atom %d", &a) == 1 && a >= 1 &&
                 a <= d->natoms)
            line = atom_line[a - 1];
    }
    if (line == 0 && (!strcmp(err->field, "charge") || !strcmp(err->field, "uhf") ||
                      !strcmp(err->field, "cell") || !strcmp(err->field, "pbc")))
        line = header_line;
    ate_error_locate(err, t->path, line, 0, NULL);
    return st;
}
