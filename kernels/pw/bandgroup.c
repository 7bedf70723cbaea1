/**
 * @file bandgroup.c
 * @brief Band groups: B ranks working on one (k-point, spin) pair (docs/theory-pw.md, "Band
 *        groups"). The coefficients live G-distributed (each rank a contiguous slice of the
 *        plane-wave rows of every band); H, the density, forces and stress need whole bands, so a
 *        block is transposed (MPI_Alltoallv) to band-distributed full columns and back, one FFT
 *        per band (per pair of bands at Gamma) on its rank: the band-FFT scheme of F. Bottin,
 *        S. Leroux, A. Knyazev, G. Zerah, Comput. Mater. Sci. 42, 329 (2008), sec. 3, with one
 *        FFT processor per band. The projected eigenproblem is solved by ScaLAPACK (pdsyevd /
 *        pzheevd; L. S. Blackford et al., ScaLAPACK Users' Guide, SIAM 1997) on a BLACS grid of
 *        the group.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <lapacke.h>
#include <mpi.h>

#include "pw.h"

/* BLACS and ScaLAPACK (Debian's libscalapack-openmpi ships no C header); Fortran character
 * arguments carry their hidden lengths at the end */
int Csys2blacs_handle(MPI_Comm comm);
void Cfree_blacs_system_handle(int handle);
void Cblacs_gridinit(int *ctxt, const char *order, int nprow, int npcol);
void Cblacs_gridinfo(int ctxt, int *nprow, int *npcol, int *myrow, int *mycol);
void Cblacs_gridexit(int ctxt);
int numroc_(const int *n, const int *nb, const int *iproc, const int *isrc, const int *nprocs);
void descinit_(int *desc, const int *m, const int *n, const int *mb, const int *nb,
               const int *irsrc, const int *icsrc, const int *ctxt, const int *lld, int *info);
void pdsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *ia,
              const int *ja, const int *desca, double *w, double *z, const int *iz, const int *jz,
              const int *descz, double *work, const int *lwork, int *iwork, const int *liwork,
              int *info, size_t ljobz, size_t luplo);
void pzheevd_(const char *jobz, const char *uplo, const int *n, pw_cplx *a, const int *ia,
              const int *ja, const int *desca, double *w, pw_cplx *z, const int *iz, const int *jz,
              const int *descz, pw_cplx *work, const int *lwork, double *rwork, const int *lrwork,
              int *iwork, const int *liwork, int *info, size_t ljobz, size_t luplo);

/* Ranks per band group for size ranks and npairs (k-point, spin) pairs: ATE_PW_BAND_GROUP from
 * the environment when set (it must divide size), else as many pools as the pairs allow
 * dividing the ranks (the largest divisor of size <= npairs), the rest of the ranks in bands.
 * 0: a bad ATE_PW_BAND_GROUP. */
int pw_band_group_size(MPI_Comm comm, int npairs)
{
    int size = 1;
    if (comm != MPI_COMM_NULL) MPI_Comm_size(comm, &size);
    char buf[32];
    const char *env = pw_env(comm, "ATE_PW_BAND_GROUP", buf, sizeof buf);
    if (env && *env) {
        char *end;
        long b = strtol(env, &end, 10);
        return *end == '\0' && b >= 1 && b <= size && size % b == 0 ? (int)b : 0;
    }
    int npool = 1;
    for (int d = 1; d <= size && d <= npairs; ++d)
        if (size % d == 0) npool = d;
    return size / npool;
}

void pw_bg_rows(const pw_bgroup *bg, int npw, int q, int *off, int *cnt)
{
    int base = npw / bg->size, rem = npw % bg->size;
    *cnt = base + (q < rem);
    *off = q * base + (q < rem ? q : rem);
}

void pw_bg_bands(const pw_bgroup *bg, int nb, bool gamma, int q, int *first, int *cnt)
{
    int u = gamma ? 2 : 1, units = (nb + u - 1) / u;
    int base = units / bg->size, rem = units % bg->size;
    int f = u * (q * base + (q < rem ? q : rem)), c = u * (base + (q < rem));
    if (f > nb) f = nb;
    if (f + c > nb) c = nb - f;
    *first = f, *cnt = c;
}

/* whether the OpenBLAS in use reads out of bounds in zgemv_n, which ScaLAPACK's pzheevd calls
 * (through pzhemv): 0.3.21, Debian 12's, and the releases before 0.3.24 (OpenMathLib/OpenBLAS
 * issue 4013, fixed by pull request 4014; here an AddressSanitizer run of pzheevd on a 1 x 3 grid
 * stopped on such a read) */
static bool zgemv_unsafe(void)
{
    int a = 0, b = 0, c = 0;
    const char *cfg = openblas_get_config();
    if (!cfg || sscanf(cfg, "OpenBLAS %d.%d.%d", &a, &b, &c) != 3) return false;
    return a == 0 && (b < 3 || (b == 3 && c < 24));
}

ate_status pw_bg_init(pw_bgroup *bg, MPI_Comm comm, int nb, int npw_max, ate_error *err)
{
    memset(bg, 0, sizeof(*bg));
    bg->comm = comm;
    MPI_Comm_size(comm, &bg->size);
    MPI_Comm_rank(comm, &bg->rank);
    int first, c0, c1;
    pw_bg_bands(bg, nb, false, 0, &first, &c0);
    pw_bg_bands(bg, nb, true, 0, &first, &c1);
    bg->cap = (size_t)(c0 > c1 ? c0 : c1) * (size_t)npw_max;
    bg->buf = malloc((3 * bg->cap + 1) * sizeof(pw_cplx));
    bg->cnt = malloc(4 * (size_t)bg->size * sizeof(int));
    if (!bg->buf || !bg->cnt) {
        free(bg->buf), free(bg->cnt);
        bg->buf = NULL, bg->cnt = NULL;
        return ATE_ERROR(err, ATE_ERR_MEMORY, "band group: out of memory");
    }
    /* one row of B processes: on a 2 x 2 grid the real subspace problem came out wrong (FeH,
     * spin, 36 x 36: the SCF energy 20 Ha off, no convergence; cause not found, our block
     * mapping or pdsyevd), while 1 x 2, 1 x 3, 1 x 4 and LAPACK agree to 1e-12 Ha
     * (pw_band_groups); the subspace (at most 3 x the bands) is small enough for one row */
    int pr = 1;
    /* ATE_PW_SUBSPACE=lapack: the projected problem on rank 0 by LAPACK, broadcast (for small
     * subspaces, where ScaLAPACK's messages cost more than the O(m^3) work) */
    char sbuf[32];
    const char *sub = pw_env(comm, "ATE_PW_SUBSPACE", sbuf, sizeof sbuf);
    bg->lapack = sub && !strcmp(sub, "lapack");
    /* complex problems (k != 0) likewise with an OpenBLAS whose zgemv is unsafe, unless
     * ATE_PW_SUBSPACE=scalapack asks for ScaLAPACK all the same */
    bg->zlapack = bg->lapack || (!(sub && !strcmp(sub, "scalapack")) && zgemv_unsafe());
    bg->handle = Csys2blacs_handle(comm);
    bg->ctxt = bg->handle;
    Cblacs_gridinit(&bg->ctxt, "Row", pr, bg->size / pr);
    Cblacs_gridinfo(bg->ctxt, &bg->nprow, &bg->npcol, &bg->myrow, &bg->mycol);
    return ATE_OK;
}

void pw_bg_free(pw_bgroup *bg)
{
    if (bg->cnt) { /* initialised */
        Cblacs_gridexit(bg->ctxt);
        Cfree_blacs_system_handle(bg->handle);
    }
    free(bg->buf), free(bg->cnt);
    memset(bg, 0, sizeof(*bg));
}

void pw_bg_to_bands(const pw_bgroup *bg, const pw_kset *ks, int nb, const pw_cplx *rows,
                    pw_cplx *cols, pw_cplx *scratch)
{
    int B = bg->size, *sc = bg->cnt, *sd = sc + B, *rc = sd + B, *rd = rc + B;
    int off, nloc, first, mine;
    pw_bg_rows(bg, ks->npw, bg->rank, &off, &nloc);
    pw_bg_bands(bg, nb, ks->gamma, bg->rank, &first, &mine);
    /* to rank q: my rows of q's bands (contiguous columns); from q: q's rows of my bands */
    for (int q = 0, o, c, f, n; q < B; ++q) {
        pw_bg_bands(bg, nb, ks->gamma, q, &f, &n);
        pw_bg_rows(bg, ks->npw, q, &o, &c);
        sc[q] = 2 * n * nloc, sd[q] = 2 * f * nloc;
        rc[q] = 2 * c * mine, rd[q] = 2 * o * mine;
    }
    MPI_Alltoallv(rows, sc, sd, MPI_DOUBLE, scratch, rc, rd, MPI_DOUBLE, bg->comm);
    size_t npw = (size_t)ks->npw;
    for (int q = 0, o, c; q < B; ++q) {
        pw_bg_rows(bg, ks->npw, q, &o, &c);
        const pw_cplx *src = scratch + (size_t)o * mine;
        for (int n = 0; n < mine; ++n)
            memcpy(cols + n * npw + o, src + (size_t)n * c, (size_t)c * sizeof(pw_cplx));
    }
}

void pw_bg_to_rows(const pw_bgroup *bg, const pw_kset *ks, int nb, const pw_cplx *cols,
                   pw_cplx *rows, pw_cplx *scratch)
{
    int B = bg->size, *sc = bg->cnt, *sd = sc + B, *rc = sd + B, *rd = rc + B;
    int off, nloc, first, mine;
    pw_bg_rows(bg, ks->npw, bg->rank, &off, &nloc);
    pw_bg_bands(bg, nb, ks->gamma, bg->rank, &first, &mine);
    size_t npw = (size_t)ks->npw;
    for (int q = 0, o, c, f, n; q < B; ++q) {
        pw_bg_rows(bg, ks->npw, q, &o, &c);
        pw_cplx *dst = scratch + (size_t)o * mine;
        for (int b = 0; b < mine; ++b)
            memcpy(dst + (size_t)b * c, cols + b * npw + o, (size_t)c * sizeof(pw_cplx));
        pw_bg_bands(bg, nb, ks->gamma, q, &f, &n);
        sc[q] = 2 * c * mine, sd[q] = 2 * o * mine;
        rc[q] = 2 * n * nloc, rd[q] = 2 * f * nloc;
    }
    MPI_Alltoallv(scratch, sc, sd, MPI_DOUBLE, rows, rc, rd, MPI_DOUBLE, bg->comm);
}

/* rank 0 alone by LAPACK (ATE_PW_SUBSPACE=lapack): la, the matrix (leading dimension m), is
 * overwritten by the eigenvectors */
static int eigh_lapack(bool re, int m, double *la, double *w)
{
    if (re) return LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'U', m, la, m, w);
    return LAPACKE_zheevd(LAPACK_COL_MAJOR, 'V', 'U', m, (pw_cplx *)la, m, w);
}

/* ScaLAPACK on the group's grid: the local blocks of a (leading dimension m) in la, of the
 * eigenvectors in lz (leading dimension lld) */
static int eigh_scalapack(const pw_bgroup *bg, bool re, int m, int nbk, const pw_cplx *a,
                          double *la, double *lz, double *w, int mr, int mc, int lld)
{
    int izero = 0, ione = 1, info = 0, desc[9];
    descinit_(desc, &m, &m, &nbk, &nbk, &izero, &izero, &bg->ctxt, &lld, &info);
    /* the local blocks: local (i, j) is global ((i / nbk) nprow + myrow) nbk + i % nbk, ... */
    for (int j = 0; j < mc; ++j) {
        int gj = ((j / nbk) * bg->npcol + bg->mycol) * nbk + j % nbk;
        for (int i = 0; i < mr; ++i) {
            int gi = ((i / nbk) * bg->nprow + bg->myrow) * nbk + i % nbk;
            if (re)
                la[(size_t)j * lld + i] = ((const double *)a)[(size_t)gj * m + gi];
            else
                ((pw_cplx *)la)[(size_t)j * lld + i] = a[(size_t)gj * m + gi];
        }
    }
    int lwork = -1, liwork = -1, lrwork = -1, iwq = 0;
    if (re) {
        double wq = 0.0;
        pdsyevd_("V", "U", &m, la, &ione, &ione, desc, w, lz, &ione, &ione, desc, &wq, &lwork, &iwq,
                 &liwork, &info, 1, 1);
        lwork = (int)wq + 1, liwork = iwq > 1 ? iwq : 1;
        double *work = malloc((size_t)lwork * sizeof(double));
        int *iwork = malloc((size_t)liwork * sizeof(int));
        if (info == 0 && work && iwork)
            pdsyevd_("V", "U", &m, la, &ione, &ione, desc, w, lz, &ione, &ione, desc, work, &lwork,
                     iwork, &liwork, &info, 1, 1);
        else if (info == 0)
            info = -1000;
        free(work), free(iwork);
        return info;
    }
    pw_cplx wq = 0.0;
    double rq = 0.0;
    pzheevd_("V", "U", &m, (pw_cplx *)la, &ione, &ione, desc, w, (pw_cplx *)lz, &ione, &ione, desc,
             &wq, &lwork, &rq, &lrwork, &iwq, &liwork, &info, 1, 1);
    /* the documented minimum lrwork (1 + 9 n + 3 np nq) where the query returns less */
    lwork = (int)creal(wq) + 1, lrwork = (int)rq + 1, liwork = iwq > 1 ? iwq : 1;
    int lrmin = 1 + 9 * m + 3 * mr * mc;
    if (lrwork < lrmin) lrwork = lrmin;
    pw_cplx *work = malloc((size_t)lwork * sizeof(pw_cplx));
    double *rwork = malloc((size_t)lrwork * sizeof(double));
    int *iwork = malloc((size_t)liwork * sizeof(int));
    if (info == 0 && work && rwork && iwork)
        pzheevd_("V", "U", &m, (pw_cplx *)la, &ione, &ione, desc, w, (pw_cplx *)lz, &ione, &ione,
                 desc, work, &lwork, rwork, &lrwork, iwork, &liwork, &info, 1, 1);
    else if (info == 0)
        info = -1000;
    free(work), free(rwork), free(iwork);
    return info;
}

int pw_bg_eigh(const pw_bgroup *bg, bool re, int m, const pw_cplx *a, double *w, int nvec,
               pw_cplx *z)
{
    /* square blocks (pdsyevd / pzheevd need them), about one block row/column per process */
    int pmax = bg->nprow > bg->npcol ? bg->nprow : bg->npcol, izero = 0;
    int nbk = (m + pmax - 1) / pmax;
    if (nbk > 64) nbk = 64;
    if (nbk < 1) nbk = 1;
    int mr = numroc_(&m, &nbk, &bg->myrow, &izero, &bg->nprow),
        mc = numroc_(&m, &nbk, &bg->mycol, &izero, &bg->npcol), lld = mr > 1 ? mr : 1;
    bool lapack = re ? bg->lapack : bg->zlapack;
    size_t w1 = re ? 1 : 2, nl = lapack ? (size_t)m * m : (size_t)lld * (mc > 1 ? mc : 1);
    size_t nz = (size_t)m * nvec * w1;
    /* the result, one collective: [failures, eigenvalues, eigenvectors] */
    double *la = malloc((2 * nl * w1 + 1 + (size_t)m + nz) * sizeof(double));
    if (!la) return -1000; /* (out of memory on one rank: the others wait) */
    double *lz = la + nl * w1, *res = lz + nl * w1, *rw = res + 1, *rz = rw + m;
    int info;
    memset(res, 0, (1 + (size_t)m + nz) * sizeof(double));
    if (lapack) { /* rank 0 solves, the others get its result */
        info = 0;
        if (bg->rank == 0) {
            memcpy(la, a, (size_t)m * m * w1 * sizeof(double));
            info = eigh_lapack(re, m, la, rw);
            memcpy(rz, la, nz * sizeof(double));
        }
        res[0] = info != 0;
        MPI_Bcast(res, (int)(1 + m + nz), MPI_DOUBLE, 0, bg->comm);
    } else {
        /* every rank's blocks of the first nvec eigenvectors (zeros elsewhere) and rank 0's
         * eigenvalues, summed: the same numbers on every rank (the iteration branches on them) */
        info = eigh_scalapack(bg, re, m, nbk, a, la, lz, w, mr, mc, lld);
        res[0] = info != 0;
        if (bg->rank == 0) memcpy(rw, w, (size_t)m * sizeof(double));
        for (int j = 0; j < mc && info == 0; ++j) {
            int gj = ((j / nbk) * bg->npcol + bg->mycol) * nbk + j % nbk;
            if (gj >= nvec) continue;
            for (int i = 0; i < mr; ++i) {
                int gi = ((i / nbk) * bg->nprow + bg->myrow) * nbk + i % nbk;
                if (re)
                    rz[(size_t)gj * m + gi] = lz[(size_t)j * lld + i];
                else
                    ((pw_cplx *)rz)[(size_t)gj * m + gi] =
                        ((const pw_cplx *)lz)[(size_t)j * lld + i];
            }
        }
        MPI_Allreduce(MPI_IN_PLACE, res, (int)(1 + m + nz), MPI_DOUBLE, MPI_SUM, bg->comm);
    }
    if (res[0] == 0.0) {
        memcpy(w, rw, (size_t)m * sizeof(double));
        memcpy(z, rz, nz * sizeof(double));
    }
    int out = res[0] == 0.0 ? 0 : info != 0 ? info : -1;
    free(la);
    return out;
}
