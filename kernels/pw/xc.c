/**
 * @file xc.c
 * @brief Exchange-correlation through libxc (S. Lehtola et al., SoftwareX 7, 1 (2018)) on the
 *        real-space grid (docs/theory-pw.md, "Exchange-correlation"):
 *   E_xc = (Omega / N) sum_r rho(r) eps_xc(rho, |grad rho|^2),
 *   v_xc = d(rho eps)/d rho - div(2 d(rho eps)/d sigma grad rho)   (GGA),
 * gradients and the divergence by FFT. LDA: Teter's Pade fit (libxc LDA_XC_TETER93, the
 * functional the GTH-PADE pseudopotentials were made with); PBE: J. P. Perdew, K. Burke,
 * M. Ernzerhof, PRL 77, 3865 (1996) (GGA_X_PBE + GGA_C_PBE).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <xc.h>

#include "kernel.h"
#include "pw.h"

struct pw_xc {
    int nfunc, nspin;
    xc_func_type func[2];
    bool gga;
};

ate_status pw_xc_create(int xc, int nspin, pw_xc **out, ate_error *err)
{
    *out = NULL;
    int ids[2], n;
    if (xc == ATE_XC_LDA)
        ids[0] = XC_LDA_XC_TETER93, n = 1;
    else if (xc == ATE_XC_PBE)
        ids[0] = XC_GGA_X_PBE, ids[1] = XC_GGA_C_PBE, n = 2;
    else
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "xc",
                                   "unknown exchange-correlation functional %d", xc);
    pw_xc *x = calloc(1, sizeof(*x));
    if (!x) return ATE_ERROR(err, ATE_ERR_MEMORY, "xc: out of memory");
    for (int f = 0; f < n; ++f) {
        if (xc_func_init(&x->func[f], ids[f], nspin == 2 ? XC_POLARIZED : XC_UNPOLARIZED) != 0) {
            for (int g = 0; g < f; ++g)
                xc_func_end(&x->func[g]);
            free(x);
            return ATE_ERROR(err, ATE_ERR_LIB, "libxc cannot initialise functional %d", ids[f]);
        }
        x->nfunc = f + 1;
    }
    x->gga = xc == ATE_XC_PBE;
    x->nspin = nspin;
    *out = x;
    return ATE_OK;
}

void pw_xc_destroy(pw_xc **x)
{
    if (!x || !*x) return;
    for (int f = 0; f < (*x)->nfunc; ++f)
        xc_func_end(&(*x)->func[f]);
    free(*x);
    *x = NULL;
}

bool pw_xc_gga(const pw_xc *x) { return x->gga; }

size_t pw_xc_work(const pw_xc *x, size_t n)
{
    int ns = x->nspin, nsig = ns == 2 ? 3 : 1;
    return n * (2 * ns + 1) + (x->gga ? n * (3 * nsig + 3 * ns + (ns == 2 ? 3 : 0) + 2) : 0);
}

/* the folded index (-n/2, n/2] of box index i, and of -i */
static inline int fold(int i, int n) { return i > n / 2 ? i - n : i; }
static inline int neg(int i, int n) { return i ? n - i : 0; }

/* grad f: out[3][ntot] from f (real, box); fg: complex scratch [ntot]. The x and y components
 * share one inverse transform: the spectra i G_d f(G) are made Hermitian (s(G) + s(-G)^*) / 2,
 * which is what taking the real part of their transforms did, so that the transform of
 * s_x + i s_y is grad_x f + i grad_y f. */
static void gradient(pw_grid *g, const double *f, double *out, pw_cplx *fg)
{
    size_t n = (size_t)g->ntot;
    const int n0 = g->n[0], n1 = g->n[1], n2 = g->n[2];
    const double(*B)[3] = (const double(*)[3])g->b;
    pw_cplx *b = (pw_cplx *)g->buf;
    for (size_t p = 0; p < n; ++p)
        b[p] = f[p];
    const pw_cplx *t = pw_fft(g, g->fwd);
    for (size_t p = 0; p < n; ++p)
        fg[p] = t[p] / (double)n;
    for (int i = 0, p = 0; i < n0; ++i)
        for (int j = 0; j < n1; ++j) {
            int im = neg(i, n0), jm = neg(j, n1), a0 = fold(i, n0), a1 = fold(j, n1),
                c0 = fold(im, n0), c1 = fold(jm, n1);
            double gx = a0 * B[0][0] + a1 * B[1][0], gy = a0 * B[0][1] + a1 * B[1][1],
                   hx = c0 * B[0][0] + c1 * B[1][0], hy = c0 * B[0][1] + c1 * B[1][1];
            const pw_cplx *fm = fg + ((size_t)im * n1 + jm) * n2;
            for (int k = 0; k < n2; ++k, ++p) {
                int km = neg(k, n2), a2 = fold(k, n2), c2 = fold(km, n2);
                pw_cplx fp = fg[p], fq = conj(fm[km]);
                double gpx = gx + a2 * B[2][0], gpy = gy + a2 * B[2][1], gqx = hx + c2 * B[2][0],
                       gqy = hy + c2 * B[2][1];
                pw_cplx sx = 0.5 * I * (gpx * fp - gqx * fq), sy = 0.5 * I * (gpy * fp - gqy * fq);
                b[p] = sx + I * sy;
            }
        }
    t = pw_fft(g, g->bwd);
    for (size_t p = 0; p < n; ++p)
        out[p] = creal(t[p]), out[n + p] = cimag(t[p]);
    for (int i = 0, p = 0; i < n0; ++i)
        for (int j = 0; j < n1; ++j) {
            double gz = fold(i, n0) * B[0][2] + fold(j, n1) * B[1][2];
            for (int k = 0; k < n2; ++k, ++p)
                b[p] = I * (gz + fold(k, n2) * B[2][2]) * fg[p];
        }
    t = pw_fft(g, g->bwd);
    for (size_t p = 0; p < n; ++p)
        out[2 * n + p] = creal(t[p]);
}

/* out -= div(h), h[3][ntot]; div: complex scratch [ntot]. h_x and h_y share one transform,
 * F = H_x + i H_y with H_x = (F(G) + F(-G)^*) / 2, H_y = (F(G) - F(-G)^*) / 2i. */
static void subtract_divergence(pw_grid *g, const double *h, double *out, pw_cplx *div)
{
    size_t n = (size_t)g->ntot;
    const int n0 = g->n[0], n1 = g->n[1], n2 = g->n[2];
    const double(*B)[3] = (const double(*)[3])g->b;
    pw_cplx *b = (pw_cplx *)g->buf;
    for (size_t p = 0; p < n; ++p)
        b[p] = h[p] + I * h[n + p];
    const pw_cplx *t = pw_fft(g, g->fwd);
    for (int i = 0, p = 0; i < n0; ++i)
        for (int j = 0; j < n1; ++j) {
            int im = neg(i, n0), jm = neg(j, n1), a0 = fold(i, n0), a1 = fold(j, n1);
            double gx = a0 * B[0][0] + a1 * B[1][0], gy = a0 * B[0][1] + a1 * B[1][1];
            const pw_cplx *tm = t + ((size_t)im * n1 + jm) * n2;
            for (int k = 0; k < n2; ++k, ++p) {
                int a2 = fold(k, n2);
                pw_cplx fp = t[p], fq = conj(tm[neg(k, n2)]);
                pw_cplx hx = 0.5 * (fp + fq), hy = -0.5 * I * (fp - fq);
                div[p] = I * ((gx + a2 * B[2][0]) * hx + (gy + a2 * B[2][1]) * hy) / (double)n;
            }
        }
    for (size_t p = 0; p < n; ++p)
        b[p] = h[2 * n + p];
    t = pw_fft(g, g->fwd);
    for (int i = 0, p = 0; i < n0; ++i)
        for (int j = 0; j < n1; ++j) {
            double gz = fold(i, n0) * B[0][2] + fold(j, n1) * B[1][2];
            for (int k = 0; k < n2; ++k, ++p)
                b[p] = div[p] + I * (gz + fold(k, n2) * B[2][2]) * t[p] / (double)n;
        }
    t = pw_fft(g, g->bwd);
    for (size_t p = 0; p < n; ++p)
        out[p] -= creal(t[p]);
}

/* E_xc, v_xc and, when dde is given, dE_xc/deps (docs/theory-pw.md, "Stress"). The grid moves
 * with the cell:
 *   rho_s -> rho_s / (1 + tr eps),  d_a rho -> d_a rho - eps_ca d_c rho - tr eps d_a rho,
 *   dE_xc/deps_ab = delta_ab [E_xc - (Omega/N) sum_r (sum_s vrho_s rho_s
 *                                                    + 2 sum_st vsigma_st sigma_st)]
 *                   - (Omega/N) sum_r sum_st vsigma_st (d_a rho_s d_b rho_t + d_b rho_s d_a rho_t)
 * (O. H. Nielsen, R. M. Martin, PRB 32, 3780 (1985) for LDA; the gradient term: A. Dal Corso,
 * R. Resta, PRB 50, 4327 (1994)); the bracket is E_xc - int v_xc rho with the full GGA potential.
 * With dde the divergence part of v_xc is not formed. */
static double xc_eval(pw_xc *x, const pw_cell *c, pw_grid *g, const double *rho, double *vxc,
                      double *work, double *dde, const pw_slab *slab)
{
    size_t n = (size_t)g->ntot;
    int ns = x->nspin, nsig = ns == 2 ? 3 : 1;
    /* this rank's slab [p0, p1) of the points (all of them alone): libxc and the point-wise work
     * there; what the transforms need on the whole box gathered (pw_slab_gather) */
    const size_t p0 = slab ? (size_t)slab->p0 : 0, p1 = slab ? p0 + (size_t)slab->np : n;
    const bool dist = slab && slab->size > 1, dfft = dist && slab->fft;
    /* the caller's work (pw_xc_work doubles): libxc's layouts rho[p][ns], sigma[p][nsig] (uu, ud,
     * dd), likewise the derivatives; GGA also grad[ns][3][n], h[3][n] (spin-polarised;
     * unpolarised: in place of grad) and a complex spectrum [n] */
    double *r = work, *zk = r + n * ns, *vr = zk + n;
    double *sigma = NULL, *vs = NULL, *vsum = NULL, *grad = NULL, *h = NULL;
    pw_cplx *spec = NULL;
    if (x->gga) {
        sigma = vr + n * ns, vs = sigma + n * nsig, vsum = vs + n * nsig, grad = vsum + n * nsig;
        h = ns == 2 ? grad + 3 * n * ns : grad;
        spec = (pw_cplx *)(grad + 3 * n * ns + (ns == 2 ? 3 * n : 0));
        memset(vsum + p0 * nsig, 0, (p1 - p0) * nsig * sizeof(double));
    }
    /* the whole box where this rank transforms it (the serial path, ATE_PW_XC_FFT=replicated) */
    const size_t r0 = x->gga && !dfft ? 0 : p0, r1 = x->gga && !dfft ? n : p1;
    for (int s = 0; s < ns; ++s)
        for (size_t p = r0; p < r1; ++p)
            r[p * ns + s] = rho[s * n + p] > 0.0 ? rho[s * n + p] : 0.0;
    if (x->gga) {
        for (int s = 0; s < ns; ++s) {
            const double *f = r;
            if (ns == 2) { /* one spin's density, contiguous (zk is free until libxc) */
                for (size_t p = r0; p < r1; ++p)
                    zk[p] = r[p * ns + s];
                f = zk;
            }
            if (dfft) /* on the slab only, by the distributed transforms */
                pw_slab_gradient(slab, g, f, grad + (size_t)s * 3 * n);
            else
                gradient(g, f, grad + (size_t)s * 3 * n, spec);
        }
        for (size_t p = p0; p < p1; ++p)
            for (int a = 0; a < ns; ++a)
                for (int b = a; b < ns; ++b) {
                    const double *ga = grad + (size_t)a * 3 * n, *gb = grad + (size_t)b * 3 * n;
                    sigma[p * nsig + a + b] =
                        ga[p] * gb[p] + ga[n + p] * gb[n + p] + ga[2 * n + p] * gb[2 * n + p];
                }
    }
    double exc = 0.0;
    for (int s = 0; s < ns; ++s) /* the rest of the box comes from the other ranks */
        memset(vxc + s * n + p0, 0, (p1 - p0) * sizeof(double));
    for (int f = 0; f < x->nfunc; ++f) {
        size_t q0 = p0 * ns, qs = p0 * nsig, np = p1 - p0;
        if (x->gga)
            xc_gga_exc_vxc(&x->func[f], np, r + q0, sigma + qs, zk + p0, vr + q0, vs + qs);
        else
            xc_lda_exc_vxc(&x->func[f], np, r + q0, zk + p0, vr + q0);
        for (size_t p = p0; p < p1; ++p) {
            double rt = ns == 2 ? r[2 * p] + r[2 * p + 1] : r[p];
            exc += rt * zk[p];
            for (int s = 0; s < ns; ++s)
                vxc[s * n + p] += vr[p * ns + s];
            if (vsum)
                for (int q = 0; q < nsig; ++q)
                    vsum[p * nsig + q] += vs[p * nsig + q];
        }
    }
    if (dde) {
        double diag = exc, s[9] = {0};
        for (size_t p = p0; p < p1; ++p)
            for (int q = 0; q < ns; ++q)
                diag -= vxc[q * n + p] * r[p * ns + q];
        if (x->gga)
            for (size_t p = p0; p < p1; ++p)
                for (int a = 0; a < ns; ++a)
                    for (int b = a; b < ns; ++b) {
                        const double *ga = grad + (size_t)a * 3 * n, *gb = grad + (size_t)b * 3 * n;
                        double v = vsum[p * nsig + a + b];
                        diag -= 2.0 * v * sigma[p * nsig + a + b];
                        for (int i = 0; i < 3; ++i)
                            for (int j = 0; j < 3; ++j)
                                s[3 * i + j] -= v * (ga[i * n + p] * gb[j * n + p] +
                                                     ga[j * n + p] * gb[i * n + p]);
                    }
        if (dist) { /* the slabs' sums (exc within diag) */
            double sums[11];
            memcpy(sums, s, sizeof(s)), sums[9] = diag, sums[10] = exc;
            MPI_Allreduce(MPI_IN_PLACE, sums, 11, MPI_DOUBLE, MPI_SUM, slab->comm);
            memcpy(s, sums, sizeof(s)), diag = sums[9], exc = sums[10];
        }
        for (int q = 0; q < 9; ++q)
            dde[q] += (s[q] + (q % 4 == 0 ? diag : 0.0)) * c->vol / (double)n;
        return exc * c->vol / (double)n;
    }
    if (dist) MPI_Allreduce(MPI_IN_PLACE, &exc, 1, MPI_DOUBLE, MPI_SUM, slab->comm);
    if (x->gga) {
        /* v_s -= div(2 vsigma_ss grad rho_s + vsigma_ud grad rho_s') (unpolarised: 2 vsigma,
         * formed in place of the gradient) */
        for (int s = 0; s < ns; ++s) {
            const double *gs = grad + (size_t)s * 3 * n, *go = grad + (size_t)(1 - s) * 3 * n;
            for (int d = 0; d < 3; ++d) {
                for (size_t p = p0; p < p1; ++p) {
                    double v = 2.0 * vsum[p * nsig + 2 * s] * gs[d * n + p];
                    if (ns == 2) v += vsum[p * nsig + 1] * go[d * n + p];
                    h[d * n + p] = v;
                }
                if (!dfft) pw_slab_gather(slab, h + d * n);
            }
            if (dfft) {
                pw_slab_subtract_divergence(slab, g, h, vxc + s * n);
                continue;
            }
            pw_slab_gather(slab, vxc + s * n);
            subtract_divergence(g, h, vxc + s * n, spec);
        }
    }
    if (!x->gga || dfft)
        for (int s = 0; s < ns; ++s)
            pw_slab_gather(slab, vxc + s * n);
    return exc * c->vol / (double)n;
}

double pw_xc_eval(pw_xc *x, const pw_cell *c, pw_grid *g, const double *rho, double *vxc,
                  double *work)
{
    return xc_eval(x, c, g, rho, vxc, work, NULL, NULL);
}

double pw_xc_eval_slab(pw_xc *x, const pw_cell *c, pw_grid *g, const double *rho, double *vxc,
                       double *work, const pw_slab *slab)
{
    return xc_eval(x, c, g, rho, vxc, work, NULL, slab);
}

double pw_xc_stress(pw_xc *x, const pw_cell *c, pw_grid *g, const double *rho, double *vxc,
                    double *work, double *dde)
{
    return xc_eval(x, c, g, rho, vxc, work, dde, NULL);
}

double pw_xc_stress_slab(pw_xc *x, const pw_cell *c, pw_grid *g, const double *rho, double *vxc,
                         double *work, double *dde, const pw_slab *slab)
{
    return xc_eval(x, c, g, rho, vxc, work, dde, slab);
}
