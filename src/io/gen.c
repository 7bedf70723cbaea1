/**
 * @file gen.c
 * @brief DFTB+ "gen" structure files (the format xtb 6.5.1 reads reliably for cells):
 *          line 1: number of atoms and the type, C (cluster), S (periodic, Cartesian Å) or
 *                  F (periodic, fractional);
 *          line 2: the element symbols; then one line per atom: index, species number, x y z;
 *          S and F: an origin line and three lattice-vector lines (Å).
 *        Text after '#' is a comment; blank and comment-only lines are skipped. Errors name the
 *        file's line and field.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/elements.h"
#include "atescreen/units.h"
#include "io_internal.h"

#define GEN_MAX_SPECIES 64

/* the content lines (1-based file line numbers) with comments cut off */
typedef struct gen_lines {
    int n, *num;
    char **text;
} gen_lines;

static ate_status content_lines(const io_text *t, gen_lines *g, ate_error *err)
{
    g->n = 0;
    g->num = malloc((size_t)(t->nlines + 1) * sizeof(int));
    g->text = malloc((size_t)(t->nlines + 1) * sizeof(char *));
    if (!g->num || !g->text) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    for (int i = 0; i < t->nlines; ++i) {
        char *hash = strchr(t->line[i], '#');
        if (hash) *hash = '\0';
        if (!t->line[i][strspn(t->line[i], " \t\r")]) continue;
        g->num[g->n] = i + 1;
        g->text[g->n++] = t->line[i];
    }
    return ATE_OK;
}

/* three numbers on content line k */
static ate_status vec3(const io_text *t, const gen_lines *g, int k, const char *field, double *v,
                       ate_error *err)
{
    char buf[512], *tok[8];
    snprintf(buf, sizeof(buf), "%s", g->text[k]);
    if (io_split(buf, tok, 8) < 3)
        return IO_ERROR(err, t, g->num[k], field, "expected three numbers");
    for (int q = 0; q < 3; ++q)
        if (!io_parse_double(tok[q], &v[q]))
            return IO_ERROR(err, t, g->num[k], field, "cannot parse '%s' as a number", tok[q]);
    return ATE_OK;
}

bool io_is_gen(const io_text *t)
{
    for (int i = 0; i < t->nlines; ++i) {
        const char *s = t->line[i] + strspn(t->line[i], " \t\r");
        if (!*s || *s == '#') continue;
        char buf[256], *tok[3];
        snprintf(buf, sizeof(buf), "%s", s);
        int n, nt = io_split(buf, tok, 3);
        return nt == 2 && io_parse_int(tok[0], &n) && n > 0 && strlen(tok[1]) == 1 &&
               strchr("CSFcsf", tok[1][0]);
    }
    return false;
}

static ate_status read_gen(const io_text *t, const gen_lines *g, ate_structure **out,
                           ate_error *err)
{
    char buf[1024], *tok[GEN_MAX_SPECIES + 1];
    if (g->n < 2) return IO_ERROR(err, t, t->nlines, "species", "file ends after the first line");
    snprintf(buf, sizeof(buf), "%s", g->text[0]);
    int n = 0;
    io_split(buf, tok, 3);
    io_parse_int(tok[0], &n);
    char type = (char)toupper((unsigned char)tok[1][0]);
    snprintf(buf, sizeof(buf), "%s", g->text[1]);
    int nsp = io_split(buf, tok, GEN_MAX_SPECIES + 1), zs[GEN_MAX_SPECIES];
    if (nsp < 1 || nsp > GEN_MAX_SPECIES)
        return IO_ERROR(err, t, g->num[1], "species", "expected 1 to %d element symbols",
                        GEN_MAX_SPECIES);
    for (int s = 0; s < nsp; ++s)
        if (!(zs[s] = io_element(tok[s])))
            return IO_ERROR(err, t, g->num[1], "species", "unknown element '%s'", tok[s]);
    bool periodic = type != 'C';
    if (g->n < 2 + n + (periodic ? 4 : 0))
        return IO_ERROR(err, t, t->nlines, periodic ? "lattice" : "positions",
                        "file ends after %d of %d atoms%s", g->n - 2 < n ? g->n - 2 : n, n,
                        periodic ? " and the 4 cell lines" : "");
    double cell[9] = {0}, origin[3] = {0};
    if (periodic) {
        ATE_TRY(vec3(t, g, 2 + n, "origin", origin, err));
        for (int r = 0; r < 3; ++r) {
            ATE_TRY(vec3(t, g, 3 + n + r, "lattice", cell + 3 * r, err));
            for (int q = 0; q < 3; ++q)
                cell[3 * r + q] *= ATE_ANGSTROM_BOHR;
        }
    }
    int *z = malloc((size_t)n * sizeof(int)), *lines = malloc((size_t)n * sizeof(int));
    double *pos = malloc((size_t)n * 3 * sizeof(double));
    ate_status st = (z && lines && pos) ? ATE_OK : ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    static const char *xyz[3] = {"x", "y", "z"};
    for (int i = 0; st == ATE_OK && i < n; ++i) {
        int l = g->num[2 + i], sp;
        snprintf(buf, sizeof(buf), "%s", g->text[2 + i]);
        if (io_split(buf, tok, 6) < 5) {
            st = IO_ERROR(err, t, l, "positions", "expected: index, species, x, y, z");
            break;
        }
        if (!io_parse_int(tok[1], &sp) || sp < 1 || sp > nsp) {
            st = IO_ERROR(err, t, l, "species", "species number '%s' is not in 1..%d", tok[1], nsp);
            break;
        }
        double r[3];
        for (int q = 0; st == ATE_OK && q < 3; ++q)
            if (!io_parse_double(tok[2 + q], &r[q]))
                st = IO_ERROR(err, t, l, xyz[q], "cannot parse '%s' as a number", tok[2 + q]);
        if (st != ATE_OK) break;
        z[i] = zs[sp - 1];
        lines[i] = l;
        for (int q = 0; q < 3; ++q)
            pos[3 * i + q] = type == 'F' ? r[0] * cell[q] + r[1] * cell[3 + q] + r[2] * cell[6 + q]
                                         : (r[q] - origin[q]) * ATE_ANGSTROM_BOHR;
    }
    if (st == ATE_OK) {
        ate_structure_desc d = {.natoms = n,
                                .numbers = z,
                                .positions = pos,
                                .cell = periodic ? cell : NULL,
                                .pbc = {periodic, periodic, periodic},
                                .uhf = ATE_UHF_AUTO};
        st = io_create(t, &d, lines, 2, out, err);
    }
    free(z), free(lines), free(pos);
    return st;
}

ate_status io_read_gen(const io_text *t, ate_structure **out, ate_error *err)
{
    *out = NULL;
    gen_lines g = {0};
    ate_status st = content_lines(t, &g, err);
    if (st == ATE_OK) st = read_gen(t, &g, out, err);
    free(g.num), free(g.text);
    return st;
}

ate_status io_write_gen(FILE *f, const ate_structure *s, ate_error *err)
{
    int n = ate_structure_natoms(s), zs[GEN_MAX_SPECIES], nsp = 0;
    const int *z = ate_structure_numbers(s);
    const double *pos = ate_structure_positions(s), *cell = ate_structure_cell(s);
    bool periodic = ate_structure_is_periodic(s);
    if (periodic) {
        bool pbc[3];
        ate_structure_pbc(s, pbc);
        if (!pbc[0] || !pbc[1] || !pbc[2])
            return ATE_ERROR(err, ATE_ERR_VALUE,
                             "a gen file is periodic along all three axes "
                             "or none; this structure is partly periodic");
    }
    int *sp = malloc((size_t)n * sizeof(int));
    if (!sp) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    for (int i = 0; i < n; ++i) {
        int k = 0;
        while (k < nsp && zs[k] != z[i])
            ++k;
        if (k == nsp) {
            if (nsp == GEN_MAX_SPECIES) {
                free(sp);
                return ATE_ERROR(err, ATE_ERR_VALUE, "more than %d elements", GEN_MAX_SPECIES);
            }
            zs[nsp++] = z[i];
        }
        sp[i] = k + 1;
    }
    fprintf(f, "%d %c\n", n, periodic ? 'S' : 'C');
    for (int k = 0; k < nsp; ++k)
        fprintf(f, "%s%s", k ? " " : "", ate_element_symbol(zs[k]));
    fputc('\n', f);
    for (int i = 0; i < n; ++i)
        fprintf(f, "%d %d %20.12f %20.12f %20.12f\n", i + 1, sp[i], pos[3 * i] * ATE_BOHR_ANGSTROM,
                pos[3 * i + 1] * ATE_BOHR_ANGSTROM, pos[3 * i + 2] * ATE_BOHR_ANGSTROM);
    if (periodic) {
        fprintf(f, "%20.12f %20.12f %20.12f\n", 0.0, 0.0, 0.0);
        for (int r = 0; r < 3; ++r)
            fprintf(f, "%20.12f %20.12f %20.12f\n", cell[3 * r] * ATE_BOHR_ANGSTROM,
                    cell[3 * r + 1] * ATE_BOHR_ANGSTROM, cell[3 * r + 2] * ATE_BOHR_ANGSTROM);
    }
    free(sp);
    if (ferror(f)) return ATE_ERROR(err, ATE_ERR_IO, "write error");
    return ATE_OK;
}
