/**
 * @file results.c
 * @brief results.h5 from candidate results: the column tables of docs/hdf5-schema.md (schema
 *        atescreen.results 1.2.0), written atomically through atescreen/h5.h.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atescreen/elements.h"
#include "atescreen/h5.h"
#include "atescreen/units.h"
#include "atescreen/version.h"
#include "campaign_internal.h"

#ifndef ATE_GIT_SHA
#define ATE_GIT_SHA "unknown"
#endif

/* Growable columns. */
typedef struct dcol {
    double *v;
    size_t n, cap;
} dcol;
typedef struct icol {
    int *v;
    size_t n, cap;
} icol;
typedef struct scol {
    const char **v;
    size_t n, cap;
} scol;

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return true;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *t = realloc(*p, c * elem);
    if (!t) return false;
    *p = t, *cap = c;
    return true;
}
static bool dpush(dcol *c, double x)
{
    if (!grow((void **)&c->v, &c->cap, c->n + 1, sizeof(double))) return false;
    c->v[c->n++] = x;
    return true;
}
static bool ipush(icol *c, int x)
{
    if (!grow((void **)&c->v, &c->cap, c->n + 1, sizeof(int))) return false;
    c->v[c->n++] = x;
    return true;
}
static bool spush(scol *c, const char *x)
{
    if (!grow((void **)&c->v, &c->cap, c->n + 1, sizeof(char *))) return false;
    c->v[c->n++] = x;
    return true;
}

static ate_status wd(ate_h5 *h, const char *g, const char *name, const dcol *c, const char *units,
                     ate_error *err)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", g, name);
    return ate_h5_write_doubles(h, path, c->v, c->n, units, err);
}
static ate_status wi(ate_h5 *h, const char *g, const char *name, const icol *c, ate_error *err)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", g, name);
    return ate_h5_write_ints(h, path, c->v, c->n, NULL, err);
}
static ate_status ws(ate_h5 *h, const char *g, const char *name, const scol *c, ate_error *err)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", g, name);
    return ate_h5_write_strings(h, path, c->v, c->n, err);
}

/* ---- /summary ------------------------------------------------------------------------- */

enum {
    SD_DE_OH,
    SD_DE_O,
    SD_DE_OOH,
    SD_DE_H,
    SD_DG_OH,
    SD_DG_O,
    SD_DG_OOH,
    SD_DG_H,
    SD_UL_ORR,
    SD_UL_OER,
    SD_ETA_ORR,
    SD_ETA_OER,
    SD_ETA_HER,
    SD_GAP_BIF,
    SD_ULT_ORR,
    SD_ULT_OER,
    SD_QM,
    SD_SM,
    SD_DBAND,
    SD_HLGAP,
    SD_WALL,
    SD_COUNT
};
static const char *const sd_name[SD_COUNT] = {"dE_OH",          "dE_O",
                                              "dE_OOH",         "dE_H",
                                              "dG_OH",          "dG_O",
                                              "dG_OOH",         "dG_H",
                                              "U_L_ORR",        "U_L_OER",
                                              "eta_ORR",        "eta_OER",
                                              "eta_HER",        "bifunctional_gap",
                                              "U_L_ORR_tandem", "U_L_OER_tandem",
                                              "metal_charge",   "metal_spin",
                                              "d_band_centre",  "homo_lumo_gap",
                                              "wall_s"};
static const char *const sd_units[SD_COUNT] = {"eV", "eV", "eV", "eV", "eV", "eV", "eV",
                                               "eV", "V",  "V",  "V",  "V",  "V",  "V",
                                               "V",  "V",  "e",  "e",  "eV", "eV", "s"};

enum {
    SI_M1,
    SI_M2,
    SI_NAT,
    SI_STATUS,
    SI_PDS_ORR,
    SI_PDS_OER,
    SI_UHF0,
    SI_UHF1,
    SI_UHF2,
    SI_UHF3,
    SI_UHF4,
    SI_SPINCH,
    SI_ANOM,
    SI_RANK,
    SI_COUNT
};
static const char *const si_name[SI_COUNT] = {
    "metal1", "metal2", "natoms",  "status", "pds_ORR",      "pds_OER", "uhf_clean",
    "uhf_OH", "uhf_O",  "uhf_OOH", "uhf_H",  "spin_changed", "anomaly", "rank"};

enum { SS_ID, SS_NAME, SS_FAMILY, SS_METALS, SS_FAIL, SS_COUNT };
static const char *const ss_name[SS_COUNT] = {"id", "name", "family", "metals", "fail_reason"};

static ate_status write_summary(ate_h5 *h, const ate_candidate_result *r, int n, ate_error *err)
{
    dcol d[SD_COUNT] = {{0}};
    icol iv[SI_COUNT] = {{0}};
    scol sv[SS_COUNT] = {{0}};
    char(*metals)[16] = calloc((size_t)(n ? n : 1), 16);
    bool ok = metals != NULL;
    for (int c = 0; c < n && ok; ++c) {
        const ate_candidate_result *x = &r[c];
        snprintf(metals[c], 16, "%s%s%s", ate_element_symbol(x->metal_z[0]),
                 x->nmetals > 1 ? "," : "",
                 x->nmetals > 1 ? ate_element_symbol(x->metal_z[1]) : "");
        double ul_orr = x->act.ul_orr, ul_oer = x->act.ul_oer;
        const double dv[SD_COUNT] = {
            x->de.oh,         x->de.o,         x->de.ooh,      x->de.h,         x->dg.oh,
            x->dg.o,          x->dg.ooh,       x->dg.h,        ul_orr,          ul_oer,
            x->act.eta_orr,   x->act.eta_oer,  x->act.eta_her, ul_oer - ul_orr, x->ul_orr_tandem,
            x->ul_oer_tandem, x->metal_charge, x->metal_spin,  x->dband_centre, x->homo_lumo_gap,
            x->wall_s};
        bool have_orr = ul_orr == ul_orr, have_oer = ul_oer == ul_oer;
        const int iv_[SI_COUNT] = {x->metal_z[0],
                                   x->metal_z[1],
                                   x->natoms,
                                   x->status,
                                   have_orr ? x->act.pds_orr : -1,
                                   have_oer ? x->act.pds_oer : -1,
                                   x->uhf[0],
                                   x->uhf[1 + ATE_ADS_OH],
                                   x->uhf[1 + ATE_ADS_O],
                                   x->uhf[1 + ATE_ADS_OOH],
                                   x->uhf[1 + ATE_ADS_H],
                                   x->spin_changed,
                                   (int)x->anomaly,
                                   x->rank};
        const char *sv_[SS_COUNT] = {x->id, x->name, x->family, metals[c], x->fail_reason};
        for (int k = 0; k < SD_COUNT; ++k)
            ok = ok && dpush(&d[k], dv[k]);
        for (int k = 0; k < SI_COUNT; ++k)
            ok = ok && ipush(&iv[k], iv_[k]);
        for (int k = 0; k < SS_COUNT; ++k)
            ok = ok && spush(&sv[k], sv_[k]);
    }
    ate_status st = ok ? ate_h5_group(h, "/summary", err)
                       : ATE_ERROR(err, ATE_ERR_MEMORY, "results: out of memory");
    for (int k = 0; k < SS_COUNT && st == ATE_OK; ++k)
        st = ws(h, "/summary", ss_name[k], &sv[k], err);
    for (int k = 0; k < SI_COUNT && st == ATE_OK; ++k)
        st = wi(h, "/summary", si_name[k], &iv[k], err);
    for (int k = 0; k < SD_COUNT && st == ATE_OK; ++k)
        st = wd(h, "/summary", sd_name[k], &d[k], sd_units[k], err);
    for (int k = 0; k < SD_COUNT; ++k)
        free(d[k].v);
    for (int k = 0; k < SI_COUNT; ++k)
        free(iv[k].v);
    for (int k = 0; k < SS_COUNT; ++k)
        free(sv[k].v);
    free(metals);
    return st;
}

/* ---- /states, /attempts, /structures: growing columns ------------------------------------ */

enum { TD_E, TD_FMAX, TD_ETEMP, TD_QM, TD_SM, TD_DBAND, TD_GAP, TD_ZPE, TD_CP, TD_TS, TD_COUNT };
static const char *const td_name[TD_COUNT] = {
    "E_total",       "fmax",          "etemp", "metal_charge", "metal_spin",
    "d_band_centre", "homo_lumo_gap", "ZPE",   "Cp_int",       "TS"};
static const char *const td_units[TD_COUNT] = {"eV", "eV/Angstrom", "K",  "e",  "e",
                                               "eV", "eV",          "eV", "eV", "eV"};
/* /states/candidate_row is written by finish (rows renumbered), the others as states come */
enum { TI_STATE, TI_UHF, TI_CONV, TI_STEPS, TI_ATT, TI_ANOM, TI_S0, TI_S1, TI_NIMAG, TI_COUNT };
static const char *const ti_name[TI_COUNT] = {
    "state",        "uhf",     "converged",         "opt_steps",
    "scf_attempts", "anomaly", "structure_initial", "structure_final",
    "n_imag"};

enum { AD_ETEMP, AD_E, AD_COUNT };
static const char *const ad_name[AD_COUNT] = {"etemp", "E_total"};
static const char *const ad_units[AD_COUNT] = {"K", "eV"};
enum { AI_ROW, AI_UHF, AI_RUNG, AI_CONV, AI_ITER, AI_COUNT };
static const char *const ai_name[AI_COUNT] = {"state_row", "uhf", "rung", "converged",
                                              "scf_iterations"};

/* /structures: per atom, then per structure (candidate_row written by finish) */
enum { SA_NUM, SA_POS, SA_TAGS, SA_FIXED, SA_CHG, SA_SPIN, SA_COUNT };
enum { SR_OFF, SR_CELL, SR_PBC, SR_KIND, SR_STATE, SR_ENERGY, SR_COUNT };

struct ate_results_writer {
    ate_h5 *h;
    const ate_campaign_spec *spec;
    int nrows;
    ate_candidate_result *head; /* [nrows]: the /summary fields of each added row (no states) */
    bool *added;
    ate_h5_column *td[TD_COUNT], *ti[TI_COUNT], *site;
    ate_h5_column *ad[AD_COUNT], *ai[AI_COUNT], *msg;
    ate_h5_column *sa[SA_COUNT], *sr[SR_COUNT];
    int nstates, nstructs, natoms;
    icol state_row, struct_row; /* the added row of each state and structure */
    bool has_z[ATE_MAX_Z + 1];  /* elements of the structures added (provenance) */
    double *dtmp;               /* scratch [3 * atoms] */
    int *itmp;
    size_t tmp_cap;
};

static ate_status column(ate_results_writer *w, const char *group, const char *name,
                         ate_h5_kind kind, size_t cols, const char *units, ate_h5_column **out,
                         ate_error *err)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", group, name);
    return ate_h5_column_create(w->h, path, kind, cols, units, out, err);
}

static ate_status create_columns(ate_results_writer *w, ate_error *err)
{
    for (int k = 0; k < TI_COUNT; ++k)
        ATE_TRY(column(w, "/states", ti_name[k], ATE_H5_INT, 1, NULL, &w->ti[k], err));
    ATE_TRY(column(w, "/states", "site", ATE_H5_STRING, 1, NULL, &w->site, err));
    for (int k = 0; k < TD_COUNT; ++k)
        ATE_TRY(column(w, "/states", td_name[k], ATE_H5_DOUBLE, 1, td_units[k], &w->td[k], err));
    for (int k = 0; k < AI_COUNT; ++k)
        ATE_TRY(column(w, "/attempts", ai_name[k], ATE_H5_INT, 1, NULL, &w->ai[k], err));
    for (int k = 0; k < AD_COUNT; ++k)
        ATE_TRY(column(w, "/attempts", ad_name[k], ATE_H5_DOUBLE, 1, ad_units[k], &w->ad[k], err));
    ATE_TRY(column(w, "/attempts", "message", ATE_H5_STRING, 1, NULL, &w->msg, err));
    const char *g = "/structures";
    ATE_TRY(column(w, g, "atom_offset", ATE_H5_INT, 1, NULL, &w->sr[SR_OFF], err));
    ATE_TRY(column(w, g, "numbers", ATE_H5_INT, 1, NULL, &w->sa[SA_NUM], err));
    ATE_TRY(column(w, g, "positions", ATE_H5_DOUBLE, 3, "Angstrom", &w->sa[SA_POS], err));
    ATE_TRY(column(w, g, "tags", ATE_H5_INT, 1, NULL, &w->sa[SA_TAGS], err));
    ATE_TRY(column(w, g, "fixed", ATE_H5_INT, 1, NULL, &w->sa[SA_FIXED], err));
    ATE_TRY(column(w, g, "charges", ATE_H5_DOUBLE, 1, "e", &w->sa[SA_CHG], err));
    ATE_TRY(column(w, g, "spins", ATE_H5_DOUBLE, 1, "e", &w->sa[SA_SPIN], err));
    ATE_TRY(column(w, g, "cell", ATE_H5_DOUBLE, 9, "Angstrom", &w->sr[SR_CELL], err));
    ATE_TRY(column(w, g, "pbc", ATE_H5_INT, 3, NULL, &w->sr[SR_PBC], err));
    ATE_TRY(column(w, g, "kind", ATE_H5_INT, 1, NULL, &w->sr[SR_KIND], err));
    ATE_TRY(column(w, g, "state", ATE_H5_INT, 1, NULL, &w->sr[SR_STATE], err));
    ATE_TRY(column(w, g, "energy", ATE_H5_DOUBLE, 1, "eV", &w->sr[SR_ENERGY], err));
    const int zero = 0;
    return ate_h5_column_append(w->sr[SR_OFF], &zero, 1, err);
}

/* Close (flush) or, with err NULL, drop every growing column. */
static ate_status close_columns(ate_results_writer *w, ate_error *err)
{
    ate_h5_column **all[] = {w->td, w->ti, w->ad, w->ai, w->sa, w->sr};
    const int count[] = {TD_COUNT, TI_COUNT, AD_COUNT, AI_COUNT, SA_COUNT, SR_COUNT};
    ate_status st = ATE_OK;
    for (size_t g = 0; g < sizeof(count) / sizeof(*count); ++g)
        for (int k = 0; k < count[g]; ++k) {
            if (err && st == ATE_OK) st = ate_h5_column_close(&all[g][k], err);
            ate_h5_column_free(&all[g][k]);
        }
    ate_h5_column **one[] = {&w->site, &w->msg};
    for (size_t k = 0; k < 2; ++k) {
        if (err && st == ATE_OK) st = ate_h5_column_close(one[k], err);
        ate_h5_column_free(one[k]);
    }
    return st;
}

static bool scratch(ate_results_writer *w, size_t n)
{
    if (n <= w->tmp_cap) return true;
    double *d = realloc(w->dtmp, n * sizeof(double));
    if (d) w->dtmp = d;
    int *i = realloc(w->itmp, n * sizeof(int));
    if (i) w->itmp = i;
    if (!d || !i) return false;
    w->tmp_cap = n;
    return true;
}

#define APPEND(col, v, n) ATE_TRY(ate_h5_column_append((col), (v), (n), err))

/* One row of a table: value k of dv[nd] to column dc[k], of iv[ni] to ic[k]. */
static ate_status append_row(ate_h5_column **dc, const double *dv, int nd, ate_h5_column **ic,
                             const int *iv, int ni, ate_error *err)
{
    for (int k = 0; k < nd; ++k)
        APPEND(dc[k], &dv[k], 1);
    for (int k = 0; k < ni; ++k)
        APPEND(ic[k], &iv[k], 1);
    return ATE_OK;
}

/* One structure of added row `row` (energy NaN and no charges for initial structures). */
static ate_status add_structure(ate_results_writer *w, const ate_structure *s, int kind, int row,
                                int state, double energy, const double *charges,
                                const double *spins, ate_error *err)
{
    int n = ate_structure_natoms(s);
    const int *tags = ate_structure_tags(s);
    const double *x = ate_structure_positions(s), *cell = ate_structure_cell(s);
    const bool *fx = ate_structure_fixed(s);
    bool pbc[3];
    ate_structure_pbc(s, pbc);
    if (!scratch(w, 3 * (size_t)n + 9)) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    const int *zs = ate_structure_numbers(s);
    APPEND(w->sa[SA_NUM], zs, (size_t)n);
    for (int i = 0; i < n; ++i)
        if (zs[i] >= 1 && zs[i] <= ATE_MAX_Z) w->has_z[zs[i]] = true;
    for (int i = 0; i < 3 * n; ++i)
        w->dtmp[i] = x[i] * ATE_BOHR_ANGSTROM;
    APPEND(w->sa[SA_POS], w->dtmp, (size_t)n);
    APPEND(w->sa[SA_TAGS], tags, (size_t)n);
    for (int i = 0; i < n; ++i)
        w->itmp[i] = fx[3 * i] && fx[3 * i + 1] && fx[3 * i + 2];
    APPEND(w->sa[SA_FIXED], w->itmp, (size_t)n);
    for (int q = 0; q < 2; ++q) {
        const double *v = q ? spins : charges;
        for (int i = 0; i < n; ++i)
            w->dtmp[i] = v ? v[i] : NAN;
        APPEND(w->sa[q ? SA_SPIN : SA_CHG], w->dtmp, (size_t)n);
    }
    bool has_cell = ate_structure_has_cell(s);
    for (int k = 0; k < 9; ++k)
        w->dtmp[k] = has_cell ? cell[k] * ATE_BOHR_ANGSTROM : 0.0;
    APPEND(w->sr[SR_CELL], w->dtmp, 1);
    for (int k = 0; k < 3; ++k)
        w->itmp[k] = pbc[k];
    APPEND(w->sr[SR_PBC], w->itmp, 1);
    w->natoms += n;
    APPEND(w->sr[SR_OFF], &w->natoms, 1);
    APPEND(w->sr[SR_KIND], &kind, 1);
    APPEND(w->sr[SR_STATE], &state, 1);
    APPEND(w->sr[SR_ENERGY], &energy, 1);
    w->nstructs++;
    return ipush(&w->struct_row, row) ? ATE_OK
                                      : ATE_ERROR(err, ATE_ERR_MEMORY, "results: out of memory");
}

/* The states of added row `row`, their attempts and structures. */
static ate_status add_states(ate_results_writer *w, int row, const ate_candidate_result *r,
                             ate_error *err)
{
    for (int i = 0; i < r->nstates; ++i) {
        const ate_state_result *s = &r->states[i];
        int s0 = w->nstructs, s1 = -1;
        ATE_TRY(add_structure(w, s->initial, 0, row, s->state, NAN, NULL, NULL, err));
        if (s->final) {
            s1 = w->nstructs;
            ATE_TRY(
                add_structure(w, s->final, 1, row, s->state, s->energy, s->charges, s->spins, err));
        }
        const double dv[TD_COUNT] = {
            s->energy,       s->fmax,          s->etemp, s->metal_charge, s->metal_spin,
            s->dband_centre, s->homo_lumo_gap, s->zpe,   s->cp,           s->ts};
        const int iv[TI_COUNT] = {s->state,
                                  s->uhf,
                                  s->ok && s->converged,
                                  s->opt_steps,
                                  s->scf_attempts,
                                  (int)s->anomaly,
                                  s0,
                                  s1,
                                  s->nimag};
        ATE_TRY(append_row(w->td, dv, TD_COUNT, w->ti, iv, TI_COUNT, err));
        const char *site = s->site;
        APPEND(w->site, &site, 1);
        for (int a = 0; a < s->nattempts; ++a) {
            const ate_attempt *x = &s->attempts[a];
            const double adv[AD_COUNT] = {x->etemp, x->energy};
            const int aiv[AI_COUNT] = {w->nstates, x->uhf, (int)x->rung, x->converged,
                                       x->scf_iterations};
            ATE_TRY(append_row(w->ad, adv, AD_COUNT, w->ai, aiv, AI_COUNT, err));
            const char *m = x->message;
            APPEND(w->msg, &m, 1);
        }
        w->nstates++;
        if (!ipush(&w->state_row, row))
            return ATE_ERROR(err, ATE_ERR_MEMORY, "results: out of memory");
    }
    return ATE_OK;
}

ate_h5 *ate_results_writer_file(ate_results_writer *w) { return w->h; }

ate_status ate_results_writer_seal(ate_results_writer *w, ate_error *err)
{
    return close_columns(w, err);
}

void ate_results_writer_abort(ate_results_writer **wp)
{
    if (!wp || !*wp) return;
    ate_results_writer *w = *wp;
    close_columns(w, NULL);
    ate_h5_abort(&w->h);
    free(w->head), free(w->added);
    free(w->state_row.v), free(w->struct_row.v);
    free(w->dtmp), free(w->itmp);
    free(w);
    *wp = NULL;
}

ate_status ate_results_writer_create(const char *path, const ate_campaign_spec *spec, int nrows,
                                     ate_results_writer **out, ate_error *err)
{
    *out = NULL;
    ate_results_writer *w = calloc(1, sizeof(*w));
    if (!w) return ATE_ERROR(err, ATE_ERR_MEMORY, "results: out of memory");
    w->spec = spec, w->nrows = nrows;
    w->head = calloc((size_t)(nrows ? nrows : 1), sizeof(*w->head));
    w->added = calloc((size_t)(nrows ? nrows : 1), sizeof(bool));
    ate_status st =
        w->head && w->added ? ATE_OK : ATE_ERROR(err, ATE_ERR_MEMORY, "results: out of memory");
    if (st == ATE_OK) st = ate_h5_create(path, &w->h, err);
    if (st == ATE_OK) st = create_columns(w, err);
    if (st != ATE_OK) {
        ate_results_writer_abort(&w);
        return st;
    }
    *out = w;
    return ATE_OK;
}

ate_status ate_results_writer_add(ate_results_writer *w, int row, const ate_candidate_result *r,
                                  ate_error *err)
{
    if (row < 0 || row >= w->nrows || w->added[row])
        return ATE_ERROR(err, ATE_ERR_VALUE, "results: row %d of %d added twice or out of range",
                         row, w->nrows);
    ATE_TRY(add_states(w, row, r, err));
    w->head[row] = *r;
    w->head[row].states = NULL, w->head[row].nstates = 0;
    w->added[row] = true;
    return ATE_OK;
}

/* /states/candidate_row and /structures/candidate_row: added rows renumbered as /summary
 * rows (the added ones, in row order). */
static ate_status write_candidate_rows(ate_results_writer *w, const int *summary_row,
                                       ate_error *err)
{
    icol *c[2] = {&w->state_row, &w->struct_row};
    const char *path[2] = {"/states/candidate_row", "/structures/candidate_row"};
    for (int k = 0; k < 2; ++k) {
        for (size_t i = 0; i < c[k]->n; ++i)
            c[k]->v[i] = summary_row[c[k]->v[i]];
        ATE_TRY(ate_h5_write_ints(w->h, path[k], c[k]->v, c[k]->n, NULL, err));
    }
    return ATE_OK;
}

ate_status ate_results_writer_finish(ate_results_writer **wp, const ate_references *refs,
                                     const ate_results_meta *meta, ate_error *err)
{
    ate_results_writer *w = *wp;
    const ate_campaign_spec *spec = w->spec;
    ate_candidate_result *r = malloc((size_t)(w->nrows ? w->nrows : 1) * sizeof(*r));
    int *summary_row = malloc((size_t)(w->nrows ? w->nrows : 1) * sizeof(int)), n = 0;
    ate_status st = r && summary_row ? close_columns(w, err)
                                     : ATE_ERROR(err, ATE_ERR_MEMORY, "results: out of memory");
    for (int i = 0; i < w->nrows && st == ATE_OK; ++i) {
        summary_row[i] = w->added[i] ? n : -1;
        if (w->added[i]) r[n++] = w->head[i];
    }
    if (st == ATE_OK) st = write_candidate_rows(w, summary_row, err);
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
    struct {
        const char *k, *v;
    } attrs[] = {{"schema_name", "atescreen.results"},
                 {"schema_version", "1.2.0"},
                 {"program", "ATEscreen"},
                 {"creator_version", ATE_VERSION_STRING},
                 {"git_sha", ATE_GIT_SHA},
                 {"created_utc", created},
                 {"command_line", meta && meta->command_line ? meta->command_line : ""},
                 {"kernel", spec->settings.method},
                 {"campaign", spec->name},
                 {"energy_unit", "eV"},
                 {"length_unit", "angstrom"}};
    for (size_t i = 0; i < sizeof(attrs) / sizeof(*attrs) && st == ATE_OK; ++i)
        st = ate_h5_attr_string(w->h, "/", attrs[i].k, attrs[i].v, err);
    if (st == ATE_OK) st = ate_h5_attr_int(w->h, "/", "mpi_size", meta ? meta->mpi_size : 1, err);
    if (st == ATE_OK) st = ate_results_write_labels(w->h, err);
    if (st == ATE_OK) st = write_summary(w->h, r, n, err);
    if (st == ATE_OK) st = ate_results_write_provenance(w->h, spec, refs, meta, w->has_z, err);
    if (st == ATE_OK) st = ate_results_write_fit(w->h, r, n, err);
    free(r), free(summary_row);
    if (st != ATE_OK) {
        ate_results_writer_abort(wp);
        return st;
    }
    ate_h5 *h = w->h;
    w->h = NULL;
    ate_results_writer_abort(wp); /* frees the rest */
    return ate_h5_commit(&h, err);
}

ate_status ate_results_write(const char *path, const ate_campaign_spec *spec,
                             const ate_references *refs, const ate_candidate_result *r, int n,
                             const ate_results_meta *meta, ate_error *err)
{
    ate_results_writer *w = NULL;
    ATE_TRY(ate_results_writer_create(path, spec, n, &w, err));
    for (int i = 0; i < n; ++i) {
        ate_status st = ate_results_writer_add(w, i, &r[i], err);
        if (st != ATE_OK) {
            ate_results_writer_abort(&w);
            return st;
        }
    }
    return ate_results_writer_finish(&w, refs, meta, err);
}
