/**
 * @file gen_c6_table.c
 * @brief Build-time generator (not installed): `gen_c6_table c6ref.tsv gfn1_c6_table.c` writes the
 *        rows of the D3 reference table as C literals, each number copied as written in the file
 *        (a ".0" is appended to integers so that every literal is a decimal floating constant),
 *        with the file's size and gfn1_hash (kernels/xtb/gfn1_c6_table.h). Rows are split as
 *        gfn1_params.c splits them: '#' lines and the header skipped, a row ends at CR or LF,
 *        columns are separated by runs of tabs, the first 5 columns are used. A file it cannot
 *        convert (a short row, a number that is not a plain decimal) gives an empty table
 *        (nrec = 0): the kernel then parses the file and reports the error with its line.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gfn1_c6_table.h"

/* [+-]digits[.digits][(e|E)[+-]digits], at least one mantissa digit. */
static bool plain_decimal(const char *s, bool *integer)
{
    const char *c = s + (*s == '+' || *s == '-');
    int digits = 0;
    for (; *c >= '0' && *c <= '9'; ++c)
        ++digits;
    *integer = *c != '.' && *c != 'e' && *c != 'E';
    if (*c == '.')
        for (++c; *c >= '0' && *c <= '9'; ++c)
            ++digits;
    if (!digits) return false;
    if (*c == 'e' || *c == 'E') {
        c += 1 + (c[1] == '+' || c[1] == '-');
        if (!(*c >= '0' && *c <= '9')) return false;
        while (*c >= '0' && *c <= '9')
            ++c;
    }
    return *c == '\0';
}

/* The rows of text (modified in place) as literals into body; false if the file is not plain. */
static bool convert(char *text, FILE *body, int *nrec)
{
    bool header = false;
    *nrec = 0;
    for (char *row = text, *next; row && *row; row = next) {
        char *eol = strchr(row, '\n');
        next = eol ? eol + 1 : NULL;
        if (eol) *eol = '\0';
        if (row[0] == '#') continue;
        if (!header) {
            header = true;
            continue;
        }
        char *col[5];
        int ncol = 0;
        for (char *c = row; *c && *c != '\r' && ncol < 5;) {
            while (*c == '\t')
                ++c;
            if (!*c || *c == '\r') break;
            col[ncol++] = c;
            while (*c && *c != '\t' && *c != '\r')
                ++c;
            char end = *c;
            *c = '\0';
            if (end == '\t') ++c;
        }
        if (ncol < 5) return false;
        fputs("    {", body);
        for (int k = 0; k < 5; ++k) {
            bool integer;
            if (!plain_decimal(col[k], &integer)) return false;
            fprintf(body, "%s%s%s", k ? ", " : "", col[k], integer ? ".0" : "");
        }
        fputs("},\n", body);
        ++*nrec;
    }
    return true;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_c6_table c6ref.tsv gfn1_c6_table.c\n");
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    long size = -1;
    if (in && fseek(in, 0, SEEK_END) == 0) size = ftell(in);
    char *text = size >= 0 ? malloc((size_t)size + 1) : NULL;
    if (!in || !text || fseek(in, 0, SEEK_SET) != 0 ||
        fread(text, 1, (size_t)size, in) != (size_t)size) {
        fprintf(stderr, "gen_c6_table: cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(in);
    text[size] = '\0';
    gfn1_hash h;
    gfn1_hash_init(&h);
    gfn1_hash_update(&h, (const unsigned char *)text, (size_t)size);
    char *lits = NULL;
    size_t nlits = 0;
    FILE *body = open_memstream(&lits, &nlits);
    int nrec = 0;
    bool ok = body && convert(text, body, &nrec);
    if (body) fclose(body);
    if (!ok) {
        fprintf(stderr,
                "gen_c6_table: %s is not a plain table of decimals; the kernel will parse "
                "it at run time\n",
                argv[1]);
        nrec = 0;
    }
    FILE *out = fopen(argv[2], "w");
    if (!out) {
        fprintf(stderr, "gen_c6_table: cannot write %s\n", argv[2]);
        return 1;
    }
    fprintf(out,
            "/* Generated at build time by kernels/xtb/gen/gen_c6_table.c from\n"
            " * inputs/params/d3/c6ref.tsv (inputs/params/PROVENANCE.md): its rows, the numbers "
            "as written there.\n * Do not edit. */\n#include \"gfn1_c6_table.h\"\n\n"
            "static const double rows[][5] = {\n%s%s};\n\n"
            "const gfn1_c6_builtin gfn1_c6_table = {%ldLL, 0x%016llxu, %d, rows};\n",
            ok && nrec ? lits : "", ok && nrec ? "" : "    {0, 0, 0, 0, 0},\n", size,
            (unsigned long long)gfn1_hash_final(&h), ok ? nrec : 0);
    free(lits);
    free(text);
    return fclose(out) == 0 ? 0 : 1;
}
