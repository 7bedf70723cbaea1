/**
 * @file campaign_yaml.c
 * @brief The campaign YAML schema (docs/input-reference.md) -> ate_campaign_spec.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/campaign_io.h"
#include "atescreen/elements.h"
#include "atescreen/units.h"
#include "campaign_internal.h"
#include "io_internal.h"

yaml_node_t *cy_lookup(const ynode_ctx *c, const yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; ++p)
        if (!strcmp((const char *)ynode(c, p->key)->data.scalar.value, key))
            return ynode(c, p->value);
    return NULL;
}

int cy_seq_len(const yaml_node_t *n)
{
    return (int)(n->data.sequence.items.top - n->data.sequence.items.start);
}

yaml_node_t *cy_seq_item(const ynode_ctx *c, const yaml_node_t *n, int i)
{
    return ynode(c, n->data.sequence.items.start[i]);
}

ate_status cy_read_list(const ynode_ctx *c, const yaml_node_t *map, const char *parent,
                        const char *key, bool required, bool nonempty, int *count, cy_item_fn fn,
                        void *out, const void *arg)
{
    char path[CY_PATH], ipath[CY_PATH];
    ypath_key(path, sizeof(path), parent, key);
    yaml_node_t *n = cy_lookup(c, map, key);
    if (!n) {
        if (required) return yerror(c, map, parent, "missing key '%s'", key);
        return ATE_OK;
    }
    ATE_TRY(yseq_check(c, n, path, ATE_SPEC_MAX_LIST));
    if (nonempty && cy_seq_len(n) == 0) return yerror(c, n, path, "the list must not be empty");
    for (int i = 0; i < cy_seq_len(n); ++i) {
        ypath_index(ipath, sizeof(ipath), path, i);
        ATE_TRY(fn(c, cy_seq_item(c, n, i), ipath, out, i, arg));
    }
    *count = cy_seq_len(n);
    return ATE_OK;
}

ate_status cy_item_double(const ynode_ctx *c, const yaml_node_t *n, const char *path, void *out,
                          int i, const void *arg)
{
    const cy_range *r = arg;
    double *v = out;
    ATE_TRY(yget_double(c, n, path, r->lo, r->hi, &v[i]));
    for (int k = 0; k < i; ++k)
        if (v[k] == v[i]) return yerror(c, n, path, "%g is listed twice", v[i]);
    return ATE_OK;
}

ate_status cy_item_int(const ynode_ctx *c, const yaml_node_t *n, const char *path, void *out, int i,
                       const void *arg)
{
    const cy_range *r = arg;
    int *v = out;
    ATE_TRY(yget_int(c, n, path, (int)r->lo, (int)r->hi, &v[i]));
    for (int k = 0; k < i; ++k)
        if (v[k] == v[i]) return yerror(c, n, path, "%d is listed twice", v[i]);
    return ATE_OK;
}

/* Elements; arg = NULL-terminated list of allowed symbols or NULL for "any metal";
 * "same" is accepted (as 0) when arg is the string list {"same", ...}. */
static bool is_metal(int z)
{
    static const int nonmetal[] = {1,  2,  5,  6,  7,  8,  9,  10, 14, 15, 16,
                                   17, 18, 33, 34, 35, 36, 52, 53, 54, 85, 86};
    for (size_t k = 0; k < sizeof(nonmetal) / sizeof(nonmetal[0]); ++k)
        if (z == nonmetal[k]) return false;
    return true;
}

ate_status cy_item_metal(const ynode_ctx *c, const yaml_node_t *n, const char *path, void *out,
                         int i, const void *arg)
{
    int *z = (int *)out + i;
    if (arg && n->type == YAML_SCALAR_NODE && !strcmp((const char *)n->data.scalar.value, "same"))
        *z = 0;
    else
        ATE_TRY(yget_element(c, n, path, z));
    if (*z && !is_metal(*z))
        return yerror(c, n, path, "'%s' is not a metal", ate_element_symbol(*z));
    for (int k = 0; k < i; ++k)
        if (((int *)out)[k] == *z)
            return yerror(c, n, path, "'%s' is listed twice", *z ? ate_element_symbol(*z) : "same");
    return ATE_OK;
}

ate_status cy_item_dopant(const ynode_ctx *c, const yaml_node_t *n, const char *path, void *out,
                          int i, const void *arg)
{
    static const char *const allowed[] = {"C", "S", "P", "B", "O", "Cl", NULL};
    int idx;
    ATE_TRY(yget_choice(c, n, path, allowed, "dopant", &idx));
    int *z = (int *)out + i;
    *z = ate_element_from_symbol(allowed[idx]);
    for (int k = 0; k < i; ++k)
        if (((int *)out)[k] == *z) return yerror(c, n, path, "'%s' is listed twice", allowed[idx]);
    return ATE_OK;
}

ate_status cy_item_ligand(const ynode_ctx *c, const yaml_node_t *n, const char *path, void *out,
                          int i, const void *arg)
{
    static const char *const names[] = {"O", "OH", "Cl", "F", "S", "NH3", "N5", NULL};
    int idx;
    ATE_TRY(yget_choice(c, n, path, names, "ligand", &idx));
    ((ate_ligand *)out)[i] = (ate_ligand)idx;
    for (int k = 0; k < i; ++k)
        if (((ate_ligand *)out)[k] == (ate_ligand)idx)
            return yerror(c, n, path, "'%s' is listed twice", names[idx]);
    return ATE_OK;
}

static ate_status cy_item_adsorbate(const ynode_ctx *c, const yaml_node_t *n, const char *path,
                                    void *out, int i, const void *arg)
{
    static const char *const names[] = {"OH", "O", "OOH", "H", NULL};
    int idx;
    ATE_TRY(yget_choice(c, n, path, names, "adsorbate", &idx));
    ((ate_adsorbate *)out)[i] = (ate_adsorbate)idx;
    for (int k = 0; k < i; ++k)
        if (((ate_adsorbate *)out)[k] == (ate_adsorbate)idx)
            return yerror(c, n, path, "'%s' is listed twice", names[idx]);
    return ATE_OK;
}

/* A sequence of exactly `want` integers in [lo, hi] (shape: how the message names it). */
static ate_status yget_int_list(const ynode_ctx *c, const yaml_node_t *v, const char *path,
                                const char *shape, int want, int lo, int hi, int *out)
{
    ATE_TRY(yseq_check(c, v, path, ATE_SPEC_MAX_LIST));
    if (cy_seq_len(v) != want)
        return yerror(c, v, path, "expected %s, got %d", shape, cy_seq_len(v));
    for (int k = 0; k < want; ++k) {
        char p[CY_PATH];
        ypath_index(p, sizeof(p), path, k);
        ATE_TRY(yget_int(c, cy_seq_item(c, v, k), p, lo, hi, &out[k]));
    }
    return ATE_OK;
}

static ate_status read_support(const ynode_ctx *c, const yaml_node_t *n, ate_support_spec *s)
{
    static const char *const keys[] = {"type",         "supercell", "vacuum", "lattice_constant",
                                       "flake_radius", NULL};
    static const char *const types[] = {"graphene", "flake", NULL};
    ATE_TRY(ymap_check(c, n, "support", keys));
    yaml_node_t *v;
    int idx;
    if ((v = cy_lookup(c, n, "type"))) {
        ATE_TRY(yget_choice(c, v, "support.type", types, "support type", &idx));
        s->kind = idx == 0 ? ATE_SUPPORT_GRAPHENE : ATE_SUPPORT_FLAKE;
    }
    if ((v = cy_lookup(c, n, "supercell")))
        ATE_TRY(yget_int_list(c, v, "support.supercell", "two integers [n, m]", 2, 3, 30,
                              s->supercell));
    if ((v = cy_lookup(c, n, "vacuum")))
        ATE_TRY(yget_double(c, v, "support.vacuum", 8.0, 100.0, &s->vacuum));
    if ((v = cy_lookup(c, n, "lattice_constant")))
        ATE_TRY(yget_double(c, v, "support.lattice_constant", 2.0, 3.0, &s->lattice_constant));
    if ((v = cy_lookup(c, n, "flake_radius")))
        ATE_TRY(yget_double(c, v, "support.flake_radius", 4.0, 30.0, &s->flake_radius));
    return ATE_OK;
}

static ate_status read_scf_step(const ynode_ctx *c, const yaml_node_t *n, const char *path,
                                bool with_rung, ate_scf_step *st)
{
    static const char *const keys_rung[] = {"rung", "mixing", "max_iter", "etemp", NULL};
    static const char *const rungs[] = {"damped", "fresh_guess", "hot", NULL};
    ATE_TRY(ymap_check(c, n, path, with_rung ? keys_rung : keys_rung + 1));
    char p[CY_PATH];
    yaml_node_t *v;
    if (with_rung) {
        ypath_key(p, sizeof(p), path, "rung");
        if (!(v = cy_lookup(c, n, "rung"))) return yerror(c, n, p, "missing key 'rung'");
        int idx;
        ATE_TRY(yget_choice(c, v, p, rungs, "rescue rung", &idx));
        st->rung = (ate_rescue_rung)(ATE_RUNG_DAMPED + idx);
    }
    if ((v = cy_lookup(c, n, "mixing"))) {
        ypath_key(p, sizeof(p), path, "mixing");
        ATE_TRY(yget_double(c, v, p, 1e-3, 1.0, &st->mixing));
    }
    if ((v = cy_lookup(c, n, "max_iter"))) {
        ypath_key(p, sizeof(p), path, "max_iter");
        ATE_TRY(yget_int(c, v, p, 1, 100000, &st->max_iter));
    }
    if ((v = cy_lookup(c, n, "etemp"))) {
        ypath_key(p, sizeof(p), path, "etemp");
        ATE_TRY(yget_double(c, v, p, 1e-3, 1e5, &st->etemp));
    }
    return ATE_OK;
}

/* settings.scf: {max_iter, mixing, rescue: [{rung, mixing, max_iter, etemp}, ...]} */
static ate_status read_scf(const ynode_ctx *c, const yaml_node_t *n, ate_settings_spec *s)
{
    static const char *const keys[] = {"max_iter", "mixing", "econv", "qconv",
                                       "guess",    "rescue", NULL};
    static const char *const guesses[] = {"eeq", "uniform", NULL};
    ATE_TRY(ymap_check(c, n, "settings.scf", keys));
    ate_scf_step first = {ATE_RUNG_DEFAULT, s->scf_mixing, s->scf_max_iter, 0.0};
    yaml_node_t *v;
    if ((v = cy_lookup(c, n, "max_iter")))
        ATE_TRY(yget_int(c, v, "settings.scf.max_iter", 1, 100000, &first.max_iter));
    if ((v = cy_lookup(c, n, "mixing")))
        ATE_TRY(yget_double(c, v, "settings.scf.mixing", 1e-3, 1.0, &first.mixing));
    s->scf_max_iter = first.max_iter, s->scf_mixing = first.mixing;
    if ((v = cy_lookup(c, n, "econv")))
        ATE_TRY(yget_double(c, v, "settings.scf.econv", 1e-12, 1e-4, &s->scf_econv));
    if ((v = cy_lookup(c, n, "qconv")))
        ATE_TRY(yget_double(c, v, "settings.scf.qconv", 1e-12, 1e-3, &s->scf_qconv));
    if ((v = cy_lookup(c, n, "guess"))) {
        int g;
        ATE_TRY(yget_choice(c, v, "settings.scf.guess", guesses, "SCF guess", &g));
        s->scf_uniform_guess = g == 1;
    }
    if (!(v = cy_lookup(c, n, "rescue"))) return ATE_OK;
    if (ynode_is_null(v)) {
        s->nrescue = 0;
        return ATE_OK;
    }
    ATE_TRY(yseq_check(c, v, "settings.scf.rescue", ATE_SPEC_MAX_RESCUE));
    int m = cy_seq_len(v);
    for (int i = 0; i < m; ++i) {
        char p[CY_PATH];
        ypath_index(p, sizeof(p), "settings.scf.rescue", i);
        ate_scf_step st = {ATE_RUNG_DAMPED, 0.1, 500, 0.0};
        ATE_TRY(read_scf_step(c, cy_seq_item(c, v, i), p, true, &st));
        if (st.rung == ATE_RUNG_HOT && st.etemp == 0.0) st.etemp = 1500.0;
        s->rescue[i] = st;
    }
    s->nrescue = m;
    return ATE_OK;
}

/* settings.pw: {ecut, xc, smearing, smearing_width, nbands, vacuum, sphere_radius, pseudo_file}
 * (plane waves; docs/input-reference.md). smearing_width (hartree) sets electronic_temperature
 * = width / k_B, so the two are not both given. */
static ate_status read_pw(const ynode_ctx *c, const yaml_node_t *n, const yaml_node_t *settings,
                          ate_settings_spec *s)
{
    static const char *const keys[] = {"ecut",         "xc",     "smearing",      "smearing_width",
                                       "nbands",       "vacuum", "sphere_radius", "pseudo_file",
                                       "metal_moment", NULL};
    static const char *const xcs[] = {"pbe", "lda", NULL};
    static const char *const smearings[] = {"fermi-dirac", "gaussian", "mv", "none", NULL};
    ATE_TRY(ymap_check(c, n, "settings.pw", keys));
    yaml_node_t *v;
    int idx;
    if ((v = cy_lookup(c, n, "ecut")))
        ATE_TRY(yget_double(c, v, "settings.pw.ecut", 1.0, 1e4, &s->pw_ecut));
    if ((v = cy_lookup(c, n, "xc"))) {
        ATE_TRY(yget_choice(c, v, "settings.pw.xc", xcs, "exchange-correlation functional", &idx));
        strcpy(s->pw_xc, xcs[idx]);
    }
    if ((v = cy_lookup(c, n, "smearing"))) {
        ATE_TRY(yget_choice(c, v, "settings.pw.smearing", smearings, "smearing", &idx));
        strcpy(s->pw_smearing, smearings[idx]);
    }
    if ((v = cy_lookup(c, n, "smearing_width"))) {
        if (cy_lookup(c, settings, "electronic_temperature"))
            return yerror(c, v, "settings.pw.smearing_width",
                          "give the smearing either as settings.electronic_temperature (K) or "
                          "as settings.pw.smearing_width (hartree), not both");
        double w;
        ATE_TRY(yget_double(c, v, "settings.pw.smearing_width", 1e-6, 1.0, &w));
        s->electronic_temperature = w / ATE_KB_HARTREE;
    }
    if ((v = cy_lookup(c, n, "nbands")))
        ATE_TRY(yget_int(c, v, "settings.pw.nbands", 1, 100000, &s->pw_nbands));
    if ((v = cy_lookup(c, n, "vacuum")))
        ATE_TRY(yget_double(c, v, "settings.pw.vacuum", 2.0, 100.0, &s->pw_vacuum));
    if ((v = cy_lookup(c, n, "sphere_radius")))
        ATE_TRY(yget_double(c, v, "settings.pw.sphere_radius", 0.1, 20.0, &s->pw_sphere_radius));
    if ((v = cy_lookup(c, n, "metal_moment")))
        ATE_TRY(yget_double(c, v, "settings.pw.metal_moment", 0.0, 10.0, &s->pw_metal_moment));
    if ((v = cy_lookup(c, n, "pseudo_file"))) {
        char f[ATE_SPEC_PATH_LEN];
        ATE_TRY(yget_string(c, v, "settings.pw.pseudo_file", f, sizeof(f)));
        /* relative to the campaign file's directory */
        const char *slash = c->file ? strrchr(c->file, '/') : NULL;
        int dl = f[0] != '/' && slash ? (int)(slash - c->file) : 0;
        if ((size_t)snprintf(s->pw_pseudo_file, sizeof(s->pw_pseudo_file), "%.*s%s%s", dl,
                             dl ? c->file : "", dl ? "/" : "", f) >= sizeof(s->pw_pseudo_file))
            return yerror(c, v, "settings.pw.pseudo_file", "the path is too long");
        FILE *fp = fopen(s->pw_pseudo_file, "r");
        if (!fp)
            return yerror(c, v, "settings.pw.pseudo_file", "cannot read '%s'", s->pw_pseudo_file);
        fclose(fp);
    }
    return ATE_OK;
}

static ate_status read_settings(const ynode_ctx *c, const yaml_node_t *n, ate_settings_spec *s)
{
    static const char *const keys[] = {
        "method",       "electronic_temperature", "fmax",           "max_steps", "freeze_radius",
        "min_unpaired", "max_unpaired",           "spin_scan",      "symprec",   "scf",
        "kpoints",      "dipole_correction",      "spin_polarized", "pw",        NULL};
    static const char *const methods[] = {"gfn1", "pw", NULL};
    static const char *const dipoles[] = {"none", "slab", NULL};
    static const char *const scans[] = {"single_point", "relax", NULL};
    ATE_TRY(ymap_check(c, n, "settings", keys));
    yaml_node_t *v;
    int idx;
    if ((v = cy_lookup(c, n, "method"))) {
        ATE_TRY(yget_choice(c, v, "settings.method", methods, "method", &idx));
        strcpy(s->method, methods[idx]);
    }
    if ((v = cy_lookup(c, n, "electronic_temperature")))
        ATE_TRY(yget_double(c, v, "settings.electronic_temperature", 1e-3, 1e5,
                            &s->electronic_temperature));
    if ((v = cy_lookup(c, n, "fmax")))
        ATE_TRY(yget_double(c, v, "settings.fmax", 1e-6, 10.0, &s->fmax));
    if ((v = cy_lookup(c, n, "max_steps")))
        ATE_TRY(yget_int(c, v, "settings.max_steps", 0, 100000, &s->max_steps));
    if ((v = cy_lookup(c, n, "freeze_radius")))
        ATE_TRY(yget_double(c, v, "settings.freeze_radius", 0.0, 1000.0, &s->freeze_radius));
    if ((v = cy_lookup(c, n, "min_unpaired")))
        ATE_TRY(yget_int(c, v, "settings.min_unpaired", 0, 10, &s->min_unpaired));
    if ((v = cy_lookup(c, n, "max_unpaired")))
        ATE_TRY(yget_int(c, v, "settings.max_unpaired", 0, 10, &s->max_unpaired));
    if (s->min_unpaired > s->max_unpaired)
        return yerror(c, cy_lookup(c, n, "min_unpaired"), "settings.min_unpaired",
                      "min_unpaired %d is larger than max_unpaired %d", s->min_unpaired,
                      s->max_unpaired);
    if ((v = cy_lookup(c, n, "spin_scan"))) {
        ATE_TRY(yget_choice(c, v, "settings.spin_scan", scans, "spin scan", &idx));
        s->spin_scan = (ate_spin_scan)idx;
    }
    if ((v = cy_lookup(c, n, "symprec")))
        ATE_TRY(yget_double(c, v, "settings.symprec", 1e-6, 0.5, &s->symprec));
    if ((v = cy_lookup(c, n, "scf"))) ATE_TRY(read_scf(c, v, s));
    if ((v = cy_lookup(c, n, "kpoints")))
        ATE_TRY(yget_int_list(c, v, "settings.kpoints", "three integers [a, b, c]", 3, 1, 64,
                              s->kpoints));
    if ((v = cy_lookup(c, n, "spin_polarized")))
        ATE_TRY(yget_bool(c, v, "settings.spin_polarized", &s->spin_polarized));
    if ((v = cy_lookup(c, n, "dipole_correction"))) {
        ATE_TRY(
            yget_choice(c, v, "settings.dipole_correction", dipoles, "dipole correction", &idx));
        s->dipole_correction = idx;
    }
    bool pw = strcmp(s->method, "pw") == 0;
    if ((v = cy_lookup(c, n, "pw"))) {
        if (!pw)
            return yerror(c, v, "settings.pw",
                          "plane-wave settings need settings.method: pw (the method is '%s')",
                          s->method);
        ATE_TRY(read_pw(c, v, n, s));
    }
    if (pw && !(s->pw_ecut > 0.0))
        return yerror(c, cy_lookup(c, n, "method"), "settings.pw.ecut",
                      "settings.method pw needs a cutoff: settings.pw.ecut (hartree)");
    if (pw && s->spin_polarized)
        return yerror(c, cy_lookup(c, n, "spin_polarized"), "settings.spin_polarized",
                      "spin_polarized is a GFN1 setting (spGFN1); plane waves are spin-polarised "
                      "whenever the spin scan asks for unpaired electrons");
    if (pw && s->dipole_correction)
        return yerror(c, cy_lookup(c, n, "dipole_correction"), "settings.dipole_correction",
                      "the plane-wave kernel has no dipole correction (use none)");
    return ATE_OK;
}

static ate_status read_thermo(const ynode_ctx *c, const yaml_node_t *n, ate_thermo_spec *t)
{
    static const char *const keys[] = {"corrections", "temperature", "pH",
                                       "potential",   "vib_floor",   NULL};
    static const char *const sets[] = {"S1", "S2", "cathub", "none", "harmonic", NULL};
    ATE_TRY(ymap_check(c, n, "thermo", keys));
    yaml_node_t *v;
    int idx;
    if ((v = cy_lookup(c, n, "corrections"))) {
        ATE_TRY(yget_choice(c, v, "thermo.corrections", sets, "correction set", &idx));
        strcpy(t->corrections, sets[idx]);
    }
    if ((v = cy_lookup(c, n, "temperature")))
        ATE_TRY(yget_double(c, v, "thermo.temperature", 1.0, 2000.0, &t->temperature));
    if ((v = cy_lookup(c, n, "pH"))) ATE_TRY(yget_double(c, v, "thermo.pH", -2.0, 16.0, &t->ph));
    if ((v = cy_lookup(c, n, "potential")))
        ATE_TRY(yget_double(c, v, "thermo.potential", -5.0, 5.0, &t->potential));
    if ((v = cy_lookup(c, n, "vib_floor")))
        ATE_TRY(yget_double(c, v, "thermo.vib_floor", 0.0, 500.0, &t->vib_floor));
    return ATE_OK;
}

static ate_status read_document(const ynode_ctx *c, ate_campaign_spec *spec)
{
    static const char *const keys[] = {"name",       "support",  "metals", "families",
                                       "adsorbates", "settings", "thermo", NULL};
    yaml_node_t *root = yaml_document_get_root_node(c->doc);
    if (!root) return yerror(c, NULL, NULL, "the file is empty");
    ATE_TRY(ymap_check(c, root, "", keys));
    yaml_node_t *v;
    if ((v = cy_lookup(c, root, "name")))
        ATE_TRY(yget_string(c, v, "name", spec->name, sizeof(spec->name)));
    if ((v = cy_lookup(c, root, "support"))) ATE_TRY(read_support(c, v, &spec->support));
    ATE_TRY(cy_read_list(c, root, "", "metals", true, true, &spec->nmetals, cy_item_metal,
                         spec->metals, NULL));
    int nads = spec->nadsorbates;
    ATE_TRY(cy_read_list(c, root, "", "adsorbates", false, true, &nads, cy_item_adsorbate,
                         spec->adsorbates, NULL));
    spec->nadsorbates = nads;
    if ((v = cy_lookup(c, root, "settings"))) ATE_TRY(read_settings(c, v, &spec->settings));
    if ((v = cy_lookup(c, root, "thermo"))) ATE_TRY(read_thermo(c, v, &spec->thermo));
    yaml_node_t *fams = cy_lookup(c, root, "families");
    if (!fams) return yerror(c, root, NULL, "missing key 'families'");
    return cy_read_families(c, fams, spec);
}

/* libyaml's problem text at its line:column. Reader errors (bad UTF-8) carry a byte offset
 * instead of a mark; the line and column (in characters) are counted from the text. */
static ate_status syntax_error(const yaml_parser_t *parser, const char *text, const char *name,
                               ate_error *err)
{
    const char *problem = parser->problem ? parser->problem : "unknown problem";
    if (parser->error == YAML_READER_ERROR) {
        /* a bad trailing byte is reported at the start of its sequence */
        size_t off = parser->problem_offset, lead = off;
        bool trailing = strstr(problem, "trailing") && off > 0;
        if (trailing)
            for (lead = off - 1; lead > 0 && ((unsigned char)text[lead] & 0xC0) == 0x80; --lead)
                ;
        int line = 1, col = 1;
        for (size_t k = 0; k < lead && text[k]; ++k) {
            if (text[k] == '\n')
                line++, col = 1;
            else if (((unsigned char)text[k] & 0xC0) != 0x80)
                col++;
        }
        char bytes[64];
        if (trailing)
            snprintf(bytes, sizeof(bytes), "byte 0x%02x followed by 0x%02x",
                     (unsigned char)text[lead], (unsigned char)text[off]);
        else
            snprintf(bytes, sizeof(bytes), "byte 0x%02x", (unsigned char)text[off]);
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, name, line, col, NULL,
                                   "not valid UTF-8: %s (%s)", problem, bytes);
    }
    return ate_error_set_input(
        err, ATE_ERR_INPUT, __FILE__, __LINE__, name, (int)parser->problem_mark.line + 1,
        (int)parser->problem_mark.column + 1, NULL, "YAML syntax error: %s%s%s", problem,
        parser->context ? " " : "", parser->context ? parser->context : "");
}

ate_status ate_campaign_parse(const char *text, const char *name, ate_campaign_spec *spec,
                              ate_error *err)
{
    ate_campaign_spec_init(spec);
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return ATE_ERROR(err, ATE_ERR_LIB, "libyaml: cannot initialise the parser");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
    ate_status st = ATE_OK;
    if (!yaml_parser_load(&parser, &doc)) {
        st = syntax_error(&parser, text, name, err);
        yaml_parser_delete(&parser);
        return st;
    }
    ynode_ctx c = {.doc = &doc, .file = name, .err = err};
    st = read_document(&c, spec);
    /* a second document in the same file is an error too */
    yaml_document_t extra;
    if (st == ATE_OK && yaml_parser_load(&parser, &extra)) {
        if (yaml_document_get_root_node(&extra))
            st = ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, name,
                                     (int)extra.start_mark.line + 1,
                                     (int)extra.start_mark.column + 1, NULL,
                                     "a second YAML document starts here (one campaign per file)");
        yaml_document_delete(&extra);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (st == ATE_OK && name) snprintf(spec->source_file, sizeof(spec->source_file), "%s", name);
    if (st == ATE_OK) {
        size_t n = strlen(text) + 1;
        spec->yaml_text = malloc(n);
        if (!spec->yaml_text)
            st = ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
        else
            memcpy(spec->yaml_text, text, n);
    }
    if (st != ATE_OK) ate_campaign_spec_clear(spec);
    return st;
}

ate_status ate_campaign_read(const char *path, ate_campaign_spec *spec, ate_error *err)
{
    ate_campaign_spec_init(spec);
    char *text = NULL;
    ATE_TRY(io_read_file(path, &text, NULL, err));
    ate_status st = ate_campaign_parse(text, path, spec, err);
    free(text);
    return st;
}
