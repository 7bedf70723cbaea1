/**
 * @file symmetry.c
 * @brief Space-group operations from spglib (A. Togo, I. Tanaka, arXiv:1808.01590) and their
 *        action on point sets. The only file in ATEscreen that calls spglib.
 *
 * spglib works in fractional coordinates with the lattice vectors as COLUMNS; an operation maps
 * x_frac -> R x_frac + t. Non-periodic structures are centred in a cubic box 20 Å larger than
 * their extent, so molecules and flakes get their point operations aligned with x, y, z.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <spglib.h>

#include "atescreen/symmetry.h"
#include "atescreen/units.h"
#include "structure_internal.h"

struct ate_symmetry {
    int nops;
    int (*rot)[3][3];
    double (*trans)[3];
    double cell[9], inv[9]; /* the cell spglib saw (rows = vectors), bohr */
    double shift[3];        /* Cartesian shift applied to positions before spglib */
    double symprec;
};

void ate_symmetry_destroy(ate_symmetry **sym)
{
    if (!sym || !*sym) return;
    free((*sym)->rot);
    free((*sym)->trans);
    free(*sym);
    *sym = NULL;
}

static void molecular_box(const ate_structure *s, double cell[9], double shift[3])
{
    int n = ate_structure_natoms(s);
    const double *pos = ate_structure_positions(s);
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (int i = 0; i < n; ++i)
        for (int k = 0; k < 3; ++k)
            lo[k] = fmin(lo[k], pos[3 * i + k]), hi[k] = fmax(hi[k], pos[3 * i + k]);
    double extent = fmax(hi[0] - lo[0], fmax(hi[1] - lo[1], hi[2] - lo[2]));
    double L = extent + 20.0 * ATE_ANGSTROM_BOHR;
    memset(cell, 0, 9 * sizeof(double));
    for (int k = 0; k < 3; ++k) {
        cell[4 * k] = L;
        shift[k] = 0.5 * L - 0.5 * (lo[k] + hi[k]);
    }
}

ate_status ate_symmetry_create(const ate_structure *s, const int *types, double symprec,
                               ate_symmetry **out, ate_error *err)
{
    *out = NULL;
    int n = ate_structure_natoms(s);
    ate_symmetry *sym = calloc(1, sizeof(*sym));
    if (!sym) return ATE_ERROR(err, ATE_ERR_MEMORY, "symmetry: out of memory");
    sym->symprec = symprec;
    if (ate_structure_is_periodic(s)) {
        memcpy(sym->cell, ate_structure_basis(s), sizeof(sym->cell));
    } else {
        molecular_box(s, sym->cell, sym->shift);
    }
    if (!ate_mat3_inverse(sym->cell, sym->inv)) {
        ate_symmetry_destroy(&sym);
        return ATE_ERROR(err, ATE_ERR_VALUE, "symmetry: singular cell");
    }
    double lattice[3][3];
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            lattice[i][j] = sym->cell[3 * j + i];
    double(*frac)[3] = malloc((size_t)n * sizeof(*frac));
    int *typ = malloc((size_t)n * sizeof(int));
    int max_ops = 48 * n + 48;
    sym->rot = malloc((size_t)max_ops * sizeof(*sym->rot));
    sym->trans = malloc((size_t)max_ops * sizeof(*sym->trans));
    if (!frac || !typ || !sym->rot || !sym->trans) {
        free(frac);
        free(typ);
        ate_symmetry_destroy(&sym);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "symmetry: out of memory");
    }
    const double *pos = ate_structure_positions(s);
    const int *z = ate_structure_numbers(s);
    for (int i = 0; i < n; ++i) {
        double c[3] = {pos[3 * i] + sym->shift[0], pos[3 * i + 1] + sym->shift[1],
                       pos[3 * i + 2] + sym->shift[2]};
        ate_cart_to_frac(sym->inv, c, frac[i]);
        typ[i] = types ? types[i] : z[i];
    }
    sym->nops = spg_get_symmetry(sym->rot, sym->trans, max_ops, lattice, frac, typ, n, symprec);
    free(frac);
    free(typ);
    if (sym->nops <= 0) {
        ate_symmetry_destroy(&sym);
        return ATE_ERROR(err, ATE_ERR_LIB,
                         "spglib found no symmetry operations (symprec %.3g bohr)", symprec);
    }
    *out = sym;
    return ATE_OK;
}

int ate_symmetry_nops(const ate_symmetry *sym) { return sym->nops; }

void ate_symmetry_apply(const ate_symmetry *sym, int op, const double in[3], double out[3])
{
    double c[3] = {in[0] + sym->shift[0], in[1] + sym->shift[1], in[2] + sym->shift[2]};
    double f[3], g[3];
    ate_cart_to_frac(sym->inv, c, f);
    for (int i = 0; i < 3; ++i)
        g[i] = sym->rot[op][i][0] * f[0] + sym->rot[op][i][1] * f[1] + sym->rot[op][i][2] * f[2] +
               sym->trans[op][i];
    ate_frac_to_cart(sym->cell, g, out);
    for (int k = 0; k < 3; ++k)
        out[k] -= sym->shift[k];
}

/* Distance between two Cartesian points modulo the lattice spglib saw. */
static double periodic_distance(const ate_symmetry *sym, const double a[3], const double b[3])
{
    double d[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]}, f[3], v[3];
    ate_cart_to_frac(sym->inv, d, f);
    double best = INFINITY;
    for (int k = 0; k < 3; ++k)
        f[k] -= round(f[k]);
    for (int x = -1; x <= 1; ++x)
        for (int y = -1; y <= 1; ++y)
            for (int z = -1; z <= 1; ++z) {
                double g[3] = {f[0] + x, f[1] + y, f[2] + z};
                ate_frac_to_cart(sym->cell, g, v);
                best = fmin(best, sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]));
            }
    return best;
}

ate_status ate_symmetry_permutation(const ate_symmetry *sym, int op, int npoints,
                                    const double *points, int *perm, ate_error *err)
{
    for (int i = 0; i < npoints; ++i) {
        double img[3];
        ate_symmetry_apply(sym, op, points + 3 * i, img);
        perm[i] = -1;
        for (int j = 0; j < npoints; ++j)
            if (periodic_distance(sym, img, points + 3 * j) < sym->symprec) {
                perm[i] = j;
                break;
            }
        if (perm[i] < 0)
            return ATE_ERROR(err, ATE_ERR_VALUE,
                             "symmetry operation %d maps point %d outside the point set", op, i);
    }
    return ATE_OK;
}
