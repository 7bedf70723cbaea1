/**
 * @file graphene.c
 * @brief Graphene supports: periodic n x m supercells with vacuum, and hydrogen-terminated flakes
 *        cut from them around the site (cluster models).
 *
 * Graphene: a1 = a(1, 0, 0), a2 = a(1/2, sqrt3/2, 0), atoms at 0 and (a1 + a2)/3 (C-C = a/sqrt3).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/units.h"
#include "sites_internal.h"

ate_status site_graphene_supercell(const ate_support_spec *sup, int n1, int n2, site_model *m,
                                   ate_error *err)
{
    ATE_TRY(site_model_init(m, err));
    const double a = sup->lattice_constant * ATE_ANGSTROM_BOHR;
    const double s3 = sqrt(3.0);
    const double c = sup->vacuum * ATE_ANGSTROM_BOHR;
    m->a = a;
    m->periodic = true;
    double cell[9] = {n1 * a, 0, 0, 0.5 * n2 * a, 0.5 * s3 * n2 * a, 0, 0, 0, c};
    memcpy(m->cell, cell, sizeof(cell));
    m->z0 = 0.5 * c;
    for (int j = 0; j < n2; ++j)
        for (int i = 0; i < n1; ++i)
            for (int b = 0; b < 2; ++b) {
                double f = b ? 1.0 / 3.0 : 0.0;
                double p[3] = {(i + f) * a + (j + f) * 0.5 * a, (j + f) * 0.5 * s3 * a, m->z0};
                ate_status st = site_model_add(m, 6, p, ROLE_SUPPORT, err);
                if (st != ATE_OK) {
                    site_model_free(m);
                    return st;
                }
            }
    return ATE_OK;
}

int site_find_atom(const site_model *m, const double p[3], double tol)
{
    int best = -1;
    double dbest = tol;
    for (int i = 0; i < m->n; ++i) {
        if (m->z[i] == 0) continue;
        double d = site_model_distance(m, p, m->pos + 3 * i);
        if (d < dbest) dbest = d, best = i;
    }
    return best;
}

/* Cut the atoms within radius (in-plane) of the site centre out of a periodic model, drop
 * carbon atoms left with fewer than two neighbours, and terminate every bond cut by the flake
 * boundary with hydrogen (C-H 1.09 Å along the cut bond). Bonds missing because of the defect
 * itself (divacancy, vacancies, removed first-shell atoms) are not terminated. */
ate_status site_cut_flake(const site_model *full, double radius, site_model *out, ate_error *err)
{
    const double bond = full->a / sqrt(3.0);
    const double bond_tol = 1.15 * bond;
    int n = full->n;
    bool *keep = calloc((size_t)n, sizeof(bool));
    if (!keep) return ATE_ERROR(err, ATE_ERR_MEMORY, "flake: out of memory");
    for (int i = 0; i < n; ++i) {
        if (full->z[i] == 0) continue;
        const double *p = full->pos + 3 * i;
        double dx = p[0] - full->center[0], dy = p[1] - full->center[1];
        keep[i] = full->role[i] != ROLE_SUPPORT || sqrt(dx * dx + dy * dy) <= radius;
    }
    /* prune dangling support atoms until stable */
    for (bool changed = true; changed;) {
        changed = false;
        for (int i = 0; i < n; ++i) {
            if (!keep[i] || full->role[i] != ROLE_SUPPORT) continue;
            int nb = 0;
            for (int j = 0; j < n; ++j)
                if (j != i && keep[j] && full->role[j] != ROLE_METAL &&
                    site_model_distance(full, full->pos + 3 * i, full->pos + 3 * j) < bond_tol)
                    ++nb;
            if (nb < 2) keep[i] = false, changed = true;
        }
    }
    ate_status st = site_model_init(out, err);
    if (st != ATE_OK) {
        free(keep);
        return st;
    }
    out->a = full->a;
    out->z0 = full->z0;
    out->periodic = false;
    memcpy(out->center, full->center, sizeof(out->center));
    int *map = malloc((size_t)n * sizeof(int));
    if (!map) st = ATE_ERROR(err, ATE_ERR_MEMORY, "flake: out of memory");
    for (int i = 0; st == ATE_OK && i < n; ++i) {
        map[i] = -1;
        if (!keep[i]) continue;
        map[i] = out->n;
        /* unwrap periodic positions next to the centre */
        double p[3];
        for (int k = 0; k < 3; ++k)
            p[k] = full->pos[3 * i + k];
        st = site_model_add(out, full->z[i], p, full->role[i], err);
    }
    /* hydrogens on bonds cut by the boundary */
    for (int i = 0; st == ATE_OK && i < n; ++i) {
        if (!keep[i] || (full->role[i] != ROLE_SUPPORT && full->role[i] != ROLE_SHELL)) continue;
        for (int j = 0; st == ATE_OK && j < n; ++j) {
            if (keep[j] || full->z[j] == 0 || full->role[j] == ROLE_METAL) continue;
            const double *pi = full->pos + 3 * i, *pj = full->pos + 3 * j;
            double d[3] = {pj[0] - pi[0], pj[1] - pi[1], pj[2] - pi[2]};
            double r = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
            if (r >= bond_tol) continue;
            double h[3];
            for (int k = 0; k < 3; ++k)
                h[k] = pi[k] + SITE_CH_BOND * ATE_ANGSTROM_BOHR * d[k] / r;
            st = site_model_add(out, 1, h, ROLE_EDGE_H, err);
        }
    }
    if (st == ATE_OK) {
        out->nmetals = full->nmetals;
        for (int k = 0; k < full->nmetals; ++k)
            out->metal[k] = map[full->metal[k]];
        out->nshell = full->nshell;
        for (int k = 0; k < full->nshell; ++k) {
            out->shell[k] = map[full->shell[k]];
            out->shell_owner[k][0] = full->shell_owner[k][0];
            out->shell_owner[k][1] = full->shell_owner[k][1];
        }
    } else {
        site_model_free(out);
    }
    free(map);
    free(keep);
    return st;
}
