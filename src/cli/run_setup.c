/**
 * @file run_setup.c
 * @brief `atescreen run`, set-up and finish (split from cmd_run.c): launch checks, atom counts
 *        for the scheduler, the settings JSON, --force, journal records, results.h5 from the
 *        journals.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mpi.h>

#include "atescreen/campaign_io.h"
#include "atescreen/context.h"
#include "atescreen/journal.h"
#include "atescreen/par.h"
#include "atescreen/pipeline.h"
#include "atescreen/sites.h"
#include "cli.h"
#include "run_internal.h"

/* Launch checks (issue #6): a Slurm step of N tasks that started N single-rank copies, and
 * more ranks on a node than it has cores. Warnings on stderr, rank 0 of each node. */
void ate_run_launch_checks(int size)
{
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    int on_node = 1, node_rank = 0;
    MPI_Comm_size(node, &on_node);
    MPI_Comm_rank(node, &node_rank);
    MPI_Comm_free(&node);
    if (node_rank != 0) return;
    const char *tasks = getenv("SLURM_NTASKS");
    long nt = tasks ? strtol(tasks, NULL, 10) : 0;
    if (nt > 1 && size == 1)
        fprintf(stderr,
                "atescreen run: warning: SLURM_NTASKS=%ld but this MPI world has 1 rank: %ld "
                "separate copies are probably running (the second one stops at run.lock); "
                "launch with `srun --mpi=pmix` (or pmi2) or `mpirun` so the ranks form one "
                "world\n",
                nt, nt);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores > 0 && on_node > cores)
        fprintf(stderr,
                "atescreen run: warning: %d ranks on this node but %ld cores: the ranks "
                "oversubscribe the cores and every candidate runs slower; use at most one rank "
                "per core\n",
                on_node, cores);
}

/* The atoms of every candidate of the lazily enumerated list, which the scheduler's cost
 * estimate needs before any structure is built: each rank builds a block of them and the
 * counts are shared (collective on MPI_COMM_WORLD, also when st, this rank's set-up so far,
 * failed: then nothing is counted). */
ate_status ate_run_count_atoms(ate_candidate_list *list, ate_status st, int rank, int size,
                               ate_error *err)
{
    int nc = list ? ate_candidate_list_count(list) : 0, bad = st != ATE_OK || !list;
    ATE_TRY(ate_par_max_int(MPI_COMM_WORLD, &bad, 1, err));
    if (bad) return ATE_OK; /* reported by the ranks that failed */
    int *n = calloc((size_t)(nc ? nc : 1), sizeof(int));
    ate_status mine = n ? ATE_OK : ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory");
    /* a block each: consecutive candidates mostly share a base, which the list keeps built */
    int first = (int)((long long)nc * rank / size), last = (int)((long long)nc * (rank + 1) / size);
    for (int i = first; i < last && mine == ATE_OK; ++i) {
        mine = ate_candidate_list_build(list, i, err);
        if (mine == ATE_OK) n[i] = ate_candidate_list_natoms(list, i);
        ate_candidate_list_release(list, i);
    }
    int fail = mine != ATE_OK;
    ate_error e2;
    ate_status s2 = ate_par_max_int(MPI_COMM_WORLD, &fail, 1, &e2);
    if (mine == ATE_OK && s2 != ATE_OK) *err = e2, mine = s2;
    if (mine == ATE_OK && !fail) mine = ate_par_max_int(MPI_COMM_WORLD, n, nc, err);
    for (int i = 0; i < nc && mine == ATE_OK && !fail; ++i)
        ate_candidate_list_set_natoms(list, i, n[i]);
    free(n);
    return mine; /* ATE_OK here while another rank reports its failure */
}

/* The settings that decide the numbers, as JSON (stored in the journals and in results.h5). */
void ate_run_settings_json(const ate_campaign_spec *sp, char *out, size_t cap)
{
    const ate_settings_spec *s = &sp->settings;
    /* spGFN1 is named only when on, so the settings of earlier campaigns stay the same */
    int n = snprintf(
        out, cap,
        "{\"method\": \"%s\"%s, \"electronic_temperature_K\": %.17g, "
        "\"fmax_eV_per_A\": %.17g, \"max_steps\": %d, \"freeze_radius_A\": %.17g, "
        "\"min_unpaired\": %d, \"max_unpaired\": %d, \"spin_scan\": \"%s\", "
        "\"scf\": {\"max_iter\": %d, \"mixing\": %.17g, \"econv_Eh\": %.17g, "
        "\"qconv_e\": %.17g, \"guess\": \"%s\", \"rescue\": [",
        s->method, s->spin_polarized ? ", \"spin_polarized\": true" : "", s->electronic_temperature,
        s->fmax, s->max_steps, s->freeze_radius, s->min_unpaired, s->max_unpaired,
        s->spin_scan == ATE_SPIN_SCAN_RELAX ? "relax" : "single_point", s->scf_max_iter,
        s->scf_mixing, s->scf_econv, s->scf_qconv, s->scf_uniform_guess ? "uniform" : "eeq");
    for (int i = 0; i < s->nrescue && n > 0 && (size_t)n < cap; ++i)
        n += snprintf(out + n, cap - (size_t)n,
                      "%s{\"rung\": \"%s\", \"mixing\": %.17g, \"max_iter\": %d, \"etemp_K\": "
                      "%.17g}",
                      i ? ", " : "", ate_rescue_rung_name(s->rescue[i].rung), s->rescue[i].mixing,
                      s->rescue[i].max_iter, s->rescue[i].etemp);
    if (n > 0 && (size_t)n < cap) n += snprintf(out + n, cap - (size_t)n, "]}");
    /* plane waves: named only for method pw (the settings of gfn1 campaigns stay the same);
     * metal_moment only when set (the settings of earlier pw campaigns stay the same) */
    char mm[64] = "";
    if (s->pw_metal_moment > 0.0)
        snprintf(mm, sizeof mm, ", \"metal_moment\": %.17g", s->pw_metal_moment);
    if (n > 0 && (size_t)n < cap && strcmp(s->method, "pw") == 0)
        n += snprintf(out + n, cap - (size_t)n,
                      ", \"pw\": {\"ecut_Ha\": %.17g, \"xc\": \"%s\", \"smearing\": \"%s\", "
                      "\"nbands\": %d, \"vacuum_A\": %.17g, \"sphere_radius_bohr\": %.17g, "
                      "\"pseudo_file\": \"%s\", \"kpoints\": [%d, %d, %d]%s}",
                      s->pw_ecut, s->pw_xc, s->pw_smearing, s->pw_nbands, s->pw_vacuum,
                      s->pw_sphere_radius, s->pw_pseudo_file, s->kpoints[0], s->kpoints[1],
                      s->kpoints[2], mm);
    if (n > 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, ", \"support\": {\"type\": \"%s\", ",
                      sp->support.kind == ATE_SUPPORT_FLAKE ? "flake" : "graphene");
    /* a periodic support's k-mesh and dipole correction decide its numbers (flakes: neither) */
    if (n > 0 && (size_t)n < cap && sp->support.kind != ATE_SUPPORT_FLAKE)
        n += snprintf(out + n, cap - (size_t)n,
                      "\"kpoints\": [%d, %d, %d], \"dipole_correction\": \"%s\", ", s->kpoints[0],
                      s->kpoints[1], s->kpoints[2], s->dipole_correction ? "slab" : "none");
    if (n > 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n,
                      "\"flake_radius_A\": %.17g}, "
                      "\"thermo\": {\"corrections\": \"%s\", \"temperature_K\": %.17g, \"pH\": "
                      "%.17g, \"potential_V_RHE\": %.17g, \"vib_floor_cm-1\": %.17g}}",
                      sp->support.flake_radius, sp->thermo.corrections, sp->thermo.temperature,
                      sp->thermo.ph, sp->thermo.potential, sp->thermo.vib_floor);
    (void)n;
}

/* --force: journals of other settings are moved to DIR/journal.replaced-K (the first free K) and
 * an empty DIR/journal takes their place; journals of the same settings are kept. Rank 0, before
 * the others open the journals. */
ate_status ate_run_replace_journals(const char *dir, const char *settings, int verbosity,
                                    ate_error *err)
{
    ate_rundir_journals js = {0};
    ATE_TRY(ate_rundir_open_journals(dir, &js, NULL, err));
    bool same = ate_rundir_same_settings(&js, 0, js.n, settings);
    ate_rundir_close_journals(&js);
    if (same) return ATE_OK;
    char from[2100], to[2200];
    snprintf(from, sizeof(from), "%s/journal", dir);
    for (int k = 1; k < 10000; ++k) {
        snprintf(to, sizeof(to), "%s/journal.replaced-%d", dir, k);
        if (access(to, F_OK) == 0) continue;
        if (rename(from, to) != 0)
            return ATE_ERROR(err, ATE_ERR_IO, "--force: cannot move %s to %s: %s", from, to,
                             strerror(errno));
        if (verbosity)
            fprintf(stderr, "atescreen run: --force: the results of other settings moved to %s\n",
                    to);
        return ate_cli_make_dir(from, err);
    }
    return ATE_ERROR(err, ATE_ERR_IO, "--force: no free name for %s", from);
}

/* Append key = text to j unless that is already its latest value. */
ate_status ate_run_put_record(ate_journal *j, const char *key, const char *text, ate_error *err)
{
    size_t len, n = strlen(text);
    const void *old = ate_journal_get(j, key, &len);
    if (old && len == n && memcmp(old, text, n) == 0) return ATE_OK;
    return ate_journal_append(j, key, text, n, err);
}

/* Rank 0: what `atescreen merge` needs to know about this run (rundir.h). */
ate_status ate_run_describe_run(ate_journal *j, const ate_campaign_spec *spec,
                                const ate_candidate_list *list, int shard, int nshards,
                                ate_error *err)
{
    char text[256];
    ate_rundir_campaign_key(list, spec, text, sizeof(text));
    ATE_TRY(ate_run_put_record(j, ATE_RUNDIR_CAMPAIGN, text, err));
    snprintf(text, sizeof(text), "%d/%d", shard, nshards);
    ATE_TRY(ate_run_put_record(j, ATE_RUNDIR_SHARD, text, err));
    return ate_run_put_record(j, ATE_RUNDIR_YAML, spec->yaml_text ? spec->yaml_text : "", err);
}

/* Rank 0: every record of this campaign into results.h5 at once (when the stream failed). */
ate_status ate_run_write_results(const char *dir, const ate_campaign_spec *spec,
                                 const ate_candidate_list *list, const ate_references *refs,
                                 const ate_results_meta *meta, MPI_Comm comm, int *ndone,
                                 int *nfailed, ate_error *err)
{
    ate_rundir_journals js = {0};
    char path[4200];
    snprintf(path, sizeof(path), "%s/results.h5", dir);
    ate_status st = ate_rundir_open_journals(dir, &js, NULL, err);
    if (st == ATE_OK)
        st = ate_rundir_write_results(path, spec, list, refs, &js, meta, comm, ndone, nfailed, err);
    ate_rundir_close_journals(&js);
    return st;
}
