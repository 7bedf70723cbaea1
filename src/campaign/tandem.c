/**
 * @file tandem.c
 * @brief Tandem pathway of dual-metal sites: each OER/ORR intermediate (*OH, *O, *OOH) may sit on
 *        either metal, so the 2^3 assignments are evaluated with the single-site CHE formulas
 *        (Nørskov et al., J. Phys. Chem. B 108, 17886 (2004)) and the best is kept: the lowest
 *        OER limiting potential and the highest ORR limiting potential. Migration between the
 *        metals is assumed free (docs/pipeline.md).
 */
#include <math.h>
#include <string.h>

#include "campaign_internal.h"

bool ate_campaign_site_dg(const ate_pipeline *p, const ate_candidate_result *r, const char *site,
                          ate_che_dg *de_out, ate_che_dg *dg)
{
    double e[ATE_STATE_COUNT], g[ATE_STATE_COUNT]; /* energies; G - E corrections (eV) */
    for (int st = 0; st < ATE_STATE_COUNT; ++st) {
        e[st] = g[st] = NAN;
        for (int i = 0; i < r->nstates; ++i) {
            const ate_state_result *s = &r->states[i];
            if (s->ok && s->state == st && (st == ATE_STATE_CLEAN || !strcmp(s->site, site)))
                e[st] = s->energy, g[st] = s->zpe + s->cp - s->ts;
        }
    }
    const ate_references *ref = ate_campaign_refs(p);
    ate_che_energies en = {
        e[0],       e[1 + ATE_ADS_OH], e[1 + ATE_ADS_O], e[1 + ATE_ADS_OOH], e[1 + ATE_ADS_H],
        ref->e_h2o, ref->e_h2};
    ate_che_dg de;
    ate_che_delta_e(&en, &de);
    if (ate_campaign_harmonic(p)) {
        /* c_X = [G-E](*X) - [G-E](*) - the gas references' [G-E] of the reaction
         * (docs/theory-che.md, harmonic corrections) */
        const double gw = ref->corr_h2o[0] + ref->corr_h2o[1] - ref->corr_h2o[2];
        const double gh = ref->corr_h2[0] + ref->corr_h2[1] - ref->corr_h2[2];
        ate_che_constants c = *ate_campaign_che_constants(p);
        c.c_oh = g[1 + ATE_ADS_OH] - g[0] - (gw - 0.5 * gh);
        c.c_o = g[1 + ATE_ADS_O] - g[0] - (gw - gh);
        c.c_ooh = g[1 + ATE_ADS_OOH] - g[0] - (2.0 * gw - 1.5 * gh);
        c.c_h = g[1 + ATE_ADS_H] - g[0] - 0.5 * gh;
        ate_che_delta_g(&de, &c, dg);
    } else {
        ate_che_delta_g(&de, ate_campaign_che_constants(p), dg);
    }
    if (de_out) *de_out = de;
    return dg->oh == dg->oh && dg->o == dg->o && dg->ooh == dg->ooh && dg->h == dg->h;
}

void ate_campaign_tandem(const ate_pipeline *p, const ate_candidate *c, ate_candidate_result *r)
{
    r->ul_orr_tandem = r->ul_oer_tandem = NAN;
    if (c->nmetals < 2) return;
    ate_che_dg m[2];
    int nm = 0;
    for (int t = 0; t < c->nads_sites && nm < 2; ++t)
        if (c->ads_sites[t].kind == ATE_ADS_SITE_TOP) {
            if (!ate_campaign_site_dg(p, r, c->ads_site_labels[t], NULL, &m[nm])) return;
            ++nm;
        }
    if (nm < 2) return;
    double best_oer = INFINITY, best_orr = -INFINITY;
    for (int k = 0; k < 8; ++k) {
        ate_che_dg dg = {m[k & 1].oh, m[(k >> 1) & 1].o, m[(k >> 2) & 1].ooh, m[0].h};
        ate_che_activity a;
        ate_che_activity_compute(&dg, &a);
        if (a.ul_oer < best_oer) best_oer = a.ul_oer;
        if (a.ul_orr > best_orr) best_orr = a.ul_orr;
    }
    r->ul_oer_tandem = best_oer;
    r->ul_orr_tandem = best_orr;
}
