/**
 * @file strain.c
 * @brief Biaxial strain of the support: in-plane cell vectors and positions scaled by 1 + e
 *        about the site centre (the carbon plane and the vacuum are unchanged).
 */
#include "sites_internal.h"

void site_apply_strain(site_model *m, double percent)
{
    double f = 1.0 + 0.01 * percent;
    for (int i = 0; i < m->n; ++i)
        for (int k = 0; k < 2; ++k)
            m->pos[3 * i + k] = m->center[k] + f * (m->pos[3 * i + k] - m->center[k]);
    for (int r = 0; r < 2; ++r)
        for (int k = 0; k < 2; ++k)
            m->cell[3 * r + k] *= f;
    for (int k = 0; k < 2; ++k) {
        for (int c = 0; c < m->ncand_hollow; ++c)
            m->cand_hollow[c][k] = m->center[k] + f * (m->cand_hollow[c][k] - m->center[k]);
    }
}
