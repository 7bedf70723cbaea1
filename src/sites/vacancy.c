/**
 * @file vacancy.c
 * @brief Carbon-vacancy candidates near the MN4 moiety: shell 1 = carbon atoms bonded to the
 *        first-shell atoms, shell 2 = carbon atoms bonded to shell 1 (further out).
 */
#include <math.h>

#include "sites_internal.h"

static bool bonded(const site_model *m, int i, int j)
{
    return site_model_distance(m, m->pos + 3 * i, m->pos + 3 * j) < 1.15 * m->a / sqrt(3.0);
}

static bool listed(const site_model *m, int i)
{
    for (int c = 0; c < m->ncand_vac; ++c)
        if (m->cand_vac[c] == i) return true;
    return false;
}

void site_find_vacancy_candidates(site_model *m)
{
    m->ncand_vac = 0;
    const int max = (int)(sizeof(m->cand_vac) / sizeof(m->cand_vac[0]));
    for (int shell = 1; shell <= 2; ++shell) {
        int first = m->ncand_vac;
        for (int i = 0; i < m->n; ++i) {
            if (m->z[i] == 0 || m->role[i] != ROLE_SUPPORT || listed(m, i)) continue;
            bool hit = false;
            if (shell == 1)
                for (int s = 0; s < m->nshell && !hit; ++s)
                    hit = bonded(m, i, m->shell[s]);
            else
                for (int c = 0; c < first && !hit; ++c)
                    hit = m->cand_vac_shell[c] == 1 && bonded(m, i, m->cand_vac[c]);
            if (hit && m->ncand_vac < max) {
                m->cand_vac_shell[m->ncand_vac] = shell;
                m->cand_vac[m->ncand_vac++] = i;
            }
        }
    }
}
