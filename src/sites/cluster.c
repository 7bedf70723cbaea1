/**
 * @file cluster.c
 * @brief A small metal cluster (2-4 atoms) on the support next to the single-atom site.
 *
 * Candidate positions: centres of intact carbon hexagons whose distance from the site metal is
 * the closest to the requested one. The cluster sits on the +z face (the adsorbate side),
 * SITE_CLUSTER_HEIGHT above the carbon plane: a dimer perpendicular to the site direction, a
 * triangle with one vertex towards the site, or a tetrahedron (triangle + apex). M-M bond
 * 1.9 x the covalent radius (close to the bulk nearest-neighbour distance of 3d/5d metals).
 */
#include <math.h>
#include <string.h>

#include "atescreen/elements.h"
#include "atescreen/units.h"
#include "sites_internal.h"

static int count_ring(const site_model *m, const double p[3], double bond)
{
    int n = 0;
    for (int i = 0; i < m->n; ++i) {
        if (m->z[i] == 0) continue;
        double d = site_model_distance(m, p, m->pos + 3 * i);
        if (d < 0.5 * bond) return -1; /* an atom sits there: not a hollow */
        if (fabs(d - bond) < 0.1 * bond) {
            if (m->role[i] != ROLE_SUPPORT) return -1; /* touches the site */
            ++n;
        }
    }
    return n;
}

void site_find_hollow_candidates(site_model *m, double distance)
{
    const double bond = m->a / sqrt(3.0);
    const double *mp = m->pos + 3 * m->metal[0];
    double best = INFINITY;
    const int max = (int)(sizeof(m->cand_hollow) / sizeof(m->cand_hollow[0]));
    m->ncand_hollow = 0;
    for (int pass = 0; pass < 2; ++pass)
        for (int i = 0; i < m->n; ++i) {
            if (m->z[i] == 0 || m->role[i] != ROLE_SUPPORT) continue;
            for (int k = 0; k < 6; ++k) {
                double th = ATE_PI / 6.0 + k * ATE_PI / 3.0;
                double p[3] = {m->pos[3 * i] + bond * cos(th), m->pos[3 * i + 1] + bond * sin(th),
                               m->z0};
                double dev = fabs(site_model_distance(m, mp, p) - distance);
                if (dev > best + 0.05 * ATE_ANGSTROM_BOHR || count_ring(m, p, bond) != 6) continue;
                if (pass == 0) {
                    best = fmin(best, dev);
                    continue;
                }
                bool dup = false;
                for (int c = 0; c < m->ncand_hollow && !dup; ++c)
                    dup = site_model_distance(m, p, m->cand_hollow[c]) < 0.1 * bond;
                if (!dup && m->ncand_hollow < max)
                    memcpy(m->cand_hollow[m->ncand_hollow++], p, sizeof(p));
            }
        }
}

ate_status site_add_cluster(site_model *m, const double centroid[3], int size, int metal_z,
                            ate_error *err)
{
    const double *mp = m->pos + 3 * m->metal[0];
    double b = 1.9 * ate_element_covalent_radius(metal_z) * ATE_ANGSTROM_BOHR;
    double h = m->z0 + SITE_CLUSTER_HEIGHT * ATE_ANGSTROM_BOHR;
    double u[2] = {mp[0] - centroid[0], mp[1] - centroid[1]}; /* towards the site */
    double lu = hypot(u[0], u[1]);
    u[0] /= lu, u[1] /= lu;
    double pts[4][3];
    int n = 0;
    if (size == 2) {
        for (int s = -1; s <= 1; s += 2) {
            double p[3] = {centroid[0] - s * 0.5 * b * u[1], centroid[1] + s * 0.5 * b * u[0], h};
            memcpy(pts[n++], p, sizeof(p));
        }
    } else if (size == 3 || size == 4) {
        double rho = b / sqrt(3.0);
        for (int k = 0; k < 3; ++k) {
            double th = k * 2.0 * ATE_PI / 3.0;
            double v[2] = {u[0] * cos(th) - u[1] * sin(th), u[0] * sin(th) + u[1] * cos(th)};
            double p[3] = {centroid[0] + rho * v[0], centroid[1] + rho * v[1], h};
            memcpy(pts[n++], p, sizeof(p));
        }
        if (size == 4) {
            double p[3] = {centroid[0], centroid[1], h + b * sqrt(2.0 / 3.0)};
            memcpy(pts[n++], p, sizeof(p));
        }
    } else {
        return ATE_ERROR(err, ATE_ERR_VALUE, "cluster size %d is not 2, 3 or 4", size);
    }
    for (int k = 0; k < n; ++k) {
        for (int i = 0; i < m->n; ++i)
            if (m->z[i] && m->role[i] != ROLE_SUPPORT &&
                site_model_distance(m, pts[k], m->pos + 3 * i) < 2.0 * ATE_ANGSTROM_BOHR)
                return ate_error_set_input(
                    err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "cluster.distances",
                    "a %d-atom %s cluster %.2f Å from the site comes "
                    "within 2 Å of the site; use a larger distance",
                    size, ate_element_symbol(metal_z),
                    site_model_distance(m, mp, centroid) * ATE_BOHR_ANGSTROM);
        ATE_TRY(site_model_add(m, metal_z, pts[k], ROLE_CLUSTER, err));
    }
    return ATE_OK;
}
