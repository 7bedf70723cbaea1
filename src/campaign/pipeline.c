/**
 * @file pipeline.c
 * @brief One candidate through the screening pipeline (docs/pipeline.md): relax the clean site,
 *        then each adsorbate on each top site; per state a spin scan over the allowed numbers of
 *        unpaired electrons; per SCF failure the rescue ladder; anomaly flags; CHE thermochemistry
 *        (Nørskov et al., J. Phys. Chem. B 108, 17886 (2004); src/thermo).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/context.h"
#include "atescreen/elements.h"
#include "atescreen/relax.h"
#include "atescreen/units.h"
#include "atescreen/vibthermo.h"
#include "kernel.h"
#include "pipeline_internal.h"

void ate_pipeline_set_poll(ate_pipeline *p, int (*fn)(void *), void *user)
{
    p->poll = fn, p->poll_user = user;
}

const char *ate_state_name(int state)
{
    return state == ATE_STATE_CLEAN ? "clean" : ate_adsorbate_name((ate_adsorbate)(state - 1));
}

ate_status ate_pipeline_create(const ate_campaign_spec *spec, FILE *log, int verbosity,
                               ate_pipeline **out, ate_error *err)
{
    return ate_pipeline_create_on(spec, MPI_COMM_SELF, log, verbosity, out, err);
}

/* settings.pw -> the plane-wave kernel's options (docs/input-reference.md) */
void ate_campaign_pw_options(const ate_campaign_spec *spec, ate_kernel_opts *ko)
{
    const ate_settings_spec *set = &spec->settings;
    ko->ecut = set->pw_ecut;
    ko->xc = strcmp(set->pw_xc, "lda") == 0 ? ATE_XC_LDA : ATE_XC_PBE;
    ko->smearing = !strcmp(set->pw_smearing, "none")       ? ATE_SMEAR_NONE
                   : !strcmp(set->pw_smearing, "gaussian") ? ATE_SMEAR_GAUSSIAN
                   : !strcmp(set->pw_smearing, "mv")       ? ATE_SMEAR_MV
                                                           : ATE_SMEAR_FERMI_DIRAC;
    ko->nbands = set->pw_nbands;
    ko->sphere_radius = set->pw_sphere_radius;
    ko->pseudo_file = set->pw_pseudo_file[0] ? set->pw_pseudo_file : NULL;
    /* fixed moments from the spin scan (uhf), as GFN1's; the starting guess is the kernel's */
    ko->spin_polarized = false, ko->free_moment = false;
}

ate_status ate_pipeline_create_on(const ate_campaign_spec *spec, MPI_Comm comm, FILE *log,
                                  int verbosity, ate_pipeline **out, ate_error *err)
{
    *out = NULL;
    const ate_settings_spec *set = &spec->settings;
    bool pw = strcmp(set->method, "pw") == 0;
    if (!pw && strcmp(set->method, "gfn1") != 0)
        return ATE_ERROR(err, ATE_ERR_UNSUPPORTED,
                         "settings.method: '%s' is not available in this build (gfn1 and pw are)",
                         set->method);
    ate_pipeline *p = calloc(1, sizeof(*p));
    if (!p) return ATE_ERROR(err, ATE_ERR_MEMORY, "pipeline: out of memory");
    p->spec = spec, p->log = log, p->verbosity = verbosity;
    p->comm = comm;
    MPI_Comm_size(comm, &p->comm_size);
    /* plane waves need a cell: flakes and the gas molecules go in a box */
    p->box_vacuum = pw ? set->pw_vacuum * ATE_ANGSTROM_BOHR : 0.0;
    ate_kernel_opts ko;
    ate_kernel_opts_init(&ko);
    ko.etemp = set->electronic_temperature;
    ko.max_iter = set->scf_max_iter;
    ko.mixing = set->scf_mixing;
    ko.guess = set->scf_uniform_guess ? ATE_GUESS_UNIFORM : ATE_GUESS_EEQ;
    /* periodic supports (slabs): converged lattice sums, the campaign's k-mesh and dipole
     * correction (docs/theory-gfn1.md); flakes ignore them */
    ko.pbc_mode = ATE_PBC_FULL;
    if (spec->support.kind != ATE_SUPPORT_FLAKE) memcpy(ko.kmesh, set->kpoints, sizeof(ko.kmesh));
    ko.dipole = set->dipole_correction == 1 ? ATE_DIPOLE_SLAB : ATE_DIPOLE_NONE;
    ko.spin_polarized = set->spin_polarized; /* spGFN1: the spin scan compares spin states */
    if (pw) ate_campaign_pw_options(spec, &ko);
    p->tight_econv = ko.econv, p->tight_qconv = ko.qconv; /* final points and vibrations */
    ate_status st = ate_kernel_create(set->method, &ko, comm, &p->k, err);
    if (st == ATE_OK) st = ate_kernel_set_convergence(p->k, set->scf_econv, set->scf_qconv, err);
    if (st != ATE_OK) {
        ate_kernel_destroy(&p->k);
        free(p);
        return st;
    }
    p->ladder[0] = (ate_scf_step){ATE_RUNG_DEFAULT, set->scf_mixing, set->scf_max_iter,
                                  set->electronic_temperature};
    for (int i = 0; i < set->nrescue; ++i) {
        p->ladder[1 + i] = set->rescue[i];
        if (p->ladder[1 + i].etemp == 0.0) p->ladder[1 + i].etemp = set->electronic_temperature;
    }
    p->nladder = 1 + set->nrescue;
    ate_relax_opts_init(&p->ropts);
    p->ropts.fmax = set->fmax * ATE_EV_HARTREE * ATE_BOHR_ANGSTROM;
    p->ropts.max_steps = set->max_steps;
    ate_che_set cs;
    st = ate_che_set_from_name(spec->thermo.corrections, &cs, err);
    if (st == ATE_OK) st = ate_che_constants_get(cs, &p->cc, err);
    p->harmonic = cs == ATE_CHE_SET_HARMONIC; /* per-site constants: ate_campaign_site_dg */
    if (st != ATE_OK) {
        ate_pipeline_destroy(&p);
        return st;
    }
    *out = p;
    return ATE_OK;
}

void ate_pipeline_destroy(ate_pipeline **p)
{
    if (!p || !*p) return;
    ate_kernel_destroy(&(*p)->k);
    free(*p);
    *p = NULL;
}

/* ---- one candidate ---------------------------------------------------------------------- */

static ate_status push_state(ate_candidate_result *r, ate_state_result *s, ate_error *err)
{
    ate_state_result *t = realloc(r->states, (size_t)(r->nstates + 1) * sizeof(*t));
    if (!t) return ATE_ERROR(err, ATE_ERR_MEMORY, "pipeline: out of memory");
    r->states = t;
    r->states[r->nstates++] = *s;
    return ATE_OK;
}

static void log_state(const ate_pipeline *p, const ate_candidate *c, const ate_state_result *s)
{
    if (p->verbosity < 1 || !p->log) return;
    if (!s->ok) {
        fprintf(p->log, "  %s %s@%s failed: %s\n", c->name, ate_state_name(s->state), s->site,
                s->fail_reason);
        return;
    }
    fprintf(p->log, "  %s %s@%s uhf=%d E=%.6f eV steps=%d fmax=%.3f eV/A attempts=%d%s\n", c->name,
            ate_state_name(s->state), s->site, s->uhf, s->energy, s->opt_steps, s->fmax,
            s->nattempts, s->anomaly ? " ANOMALY" : "");
}

static int find_state(const ate_candidate_result *r, int state, const char *site)
{
    for (int i = 0; i < r->nstates; ++i)
        if (r->states[i].state == state &&
            (state == ATE_STATE_CLEAN || !strcmp(r->states[i].site, site)))
            return i;
    return -1;
}

/* CHE numbers of one top site; false when a state is missing. */
static bool site_activity(const ate_pipeline *p, const ate_candidate_result *r, const char *site,
                          ate_che_dg *de, ate_che_dg *dg, ate_che_activity *act)
{
    bool all = ate_campaign_site_dg(p, r, site, de, dg);
    ate_che_activity_compute(dg, act);
    return all;
}

static void summarise(const ate_pipeline *p, const ate_candidate *c, ate_candidate_result *r)
{
    double best_eta = INFINITY;
    r->best_site = 0;
    for (int t = 0; t < c->nads_sites; ++t) {
        if (c->ads_sites[t].kind != ATE_ADS_SITE_TOP) continue;
        ate_che_dg de, dg;
        ate_che_activity act;
        bool all = site_activity(p, r, c->ads_site_labels[t], &de, &dg, &act);
        double eta = all ? act.eta_oer : INFINITY - 1.0;
        if (t == 0 || eta < best_eta) {
            best_eta = eta, r->best_site = t;
            r->de = de, r->dg = dg, r->act = act;
        }
    }
    const char *site = c->ads_site_labels[r->best_site];
    for (int st = 0; st < ATE_STATE_COUNT; ++st) {
        int i = find_state(r, st, site);
        r->uhf[st] = i >= 0 && r->states[i].ok ? r->states[i].uhf : -1;
    }
    /* spin change: different unpaired-electron counts among states of equal electron parity */
    r->spin_changed = 0;
    for (int a = 0; a < ATE_STATE_COUNT; ++a)
        for (int b = a + 1; b < ATE_STATE_COUNT; ++b)
            if (r->uhf[a] >= 0 && r->uhf[b] >= 0 && r->uhf[a] % 2 == r->uhf[b] % 2 &&
                r->uhf[a] != r->uhf[b])
                r->spin_changed = 1;
    r->ul_orr_tandem = r->ul_oer_tandem = NAN;
    ate_campaign_tandem(p, c, r);
}

static void state_clear(ate_state_result *s)
{
    ate_structure_destroy(&s->initial);
    ate_structure_destroy(&s->final);
    free(s->charges), free(s->spins), free(s->attempts);
    s->charges = s->spins = NULL, s->attempts = NULL;
}

void ate_candidate_result_clear(ate_candidate_result *r)
{
    if (!r) return;
    for (int i = 0; i < r->nstates; ++i)
        state_clear(&r->states[i]);
    free(r->states);
    memset(r, 0, sizeof(*r));
}

/* r: candidate c's identity, every number NaN, no states */
static void result_init(const ate_candidate *c, int natoms, ate_candidate_result *r)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->id, sizeof(r->id), "%s", c->id);
    snprintf(r->name, sizeof(r->name), "%s", c->name);
    snprintf(r->family, sizeof(r->family), "%s", c->family);
    r->nmetals = c->nmetals;
    r->metal_z[0] = c->metal_z[0], r->metal_z[1] = c->nmetals > 1 ? c->metal_z[1] : 0;
    r->natoms = natoms;
    r->best_site = 0;
    ate_che_dg nan4 = {NAN, NAN, NAN, NAN};
    r->de = r->dg = nan4;
    ate_che_activity_compute(&nan4, &r->act);
    r->ul_orr_tandem = r->ul_oer_tandem = NAN;
    r->metal_charge = r->metal_spin = r->dband_centre = r->homo_lumo_gap = NAN;
    for (int st = 0; st < ATE_STATE_COUNT; ++st)
        r->uhf[st] = -1;
}

void ate_candidate_result_failed(const ate_candidate *c, int natoms, const ate_error *e,
                                 ate_candidate_result *out)
{
    result_init(c, natoms, out);
    out->status = ATE_RESULT_FAILED;
    char buf[ATE_ERROR_MSG_LEN + ATE_ERROR_PATH_LEN + 64];
    ate_error_format(e, buf, sizeof(buf));
    snprintf(out->fail_reason, sizeof(out->fail_reason), "%.255s", buf);
}

/* A state that could not be started (the adsorbate could not be placed): failed, with e's
 * message as the reason. */
static ate_status push_failed_state(ate_candidate_result *r, int state, const char *site,
                                    const ate_error *e, ate_error *err)
{
    ate_state_result s;
    ate_pipeline_state_init(&s, state, site);
    snprintf(s.fail_reason, sizeof(s.fail_reason), "%.255s", e->message);
    return push_state(r, &s, err);
}

ate_status ate_pipeline_candidate(ate_pipeline *p, const ate_candidate *c, ate_candidate_result *r,
                                  ate_error *err)
{
    double t0 = ate_wtime();
    result_init(c, ate_structure_natoms(c->structure), r);
    ATE_TRY(ate_pipeline_references(p, &p->refs, err));

    if (p->spec->settings.freeze_radius > 0.0) {
        p->ropts.freeze_center = c->metal_index[0];
        p->ropts.freeze_radius = p->spec->settings.freeze_radius * ATE_ANGSTROM_BOHR;
    }
    ate_kernel_reset_guess(p->k);
    /* relaxation thresholds (a state that failed after its tight final point left them tight) */
    ATE_TRY(ate_kernel_set_convergence(p->k, p->spec->settings.scf_econv,
                                       p->spec->settings.scf_qconv, err));
    ate_state_result s;
    ate_status st = ate_pipeline_run_state(p, c->structure, ATE_STATE_CLEAN, "-", c->metal_index[0],
                                           -1, &s, err);
    if (st == ATE_OK && s.ok && c->nmetals > 1)
        s.anomaly |= ate_anomaly_detect(s.initial, s.final, c->metal_index[1], -1, ATE_ADS_OH);
    if (st == ATE_OK) st = push_state(r, &s, err);
    if (st != ATE_OK) {
        state_clear(&s); /* what run_state built before it failed */
        ate_candidate_result_clear(r);
        return st;
    }
    log_state(p, c, &s);
    const ate_state_result *clean = &r->states[0];
    if (clean->ok) {
        r->metal_charge = clean->metal_charge, r->metal_spin = clean->metal_spin;
        r->dband_centre = clean->dband_centre, r->homo_lumo_gap = clean->homo_lumo_gap;
        for (int a = 0; a < p->spec->nadsorbates && st == ATE_OK; ++a) {
            ate_adsorbate ads = p->spec->adsorbates[a];
            for (int t = 0; t < c->nads_sites && st == ATE_OK; ++t) {
                if (c->ads_sites[t].kind != ATE_ADS_SITE_TOP) continue;
                ate_structure *start = NULL;
                ate_error pe = {0};
                st = ate_adsorbate_place(r->states[0].final, ads, &c->ads_sites[t], &start, &pe);
                if (st != ATE_OK && ate_pipeline_state_failure(st)) {
                    /* the relaxed clean site leaves no room for it: that state fails */
                    st = push_failed_state(r, 1 + (int)ads, c->ads_site_labels[t], &pe, err);
                    if (st == ATE_OK) log_state(p, c, &r->states[r->nstates - 1]);
                    clean = &r->states[0];
                    continue;
                }
                if (st != ATE_OK) *err = pe;
                if (st == ATE_OK) {
                    st = ate_pipeline_run_state(p, start, 1 + (int)ads, c->ads_site_labels[t],
                                                c->ads_sites[t].metal[0], r->natoms, &s, err);
                    if (st == ATE_OK) st = push_state(r, &s, err);
                    if (st != ATE_OK) state_clear(&s); /* not (or not yet) owned by r */
                }
                ate_structure_destroy(&start);
                if (st == ATE_OK) log_state(p, c, &s);
                clean = &r->states[0];
            }
        }
    }
    p->ropts.freeze_center = -1;
    if (st != ATE_OK) {
        ate_candidate_result_clear(r);
        return st;
    }
    r->status = ATE_RESULT_DONE;
    for (int i = 0; i < r->nstates; ++i) {
        r->anomaly |= r->states[i].anomaly;
        if (!r->states[i].ok && r->status != ATE_RESULT_FAILED) {
            r->status = ATE_RESULT_FAILED;
            snprintf(r->fail_reason, sizeof(r->fail_reason), "%s@%s: %.200s",
                     ate_state_name(r->states[i].state), r->states[i].site,
                     r->states[i].fail_reason);
        }
    }
    if (r->status == ATE_RESULT_DONE && r->anomaly) r->status = ATE_RESULT_ANOMALOUS;
    summarise(p, c, r);
    r->wall_s = ate_wtime() - t0;
    return ATE_OK;
}

const ate_che_constants *ate_campaign_che_constants(const ate_pipeline *p) { return &p->cc; }
bool ate_campaign_harmonic(const ate_pipeline *p) { return p->harmonic; }
const ate_references *ate_campaign_refs(const ate_pipeline *p) { return &p->refs; }
const char *ate_pipeline_param_dir(const ate_pipeline *p)
{
    (void)p;
    return ATE_PARAM_DIR;
}
