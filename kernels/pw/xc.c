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
    int nfunc;
    xc_func_type func[2];
    bool gga;
};

ate_status pw_xc_create(int xc, pw_xc **out, ate_error *err)
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
        if (xc_func_init(&x->func[f], ids[f], XC_UNPOLARIZED) != 0) {
            for (int g = 0; g < f; ++g)
                xc_func_end(&x->func[g]);
            free(x);
            return ATE_ERROR(err, ATE_ERR_LIB, "libxc cannot initialise functional %d", ids[f]);
        }
        x->nfunc = f + 1;
    }
    x->gga = xc == ATE_XC_PBE;
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

/* component d of grad f (f real on the box, in g->buf after a forward FFT scaled by 1/N) */
static void gradient_component(pw_grid *g, const pw_cplx *fg, int d, double *out)
{
    pw_cplx *b = (pw_cplx *)g->buf;
    for (int p = 0; p < g->ntot; ++p)
        b[p] = I * g->gv[3 * p + d] * fg[p];
    fftw_execute(g->bwd);
    for (int p = 0; p < g->ntot; ++p)
        out[p] = creal(b[p]);
}

double pw_xc_eval(pw_xc *x, const pw_cell *c, pw_grid *g, const double *rho, double *vxc)
{
    size_t n = (size_t)g->ntot;
    double *r = malloc(n * sizeof(double)), *zk = malloc(n * sizeof(double)),
           *vr = malloc(n * sizeof(double));
    double *sigma = NULL, *vs = NULL, *grad = NULL;
    pw_cplx *fg = NULL;
    if (x->gga) {
        sigma = malloc(n * sizeof(double)), vs = malloc(n * sizeof(double));
        grad = malloc(3 * n * sizeof(double));
        fg = malloc(n * sizeof(pw_cplx));
    }
    for (size_t p = 0; p < n; ++p)
        r[p] = rho[p] > 0.0 ? rho[p] : 0.0;
    if (x->gga) {
        pw_cplx *b = (pw_cplx *)g->buf;
        for (size_t p = 0; p < n; ++p)
            b[p] = r[p];
        fftw_execute(g->fwd);
        for (size_t p = 0; p < n; ++p)
            fg[p] = b[p] / (double)n;
        for (int d = 0; d < 3; ++d)
            gradient_component(g, fg, d, grad + d * n);
        for (size_t p = 0; p < n; ++p)
            sigma[p] =
                grad[p] * grad[p] + grad[n + p] * grad[n + p] + grad[2 * n + p] * grad[2 * n + p];
    }
    double exc = 0.0;
    memset(vxc, 0, n * sizeof(double));
    double *vsum = x->gga ? calloc(n, sizeof(double)) : NULL;
    for (int f = 0; f < x->nfunc; ++f) {
        if (x->gga)
            xc_gga_exc_vxc(&x->func[f], n, r, sigma, zk, vr, vs);
        else
            xc_lda_exc_vxc(&x->func[f], n, r, zk, vr);
        for (size_t p = 0; p < n; ++p) {
            exc += r[p] * zk[p];
            vxc[p] += vr[p];
            if (vsum) vsum[p] += vs[p];
        }
    }
    if (x->gga) {
        /* v -= div(2 vsigma grad rho) */
        pw_cplx *b = (pw_cplx *)g->buf;
        pw_cplx *div = calloc(n, sizeof(pw_cplx));
        for (int d = 0; d < 3; ++d) {
            for (size_t p = 0; p < n; ++p)
                b[p] = 2.0 * vsum[p] * grad[d * n + p];
            fftw_execute(g->fwd);
            for (size_t p = 0; p < n; ++p)
                div[p] += I * g->gv[3 * p + d] * b[p] / (double)n;
        }
        memcpy(b, div, n * sizeof(pw_cplx));
        fftw_execute(g->bwd);
        for (size_t p = 0; p < n; ++p)
            vxc[p] -= creal(b[p]);
        free(div);
    }
    free(r), free(zk), free(vr), free(sigma), free(vs), free(grad), free(fg), free(vsum);
    return exc * c->vol / (double)n;
}
