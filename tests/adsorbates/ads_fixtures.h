/* Test structures and geometry helpers for the adsorbate tests (header-only, test code). */
#ifndef ATE_ADS_FIXTURES_H
#define ATE_ADS_FIXTURES_H

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "atescreen/adsorbates.h"
#include "atescreen/units.h"

enum { FIX_MAX_ATOMS = 32 };

/* Atoms in Å relative to an origin; cell a x b x c Å (orthorhombic) when periodic. */
typedef struct fixture {
    int n;
    int z[FIX_MAX_ATOMS];
    double r[FIX_MAX_ATOMS][3];
    double cell[3]; /* Å; 0 = no cell */
} fixture;

static inline void fix_add(fixture *f, int z, double x, double y, double zz)
{
    f->z[f->n] = z, f->r[f->n][0] = x, f->r[f->n][1] = y, f->r[f->n][2] = zz;
    f->n++;
}

/* FeN4-like site: Fe at o, 4 N at 1.88 Å along ±x, ±y, 8 C beyond them (D4h, z = o[2]). */
static inline void fix_fen4(fixture *f, const double o[3])
{
    static const double c[8][2] = {{2.75, 1.1}, {2.75, -1.1}, {-2.75, 1.1}, {-2.75, -1.1},
                                   {1.1, 2.75}, {-1.1, 2.75}, {1.1, -2.75}, {-1.1, -2.75}};
    fix_add(f, 26, o[0], o[1], o[2]);
    fix_add(f, 7, o[0] + 1.88, o[1], o[2]);
    fix_add(f, 7, o[0] - 1.88, o[1], o[2]);
    fix_add(f, 7, o[0], o[1] + 1.88, o[2]);
    fix_add(f, 7, o[0], o[1] - 1.88, o[2]);
    for (int k = 0; k < 8; ++k)
        fix_add(f, 6, o[0] + c[k][0], o[1] + c[k][1], o[2]);
}

/* Create the structure: Fe/Co... tagged ATE_TAG_SITE, atom 5 tagged 7 (kept as given), the last
 * atom fixed in all three components, charge 0, uhf as given, two info keys. */
static inline ate_status fix_create(const fixture *f, int uhf, ate_structure **out, ate_error *err)
{
    double pos[FIX_MAX_ATOMS * 3], cell[9] = {0};
    int tags[FIX_MAX_ATOMS];
    bool fixed[FIX_MAX_ATOMS * 3] = {false};
    for (int i = 0; i < f->n; ++i) {
        for (int k = 0; k < 3; ++k)
            pos[3 * i + k] = f->r[i][k] * ATE_ANGSTROM_BOHR;
        tags[i] = f->z[i] > 20 ? ATE_TAG_SITE : (i == 5 ? 7 : ATE_TAG_SUPPORT);
    }
    for (int k = 0; k < 3; ++k)
        fixed[3 * (f->n - 1) + k] = true;
    bool periodic = f->cell[0] > 0.0;
    for (int k = 0; k < 3; ++k)
        cell[4 * k] = f->cell[k] * ATE_ANGSTROM_BOHR;
    ate_structure_desc d = {.natoms = f->n,
                            .numbers = f->z,
                            .positions = pos,
                            .cell = periodic ? cell : NULL,
                            .pbc = {periodic, periodic, periodic},
                            .fixed = fixed,
                            .tags = tags,
                            .charge = 0,
                            .uhf = uhf};
    ate_status st = ate_structure_create(&d, out, err);
    if (st == ATE_OK) st = ate_structure_info_set(*out, "name", "test-site", err);
    if (st == ATE_OK) st = ate_structure_info_set(*out, "family", "symmetric", err);
    return st;
}

/* ---- geometry on plain vectors (bohr in, Å / degrees out) ---- */

static inline double dist_ang(const double *a, const double *b)
{
    double d[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    return sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) * ATE_BOHR_ANGSTROM;
}

/* angle a-b-c at b, degrees */
static inline double angle_deg(const double *a, const double *b, const double *c)
{
    double u[3], v[3], uu = 0, vv = 0, uv = 0;
    for (int k = 0; k < 3; ++k) {
        u[k] = a[k] - b[k], v[k] = c[k] - b[k];
        uu += u[k] * u[k], vv += v[k] * v[k], uv += u[k] * v[k];
    }
    return acos(fmax(-1.0, fmin(1.0, uv / sqrt(uu * vv)))) * 180.0 / ATE_PI;
}

static inline void cross3(const double a[3], const double b[3], double c[3])
{
    c[0] = a[1] * b[2] - a[2] * b[1], c[1] = a[2] * b[0] - a[0] * b[2],
    c[2] = a[0] * b[1] - a[1] * b[0];
}

/* dihedral a-b-c-d, degrees in (-180, 180] (magnitude: 0 cis, 180 trans) */
static inline double dihedral_deg(const double *a, const double *b, const double *c,
                                  const double *d)
{
    double b1[3], b2[3], b3[3], n1[3], n2[3], m1[3];
    for (int k = 0; k < 3; ++k)
        b1[k] = b[k] - a[k], b2[k] = c[k] - b[k], b3[k] = d[k] - c[k];
    double l2 = sqrt(b2[0] * b2[0] + b2[1] * b2[1] + b2[2] * b2[2]);
    cross3(b1, b2, n1);
    cross3(b2, b3, n2);
    cross3(n1, b2, m1);
    double x = n1[0] * n2[0] + n1[1] * n2[1] + n1[2] * n2[2];
    double y = (m1[0] * n2[0] + m1[1] * n2[1] + m1[2] * n2[2]) / l2;
    return atan2(y, x) * 180.0 / ATE_PI;
}

#endif
