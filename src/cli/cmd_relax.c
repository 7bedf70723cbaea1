/**
 * @file cmd_relax.c
 * @brief The optimisation loop of `atescreen relax` (its options are parsed with calc's, in
 *        cmd_calc.c): L-BFGS or FIRE (src/relax) on the kernel's energy and gradient, keeping the
 *        kernel's restart guess between steps. After every accepted step rank 0 replaces OUT
 *        with the geometry (written to OUT.tmp and renamed, so a killed run leaves the last
 *        accepted geometry, and `atescreen relax OUT` continues from it), appends a frame to the
 *        trajectory (extxyz, info energy in eV and fmax in eV/Å) and prints one line.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/structio.h"
#include "atescreen/units.h"
#include "cli.h"
#include "cli_relax.h"
#ifndef ATE_CLI_LAUNCHER
#include <mpi.h>
#endif

typedef struct relax_ctx {
    ate_kernel *k;
    const ate_cli_relax_files *f;
    FILE *traj;
    FILE *log; /* the step lines: stdout, or stderr when stdout carries JSON */
    int rank;
    int scf_iterations; /* of the last evaluation */
} relax_ctx;

static ate_status energy_cb(void *user, const ate_structure *s, double *energy, double *gradient,
                            ate_error *err)
{
    relax_ctx *c = user;
    ate_calc_result r = {.gradient = gradient};
    ate_status st = ate_kernel_compute(c->k, s, ATE_CALC_ENERGY | ATE_CALC_GRADIENT, &r, err);
    c->scf_iterations = r.iterations;
#ifndef ATE_CLI_LAUNCHER
    /* plane waves on several ranks: every rank takes rank 0's numbers, so the optimiser makes
     * the same decisions everywhere (the kernel's reductions agree to round-off only) */
    int mpi = 0;
    MPI_Initialized(&mpi);
    if (mpi && st == ATE_OK) {
        MPI_Bcast(&r.energy, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
        MPI_Bcast(gradient, 3 * ate_structure_natoms(s), MPI_DOUBLE, 0, MPI_COMM_WORLD);
    }
#endif
    *energy = r.energy;
    return st;
}

/* s as one extxyz frame with the step's energy (eV) and largest force (eV/Å) */
static ate_status write_frame(FILE *out, const ate_structure *s, double energy, double fmax,
                              ate_error *err)
{
    ate_structure *t = NULL;
    ATE_TRY(ate_structure_copy(s, &t, err));
    char v[64];
    snprintf(v, sizeof(v), "%.10f", energy * ATE_HARTREE_EV);
    ate_status st = ate_structure_info_set(t, "energy", v, err);
    snprintf(v, sizeof(v), "%.6e", fmax * ATE_HARTREE_BOHR_EV_ANGSTROM);
    if (st == ATE_OK) st = ate_structure_info_set(t, "fmax", v, err);
    if (st == ATE_OK) st = ate_structure_write_stream(out, ATE_FORMAT_EXTXYZ, t, err);
    ate_structure_destroy(&t);
    return st;
}

/* OUT replaced atomically: OUT.tmp written and flushed, then renamed over OUT */
static ate_status write_geometry(const char *path, const ate_structure *s, double energy,
                                 double fmax, ate_error *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return ATE_ERROR(err, ATE_ERR_IO, "relax: output path too long: %s", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return ATE_ERROR(err, ATE_ERR_IO, "relax: cannot write %s", tmp);
    ate_status st = write_frame(f, s, energy, fmax, err);
    if (fclose(f) != 0 && st == ATE_OK)
        st = ATE_ERROR(err, ATE_ERR_IO, "relax: cannot write %s", tmp);
    if (st == ATE_OK && rename(tmp, path) != 0)
        st = ATE_ERROR(err, ATE_ERR_IO, "relax: cannot rename %s to %s", tmp, path);
    if (st != ATE_OK) remove(tmp);
    return st;
}

static ate_status on_step(void *user, int step, const ate_structure *s, double energy, double fmax,
                          ate_error *err)
{
    relax_ctx *c = user;
    if (c->rank != 0) return ATE_OK;
    fprintf(c->log, "relax %4d  E = %18.10f Eh  fmax = %.4e eV/A  SCF iterations %d\n", step,
            energy, fmax * ATE_HARTREE_BOHR_EV_ANGSTROM, c->scf_iterations);
    fflush(c->log);
    ATE_TRY(write_geometry(c->f->output, s, energy, fmax, err));
    if (c->traj) {
        ATE_TRY(write_frame(c->traj, s, energy, fmax, err));
        if (fflush(c->traj) != 0)
            return ATE_ERROR(err, ATE_ERR_IO, "relax: cannot write %s", c->f->trajectory);
    }
    return ATE_OK;
}

ate_status ate_cli_relax_drive(ate_kernel *k, ate_structure *s, const ate_relax_opts *o,
                               const ate_cli_relax_files *f, int rank, bool json,
                               ate_relax_result *res, ate_error *err)
{
    relax_ctx c = {.k = k, .f = f, .rank = rank, .log = json ? stderr : stdout};
    if (rank == 0 && f->trajectory) {
        c.traj = fopen(f->trajectory, "w");
        if (!c.traj) return ATE_ERROR(err, ATE_ERR_IO, "relax: cannot write %s", f->trajectory);
    }
    ate_status st = ate_relax_run(o, energy_cb, &c, on_step, &c, s, res, err);
    if (rank == 0 && c.traj) fclose(c.traj);
    /* the start geometry when no step was taken (already converged), or the last accepted one */
    if (st == ATE_OK && rank == 0 && res->steps == 0)
        st = write_geometry(f->output, s, res->energy, res->fmax, err);
    if (rank == 0)
        fprintf(c.log,
                "relax: %s after %d steps (%d evaluations), E = %.10f Eh, fmax = %.4e eV/A; "
                "geometry in %s\n",
                res->converged ? "converged" : "NOT converged", res->steps, res->evaluations,
                res->energy, res->fmax * ATE_HARTREE_BOHR_EV_ANGSTROM, f->output);
    return st;
}
