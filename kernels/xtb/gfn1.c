/**
 * @file gfn1.c
 * @brief The GFN1-xTB kernel: composes the terms (spec §10): E = E_SCC + E_rep + E_disp + E_XB,
 *        behind kernels/kernel.h, for molecules and 3D-periodic cells at the Gamma point
 *        (positions wrapped into the cell first; lattice sums by opts.pbc_mode, lattice.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gfn1_scc.h"
#include "kernel_impl.h"

/* OpenBLAS extension (cblas.h of libopenblas). */
void openblas_set_num_threads(int num_threads);

struct gfn1_kernel {
    const ate_kernel_opts *o; /* the dispatcher's current options (set by every compute call) */
    gfn1_params *params;
    /* restart guess: converged shell charges of the last structure with the same atoms, charge
     * and spin (relaxation steps, spin scans and adsorbate states reuse them) */
    int guess_natoms, guess_charge, guess_uhf, guess_nsh;
    int *guess_z;
    double *guess_q;
    bool guess_valid;
};
typedef struct gfn1_kernel gfn1_kernel;

static void gfn1_reset_guess(void *impl) { ((gfn1_kernel *)impl)->guess_valid = false; }

static ate_status gfn1_create(const ate_kernel_opts *o, const MPI_Comm *comm, void **out,
                              ate_error *err)
{
    (void)comm; /* one rank, no MPI: also ate_kernel_create_serial's */
    *out = NULL;
    if (o->dipole < ATE_DIPOLE_NONE || o->dipole > ATE_DIPOLE_XYZ)
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "dipole",
                                   "unknown dipole correction %d", o->dipole);
    if (o->pbc_mode != ATE_PBC_FULL && o->pbc_mode != ATE_PBC_XTB651)
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "pbc_mode",
                                   "unknown lattice-sum mode %d", o->pbc_mode);
    gfn1_kernel *k = calloc(1, sizeof(*k));
    if (!k) return ATE_ERROR(err, ATE_ERR_MEMORY, "kernel: out of memory");
    /* MPI ranks are the unit of parallelism (one candidate per rank): BLAS threads on these small
     * matrices only oversubscribe the cores (measured 30x slower on 2 cores). Users who want
     * threads say so with OPENBLAS_NUM_THREADS or OMP_NUM_THREADS. */
    if (!getenv("OPENBLAS_NUM_THREADS") && !getenv("OMP_NUM_THREADS")) openblas_set_num_threads(1);
    k->o = o;
    ate_status st = gfn1_params_load(o->param_dir, &k->params, err);
    if (st != ATE_OK) {
        free(k);
        return st;
    }
    *out = k;
    return ATE_OK;
}

static void gfn1_destroy(void *impl)
{
    gfn1_kernel *k = impl;
    if (!k) return;
    gfn1_params_destroy(&k->params);
    free(k->guess_z);
    free(k->guess_q);
    free(k);
}

static ate_status compute(gfn1_kernel *k, const ate_structure *s, const gfn1_geom *gp,
                          const gfn1_kpts *kp, bool want_grad, bool want_stress,
                          ate_calc_result *out, ate_error *err);

static ate_status gfn1_compute(void *impl, const ate_kernel_opts *o, const ate_structure *s,
                               unsigned request, ate_calc_result *out, ate_error *err)
{
    gfn1_kernel *k = impl;
    k->o = o;
    bool want_grad = (request & ATE_CALC_GRADIENT) != 0,
         want_stress = (request & ATE_CALC_STRESS) != 0;
    out->has_stress = false;
    if (want_grad && !out->gradient)
        return ATE_ERROR(err, ATE_ERR_VALUE, "a gradient was requested but no array was given");
    if (want_stress && !ate_structure_is_periodic(s))
        return ATE_ERROR(err, ATE_ERR_VALUE, "a stress tensor needs a periodic cell");
    gfn1_geom g = {ate_structure_natoms(s), ate_structure_numbers(s), ate_structure_positions(s),
                   NULL};
    gfn1_lattice lat;
    double *wrapped = NULL;
    if (ate_structure_is_periodic(s)) {
        bool pbc[3];
        ate_structure_pbc(s, pbc);
        double cell[3][3];
        memcpy(cell, ate_structure_cell(s), sizeof(cell));
        /* a slab (periodic along a and b, c the vacuum gap) is treated as a 3D cell */
        double c2 = cell[2][0] * cell[2][0] + cell[2][1] * cell[2][1] + cell[2][2] * cell[2][2];
        bool slab = pbc[0] && pbc[1] && !pbc[2] && c2 > 0.0;
        if (!(pbc[0] && pbc[1] && pbc[2]) && !slab)
            return ATE_ERROR(err, ATE_ERR_UNSUPPORTED,
                             "GFN1-xTB needs a cell periodic along a, b and c, a slab periodic "
                             "along a and b with a vacuum vector c, or no cell");
        wrapped = malloc((size_t)g.n * 3 * sizeof(double));
        if (!wrapped) return ATE_ERROR(err, ATE_ERR_MEMORY, "kernel: out of memory");
        memcpy(wrapped, g.xyz, (size_t)g.n * 3 * sizeof(double));
        gfn1_wrap(cell, g.n, wrapped);
        g.xyz = wrapped;
        ate_status st = gfn1_lattice_init(&lat, cell, k->o->pbc_mode, wrapped, g.n, err);
        if (st != ATE_OK) {
            free(wrapped);
            return st;
        }
        g.lat = &lat;
        lat.dipole = k->o->dipole;
        lat.dip_xyz = ate_structure_positions(s);
        if (lat.dipole == ATE_DIPOLE_SLAB && ate_structure_charge(s) != 0) {
            gfn1_lattice_free(&lat);
            free(wrapped);
            return ATE_ERROR(err, ATE_ERR_VALUE,
                             "the slab dipole correction needs a neutral cell (the dipole of a "
                             "charged cell depends on the origin)");
        }
    }
    gfn1_kpts kp = {0};
    const int *m = k->o->kmesh;
    /* a 1x1x1 mesh is the Gamma point either way; a molecule has no k-points (the handle's
     * mesh applies to the cells it computes: a campaign's slabs, not its gas references) */
    bool sampled = m[0] * m[1] * m[2] > 1 && g.lat;
    ate_status st = ATE_OK;
    if (sampled && k->o->pbc_mode != ATE_PBC_FULL)
        st = ATE_ERROR(err, ATE_ERR_VALUE,
                       "k-points need the full lattice-sum mode (xtb 6.5.1 is Gamma-only)");
    else if (sampled)
        st = gfn1_kpts_grid(&lat, m, k->o->kgamma, &kp, err);
    if (st == ATE_OK)
        st = compute(k, s, &g, sampled ? &kp : NULL, want_grad, want_stress, out, err);
    gfn1_kpts_free(&kp);
    if (g.lat) gfn1_lattice_free(&lat);
    free(wrapped);
    return st;
}

static ate_status compute(gfn1_kernel *k, const ate_structure *s, const gfn1_geom *gp,
                          const gfn1_kpts *kp, bool want_grad, bool want_stress,
                          ate_calc_result *out, ate_error *err)
{
    gfn1_geom g = *gp;
    gfn1_scc_opts so = {.etemp = k->o->etemp,
                        .charge = ate_structure_charge(s),
                        .uhf = ate_structure_uhf(s) == ATE_UHF_AUTO ? 0 : ate_structure_uhf(s),
                        .max_iter = k->o->max_iter,
                        .econv = k->o->econv,
                        .qconv = k->o->qconv,
                        .mixing = k->o->mixing,
                        /* no EEQ model for cells: q_A = charge/N, as xtb 6.5.1 does */
                        .uniform_guess = k->o->guess == ATE_GUESS_UNIFORM || g.lat,
                        .kpts = kp,
                        .spin = k->o->spin_polarized,
                        .free_moment = k->o->free_moment};
    /* the stress comes with the gradient (the same pair derivatives): a scratch array without one
     */
    double *scratch = want_stress && !want_grad ? malloc((size_t)g.n * 3 * sizeof(double)) : NULL;
    double *grad = want_grad ? out->gradient : scratch, sigma[9] = {0.0};
    if (want_stress && !grad) return ATE_ERROR(err, ATE_ERR_MEMORY, "kernel: out of memory");
    if (grad) memset(grad, 0, (size_t)g.n * 3 * sizeof(double));
    so.grad = grad;
    so.sigma = want_stress ? sigma : NULL;
    /* the previous charges are a valid guess when the atoms, charge and spin are the same */
    int nsh = 0; /* the restart vector: shell charges (and magnetisations when spin polarised) */
    for (int a = 0; a < g.n; ++a)
        nsh += k->params->el[g.z[a]].nsh;
    if (so.spin) nsh *= 2;
    bool same = k->guess_q && k->guess_natoms == g.n && k->guess_charge == so.charge &&
                k->guess_uhf == so.uhf && k->guess_nsh == nsh &&
                memcmp(k->guess_z, g.z, (size_t)g.n * sizeof(int)) == 0;
    if (!same) {
        free(k->guess_z), free(k->guess_q);
        k->guess_z = malloc((size_t)g.n * sizeof(int));
        k->guess_q = malloc((size_t)nsh * sizeof(double));
        if (!k->guess_z || !k->guess_q) {
            free(k->guess_z), free(k->guess_q);
            k->guess_z = NULL, k->guess_q = NULL;
            return ATE_ERROR(err, ATE_ERR_MEMORY, "kernel: out of memory");
        }
        memcpy(k->guess_z, g.z, (size_t)g.n * sizeof(int));
        k->guess_natoms = g.n, k->guess_charge = so.charge, k->guess_uhf = so.uhf,
        k->guess_nsh = nsh;
    }
    gfn1_scc_result r = {.q_atom = out->charges,
                         .q_shell = k->guess_q,
                         .guess_valid = same && k->guess_valid,
                         .spin_atom = out->spins,
                         .dband_atom = out->dband_centre};
    ate_status scc_st = ATE_OK;
    if (so.spin && so.free_moment && !r.guess_valid) {
        /* a free moment starts from the fixed-moment solution of the structure's unpaired
         * electrons: from m = 0 or a small seed, Broyden mixing tends to fall into the
         * non-magnetic stationary point even where a magnetic one is lower */
        gfn1_scc_opts fixed = so;
        fixed.free_moment = false, fixed.grad = NULL, fixed.sigma = NULL;
        scc_st = gfn1_scc_run(k->params, &g, &fixed, &r, err);
        r.guess_valid = scc_st == ATE_OK && r.converged;
    }
    if (scc_st == ATE_OK) scc_st = gfn1_scc_run(k->params, &g, &so, &r, err);
    k->guess_valid =
        scc_st == ATE_OK && r.converged; /* only converged charges seed the next call */
    if (scc_st == ATE_ERR_LIB && err && k->o->pbc_mode == ATE_PBC_XTB651 &&
        strstr(err->message, GFN1_MSG_OVERLAP_NOT_PD)) {
        /* small cells (e.g. 3-D bulk): xtb 6.5.1 stops there too ("mctc_lapack_sygvd") */
        size_t len = strlen(err->message);
        snprintf(err->message + len, sizeof err->message - len,
                 " (--pbc-mode xtb651 sums the overlap as xtb 6.5.1 does: no self-images, "
                 "|T| <= 28.28 bohr; xtb 6.5.1 fails on this cell too; use --pbc-mode full)");
    }
    if (scc_st != ATE_OK) {
        free(scratch);
        return scc_st;
    }
    double *cn = malloc((size_t)g.n * sizeof(double));
    double *dcn = grad ? malloc((size_t)g.n * g.n * 3 * sizeof(double)) : NULL;
    double *dcnde = want_stress ? malloc((size_t)g.n * 9 * sizeof(double)) : NULL;
    if (!cn || (grad && !dcn) || (want_stress && !dcnde)) {
        free(cn), free(dcn), free(dcnde), free(scratch);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "kernel: out of memory");
    }
    double *sg = so.sigma;
    gfn1_cn(k->params, &g, cn, dcn, dcnde);
    double erep = gfn1_repulsion(k->params, &g, grad, sg);
    double edisp = gfn1_dispersion(k->params, &g, cn, dcn, dcnde, grad, sg);
    double exb = gfn1_halogen(k->params, &g, grad, sg);
    free(cn), free(dcn), free(dcnde), free(scratch);
    if (want_stress) {
        for (int q = 0; q < 9; ++q)
            out->stress[q] = sigma[q] / g.lat->volume;
        out->has_stress = true;
    }
    out->energy = r.e_scc + erep + edisp + exb;
    out->converged = r.converged;
    out->iterations = r.iterations;
    out->homo_lumo_gap_ev = r.gap_ev;
    out->fermi_ev = r.fermi_ev;
    const char *names[] = {"scc",       "band",       "electrostatic", "electronic_entropy",
                           "repulsion", "dispersion", "halogen",       "spin_polarization"};
    const double vals[] = {r.e_scc, r.e_band, r.e_es, r.e_ts, erep, edisp, exb, r.e_spin};
    out->nterms = so.spin ? 8 : 7; /* the spin term only when it is part of the method */
    for (int t = 0; t < out->nterms; ++t)
        out->term_name[t] = names[t], out->term[t] = vals[t];
    if (!r.converged)
        return ATE_ERROR(err, ATE_ERR_NOT_CONVERGED, "SCC did not converge in %d iterations",
                         r.iterations);
    return ATE_OK;
}

const ate_kernel_impl_ops ate_gfn1_kernel_ops = {"gfn1",           gfn1_create,  gfn1_compute,
                                                 gfn1_reset_guess, gfn1_destroy, NULL};
