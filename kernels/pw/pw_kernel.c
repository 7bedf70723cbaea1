/**
 * @file pw_kernel.c
 * @brief The plane-wave DFT kernel behind kernels/kernel.h (method "pw"; docs/theory-pw.md):
 *        checks the request, reads the GTH pseudopotentials, builds the FFT grid, k-points and
 *        plane-wave sets, runs the SCF (scf.c) and reports energy terms, forces and stress.
 *        Keeps the density and wavefunctions as the restart guess for the next structure with
 *        the same atoms, cell and discretisation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>

#include "atescreen/elements.h"
#include "atescreen/kmesh.h"
#include "atescreen/units.h"
#include "kernel_impl.h"
#include "pw_hirshfeld.h"
#include "pw_pdos.h"
#include "pw_scf.h"
#include "pw_spheres.h"

/* errors of the calculation's settings or structure (charge, spin, bands, cell): input errors,
 * which atescreen calc reports with the file name and exit status 2 */
#define PW_INPUT_ERROR(field, ...)                                                                 \
    ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, field, __VA_ARGS__)

/* OpenBLAS extension (cblas.h of libopenblas). */
void openblas_set_num_threads(int num_threads);

typedef struct pw_kernel {
    MPI_Comm comm;
    pw_xc *xc[2]; /* unpolarised, spin-polarised (made on first use) */
    int xc_id;
    /* restart guess */
    int g_natoms, g_nk, g_nb, g_ns, g_n[3], g_bsize;
    int *g_z;
    double g_cell[9], g_ecut;
    pw_scf_state st;
    int st_nk;
} pw_kernel;

static void drop_guess(pw_kernel *k)
{
    if (k->st.psi)
        for (int i = 0; i < k->st_nk; ++i)
            free(k->st.psi[i]);
    free(k->st.psi), free(k->st.rhog), free(k->st.x_prev), free(k->g_z);
    memset(&k->st, 0, sizeof(k->st));
    k->g_z = NULL, k->st_nk = 0, k->g_natoms = 0;
}

/* rank in comm (0 alone) */
static int kernel_rank(MPI_Comm comm)
{
    int rank = 0;
    if (comm != MPI_COMM_NULL) MPI_Comm_rank(comm, &rank);
    return rank;
}

static void pw_reset_guess(void *impl) { ((pw_kernel *)impl)->st.have_density = false; }

static void pw_destroy(void *impl)
{
    pw_kernel *k = impl;
    if (!k) return;
    drop_guess(k);
    pw_xc_destroy(&k->xc[0]);
    pw_xc_destroy(&k->xc[1]);
    free(k);
}

static ate_status pw_create(const ate_kernel_opts *o, const MPI_Comm *comm, void **out,
                            ate_error *err)
{
    *out = NULL;
    if (!(o->ecut > 0.0) || o->ecut > 1e4)
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "ecut",
                                   "the plane-wave kernel needs a cutoff in (0, 1e4] hartree "
                                   "(--ecut), got %g",
                                   o->ecut);
    if (o->smearing < ATE_SMEAR_NONE || o->smearing > ATE_SMEAR_MV)
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "smearing",
                                   "unknown smearing %d", o->smearing);
    if (!(o->sphere_radius >= 0.0 && o->sphere_radius <= 20.0))
        return ate_error_set_input(
            err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "sphere_radius",
            "the atomic sphere radius must be in [0, 20] bohr, got %g", o->sphere_radius);
    if (o->nbands < 0)
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "nbands",
                                   "negative number of bands %d", o->nbands);
    pw_kernel *k = calloc(1, sizeof(*k));
    if (!k) return ATE_ERROR(err, ATE_ERR_MEMORY, "kernel: out of memory");
    /* parallelism is over MPI ranks: BLAS threads on the subspace matrices only compete with
     * them (and spin in sched_yield); OPENBLAS_NUM_THREADS / OMP_NUM_THREADS override */
    if (!getenv("OPENBLAS_NUM_THREADS") && !getenv("OMP_NUM_THREADS")) openblas_set_num_threads(1);
    k->comm = comm ? *comm : MPI_COMM_NULL;
    k->xc_id = o->xc;
    ate_status st = pw_xc_create(o->xc, 1, &k->xc[0], err);
    if (st != ATE_OK) {
        free(k);
        return st;
    }
    *out = k;
    return ATE_OK;
}

/* spins[a] = N_up - N_down within o->sphere_radius of atom a (rhog: [2][ntot]). */
static ate_status sphere_spins(const ate_kernel_opts *o, const pw_cell *c, const pw_grid *g,
                               const pw_atoms *at, const pw_cplx *rhog, double *spins,
                               ate_error *err)
{
    double *work = malloc(2 * (size_t)g->ntot * sizeof(double));
    double *nsph = malloc(2 * (size_t)at->n * sizeof(double));
    if (!work || !nsph) {
        free(work), free(nsph);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "kernel: out of memory");
    }
    double radius = o->sphere_radius > 0.0 ? o->sphere_radius : PW_SPHERE_RADIUS_DEFAULT;
    pw_sphere_densities(c, g, at, rhog, 2, radius, work, nsph);
    for (int a = 0; a < at->n; ++a)
        spins[a] = nsph[2 * a] - nsph[2 * a + 1];
    free(work), free(nsph);
    return ATE_OK;
}

/* ATE_PW_PDOS=path: the l = 0..4 weights of every band in spheres around every atom or those of
 * ATE_PW_PDOS_ATOMS (pdos.c),
 * exact and with ABINIT's numerical scheme (pw_pdos_weights_abinit), one line per spin, k-point,
 * band and atom (the comparison with ABINIT's prtdos 3 fractions, tests/pw/pw_check.py).
 * Collective; rank 0 writes. */
static ate_status write_pdos(const char *path, const pw_cell *c, const pw_atoms *at, int nk,
                             const pw_kset *ks, int ns, int nb, pw_cplx *const *psi,
                             const double *eig, double fermi, double radius, double ecut,
                             MPI_Comm comm, ate_error *err)
{
    const int lmax = PW_PDOS_LMAX, nl = lmax + 1;
    /* ATE_PW_PDOS_ATOMS: the atoms (0-based, comma-separated), default all */
    int *sel = malloc((size_t)at->n * sizeof(int)), nsel = 0;
    double *xs = malloc((size_t)at->n * 3 * sizeof(double));
    size_t nw = (size_t)ns * nk * nb * at->n * nl;
    double *w = malloc(2 * nw * sizeof(double)), *wa = w ? w + nw : NULL;
    if (!w || !sel || !xs) {
        free(w), free(sel), free(xs);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "kernel: out of memory");
    }
    const char *list = getenv("ATE_PW_PDOS_ATOMS");
    for (const char *p = list; p && *p;) {
        char *end;
        long a = strtol(p, &end, 10);
        if (end == p) break;
        if (a >= 0 && a < at->n) sel[nsel++] = (int)a;
        p = *end == ',' ? end + 1 : end;
    }
    if (!list || !*list)
        for (int a = 0; a < at->n; ++a)
            sel[nsel++] = a;
    for (int i = 0; i < nsel; ++i)
        memcpy(xs + 3 * i, at->x + 3 * sel[i], 3 * sizeof(double));
    ate_status st =
        pw_pdos_collect(c, nk, ks, ns, nb, psi, nsel, xs, radius, lmax, 0.0, comm, w, err);
    if (st == ATE_OK)
        st = pw_pdos_collect(c, nk, ks, ns, nb, psi, nsel, xs, radius, lmax, ecut, comm, wa, err);
    int rank = 0;
    if (comm != MPI_COMM_NULL) MPI_Comm_rank(comm, &rank);
    if (st == ATE_OK && rank == 0) {
        FILE *f = fopen(path, "w");
        if (!f) st = ATE_ERROR(err, ATE_ERR_IO, "cannot write %s", path);
        for (int sp = 0; sp < ns && f; ++sp)
            for (int q = 0; q < nk; ++q)
                for (int n = 0; n < nb; ++n)
                    for (int i = 0; i < nsel; ++i) {
                        size_t e = ((size_t)sp * nk + q) * nb + n;
                        fprintf(f, "%d %d %d %d %.17g", sp, q, n, sel[i], eig[e]);
                        for (int l = 0; l < nl; ++l)
                            fprintf(f, " %.17g", w[(e * nsel + i) * nl + l]);
                        for (int l = 0; l < nl; ++l)
                            fprintf(f, " %.17g", wa[(e * nsel + i) * nl + l]);
                        fputc('\n', f);
                    }
        for (int q = 0; q < nk && f; ++q)
            fprintf(f, "# k %d %.17g %.17g %.17g %.17g\n", q, ks[q].kf[0], ks[q].kf[1], ks[q].kf[2],
                    ks[q].w);
        if (f) {
            fprintf(f, "# radius %.17g fermi %.17g nspin %d nk %d nb %d natoms %d\n", radius, fermi,
                    ns, nk, nb, at->n);
            fclose(f);
        }
    }
    free(w), free(sel), free(xs);
    return st;
}

/* charges[a]: Hirshfeld charges of the total density (hirshfeld.c) with the free-atom tables of
 * param_dir/hirshfeld; NaN for every atom when an element has no table. */
static ate_status hirshfeld(const ate_kernel_opts *o, const pw_cell *c, const pw_grid *g,
                            const pw_atoms *at, const int *z, const pw_cplx *rhog, int ns,
                            double *charges, ate_error *err)
{
    size_t ntot = (size_t)g->ntot;
    double *rho = malloc(3 * ntot * sizeof(double));
    if (!rho) return ATE_ERROR(err, ATE_ERR_MEMORY, "kernel: out of memory");
    double *sum = rho + ntot, *tmp = rho + 2 * ntot;
    pw_density_to_real(g, rhog, rho);
    if (ns == 2) {
        pw_density_to_real(g, rhog + ntot, tmp);
        for (size_t p = 0; p < ntot; ++p)
            rho[p] += tmp[p];
    }
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/hirshfeld", o->param_dir);
    bool have;
    ate_status st = pw_hirshfeld_charges(c, g, at, z, rho, dir, sum, charges, &have, err);
    if (st == ATE_OK && !have && getenv("ATE_PW_VERBOSE"))
        fprintf(stderr, "pw: no free-atom density in %s for some element: charges NaN\n", dir);
    free(rho);
    return st;
}

static const char *xc_tag(int xc) { return xc == ATE_XC_LDA ? "GTH-PADE" : "GTH-PBE"; }

/* the GTH file of o: --pseudo / settings.pw.pseudo_file, else param_dir/gth/GTH_POTENTIALS */
static void gth_path(const ate_kernel_opts *o, char *path, size_t size)
{
    if (o->pseudo_file)
        snprintf(path, size, "%s", o->pseudo_file);
    else
        snprintf(path, size, "%s/gth/GTH_POTENTIALS", o->param_dir);
}

/* the entry pw_compute reads for element z (the alias rule of gth.c) */
static ate_status pw_pseudopotential(const ate_kernel_opts *o, int z, ate_pseudo_info *out,
                                     ate_error *err)
{
    char path[1024];
    gth_path(o, path, sizeof path);
    pw_gth g;
    ATE_TRY(pw_gth_read(path, z, NULL, xc_tag(o->xc), &g, err));
    snprintf(out->entry, sizeof out->entry, "%s", g.name);
    out->z_ion = g.zion;
    return ATE_OK;
}

static ate_status pw_compute(void *impl, const ate_kernel_opts *o, const ate_structure *s,
                             unsigned request, ate_calc_result *out, ate_error *err)
{
    pw_kernel *k = impl;
    bool want_grad = (request & ATE_CALC_GRADIENT) != 0;
    bool want_stress = (request & ATE_CALC_STRESS) != 0;
    out->has_stress = false;
    if (want_grad && !out->gradient)
        return ATE_ERROR(err, ATE_ERR_VALUE, "a gradient was requested but no array was given");
    bool pbc[3];
    ate_structure_pbc(s, pbc);
    if (!ate_structure_has_cell(s) || !(pbc[0] && pbc[1]))
        return PW_INPUT_ERROR("cell",
                              "the plane-wave kernel needs a cell (a molecule goes in a box with "
                              "pbc=\"T T T\"); a slab (pbc T T F) is treated as periodic along c");
    int uhf = ate_structure_uhf(s) == ATE_UHF_AUTO ? 0 : ate_structure_uhf(s);
    int ns = o->spin_polarized || uhf > 0 ? 2 : 1;
    if (ns == 2 && !k->xc[1]) ATE_TRY(pw_xc_create(o->xc, 2, &k->xc[1], err));
    int n = ate_structure_natoms(s);
    const int *z = ate_structure_numbers(s);
    /* pseudopotentials: one per element present */
    char path[1024];
    gth_path(o, path, sizeof path);
    pw_gth *psp = calloc((size_t)n, sizeof(pw_gth));
    int *species = calloc((size_t)n, sizeof(int)), nsp = 0;
    double *x = malloc((size_t)n * 3 * sizeof(double));
    if (!psp || !species || !x) {
        free(psp), free(species), free(x);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "kernel: out of memory");
    }
    ate_status st = ATE_OK;
    for (int a = 0; a < n && st == ATE_OK; ++a) {
        int found = -1;
        for (int q = 0; q < nsp; ++q)
            if (psp[q].z == z[a]) found = q;
        if (found < 0) {
            st = pw_gth_read(path, z[a], NULL, xc_tag(o->xc), &psp[nsp], err);
            if (st == ATE_OK && getenv("ATE_PW_VERBOSE"))
                fprintf(stderr, "pw: pseudopotential %s %s (Z_ion %g) from %s\n",
                        ate_element_symbol(z[a]), psp[nsp].name, psp[nsp].zion, path);
            found = nsp++;
        }
        species[a] = found;
    }
    memcpy(x, ate_structure_positions(s), (size_t)n * 3 * sizeof(double));
    pw_atoms at = {n, species, psp, nsp, x};
    double zsum = 0.0;
    for (int a = 0; a < n && st == ATE_OK; ++a)
        zsum += psp[species[a]].zion;
    double nel = zsum - ate_structure_charge(s);
    int smearing = o->smearing;
    double sigma = ATE_KB_HARTREE * o->etemp;
    if (smearing != ATE_SMEAR_NONE && sigma <= 0.0) smearing = ATE_SMEAR_NONE;
    /* spin: a fixed moment M = uhf (N_up - N_down), or a free one seeded with M0 */
    bool fixed = ns == 2 && !o->free_moment;
    int ntm = 0;
    for (int a = 0; a < n; ++a)
        ntm += ate_element_is_transition_metal(z[a]);
    double m0 = ns == 1 ? 0.0 : uhf > 0 || fixed ? uhf : (ntm ? 2.0 * ntm : 1.0);
    if (ns == 2 && !fixed && o->moment0 > 0.0) m0 = o->moment0;
    /* starting moments per atom (ABINIT's spinat): each within the atom's valence charge; the
     * options' (calc --moments) before the structure's (extxyz initial_magmoms, a campaign's
     * settings.pw.metal_moment) */
    const double *atm = o->atom_moments;
    const char *mfield = "moments";
    int nm = o->natom_moments;
    if (!atm && ate_structure_magmoms(s))
        atm = ate_structure_magmoms(s), mfield = "initial_magmoms", nm = n;
    if (atm && st == ATE_OK) {
        if (nm != n)
            st = PW_INPUT_ERROR(mfield, "%d starting moments for %d atoms", nm, n);
        else if (ns != 2)
            st = PW_INPUT_ERROR(mfield,
                                "starting moments per atom need spin polarisation (--uhf N or "
                                "--spin-polarized --free-moment)");
        double msum = 0.0;
        for (int a = 0; a < n && st == ATE_OK; ++a) {
            double zi = psp[species[a]].zion;
            if (!(fabs(atm[a]) <= zi))
                st = PW_INPUT_ERROR(mfield,
                                    "starting moment %g on atom %d (%s) exceeds its %g valence "
                                    "electrons",
                                    atm[a], a + 1, ate_element_symbol(z[a]), zi);
            msum += atm[a];
        }
        if (st == ATE_OK && !fixed) m0 = fabs(msum);
        if (st == ATE_OK && getenv("ATE_PW_VERBOSE")) { /* tests/pipeline/check_pw.py */
            fprintf(stderr, "pw: starting moments (%s):", mfield);
            for (int a = 0; a < n; ++a)
                fprintf(stderr, " %g", atm[a]);
            fputc('\n', stderr);
        }
    }
    if (m0 > nel) m0 = nel;
    double nel_up = 0.5 * (nel + m0), nel_dn = 0.5 * (nel - m0);
    int nocc = ns == 1 ? (int)ceil(nel / 2.0 - 1e-9) : (int)ceil(nel_up - 1e-9);
    int extra = nocc / 5 > 4 ? nocc / 5 : 4;
    int nb = o->nbands > 0                                      ? o->nbands
             : smearing == ATE_SMEAR_NONE && (ns == 1 || fixed) ? nocc
                                                                : nocc + extra;
    if (st == ATE_OK && !(nel > 0.0))
        st = PW_INPUT_ERROR("charge", "charge %d leaves %g valence electrons",
                            ate_structure_charge(s), nel);
    if (st == ATE_OK && ns == 1 && smearing == ATE_SMEAR_NONE && fabs(nel - 2.0 * nocc) > 1e-9)
        st = PW_INPUT_ERROR("smearing",
                            "%g valence electrons: an odd count needs smearing (etemp > 0) or spin "
                            "polarisation",
                            nel);
    if (st == ATE_OK && fixed && fabs(nel_up - round(nel_up)) > 1e-9)
        st = PW_INPUT_ERROR("uhf", "%g valence electrons cannot have %d unpaired ones (parity)",
                            nel, uhf);
    if (st == ATE_OK && ns == 2 && !fixed && smearing == ATE_SMEAR_NONE)
        st = PW_INPUT_ERROR("smearing", "a free magnetic moment needs smearing (etemp > 0)");
    if (st == ATE_OK && nb < nocc)
        st = PW_INPUT_ERROR("nbands", "%d bands cannot hold %g electrons (need >= %d)", nb, nel,
                            nocc);
    pw_cell cell;
    pw_grid grid = {0};
    const char *cplx_env = getenv("ATE_PW_COMPLEX");
    bool force_complex = cplx_env && *cplx_env && strcmp(cplx_env, "0") != 0;
    int nk = 0;
    double *kf = NULL, *kw = NULL;
    pw_kset *ks = NULL;
    if (st == ATE_OK) {
        pw_cell_init(&cell, ate_structure_cell(s));
        int nfft[3];
        if (o->fft[0] > 0)
            memcpy(nfft, o->fft, sizeof(nfft));
        else
            pw_fft_default(&cell, o->ecut, nfft);
        /* the ranks share one set of FFTW plans, planned in parallel (fftw_share.c) */
        double tw = MPI_Wtime(), tc = (double)clock() / CLOCKS_PER_SEC;
        st = pw_grid_init_comm(&grid, &cell, nfft, o->ecut, k->comm, err);
        if (getenv("ATE_PW_VERBOSE"))
            fprintf(stderr, "pw fft planning: wall %.3f s  cpu %.3f s (rank %d)\n",
                    MPI_Wtime() - tw, (double)clock() / CLOCKS_PER_SEC - tc, kernel_rank(k->comm));
    }
    if (st == ATE_OK) {
        int mesh[3], off[3];
        for (int d = 0; d < 3; ++d) {
            mesh[d] = o->kmesh[d] > 0 ? o->kmesh[d] : 1;
            off[d] = o->kshift_set ? o->kshift2[d] : (o->kgamma ? 0 : 1 - mesh[d]);
        }
        st = ate_kmesh_reduced(mesh, off, &nk, &kf, &kw, err);
    }
    if (st == ATE_OK) {
        ks = calloc((size_t)nk, sizeof(pw_kset));
        if (!ks) st = ATE_ERROR(err, ATE_ERR_MEMORY, "kernel: out of memory");
    }
    for (int q = 0; q < nk && st == ATE_OK; ++q) {
        st = pw_kset_init(&ks[q], &cell, &grid, kf + 3 * q, kw[q], o->ecut, err);
        /* real wavefunctions at Gamma unless ATE_PW_COMPLEX is set (the check of the real path
         * against the complex one, tests/pw/pw_check.py) */
        if (st == ATE_OK && !force_complex) st = pw_kset_make_gamma(&ks[q], &grid, err);
        if (st == ATE_OK && pw_kset_dim(&ks[q]) < nb)
            st =
                PW_INPUT_ERROR("nbands",
                               "%d bands do not fit in the %d plane waves of k-point %d (raise the "
                               "cutoff)",
                               nb, pw_kset_dim(&ks[q]), q + 1);
    }
    if (st == ATE_OK && getenv("ATE_PW_VERBOSE")) { /* the discretisation (tests/pw, strain FD) */
        long npw = 0, nsph = 0, isum = 0; /* isum: box indices summed, a check of the sets */
        for (int q = 0; q < nk; ++q)
            for (int g = 0; g < ks[q].npw; ++g)
                ++npw, isum += ks[q].idx[g];
        for (int p = 0; p < grid.ntot; ++p)
            if (grid.sphere[p]) ++nsph, isum += p;
        fprintf(stderr,
                "pw basis: grid %d %d %d  %d k-points  %ld plane waves  %ld density G  index sum "
                "%ld\n",
                grid.n[0], grid.n[1], grid.n[2], nk, npw, nsph, isum);
    }
    /* buffer bands for the eigensolver (not occupied, not converged) */
    int nbx = nb + (nb / 10 > 2 ? nb / 10 : 2);
    for (int q = 0; q < nk && st == ATE_OK; ++q)
        if (nbx > pw_kset_dim(&ks[q])) nbx = pw_kset_dim(&ks[q]);
    /* restart guess: same atoms, cell, grid, k-points and bands */
    /* the SCF's layout (scf.c): pools of bsize ranks take the (k, spin) pairs round robin, a
     * band group holds rows [off, off + rows) of each (pw_bg_rows): this rank stores those only */
    int size = 1, rank = kernel_rank(k->comm);
    if (k->comm != MPI_COMM_NULL) MPI_Comm_size(k->comm, &size);
    int bsize = pw_band_group_size(k->comm, nk * ns);
    if (bsize < 1) bsize = 1; /* a bad ATE_PW_BAND_GROUP: the SCF refuses it */
    int npool = size / bsize;
    pw_bgroup lay = {.size = bsize};
    if (st == ATE_OK) {
        bool same = k->g_z && k->g_bsize == bsize && k->g_natoms == n && k->g_nk == nk &&
                    k->g_nb == nbx && k->g_ns == ns && k->g_ecut == o->ecut &&
                    !memcmp(k->g_n, grid.n, sizeof(k->g_n)) &&
                    !memcmp(k->g_z, z, (size_t)n * sizeof(int)) &&
                    !memcmp(k->g_cell, ate_structure_cell(s), sizeof(k->g_cell));
        if (!same) {
            drop_guess(k);
            k->g_z = malloc((size_t)n * sizeof(int));
            k->st.rhog = malloc((size_t)ns * grid.ntot * sizeof(pw_cplx));
            k->st.psi = calloc((size_t)nk * ns, sizeof(pw_cplx *));
            k->st.x_prev = malloc((size_t)n * 3 * sizeof(double));
            bool ok = k->g_z && k->st.rhog && k->st.psi && k->st.x_prev;
            k->st_nk = nk * ns;
            /* test hook (tests/pw/pw_check.py --bands): this rank's allocation fails */
            const char *fail = getenv("ATE_PW_TEST_NOMEM_RANK");
            if (fail && *fail && atoi(fail) == rank) ok = false;
            for (int q = 0; q < nk * ns && ok; ++q) {
                if (q % npool != rank / bsize) continue; /* another pool's pair */
                int off, rows;
                pw_bg_rows(&lay, ks[q / ns].npw, rank % bsize, &off, &rows);
                ok = (k->st.psi[q] =
                          malloc((size_t)nbx * (rows > 0 ? rows : 1) * sizeof(pw_cplx))) != NULL;
            }
            if (!ok) {
                drop_guess(k);
                st = ATE_ERROR(err, ATE_ERR_MEMORY, "wavefunctions: out of memory");
            } else {
                memcpy(k->g_z, z, (size_t)n * sizeof(int));
                memcpy(k->g_cell, ate_structure_cell(s), sizeof(k->g_cell));
                memcpy(k->g_n, grid.n, sizeof(k->g_n));
                k->g_natoms = n, k->g_nk = nk, k->g_nb = nbx, k->g_ns = ns, k->g_ecut = o->ecut;
                k->g_bsize = bsize;
            }
        }
    }
    double *eig = NULL, *occ = NULL, *forces = NULL;
    pw_scf_result r = {0};
    double stress[9] = {0};
    if (st == ATE_OK) {
        eig = malloc((size_t)ns * nk * nb * sizeof(double));
        occ = malloc((size_t)ns * nk * nb * sizeof(double));
        forces = want_grad ? malloc((size_t)n * 3 * sizeof(double)) : NULL;
        if (!eig || !occ || (want_grad && !forces))
            st = ATE_ERROR(err, ATE_ERR_MEMORY, "kernel: out of memory");
    }
    if (size > 1) { /* a rank out of memory stops every rank before the SCF's collectives */
        int bad = st != ATE_OK, anybad = 0;
        MPI_Allreduce(&bad, &anybad, 1, MPI_INT, MPI_MAX, k->comm);
        if (anybad && !bad)
            st = ATE_ERROR(err, ATE_ERR_MEMORY, "the plane-wave set-up failed on another rank");
    }
    if (st == ATE_OK) {
        /* rank 0's switch on every rank: with it the SCF compares the ranks' densities (a
         * collective) */
        char vbuf[8];
        bool verbose = pw_env(k->comm, "ATE_PW_VERBOSE", vbuf, sizeof vbuf) != NULL;
        pw_scf_input in = {.cell = &cell,
                           .grid = &grid,
                           .atoms = &at,
                           .nk = nk,
                           .ks = ks,
                           .nb = nb,
                           .nbx = nbx,
                           .nel = nel,
                           .xc = k->xc[ns - 1],
                           .nspin = ns,
                           .fixed_moment = fixed,
                           .nel_spin = {nel_up, nel_dn},
                           .moment0 = m0,
                           .atom_moments = atm,
                           .smearing = smearing,
                           .sigma = sigma,
                           .mixing = o->mixing,
                           .max_iter = o->max_iter,
                           .econv = o->econv,
                           .qconv = o->qconv,
                           /* 1e-9 at the default qconv (1e-8 e per atom), tighter with it */
                           .eig_tol = fmin(1e-9, 0.1 * o->qconv),
                           .forces = forces,
                           .stress = want_stress ? stress : NULL,
                           .comm = k->comm,
                           .verbose = verbose};
        r.eig = eig, r.occ = occ;
        st = pw_scf_run(&in, &k->st, &r, err);
        if (st == ATE_OK && !r.converged) k->st.have_density = false;
    }
    if (st == ATE_OK) {
        out->energy = r.energy;
        out->converged = r.converged;
        out->iterations = r.iterations;
        out->fermi_ev = r.fermi * ATE_HARTREE_EV;
        if (want_grad) {
            /* the net force (a grid artefact: the xc energy on a finite FFT grid is not exactly
             * translation invariant) is removed, as ABINIT and Quantum ESPRESSO do */
            double net[3] = {0.0, 0.0, 0.0};
            for (int a = 0; a < n; ++a)
                for (int d = 0; d < 3; ++d)
                    net[d] += forces[3 * a + d] / n;
            for (int a = 0; a < n; ++a)
                for (int d = 0; d < 3; ++d)
                    out->gradient[3 * a + d] = -(forces[3 * a + d] - net[d]);
        }
        for (int a = 0; a < n; ++a) {
            if (out->charges) out->charges[a] = NAN;
            if (out->spins) out->spins[a] = 0.0;
            if (out->dband_centre) out->dband_centre[a] = NAN;
        }
        if (out->spins && ns == 2) /* N_up - N_down in a sphere around each atom (spheres.c) */
            st = sphere_spins(o, &cell, &grid, &at, k->st.rhog, out->spins, err);
        double radius = o->sphere_radius > 0.0 ? o->sphere_radius : PW_SPHERE_RADIUS_DEFAULT;
        clock_t t_hir = clock();
        if (st == ATE_OK && out->charges) /* Hirshfeld partition of the density */
            st = hirshfeld(o, &cell, &grid, &at, z, k->st.rhog, ns, out->charges, err);
        clock_t t_pdos = clock();
        if (out->charges && getenv("ATE_PW_VERBOSE"))
            fprintf(stderr, "pw Hirshfeld charges: %.3f s CPU\n",
                    (double)(t_pdos - t_hir) / CLOCKS_PER_SEC);
        if (st == ATE_OK && out->dband_centre) /* d weights in the same spheres (pdos.c) */
            st = pw_dband_centres(&cell, &at, z, nk, ks, ns, nb, k->st.psi, eig, occ, out->fermi_ev,
                                  radius, k->comm, out->dband_centre, err);
        if (out->dband_centre && getenv("ATE_PW_VERBOSE"))
            fprintf(stderr, "pw d-band centres: %.3f s CPU\n",
                    (double)(clock() - t_pdos) / CLOCKS_PER_SEC);
        const char *pdos_path = getenv("ATE_PW_PDOS"); /* l weights of every band (tests/pw) */
        if (st == ATE_OK && pdos_path && *pdos_path)
            st = write_pdos(pdos_path, &cell, &at, nk, ks, ns, nb, k->st.psi, eig, r.fermi, radius,
                            o->ecut, k->comm, err);
        double homo = -INFINITY, lumo = INFINITY;
        double half = ns == 2 ? 0.5 : 1.0;
        for (int q = 0; q < ns * nk * nb; ++q) {
            if (occ[q] > half && eig[q] > homo) homo = eig[q];
            if (occ[q] <= half && eig[q] < lumo) lumo = eig[q];
        }
        if (want_stress) { /* at the fixed plane-wave set (no Pulay stress), as ABINIT's */
            memcpy(out->stress, stress, sizeof(stress));
            out->has_stress = true;
        }
        out->magnetization = ns == 2 ? r.magnetization : 0.0;
        out->homo_lumo_gap_ev =
            isfinite(lumo) && isfinite(homo) ? (lumo - homo) * ATE_HARTREE_EV : NAN;
        const char *names[] = {"kinetic", "local_psp", "nonlocal_psp", "hartree",
                               "xc",      "ewald",     "psp_core",     "electronic_entropy"};
        const double vals[] = {r.e_kin, r.e_loc,   r.e_nl,       r.e_h,
                               r.e_xc,  r.e_ewald, r.e_psp_core, r.e_ts};
        out->nterms = 8;
        for (int t = 0; t < 8; ++t)
            out->term_name[t] = names[t], out->term[t] = vals[t];
        if (!r.converged)
            st = ATE_ERROR(err, ATE_ERR_NOT_CONVERGED,
                           "SCF did not converge in %d iterations (last |drho| %.2e e)",
                           r.iterations, r.drho);
    }
    if (getenv("ATE_PW_VERBOSE")) { /* this rank's peak resident set (Linux: kB) and, from
                                     * Linux's /proc, its peak virtual size (allocated, touched
                                     * or not) */
        struct rusage ru;
        long vmpeak = -1;
        char line[256];
        FILE *f = fopen("/proc/self/status", "r");
        while (f && fgets(line, sizeof(line), f))
            if (strncmp(line, "VmPeak:", 7) == 0) vmpeak = strtol(line + 7, NULL, 10);
        if (f) fclose(f);
        if (getrusage(RUSAGE_SELF, &ru) == 0)
            fprintf(stderr, "pw peak RSS rank %d: %.1f MiB (peak virtual %.1f MiB)\n", rank,
                    ru.ru_maxrss / 1024.0, vmpeak / 1024.0);
    }
    for (int q = 0; q < nk && ks; ++q)
        pw_kset_free(&ks[q]);
    free(ks), free(kf), free(kw), free(eig), free(occ), free(forces);
    pw_grid_free(&grid);
    free(psp), free(species), free(x);
    return st;
}

const ate_kernel_impl_ops ate_pw_kernel_ops = {"pw",           pw_create,  pw_compute,
                                               pw_reset_guess, pw_destroy, pw_pseudopotential};
