/**
 * @file results.c
 * @brief results.h5 from candidate results: the column tables of docs/hdf5-schema.md (schema
 *        atescreen.results 1.1.0), written atomically through atescreen/h5.h.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dirent.h>
#include <sys/stat.h>

#include "atescreen/elements.h"
#include "atescreen/h5.h"
#include "atescreen/sha256.h"
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

/* ---- /states, /attempts, /structures ---------------------------------------------------- */

typedef struct structs {
    icol numbers, tags, fixed, offset, pbc, kind, cand, state;
    dcol pos, charges, spins, cell, energy;
    int count;
} structs;

static bool add_structure(structs *t, const ate_structure *s, int kind, int cand, int state,
                          double energy, const double *charges, const double *spins)
{
    int n = ate_structure_natoms(s);
    const int *z = ate_structure_numbers(s), *tags = ate_structure_tags(s);
    const double *x = ate_structure_positions(s), *cell = ate_structure_cell(s);
    const bool *fx = ate_structure_fixed(s);
    bool pbc[3], ok = true;
    ate_structure_pbc(s, pbc);
    if (t->offset.n == 0) ok = ipush(&t->offset, 0);
    for (int i = 0; i < n && ok; ++i) {
        ok = ipush(&t->numbers, z[i]) && ipush(&t->tags, tags[i]) &&
             ipush(&t->fixed, fx[3 * i] && fx[3 * i + 1] && fx[3 * i + 2]) &&
             dpush(&t->charges, charges ? charges[i] : NAN) &&
             dpush(&t->spins, spins ? spins[i] : NAN);
        for (int k = 0; k < 3 && ok; ++k)
            ok = dpush(&t->pos, x[3 * i + k] * ATE_BOHR_ANGSTROM);
    }
    bool has_cell = ate_structure_has_cell(s);
    for (int k = 0; k < 9 && ok; ++k)
        ok = dpush(&t->cell, has_cell ? cell[k] * ATE_BOHR_ANGSTROM : 0.0);
    for (int k = 0; k < 3 && ok; ++k)
        ok = ipush(&t->pbc, pbc[k]);
    ok = ok && ipush(&t->offset, t->offset.v[t->offset.n - 1] + n) && ipush(&t->kind, kind) &&
         ipush(&t->cand, cand) && ipush(&t->state, state) && dpush(&t->energy, energy);
    t->count++;
    return ok;
}

static ate_status write_structs(ate_h5 *h, structs *t, ate_error *err)
{
    const char *g = "/structures";
    if (t->offset.n == 0 && !ipush(&t->offset, 0))
        return ATE_ERROR(err, ATE_ERR_MEMORY, "results: out of memory");
    ATE_TRY(ate_h5_group(h, g, err));
    ATE_TRY(wi(h, g, "atom_offset", &t->offset, err));
    ATE_TRY(wi(h, g, "numbers", &t->numbers, err));
    ATE_TRY(ate_h5_write_matrix(h, "/structures/positions", t->pos.v, t->pos.n / 3, 3, "Angstrom",
                                err));
    ATE_TRY(wi(h, g, "tags", &t->tags, err));
    ATE_TRY(wi(h, g, "fixed", &t->fixed, err));
    ATE_TRY(wd(h, g, "charges", &t->charges, "e", err));
    ATE_TRY(wd(h, g, "spins", &t->spins, "e", err));
    ATE_TRY(
        ate_h5_write_matrix(h, "/structures/cell", t->cell.v, t->cell.n / 9, 9, "Angstrom", err));
    ATE_TRY(ate_h5_write_int_matrix(h, "/structures/pbc", t->pbc.v, t->pbc.n / 3, 3, NULL, err));
    ATE_TRY(wi(h, g, "kind", &t->kind, err));
    ATE_TRY(wi(h, g, "candidate_row", &t->cand, err));
    ATE_TRY(wi(h, g, "state", &t->state, err));
    return wd(h, g, "energy", &t->energy, "eV", err);
}

static void free_structs(structs *t)
{
    icol *ic[] = {&t->numbers, &t->tags, &t->fixed, &t->offset,
                  &t->pbc,     &t->kind, &t->cand,  &t->state};
    dcol *dc[] = {&t->pos, &t->charges, &t->spins, &t->cell, &t->energy};
    for (size_t i = 0; i < sizeof(ic) / sizeof(*ic); ++i)
        free(ic[i]->v);
    for (size_t i = 0; i < sizeof(dc) / sizeof(*dc); ++i)
        free(dc[i]->v);
}

enum { TD_E, TD_FMAX, TD_ETEMP, TD_QM, TD_SM, TD_DBAND, TD_GAP, TD_ZPE, TD_CP, TD_TS, TD_COUNT };
static const char *const td_name[TD_COUNT] = {
    "E_total",       "fmax",          "etemp", "metal_charge", "metal_spin",
    "d_band_centre", "homo_lumo_gap", "ZPE",   "Cp_int",       "TS"};
static const char *const td_units[TD_COUNT] = {"eV", "eV/Angstrom", "K",  "e",  "e",
                                               "eV", "eV",          "eV", "eV", "eV"};
enum {
    TI_CAND,
    TI_STATE,
    TI_UHF,
    TI_CONV,
    TI_STEPS,
    TI_ATT,
    TI_ANOM,
    TI_S0,
    TI_S1,
    TI_NIMAG,
    TI_COUNT
};
static const char *const ti_name[TI_COUNT] = {
    "candidate_row",   "state",        "uhf",     "converged",
    "opt_steps",       "scf_attempts", "anomaly", "structure_initial",
    "structure_final", "n_imag"};

enum { AD_ETEMP, AD_E, AD_COUNT };
enum { AI_ROW, AI_UHF, AI_RUNG, AI_CONV, AI_ITER, AI_COUNT };
static const char *const ai_name[AI_COUNT] = {"state_row", "uhf", "rung", "converged",
                                              "scf_iterations"};

static ate_status write_states(ate_h5 *h, const ate_candidate_result *r, int n, ate_error *err)
{
    dcol td[TD_COUNT] = {{0}}, ad[AD_COUNT] = {{0}};
    icol ti[TI_COUNT] = {{0}}, ai[AI_COUNT] = {{0}};
    scol site = {0}, msg = {0};
    structs t = {0};
    bool ok = true;
    int row = 0;
    for (int c = 0; c < n && ok; ++c) {
        for (int i = 0; i < r[c].nstates && ok; ++i, ++row) {
            const ate_state_result *s = &r[c].states[i];
            int s0 = t.count;
            ok = add_structure(&t, s->initial, 0, c, s->state, NAN, NULL, NULL);
            int s1 = -1;
            if (ok && s->final) {
                s1 = t.count;
                ok = add_structure(&t, s->final, 1, c, s->state, s->energy, s->charges, s->spins);
            }
            const double dv[TD_COUNT] = {
                s->energy,       s->fmax,          s->etemp, s->metal_charge, s->metal_spin,
                s->dband_centre, s->homo_lumo_gap, s->zpe,   s->cp,           s->ts};
            const int iv[TI_COUNT] = {c,
                                      s->state,
                                      s->uhf,
                                      s->ok && s->converged,
                                      s->opt_steps,
                                      s->scf_attempts,
                                      (int)s->anomaly,
                                      s0,
                                      s1,
                                      s->nimag};
            for (int k = 0; k < TD_COUNT && ok; ++k)
                ok = dpush(&td[k], dv[k]);
            for (int k = 0; k < TI_COUNT && ok; ++k)
                ok = ipush(&ti[k], iv[k]);
            ok = ok && spush(&site, s->site);
            for (int a = 0; a < s->nattempts && ok; ++a) {
                const ate_attempt *x = &s->attempts[a];
                ok = dpush(&ad[AD_ETEMP], x->etemp) && dpush(&ad[AD_E], x->energy) &&
                     ipush(&ai[AI_ROW], row) && ipush(&ai[AI_UHF], x->uhf) &&
                     ipush(&ai[AI_RUNG], (int)x->rung) && ipush(&ai[AI_CONV], x->converged) &&
                     ipush(&ai[AI_ITER], x->scf_iterations) && spush(&msg, x->message);
            }
        }
    }
    ate_status st = ok ? ate_h5_group(h, "/states", err)
                       : ATE_ERROR(err, ATE_ERR_MEMORY, "results: out of memory");
    for (int k = 0; k < TI_COUNT && st == ATE_OK; ++k)
        st = wi(h, "/states", ti_name[k], &ti[k], err);
    if (st == ATE_OK) st = ws(h, "/states", "site", &site, err);
    for (int k = 0; k < TD_COUNT && st == ATE_OK; ++k)
        st = wd(h, "/states", td_name[k], &td[k], td_units[k], err);
    if (st == ATE_OK) st = ate_h5_group(h, "/attempts", err);
    for (int k = 0; k < AI_COUNT && st == ATE_OK; ++k)
        st = wi(h, "/attempts", ai_name[k], &ai[k], err);
    if (st == ATE_OK) st = wd(h, "/attempts", "etemp", &ad[AD_ETEMP], "K", err);
    if (st == ATE_OK) st = wd(h, "/attempts", "E_total", &ad[AD_E], "eV", err);
    if (st == ATE_OK) st = ws(h, "/attempts", "message", &msg, err);
    if (st == ATE_OK) st = write_structs(h, &t, err);
    for (int k = 0; k < TD_COUNT; ++k)
        free(td[k].v);
    for (int k = 0; k < TI_COUNT; ++k)
        free(ti[k].v);
    for (int k = 0; k < AD_COUNT; ++k)
        free(ad[k].v);
    for (int k = 0; k < AI_COUNT; ++k)
        free(ai[k].v);
    free(site.v), free(msg.v);
    free_structs(&t);
    return st;
}

/* ---- labels, provenance, fit ------------------------------------------------------------- */

static ate_status write_labels(ate_h5 *h, ate_error *err)
{
    static const char *status[] = {"done", "failed", "anomalous"};
    const char *state[ATE_STATE_COUNT], *anomaly[ATE_ANOMALY_NFLAGS], *rung[ATE_RUNG_COUNT];
    for (int i = 0; i < ATE_STATE_COUNT; ++i)
        state[i] = ate_state_name(i);
    for (int i = 0; i < ATE_ANOMALY_NFLAGS; ++i)
        anomaly[i] = ate_anomaly_name(i);
    for (int i = 0; i < ATE_RUNG_COUNT; ++i)
        rung[i] = ate_rescue_rung_name((ate_rescue_rung)i);
    ATE_TRY(ate_h5_group(h, "/labels", err));
    ATE_TRY(ate_h5_write_strings(h, "/labels/status", status, 3, err));
    ATE_TRY(ate_h5_write_strings(h, "/labels/state", state, ATE_STATE_COUNT, err));
    ATE_TRY(ate_h5_write_strings(h, "/labels/anomaly", anomaly, ATE_ANOMALY_NFLAGS, err));
    return ate_h5_write_strings(h, "/labels/rung", rung, ATE_RUNG_COUNT, err);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

enum { MAX_PARAM_FILES = 64 };

/* Append "relative-name\tsha256" of every regular file below dir/rel (depth <= 2) to out. */
static ate_status collect_files(const char *dir, const char *rel, int depth, char **out, int *n,
                                ate_error *err)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s%s%s", dir, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d) return ATE_OK;
    ate_status st = ATE_OK;
    for (struct dirent *e; st == ATE_OK && *n < MAX_PARAM_FILES && (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        char sub[1024], full[5200];
        snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(full, sizeof(full), "%s/%s", dir, sub);
        struct stat sb;
        if (stat(full, &sb) != 0) continue;
        if (S_ISDIR(sb.st_mode)) {
            if (depth > 0) st = collect_files(dir, sub, depth - 1, out, n, err);
            continue;
        }
        char hex[65];
        st = ate_sha256_file(full, hex, err);
        if (st != ATE_OK) break;
        out[*n] = malloc(strlen(sub) + 66);
        if (!out[*n]) {
            st = ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
            break;
        }
        sprintf(out[(*n)++], "%s\t%s", sub, hex);
    }
    closedir(d);
    return st;
}

/* /provenance/param_files: name (relative to the parameter directory) and SHA-256, sorted. */
static ate_status write_param_files(ate_h5 *h, const char *dir, ate_error *err)
{
    char *rows[MAX_PARAM_FILES];
    int n = 0;
    ate_status st = dir ? collect_files(dir, "", 1, rows, &n, err) : ATE_OK;
    if (st == ATE_OK) qsort(rows, (size_t)n, sizeof(char *), cmp_str);
    const char *nm[MAX_PARAM_FILES], *hs[MAX_PARAM_FILES];
    for (int i = 0; i < n; ++i) {
        char *tab = strchr(rows[i], '\t');
        *tab = '\0';
        nm[i] = rows[i], hs[i] = tab + 1;
    }
    if (st == ATE_OK) st = ate_h5_group(h, "/provenance/param_files", err);
    if (st == ATE_OK)
        st = ate_h5_write_strings(h, "/provenance/param_files/name", nm, (size_t)n, err);
    if (st == ATE_OK)
        st = ate_h5_write_strings(h, "/provenance/param_files/sha256", hs, (size_t)n, err);
    for (int i = 0; i < n; ++i)
        free(rows[i]);
    return st;
}

static ate_status write_provenance(ate_h5 *h, const ate_campaign_spec *spec,
                                   const ate_references *refs, const ate_results_meta *m,
                                   ate_error *err)
{
    const char *g = "/provenance";
    ATE_TRY(ate_h5_group(h, g, err));
    const char *cfg = spec->yaml_text ? spec->yaml_text : "";
    ATE_TRY(ate_h5_write_strings(h, "/provenance/config", &cfg, 1, err));
    const char *par = m && m->parameters_json ? m->parameters_json : "{}";
    ATE_TRY(ate_h5_write_strings(h, "/provenance/parameters", &par, 1, err));
    ATE_TRY(write_param_files(h, m ? m->param_dir : NULL, err));
    ATE_TRY(ate_h5_group(h, "/provenance/references", err));
    const char *species[2] = {"H2O", "H2"};
    const double e[2] = {refs->e_h2o, refs->e_h2};
    const int conv[2] = {refs->converged, refs->converged};
    ATE_TRY(ate_h5_write_strings(h, "/provenance/references/species", species, 2, err));
    ATE_TRY(ate_h5_write_doubles(h, "/provenance/references/E_total", e, 2, "eV", err));
    ATE_TRY(ate_h5_write_ints(h, "/provenance/references/converged", conv, 2, NULL, err));
    const double zpe[2] = {refs->corr_h2o[0], refs->corr_h2[0]};
    const double cp[2] = {refs->corr_h2o[1], refs->corr_h2[1]};
    const double ts[2] = {refs->corr_h2o[2], refs->corr_h2[2]};
    ATE_TRY(ate_h5_write_doubles(h, "/provenance/references/ZPE", zpe, 2, "eV", err));
    ATE_TRY(ate_h5_write_doubles(h, "/provenance/references/Cp_int", cp, 2, "eV", err));
    ATE_TRY(ate_h5_write_doubles(h, "/provenance/references/TS", ts, 2, "eV", err));
    ate_che_set set;
    ate_che_constants cc;
    ATE_TRY(ate_che_set_from_name(spec->thermo.corrections, &set, err));
    ATE_TRY(ate_che_constants_get(set, &cc, err));
    const char *che = "/provenance/che";
    ATE_TRY(ate_h5_group(h, che, err));
    ATE_TRY(ate_h5_attr_double(h, che, "T_K", spec->thermo.temperature, err));
    ATE_TRY(ate_h5_attr_double(h, che, "pH", spec->thermo.ph, err));
    ATE_TRY(ate_h5_attr_double(h, che, "U_RHE", spec->thermo.potential, err));
    ATE_TRY(ate_h5_attr_string(h, che, "correction_set", cc.name, err));
    ATE_TRY(ate_h5_attr_string(h, che, "citation", cc.citation, err));
    ATE_TRY(ate_h5_attr_double(h, che, "c_OH", cc.c_oh, err));
    ATE_TRY(ate_h5_attr_double(h, che, "c_O", cc.c_o, err));
    ATE_TRY(ate_h5_attr_double(h, che, "c_OOH", cc.c_ooh, err));
    return ate_h5_attr_double(h, che, "c_H", cc.c_h, err);
}

/* Least-squares dG_OOH = slope dG_OH + intercept over the finished candidates. */
static ate_status write_fit(ate_h5 *h, const ate_candidate_result *r, int n, ate_error *err)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
    int m = 0;
    for (int c = 0; c < n; ++c) {
        double x = r[c].dg.oh, y = r[c].dg.ooh;
        if (r[c].status == ATE_RESULT_FAILED || !(x == x) || !(y == y)) continue;
        sx += x, sy += y, sxx += x * x, sxy += x * y, syy += y * y, ++m;
    }
    double slope = NAN, icpt = NAN, r2 = NAN;
    double vx = m * sxx - sx * sx, vy = m * syy - sy * sy;
    if (m >= 2 && vx > 1e-12 * (m * sxx + 1e-300)) {
        slope = (m * sxy - sx * sy) / vx;
        icpt = (sy - slope * sx) / m;
        double cov = m * sxy - sx * sy;
        r2 = vy > 0 ? cov * cov / (vx * vy) : 1.0;
    }
    ATE_TRY(ate_h5_group(h, "/fit/scaling", err));
    ATE_TRY(ate_h5_attr_double(h, "/fit/scaling", "slope", slope, err));
    ATE_TRY(ate_h5_attr_double(h, "/fit/scaling", "intercept", icpt, err));
    ATE_TRY(ate_h5_attr_double(h, "/fit/scaling", "r2", r2, err));
    return ate_h5_attr_int(h, "/fit/scaling", "n", m >= 2 ? m : 0, err);
}

ate_status ate_results_write(const char *path, const ate_campaign_spec *spec,
                             const ate_references *refs, const ate_candidate_result *r, int n,
                             const ate_results_meta *meta, ate_error *err)
{
    ate_h5 *h = NULL;
    ATE_TRY(ate_h5_create(path, &h, err));
    char created[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
    ate_status st = ATE_OK;
    struct {
        const char *k, *v;
    } attrs[] = {{"schema_name", "atescreen.results"},
                 {"schema_version", "1.1.0"},
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
        st = ate_h5_attr_string(h, "/", attrs[i].k, attrs[i].v, err);
    if (st == ATE_OK) st = ate_h5_attr_int(h, "/", "mpi_size", meta ? meta->mpi_size : 1, err);
    if (st == ATE_OK) st = write_labels(h, err);
    if (st == ATE_OK) st = write_summary(h, r, n, err);
    if (st == ATE_OK) st = write_states(h, r, n, err);
    if (st == ATE_OK) st = write_provenance(h, spec, refs, meta, err);
    if (st == ATE_OK) st = write_fit(h, r, n, err);
    if (st != ATE_OK) {
        ate_h5_abort(&h);
        return st;
    }
    return ate_h5_commit(&h, err);
}
