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

/* grad f: out[3][ntot] from f (real, box) */
static void gradient(pw_grid *g, const double *f, double *out)
{
    size_t n = (size_t)g->ntot;
    pw_cplx *b = (pw_cplx *)g->buf;
    pw_cplx *fg = malloc(n * sizeof(pw_cplx));
    for (size_t p = 0; p < n; ++p)
        b[p] = f[p];
    const pw_cplx *t = pw_fft(g, g->fwd);
    for (size_t p = 0; p < n; ++p)
        fg[p] = t[p] / (double)n;
    for (int d = 0; d < 3; ++d) {
        for (size_t p = 0; p < n; ++p)
            b[p] = I * g->gv[3 * p + d] * fg[p];
        t = pw_fft(g, g->bwd);
        for (size_t p = 0; p < n; ++p)
            out[d * n + p] = creal(t[p]);
    }
    free(fg);
}

/* out -= div(h), h[3][ntot] */
static void subtract_divergence(pw_grid *g, const double *h, double *out)
{
    size_t n = (size_t)g->ntot;
    pw_cplx *b = (pw_cplx *)g->buf;
    pw_cplx *div = calloc(n, sizeof(pw_cplx));
    for (int d = 0; d < 3; ++d) {
        for (size_t p = 0; p < n; ++p)
            b[p] = h[d * n + p];
        const pw_cplx *t = pw_fft(g, g->fwd);
        for (size_t p = 0; p < n; ++p)
            div[p] += I * g->gv[3 * p + d] * t[p] / (double)n;
    }
    memcpy(b, div, n * sizeof(pw_cplx));
    const pw_cplx *t = pw_fft(g, g->bwd);
    for (size_t p = 0; p < n; ++p)
        out[p] -= creal(t[p]);
    free(div);
}

double pw_xc_eval(pw_xc *x, const pw_cell *c, pw_grid *g, const double *rho, double *vxc)
{
    size_t n = (size_t)g->ntot;
    int ns = x->nspin;
    /* libxc's layouts: rho[p][ns], sigma[p][1 or 3] (uu, ud, dd), likewise the derivatives */
    double *r = malloc(n * ns * sizeof(double)), *zk = malloc(n * sizeof(double)),
           *vr = malloc(n * ns * sizeof(double));
    int nsig = ns == 2 ? 3 : 1;
    double *sigma = NULL, *vs = NULL, *vsum = NULL, *grad = NULL;
    if (x->gga) {
        sigma = malloc(n * nsig * sizeof(double)), vs = malloc(n * nsig * sizeof(double));
        vsum = calloc(n * nsig, sizeof(double));
        grad = malloc(3 * n * ns * sizeof(double));
    }
    for (int s = 0; s < ns; ++s)
        for (size_t p = 0; p < n; ++p)
            r[p * ns + s] = rho[s * n + p] > 0.0 ? rho[s * n + p] : 0.0;
    if (x->gga) {
        double *tmp = malloc(n * sizeof(double));
        for (int s = 0; s < ns; ++s) {
            for (size_t p = 0; p < n; ++p)
                tmp[p] = r[p * ns + s];
            gradient(g, tmp, grad + (size_t)s * 3 * n);
        }
        free(tmp);
        for (size_t p = 0; p < n; ++p)
            for (int a = 0; a < ns; ++a)
                for (int b = a; b < ns; ++b) {
                    const double *ga = grad + (size_t)a * 3 * n, *gb = grad + (size_t)b * 3 * n;
                    sigma[p * nsig + a + b] =
                        ga[p] * gb[p] + ga[n + p] * gb[n + p] + ga[2 * n + p] * gb[2 * n + p];
                }
    }
    double exc = 0.0;
    memset(vxc, 0, n * ns * sizeof(double));
    for (int f = 0; f < x->nfunc; ++f) {
        if (x->gga)
            xc_gga_exc_vxc(&x->func[f], n, r, sigma, zk, vr, vs);
        else
            xc_lda_exc_vxc(&x->func[f], n, r, zk, vr);
        for (size_t p = 0; p < n; ++p) {
            double rt = ns == 2 ? r[2 * p] + r[2 * p + 1] : r[p];
            exc += rt * zk[p];
            for (int s = 0; s < ns; ++s)
                vxc[s * n + p] += vr[p * ns + s];
            if (vsum)
                for (int q = 0; q < nsig; ++q)
                    vsum[p * nsig + q] += vs[p * nsig + q];
        }
    }
    if (x->gga) {
        /* v_s -= div(2 vsigma_ss grad rho_s + vsigma_ud grad rho_s') (unpolarised: 2 vsigma) */
        double *h = malloc(3 * n * sizeof(double));
        for (int s = 0; s < ns; ++s) {
            const double *gs = grad + (size_t)s * 3 * n, *go = grad + (size_t)(1 - s) * 3 * n;
            for (int d = 0; d < 3; ++d)
                for (size_t p = 0; p < n; ++p) {
                    double v = 2.0 * vsum[p * nsig + 2 * s] * gs[d * n + p];
                    if (ns == 2) v += vsum[p * nsig + 1] * go[d * n + p];
                    h[d * n + p] = v;
                }
            subtract_divergence(g, h, vxc + s * n);
        }
        free(h);
    }
    free(r), free(zk), free(vr), free(sigma), free(vs), free(grad), free(vsum);
    return exc * c->vol / (double)n;
}
