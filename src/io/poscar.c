/**
 * @file poscar.c
 * @brief VASP POSCAR/CONTCAR (VASP 5 format, with the element-symbol line):
 *
 *   comment
 *   scale            (> 0: factor; < 0: target volume in Å^3; three values: per-axis factors)
 *   a1 / a2 / a3     (Å, times scale)
 *   symbols          (runs may repeat: "C N C")
 *   counts
 *   [Selective dynamics]
 *   Direct | Cartesian   (first letter: D; C or K)
 *   x y z [T/F T/F T/F]  (F = fixed component)
 *
 * A POSCAR is periodic along all three axes. Velocities and predictor blocks after the positions
 * are ignored. VASP 4 files (no symbols line) are rejected with a message, because the element of
 * each block cannot be known from the file.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/elements.h"
#include "atescreen/units.h"
#include "io_internal.h"

enum { MAX_SPECIES = 64 };

static ate_status read_vec(const io_text *t, int ln, const char *field, int want, double *v,
                           int *got, ate_error *err)
{
    if (ln > t->nlines)
        return IO_ERROR(err, t, t->nlines, field, "file ends before the %s line", field);
    char buf[512], *tok[8];
    snprintf(buf, sizeof(buf), "%s", t->line[ln - 1]);
    int n = io_split(buf, tok, 8);
    if (got) *got = n < want ? n : want;
    if (n < (got ? 1 : want))
        return IO_ERROR(err, t, ln, field, "expected %d numbers, found %d", want, n);
    for (int k = 0; k < (got ? *got : want); ++k)
        if (!io_parse_double(tok[k], &v[k]))
            return IO_ERROR(err, t, ln, field, "cannot parse '%s' as a number", tok[k]);
    return ATE_OK;
}

static ate_status read_species(const io_text *t, int *zs, int *counts, int *nsp, int *natoms,
                               ate_error *err)
{
    if (t->nlines < 7)
        return IO_ERROR(err, t, t->nlines, "symbols", "file ends before the element counts");
    char b6[1024], b7[1024], *sym[MAX_SPECIES], *cnt[MAX_SPECIES];
    snprintf(b6, sizeof(b6), "%s", t->line[5]);
    snprintf(b7, sizeof(b7), "%s", t->line[6]);
    int ns = io_split(b6, sym, MAX_SPECIES), nc = io_split(b7, cnt, MAX_SPECIES), dummy;
    if (ns > 0 && io_parse_int(sym[0], &dummy))
        return IO_ERROR(err, t, 6, "symbols",
                        "no element symbols line (VASP 4 format): add a line with the symbols "
                        "before the counts");
    if (ns == 0 || ns != nc)
        return IO_ERROR(err, t, 7, "counts", "%d element symbols but %d counts", ns, nc);
    *natoms = 0;
    for (int k = 0; k < ns; ++k) {
        char *slash = strchr(sym[k], '/'); /* "Fe_pv" or "Fe/abc" style POTCAR labels */
        if (slash) *slash = '\0';
        char *us = strchr(sym[k], '_');
        if (us) *us = '\0';
        if (!(zs[k] = io_element(sym[k])))
            return IO_ERROR(err, t, 6, "symbols", "unknown element '%s'", sym[k]);
        if (!io_parse_int(cnt[k], &counts[k]) || counts[k] < 0)
            return IO_ERROR(err, t, 7, "counts", "cannot parse '%s' as a count", cnt[k]);
        *natoms += counts[k];
    }
    *nsp = ns;
    if (*natoms < 1) return IO_ERROR(err, t, 7, "counts", "the counts add up to no atoms");
    return ATE_OK;
}

ate_status io_read_poscar(const io_text *t, ate_structure **out, ate_error *err)
{
    *out = NULL;
    double scale[3], cell[9];
    int nscale;
    ATE_TRY(read_vec(t, 2, "scale", 3, scale, &nscale, err));
    if (nscale == 2) return IO_ERROR(err, t, 2, "scale", "expected one or three scale factors");
    for (int r = 0; r < 3; ++r)
        ATE_TRY(read_vec(t, 3 + r, "lattice", 3, cell + 3 * r, NULL, err));
    int zs[MAX_SPECIES], counts[MAX_SPECIES], nsp = 0, n = 0;
    ATE_TRY(read_species(t, zs, counts, &nsp, &n, err));
    double f[3] = {scale[0], scale[0], scale[0]};
    if (nscale == 3) {
        for (int k = 0; k < 3; ++k) {
            if (scale[k] <= 0)
                return IO_ERROR(err, t, 2, "scale", "per-axis scale factors must be positive");
            f[k] = scale[k];
        }
    } else if (scale[0] < 0) {
        double v = fabs(cell[0] * (cell[4] * cell[8] - cell[5] * cell[7]) -
                        cell[1] * (cell[3] * cell[8] - cell[5] * cell[6]) +
                        cell[2] * (cell[3] * cell[7] - cell[4] * cell[6]));
        if (v == 0.0) return IO_ERROR(err, t, 3, "lattice", "cell is singular");
        f[0] = f[1] = f[2] = cbrt(-scale[0] / v);
    } else if (scale[0] == 0.0) {
        return IO_ERROR(err, t, 2, "scale", "scale factor must not be zero");
    }
    for (int r = 0; r < 3; ++r)
        for (int k = 0; k < 3; ++k)
            cell[3 * r + k] *= f[k] * ATE_ANGSTROM_BOHR;
    int ln = 8; /* 1-based */
    if (ln > t->nlines)
        return IO_ERROR(err, t, t->nlines, "coordinates",
                        "file ends before the coordinate mode line");
    bool selective = false;
    const char *m = t->line[ln - 1];
    while (isspace((unsigned char)*m))
        ++m;
    if (*m == 'S' || *m == 's') selective = true, ++ln;
    if (ln > t->nlines)
        return IO_ERROR(err, t, t->nlines, "coordinates",
                        "file ends before the coordinate mode line");
    m = t->line[ln - 1];
    while (isspace((unsigned char)*m))
        ++m;
    bool cart = *m == 'C' || *m == 'c' || *m == 'K' || *m == 'k';
    if (!cart && *m != 'D' && *m != 'd')
        return IO_ERROR(err, t, ln, "coordinates", "expected 'Direct' or 'Cartesian', got '%s'",
                        t->line[ln - 1]);
    int *z = malloc((size_t)n * sizeof(int)), *lines = malloc((size_t)n * sizeof(int));
    double *pos = malloc((size_t)n * 3 * sizeof(double));
    bool *fixed = calloc((size_t)n * 3, sizeof(bool));
    ate_status st =
        (z && lines && pos && fixed) ? ATE_OK : ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    for (int s = 0, i = 0; st == ATE_OK && s < nsp; ++s)
        for (int c = 0; st == ATE_OK && c < counts[s]; ++c, ++i) {
            int l = ln + 1 + i;
            if (l > t->nlines) {
                st = IO_ERROR(err, t, t->nlines, "positions", "file ends after %d of %d atoms", i,
                              n);
                break;
            }
            char buf[512], *tok[8];
            snprintf(buf, sizeof(buf), "%s", t->line[l - 1]);
            int nt = io_split(buf, tok, 8);
            static const char *xyz[3] = {"x", "y", "z"};
            double r[3];
            if (nt < (selective ? 6 : 3)) {
                st = IO_ERROR(err, t, l, "positions", "expected %d columns, found %d",
                              selective ? 6 : 3, nt);
                break;
            }
            for (int k = 0; st == ATE_OK && k < 3; ++k)
                if (!io_parse_double(tok[k], &r[k]))
                    st = IO_ERROR(err, t, l, xyz[k], "cannot parse '%s' as a number", tok[k]);
            for (int k = 0; st == ATE_OK && selective && k < 3; ++k) {
                char fl = (char)toupper((unsigned char)tok[3 + k][0]);
                if ((fl != 'T' && fl != 'F') || tok[3 + k][1])
                    st = IO_ERROR(err, t, l, "selective dynamics", "expected T or F, got '%s'",
                                  tok[3 + k]);
                fixed[3 * i + k] = fl == 'F';
            }
            if (st != ATE_OK) break;
            z[i] = zs[s];
            lines[i] = l;
            for (int k = 0; k < 3; ++k)
                pos[3 * i + k] = cart ? r[k] * f[k] * ATE_ANGSTROM_BOHR
                                      : r[0] * cell[k] + r[1] * cell[3 + k] + r[2] * cell[6 + k];
        }
    if (st == ATE_OK) {
        ate_structure_desc d = {.natoms = n,
                                .numbers = z,
                                .positions = pos,
                                .cell = cell,
                                .pbc = {true, true, true},
                                .fixed = fixed,
                                .uhf = ATE_UHF_AUTO};
        st = io_create(t, &d, lines, 3, out, err);
    }
    if (st == ATE_OK && t->line[0][0])
        st = ate_structure_info_set(*out, "comment", t->line[0], err);
    if (st != ATE_OK) ate_structure_destroy(out);
    free(z), free(lines), free(pos), free(fixed);
    return st;
}

ate_status io_write_poscar(FILE *f, const ate_structure *s, ate_error *err)
{
    if (!ate_structure_has_cell(s))
        return ATE_ERROR(err, ATE_ERR_VALUE, "a POSCAR needs a cell; this structure has none");
    int n = ate_structure_natoms(s);
    const int *z = ate_structure_numbers(s);
    const double *pos = ate_structure_positions(s), *cell = ate_structure_cell(s);
    const bool *fixed = ate_structure_fixed(s);
    bool any_fixed = false;
    for (int i = 0; i < 3 * n; ++i)
        any_fixed |= fixed[i];
    const char *comment = ate_structure_info_get(s, "ate_name");
    if (!comment) comment = ate_structure_info_get(s, "comment");
    fprintf(f, "%s\n1.0\n", comment ? comment : "ATEscreen");
    for (int r = 0; r < 3; ++r)
        fprintf(f, " %19.10f %19.10f %19.10f\n", cell[3 * r] * ATE_BOHR_ANGSTROM,
                cell[3 * r + 1] * ATE_BOHR_ANGSTROM, cell[3 * r + 2] * ATE_BOHR_ANGSTROM);
    /* runs of equal elements, so the atom order is kept */
    for (int pass = 0; pass < 2; ++pass) {
        for (int i = 0; i < n;) {
            int j = i;
            while (j < n && z[j] == z[i])
                ++j;
            if (pass == 0)
                fprintf(f, " %s", ate_element_symbol(z[i]));
            else
                fprintf(f, " %d", j - i);
            i = j;
        }
        fputc('\n', f);
    }
    if (any_fixed) fprintf(f, "Selective dynamics\n");
    fprintf(f, "Cartesian\n");
    for (int i = 0; i < n; ++i) {
        fprintf(f, " %19.10f %19.10f %19.10f", pos[3 * i] * ATE_BOHR_ANGSTROM,
                pos[3 * i + 1] * ATE_BOHR_ANGSTROM, pos[3 * i + 2] * ATE_BOHR_ANGSTROM);
        if (any_fixed)
            fprintf(f, " %c %c %c", fixed[3 * i] ? 'F' : 'T', fixed[3 * i + 1] ? 'F' : 'T',
                    fixed[3 * i + 2] ? 'F' : 'T');
        fputc('\n', f);
    }
    if (ferror(f)) return ATE_ERROR(err, ATE_ERR_IO, "write error");
    return ATE_OK;
}
