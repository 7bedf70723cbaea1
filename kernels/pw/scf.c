/**
 * @file scf.c
 * @brief The Kohn-Sham self-consistent field of the plane-wave kernel (docs/theory-pw.md, "SCF"):
 *        density in, v_eff = v_loc + v_H + v_xc, Davidson per k-point, occupations, density out,
 *        Pulay (DIIS) density mixing (P. Pulay, Chem. Phys. Lett. 73, 393 (1980)) in a metric
 *        that weights small G (G. Kresse, J. Furthmueller, PRB 54, 11169 (1996), sec. V: there
 *        (G^2 + q1^2)/G^2; here the Hartree weight 4 pi/G^2, as Quantum ESPRESSO's mixer),
 *        with Kerker's preconditioner for metals (G. P. Kerker, PRB 23, 3082 (1981)). The
 *        total energy is the Kohn-Sham functional of the output density and wavefunctions,
 *   E = sum f w <psi|T + V_nl|psi> + E_loc[rho] + E_H[rho] + E_xc[rho] + E_Ewald + E_psp_core - TS,
 *        with sum f w <psi|T + V_nl|psi> = sum f w eps - int v_eff,in rho_out. The ranks of the
 *        communicator form pools that take the (k-point, spin) pairs round robin; the B ranks of
 *        a pool (a band group, bandgroup.c) share each of its pairs, the coefficients
 *        G-distributed (docs/theory-pw.md, "Band groups"); sums are MPI_Allreduce'd.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mpi.h>

#include "kernel.h"
#include "pw_mixer.h"
#include "pw_scf.h"

/* wall and process CPU seconds, for the verbose time split (t[0] wall, t[1] CPU) */
static void stamp(double t[2]) { t[0] = MPI_Wtime(), t[1] = (double)clock() / CLOCKS_PER_SEC; }
static void lap(double acc[2], const double t0[2])
{
    double t[2];
    stamp(t);
    acc[0] += t[0] - t0[0], acc[1] += t[1] - t0[1];
}

/* deterministic start vectors: a hash of the box index and band, damped at high |k+G| */
static double hash01(unsigned long long x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return (double)(x >> 11) / 9007199254740992.0;
}

/* rows [off, off + rows) of the start vectors (a band group's share; all of them: 0, npw) */
static void random_start(const pw_kset *ks, int nb, pw_cplx *c, int off, int rows)
{
    for (int n = 0; n < nb; ++n)
        for (int g = off; g < off + rows; ++g) {
            unsigned long long key = ((unsigned long long)ks->idx[g] << 20) ^ (unsigned)n;
            double re = hash01(2 * key) - 0.5, im = hash01(2 * key + 1) - 0.5;
            c[(size_t)n * rows + g - off] = (re + I * im) / (1.0 + ks->kin[g] * ks->kin[g]);
        }
    if (ks->gamma && off == 0) /* real wavefunctions: c(G = 0) is real */
        for (int n = 0; n < nb; ++n)
            c[(size_t)n * rows] = creal(c[(size_t)n * rows]);
}

/* superposition of Gaussian valence charges Z_ion e^{-r^2/2s^2}, s = r_loc + 0.5 bohr */
static void atomic_density(const pw_cell *c, const pw_grid *g, const pw_atoms *at, double nel,
                           pw_cplx *rhog)
{
    double ztot = 0.0;
    for (int i = 0; i < at->n; ++i)
        ztot += at->psp[at->species[i]].zion;
    for (int p = 0; p < g->ntot; ++p) {
        rhog[p] = 0.0;
        if (!g->sphere[p]) continue;
        double G[3];
        pw_grid_gvec(g, p, G);
        for (int i = 0; i < at->n; ++i) {
            const pw_gth *ps = &at->psp[at->species[i]];
            double s = ps->rloc + 0.5;
            const double *x = at->x + 3 * i;
            rhog[p] += ps->zion * exp(-0.5 * g->g2[p] * s * s) *
                       cexp(-I * (G[0] * x[0] + G[1] * x[1] + G[2] * x[2]));
        }
        rhog[p] *= nel / ztot / c->vol;
    }
}

/* Restart density for moved atoms: rho_in = rho_prev + rho_at(x) - rho_at(x_prev), the atomic
 * superposition of atomic_density() moved with the atoms (the "atomic" extrapolation of Quantum
 * ESPRESSO's pw.x, D. Alfe, Comput. Phys. Commun. 118, 31 (1999), first term); the difference
 * integrates to zero and goes half to each spin channel. */
static void shift_atomic_density(const pw_cell *c, const pw_grid *g, const pw_atoms *at, double nel,
                                 const double *x_prev, int ns, pw_cplx *rhog)
{
    double ztot = 0.0;
    for (int i = 0; i < at->n; ++i)
        ztot += at->psp[at->species[i]].zion;
    for (int p = 0; p < g->ntot; ++p) {
        if (!g->sphere[p]) continue;
        double G[3];
        pw_grid_gvec(g, p, G);
        pw_cplx d = 0.0;
        for (int i = 0; i < at->n; ++i) {
            const pw_gth *ps = &at->psp[at->species[i]];
            double s = ps->rloc + 0.5;
            const double *x = at->x + 3 * i, *xp = x_prev + 3 * i;
            d += ps->zion * exp(-0.5 * g->g2[p] * s * s) *
                 (cexp(-I * (G[0] * x[0] + G[1] * x[1] + G[2] * x[2])) -
                  cexp(-I * (G[0] * xp[0] + G[1] * xp[1] + G[2] * xp[2])));
        }
        d *= nel / ztot / c->vol / ns;
        for (int sp = 0; sp < ns; ++sp)
            rhog[(size_t)sp * g->ntot + p] += d;
    }
}

/* real-space copy of a density given on the sphere */
static void to_recip_density(const pw_grid *g, const double *rho, pw_cplx *rhog)
{
    pw_cplx *b = (pw_cplx *)g->buf;
    for (int p = 0; p < g->ntot; ++p)
        b[p] = rho[p];
    const pw_cplx *t = pw_fft(g, g->fwd);
    for (int p = 0; p < g->ntot; ++p)
        rhog[p] = g->sphere[p] ? t[p] / g->ntot : 0.0;
}

/* dE_kin/deps_ab = -sum_n occ_n sum_G |c_n(G)|^2 (k+G)_a (k+G)_b (|k+G|^2/2 with k+G -> k+G -
 * eps (k+G) at fixed coefficients; Nielsen & Martin, PRB 32, 3780 (1985)), added to dde;
 * occ includes w_k. Real (Gamma) sets hold one of each pair +-G: twice each G != 0. */
static void kinetic_stress(const pw_kset *ks, int nb, const pw_cplx *c, const double *occ,
                           double *dde)
{
    double s[9] = {0};
    for (int n = 0; n < nb; ++n) {
        if (occ[n] == 0.0) continue;
        const pw_cplx *cn = c + (size_t)n * ks->npw;
        for (int q = 0; q < ks->npw; ++q) {
            const double *v = ks->kpg + 3 * q;
            double f = occ[n] * (ks->gamma ? 2.0 : 1.0) * creal(conj(cn[q]) * cn[q]);
            for (int a = 0; a < 3; ++a)
                for (int b = 0; b < 3; ++b)
                    s[3 * a + b] += f * v[a] * v[b];
        }
    }
    for (int q = 0; q < 9; ++q)
        dde[q] -= s[q];
}

ate_status pw_scf_run(const pw_scf_input *in, pw_scf_state *st, pw_scf_result *res, ate_error *err)
{
    const pw_cell *c = in->cell;
    pw_grid *g = in->grid;
    const pw_atoms *at = in->atoms;
    int nk = in->nk, nb = in->nb, ns = in->nspin, rank = 0, size = 1;
    if (in->comm != MPI_COMM_NULL) {
        MPI_Comm_rank(in->comm, &rank);
        MPI_Comm_size(in->comm, &size);
    }
    size_t ntot = (size_t)g->ntot, nkb = (size_t)nk * nb;
    double *eig_out = res->eig, *occ_out = res->occ;
    memset(res, 0, sizeof(*res));
    res->eig = eig_out, res->occ = occ_out;
    /* pools of B ranks: pool rank / B takes the pairs (k, sp) with (k ns + sp) % npool == pool;
     * B > 1: a band group (bgp) shares them (B = 1: the serial code per pair) */
    int bsize = pw_band_group_size(in->comm, nk * ns);
    char ebuf[32];
    if (!bsize)
        return ATE_ERROR(err, ATE_ERR_VALUE,
                         "ATE_PW_BAND_GROUP=%s: ranks per band group must divide the %d ranks",
                         pw_env(in->comm, "ATE_PW_BAND_GROUP", ebuf, sizeof ebuf), size);
    int npool = size / bsize, pool = rank / bsize;
    pw_bgroup bg = {0}, *bgp = NULL;
    MPI_Comm bcomm = MPI_COMM_NULL;
    if (bsize > 1) {
        int npw_max = 0;
        for (int k = 0; k < nk; ++k)
            if (in->ks[k].npw > npw_max) npw_max = in->ks[k].npw;
        MPI_Comm_split(in->comm, pool, rank, &bcomm);
        ate_status sb = pw_bg_init(&bg, bcomm, in->nbx, npw_max, err);
        if (sb != ATE_OK) {
            MPI_Comm_free(&bcomm);
            return sb;
        }
        bgp = &bg;
    }
    if (in->verbose && rank == 0)
        fprintf(stderr,
                "pw layout: %d rank(s), %d pool(s) of %d (band group, BLACS %d x %d; subspace "
                "real %s, complex %s)\n",
                size, npool, bsize, bgp ? bg.nprow : 1, bgp ? bg.npcol : 1,
                bgp && !bg.lapack ? "ScaLAPACK" : "LAPACK",
                bgp && !bg.zlapack ? "ScaLAPACK" : "LAPACK");
    pw_cplx *vloc = NULL; /* v_loc(G) on the box, or (din) on this rank's planes */
    /* the total density rho_up + rho_down (spin-unpolarised: the density itself) */
    pw_cplx *rout_g = malloc(ns * ntot * sizeof(pw_cplx)),
            *rtot_g = ns == 2 ? malloc(ntot * sizeof(pw_cplx)) : rout_g;
    double *rho_in = malloc(ns * ntot * sizeof(double)),
           *rho_out = malloc(ns * ntot * sizeof(double));
    double *veff = malloc(ns * ntot * sizeof(double)), *vxc = malloc(ns * ntot * sizeof(double));
    double *eig = calloc(ns * nkb, sizeof(double)), *occ = calloc(ns * nkb, sizeof(double));
    double *w = malloc((size_t)ns * nk * sizeof(double));
    /* the non-local projectors of one k-point at a time (made again when the k-point changes:
     * a rank with one k-point makes them once) */
    pw_nl nl = {0};
    int nl_k = -1, maxproj = 0;
    for (int i = 0; i < at->n; ++i) {
        const pw_gth *p = &at->psp[at->species[i]];
        for (int l = 0; l < p->nl; ++l)
            maxproj += (2 * l + 1) * p->nprj[l];
    }
    for (int k = 0; k < nk; ++k)
        for (int sp = 0; sp < ns; ++sp)
            w[sp * nk + k] = in->ks[k].w;
    pw_cplx *work = malloc(((size_t)2 * maxproj * in->nbx + 1) * sizeof(pw_cplx));
    double *eigx = malloc((size_t)in->nbx * sizeof(double)),
           *wocc = malloc((size_t)nb * sizeof(double));
    /* one workspace for the eigensolver (the largest plane-wave set) and the xc functional,
     * which never run at the same time: allocated once per SCF */
    size_t dav_n = (pw_xc_work(in->xc, ntot) + 1) / 2;
    for (int k = 0; k < nk; ++k)
        if (pw_davidson_work(in->nbx, &in->ks[k], bgp) > dav_n)
            dav_n = pw_davidson_work(in->nbx, &in->ks[k], bgp);
    pw_cplx *dav = malloc(dav_n * sizeof(pw_cplx));
    pw_mixer mx = {0};
    /* the slabs of the box over all ranks of the communicator: xc's point-wise work */
    pw_slab slab = {0};
    /* Kerker for metals that extend in at least two directions (bulk, slabs): a molecule or a
     * wire in vacuum has no long-wavelength charge sloshing to damp, and there Kerker only slows
     * the SCF (docs/theory-pw.md, "SCF") */
    bool kerker = in->smearing != ATE_SMEAR_NONE && pw_vacuum_directions(c, at) <= 1;
    double t_slab[2] = {0}, tt[2];
    stamp(tt);
    ate_status s = pw_slab_init(&slab, g, in->comm, pw_xc_gga(in->xc), err);
    lap(t_slab, tt);
    /* the density transforms on the slabs and planes (several ranks): dout, rho_out
     * reduce-scattered onto the slabs and transformed to the planes (the mixer's points, the
     * energy sums there); din (ATE_PW_DENS_FFT=slabs), also rho_in and v_H + v_loc from the
     * planes (Hartree there), which cost more CPU per rank on 2 ranks than the whole-box
     * transform (H2O, graphene: benchmarks/README.md); ATE_PW_DENS_FFT=replicated: neither,
     * every rank transforms the whole box */
    const char *denv = pw_env(in->comm, "ATE_PW_DENS_FFT", ebuf, sizeof ebuf);
    if (denv && *denv && strcmp(denv, "slabs") != 0 && strcmp(denv, "replicated") != 0 &&
        s == ATE_OK)
        s = ATE_ERROR(err, ATE_ERR_VALUE, "ATE_PW_DENS_FFT=%s: use slabs or replicated", denv);
    const bool dout = s == ATE_OK && slab.size > 1 && slab.dens &&
                      !(denv && strcmp(denv, "replicated") == 0),
               din = dout && denv && strcmp(denv, "slabs") == 0;
    const size_t ostride = dout ? (size_t)slab.alloc : ntot; /* rout_g's spin stride */
    /* the Pulay history of this rank's planes of the density's G space only */
    if (s == ATE_OK) s = pw_mixer_init(&mx, g, ns, in->mixing, kerker, &slab, dout, err);
    const size_t nq = din ? (size_t)slab.ln1 * g->n[0] * g->n[2] : ntot; /* points of vloc */
    if (s == ATE_OK) vloc = malloc((nq > 0 ? nq : 1) * sizeof(pw_cplx));
    if (s == ATE_OK && (!vloc || !rout_g || !rtot_g || !rho_in || !rho_out || !veff || !vxc ||
                        !eig || !occ || !w || !work || !eigx || !wocc || !dav))
        s = ATE_ERROR(err, ATE_ERR_MEMORY, "SCF: out of memory");
    if (size > 1) { /* a rank out of memory stops every rank before the collectives */
        int bad = s != ATE_OK, anybad = 0;
        MPI_Allreduce(&bad, &anybad, 1, MPI_INT, MPI_MAX, in->comm);
        if (anybad && !bad)
            s = ATE_ERROR(err, ATE_ERR_MEMORY, "SCF: out of memory on another rank");
    }
    if (s != ATE_OK) goto done;
    if (din) { /* made on the box in the FFT buffer, kept on the planes */
        pw_vloc(c, g, at, (pw_cplx *)g->buf);
        pw_slab_planes_from_box(&slab, g, (const pw_cplx *)g->buf, vloc);
    } else
        pw_vloc(c, g, at, vloc);
    if (!st->have_density) {
        atomic_density(c, g, at, in->nel, st->rhog);
        if (ns == 2 && in->atom_moments) /* (rho +- m)/2, m: the moment M_I on atom I's shape */
            for (int p = 0; p < g->ntot; ++p) {
                pw_cplx r = st->rhog[p], m = 0.0;
                double G[3];
                pw_grid_gvec(g, p, G);
                for (int i = 0; i < at->n && g->sphere[p]; ++i) {
                    double width = at->psp[at->species[i]].rloc + 0.5;
                    const double *x = at->x + 3 * i;
                    m += in->atom_moments[i] * exp(-0.5 * g->g2[p] * width * width) *
                         cexp(-I * (G[0] * x[0] + G[1] * x[1] + G[2] * x[2])) / c->vol;
                }
                st->rhog[p] = 0.5 * (r + m);
                st->rhog[ntot + p] = 0.5 * (r - m);
            }
        else if (ns == 2) /* spin densities (rho +- m)/2 with m = rho M0 / N_el */
            for (size_t p = 0; p < ntot; ++p) {
                pw_cplx r = st->rhog[p];
                st->rhog[p] = 0.5 * r * (1.0 + in->moment0 / in->nel);
                st->rhog[ntot + p] = 0.5 * r * (1.0 - in->moment0 / in->nel);
            }
        for (int k = 0; k < nk; ++k)
            for (int sp = 0; sp < ns; ++sp)
                if ((k * ns + sp) % npool == pool) {
                    int off = 0, rows = in->ks[k].npw;
                    if (bgp) pw_bg_rows(bgp, in->ks[k].npw, bg.rank, &off, &rows);
                    random_start(&in->ks[k], in->nbx, st->psi[k * ns + sp], off, rows);
                }
        st->have_density = true;
    } else if (st->x_prev) {
        shift_atomic_density(c, g, at, in->nel, st->x_prev, ns, st->rhog);
    }
    if (st->x_prev) memcpy(st->x_prev, at->x, (size_t)at->n * 3 * sizeof(double));
    double alpha_sum = 0.0;
    for (int i = 0; i < at->n; ++i)
        alpha_sum += pw_gth_alpha(&at->psp[at->species[i]]);
    double e_psp_core = alpha_sum * in->nel / c->vol;
    double e_ewald = pw_ewald(c, at, NULL, NULL);
    double eprev = 0.0, drho = 1.0, focc = ns == 2 ? 1.0 : 2.0;
    /* rho(r) and v(r) from one transform of rho(G) + i v(G) need both spectra Hermitian on the
     * box, v(-G) = v(G)^*: not so at the Nyquist index of an even axis, where the box has one
     * point for +-G (an explicit --fft grid smaller than the default can bring the sphere there);
     * then two transforms, v(r) = Re FFT[v(G)] */
    bool pair = true;
    for (size_t p = 0; p < ntot && pair; ++p) {
        int idx[3] = {(int)(p / ((size_t)g->n[1] * g->n[2])), (int)(p / g->n[2] % g->n[1]),
                      (int)(p % g->n[2])};
        for (int d = 0; d < 3; ++d)
            if (g->sphere[p] && g->n[d] % 2 == 0 && idx[d] == g->n[d] / 2) pair = false;
    }
    bool converged = false;
    int it;
    pw_cplx *b = (pw_cplx *)g->buf;
    /* for the verbose lines: wall and process CPU time since the SCF loop started */
    double t_wall0 = MPI_Wtime(), t_cpu0 = (double)clock() / CLOCKS_PER_SEC;
    /* this rank's time split (wall, CPU): xc, eigensolver, output density */
    double t_xc[2] = {0}, t_dav[2] = {0}, t_den[2] = {0}, t_rin[2] = {0};
    for (it = 1; it <= in->max_iter; ++it) {
        /* potential of the input density: v_H + v_loc and the (first spin) density are real,
         * so one transform gives both, rho(r) + i v(r) from rho(G) + i v(G) (when pair); then
         * xc, which uses the FFT buffer */
        stamp(tt);
        if (din) { /* on this rank's planes and slab; v_H + v_loc gathered to every rank */
            pw_slab_input_potential(&slab, c, g, ns, pair, st->rhog, vloc,
                                    pw_xc_gga(in->xc) && !slab.fft, rho_in, veff);
        } else {
            const pw_cplx *rin_tot = st->rhog;
            if (ns == 2) {
                for (size_t p = 0; p < ntot; ++p)
                    rtot_g[p] = st->rhog[p] + st->rhog[ntot + p];
                rin_tot = rtot_g;
            }
            pw_hartree(c, g, rin_tot, b); /* v_H on the box, then v_loc added */
            for (size_t p = 0; p < ntot; ++p)
                b[p] = (pair ? st->rhog[p] : 0.0) + I * (b[p] + vloc[p]);
            const pw_cplx *vt = pw_fft(g, g->bwd);
            for (size_t p = 0; p < ntot; ++p)
                rho_in[p] = creal(vt[p]), veff[p] = cimag(vt[p]);
            for (int sp = pair ? 1 : 0; sp < ns; ++sp)
                pw_density_to_real(g, st->rhog + sp * ntot, rho_in + sp * ntot);
        }
        lap(t_rin, tt);
        stamp(tt);
        double exc_in = pw_xc_eval_slab(in->xc, c, g, rho_in, vxc, (double *)dav, &slab);
        lap(t_xc, tt);
        for (int sp = ns - 1; sp >= 0; --sp) /* spin 0 last: veff[0..ntot) holds v_H + v_loc */
            for (size_t p = 0; p < ntot; ++p)
                veff[sp * ntot + p] = veff[p] + vxc[sp * ntot + p];
        /* a band group applies one H: its rank 0's potential (the ranks' own may differ in the
         * last bits where a rank planned its FFTs alone: fftw_share.c); gathered from the slabs
         * (din, xc's transforms distributed or none) it is the same on every rank */
        if (bgp && !(din && (slab.fft || !pw_xc_gga(in->xc))))
            MPI_Bcast(veff, (int)(ns * ntot), MPI_DOUBLE, 0, bcomm);
        /* bands */
        double tol = it == 1 ? 1e-2 : fmin(1e-3, fmax(in->eig_tol, 1e-3 * drho));
        int maxit = it == 1 ? 30 : 12;
        memset(eig, 0, ns * nkb * sizeof(double));
        stamp(tt);
        for (int k = 0; k < nk && s == ATE_OK; ++k) {
            for (int sp = 0; sp < ns && s == ATE_OK; ++sp) {
                if ((k * ns + sp) % npool != pool) continue;
                if (nl_k != k) s = pw_nl_update(&nl, c, &in->ks[k], at, err), nl_k = k;
                if (s != ATE_OK) break;
                /* after the first iteration each band's tolerance follows its occupation there */
                for (int n = 0; n < nb; ++n)
                    wocc[n] = occ[sp * nkb + (size_t)k * nb + n] / focc;
                pw_ham h = {g, &in->ks[k], &nl, veff + sp * ntot, work, it > 1 ? wocc : NULL};
                double r;
                s = bgp ? pw_davidson_bg(&h, bgp, in->nbx, nb, st->psi[k * ns + sp], eigx, tol,
                                         maxit, &r, dav, err)
                        : pw_davidson(&h, in->nbx, nb, st->psi[k * ns + sp], eigx, tol, maxit, &r,
                                      dav, err);
                if (s != ATE_OK) break;
                if (!bgp || bg.rank == 0) /* once per band group in the sum below */
                    memcpy(eig + sp * nkb + (size_t)k * nb, eigx, (size_t)nb * sizeof(double));
            }
        }
        lap(t_dav, tt);
        if (size > 1) { /* a rank's failure stops every rank (collectives follow) */
            int bad = s != ATE_OK, anybad = 0;
            MPI_Allreduce(&bad, &anybad, 1, MPI_INT, MPI_MAX, in->comm);
            if (anybad && !bad)
                s = ATE_ERROR(err, ATE_ERR_INTERNAL, "the eigensolver failed on another rank");
        }
        if (s != ATE_OK) goto done;
        if (size > 1)
            MPI_Allreduce(MPI_IN_PLACE, eig, (int)(ns * nkb), MPI_DOUBLE, MPI_SUM, in->comm);
        double ts = 0.0;
        if (ns == 2 && in->fixed_moment) { /* one Fermi level per spin channel */
            double t0, t1;
            double m0 = pw_occupations(in->smearing, in->sigma, nk, nb, w, eig, in->nel_spin[0],
                                       focc, occ, &t0);
            double m1 = pw_occupations(in->smearing, in->sigma, nk, nb, w, eig + nkb,
                                       in->nel_spin[1], focc, occ + nkb, &t1);
            ts = t0 + t1;
            res->fermi = fmax(m0, m1);
        } else /* one Fermi level over all bands of both channels */
            res->fermi = pw_occupations(in->smearing, in->sigma, ns * nk, nb, w, eig, in->nel, focc,
                                        occ, &ts);
        /* output density */
        stamp(tt);
        memset(rho_out, 0, ns * ntot * sizeof(double));
        double eband = 0.0, ekin = 0.0, mag = 0.0;
        for (int sp = 0; sp < ns; ++sp)
            for (int k = 0; k < nk; ++k) {
                for (int n = 0; n < nb; ++n) {
                    size_t q = sp * nkb + (size_t)k * nb + n;
                    eband += w[k] * occ[q] * eig[q];
                    mag += (sp == 0 ? 1.0 : -1.0) * w[k] * occ[q];
                }
                if ((k * ns + sp) % npool != pool) continue;
                const pw_kset *ks = &in->ks[k];
                double *ro = rho_out + sp * ntot;
                /* this rank's bands n0 .. n0 + nbl - 1 as whole columns */
                const pw_cplx *cols = st->psi[k * ns + sp];
                int n0 = 0, nbl = nb;
                if (bgp) {
                    pw_bg_bands(bgp, nb, ks->gamma, bg.rank, &n0, &nbl);
                    pw_bg_to_bands(bgp, ks, nb, st->psi[k * ns + sp], bg.buf, bg.buf + 2 * bg.cap);
                    cols = bg.buf;
                }
                const double *o = occ + sp * nkb + (size_t)k * nb + n0;
                /* bands of occupation below 1e-12 of a full band are skipped (their transform
                 * and ekin term): the density dropped is at most 1e-12 focc per band and spin
                 * (sum_k w_k = 1), i.e. |drho|_1 <= 1e-12 ns nb focc, which moves the energy by
                 * at most max|v_eff| |drho|_1 (first order, Hoelder's inequality) */
                const double fcut = 1e-12 * focc;
                if (ks->gamma) { /* real: two bands per transform, psi_n + i psi_n+1 */
                    for (int n = 0; n < nbl; n += 2) {
                        double f = o[n] >= fcut ? w[k] * o[n] : 0.0,
                               f2 = n + 1 < nbl && o[n + 1] >= fcut ? w[k] * o[n + 1] : 0.0;
                        if (f == 0.0 && f2 == 0.0) continue;
                        const pw_cplx *cn = cols + (size_t)n * ks->npw;
                        for (int m = 0; m < (f2 != 0.0 ? 2 : 1); ++m) /* kin(G = 0) = 0 */
                            for (int q = 0; q < ks->npw; ++q)
                                ekin += 2.0 * (m ? f2 : f) * ks->kin[q] *
                                        creal(conj(cn[m * ks->npw + q]) * cn[m * ks->npw + q]);
                        pw_to_real(g, ks, cn, f2 != 0.0 ? cn + ks->npw : NULL);
                        double fv = f / c->vol, f2v = f2 / c->vol; /* no division per point */
                        for (size_t p = 0; p < ntot; ++p)
                            ro[p] +=
                                fv * creal(b[p]) * creal(b[p]) + f2v * cimag(b[p]) * cimag(b[p]);
                    }
                    continue;
                }
                for (int n = 0; n < nbl; ++n) {
                    double f = o[n] >= fcut ? w[k] * o[n] : 0.0;
                    if (f == 0.0) continue;
                    const pw_cplx *cn = cols + (size_t)n * ks->npw;
                    for (int q = 0; q < ks->npw; ++q)
                        ekin += f * ks->kin[q] * creal(conj(cn[q]) * cn[q]);
                    pw_to_real(g, ks, cn, NULL);
                    double fv = f / c->vol; /* no division per point */
                    for (size_t p = 0; p < ntot; ++p)
                        ro[p] += fv * (creal(b[p]) * creal(b[p]) + cimag(b[p]) * cimag(b[p]));
                }
            }
        /* energy of the output density: sum f w <psi|T + V_nl|psi> = eband - int v_eff,in
         * rho_out; E_xc[rho_out] to first order about rho_in, E_xc[rho_in] + int v_xc,in
         * (rho_out - rho_in): the functional is evaluated once per iteration; the error is second
         * order in rho_out - rho_in (docs/theory-pw.md, "Total energy") */
        double e_veff_in = 0.0, e_h = 0.0, e_xc = 0.0, e_loc = 0.0;
        if (dout) { /* rho_out summed onto the slabs, in G space on the planes; the sums there */
            const size_t p0 = (size_t)slab.p0, np = (size_t)slab.np,
                         npl = (size_t)slab.ln1 * g->n[0] * g->n[2];
            for (int sp = 0; sp < ns; ++sp)
                pw_slab_sum_to_recip(&slab, g, rho_out + sp * ntot, rout_g + sp * ostride);
            lap(t_den, tt);
            double sum[6] = {ekin, 0.0, 0.0, 0.0, 0.0, 0.0};
            for (int sp = 0; sp < ns; ++sp)
                for (size_t p = sp * ntot + p0; p < sp * ntot + p0 + np; ++p) {
                    sum[1] += veff[p] * rho_out[p];
                    sum[2] += vxc[p] * (rho_out[p] - rho_in[p]);
                    sum[3] += fabs(rho_out[p] - rho_in[p]);
                }
            if (ns == 2)
                for (size_t q = 0; q < npl; ++q)
                    rtot_g[q] = rout_g[q] + rout_g[ostride + q];
            sum[4] = pw_hartree_planes(c, g, &slab, rtot_g, NULL);
            for (size_t q = 0; q < npl; ++q)
                sum[5] += creal(vloc[din ? q : (size_t)slab.pbox[q]] * conj(rtot_g[q]));
            MPI_Allreduce(MPI_IN_PLACE, sum, 6, MPI_DOUBLE, MPI_SUM, in->comm);
            ekin = sum[0], e_veff_in = sum[1] * c->vol / ntot;
            e_xc = exc_in + sum[2] * c->vol / ntot, drho = sum[3] * c->vol / ntot;
            e_h = sum[4], e_loc = sum[5] * c->vol;
        } else {
            if (size > 1) {
                MPI_Allreduce(MPI_IN_PLACE, rho_out, (int)(ns * ntot), MPI_DOUBLE, MPI_SUM,
                              in->comm);
                MPI_Allreduce(MPI_IN_PLACE, &ekin, 1, MPI_DOUBLE, MPI_SUM, in->comm);
            }
            for (int sp = 0; sp < ns; ++sp)
                to_recip_density(g, rho_out + sp * ntot, rout_g + sp * ntot);
            lap(t_den, tt);
            for (size_t p = 0; p < ns * ntot; ++p)
                e_veff_in += veff[p] * rho_out[p];
            e_veff_in *= c->vol / ntot;
            if (ns == 2)
                for (size_t p = 0; p < ntot; ++p)
                    rtot_g[p] = rout_g[p] + rout_g[ntot + p];
            e_h = pw_hartree(c, g, rtot_g, NULL);
            for (size_t p = 0; p < ns * ntot; ++p)
                e_xc += vxc[p] * (rho_out[p] - rho_in[p]);
            e_xc = exc_in + e_xc * c->vol / ntot;
            for (size_t p = 0; p < ntot; ++p)
                e_loc += creal(vloc[p] * conj(rtot_g[p]));
            e_loc *= c->vol;
            drho = 0.0;
            for (size_t p = 0; p < ns * ntot; ++p)
                drho += fabs(rho_out[p] - rho_in[p]);
            drho *= c->vol / ntot;
        }
        double e_kin_nl = eband - e_veff_in;
        double e = e_kin_nl + e_loc + e_h + e_xc + e_ewald + e_psp_core + ts;
        double de = fabs(e - eprev);
        if (size > 1) {
            /* rank 0's figures decide on every rank: the ranks share their FFTW plans
             * (fftw_share.c), but a rank that had to plan alone (a failed wisdom exchange) may
             * differ in the last bits of de and drho, and all ranks must take the same branches
             * (convergence here, the eigensolver's tolerance and its steps next) */
            double dd[2] = {de, drho};
            MPI_Bcast(dd, 2, MPI_DOUBLE, 0, in->comm);
            de = dd[0], drho = dd[1];
        }
        if (in->verbose && rank == 0)
            fprintf(stderr,
                    "pw scf %3d  E = %.12f  dE = %.3e  |drho| = %.3e  tol = %.1e  M = %.6f"
                    "  wall = %.3f s  cpu = %.3f s\n",
                    it, e, de, drho, tol, mag, MPI_Wtime() - t_wall0,
                    (double)clock() / CLOCKS_PER_SEC - t_cpu0);
        eprev = e;
        res->energy = e, res->e_kin = ekin, res->e_nl = e_kin_nl - ekin, res->e_loc = e_loc,
        res->e_h = e_h, res->e_xc = e_xc, res->e_ewald = e_ewald, res->e_psp_core = e_psp_core,
        res->e_ts = ts, res->e_band = eband, res->magnetization = mag;
        if (it > 1 && de < in->econv && drho < in->qconv * at->n) {
            converged = true;
            break;
        }
        /* one input density on every rank, bitwise: each rank mixes its share of the points
         * (one rank's rho_out(G) each), with the Pulay coefficients of the overlaps summed over
         * the ranks, and the new density is gathered to all. Ranks that each mixed their own
         * copy (each from its own FFTW plan: last-bit differences, which the Pulay step
         * magnifies near convergence) drifted apart (FeH, fixed moment, 2 pools: |rho_in(rank 1)
         * - rho_in(rank 0)| 1e-15 at iteration 2, 1e-4 by iteration 24), each pool solved its
         * spin channel in another potential, and the SCF stalled at |drho| ~ 1e-4
         * (docs/validation.md, "Band groups") */
        pw_mixer_step(&mx, ntot, st->rhog, rout_g, ostride);
    }
    if (in->verbose && size > 1) { /* the ranks' input densities compared bit by bit */
        unsigned long long hsh[2] = {1469598103934665603ULL, 0}; /* FNV-1a over the bytes */
        const unsigned char *bytes = (const unsigned char *)st->rhog;
        for (size_t q = 0; q < ns * ntot * sizeof(pw_cplx); ++q)
            hsh[0] = (hsh[0] ^ bytes[q]) * 1099511628211ULL;
        hsh[1] = ~hsh[0];
        MPI_Allreduce(MPI_IN_PLACE, hsh, 2, MPI_UNSIGNED_LONG_LONG, MPI_MAX, in->comm);
        if (rank == 0)
            fprintf(stderr, "pw input density on the %d ranks: %s\n", size,
                    hsh[0] == ~hsh[1] ? "bitwise the same" : "DIFFERENT");
    }
    if (dout && (in->forces || in->stress)) { /* rho_out on every rank, on the box */
        for (int sp = 0; sp < ns; ++sp) {
            pw_slab_gather(&slab, rho_out + sp * ntot);
            to_recip_density(g, rho_out + sp * ntot, rout_g + sp * ntot);
        }
        if (ns == 2)
            for (size_t p = 0; p < ntot; ++p)
                rtot_g[p] = rout_g[p] + rout_g[ntot + p];
    }
    if (in->verbose) {
        double t[2];
        stamp(t);
        fprintf(stderr,
                "pw time rank %d: scf wall %.3f cpu %.3f s; input density and v_H %.3f / %.3f, "
                "xc %.3f / %.3f, eigensolver %.3f / %.3f, output density %.3f / %.3f s (wall / "
                "cpu); density %s, xc FFTs %s; slabs set up %.3f / %.3f s\n",
                rank, t[0] - t_wall0, t[1] - t_cpu0, t_rin[0], t_rin[1], t_xc[0], t_xc[1], t_dav[0],
                t_dav[1], t_den[0], t_den[1],
                din    ? "on slabs"
                : dout ? "out on slabs"
                       : "whole",
                slab.fft ? "FFTW-MPI" : "whole", t_slab[0], t_slab[1]);
    }
    res->iterations = converged ? it : in->max_iter;
    res->converged = converged;
    memcpy(res->eig, eig, ns * nkb * sizeof(double));
    memcpy(res->occ, occ, ns * nkb * sizeof(double));
    res->drho = drho;
    if (in->forces) {
        double *f = in->forces;
        memset(f, 0, (size_t)at->n * 3 * sizeof(double));
        double *fnl = calloc((size_t)at->n * 3, sizeof(double)),
               *o = malloc((size_t)nb * sizeof(double));
        if (!fnl || !o) {
            free(fnl), free(o);
            s = ATE_ERROR(err, ATE_ERR_MEMORY, "forces: out of memory");
            goto done;
        }
        for (int k = 0; k < nk; ++k) {
            for (int sp = 0; sp < ns; ++sp) {
                if ((k * ns + sp) % npool != pool) continue;
                const pw_cplx *cols = st->psi[k * ns + sp];
                int n0 = 0, nbl = nb;
                if (bgp) { /* this rank's bands as whole columns */
                    pw_bg_bands(bgp, nb, in->ks[k].gamma, bg.rank, &n0, &nbl);
                    pw_bg_to_bands(bgp, &in->ks[k], nb, st->psi[k * ns + sp], bg.buf,
                                   bg.buf + 2 * bg.cap);
                    cols = bg.buf;
                }
                for (int n = 0; n < nbl; ++n)
                    o[n] = w[k] * occ[sp * nkb + (size_t)k * nb + n0 + n];
                if (nl_k != k) s = pw_nl_update(&nl, c, &in->ks[k], at, err), nl_k = k;
                if (s != ATE_OK) break;
                if (nbl > 0) pw_nl_energy(&nl, &in->ks[k], nbl, cols, o, fnl);
            }
        }
        if (s != ATE_OK) {
            free(fnl), free(o);
            goto done;
        }
        if (size > 1) MPI_Allreduce(MPI_IN_PLACE, fnl, at->n * 3, MPI_DOUBLE, MPI_SUM, in->comm);
        pw_ewald(c, at, f, NULL);
        pw_vloc_forces(c, g, at, rtot_g, f);
        for (int q = 0; q < at->n * 3; ++q)
            f[q] += fnl[q];
        free(fnl), free(o);
    }
    if (in->stress) {
        /* dE/deps term by term at the fixed plane-wave set (docs/theory-pw.md, "Stress");
         * band terms of this rank's (k, spin) pairs, summed over the ranks */
        double t[7][9] = {{0}}; /* kinetic, non-local, local, psp core, Hartree, xc, Ewald */
        double *o = malloc((size_t)nb * sizeof(double));
        if (!o) {
            s = ATE_ERROR(err, ATE_ERR_MEMORY, "stress: out of memory");
            goto done;
        }
        for (int k = 0; k < nk && s == ATE_OK; ++k)
            for (int sp = 0; sp < ns && s == ATE_OK; ++sp) {
                if ((k * ns + sp) % npool != pool) continue;
                const pw_kset *ks = &in->ks[k];
                const pw_cplx *cols = st->psi[k * ns + sp];
                int n0 = 0, nbl = nb;
                if (bgp) { /* this rank's bands as whole columns */
                    pw_bg_bands(bgp, nb, ks->gamma, bg.rank, &n0, &nbl);
                    pw_bg_to_bands(bgp, ks, nb, st->psi[k * ns + sp], bg.buf, bg.buf + 2 * bg.cap);
                    cols = bg.buf;
                }
                for (int n = 0; n < nbl; ++n)
                    o[n] = w[k] * occ[sp * nkb + (size_t)k * nb + n0 + n];
                kinetic_stress(ks, nbl, cols, o, t[0]);
                if (nl_k != k) s = pw_nl_update(&nl, c, ks, at, err), nl_k = k;
                if (s == ATE_OK && nbl > 0)
                    s = pw_nl_stress(&nl, c, ks, at, nbl, cols, o, t[1], err);
            }
        free(o);
        if (s != ATE_OK) goto done;
        if (size > 1) MPI_Allreduce(MPI_IN_PLACE, t[0], 18, MPI_DOUBLE, MPI_SUM, in->comm);
        pw_vloc_stress(c, g, at, rtot_g, t[2]);
        for (int d = 0; d < 3; ++d)
            t[3][4 * d] = -e_psp_core;
        pw_hartree_stress(c, g, rtot_g, t[4]);
        pw_xc_stress_slab(in->xc, c, g, rho_out, vxc, (double *)dav, t[5], &slab);
        pw_ewald(c, at, NULL, t[6]);
        /* symmetrised: the antisymmetric part of a strain is a rotation, under which E is
         * invariant (it is zero here up to rounding) */
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) {
                double sum = 0.0;
                for (int term = 0; term < 7; ++term)
                    sum += 0.5 * (t[term][3 * i + j] + t[term][3 * j + i]);
                in->stress[3 * i + j] = sum / c->vol;
            }
        if (in->verbose && rank == 0) {
            const char *names[] = {"kinetic", "nonlocal", "local", "psp_core",
                                   "hartree", "xc",       "ewald"};
            for (int term = 0; term < 7; ++term)
                fprintf(stderr, "pw stress %-8s  %15.8e %15.8e %15.8e %15.8e %15.8e %15.8e\n",
                        names[term], t[term][0] / c->vol, t[term][4] / c->vol, t[term][8] / c->vol,
                        t[term][5] / c->vol, t[term][2] / c->vol, t[term][1] / c->vol);
        }
    }
done:
    if (bgp) {
        pw_bg_free(&bg);
        MPI_Comm_free(&bcomm);
    }
    pw_nl_free(&nl);
    pw_mixer_free(&mx);
    pw_slab_free(&slab);
    if (rtot_g != rout_g) free(rtot_g);
    free(vloc), free(rout_g), free(rho_in), free(rho_out);
    free(veff), free(vxc), free(eig), free(occ), free(w), free(work), free(eigx), free(wocc),
        free(dav);
    return s;
}
