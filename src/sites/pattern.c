/**
 * @file pattern.c
 * @brief Symmetry de-duplication of site patterns.
 *
 * The symmetry operations of the parent structure (the undecorated site, all metals of one
 * type, spglib) act on a list of points (metal slots, first-shell slots, vacancy and cluster
 * candidates) as permutations. A pattern is a vector of values on these points; two patterns are
 * equivalent when one is the image of the other under an operation, and the canonical form of a
 * pattern is its lexicographically smallest image (Burnside/Polya orbit representative).
 */
#include <stdlib.h>
#include <string.h>

#include "sites_internal.h"

ate_status site_group_create(const site_model *m, const double *points, int npoints, double symprec,
                             site_group *g, ate_error *err)
{
    memset(g, 0, sizeof(*g));
    int *map = malloc((size_t)m->n * sizeof(int));
    if (!map) return ATE_ERROR(err, ATE_ERR_MEMORY, "symmetry: out of memory");
    ate_structure *s = NULL;
    ate_status st = site_model_to_structure(m, &s, map, err);
    int *types = NULL;
    ate_symmetry *sym = NULL;
    if (st == ATE_OK) {
        types = malloc((size_t)ate_structure_natoms(s) * sizeof(int));
        if (!types) st = ATE_ERROR(err, ATE_ERR_MEMORY, "symmetry: out of memory");
    }
    if (st == ATE_OK) {
        for (int i = 0; i < m->n; ++i)
            if (map[i] >= 0) types[map[i]] = m->role[i] == ROLE_METAL ? 1000 : m->z[i];
        st = ate_symmetry_create(s, types, symprec, &sym, err);
    }
    if (st == ATE_OK) {
        int nops = ate_symmetry_nops(sym);
        g->perm = malloc((size_t)nops * (size_t)(npoints ? npoints : 1) * sizeof(int));
        if (!g->perm) st = ATE_ERROR(err, ATE_ERR_MEMORY, "symmetry: out of memory");
        g->npoints = npoints;
        /* keep the operations that map the point set onto itself */
        for (int op = 0; st == ATE_OK && op < nops; ++op) {
            ate_error ignore;
            if (ate_symmetry_permutation(sym, op, npoints, points, g->perm + g->nops * npoints,
                                         &ignore) == ATE_OK)
                g->nops++;
        }
    }
    ate_symmetry_destroy(&sym);
    ate_structure_destroy(&s);
    free(types);
    free(map);
    if (st != ATE_OK) site_group_free(g);
    return st;
}

void site_group_free(site_group *g)
{
    free(g->perm);
    memset(g, 0, sizeof(*g));
}

void site_group_canonical(const site_group *g, const int *v, int *canon)
{
    int n = g->npoints;
    memcpy(canon, v, (size_t)n * sizeof(int));
    int img[64];
    for (int op = 0; op < g->nops; ++op) {
        const int *p = g->perm + op * n;
        for (int i = 0; i < n; ++i)
            img[p[i]] = v[i];
        for (int i = 0; i < n; ++i) {
            if (img[i] == canon[i]) continue;
            if (img[i] < canon[i]) memcpy(canon, img, (size_t)n * sizeof(int));
            break;
        }
    }
}
