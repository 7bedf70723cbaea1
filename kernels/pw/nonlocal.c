/**
 * @file nonlocal.c
 * @brief The separable non-local GTH/HGH pseudopotential (Hartwigsen, Goedecker, Hutter, PRB 58,
 *        3641 (1998), eq. 2; docs/theory-pw.md, "Non-local pseudopotential"):
 *   V_nl = sum_I sum_{l,m} sum_{ij} |p_{Ilmi}> h^l_ij <p_{Ilmj}|,
 *   <k+G|p_{Ilmi}> = (4 pi / sqrt Omega) (-i)^l Y_lm(k+G) P_i^l(|k+G|) e^{-i(k+G).x_I}
 *   (real spherical harmonics; the factor (-i)^l keeps the real-space projector real). Energy
 *   E_nl = sum_nk f_nk w_k sum b^*_i h_ij b_j with b_i = <p_i|psi_nk>, and forces from
 *   d b_i / d x_I = <p_i| i(k+G) |psi_nk>: F_I = -2 Re sum f w b^*_i h_ij db_j.
 *   Stress: under a strain q = k+G -> q - eps q, q.x_I fixed, Omega -> Omega (1 + tr eps):
 *   dE_nl/deps_ab = -delta_ab E_nl + 2 Re sum f w b^*_i h_ij <dp_j/deps_ab|psi> with
 *   d[Y_lm(u) P(|q|)]/deps_ab = -q dP/dq u_a u_b Y - P (d_a Y - u_a u.grad Y) u_b, u = q/|q|
 *   (symmetrised in a, b; the stress theorem of O. H. Nielsen, R. M. Martin, PRB 32, 3780
 *   (1985), here for the separable GTH form; docs/theory-pw.md, "Stress").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "pw.h"

/* real spherical harmonics for l <= 3 of the unit vector u (any orthonormal real basis of each
 * l serves: only sum_m Y_lm(u) Y_lm(v) enters) */
static double ylm(int l, int m, const double u[3])
{
    double x = u[0], y = u[1], z = u[2];
    const double pi = ATE_PI;
    switch (l) {
    case 0:
        return 0.5 / sqrt(pi);
    case 1: {
        double c = sqrt(3.0 / (4.0 * pi));
        return c * (m == 0 ? y : m == 1 ? z : x);
    }
    case 2:
        switch (m) {
        case 0:
            return sqrt(15.0 / (4.0 * pi)) * x * y;
        case 1:
            return sqrt(15.0 / (4.0 * pi)) * y * z;
        case 2:
            return sqrt(5.0 / (16.0 * pi)) * (3.0 * z * z - 1.0);
        case 3:
            return sqrt(15.0 / (4.0 * pi)) * x * z;
        default:
            return sqrt(15.0 / (16.0 * pi)) * (x * x - y * y);
        }
    default:
        switch (m) {
        case 0:
            return sqrt(35.0 / (32.0 * pi)) * (3.0 * x * x - y * y) * y;
        case 1:
            return sqrt(105.0 / (4.0 * pi)) * x * y * z;
        case 2:
            return sqrt(21.0 / (32.0 * pi)) * y * (5.0 * z * z - 1.0);
        case 3:
            return sqrt(7.0 / (16.0 * pi)) * (5.0 * z * z * z - 3.0 * z);
        case 4:
            return sqrt(21.0 / (32.0 * pi)) * x * (5.0 * z * z - 1.0);
        case 5:
            return sqrt(105.0 / (16.0 * pi)) * (x * x - y * y) * z;
        default:
            return sqrt(35.0 / (32.0 * pi)) * (x * x - 3.0 * y * y) * x;
        }
    }
}

/* gradient of the polynomials of ylm() with respect to x, y, z (only the part tangent to the unit
 * sphere is used, so any extension off the sphere serves) */
static void ylm_grad(int l, int m, const double u[3], double g[3])
{
    double x = u[0], y = u[1], z = u[2];
    const double pi = ATE_PI;
    g[0] = g[1] = g[2] = 0.0;
    if (l == 1) {
        g[m == 0 ? 1 : m == 1 ? 2 : 0] = sqrt(3.0 / (4.0 * pi));
    } else if (l == 2) {
        double c = sqrt(15.0 / (4.0 * pi));
        switch (m) {
        case 0:
            g[0] = c * y, g[1] = c * x;
            break;
        case 1:
            g[1] = c * z, g[2] = c * y;
            break;
        case 2:
            g[2] = sqrt(5.0 / (16.0 * pi)) * 6.0 * z;
            break;
        case 3:
            g[0] = c * z, g[2] = c * x;
            break;
        default:
            g[0] = sqrt(15.0 / (16.0 * pi)) * 2.0 * x, g[1] = -sqrt(15.0 / (16.0 * pi)) * 2.0 * y;
        }
    } else if (l == 3) {
        double a = sqrt(35.0 / (32.0 * pi)), b = sqrt(105.0 / (4.0 * pi)),
               c = sqrt(21.0 / (32.0 * pi)), d = sqrt(7.0 / (16.0 * pi)),
               e = sqrt(105.0 / (16.0 * pi));
        switch (m) {
        case 0: /* a (3x^2 y - y^3) */
            g[0] = a * 6.0 * x * y, g[1] = a * 3.0 * (x * x - y * y);
            break;
        case 1: /* b xyz */
            g[0] = b * y * z, g[1] = b * x * z, g[2] = b * x * y;
            break;
        case 2: /* c y (5z^2 - 1) */
            g[1] = c * (5.0 * z * z - 1.0), g[2] = c * 10.0 * y * z;
            break;
        case 3: /* d (5z^3 - 3z) */
            g[2] = d * (15.0 * z * z - 3.0);
            break;
        case 4: /* c x (5z^2 - 1) */
            g[0] = c * (5.0 * z * z - 1.0), g[2] = c * 10.0 * x * z;
            break;
        case 5: /* e (x^2 - y^2) z */
            g[0] = e * 2.0 * x * z, g[1] = -e * 2.0 * y * z, g[2] = e * (x * x - y * y);
            break;
        default: /* a (x^3 - 3 x y^2) */
            g[0] = a * 3.0 * (x * x - y * y), g[1] = -a * 6.0 * x * y;
        }
    }
}

ate_status pw_nl_init(pw_nl *nl, const pw_cell *c, const pw_kset *ks, const pw_atoms *at,
                      ate_error *err)
{
    memset(nl, 0, sizeof(*nl));
    return pw_nl_update(nl, c, ks, at, err);
}

ate_status pw_nl_update(pw_nl *nl, const pw_cell *c, const pw_kset *ks, const pw_atoms *at,
                        ate_error *err)
{
    int np = 0, nrad = 0, lmax = -1;
    for (int a = 0; a < at->n; ++a) {
        const pw_gth *p = &at->psp[at->species[a]];
        for (int l = 0; l < p->nl; ++l)
            np += (2 * l + 1) * p->nprj[l];
    }
    for (int q = 0; q < at->nspecies; ++q) {
        for (int l = 0; l < at->psp[q].nl; ++l)
            nrad += at->psp[q].nprj[l];
        if (at->psp[q].nl - 1 > lmax) lmax = at->psp[q].nl - 1;
    }
    nl->nproj = np, nl->npw = ks->npw, nl->gamma = ks->gamma;
    if (np == 0) return ATE_OK;
    size_t npw = (size_t)ks->npw;
    if (!nl->p || nl->cap < npw) { /* storage for this many plane waves (kept for others) */
        free(nl->atom), free(nl->p), free(nl->h), free(nl->scratch);
        nl->atom = malloc((size_t)np * 4 * sizeof(int));
        nl->p = malloc((size_t)np * npw * sizeof(pw_cplx));
        nl->h = calloc((size_t)np * np, sizeof(double));
        /* |k+G|, unit vectors, the radial parts [species][l][i], Y_lm [l^2 + m], e^{-i(k+G)x} */
        nl->scratch =
            malloc(npw * (4 + (size_t)nrad + (size_t)(lmax + 1) * (lmax + 1) + 2) * sizeof(double));
        nl->cap = npw;
        if (!nl->atom || !nl->p || !nl->h || !nl->scratch) {
            pw_nl_free(nl);
            return ATE_ERROR(err, ATE_ERR_MEMORY, "non-local projectors: out of memory");
        }
    }
    double *qn = nl->scratch, *unit = qn + npw, *rad = unit + 3 * npw,
           *yl = rad + (size_t)nrad * npw;
    pw_cplx *ph = (pw_cplx *)(yl + (size_t)(lmax + 1) * (lmax + 1) * npw);
    nl->l = nl->atom + np, nl->m = nl->atom + 2 * np, nl->i = nl->atom + 3 * np;
    for (size_t g = 0; g < npw; ++g) {
        const double *v = ks->kpg + 3 * g;
        qn[g] = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        for (int d = 0; d < 3; ++d)
            unit[3 * g + d] = qn[g] > 0.0 ? v[d] / qn[g] : 0.0;
    }
    for (int l = 0; l <= lmax; ++l)
        for (int m = 0; m < 2 * l + 1; ++m) {
            double *y = yl + (size_t)(l * l + m) * npw;
            for (size_t g = 0; g < npw; ++g)
                y[g] = qn[g] > 0.0 || l == 0 ? ylm(l, m, unit + 3 * g) : 0.0;
        }
    for (int q = 0, first_rad = 0; q < at->nspecies; ++q) { /* species q's from first_rad */
        const pw_gth *p = &at->psp[q];
        for (int l = 0; l < p->nl; ++l)
            for (int i = 0; i < p->nprj[l]; ++i, ++first_rad) {
                pw_gth_proj_q_n(p, l, i, npw, qn, rad + (size_t)first_rad * npw);
            }
    }
    double pre = 4.0 * ATE_PI / sqrt(c->vol);
    memset(nl->h, 0, (size_t)np * np * sizeof(double));
    int j = 0;
    for (int a = 0; a < at->n; ++a) {
        const pw_gth *p = &at->psp[at->species[a]];
        const double *x = at->x + 3 * a;
        for (size_t g = 0; g < npw; ++g) {
            const double *v = ks->kpg + 3 * g;
            ph[g] = cexp(-I * (v[0] * x[0] + v[1] * x[1] + v[2] * x[2]));
        }
        int r0 = 0;
        for (int q = 0; q < at->species[a]; ++q)
            for (int l = 0; l < at->psp[q].nl; ++l)
                r0 += at->psp[q].nprj[l];
        for (int l = 0; l < p->nl; ++l) {
            int first = j; /* projectors of (a, l): index first + m * nprj + i */
            pw_cplx phase_l = cpow(-I, l) * pre;
            for (int m = 0; m < 2 * l + 1; ++m)
                for (int i = 0; i < p->nprj[l]; ++i, ++j) {
                    nl->atom[j] = a, nl->l[j] = l, nl->m[j] = m, nl->i[j] = i;
                    pw_cplx *col = nl->p + (size_t)j * npw;
                    const double *y = yl + (size_t)(l * l + m) * npw,
                                 *r = rad + (size_t)(r0 + i) * npw;
                    for (size_t g = 0; g < npw; ++g)
                        col[g] = phase_l * (y[g] * r[g]) * ph[g];
                }
            r0 += p->nprj[l];
            for (int m = 0; m < 2 * l + 1; ++m)
                for (int i = 0; i < p->nprj[l]; ++i)
                    for (int k = 0; k < p->nprj[l]; ++k) {
                        int r = first + m * p->nprj[l] + i, s = first + m * p->nprj[l] + k;
                        nl->h[(size_t)r * np + s] = p->h[l][i][k];
                    }
        }
    }
    return ATE_OK;
}

void pw_nl_free(pw_nl *nl)
{
    free(nl->atom), free(nl->p), free(nl->h), free(nl->scratch);
    memset(nl, 0, sizeof(*nl));
}

/* gamma: b = P^H c is real (projector and wavefunction are real in space): 2 Re sum over the
 * half sphere less the G = 0 term, as real [nb][nproj] */
static void project_real(const pw_nl *nl, int nb, const pw_cplx *c, double *b)
{
    int ld = 2 * nl->npw, np = nl->nproj;
    cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, np, nb, ld, 2.0, (const double *)nl->p, ld,
                (const double *)c, ld, 0.0, b, np);
    for (int n = 0; n < nb; ++n)
        for (int r = 0; r < np; ++r)
            b[(size_t)n * np + r] -=
                creal(nl->p[(size_t)r * nl->npw]) * creal(c[(size_t)n * nl->npw]);
}

/* b = P^H c : [nb][nproj] (column n = band n) */
static void project(const pw_nl *nl, int nb, const pw_cplx *c, pw_cplx *b)
{
    if (nl->gamma) { /* real values, spread in place from the back */
        double *bd = (double *)b;
        project_real(nl, nb, c, bd);
        for (size_t q = (size_t)nl->nproj * nb; q-- > 0;) {
            double v = bd[q];
            b[q] = v;
        }
        return;
    }
    const pw_cplx one = 1.0, zero = 0.0;
    cblas_zgemm(CblasColMajor, CblasConjTrans, CblasNoTrans, nl->nproj, nb, nl->npw, &one, nl->p,
                nl->npw, c, nl->npw, &zero, b, nl->nproj);
}

void pw_nl_apply(const pw_nl *nl, int nb, const pw_cplx *c, pw_cplx *hc, pw_cplx *work)
{
    int np = nl->nproj;
    if (!np) return;
    if (nl->gamma) {
        double *b = (double *)work, *d = b + (size_t)np * nb;
        project_real(nl, nb, c, b);
        for (int n = 0; n < nb; ++n)
            for (int r = 0; r < np; ++r) {
                double s = 0.0;
                for (int q = 0; q < np; ++q)
                    s += nl->h[(size_t)r * np + q] * b[(size_t)n * np + q];
                d[(size_t)n * np + r] = s;
            }
        int ld = 2 * nl->npw;
        cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, ld, nb, np, 1.0,
                    (const double *)nl->p, ld, d, np, 1.0, (double *)hc, ld);
        return;
    }
    pw_cplx *b = work, *d = work + (size_t)np * nb;
    project(nl, nb, c, b);
    for (int n = 0; n < nb; ++n)
        for (int r = 0; r < np; ++r) {
            pw_cplx s = 0.0;
            for (int q = 0; q < np; ++q) {
                double h = nl->h[(size_t)r * np + q];
                if (h != 0.0) s += h * b[(size_t)n * np + q];
            }
            d[(size_t)n * np + r] = s;
        }
    const pw_cplx one = 1.0;
    cblas_zgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, nl->npw, nb, np, &one, nl->p, nl->npw, d,
                np, &one, hc, nl->npw);
}

double pw_nl_energy(const pw_nl *nl, const pw_kset *ks, int nb, const pw_cplx *c, const double *occ,
                    double *f)
{
    int np = nl->nproj;
    if (!np) return 0.0;
    size_t npw = (size_t)nl->npw;
    pw_cplx *b = malloc((size_t)np * nb * 4 * sizeof(pw_cplx));
    pw_cplx *cd = f ? malloc(npw * nb * sizeof(pw_cplx)) : NULL;
    if (!b || (f && !cd)) {
        free(b), free(cd);
        return NAN;
    }
    project(nl, nb, c, b);
    if (f)
        for (int d = 0; d < 3; ++d) {
            for (int n = 0; n < nb; ++n)
                for (size_t g = 0; g < npw; ++g)
                    cd[(size_t)n * npw + g] = I * ks->kpg[3 * g + d] * c[(size_t)n * npw + g];
            project(nl, nb, cd, b + (size_t)(d + 1) * np * nb);
        }
    double e = 0.0;
    for (int n = 0; n < nb; ++n) {
        if (occ[n] == 0.0) continue;
        const pw_cplx *bn = b + (size_t)n * np;
        for (int r = 0; r < np; ++r)
            for (int q = 0; q < np; ++q) {
                double h = nl->h[(size_t)r * np + q];
                if (h == 0.0) continue;
                e += occ[n] * h * creal(conj(bn[r]) * bn[q]);
                if (f)
                    for (int d = 0; d < 3; ++d) {
                        const pw_cplx *db = b + (size_t)(d + 1) * np * nb + (size_t)n * np;
                        f[3 * nl->atom[q] + d] -= 2.0 * occ[n] * h * creal(conj(bn[r]) * db[q]);
                    }
            }
    }
    free(b), free(cd);
    return e;
}

ate_status pw_nl_stress(const pw_nl *nl, const pw_cell *c, const pw_kset *ks, const pw_atoms *at,
                        int nb, const pw_cplx *cf, const double *occ, double *dde, ate_error *err)
{
    int np = nl->nproj, nrad = 0, lmax = 0;
    if (!np) return ATE_OK;
    size_t npw = (size_t)nl->npw;
    for (int q = 0; q < at->nspecies; ++q) {
        for (int l = 0; l < at->psp[q].nl; ++l)
            nrad += at->psp[q].nprj[l];
        if (at->psp[q].nl - 1 > lmax) lmax = at->psp[q].nl - 1;
    }
    int nylm = (lmax + 1) * (lmax + 1);
    pw_cplx *b = malloc((size_t)np * nb * 2 * sizeof(pw_cplx)),
            *db = b ? b + (size_t)np * nb : NULL;
    pw_cplx *dp = malloc((size_t)np * npw * sizeof(pw_cplx));
    pw_cplx *ph = malloc((size_t)at->n * npw * sizeof(pw_cplx));
    /* per plane wave: unit vector, P and q dP/dq [nrad], Y and grad Y [nylm] */
    double *unit = malloc(npw * (3 + 2 * (size_t)nrad + 4 * (size_t)nylm) * sizeof(double));
    if (!b || !dp || !ph || !unit) {
        free(b), free(dp), free(ph), free(unit);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "non-local stress: out of memory");
    }
    double *rad = unit + 3 * npw, *qdrad = rad + (size_t)nrad * npw,
           *yl = qdrad + (size_t)nrad * npw, *dyl = yl + (size_t)nylm * npw;
    for (size_t g = 0; g < npw; ++g) {
        const double *v = ks->kpg + 3 * g;
        double qn = sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
        double *u = unit + 3 * g;
        for (int d = 0; d < 3; ++d)
            u[d] = qn > 0.0 ? v[d] / qn : 0.0;
        for (int l = 0; l <= lmax; ++l)
            for (int m = 0; m < 2 * l + 1; ++m) {
                size_t k = (size_t)(l * l + m);
                yl[k * npw + g] = qn > 0.0 || l == 0 ? ylm(l, m, u) : 0.0;
                ylm_grad(l, m, u, dyl + 3 * (k * npw + g));
            }
        for (int q = 0, r = 0; q < at->nspecies; ++q)
            for (int l = 0; l < at->psp[q].nl; ++l)
                for (int i = 0; i < at->psp[q].nprj[l]; ++i, ++r)
                    rad[(size_t)r * npw + g] =
                        pw_gth_proj_qdq(&at->psp[q], l, i, qn, &qdrad[(size_t)r * npw + g]);
    }
    for (int a = 0; a < at->n; ++a)
        for (size_t g = 0; g < npw; ++g) {
            const double *v = ks->kpg + 3 * g, *x = at->x + 3 * a;
            ph[(size_t)a * npw + g] = cexp(-I * (v[0] * x[0] + v[1] * x[1] + v[2] * x[2]));
        }
    project(nl, nb, cf, b);
    double enl = 0.0;
    for (int n = 0; n < nb; ++n)
        for (int r = 0; r < np; ++r)
            for (int q = 0; q < np; ++q)
                enl += occ[n] * nl->h[(size_t)r * np + q] *
                       creal(conj(b[(size_t)n * np + r]) * b[(size_t)n * np + q]);
    double pre = 4.0 * ATE_PI / sqrt(c->vol);
    pw_nl dnl = *nl;
    dnl.p = dp;
    for (int ea = 0; ea < 3; ++ea)
        for (int eb = ea; eb < 3; ++eb) {
            for (int j = 0; j < np; ++j) {
                int a = nl->atom[j], l = nl->l[j], sp = at->species[a], r = nl->i[j];
                for (int q = 0; q < sp; ++q) /* species sp's radial parts follow the others' */
                    for (int l2 = 0; l2 < at->psp[q].nl; ++l2)
                        r += at->psp[q].nprj[l2];
                for (int l2 = 0; l2 < l; ++l2)
                    r += at->psp[sp].nprj[l2];
                size_t k = (size_t)(l * l + nl->m[j]);
                pw_cplx phase = cpow(-I, l) * pre;
                const double *y = yl + k * npw, *dy = dyl + 3 * k * npw, *P = rad + (size_t)r * npw,
                             *QP = qdrad + (size_t)r * npw;
                const pw_cplx *pa = ph + (size_t)a * npw;
                pw_cplx *col = dp + (size_t)j * npw;
                for (size_t g = 0; g < npw; ++g) {
                    const double *u = unit + 3 * g, *gy = dy + 3 * g;
                    double t = u[0] * gy[0] + u[1] * gy[1] + u[2] * gy[2];
                    double df =
                        -QP[g] * u[ea] * u[eb] * y[g] -
                        0.5 * P[g] * ((gy[ea] - u[ea] * t) * u[eb] + (gy[eb] - u[eb] * t) * u[ea]);
                    col[g] = phase * df * pa[g];
                }
            }
            project(&dnl, nb, cf, db);
            double s = 0.0;
            for (int n = 0; n < nb; ++n) {
                if (occ[n] == 0.0) continue;
                for (int r = 0; r < np; ++r)
                    for (int q = 0; q < np; ++q) {
                        double h = nl->h[(size_t)r * np + q];
                        if (h != 0.0)
                            s += 2.0 * occ[n] * h *
                                 creal(conj(b[(size_t)n * np + r]) * db[(size_t)n * np + q]);
                    }
            }
            dde[3 * ea + eb] += s;
            if (eb != ea) dde[3 * eb + ea] += s;
        }
    for (int d = 0; d < 3; ++d)
        dde[4 * d] -= enl;
    free(b), free(dp), free(ph), free(unit);
    return ATE_OK;
}
