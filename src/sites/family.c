/**
 * @file family.c
 * @brief Enumerating one family entry: bases, pattern vectors, symmetry representatives.
 *
 * Pattern vector layout (one integer per point of the parent site):
 *   metal slot k:  16 * Z + axial ligand code (0 = none, 1 + ate_ligand);
 *   shell slot s:  0 = N, Z of the dopant, -1 = removed (low coordination);
 *   vacancy candidate c: 1 = removed carbon;   hollow candidate h: 1 = cluster centre.
 * Only vectors equal to their canonical form are built, so each orbit is visited once.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "atescreen/units.h"
#include "enumerate_internal.h"

static void add_point(site_job *job, const double p[3])
{
    memcpy(job->pts[job->npts++], p, 3 * sizeof(double));
}

/* Shell values allowed by the entry, and the per-pattern constraints. */
static int shell_values(const ate_family_spec *fam, int *vals)
{
    int n = 0;
    vals[n++] = 0;
    if (fam->flags & ATE_FAMILY_LATERAL)
        for (int d = 0; d < fam->lateral.ndopants; ++d)
            vals[n++] = fam->lateral.dopants[d];
    if (fam->flags & ATE_FAMILY_LOW_COORDINATION) vals[n++] = -1;
    return n;
}

static bool shell_ok(const ate_family_spec *fam, const site_model *m, const int *shell)
{
    int ndop = 0, nvac = 0;
    for (int s = 0; s < m->nshell; ++s)
        ndop += shell[s] > 0, nvac += shell[s] < 0;
    if (fam->flags & ATE_FAMILY_LATERAL) {
        if (ndop < fam->lateral.min_substitutions || ndop > fam->lateral.max_substitutions)
            return false;
    } else if (ndop) {
        return false;
    }
    bool vac_ok = nvac == 0 && !(fam->flags & ATE_FAMILY_LOW_COORDINATION);
    for (int r = 0; r < fam->low_coordination.nremove && !vac_ok; ++r)
        vac_ok =
            (fam->flags & ATE_FAMILY_LOW_COORDINATION) && nvac == fam->low_coordination.remove[r];
    if (!vac_ok) return false;
    /* every metal keeps at least two in-plane neighbours */
    for (int k = 0; k < m->nmetals; ++k) {
        int cn = 0;
        for (int s = 0; s < m->nshell; ++s)
            cn += m->shell_owner[s][k] && shell[s] >= 0;
        if (cn < 2) return false;
    }
    return true;
}

/* Visit every pattern vector of the current base; build the canonical ones. */
static ate_status visit_patterns(site_job *job, ate_error *err)
{
    const ate_family_spec *fam = job->fam;
    const ate_campaign_spec *spec = job->spec;
    site_model *m = &job->base;
    int vals[ATE_SPEC_MAX_LIST + 2];
    int nvals = shell_values(fam, vals);
    int nm = m->nmetals;
    /* axial options: (slot, ligand) or none */
    int nax = 1, ax_slot[2 * ATE_SPEC_MAX_LIST], ax_lig[2 * ATE_SPEC_MAX_LIST];
    ax_slot[0] = -1, ax_lig[0] = 0;
    if (fam->flags & ATE_FAMILY_AXIAL) {
        nax = 0;
        for (int k = 0; k < nm; ++k)
            for (int l = 0; l < fam->axial.nligands; ++l)
                ax_slot[nax] = k, ax_lig[nax++] = 1 + (int)fam->axial.ligands[l];
    }
    int nvac_opt = (fam->flags & ATE_FAMILY_VACANCY) ? job->n_vac : 1;
    int nhol_opt = (fam->flags & ATE_FAMILY_CLUSTER) ? job->n_hollow : 1;
    int v[SITE_MAX_POINTS], canon[SITE_MAX_POINTS];
    int shell[8];
    long nshell_pat = 1;
    for (int s = 0; s < m->nshell; ++s)
        nshell_pat *= nvals;
    for (int m0 = 0; m0 < spec->nmetals; ++m0)
        for (int m1 = 0; m1 < (nm == 2 ? spec->nmetals : 1); ++m1) {
            int z0 = spec->metals[m0], z1 = nm == 2 ? spec->metals[m1] : 0;
            if (nm == 2 && z0 == z1 && !fam->dual_metal.homonuclear) continue;
            if (nm == 2 && z0 != z1 && !fam->dual_metal.heteronuclear) continue;
            for (int a = 0; a < nax; ++a)
                for (long p = 0; p < nshell_pat; ++p) {
                    long q = p;
                    for (int s = 0; s < m->nshell; ++s)
                        shell[s] = vals[q % nvals], q /= nvals;
                    if (!shell_ok(fam, m, shell)) continue;
                    for (int vi = 0; vi < nvac_opt; ++vi)
                        for (int hi = 0; hi < nhol_opt; ++hi) {
                            memset(v, 0, sizeof(v));
                            v[0] = 16 * z0 + (ax_slot[a] == 0 ? ax_lig[a] : 0);
                            if (nm == 2) v[1] = 16 * z1 + (ax_slot[a] == 1 ? ax_lig[a] : 0);
                            for (int s = 0; s < m->nshell; ++s)
                                v[job->off_shell + s] = shell[s];
                            if (fam->flags & ATE_FAMILY_VACANCY) v[job->off_vac + vi] = 1;
                            if (fam->flags & ATE_FAMILY_CLUSTER) v[job->off_hollow + hi] = 1;
                            site_group_canonical(&job->group, v, canon);
                            if (memcmp(v, canon, (size_t)job->npts * sizeof(int)) != 0) continue;
                            ATE_TRY(site_build_candidate(job, v, err));
                        }
                }
        }
    return ATE_OK;
}

/* The points of the current base for cluster distance index d: metals, first shell, and the
 * vacancy and cluster (hollow) candidates when the entry asks for them. */
static ate_status setup_points(site_job *job, int d, ate_error *err)
{
    const ate_family_spec *fam = job->fam;
    site_model *m = &job->base;
    job->dist = d;
    job->npts = 0;
    for (int k = 0; k < m->nmetals; ++k)
        add_point(job, m->pos + 3 * m->metal[k]);
    job->off_shell = job->npts;
    for (int s = 0; s < m->nshell; ++s)
        add_point(job, m->pos + 3 * m->shell[s]);
    job->off_vac = job->npts, job->n_vac = 0;
    if (fam->flags & ATE_FAMILY_VACANCY) {
        site_find_vacancy_candidates(m);
        for (int c = 0; c < m->ncand_vac; ++c)
            for (int s = 0; s < fam->vacancy.nshells; ++s)
                if (m->cand_vac_shell[c] == fam->vacancy.shells[s] && job->npts < SITE_MAX_POINTS) {
                    add_point(job, m->pos + 3 * m->cand_vac[c]);
                    job->n_vac++;
                }
    }
    job->off_hollow = job->npts, job->n_hollow = 0;
    if (fam->flags & ATE_FAMILY_CLUSTER) {
        job->cluster_distance = fam->cluster.distances[d];
        site_find_hollow_candidates(m, job->cluster_distance * ATE_ANGSTROM_BOHR);
        for (int h = 0; h < m->ncand_hollow && job->npts < SITE_MAX_POINTS; ++h, ++job->n_hollow)
            add_point(job, m->cand_hollow[h]);
        if (job->n_hollow == 0)
            return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0,
                                       "cluster.distances",
                                       "no intact carbon hexagon near %.2f Å from the site "
                                       "fits the support; use a larger supercell or flake",
                                       job->cluster_distance);
        /* the flake reaches 4.5 Å beyond the cluster centre (cluster radius + support) */
        job->flake_extra =
            fmax(0.0, job->cluster_distance + 4.5 - job->spec->support.flake_radius) *
            ATE_ANGSTROM_BOHR;
    }
    return ATE_OK;
}

/* Points and symmetry of the current base for every cluster distance, then the strain and
 * cluster parameters around visit_patterns. */
static ate_status enumerate_base(site_job *job, ate_error *err)
{
    const ate_family_spec *fam = job->fam;
    int ndist = (fam->flags & ATE_FAMILY_CLUSTER) ? fam->cluster.ndistances : 1;
    ate_status st = ATE_OK;
    for (int d = 0; st == ATE_OK && d < ndist; ++d) {
        ATE_TRY(setup_points(job, d, err));
        st = site_group_create(&job->base, &job->pts[0][0], job->npts,
                               job->spec->settings.symprec * ATE_ANGSTROM_BOHR, &job->group, err);
        int nsizes = (fam->flags & ATE_FAMILY_CLUSTER) ? fam->cluster.nsizes : 1;
        int ncm = (fam->flags & ATE_FAMILY_CLUSTER) ? fam->cluster.nmetals : 1;
        int nstrain = (fam->flags & ATE_FAMILY_STRAIN) ? fam->strain.npercent : 1;
        for (int e = 0; st == ATE_OK && e < nstrain; ++e)
            for (int sz = 0; st == ATE_OK && sz < nsizes; ++sz)
                for (int cm = 0; st == ATE_OK && cm < ncm; ++cm) {
                    job->strain = (fam->flags & ATE_FAMILY_STRAIN) ? fam->strain.percent[e] : 0.0;
                    job->cluster_size =
                        (fam->flags & ATE_FAMILY_CLUSTER) ? fam->cluster.sizes[sz] : 0;
                    job->cluster_z =
                        (fam->flags & ATE_FAMILY_CLUSTER) ? fam->cluster.metals[cm] : 0;
                    st = visit_patterns(job, err);
                }
        site_group_free(&job->group);
    }
    return st;
}

/* The bases. Each sets the job's base fields (fused, sep_d, sep_t, base_desc, flake_extra)
 * and builds job->base. MN4 of a single-metal entry (room for clusters when asked): */
static ate_status base_mn4(site_job *job, ate_error *err)
{
    double extra = (job->fam->flags & ATE_FAMILY_CLUSTER) ? 8.0 : 0.0;
    job->fused = 0, job->sep_d = job->sep_t = -1, job->flake_extra = 0.0;
    snprintf(job->base_desc, sizeof(job->base_desc), "mn4");
    ATE_TRY(site_support_model(&job->spec->support, extra, &job->base, err));
    return site_make_mn4(&job->base, err);
}

/* M1M2-N6, the two metals sharing a divacancy edge: */
static ate_status base_fused(site_job *job, ate_error *err)
{
    job->fused = 1, job->sep_d = job->sep_t = -1;
    job->flake_extra = 2.0 * ATE_ANGSTROM_BOHR;
    snprintf(job->base_desc, sizeof(job->base_desc), "m2n6");
    ATE_TRY(site_support_model(&job->spec->support, 2.0, &job->base, err));
    return site_make_m2n6(&job->base, err);
}

/* Two MN4 sites, the second shifted by T (translation t of separation d): */
static ate_status base_separated(site_job *job, int d, int t, const double T[3], ate_error *err)
{
    double sep = job->fam->dual_metal.separations[d];
    double len = hypot(T[0], T[1]) * ATE_BOHR_ANGSTROM;
    job->fused = 0, job->sep_d = d, job->sep_t = t;
    snprintf(job->base_desc, sizeof(job->base_desc), "sep:%.3f:%.3f,%.3f", len,
             T[0] * ATE_BOHR_ANGSTROM, T[1] * ATE_BOHR_ANGSTROM);
    job->flake_extra = 0.5 * len * ATE_ANGSTROM_BOHR + 2.0 * ATE_ANGSTROM_BOHR;
    ATE_TRY(site_support_model(&job->spec->support, sep + 2.0, &job->base, err));
    return site_make_separated(&job->base, T, err);
}

/* The MN4 model of separation d and the translations of the second metal on it. */
static ate_status separations(const site_job *job, int d, site_model *mn4, double (*T)[3], int *nT,
                              ate_error *err)
{
    double sep = job->fam->dual_metal.separations[d];
    *nT = 0;
    ATE_TRY(site_support_model(&job->spec->support, sep + 2.0, mn4, err));
    ATE_TRY(site_make_mn4(mn4, err));
    return site_separation_vectors(mn4, sep * ATE_ANGSTROM_BOHR, T, 64, nT, err);
}

/* Separated pairs: translation vectors near each distance, one per orbit of the MN4 site's
 * symmetry acting on the second metal's position. */
static ate_status enumerate_separated(site_job *job, ate_error *err)
{
    const ate_campaign_spec *spec = job->spec;
    const ate_dual_metal_spec *dm = &job->fam->dual_metal;
    for (int d = 0; d < dm->nseparations; ++d) {
        site_model mn4 = {0};
        double T[64][3];
        int nT = 0;
        ate_status st = separations(job, d, &mn4, T, &nT, err);
        double pts[64][3];
        for (int t = 0; t < nT; ++t)
            for (int k = 0; k < 3; ++k)
                pts[t][k] = mn4.center[k] + T[t][k];
        site_group g = {0};
        if (st == ATE_OK)
            st = site_group_create(&mn4, &pts[0][0], nT, spec->settings.symprec * ATE_ANGSTROM_BOHR,
                                   &g, err);
        for (int t = 0; st == ATE_OK && t < nT; ++t) {
            /* representative: the smallest index in its orbit */
            bool rep = true;
            for (int op = 0; op < g.nops && rep; ++op)
                rep = g.perm[op * nT + t] >= t;
            if (!rep) continue;
            site_model_free(&job->base);
            st = base_separated(job, d, t, T[t], err);
            if (st == ATE_OK) st = enumerate_base(job, err);
        }
        site_group_free(&g);
        site_model_free(&mn4);
        ATE_TRY(st);
    }
    return ATE_OK;
}

ate_status site_enumerate_family(site_job *job, ate_error *err)
{
    ate_status st = ATE_OK;
    if (!(job->fam->flags & ATE_FAMILY_DUAL_METAL)) {
        st = base_mn4(job, err);
        if (st == ATE_OK) st = enumerate_base(job, err);
        site_model_free(&job->base);
        return st;
    }
    if (job->fam->dual_metal.fused) {
        st = base_fused(job, err);
        if (st == ATE_OK) st = enumerate_base(job, err);
        site_model_free(&job->base);
    }
    if (st == ATE_OK && job->fam->dual_metal.separated) {
        st = enumerate_separated(job, err);
        site_model_free(&job->base);
    }
    return st;
}

ate_status site_job_for_recipe(site_job *job, const site_recipe *r, ate_error *err)
{
    bool same_base = job->base.n > 0 && job->fam_index == r->fam && job->fused == r->fused &&
                     job->sep_d == r->sep_d && job->sep_t == r->sep_t;
    ate_status st = ATE_OK;
    if (!same_base) {
        site_model_free(&job->base);
        job->fam_index = r->fam, job->fam = &job->spec->families[r->fam];
        job->dist = -1;
        if (!(job->fam->flags & ATE_FAMILY_DUAL_METAL)) {
            st = base_mn4(job, err);
        } else if (r->fused) {
            st = base_fused(job, err);
        } else {
            site_model mn4 = {0};
            double T[64][3];
            int nT = 0;
            st = separations(job, r->sep_d, &mn4, T, &nT, err);
            site_model_free(&mn4);
            if (st == ATE_OK && r->sep_t >= nT)
                st = ATE_ERROR(err, ATE_ERR_INTERNAL, "site recipe: translation %d of %d", r->sep_t,
                               nT);
            if (st == ATE_OK) st = base_separated(job, r->sep_d, r->sep_t, T[r->sep_t], err);
        }
    }
    if (st == ATE_OK && job->dist != r->dist) st = setup_points(job, r->dist, err);
    if (st != ATE_OK) { /* nothing cached */
        site_model_free(&job->base);
        job->fam_index = -1;
        return st;
    }
    job->strain = r->strain;
    job->cluster_size = r->cluster_size, job->cluster_z = r->cluster_z;
    return ATE_OK;
}
