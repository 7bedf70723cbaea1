/**
 * @file symmetric.c
 * @brief The symmetric MN4 site: a metal in a graphene divacancy with four pyridinic N
 *        (the "FeN4" motif; e.g. Zitolo et al., Nat. Mater. 14, 937 (2015)).
 *
 * The divacancy removes one C-C bond parallel to y; the four atoms that were bonded to it become
 * N, at sqrt(7/12) a = 1.88 Å from the bond midpoint where the metal sits (point group mmm).
 * The site is moved to the centre of the cell.
 */
#include <math.h>
#include <string.h>

#include "atescreen/units.h"
#include "sites_internal.h"

/* Remove the C-C bond centred at c and return the atoms that were bonded to it. */
static int open_divacancy(site_model *m, const double c[3], int *edge, int max_edge)
{
    const double bond = m->a / sqrt(3.0);
    int ne = 0;
    for (int i = 0; i < m->n; ++i) {
        if (m->z[i] == 0 || m->role[i] != ROLE_SUPPORT) continue;
        if (site_model_distance(m, c, m->pos + 3 * i) < 0.75 * bond) m->z[i] = 0;
    }
    for (int i = 0; i < m->n; ++i) {
        if (m->z[i] == 0) continue;
        double d = site_model_distance(m, c, m->pos + 3 * i);
        if (d > 0.75 * bond && d < 1.6 * bond && ne < max_edge) edge[ne++] = i;
    }
    return ne;
}

/* Midpoint of the vertical bond nearest to the cell centre. */
static void central_bond(const site_model *m, double c[3])
{
    const double *L = m->cell;
    double cc[3] = {0.5 * (L[0] + L[3]), 0.5 * (L[1] + L[4]), m->z0};
    const double bond = m->a / sqrt(3.0);
    double best = INFINITY;
    for (int i = 0; i < m->n; ++i) {
        if (m->z[i] == 0) continue;
        /* atom i with a neighbour straight below it (-y) */
        double below[3] = {m->pos[3 * i], m->pos[3 * i + 1] - bond, m->z0};
        if (site_find_atom(m, below, 0.1 * bond) < 0) continue;
        double mid[3] = {m->pos[3 * i], m->pos[3 * i + 1] - 0.5 * bond, m->z0};
        double d = hypot(mid[0] - cc[0], mid[1] - cc[1]);
        if (d < best) best = d, memcpy(c, mid, sizeof(mid));
    }
}

/* Translate the model so that p moves to the cell centre; wrap in-plane coordinates. */
static void recentre(site_model *m, double p[3])
{
    const double *L = m->cell;
    double shift[2] = {0.5 * (L[0] + L[3]) - p[0], 0.5 * (L[1] + L[4]) - p[1]};
    double det = L[0] * L[4] - L[1] * L[3];
    for (int i = 0; i < m->n; ++i) {
        double *r = m->pos + 3 * i;
        r[0] += shift[0], r[1] += shift[1];
        double f1 = (r[0] * L[4] - r[1] * L[3]) / det, f2 = (L[0] * r[1] - L[1] * r[0]) / det;
        f1 -= floor(f1 + 1e-9), f2 -= floor(f2 + 1e-9);
        r[0] = f1 * L[0] + f2 * L[3];
        r[1] = f1 * L[1] + f2 * L[4];
    }
    p[0] += shift[0], p[1] += shift[1];
}

static ate_status add_metal(site_model *m, const double p[3], ate_error *err)
{
    m->metal[m->nmetals++] = m->n;
    return site_model_add(m, 26, p, ROLE_METAL, err); /* element set by the pattern */
}

/* Mark edge atoms as first-shell N owned by metal slot k (or shared). */
static void add_shell(site_model *m, const int *edge, int ne, int k)
{
    for (int e = 0; e < ne; ++e) {
        int slot = -1;
        for (int s = 0; s < m->nshell; ++s)
            if (m->shell[s] == edge[e]) slot = s;
        if (slot < 0) {
            slot = m->nshell++;
            m->shell[slot] = edge[e];
            m->shell_owner[slot][0] = m->shell_owner[slot][1] = 0;
        }
        m->shell_owner[slot][k] = 1;
        m->z[edge[e]] = 7;
        m->role[edge[e]] = ROLE_SHELL;
    }
}

ate_status site_make_mn4(site_model *m, ate_error *err)
{
    double c[3];
    central_bond(m, c);
    recentre(m, c);
    int edge[8];
    int ne = open_divacancy(m, c, edge, 8);
    if (ne != 4) return ATE_ERROR(err, ATE_ERR_INTERNAL, "divacancy has %d edge atoms, not 4", ne);
    add_shell(m, edge, ne, 0);
    memcpy(m->center, c, sizeof(c));
    return add_metal(m, c, err);
}

/* M1M2-N6: two divacancies one lattice vector a1 apart (perpendicular to the removed bonds)
 * form a four-atom vacancy with six edge atoms; the two between the metals bridge them. */
ate_status site_make_m2n6(site_model *m, ate_error *err)
{
    double c[3];
    central_bond(m, c);
    double mid[3] = {c[0] + 0.5 * m->a, c[1], c[2]};
    recentre(m, mid);
    double c1[3] = {mid[0] - 0.5 * m->a, mid[1], mid[2]},
           c2[3] = {mid[0] + 0.5 * m->a, mid[1], mid[2]};
    int e1[8], e2[8];
    int n1 = open_divacancy(m, c1, e1, 8);
    int n2 = open_divacancy(m, c2, e2, 8);
    if (n1 != 4 || n2 != 4)
        return ATE_ERROR(err, ATE_ERR_INTERNAL, "M2N6 vacancy has %d/%d edge atoms", n1, n2);
    add_shell(m, e1, n1, 0);
    add_shell(m, e2, n2, 1);
    if (m->nshell != 6) return ATE_ERROR(err, ATE_ERR_INTERNAL, "M2N6 has %d N", m->nshell);
    memcpy(m->center, mid, sizeof(mid));
    ATE_TRY(add_metal(m, c1, err));
    return add_metal(m, c2, err);
}

/* Two MN4 sites: the first at the cell centre, the second translated by the lattice vector
 * shift (the same orientation, so both sites are identical environments). */
ate_status site_make_separated(site_model *m, const double shift[3], ate_error *err)
{
    ATE_TRY(site_make_mn4(m, err));
    double c2[3] = {m->center[0] + shift[0], m->center[1] + shift[1], m->z0};
    int edge[8];
    int ne = open_divacancy(m, c2, edge, 8);
    if (ne != 4) return ATE_ERROR(err, ATE_ERR_INTERNAL, "second divacancy has %d edge atoms", ne);
    add_shell(m, edge, ne, 1);
    double c1[3];
    memcpy(c1, m->center, sizeof(c1));
    ATE_TRY(add_metal(m, c2, err));
    for (int k = 0; k < 2; ++k)
        m->center[k] = c1[k] + 0.5 * shift[k];
    return ATE_OK;
}

/* Lattice vectors whose length is the closest to distance (ties within 0.01 Å), at least
 * 5.9 Å long (the two N4 shells, 1.88 Å from their metals, then stay >= 2.1 Å apart: no N-N
 * bond, no shared neighbour) and at most half the in-plane cell width (the periodic image of
 * the second site is farther than the second site itself). */
ate_status site_separation_vectors(const site_model *m, double distance, double (*out)[3], int max,
                                   int *n, ate_error *err)
{
    const double *L = m->cell;
    double a = m->a;
    double width = fmin(hypot(L[0], L[1]), hypot(L[3], L[4])) * sqrt(3.0) / 2.0;
    double best = INFINITY;
    *n = 0;
    for (int pass = 0; pass < 2; ++pass)
        for (int i = -20; i <= 20; ++i)
            for (int j = -20; j <= 20; ++j) {
                double t[3] = {i * a + 0.5 * j * a, 0.5 * sqrt(3.0) * j * a, 0.0};
                double len = hypot(t[0], t[1]);
                if (len < 5.9 * ATE_ANGSTROM_BOHR || len > 0.5 * width) continue;
                double dev = fabs(len - distance);
                if (pass == 0)
                    best = fmin(best, dev);
                else if (dev <= best + 0.01 * ATE_ANGSTROM_BOHR && *n < max)
                    memcpy(out[(*n)++], t, sizeof(t));
            }
    if (*n == 0) /* the window is empty only when the cell is too small */
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0,
                                   "dual_metal.separations",
                                   "separated MN4 sites need a lattice translation of at least "
                                   "5.9 Å, but at most half the cell width (%.2f Å) fits this "
                                   "supercell; use a larger supercell",
                                   0.5 * width * ATE_BOHR_ANGSTROM);
    return ATE_OK;
}
