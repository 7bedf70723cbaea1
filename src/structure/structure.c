/**
 * @file structure.c
 * @brief ate_structure: creation with validation, getters, positions update, info dictionary.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/elements.h"
#include "atescreen/units.h"
#include "structure_internal.h"

struct ate_structure {
    int natoms;
    int *numbers;
    double *positions; /* [natoms][3] bohr */
    double cell[9];    /* rows = lattice vectors, bohr */
    bool has_cell;
    bool pbc[3];
    double basis[9];     /* cell with zero rows completed (for fractional coordinates) */
    double inv_basis[9]; /* inverse of basis; valid when has_cell */
    bool *fixed;         /* [natoms][3] */
    int *tags;
    double *magmoms; /* [natoms] or NULL */
    int charge, uhf;
    int ninfo, cap_info;
    char **info_keys, **info_values;
};

static bool row_is_zero(const double *r) { return r[0] == 0.0 && r[1] == 0.0 && r[2] == 0.0; }

static void cross(const double *a, const double *b, double *c)
{
    c[0] = a[1] * b[2] - a[2] * b[1];
    c[1] = a[2] * b[0] - a[0] * b[2];
    c[2] = a[0] * b[1] - a[1] * b[0];
}

static double norm3(const double *a) { return sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]); }

/* Replace zero rows (non-periodic axes without a vector) by long vectors orthogonal to the
 * others, so fractional coordinates exist. Returns false when the given rows are dependent. */
static bool complete_basis(const double cell[9], double basis[9], double inv[9])
{
    memcpy(basis, cell, 9 * sizeof(double));
    int zero[3], nonzero[3], nzero = 0, nnz = 0;
    for (int k = 0; k < 3; ++k) {
        if (row_is_zero(cell + 3 * k))
            zero[nzero++] = k;
        else
            nonzero[nnz++] = k;
    }
    const double big = 100.0 * ATE_ANGSTROM_BOHR;
    double u[3], v[3];
    if (nzero == 1) {
        cross(cell + 3 * nonzero[0], cell + 3 * nonzero[1], u);
        if (norm3(u) == 0.0) return false;
        for (int j = 0; j < 3; ++j)
            basis[3 * zero[0] + j] = big * u[j] / norm3(u);
    } else if (nzero == 2) {
        const double *a = cell + 3 * nonzero[0];
        double t[3] = {1.0, 0.0, 0.0};
        if (fabs(a[0]) > 0.9 * norm3(a)) t[0] = 0.0, t[1] = 1.0;
        cross(a, t, u);
        cross(a, u, v);
        for (int j = 0; j < 3; ++j) {
            basis[3 * zero[0] + j] = big * u[j] / norm3(u);
            basis[3 * zero[1] + j] = big * v[j] / norm3(v);
        }
    } else if (nzero == 3) {
        for (int k = 0; k < 3; ++k)
            basis[4 * k] = big;
    }
    return ate_mat3_inverse(basis, inv);
}

static void free_contents(ate_structure *s)
{
    free(s->numbers);
    free(s->positions);
    free(s->fixed);
    free(s->tags);
    free(s->magmoms);
    for (int i = 0; i < s->ninfo; ++i) {
        free(s->info_keys[i]);
        free(s->info_values[i]);
    }
    free(s->info_keys);
    free(s->info_values);
}

void ate_structure_destroy(ate_structure **s)
{
    if (!s || !*s) return;
    free_contents(*s);
    free(*s);
    *s = NULL;
}

/* Shortest image vector r_j - r_i (bohr) over translations along periodic axes. */
static double min_image(const ate_structure *s, const double *ri, const double *rj, bool self,
                        double vec[3])
{
    double d[3] = {rj[0] - ri[0], rj[1] - ri[1], rj[2] - ri[2]};
    if (!s->has_cell || !(s->pbc[0] || s->pbc[1] || s->pbc[2])) {
        memcpy(vec, d, sizeof(d));
        return self ? INFINITY : norm3(d);
    }
    double f[3];
    ate_cart_to_frac(s->inv_basis, d, f);
    for (int k = 0; k < 3; ++k)
        if (s->pbc[k]) f[k] -= round(f[k]);
    int lo[3], hi[3];
    for (int k = 0; k < 3; ++k)
        lo[k] = s->pbc[k] ? -1 : 0, hi[k] = s->pbc[k] ? 1 : 0;
    double best = INFINITY;
    for (int a = lo[0]; a <= hi[0]; ++a)
        for (int b = lo[1]; b <= hi[1]; ++b)
            for (int c = lo[2]; c <= hi[2]; ++c) {
                double g[3] = {f[0] + a, f[1] + b, f[2] + c}, v[3];
                ate_frac_to_cart(s->basis, g, v);
                double r = norm3(v);
                if (self && r < 1e-12) continue;
                if (r < best) best = r, memcpy(vec, v, sizeof(v));
            }
    return best;
}

double ate_structure_distance(const ate_structure *s, int i, int j)
{
    double v[3];
    return min_image(s, s->positions + 3 * i, s->positions + 3 * j, i == j, v);
}

double ate_structure_point_distance(const ate_structure *s, const double p[3], int j)
{
    double v[3];
    return min_image(s, p, s->positions + 3 * j, false, v);
}

static ate_status check_distances(const ate_structure *s, const double *pos, ate_error *err)
{
    const double dmin = ATE_MIN_DISTANCE_ANGSTROM * ATE_ANGSTROM_BOHR;
    for (int i = 0; i < s->natoms; ++i)
        for (int j = i; j < s->natoms; ++j) {
            double v[3];
            double r = min_image(s, pos + 3 * i, pos + 3 * j, i == j, v);
            if (r >= dmin) continue;
            if (i == j)
                return ate_error_set_input(
                    err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "cell",
                    "atom %d (%s) is %.3f Å from its own periodic image (minimum %.1f Å): "
                    "the cell is too small",
                    i + 1, ate_element_symbol(s->numbers[i]), r * ATE_BOHR_ANGSTROM,
                    ATE_MIN_DISTANCE_ANGSTROM);
            return ate_error_set_input(
                err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "positions",
                "atoms %d (%s) and %d (%s) are %.3f Å apart (minimum %.1f Å)", i + 1,
                ate_element_symbol(s->numbers[i]), j + 1, ate_element_symbol(s->numbers[j]),
                r * ATE_BOHR_ANGSTROM, ATE_MIN_DISTANCE_ANGSTROM);
        }
    return ATE_OK;
}

static ate_status check_cell(ate_structure *s, ate_error *err)
{
    static const char axis[3] = {'a', 'b', 'c'};
    for (int k = 0; k < 3; ++k)
        if (s->pbc[k] && (!s->has_cell || row_is_zero(s->cell + 3 * k)))
            return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "pbc",
                                       "periodic along %c but the cell has no %c vector", axis[k],
                                       axis[k]);
    if (!s->has_cell) return ATE_OK;
    bool full = !row_is_zero(s->cell) && !row_is_zero(s->cell + 3) && !row_is_zero(s->cell + 6);
    double vol = ate_mat3_det(s->cell);
    const double b3 = ATE_BOHR_ANGSTROM * ATE_BOHR_ANGSTROM * ATE_BOHR_ANGSTROM;
    if ((full && fabs(vol) * b3 < 1e-6) || !complete_basis(s->cell, s->basis, s->inv_basis))
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "cell",
                                   "cell is singular (volume %.3g Å^3): its lattice vectors are "
                                   "linearly dependent",
                                   vol * b3);
    return ATE_OK;
}

static ate_status check_electrons(const ate_structure *s, ate_error *err)
{
    int zsum = 0;
    for (int i = 0; i < s->natoms; ++i)
        zsum += s->numbers[i];
    int nel = zsum - s->charge;
    if (nel < 0)
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "charge",
                                   "charge %+d leaves a negative number of electrons (%d): the "
                                   "nuclear charge is only %d",
                                   s->charge, nel, zsum);
    if (s->uhf == ATE_UHF_AUTO) return ATE_OK;
    if (s->uhf < 0)
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "uhf",
                                   "number of unpaired electrons must be >= 0, got %d", s->uhf);
    if (s->uhf > nel)
        return ate_error_set_input(
            err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "uhf",
            "%d unpaired electrons requested but there are only %d electrons "
            "(charge %+d)",
            s->uhf, nel, s->charge);
    if ((nel - s->uhf) % 2 != 0)
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "uhf",
                                   "%d electrons (charge %+d) cannot have %d unpaired electrons: "
                                   "an %s electron count needs an %s number of unpaired electrons",
                                   nel, s->charge, s->uhf, nel % 2 ? "odd" : "even",
                                   nel % 2 ? "odd" : "even");
    return ATE_OK;
}

ate_status ate_structure_create(const ate_structure_desc *d, ate_structure **out, ate_error *err)
{
    *out = NULL;
    if (!d || d->natoms < 1 || !d->numbers || !d->positions)
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "natoms",
                                   "a structure needs at least one atom");
    for (int i = 0; i < d->natoms; ++i) {
        if (!ate_element_valid(d->numbers[i]))
            return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0,
                                       "numbers",
                                       "unknown element Z = %d at atom %d (ATEscreen knows Z = "
                                       "1..%d)",
                                       d->numbers[i], i + 1, ATE_MAX_Z);
        for (int k = 0; k < 3; ++k)
            if (!isfinite(d->positions[3 * i + k]))
                return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0,
                                           "positions", "atom %d has a non-finite coordinate",
                                           i + 1);
    }
    ate_structure *s = calloc(1, sizeof(*s));
    if (!s) return ATE_ERROR(err, ATE_ERR_MEMORY, "cannot allocate a structure");
    int n = d->natoms;
    s->natoms = n;
    s->numbers = malloc((size_t)n * sizeof(int));
    s->positions = malloc((size_t)n * 3 * sizeof(double));
    s->fixed = calloc((size_t)n * 3, sizeof(bool));
    s->tags = calloc((size_t)n, sizeof(int));
    if (!s->numbers || !s->positions || !s->fixed || !s->tags) {
        ate_structure_destroy(&s);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "cannot allocate a structure of %d atoms", n);
    }
    memcpy(s->numbers, d->numbers, (size_t)n * sizeof(int));
    memcpy(s->positions, d->positions, (size_t)n * 3 * sizeof(double));
    if (d->fixed) memcpy(s->fixed, d->fixed, (size_t)n * 3 * sizeof(bool));
    if (d->tags) memcpy(s->tags, d->tags, (size_t)n * sizeof(int));
    bool moments = false;
    for (int i = 0; d->magmoms && i < n; ++i) {
        if (!isfinite(d->magmoms[i])) {
            ate_structure_destroy(&s);
            return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0,
                                       "initial_magmoms", "atom %d has a non-finite moment", i + 1);
        }
        moments |= d->magmoms[i] != 0.0;
    }
    if (moments) {
        if (!(s->magmoms = malloc((size_t)n * sizeof(double)))) {
            ate_structure_destroy(&s);
            return ATE_ERROR(err, ATE_ERR_MEMORY, "cannot allocate a structure of %d atoms", n);
        }
        memcpy(s->magmoms, d->magmoms, (size_t)n * sizeof(double));
    }
    s->has_cell = d->cell != NULL;
    if (d->cell) memcpy(s->cell, d->cell, sizeof(s->cell));
    for (int k = 0; k < 3; ++k)
        s->pbc[k] = d->pbc[k];
    s->charge = d->charge;
    s->uhf = d->uhf;
    ate_status st = check_cell(s, err);
    if (st == ATE_OK) st = check_electrons(s, err);
    if (st == ATE_OK) st = check_distances(s, s->positions, err);
    if (st != ATE_OK) {
        ate_structure_destroy(&s);
        return st;
    }
    *out = s;
    return ATE_OK;
}

ate_structure_desc ate_structure_get_desc(const ate_structure *s)
{
    ate_structure_desc d = {.natoms = s->natoms,
                            .numbers = s->numbers,
                            .positions = s->positions,
                            .cell = s->has_cell ? s->cell : NULL,
                            .pbc = {s->pbc[0], s->pbc[1], s->pbc[2]},
                            .fixed = s->fixed,
                            .tags = s->tags,
                            .charge = s->charge,
                            .uhf = s->uhf,
                            .magmoms = s->magmoms};
    return d;
}

ate_status ate_structure_copy(const ate_structure *s, ate_structure **out, ate_error *err)
{
    ate_structure_desc d = ate_structure_get_desc(s);
    ATE_TRY(ate_structure_create(&d, out, err));
    for (int i = 0; i < s->ninfo; ++i) {
        ate_status st = ate_structure_info_set(*out, s->info_keys[i], s->info_values[i], err);
        if (st != ATE_OK) {
            ate_structure_destroy(out);
            return st;
        }
    }
    return ATE_OK;
}

const double *ate_structure_basis(const ate_structure *s) { return s->basis; }
const double *ate_structure_inv_basis(const ate_structure *s) { return s->inv_basis; }
int ate_structure_natoms(const ate_structure *s) { return s->natoms; }
const int *ate_structure_numbers(const ate_structure *s) { return s->numbers; }
const double *ate_structure_positions(const ate_structure *s) { return s->positions; }
bool ate_structure_has_cell(const ate_structure *s) { return s->has_cell; }
const double *ate_structure_cell(const ate_structure *s) { return s->cell; }
void ate_structure_pbc(const ate_structure *s, bool pbc[3])
{
    for (int k = 0; k < 3; ++k)
        pbc[k] = s->pbc[k];
}
bool ate_structure_is_periodic(const ate_structure *s)
{
    return s->pbc[0] || s->pbc[1] || s->pbc[2];
}
const bool *ate_structure_fixed(const ate_structure *s) { return s->fixed; }
const int *ate_structure_tags(const ate_structure *s) { return s->tags; }
int ate_structure_charge(const ate_structure *s) { return s->charge; }
int ate_structure_uhf(const ate_structure *s) { return s->uhf; }
const double *ate_structure_magmoms(const ate_structure *s) { return s->magmoms; }

int ate_structure_nelectrons(const ate_structure *s)
{
    int z = 0;
    for (int i = 0; i < s->natoms; ++i)
        z += s->numbers[i];
    return z - s->charge;
}

ate_status ate_structure_set_positions(ate_structure *s, const double *positions, ate_error *err)
{
    ATE_TRY(check_distances(s, positions, err));
    memcpy(s->positions, positions, (size_t)s->natoms * 3 * sizeof(double));
    return ATE_OK;
}

ate_status ate_structure_to_fractional(const ate_structure *s, const double cart[3], double frac[3],
                                       ate_error *err)
{
    if (!s->has_cell) return ATE_ERROR(err, ATE_ERR_VALUE, "fractional coordinates need a cell");
    ate_cart_to_frac(s->inv_basis, cart, frac);
    return ATE_OK;
}

/* ---- info dictionary ---------------------------------------------------------------------- */

static char *dup_text(const char *t)
{
    size_t n = strlen(t) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, t, n);
    return c;
}

ate_status ate_structure_info_set(ate_structure *s, const char *key, const char *value,
                                  ate_error *err)
{
    if (!key || !key[0] || !value)
        return ATE_ERROR(err, ATE_ERR_VALUE, "info keys must be non-empty and values non-NULL");
    for (int i = 0; i < s->ninfo; ++i)
        if (strcmp(s->info_keys[i], key) == 0) {
            char *v = dup_text(value);
            if (!v) return ATE_ERROR(err, ATE_ERR_MEMORY, "cannot store info value");
            free(s->info_values[i]);
            s->info_values[i] = v;
            return ATE_OK;
        }
    if (s->ninfo == s->cap_info) {
        int cap = s->cap_info ? 2 * s->cap_info : 8;
        char **k = realloc(s->info_keys, (size_t)cap * sizeof(char *));
        if (!k) return ATE_ERROR(err, ATE_ERR_MEMORY, "cannot grow info");
        s->info_keys = k;
        char **v = realloc(s->info_values, (size_t)cap * sizeof(char *));
        if (!v) return ATE_ERROR(err, ATE_ERR_MEMORY, "cannot grow info");
        s->info_values = v;
        s->cap_info = cap;
    }
    char *k = dup_text(key), *v = dup_text(value);
    if (!k || !v) {
        free(k);
        free(v);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "cannot store info");
    }
    s->info_keys[s->ninfo] = k;
    s->info_values[s->ninfo] = v;
    s->ninfo++;
    return ATE_OK;
}

int ate_structure_info_count(const ate_structure *s) { return s->ninfo; }
const char *ate_structure_info_key(const ate_structure *s, int i) { return s->info_keys[i]; }
const char *ate_structure_info_value(const ate_structure *s, int i) { return s->info_values[i]; }

const char *ate_structure_info_get(const ate_structure *s, const char *key)
{
    for (int i = 0; i < s->ninfo; ++i)
        if (strcmp(s->info_keys[i], key) == 0) return s->info_values[i];
    return NULL;
}
