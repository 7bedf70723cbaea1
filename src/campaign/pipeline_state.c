/**
 * @file pipeline_state.c
 * @brief One state of a candidate (docs/pipeline.md): the spin scan over the allowed numbers of
 *        unpaired electrons, each relaxed (or single-pointed) with the SCF rescue ladder, the
 *        final single point (descriptors, per-atom charges and spins), harmonic vibrations; and
 *        the H2O/H2 gas references. Split from pipeline.c (the candidate loop and summary).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/elements.h"
#include "atescreen/relax.h"
#include "atescreen/units.h"
#include "atescreen/vibthermo.h"
#include "kernel.h"
#include "pipeline_internal.h"

/* ---- kernel calls ---------------------------------------------------------------------- */

/* A rank group (comm_size > 1): rank 0's status, energy, gradient and iteration count on every
 * rank, so that the optimiser and the spin scan take the same path everywhere (collective). */
static ate_status group_agree(ate_pipeline *p, ate_status st, ate_calc_result *r, int natoms,
                              ate_error *err)
{
    if (p->comm_size < 2) return st;
    int head[2] = {(int)st, r->iterations};
    MPI_Bcast(head, 2, MPI_INT, 0, p->comm);
    MPI_Bcast(&r->energy, 1, MPI_DOUBLE, 0, p->comm);
    if (r->gradient) MPI_Bcast(r->gradient, 3 * natoms, MPI_DOUBLE, 0, p->comm);
    r->iterations = head[1];
    if ((ate_status)head[0] != st) {
        if (head[0] == ATE_OK)
            ate_error_clear(err);
        else
            ATE_ERROR(err, (ate_status)head[0], "the evaluation failed on the group's first rank");
    }
    return (ate_status)head[0];
}

/* Whether to stop the candidate: the poll hook's answer, agreed within the group (collective). */
static bool stop_now(ate_pipeline *p)
{
    int stop = p->poll && p->poll(p->poll_user);
    if (p->comm_size > 1) MPI_Allreduce(MPI_IN_PLACE, &stop, 1, MPI_INT, MPI_MAX, p->comm);
    return stop != 0;
}

static ate_status energy_cb(void *user, const ate_structure *s, double *energy, double *gradient,
                            ate_error *err)
{
    ate_pipeline *p = user;
    ate_calc_result r = {.gradient = gradient};
    ate_status st = ate_kernel_compute(p->k, s, ATE_CALC_ENERGY | ATE_CALC_GRADIENT, &r, err);
    st = group_agree(p, st, &r, ate_structure_natoms(s), err);
    p->last_iterations = r.iterations;
    if (st == ATE_OK && stop_now(p))
        return ATE_ERROR(err, ATE_ERR_INTERRUPTED, "stopped on request");
    *energy = r.energy;
    return st;
}

/* a copy of s with the description d (its info items copied) */
static ate_status recreate(const ate_structure *s, const ate_structure_desc *d, ate_structure **out,
                           ate_error *err)
{
    ate_structure *t = NULL;
    ATE_TRY(ate_structure_create(d, &t, err));
    for (int i = 0; i < ate_structure_info_count(s); ++i) {
        ate_status st = ate_structure_info_set(t, ate_structure_info_key(s, i),
                                               ate_structure_info_value(s, i), err);
        if (st != ATE_OK) {
            ate_structure_destroy(&t);
            return st;
        }
    }
    *out = t;
    return ATE_OK;
}

ate_status ate_pipeline_boxed(const ate_pipeline *p, const ate_structure *s, ate_structure **out,
                              ate_error *err)
{
    *out = NULL;
    bool flake = p->spec->support.kind == ATE_SUPPORT_FLAKE;
    if (!(p->box_vacuum > 0.0) || (ate_structure_has_cell(s) && !flake))
        return ate_structure_copy(s, out, err);
    /* a new box for every starting structure of a flake (an adsorbate extends it) */
    ate_structure_desc d = ate_structure_get_desc(s);
    double lo[3] = {INFINITY, INFINITY, INFINITY}, hi[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (int i = 0; i < d.natoms; ++i)
        for (int k = 0; k < 3; ++k) {
            lo[k] = fmin(lo[k], d.positions[3 * i + k]);
            hi[k] = fmax(hi[k], d.positions[3 * i + k]);
        }
    double cell[9] = {0};
    for (int k = 0; k < 3; ++k)
        cell[4 * k] = hi[k] - lo[k] + p->box_vacuum;
    d.cell = cell;
    d.pbc[0] = d.pbc[1] = d.pbc[2] = true;
    return recreate(s, &d, out, err);
}

static ate_status apply_step(ate_pipeline *p, const ate_scf_step *step, ate_error *err)
{
    if (step->rung >= ATE_RUNG_FRESH_GUESS) ate_kernel_reset_guess(p->k);
    return ate_kernel_update_opts(p->k, step->etemp, step->mixing, step->max_iter, err);
}

/* s with uhf replaced (a new structure; the old one is destroyed). settings.pw.metal_moment > 0
 * and uhf > 0 (a spin-polarised state): starting moments metal_moment on the site metals (the
 * campaign's metals among the tag-1 site atoms, as state_vibrations) and 0 elsewhere (the pw
 * kernel's spinat); otherwise none (the kernel's start). */
static ate_status with_uhf(const ate_pipeline *p, ate_structure **s, int uhf, ate_error *err)
{
    double metal_moment = p->spec->settings.pw_metal_moment;
    ate_structure_desc d = ate_structure_get_desc(*s);
    d.uhf = uhf;
    double *mag = NULL;
    d.magmoms = NULL;
    if (uhf > 0 && metal_moment > 0.0) {
        if (!(mag = calloc((size_t)d.natoms, sizeof(double))))
            return ATE_ERROR(err, ATE_ERR_MEMORY, "pipeline: out of memory");
        for (int i = 0; i < d.natoms; ++i)
            for (int m = 0; m < p->spec->nmetals && d.tags[i] == ATE_TAG_SITE; ++m)
                if (d.numbers[i] == p->spec->metals[m]) mag[i] = metal_moment;
        d.magmoms = mag;
    }
    ate_structure *t = NULL;
    ate_status cs = ate_structure_create(&d, &t, err);
    free(mag);
    ATE_TRY(cs);
    for (int i = 0; i < ate_structure_info_count(*s); ++i)
        ATE_TRY(ate_structure_info_set(t, ate_structure_info_key(*s, i),
                                       ate_structure_info_value(*s, i), err));
    ate_structure_destroy(s);
    *s = t;
    return ATE_OK;
}

static ate_status push_attempt(ate_state_result *r, const ate_attempt *a, ate_error *err)
{
    ate_attempt *t = realloc(r->attempts, (size_t)(r->nattempts + 1) * sizeof(*t));
    if (!t) return ATE_ERROR(err, ATE_ERR_MEMORY, "pipeline: out of memory");
    r->attempts = t;
    r->attempts[r->nattempts++] = *a;
    return ATE_OK;
}

typedef struct spin_run {
    bool ok;
    double energy; /* hartree */
    bool relax_converged;
    int steps;
    double fmax;  /* hartree/bohr */
    int attempts; /* ladder attempts used */
    int step;     /* ladder step that succeeded */
    double etemp;
    bool non_scf; /* failed for a reason other than the SCF (ate_pipeline_state_failure) */
    char message[160];
} spin_run;

bool ate_pipeline_state_failure(ate_status code)
{
    return code == ATE_ERR_INPUT || code == ATE_ERR_VALUE || code == ATE_ERR_LIB;
}

/* Relax (or single-point) *s at uhf, climbing the rescue ladder on SCF failure; every attempt
 * is appended to r. Only non-SCF errors are returned. */
static ate_status run_spin(ate_pipeline *p, ate_structure **s, int uhf, bool relax,
                           ate_state_result *r, spin_run *out, ate_error *err)
{
    memset(out, 0, sizeof(*out));
    ATE_TRY(with_uhf(p, s, uhf, err));
    ate_status st = ATE_OK;
    for (int i = 0; i < p->nladder; ++i) {
        const ate_scf_step *step = &p->ladder[i];
        ATE_TRY(apply_step(p, step, err));
        ate_error e = {0};
        ate_attempt a = {.uhf = uhf, .rung = step->rung, .etemp = step->etemp, .energy = NAN};
        if (relax) {
            ate_relax_result rr;
            st = ate_relax_run(&p->ropts, energy_cb, p, NULL, NULL, *s, &rr, &e);
            out->steps += rr.steps;
            out->energy = rr.energy, out->fmax = rr.fmax, out->relax_converged = rr.converged;
        } else {
            double *g = malloc((size_t)ate_structure_natoms(*s) * 3 * sizeof(double));
            if (!g) return ATE_ERROR(err, ATE_ERR_MEMORY, "pipeline: out of memory");
            st = energy_cb(p, *s, &out->energy, g, &e);
            out->relax_converged = true;
            free(g);
        }
        a.scf_iterations = p->last_iterations;
        out->attempts = i + 1;
        out->step = i;
        out->etemp = step->etemp;
        if (st == ATE_OK) {
            a.converged = true;
            a.energy = out->energy * ATE_HARTREE_EV;
            ATE_TRY(push_attempt(r, &a, err));
            out->ok = true;
            break;
        }
        bool scf = e.code == ATE_ERR_NOT_CONVERGED;
        if (!scf && !ate_pipeline_state_failure(e.code)) {
            *err = e;
            apply_step(p, &p->ladder[0], &e);
            return st;
        }
        snprintf(a.message, sizeof(a.message), "%.159s", e.message);
        snprintf(out->message, sizeof(out->message), "%.159s", e.message);
        ATE_TRY(push_attempt(r, &a, err));
        if (!scf) {
            /* the geometry collapsed or the matrices became singular: no SCF setting changes
             * that, so the ladder stops here and this spin state fails with the reason */
            out->non_scf = true;
            ate_kernel_reset_guess(p->k);
            if (p->verbosity >= 2 && p->log)
                fprintf(p->log, "    uhf=%d failed: %s\n", uhf, e.message);
            break;
        }
        if (p->verbosity >= 2 && p->log)
            fprintf(p->log, "    uhf=%d rung %s failed: %s\n", uhf,
                    ate_rescue_rung_name(step->rung), e.message);
    }
    return apply_step(p, &p->ladder[0], err);
}

/* Allowed numbers of unpaired electrons of s: the parity of its electron count within
 * [min_unpaired, max_unpaired] (at least one value). */
static int allowed_uhf(const ate_pipeline *p, const ate_structure *s, int *list)
{
    int parity = ate_structure_nelectrons(s) % 2, n = 0;
    int lo = p->spec->settings.min_unpaired, hi = p->spec->settings.max_unpaired;
    for (int u = lo; u <= hi; ++u)
        if (u % 2 == parity) list[n++] = u;
    if (!n) list[n++] = lo + (lo % 2 != parity);
    return n;
}

/* Descriptors and per-atom data of the final structure: one single point. */
static ate_status final_point(ate_pipeline *p, const ate_structure *s, int metal,
                              ate_state_result *r, ate_error *err)
{
    int n = ate_structure_natoms(s);
    r->charges = malloc((size_t)n * sizeof(double));
    r->spins = malloc((size_t)n * sizeof(double));
    double *dband = malloc((size_t)n * sizeof(double));
    if (!r->charges || !r->spins || !dband) {
        free(dband);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "pipeline: out of memory");
    }
    ate_calc_result cr = {.charges = r->charges, .spins = r->spins, .dband_centre = dband};
    ate_status st = ate_kernel_compute(p->k, s, ATE_CALC_ENERGY, &cr, err);
    if (st == ATE_OK) {
        r->energy = cr.energy * ATE_HARTREE_EV; /* at tight SCF convergence */
        r->metal_charge = r->charges[metal];
        r->metal_spin = r->spins[metal];
        r->dband_centre = dband[metal];
        r->homo_lumo_gap = cr.homo_lumo_gap_ev;
    }
    free(dband);
    return st;
}

/* Finite-difference displacement for vibrations: 0.01 Å (as ase.vibrations.Vibrations). */
#define VIB_STEP_BOHR (0.01 * ATE_ANGSTROM_BOHR)

/* thermo.corrections harmonic: vibrations of the site metal(s) (the campaign's metals among the
 * tag-1 site atoms) and the adsorbate (tag 2) atoms of a relaxed state, the support held fixed; an
 * SCF failure at a displacement leaves the corrections NaN (the state's free energies are then NaN)
 * with a warning. */
static ate_status state_vibrations(ate_pipeline *p, const ate_structure *s, ate_state_result *r,
                                   ate_error *err)
{
    int n = ate_structure_natoms(s), nv = 0;
    const int *tags = ate_structure_tags(s);
    int *idx = malloc((size_t)n * sizeof(int));
    double *freq = malloc(3 * (size_t)n * sizeof(double));
    ate_status st = idx && freq ? ATE_OK : ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    const int *z = ate_structure_numbers(s);
    for (int i = 0; i < n && st == ATE_OK; ++i) {
        bool site_metal = false; /* tag 1 is the whole site: keep its metal atoms only */
        for (int m = 0; m < p->spec->nmetals && tags && tags[i] == 1; ++m)
            site_metal = site_metal || z[i] == p->spec->metals[m];
        if (tags && (tags[i] == 2 || site_metal)) idx[nv++] = i;
    }
    ate_error e = {0};
    if (st == ATE_OK && nv > 0) {
        ate_status sv = ate_vib_frequencies(p->k, s, idx, nv, VIB_STEP_BOHR, freq, &e);
        if (sv == ATE_OK) {
            ate_vib_terms t;
            ate_vib_harmonic(freq, 3 * nv, p->spec->thermo.temperature, p->spec->thermo.vib_floor,
                             &t);
            r->zpe = t.zpe, r->cp = t.cp, r->ts = t.ts, r->nimag = t.nimag;
            if (p->verbosity >= 2 && p->log)
                fprintf(p->log,
                        "    vibrations (%d modes, %d imaginary, %d raised): ZPE %.4f "
                        "Cv %.4f TS %.4f eV\n",
                        3 * nv, t.nimag, t.nraised, t.zpe, t.cp, t.ts);
        } else if (sv == ATE_ERR_NOT_CONVERGED) {
            if (p->log)
                fprintf(p->log, "atescreen: warning: vibrations of a %s state: %s\n",
                        ate_state_name(r->state), e.message);
        } else {
            *err = e;
            st = sv;
        }
    }
    free(idx), free(freq);
    return st;
}

/* r: state `state` at site, not (yet) obtained: every number NaN, no structures */
void ate_pipeline_state_init(ate_state_result *r, int state, const char *site)
{
    memset(r, 0, sizeof(*r));
    r->state = state;
    snprintf(r->site, sizeof(r->site), "%s", site);
    r->uhf = -1;
    r->energy = r->fmax = r->etemp = NAN;
    r->metal_charge = r->metal_spin = r->dband_centre = r->homo_lumo_gap = NAN;
    r->zpe = r->cp = r->ts = NAN;
}

/* One state: spin scan from the starting structure start (copied). metal: the site metal;
 * ads_first: index of the adsorbate's binding atom or -1. */
ate_status ate_pipeline_run_state(ate_pipeline *p, const ate_structure *start, int state,
                                  const char *site, int metal, int ads_first, ate_state_result *r,
                                  ate_error *err)
{
    ate_pipeline_state_init(r, state, site);
    ATE_TRY(ate_pipeline_boxed(p, start, &r->initial, err)); /* plane waves: in a box */
    start = r->initial;
    int uhfs[16];
    int nu = allowed_uhf(p, start, uhfs);
    bool relax_each = p->spec->settings.spin_scan == ATE_SPIN_SCAN_RELAX;
    ate_structure *best = NULL, *geom = NULL;
    spin_run best_run = {0};
    int best_uhf = -1;
    ate_status st = ATE_OK;
    char last_msg[160] = "";
    bool non_scf = false; /* the last failure was not the SCF's */
    for (int i = 0; i < nu && st == ATE_OK; ++i) {
        /* single-point mode: the first value that relaxes sets the geometry for the others */
        bool relax = relax_each || !geom;
        ate_structure *s = NULL;
        st = ate_structure_copy(geom && !relax ? geom : start, &s, err);
        spin_run run;
        if (st == ATE_OK) st = run_spin(p, &s, uhfs[i], relax, r, &run, err);
        if (st == ATE_OK && run.ok) {
            if (relax && !geom) st = ate_structure_copy(s, &geom, err);
            if (!best || run.energy < best_run.energy) {
                ate_structure_destroy(&best);
                best = s, s = NULL;
                best_run = run;
                best_uhf = uhfs[i];
            }
        } else if (st == ATE_OK) {
            snprintf(last_msg, sizeof(last_msg), "uhf=%d: %.140s", uhfs[i], run.message);
            non_scf = run.non_scf;
        }
        ate_structure_destroy(&s);
    }
    /* single-point mode: relax the winner when its geometry came from another spin state */
    if (st == ATE_OK && best && !relax_each && best_uhf != uhfs[0] && best_run.steps == 0) {
        spin_run run;
        ate_structure *s = NULL;
        st = ate_structure_copy(best, &s, err);
        if (st == ATE_OK) st = run_spin(p, &s, best_uhf, true, r, &run, err);
        if (st == ATE_OK && run.ok) {
            ate_structure_destroy(&best);
            best = s, s = NULL;
            int a = best_run.attempts;
            best_run = run;
            best_run.attempts += a;
        }
        ate_structure_destroy(&s);
    }
    ate_structure_destroy(&geom);
    if (st != ATE_OK) {
        ate_structure_destroy(&best);
        return st;
    }
    if (!best) {
        if (non_scf)
            snprintf(r->fail_reason, sizeof(r->fail_reason), "no spin state succeeded (%s)",
                     last_msg);
        else
            snprintf(r->fail_reason, sizeof(r->fail_reason),
                     "SCF did not converge for any spin state after %d rescue rung(s) (%s)",
                     p->nladder - 1, last_msg);
        return ATE_OK;
    }
    r->ok = true;
    r->final = best;
    r->uhf = best_uhf;
    r->energy = best_run.energy * ATE_HARTREE_EV;
    r->converged = best_run.relax_converged;
    r->opt_steps = best_run.steps;
    r->fmax = best_run.fmax * ATE_HARTREE_BOHR_EV_ANGSTROM;
    r->scf_attempts = best_run.attempts;
    r->etemp = best_run.etemp;
    /* descriptors with the settings of the attempt that converged */
    ATE_TRY(apply_step(p, &p->ladder[best_run.step], err));
    ate_error e = {0};
    ATE_TRY(ate_kernel_set_convergence(p->k, p->tight_econv, p->tight_qconv, err));
    if (final_point(p, best, metal, r, &e) != ATE_OK && e.code != ATE_ERR_NOT_CONVERGED) {
        *err = e;
        return e.code;
    }
    if (p->harmonic) ATE_TRY(state_vibrations(p, best, r, err));
    ATE_TRY(ate_kernel_set_convergence(p->k, p->spec->settings.scf_econv,
                                       p->spec->settings.scf_qconv, err));
    ATE_TRY(apply_step(p, &p->ladder[0], err));
    r->anomaly = ate_anomaly_detect(r->initial, best, metal, ads_first,
                                    ads_first >= 0 ? (ate_adsorbate)(state - 1) : ATE_ADS_OH);
    return ATE_OK;
}

/* ---- gas references ----------------------------------------------------------------- */

static ate_status gas(ate_pipeline *p, int n, const int *z, const double *xyz_ang, double *e_ev,
                      double p_pa, double corr[3], bool *ok, ate_error *err)
{
    double pos[9];
    for (int i = 0; i < 3 * n; ++i)
        pos[i] = xyz_ang[i] * ATE_ANGSTROM_BOHR;
    ate_structure_desc d = {.natoms = n, .numbers = z, .positions = pos, .uhf = 0};
    ate_structure *s = NULL, *b = NULL;
    ATE_TRY(ate_structure_create(&d, &s, err));
    if (p->box_vacuum > 0.0) { /* plane waves: the molecule in a box */
        ate_status sb = ate_pipeline_boxed(p, s, &b, err);
        ate_structure_destroy(&s);
        ATE_TRY(sb);
        s = b;
    }
    ate_state_result r = {0};
    spin_run run;
    ate_status st = run_spin(p, &s, 0, true, &r, &run, err);
    free(r.attempts);
    corr[0] = corr[1] = corr[2] = NAN;
    double e_tight = NAN;
    if (st == ATE_OK && run.ok) { /* the energy at tight SCF convergence, as for the states */
        ate_calc_result cr = {0};
        ate_error e = {0};
        st = ate_kernel_set_convergence(p->k, p->tight_econv, p->tight_qconv, err);
        ate_status sp = st == ATE_OK ? ate_kernel_compute(p->k, s, ATE_CALC_ENERGY, &cr, &e) : st;
        if (sp == ATE_OK)
            e_tight = cr.energy;
        else if (st == ATE_OK && sp != ATE_ERR_NOT_CONVERGED)
            *err = e, st = sp;
    }
    if (st == ATE_OK && run.ok && p->harmonic) {
        /* ideal gas from the kernel's frequencies at the relaxed geometry, symmetry number 2
         * (C2v H2O, D_inf_h H2) */
        int idx[3] = {0, 1, 2};
        double freq[9], mass[3], xyz[9];
        ate_error e = {0};
        ate_status sv = ate_vib_frequencies(p->k, s, idx, n, VIB_STEP_BOHR, freq, &e);
        if (sv == ATE_OK) {
            for (int i = 0; i < n; ++i) {
                mass[i] = ate_element_mass(z[i]);
                for (int k = 0; k < 3; ++k)
                    xyz[3 * i + k] = ate_structure_positions(s)[3 * i + k] * ATE_BOHR_ANGSTROM;
            }
            ate_vib_terms t;
            ate_vib_ideal_gas(n, mass, xyz, freq, 2, p->spec->thermo.temperature, p_pa, &t);
            corr[0] = t.zpe, corr[1] = t.cp, corr[2] = t.ts;
        } else if (sv != ATE_ERR_NOT_CONVERGED) {
            *err = e;
            st = sv;
        }
        *ok = *ok && sv == ATE_OK;
    }
    if (st == ATE_OK)
        st = ate_kernel_set_convergence(p->k, p->spec->settings.scf_econv,
                                        p->spec->settings.scf_qconv, err);
    ate_structure_destroy(&s);
    ATE_TRY(st);
    *ok = *ok && run.ok && run.relax_converged && e_tight == e_tight;
    *e_ev = e_tight * ATE_HARTREE_EV;
    return ATE_OK;
}

ate_status ate_pipeline_references(ate_pipeline *p, ate_references *refs, ate_error *err)
{
    if (!p->have_refs) {
        /* starting geometries (Å): H2O with 0.96 Å and 104.5 deg, H2 with 0.74 Å */
        static const int zw[3] = {8, 1, 1}, zh[2] = {1, 1};
        static const double xw[9] = {0.0, 0.0, 0.0, 0.7572, 0.5865, 0.0, -0.7572, 0.5865, 0.0};
        static const double xh[6] = {0.0, 0.0, 0.0, 0.74, 0.0, 0.0};
        p->refs.converged = true;
        /* H2O(g) at its 298 K vapour pressure 0.035 bar stands for the liquid; H2 at 1 bar */
        ATE_TRY(
            gas(p, 3, zw, xw, &p->refs.e_h2o, 3534.0, p->refs.corr_h2o, &p->refs.converged, err));
        ATE_TRY(gas(p, 2, zh, xh, &p->refs.e_h2, 1e5, p->refs.corr_h2, &p->refs.converged, err));
        p->have_refs = true;
        if (!p->refs.converged && p->log)
            fprintf(p->log, "atescreen: warning: the H2O/H2 gas references did not converge "
                            "(rescue ladder exhausted or step limit): adsorption energies will "
                            "be NaN\n");
    }
    *refs = p->refs;
    return ATE_OK;
}
