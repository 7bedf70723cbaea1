/**
 * @file pw.h
 * @brief Internal interfaces of the plane-wave DFT kernel (docs/theory-pw.md). Atomic units;
 *        wavefunctions psi_nk(r) = Omega^{-1/2} sum_G c_nk(G) e^{i(k+G).r} with sum |c|^2 = 1;
 *        periodic functions f(r) = sum_G f(G) e^{iG.r} on the FFT box, f(G) = FFT[f](G) / N.
 */
#ifndef ATESCREEN_PW_H
#define ATESCREEN_PW_H

#include <complex.h>
#include <stdbool.h>

#include <fftw3-mpi.h>
#include <fftw3.h>
#include <mpi.h>

#include "atescreen/status.h"
#include "atescreen/units.h"

typedef double _Complex pw_cplx;

/* ---- GTH pseudopotentials (gth.c): S. Goedecker, M. Teter, J. Hutter, PRB 54, 1703 (1996);
 *      C. Hartwigsen, S. Goedecker, J. Hutter, PRB 58, 3641 (1998) ---- */
enum { PW_LMAX = 3, PW_NPRJ = 3 };
typedef struct pw_gth {
    int z;
    char name[64]; /* the CP2K name it was read under, e.g. "GTH-PBE-q6" */
    double zion;
    double rloc;
    int nloc;
    double c[4];
    int nl; /* channels l = 0 .. nl - 1 */
    double rl[PW_LMAX + 1];
    int nprj[PW_LMAX + 1];
    double h[PW_LMAX + 1][PW_NPRJ][PW_NPRJ];
} pw_gth;

/** Read the entry of element z named `name` (any name of the entry's header line; NULL: the first
 *  entry of z whose name starts with "GTH-<XC>-") from a CP2K GTH_POTENTIALS file. */
ate_status pw_gth_read(const char *path, int z, const char *name, const char *xc_tag, pw_gth *out,
                       ate_error *err);
/** Fourier transform of the local part without its Coulomb tail's divergence:
 *  v(q) = int V_loc(r) e^{-iq.r} d^3r for q > 0 (GTH 1996 eq. 5); *dv: dv/dq (may be NULL). */
double pw_gth_vloc_q(const pw_gth *p, double q, double *dv);
/** alpha = lim_{q->0} [v(q) + 4 pi Z_ion / q^2]: the G = 0 energy per electron per volume. */
double pw_gth_alpha(const pw_gth *p);
/** Radial projector transform P_i^l(q) = int_0^inf r^2 j_l(qr) p_i^l(r) dr (i = 0..2). */
double pw_gth_proj_q(const pw_gth *p, int l, int i, double q);
/** pw_gth_proj_q at the n moduli q, into out. */
void pw_gth_proj_q_n(const pw_gth *p, int l, int i, size_t n, const double *q, double *out);
/** P_i^l(q) and q dP_i^l/dq in *qdp (the strain derivative of the projectors). */
double pw_gth_proj_qdq(const pw_gth *p, int l, int i, double q, double *qdp);

/* ---- cell, grids and plane-wave sets (basis.c) ---- */
typedef struct pw_cell {
    double a[3][3]; /* rows: lattice vectors, bohr */
    double b[3][3]; /* rows: reciprocal vectors, b_i . a_j = 2 pi delta_ij */
    double vol;
} pw_cell;

typedef struct pw_grid {
    int n[3];
    int ntot;
    double *g2;     /* [ntot] |G|^2 of the box points (folded to (-n/2, n/2]) */
    double b[3][3]; /* reciprocal vectors (rows): G = sum_d m_d b_d, see pw_grid_gvec */
    bool *sphere;   /* [ntot] |G| <= 2 Gmax: the density sphere */
    fftw_complex *buf, *tmp;
    fftw_plan fwd, bwd;  /* buf -> tmp; use pw_fft (result back in buf); fwd = e^{-iGr} */
    fftw_plan bwd_wf;    /* tmp -> buf (input destroyed): pw_to_real on unpruned boxes */
    unsigned plan_flags; /* FFTW planner flags of the grid's plans */
    /* wavefunction transforms pruned to the sphere (pw_to_real / pw_to_sphere; basis.c), f =
     * faxis (0 or 2), s = 2 - f: 1D transforms along axis s on the lines of the blocks
     * |m_1| <= M[0], |m_f| <= M[1] only (with zl: on the lines that hold points of the k-point's
     * sphere only, pw_kset.seg), along axis 1 on the lines |m_f| <= M[1] only (with zl: on the
     * k-point's planes of axis f only, pw_kset.frow), along axis f everywhere */
    bool pruned;
    int M[2], faxis;
    fftw_plan p2[2][4]; /* [dir][2 a + b]: axis s on the lines of block a of axis 1, block b of
                           axis f (blocks: 0..M and n-M..n-1); not made (NULL) with zl */
    fftw_plan p1[2][2]; /* [dir][b]: axis 1 on the lines of block b of axis f; NULL with zl */
    fftw_plan p0[2];    /* [dir]: axis f of the box */
    /* f = 0 (boxes up to 32^3): the backward (G -> r) stages before the last out of place, so
     * that the box needs no clearing but for the planes outside the block of axis f: axis s from
     * zl (the lines of the blocks, compact: [c_f][c_1][i_s], c = m or 2M + 1 + m; zero but for
     * the sphere's points during pw_to_real, pw_kset.zidx) to yl ([c_f][i_1][i_s]; zero but on
     * the lines axis s wrote, cleared again after use), lrow from yl into buf. NULL for f = 2,
     * where the transforms stay in place on the cleared box, on the blocks' lines (runs and out
     * of place were 1-5 % slower on Si8 and H2O) */
    fftw_complex *zl, *yl;
    /* with zl: axis s on L = 1..M[0] + 1 lines next to each other along axis 1 (a run of
     * pw_kset.seg): lseg[dir (M[0] + 1) + L - 1], forward in place on buf, backward zl -> yl;
     * executed on each run through fftw_execute_dft (FFTW_ESTIMATE: the same plans on every rank
     * without measuring; as fast as FFTW_MEASURE's at 25^3) */
    fftw_plan *lseg;
    /* with zl: axis 1 on L = 1..M[1] + 1 planes of axis f next to each other (pw_kset.frow):
     * lrow[dir (M[1] + 1) + L - 1], forward in place on buf, backward yl -> buf (FFTW_ESTIMATE;
     * the same plan as FFTW_MEASURE's at 25^3) */
    fftw_plan *lrow;
} pw_grid;

typedef struct pw_kset {
    /* gamma: real wavefunctions at k = 0 (docs/theory-pw.md, "Real wavefunctions at Gamma"):
     * only half of the sphere is stored, G = 0 first, c(-G) = conj(c(G)); <a|b> = 2 Re
     * sum_half a^* b - a(0) b(0); idxm[p] is the box index of -G */
    bool gamma;
    int *idxm;
    double kf[3]; /* fractional */
    double k[3];  /* Cartesian, 1/bohr */
    double w;     /* weight, sum over the set = 1 */
    int npw;
    int *idx;          /* [npw] linear FFT-box index of G */
    int *zidx, *zidxm; /* [npw] the index of G (and at gamma -G) in the grid's zl (pruned grids) */
    /* grids with zl: the lines of axis s that hold points of the set, as nseg runs along axis 1
     * (each row of axis f: up to two, m_1 >= 0 and m_1 < 0); seg[4 q ..]: offsets of the run's
     * first line in zl, yl and the box, and its length */
    int nseg;
    int *seg;
    int frow[2]; /* grids with zl: the range of m_f of the lines, [frow[0], frow[1]] */
    double *kpg; /* [npw][3] k + G */
    double *kin; /* [npw] |k+G|^2 / 2 */
} pw_kset;

void pw_cell_init(pw_cell *c, const double a[9]);
/** Smallest 2,3,5-smooth n_i >= 2 ceil(2 Gmax |a_i| / 2pi) + 1 for Gmax = sqrt(2 ecut) (the box
 *  holds the density sphere). */
void pw_fft_default(const pw_cell *c, double ecut, int n[3]);
ate_status pw_grid_init(pw_grid *g, const pw_cell *c, const int n[3], double ecut, ate_error *err);
/** pw_grid_init with the FFTW plans made once for the ranks of comm (fftw_share.c; MPI_COMM_NULL:
 *  alone, as pw_grid_init). Collective over comm. */
ate_status pw_grid_init_comm(pw_grid *g, const pw_cell *c, const int n[3], double ecut,
                             MPI_Comm comm, ate_error *err);
enum { PW_GRID_NPLANS = 17 }; /* fwd, bwd, bwd_wf, then p2, p1, p0 for each direction */
/** The slot of plan j of g, and plan j made with ATE_PW_FFTW_FLAGS | extra (basis.c). */
fftw_plan *pw_grid_plan_slot(pw_grid *g, int j);
fftw_plan pw_grid_make_plan(pw_grid *g, int j, unsigned extra);
/** Every plan of g (the pruned ones when g->pruned), divided over the ranks of comm and shared
 *  through FFTW's wisdom (fftw_share.c); 0, or -1 when a 3D plan failed. */
int pw_grid_plan_shared(pw_grid *g, MPI_Comm comm);
void pw_grid_free(pw_grid *g);
/** Cartesian G of box point p (indices folded to (-n/2, n/2]). */
static inline void pw_grid_gvec(const pw_grid *g, int p, double G[3])
{
    int n1 = g->n[1], n2 = g->n[2], i = p / (n1 * n2), j = p / n2 % n1, k = p % n2;
    int m0 = i > g->n[0] / 2 ? i - g->n[0] : i, m1 = j > n1 / 2 ? j - n1 : j,
        m2 = k > n2 / 2 ? k - n2 : k;
    for (int d = 0; d < 3; ++d)
        G[d] = m0 * g->b[0][d] + m1 * g->b[1][d] + m2 * g->b[2][d];
}
/** The plane waves |k+G|^2/2 <= ecut of k-point kf; an error if the box cannot hold them. */
ate_status pw_kset_init(pw_kset *ks, const pw_cell *c, const pw_grid *g, const double kf[3],
                        double w, double ecut, ate_error *err);
void pw_kset_free(pw_kset *ks);
/** The dimension of the wavefunction space: npw, or 2 npw - 1 real numbers at gamma. */
static inline int pw_kset_dim(const pw_kset *ks) { return ks->gamma ? 2 * ks->npw - 1 : ks->npw; }
/** A k = 0 set made real (gamma): keeps G = 0 and one of each pair +-G (no-op otherwise). */
ate_status pw_kset_make_gamma(pw_kset *ks, const pw_grid *g, ate_error *err);
/** Execute plan (g->fwd or g->bwd) on g->buf; the result is in g->tmp (returned). */
pw_cplx *pw_fft(const pw_grid *g, fftw_plan plan);
/** A density on the box in G space (rho(G) on every box point) -> rho(r) = Re sum_G rho(G) e^{iG.r}
 *  (uses g->buf and g->tmp). */
void pw_density_to_real(const pw_grid *g, const pw_cplx *rhog, double *rho);
/** Sphere coefficients -> real space on g->buf (unnormalised: sum_G c(G) e^{iG.r}). Gamma sets:
 *  c2 (may be NULL) is a second band, the box then holds psi_c(r) + i psi_c2(r). */
void pw_to_real(const pw_grid *g, const pw_kset *ks, const pw_cplx *c, const pw_cplx *c2);
/** g->buf (real space) -> sphere coefficients: out(G) += scale * FFT(buf)(G). Gamma sets: the
 *  box holds f(r) + i f2(r) with f, f2 real, out gets f's and out2 (may be NULL) f2's. */
void pw_to_sphere(const pw_grid *g, const pw_kset *ks, double scale, pw_cplx *out, pw_cplx *out2);

/* ---- classical and density terms ---- */
typedef struct pw_atoms {
    int n;
    const int *species; /* [n] index into the pseudopotential table */
    const pw_gth *psp;  /* [nspecies] */
    int nspecies;
    const double *x; /* [n][3] Cartesian, bohr */
} pw_atoms;

/* Stress (docs/theory-pw.md, "Stress"): the *_stress functions add dE/deps_ab (row-major [3][3],
 * hartree; the kernel's stress is that over Omega) of their term at a fixed set of plane waves
 * and grid points (the positions scale with the cell) to dde. */

/** Ewald energy of the ions Z_ion with a neutralising background (ewald.c); forces added to f
 *  (may be NULL), dE/deps to dde (may be NULL). */
double pw_ewald(const pw_cell *c, const pw_atoms *at, double *f, double *dde);
/** Local pseudopotential V_loc(G) (G != 0) on the box (local.c). */
void pw_vloc(const pw_cell *c, const pw_grid *g, const pw_atoms *at, pw_cplx *vg);
/** Forces of the local pseudopotential for density rho(G): F_I = -dE_loc/dx_I (added). */
void pw_vloc_forces(const pw_cell *c, const pw_grid *g, const pw_atoms *at, const pw_cplx *rhog,
                    double *f);
/** Hartree potential v_H(G) = 4 pi rho(G)/G^2 (vhg may be NULL) and energy (Omega/2) sum v_H rho*
 *  (hartree.c). */
double pw_hartree(const pw_cell *c, const pw_grid *g, const pw_cplx *rhog, pw_cplx *vhg);
void pw_hartree_stress(const pw_cell *c, const pw_grid *g, const pw_cplx *rhog, double *dde);
/** dE_loc/deps for density rho(G) (without the G = 0 psp-core term). */
void pw_vloc_stress(const pw_cell *c, const pw_grid *g, const pw_atoms *at, const pw_cplx *rhog,
                    double *dde);

/* ---- the density side divided over the ranks (density_dist.c; docs/theory-pw.md, "Band
 *      groups"): each rank of the kernel's communicator takes a slab of whole planes of axis 0
 *      of the real-space box (the layout of FFTW-MPI's slab decomposition) for the point-wise
 *      work (libxc); what needs the whole box is gathered. ---- */
typedef struct pw_slab {
    MPI_Comm comm;
    int size, rank;
    int p0, np;       /* this rank's points [p0, p0 + np) */
    int *cnt, *displ; /* [size] every rank's */
    /* distributed 3D transforms of the box (FFTW-MPI, size > 1):
     * forward r -> G with the output transposed (this rank: planes [l1, l1 + ln1) of axis 1, as
     * [ln1][n0][n2]), backward from that layout; three work arrays of alloc complex numbers */
    bool fft;
    /* dens: the plans exist (size > 1, every rank allocated and planned): the SCF's density
     * transforms (rho_in with v_H + v_loc, rho_out to G space) and Hartree run on the slabs
     * and planes (pw_slab_to_real, pw_slab_to_recip, pw_hartree_planes); fft: xc's GGA
     * transforms too (a GGA, unless ATE_PW_XC_FFT=replicated) */
    bool dens;
    ptrdiff_t alloc, l1, ln1;
    int *pbox; /* [ln1 n0 n2] (dens) the box index of each point of this rank's planes */
    fftw_complex *w[3];
    fftw_plan fwd, bwd;
} pw_slab;
/** The slabs of g's box over the ranks of comm (MPI_COMM_NULL: one slab, the box): FFTW-MPI's
 *  slab decomposition along axis 0, and (several ranks) its plans and work arrays: the SCF's
 *  density transforms (dens), xc's GGA transforms (fft: a GGA, unless ATE_PW_XC_FFT=replicated).
 *  Collective over comm. */
ate_status pw_slab_init(pw_slab *sl, const pw_grid *g, MPI_Comm comm, bool fft, ate_error *err);
void pw_slab_free(pw_slab *sl);
/** f[ntot]: every rank's slab of f to every rank (MPI_Allgatherv in place; nothing alone). */
void pw_slab_gather(const pw_slab *sl, double *f);
/** grad f on this rank's slab (out[3][ntot], box layout, written on the slab) from f on the slab
 *  (box layout) by the distributed transforms (sl->fft). Collective. */
void pw_slab_gradient(const pw_slab *sl, const pw_grid *g, const double *f, double *out);
/** out -= div(h) on this rank's slab from h[3][ntot] on the slab (box layout). Collective. */
void pw_slab_subtract_divergence(const pw_slab *sl, const pw_grid *g, const double *h, double *out);
/** The box points of this rank's planes of axis 1 (sl->dens): planes[q] = box[p] for the
 *  transposed G layout [ln1][n0][n2] (q) of box point p. */
void pw_slab_planes_from_box(const pw_slab *sl, const pw_grid *g, const pw_cplx *box,
                             pw_cplx *planes);
/** Backward distributed transform of f(G) on this rank's planes (transposed layout; may be
 *  sl->w[2]): Re and Im of sum_G f(G) e^{iG.r} on this rank's slab into re and im (box layout,
 *  written on the slab; either may be NULL). Collective. */
void pw_slab_to_real(const pw_slab *sl, const pw_grid *g, const pw_cplx *f, double *re, double *im);
/** Forward distributed transform of the real f on this rank's slab (box layout): f(G) =
 *  FFT[f](G) / N on the density sphere, 0 outside, on this rank's planes (transposed layout,
 *  out[alloc]). Collective. */
void pw_slab_to_recip(const pw_slab *sl, const pw_grid *g, const double *f, pw_cplx *out);
/** The box array f summed over the ranks onto each rank's slab (MPI_Reduce_scatter; f's slab
 *  overwritten with the sum, the rest left as it was), then pw_slab_to_recip into out. Uses
 *  sl->w[2]. Collective. */
void pw_slab_sum_to_recip(pw_slab *sl, const pw_grid *g, double *f, pw_cplx *out);
/** The SCF's input side on the slabs (ATE_PW_DENS_FFT=slabs; scf.c): from the spin densities
 *  rhog ([ns][ntot], box) and v_loc on this rank's planes, v_H + v_loc into veff and rho_in's
 *  slab on every rank (Hartree on the planes, one complex transform for rho + i v when pair:
 *  ns == 1 or the first spin), veff gathered to the whole box, rho_in too when gather_rho.
 *  Uses sl->w. Collective. */
void pw_slab_input_potential(pw_slab *sl, const pw_cell *c, const pw_grid *g, int ns, bool pair,
                             const pw_cplx *rhog, const pw_cplx *vloc, bool gather_rho,
                             double *rho_in, double *veff);
/** pw_hartree on this rank's planes of sl (rhog, vhg (may be NULL, or rhog itself) in the
 *  transposed G layout): this rank's share of E_H. */
double pw_hartree_planes(const pw_cell *c, const pw_grid *g, const pw_slab *sl, const pw_cplx *rhog,
                         pw_cplx *vhg);

/** Exchange-correlation through libxc (xc.c), nspin = 1 or 2. rho: [nspin][ntot] real space
 *  (spin densities when nspin = 2); vxc: [nspin][ntot] potentials out; work: pw_xc_work(ntot)
 *  doubles. Returns E_xc. */
typedef struct pw_xc pw_xc;
ate_status pw_xc_create(int xc, int nspin, pw_xc **out, ate_error *err);
void pw_xc_destroy(pw_xc **x);
double pw_xc_eval(pw_xc *x, const pw_cell *c, pw_grid *g, const double *rho, double *vxc,
                  double *work);
/** pw_xc_eval with libxc and the point-wise work on this rank's slab of sl (NULL: the box), the
 *  gradient transforms on the whole box; E_xc and v_xc on every rank. Collective over sl. */
double pw_xc_eval_slab(pw_xc *x, const pw_cell *c, pw_grid *g, const double *rho, double *vxc,
                       double *work, const pw_slab *sl);
/** pw_xc_stress so divided (vxc then holds this rank's slab only). */
double pw_xc_stress_slab(pw_xc *x, const pw_cell *c, pw_grid *g, const double *rho, double *vxc,
                         double *work, double *dde, const pw_slab *sl);
/** E_xc of rho and dE_xc/deps added to dde; vxc: [nspin][ntot] scratch (left without the GGA
 *  divergence term), work as pw_xc_eval's. */
double pw_xc_stress(pw_xc *x, const pw_cell *c, pw_grid *g, const double *rho, double *vxc,
                    double *work, double *dde);
/** Whether the functional needs the density gradient (GGA). */
bool pw_xc_gga(const pw_xc *x);
/** The work pw_xc_eval needs (doubles) on a grid of n points. */
size_t pw_xc_work(const pw_xc *x, size_t n);

/* ---- non-local pseudopotential (nonlocal.c) ---- */
typedef struct pw_nl {
    int nproj;      /* projectors of all atoms */
    int *atom;      /* [nproj] */
    int *l, *m, *i; /* [nproj] */
    pw_cplx *p;     /* [nproj][npw] <k+G|p> * sqrt(Omega)... (see nonlocal.c) */
    double *h;      /* [nproj][nproj] coupling (block diagonal per atom and l, m) */
    int npw;
    bool gamma;      /* real wavefunctions (pw_kset.gamma): the projections are real */
    size_t cap;      /* plane waves the storage holds */
    double *scratch; /* for pw_nl_update */
} pw_nl;
ate_status pw_nl_init(pw_nl *nl, const pw_cell *c, const pw_kset *ks, const pw_atoms *at,
                      ate_error *err);
/** The projectors of another k-point (or the same one again) in an initialised set, reusing its
 *  storage when it is large enough. */
ate_status pw_nl_update(pw_nl *nl, const pw_cell *c, const pw_kset *ks, const pw_atoms *at,
                        ate_error *err);
void pw_nl_free(pw_nl *nl);
/** hc += V_nl c for nb vectors (columns of length npw); work: 2 nproj nb. */
void pw_nl_apply(const pw_nl *nl, int nb, const pw_cplx *c, pw_cplx *hc, pw_cplx *work);
/** sum_n occ_n <c_n|V_nl|c_n> and, when f is given, F_I += -d/dx_I of it (occ includes w_k). */
double pw_nl_energy(const pw_nl *nl, const pw_kset *ks, int nb, const pw_cplx *c, const double *occ,
                    double *f);

/** d/deps of sum_n occ_n <c_n|V_nl|c_n> added to dde (occ includes w_k). */
ate_status pw_nl_stress(const pw_nl *nl, const pw_cell *c, const pw_kset *ks, const pw_atoms *at,
                        int nb, const pw_cplx *cf, const double *occ, double *dde, ate_error *err);

/* ---- band groups (bandgroup.c; docs/theory-pw.md, "Band groups"): B ranks share one (k-point,
 *      spin) pair. Coefficient blocks are stored G-distributed (each rank: a contiguous slice of
 *      the plane-wave rows of every column, G = 0 on rank 0) for the dense linear algebra, and
 *      transposed to band-distributed full columns for H applied (one FFT per band on its rank),
 *      the density, forces and stress. NULL (or B = 1): the serial code. ---- */
typedef struct pw_bgroup {
    MPI_Comm comm; /* the band group */
    int size, rank;
    int ctxt, nprow, npcol, myrow, mycol; /* BLACS grid of the group (subspace problems) */
    int handle;                           /* BLACS system handle of comm */
    bool lapack;  /* ATE_PW_SUBSPACE=lapack: subspace problems by LAPACK on rank 0, broadcast */
    bool zlapack; /* the same for complex ones (also with an OpenBLAS older than 0.3.24) */
    pw_cplx *buf; /* transposes: 3 blocks of cap (this rank's bands at most x the largest npw) */
    size_t cap;
    int *cnt; /* [4][size] Alltoallv counts and displacements */
} pw_bgroup;
/** Environment variable name as rank 0 of comm (MPI_COMM_NULL: this process) sees it, the same
 *  on every rank (env.c): the value in buf (size bytes, cut to size - 1 characters), or NULL
 *  when unset. Collective over comm. */
const char *pw_env(MPI_Comm comm, const char *name, char *buf, size_t size);
/** Ranks per band group for the ranks of comm and npairs (k-point, spin) pairs
 *  (ATE_PW_BAND_GROUP as rank 0 sees it, or as many pools as the pairs allow dividing the ranks);
 *  0 for a bad ATE_PW_BAND_GROUP. Pool rank / B takes the pairs with (k nspin + sp) % (size / B)
 *  == pool. Collective over comm. */
int pw_band_group_size(MPI_Comm comm, int npairs);
/** The rows [*off, *off + *cnt) of a set of npw plane waves on rank q of the group. */
void pw_bg_rows(const pw_bgroup *bg, int npw, int q, int *off, int *cnt);
/** The bands [*first, *first + *cnt) of nb on rank q (gamma: in pairs, one FFT per pair). */
void pw_bg_bands(const pw_bgroup *bg, int nb, bool gamma, int q, int *first, int *cnt);
/** Set up the group on comm (a BLACS grid as square as B allows) and the transpose buffers for
 *  nb bands of at most npw_max plane waves. */
ate_status pw_bg_init(pw_bgroup *bg, MPI_Comm comm, int nb, int npw_max, ate_error *err);
void pw_bg_free(pw_bgroup *bg);
/** G-distributed nb columns (local rows, leading dimension the local row count) -> this rank's
 *  bands as full columns [cnt][npw] (pw_bg_bands). scratch: cnt * npw. */
void pw_bg_to_bands(const pw_bgroup *bg, const pw_kset *ks, int nb, const pw_cplx *rows,
                    pw_cplx *cols, pw_cplx *scratch);
/** The reverse of pw_bg_to_bands. */
void pw_bg_to_rows(const pw_bgroup *bg, const pw_kset *ks, int nb, const pw_cplx *cols,
                   pw_cplx *rows, pw_cplx *scratch);
/** Eigenvalues (w, ascending) and the first nvec eigenvectors (z, m x nvec, leading dimension m,
 *  on every rank of the group; z may be a) of the Hermitian (real symmetric: re) m x m matrix a
 *  (leading dimension m, the same on every rank; upper triangle used) by ScaLAPACK pzheevd /
 *  pdsyevd on the group's BLACS grid (bg->lapack, and bg->zlapack for a complex a: LAPACK on
 *  rank 0). Returns 0 on success on every rank, non-zero (the same on every rank) otherwise. */
int pw_bg_eigh(const pw_bgroup *bg, bool re, int m, const pw_cplx *a, double *w, int nvec,
               pw_cplx *z);

/* ---- eigensolver (eigensolver.c) ---- */
typedef struct pw_ham {
    const pw_grid *g;
    const pw_kset *ks;
    const pw_nl *nl;
    const double *veff; /* [ntot] local effective potential, real space */
    pw_cplx *work;      /* scratch */
    const double *occ;  /* [nneed] relative occupations f/f_max of the bands (pw_davidson: band n
                         * converged at tol / occ[n], up to 1e-4), or NULL (tol for all) */
} pw_ham;
void pw_ham_apply(const pw_ham *h, int nb, const pw_cplx *c, pw_cplx *hc);
/** Block Davidson for the nb lowest eigenpairs: c [nb][npw] in/out (orthonormal on exit), eig
 *  out. Stops when the residual norms of the first nneed bands are < tol (band n: < tol /
 *  h->occ[n], at most 1e-4, when h->occ is given; the others are a buffer that speeds up
 *  convergence near degeneracies) or after maxit iterations (a band is locked, no longer
 *  checked or corrected, once it meets its tolerance); the largest of those residuals, each at
 *  its last check, in *resid. work: pw_davidson_work(nb, npw) complex numbers. */
ate_status pw_davidson(const pw_ham *h, int nb, int nneed, pw_cplx *c, double *eig, double tol,
                       int maxit, double *resid, pw_cplx *work, ate_error *err);
/** pw_davidson in a band group bg (B > 1): c holds this rank's rows (pw_bg_rows) of the nb
 *  columns; H is applied to band-distributed full columns (pw_bg_to_bands), the projected
 *  eigenproblem goes to ScaLAPACK (pw_bg_eigh), overlaps and norms are summed over the group. */
ate_status pw_davidson_bg(const pw_ham *h, const pw_bgroup *bg, int nb, int nneed, pw_cplx *c,
                          double *eig, double tol, int maxit, double *resid, pw_cplx *work,
                          ate_error *err);
/** The workspace pw_davidson needs (complex numbers) for nb bands of the set ks; with a band
 *  group bg (may be NULL) for this rank's rows. */
size_t pw_davidson_work(int nb, const pw_kset *ks, const pw_bgroup *bg);

/* ---- occupations (occupations.c) ---- */
/** Occupations f_nk in [0, fmax] (fmax = 2 spin-unpolarised, 1 per spin channel) of nel
 *  electrons in the bands eig[nk][nb] with weights w[nk], smearing width sigma (hartree);
 *  returns the Fermi level, *ts = -T S (the entropy term added to E). */
double pw_occupations(int smearing, double sigma, int nk, int nb, const double *w,
                      const double *eig, double nel, double fmax, double *occ, double *ts);

#endif /* ATESCREEN_PW_H */
