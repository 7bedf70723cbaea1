/**
 * @file model.c
 * @brief The mutable site model: growing atom arrays, copies, conversion to ate_structure.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sites_internal.h"

ate_status site_model_init(site_model *m, ate_error *err)
{
    memset(m, 0, sizeof(*m));
    m->cap = 256;
    m->z = malloc((size_t)m->cap * sizeof(int));
    m->pos = malloc((size_t)m->cap * 3 * sizeof(double));
    m->role = malloc((size_t)m->cap * sizeof(int));
    if (!m->z || !m->pos || !m->role) {
        site_model_free(m);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "site model: out of memory");
    }
    return ATE_OK;
}

void site_model_free(site_model *m)
{
    free(m->z);
    free(m->pos);
    free(m->role);
    memset(m, 0, sizeof(*m));
}

ate_status site_model_copy(const site_model *m, site_model *out, ate_error *err)
{
    *out = *m;
    out->z = malloc((size_t)m->cap * sizeof(int));
    out->pos = malloc((size_t)m->cap * 3 * sizeof(double));
    out->role = malloc((size_t)m->cap * sizeof(int));
    if (!out->z || !out->pos || !out->role) {
        site_model_free(out);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "site model: out of memory");
    }
    memcpy(out->z, m->z, (size_t)m->n * sizeof(int));
    memcpy(out->pos, m->pos, (size_t)m->n * 3 * sizeof(double));
    memcpy(out->role, m->role, (size_t)m->n * sizeof(int));
    return ATE_OK;
}

ate_status site_model_add(site_model *m, int z, const double pos[3], int role, ate_error *err)
{
    if (m->n == m->cap) {
        int cap = 2 * m->cap;
        int *nz = realloc(m->z, (size_t)cap * sizeof(int));
        if (nz) m->z = nz;
        double *np = realloc(m->pos, (size_t)cap * 3 * sizeof(double));
        if (np) m->pos = np;
        int *nr = realloc(m->role, (size_t)cap * sizeof(int));
        if (nr) m->role = nr;
        if (!nz || !np || !nr) return ATE_ERROR(err, ATE_ERR_MEMORY, "site model: out of memory");
        m->cap = cap;
    }
    m->z[m->n] = z;
    memcpy(m->pos + 3 * m->n, pos, 3 * sizeof(double));
    m->role[m->n] = role;
    m->n++;
    return ATE_OK;
}

double site_model_distance(const site_model *m, const double a[3], const double b[3])
{
    double d[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    if (!m->periodic) return sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    /* in-plane minimum image over the two lattice vectors (cells here are at most 120 deg) */
    double best = INFINITY;
    const double *c = m->cell;
    /* fractional in-plane coordinates via the 2x2 inverse */
    double det = c[0] * c[4] - c[1] * c[3];
    double f1 = (d[0] * c[4] - d[1] * c[3]) / det, f2 = (c[0] * d[1] - c[1] * d[0]) / det;
    f1 -= round(f1);
    f2 -= round(f2);
    for (int i = -1; i <= 1; ++i)
        for (int j = -1; j <= 1; ++j) {
            double x = (f1 + i) * c[0] + (f2 + j) * c[3], y = (f1 + i) * c[1] + (f2 + j) * c[4];
            best = fmin(best, sqrt(x * x + y * y + d[2] * d[2]));
        }
    return best;
}

ate_status site_model_to_structure(const site_model *m, ate_structure **out, int *index_map,
                                   ate_error *err)
{
    int n = 0;
    for (int i = 0; i < m->n; ++i)
        n += m->z[i] != 0;
    int *z = malloc((size_t)(n ? n : 1) * sizeof(int));
    int *tags = malloc((size_t)(n ? n : 1) * sizeof(int));
    double *pos = malloc((size_t)(n ? n : 1) * 3 * sizeof(double));
    if (!z || !tags || !pos) {
        free(z), free(tags), free(pos);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "site model: out of memory");
    }
    int k = 0;
    for (int i = 0; i < m->n; ++i) {
        if (m->z[i] == 0) {
            if (index_map) index_map[i] = -1;
            continue;
        }
        if (index_map) index_map[i] = k;
        z[k] = m->z[i];
        memcpy(pos + 3 * k, m->pos + 3 * i, 3 * sizeof(double));
        int r = m->role[i];
        tags[k] = (r == ROLE_SHELL || r == ROLE_METAL || r == ROLE_LIGAND) ? ATE_TAG_SITE
                                                                           : ATE_TAG_SUPPORT;
        ++k;
    }
    ate_structure_desc d = {.natoms = n,
                            .numbers = z,
                            .positions = pos,
                            .cell = m->periodic ? m->cell : NULL,
                            .pbc = {m->periodic, m->periodic, false},
                            .tags = tags,
                            .uhf = ATE_UHF_AUTO};
    ate_status st = ate_structure_create(&d, out, err);
    free(z), free(tags), free(pos);
    return st;
}
