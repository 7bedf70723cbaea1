/**
 * @file pw_mixer.h
 * @brief Density mixing of the plane-wave SCF (mixer.c; docs/theory-pw.md, "SCF").
 */
#ifndef ATESCREEN_PW_MIXER_H
#define ATESCREEN_PW_MIXER_H

#include "pw.h"

enum { PW_NHIST = 8 }; /* Pulay history length */

/* Pulay mixing over the density-sphere components of nb blocks (rho; with spin also m =
 * rho_up - rho_down); the G = 0 component of rho is held at N_el / Omega. The densities are
 * real, rho(-G) = rho(G)^*: the history holds G = 0 and one of each pair +-G, and the Pulay
 * overlaps count the pairs twice (the same overlaps as over the whole sphere). The overlaps
 * <R_i|R_j> are taken in the Hartree metric, sum_G 4 pi / G^2 R_i(G)^* R_j(G) for the charge
 * (the Coulomb energy of the residual: the long-wavelength components that slow the SCF count
 * most) and MAG_METRIC sum_G for the magnetisation. */
typedef struct pw_mixer {
    int len, nblk, count, next; /* len: this rank's sphere points per block */
    pw_cplx *rin[PW_NHIST], *res[PW_NHIST];
    double *pre;     /* [nblk][len] preconditioner */
    double *wt;      /* [nblk][len] metric weight of the Pulay overlaps */
    int *map, *mapm; /* [len] box index of G and of -G */
    int *oidx;       /* [len] index of G in the output density on the planes (or NULL: map) */
    int g0;          /* the local index of G = 0, or -1 (another rank's) */
    /* the Pulay overlaps <R_s|R_t> of history slots s, t (each computed once, when the newer
     * of the two was added) */
    double ov[PW_NHIST][PW_NHIST];
    /* over the ranks of comm (size > 1): this rank holds the points of its planes of axis 1
     * (FFTW-MPI's transposed G space: pw_slab), the new density of all points is gathered */
    MPI_Comm comm;
    int size, rank, len_all;
    int *cnt, *displ;        /* [size] doubles of every rank's share of vbuf */
    int *map_all, *mapm_all; /* [len_all] every rank's points, rank by rank (size 1: map) */
    pw_cplx *vbuf;           /* [len_all][nblk] the new density of every point */
} pw_mixer;

/** The history for nblk blocks (rho; with spin also m) of g's density sphere; the Pulay step is
 *  min(1, 1.75 mixing); kerker: Kerker's preconditioner on the charge. sl (NULL or one rank:
 *  every point here): this rank keeps its planes [sl->l1, sl->l1 + sl->ln1) of axis 1;
 *  out_local: pw_mixer_step's output density is given in sl's transposed G layout ([ln1][n0][n2])
 *  instead of on the box. Collective over sl->comm. */
ate_status pw_mixer_init(pw_mixer *m, const pw_grid *g, int nblk, double mixing, bool kerker,
                         const pw_slab *sl, bool out_local, ate_error *err);
void pw_mixer_free(pw_mixer *m);
/** New input spin densities in (box arrays [nspin][ntot], zero outside the sphere, the same on
 *  every rank) from in and the output densities out ([nspin][ostride], box or transposed planes
 *  as given to pw_mixer_init). The overlaps are summed over the ranks (MPI_Allreduce), each rank
 *  mixes its points and the new density is gathered (MPI_Allgatherv): every rank gets bitwise
 *  the same in. Collective. */
void pw_mixer_step(pw_mixer *m, size_t ntot, pw_cplx *in, const pw_cplx *out, size_t ostride);
/** Lattice directions along which the atoms leave a vacuum gap of at least 4.5 Å (0 bulk, 1 slab,
 *  2 wire, 3 molecule in a box): Kerker is for fewer than two. */
int pw_vacuum_directions(const pw_cell *c, const pw_atoms *at);

#endif /* ATESCREEN_PW_MIXER_H */
