/**
 * @file results_provenance.c
 * @brief results.h5: /labels, /provenance (campaign, settings, parameter files with SHA-256, gas
 *        references, CHE constants) and /fit/scaling (docs/hdf5-schema.md); split from results.c.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <sys/stat.h>

#include "atescreen/elements.h"
#include "atescreen/h5.h"
#include "atescreen/sha256.h"
#include "campaign_internal.h"

ate_status ate_results_write_labels(ate_h5 *h, ate_error *err)
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

/* /provenance/pseudopotentials (method pw): element, entry, z_ion of every element of the
 * campaign's structures and of the gas references (H, O), ascending Z; the entry the kernel
 * picks with the campaign's settings (ate_kernel_pseudopotential: the same file and rule), ""
 * and NaN where the file has none */
static ate_status write_pseudopotentials(ate_h5 *h, const ate_campaign_spec *spec,
                                         const ate_results_meta *m, const bool *has_z,
                                         ate_error *err)
{
    ate_kernel_opts ko;
    ate_kernel_opts_init(&ko);
    if (m && m->param_dir) ko.param_dir = m->param_dir;
    ate_campaign_pw_options(spec, &ko);
    const char *el[ATE_MAX_Z], *entry[ATE_MAX_Z];
    ate_pseudo_info info[ATE_MAX_Z];
    double zion[ATE_MAX_Z];
    size_t n = 0;
    for (int z = 1; z <= ATE_MAX_Z; ++z) {
        if (!(z == 1 || z == 8 || (has_z && has_z[z]))) continue;
        ate_error perr = {0};
        if (ate_kernel_pseudopotential("pw", &ko, z, &info[n], &perr) != ATE_OK)
            info[n].entry[0] = '\0', info[n].z_ion = NAN;
        el[n] = ate_element_symbol(z), entry[n] = info[n].entry, zion[n] = info[n].z_ion;
        ++n;
    }
    const char *g = "/provenance/pseudopotentials";
    ATE_TRY(ate_h5_group(h, g, err));
    ATE_TRY(ate_h5_write_strings(h, "/provenance/pseudopotentials/element", el, n, err));
    ATE_TRY(ate_h5_write_strings(h, "/provenance/pseudopotentials/entry", entry, n, err));
    return ate_h5_write_doubles(h, "/provenance/pseudopotentials/z_ion", zion, n, "e", err);
}

ate_status ate_results_write_provenance(ate_h5 *h, const ate_campaign_spec *spec,
                                        const ate_references *refs, const ate_results_meta *m,
                                        const bool *has_z, ate_error *err)
{
    const char *g = "/provenance";
    ATE_TRY(ate_h5_group(h, g, err));
    const char *cfg = spec->yaml_text ? spec->yaml_text : "";
    ATE_TRY(ate_h5_write_strings(h, "/provenance/config", &cfg, 1, err));
    const char *par = m && m->parameters_json ? m->parameters_json : "{}";
    ATE_TRY(ate_h5_write_strings(h, "/provenance/parameters", &par, 1, err));
    ATE_TRY(write_param_files(h, m ? m->param_dir : NULL, err));
    if (!strcmp(spec->settings.method, "pw"))
        ATE_TRY(write_pseudopotentials(h, spec, m, has_z, err));
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
ate_status ate_results_write_fit(ate_h5 *h, const ate_candidate_result *r, int n, ate_error *err)
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
