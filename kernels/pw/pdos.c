/**
 * @file pdos.c
 * @brief Angular-momentum weights of Kohn-Sham bands in spheres around atoms and d-band centres
 *        (docs/theory-pw.md, "Projected DOS in atomic spheres").
 *
 * With psi(r) = Omega^{-1/2} sum_G c(G) e^{iq.r}, q = k + G, and the Rayleigh expansion
 * e^{iq.(x + r)} = e^{iq.x} 4 pi sum_lm i^l j_l(qr) Y_lm(qhat) Y_lm(rhat) (real, orthonormal
 * Y_lm), the (l, m) component of psi on a sphere of radius r around x is
 *     psi_lm(r) = (4 pi / sqrt(Omega)) i^l sum_G c(G) e^{iq.x} Y_lm(qhat) j_l(|q| r),
 * and the weight of l inside radius R is w_l = sum_m int_0^R r^2 |psi_lm(r)|^2 dr. This is the
 * quantity ABINIT writes with prtdos 3 (m_epjdos.F90, partial_dos_fractions / recip_ylm; the
 * "dos_fractions" of its FATBANDS.nc file), which evaluates the radial integral by Simpson's rule
 * on a uniform grid with j_l splined on a grid of step 0.1 in qr. Here the radial integral is
 * Gauss-Legendre quadrature with n_r >= q_max R + 24 nodes: the integrand r^2 j_l(qr) j_l(q'r) is
 * entire with at most 2 q_max R / pi oscillations on [0, R], so the rule is exact to round-off
 * (doubling n_r changes the weights by < 1e-14). The sum over G is a matrix product: for each
 * block of radial nodes, M[(lm, r_i), G] = e^{iq.x} Y_lm(qhat) j_l(|q| r_i) r_i sqrt(v_i) (v_i the
 * quadrature weights) times the coefficient columns.
 *
 * Gamma sets (half sphere, c(-G) = c(G)^*): Y_lm(-qhat) = (-1)^l Y_lm(qhat), so the -G partner of
 * a term T_G is (-1)^l T_G^*; the full sum is 2 Re (even l) or 2i Im (odd l) of the half-sphere sum
 * with the G = 0 column halved.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "atescreen/elements.h"
#include "pw_pdos.h"

/* Spherical Bessel functions j_0..j_lmax at x >= 0: the power series below x = lmax + 2 (where
 * upward recurrence loses digits), upward recurrence from j_0 and j_1 above. */
static void sph_bessel(int lmax, double x, double *j)
{
    if (x < lmax + 2.0) {
        double xl = 1.0, dfact = 1.0; /* x^l, (2l+1)!! */
        for (int l = 0; l <= lmax; ++l) {
            dfact *= 2 * l + 1;
            /* j_l = x^l/(2l+1)!! sum_k (-x^2/2)^k / (k! (2l+3)(2l+5)...(2l+2k+1)) */
            double term = 1.0, sum = 1.0;
            for (int k = 1; k < 60; ++k) {
                term *= -0.5 * x * x / (k * (2.0 * l + 2 * k + 1));
                sum += term;
                if (fabs(term) < 1e-17 * fabs(sum)) break;
            }
            j[l] = xl / dfact * sum;
            xl *= x;
        }
        return;
    }
    double s = sin(x), c = cos(x);
    j[0] = s / x;
    if (lmax >= 1) j[1] = s / (x * x) - c / x;
    for (int l = 2; l <= lmax; ++l)
        j[l] = (2 * l - 1) / x * j[l - 1] - j[l - 2];
}

/* Real orthonormal spherical harmonics Y_lm(u), index l^2 + l + m, of the unit vector u:
 * N_lm Q_l^|m|(z) Re/Im (x + iy)^|m| with Q_l^m = P_l^m / sin^m(theta) (no Condon-Shortley sign:
 * only |.|^2 summed over m is used), N_lm = sqrt((2l+1)/(4 pi) (l-|m|)!/(l+|m|)!) times sqrt(2)
 * for m != 0; cos(m phi) sin^m(theta) = Re (x + iy)^m for a unit vector. */
static void real_ylm(int lmax, const double u[3], double *y)
{
    double cre[PW_PDOS_LMAX + 1], cim[PW_PDOS_LMAX + 1];
    cre[0] = 1.0, cim[0] = 0.0;
    for (int m = 1; m <= lmax; ++m) {
        cre[m] = cre[m - 1] * u[0] - cim[m - 1] * u[1];
        cim[m] = cre[m - 1] * u[1] + cim[m - 1] * u[0];
    }
    for (int m = 0; m <= lmax; ++m) {
        double q[PW_PDOS_LMAX + 1] = {0}, qmm = 1.0;
        for (int i = 1; i <= m; ++i)
            qmm *= 2 * i - 1;
        q[m] = qmm;
        if (m + 1 <= lmax) q[m + 1] = u[2] * (2 * m + 1) * qmm;
        for (int l = m + 2; l <= lmax; ++l)
            q[l] = ((2 * l - 1) * u[2] * q[l - 1] - (l + m - 1) * q[l - 2]) / (l - m);
        for (int l = m; l <= lmax; ++l) {
            double ratio = 1.0; /* (l-m)!/(l+m)! */
            for (int i = l - m + 1; i <= l + m; ++i)
                ratio /= i;
            double nrm = sqrt((2 * l + 1) / (4.0 * ATE_PI) * ratio);
            if (m == 0)
                y[l * l + l] = nrm * q[l];
            else {
                y[l * l + l + m] = sqrt(2.0) * nrm * q[l] * cre[m];
                y[l * l + l - m] = sqrt(2.0) * nrm * q[l] * cim[m];
            }
        }
    }
}

/* n-point Gauss-Legendre nodes and weights on [0, R] (Newton on P_n from the usual guess). */
static void gauss_legendre(int n, double R, double *x, double *w)
{
    for (int i = 0; i < n; ++i) {
        double t = cos(ATE_PI * (i + 0.75) / (n + 0.5)), dp = 1.0;
        for (int it = 0; it < 100; ++it) {
            double p0 = 1.0, p1 = t;
            for (int k = 2; k <= n; ++k) {
                double p2 = ((2 * k - 1) * t * p1 - (k - 1) * p0) / k;
                p0 = p1, p1 = p2;
            }
            dp = n * (t * p1 - p0) / (t * t - 1.0);
            double dt = p1 / dp;
            t -= dt;
            if (fabs(dt) < 1e-16) break;
        }
        x[i] = 0.5 * R * (1.0 + t);
        w[i] = R / ((1.0 - t * t) * dp * dp);
    }
}

/* Cubic spline through (i h, y_i), i = 0..n-1, with zero first derivatives at both ends (the end
 * conditions ABINIT's jlspline_new uses for every l): second derivatives d2 (tridiagonal solve);
 * work: n doubles. */
static void spline_clamped0(int n, double h, const double *y, double *d2, double *work)
{
    /* rows: h/6 d2[i-1] + 2h/3 d2[i] + h/6 d2[i+1] = (y[i+1] - 2 y[i] + y[i-1])/h, ends
     * h/3 d2[0] + h/6 d2[1] = (y[1] - y[0])/h and mirror */
    double *c = work;
    double b0 = h / 3.0;
    c[0] = (h / 6.0) / b0;
    d2[0] = ((y[1] - y[0]) / h) / b0;
    for (int i = 1; i < n; ++i) {
        double bi = i == n - 1 ? h / 3.0 : 2.0 * h / 3.0;
        double ri = i == n - 1 ? -(y[i] - y[i - 1]) / h : (y[i + 1] - 2.0 * y[i] + y[i - 1]) / h;
        double m = bi - (h / 6.0) * c[i - 1];
        c[i] = (h / 6.0) / m;
        d2[i] = (ri - (h / 6.0) * d2[i - 1]) / m;
    }
    for (int i = n - 2; i >= 0; --i)
        d2[i] -= c[i] * d2[i + 1];
}

static double spline_eval(int n, double h, const double *y, const double *d2, double x)
{
    int i = (int)(x / h);
    if (i > n - 2) i = n - 2;
    double b = (x - i * h) / h, a = 1.0 - b;
    return a * y[i] + b * y[i + 1] +
           ((a * a * a - a) * d2[i] + (b * b * b - b) * d2[i + 1]) * h * h / 6.0;
}

/* abinit_ecut > 0: ABINIT's numerical scheme instead of the exact one (see pw_pdos_weights_abinit)
 */
static ate_status weights(const pw_cell *c, const pw_kset *ks, const pw_cplx *psi, int nb,
                          int ncentre, const double *x, double radius, int lmax, double abinit_ecut,
                          double *w, ate_error *err)
{
    if (lmax < 0 || lmax > PW_PDOS_LMAX || !(radius > 0.0))
        return ATE_ERROR(err, ATE_ERR_VALUE, "pdos: lmax %d or radius %g out of range", lmax,
                         radius);
    int npw = ks->npw, nlm = (lmax + 1) * (lmax + 1);
    memset(w, 0, (size_t)nb * ncentre * (lmax + 1) * sizeof(double));
    if (ncentre == 0 || nb == 0) return ATE_OK;
    double qmax = 0.0;
    for (int g = 0; g < npw; ++g)
        qmax = fmax(qmax, sqrt(2.0 * ks->kin[g]));
    int nr = (int)ceil(qmax * radius) + 24;
    /* ABINIT (m_epjdos.F90): int(2 pi R sqrt(ecut) / 0.1) + 1 uniform radial points, j_l splined
     * on x = 0, 0.1, ... with as many points */
    int nsp = 0;
    double *spl = NULL;
    if (abinit_ecut > 0.0) {
        nr = nsp = (int)(radius * 2.0 * ATE_PI * sqrt(abinit_ecut) / 0.1) + 1;
        spl = malloc((size_t)nsp * (2 * (lmax + 1) + 2) * sizeof(double));
        if (!spl) return ATE_ERROR(err, ATE_ERR_MEMORY, "pdos: out of memory");
        double *jt = spl + (size_t)nsp * 2 * (lmax + 1), jj[PW_PDOS_LMAX + 1];
        for (int i = 0; i < nsp; ++i) {
            sph_bessel(lmax, 0.1 * i, jj);
            for (int l = 0; l <= lmax; ++l)
                spl[(size_t)l * nsp + i] = jj[l];
        }
        for (int l = 0; l <= lmax; ++l)
            spline_clamped0(nsp, 0.1, spl + (size_t)l * nsp, spl + (size_t)(lmax + 1 + l) * nsp,
                            jt);
    }
    /* radial nodes per block: M holds nlm * nrb * npw complex numbers (at most 2^20) */
    int nrb = (int)((1 << 20) / ((size_t)nlm * npw));
    nrb = nrb < 1 ? 1 : nrb > nr ? nr : nrb;
    size_t rows_max = (size_t)nlm * nrb;
    double *rq = malloc(2 * (size_t)nr * sizeof(double)), *vq = rq + nr;
    double *ylm = malloc((size_t)npw * nlm * sizeof(double));
    double *qn = malloc((size_t)npw * sizeof(double));
    double *jl = malloc((size_t)npw * nr * (lmax + 1) * sizeof(double));
    pw_cplx *ph = malloc((size_t)npw * sizeof(pw_cplx));
    pw_cplx *M = malloc(rows_max * npw * sizeof(pw_cplx));
    pw_cplx *A = malloc(rows_max * nb * sizeof(pw_cplx));
    if (!rq || !ylm || !qn || !jl || !ph || !M || !A) {
        free(rq), free(ylm), free(qn), free(jl), free(ph), free(M), free(A), free(spl);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "pdos: out of memory");
    }
    gauss_legendre(nr, radius, rq, vq);
    if (spl) { /* Simpson's rule on the uniform grid (3/8 rule on the last 3 intervals if odd) */
        double h = radius / (nr - 1);
        int ns = (nr - 1) % 2 ? nr - 3 : nr; /* points covered by the 1/3 rule */
        for (int i = 0; i < nr; ++i) {
            rq[i] = i * h;
            vq[i] = 0.0;
        }
        for (int i = 0; i + 2 < ns; i += 2)
            vq[i] += h / 3.0, vq[i + 1] += 4.0 * h / 3.0, vq[i + 2] += h / 3.0;
        if (ns < nr)
            for (int i = 0; i < 4; ++i)
                vq[ns - 1 + i] += 3.0 * h / 8.0 * (i == 0 || i == 3 ? 1.0 : 3.0);
    }
    for (int g = 0; g < npw; ++g) {
        const double *q = ks->kpg + 3 * g;
        double qq = sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]);
        double u[3] = {0.0, 0.0, 1.0}; /* q = 0: any direction (j_l(0) = 0 for l > 0) */
        if (qq > 0.0)
            for (int d = 0; d < 3; ++d)
                u[d] = q[d] / qq;
        qn[g] = qq;
        real_ylm(lmax, u, ylm + (size_t)g * nlm);
        for (int i = 0; i < nr; ++i) {
            double *ji = jl + ((size_t)g * nr + i) * (lmax + 1);
            if (spl)
                for (int l = 0; l <= lmax; ++l)
                    ji[l] = spline_eval(nsp, 0.1, spl + (size_t)l * nsp,
                                        spl + (size_t)(lmax + 1 + l) * nsp, qq * rq[i]);
            else
                sph_bessel(lmax, qq * rq[i], ji);
        }
    }
    const double fact = 16.0 * ATE_PI * ATE_PI / c->vol; /* (4 pi)^2 / Omega */
    const pw_cplx one = 1.0, zero = 0.0;
    for (int s = 0; s < ncentre; ++s) {
        const double *xs = x + 3 * s;
        for (int g = 0; g < npw; ++g) {
            const double *q = ks->kpg + 3 * g;
            double a = q[0] * xs[0] + q[1] * xs[1] + q[2] * xs[2];
            ph[g] = (cos(a) + I * sin(a)) * (ks->gamma && g == 0 ? 0.5 : 1.0);
        }
        for (int i0 = 0; i0 < nr; i0 += nrb) {
            int nri = i0 + nrb <= nr ? nrb : nr - i0;
            size_t rows = (size_t)nlm * nri;
            for (int g = 0; g < npw; ++g) {
                pw_cplx *col = M + (size_t)g * rows;
                for (int l = 0; l <= lmax; ++l)
                    for (int m = -l; m <= l; ++m) {
                        int lm = l * l + l + m;
                        pw_cplx f = ph[g] * ylm[(size_t)g * nlm + lm];
                        for (int i = 0; i < nri; ++i) {
                            int ir = i0 + i;
                            double rad =
                                jl[((size_t)g * nr + ir) * (lmax + 1) + l] * rq[ir] * sqrt(vq[ir]);
                            col[(size_t)lm * nri + i] = f * rad;
                        }
                    }
            }
            cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)rows, nb, npw, &one, M,
                        (int)rows, psi, npw, &zero, A, (int)rows);
            for (int n = 0; n < nb; ++n) {
                double *wn = w + ((size_t)n * ncentre + s) * (lmax + 1);
                const pw_cplx *an = A + (size_t)n * rows;
                for (int l = 0; l <= lmax; ++l) {
                    double sum = 0.0;
                    for (size_t e = (size_t)l * l * nri; e < (size_t)(l + 1) * (l + 1) * nri; ++e) {
                        double v;
                        if (ks->gamma)
                            v = 2.0 * (l % 2 == 0 ? creal(an[e]) : cimag(an[e])), v *= v;
                        else
                            v = creal(an[e]) * creal(an[e]) + cimag(an[e]) * cimag(an[e]);
                        sum += v;
                    }
                    wn[l] += fact * sum;
                }
            }
        }
    }
    free(rq), free(ylm), free(qn), free(jl), free(ph), free(M), free(A), free(spl);
    return ATE_OK;
}

ate_status pw_pdos_weights(const pw_cell *c, const pw_kset *ks, const pw_cplx *psi, int nb,
                           int ncentre, const double *x, double radius, int lmax, double *w,
                           ate_error *err)
{
    return weights(c, ks, psi, nb, ncentre, x, radius, lmax, 0.0, w, err);
}

ate_status pw_pdos_weights_abinit(const pw_cell *c, const pw_kset *ks, const pw_cplx *psi, int nb,
                                  int ncentre, const double *x, double radius, int lmax,
                                  double ecut, double *w, ate_error *err)
{
    return weights(c, ks, psi, nb, ncentre, x, radius, lmax, ecut, w, err);
}

/* A band group's G-distributed block rows [nb][local rows] (pw_bg_rows' split over the B ranks
 * of bcomm) as full columns cols [nb][npw] on the group's rank 0 (tmp: nb * npw there). */
static void gather_columns(MPI_Comm bcomm, int B, int npw, int nb, const pw_cplx *rows,
                           pw_cplx *tmp, pw_cplx *cols, int *cnt)
{
    pw_bgroup shape = {.size = B};
    int brank, *dsp = cnt + B, off, nloc;
    MPI_Comm_rank(bcomm, &brank);
    for (int q = 0; q < B; ++q) {
        pw_bg_rows(&shape, npw, q, &off, &nloc);
        cnt[q] = 2 * nloc * nb, dsp[q] = 2 * off * nb;
    }
    pw_bg_rows(&shape, npw, brank, &off, &nloc);
    MPI_Gatherv(rows, 2 * nloc * nb, MPI_DOUBLE, tmp, cnt, dsp, MPI_DOUBLE, 0, bcomm);
    if (brank != 0) return;
    for (int q = 0; q < B; ++q) {
        pw_bg_rows(&shape, npw, q, &off, &nloc);
        for (int n = 0; n < nb; ++n)
            memcpy(cols + (size_t)n * npw + off, tmp + (size_t)off * nb + (size_t)n * nloc,
                   (size_t)nloc * sizeof(pw_cplx));
    }
}

ate_status pw_pdos_collect(const pw_cell *c, int nk, const pw_kset *ks, int nspin, int nb,
                           pw_cplx *const *psi, int ncentre, const double *x, double radius,
                           int lmax, double abinit_ecut, MPI_Comm comm, double *out, ate_error *err)
{
    int rank = 0, size = 1;
    if (comm != MPI_COMM_NULL) {
        MPI_Comm_rank(comm, &rank);
        MPI_Comm_size(comm, &size);
    }
    size_t per = (size_t)nb * ncentre * (lmax + 1), total = (size_t)nspin * nk * per;
    memset(out, 0, total * sizeof(double));
    /* the SCF's layout (scf.c): pools of B ranks; in a band group (B > 1) the coefficients are
     * G-distributed, gathered to whole columns on the group's rank 0, which alone adds them */
    int B = size > 1 ? pw_band_group_size(comm, nk * nspin) : 1;
    if (B < 1) B = 1;
    int npool = size / B, pool = rank / B;
    MPI_Comm bcomm = MPI_COMM_NULL;
    pw_cplx *cols = NULL, *tmp = NULL;
    int *cnt = NULL;
    ate_status st = ATE_OK;
    if (B > 1) {
        int npw_max = 0;
        for (int k = 0; k < nk; ++k)
            if (ks[k].npw > npw_max) npw_max = ks[k].npw;
        MPI_Comm_split(comm, pool, rank, &bcomm);
        cols = malloc((size_t)nb * npw_max * sizeof(pw_cplx));
        tmp = malloc((size_t)nb * npw_max * sizeof(pw_cplx));
        cnt = malloc(2 * (size_t)B * sizeof(int));
        if (!cols || !tmp || !cnt) st = ATE_ERROR(err, ATE_ERR_MEMORY, "pdos: out of memory");
    }
    for (int k = 0; k < nk && st == ATE_OK; ++k)
        for (int sp = 0; sp < nspin && st == ATE_OK; ++sp) {
            if ((k * nspin + sp) % npool != pool) continue;
            const pw_cplx *full = psi[k * nspin + sp];
            if (B > 1) {
                gather_columns(bcomm, B, ks[k].npw, nb, full, tmp, cols, cnt);
                if (rank % B != 0) continue;
                full = cols;
            }
            st = weights(c, &ks[k], full, nb, ncentre, x, radius, lmax, abinit_ecut,
                         out + ((size_t)sp * nk + k) * per, err);
        }
    if (bcomm != MPI_COMM_NULL) MPI_Comm_free(&bcomm);
    free(cols), free(tmp), free(cnt);
    if (size > 1) { /* a rank's failure stops every rank (the sum follows) */
        int bad = st != ATE_OK, anybad = 0;
        MPI_Allreduce(&bad, &anybad, 1, MPI_INT, MPI_MAX, comm);
        if (anybad && st == ATE_OK)
            st = ATE_ERROR(err, ATE_ERR_INTERNAL, "pdos: failed on another rank");
        if (st == ATE_OK) MPI_Allreduce(MPI_IN_PLACE, out, (int)total, MPI_DOUBLE, MPI_SUM, comm);
    }
    return st;
}

ate_status pw_dband_centres(const pw_cell *c, const pw_atoms *at, const int *z, int nk,
                            const pw_kset *ks, int nspin, int nb, pw_cplx *const *psi,
                            const double *eig, const double *occ, double fermi_ev, double radius,
                            MPI_Comm comm, double *dband, ate_error *err)
{
    int ntm = 0;
    for (int a = 0; a < at->n; ++a) {
        dband[a] = NAN;
        ntm += ate_element_is_transition_metal(z[a]);
    }
    if (!ntm) return ATE_OK;
    double *x = malloc((size_t)ntm * 3 * sizeof(double));
    double *wt = malloc((size_t)nspin * nk * nb * ntm * 3 * sizeof(double));
    if (!x || !wt) {
        free(x), free(wt);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "d-band centres: out of memory");
    }
    for (int a = 0, s = 0; a < at->n; ++a)
        if (ate_element_is_transition_metal(z[a]))
            memcpy(x + 3 * s++, at->x + 3 * a, 3 * sizeof(double));
    ate_status st =
        pw_pdos_collect(c, nk, ks, nspin, nb, psi, ntm, x, radius, 2, 0.0, comm, wt, err);
    for (int a = 0, s = 0; a < at->n && st == ATE_OK; ++a) {
        if (!ate_element_is_transition_metal(z[a])) continue;
        double num = 0.0, den = 0.0;
        for (int sp = 0; sp < nspin; ++sp)
            for (int k = 0; k < nk; ++k)
                for (int n = 0; n < nb; ++n) {
                    size_t q = ((size_t)sp * nk + k) * nb + n;
                    double wd = ks[k].w * occ[q] * wt[(q * ntm + s) * 3 + 2];
                    num += wd * eig[q], den += wd;
                }
        dband[a] = den > 0.0 ? num / den * ATE_HARTREE_EV - fermi_ev : NAN; /* NaN: no d weight */
        ++s;
    }
    free(x), free(wt);
    return st;
}
