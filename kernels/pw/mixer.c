/**
 * @file mixer.c
 * @brief Pulay (DIIS) density mixing of the plane-wave SCF (P. Pulay, Chem. Phys. Lett. 73, 393
 *        (1980)) in a metric that weights small G (G. Kresse, J. Furthmueller, PRB 54, 11169
 *        (1996), sec. V: there (G^2 + q1^2)/G^2; here the Hartree weight 4 pi/G^2, as Quantum
 *        ESPRESSO's mixer), with Kerker's preconditioner for metals that extend in two or three
 *        directions (G. P. Kerker, PRB 23, 3082 (1981); docs/theory-pw.md, "SCF").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/units.h"
#include "pw_mixer.h"

/* the Pulay step beta is this times the generic mixing weight (ate_kernel_opts.mixing, default
 * 0.4 as xtb's Broyden damping), at most 1: 0.7 at the default, Quantum ESPRESSO's mixing_beta
 * default (with the Hartree metric 6-26 % fewer SCF iterations than the plain metric and 0.4 on
 * every validation cell: benchmarks/peers/pw_vs_qe.md) */
static const double PULAY_STEP_PER_WEIGHT = 1.75;
/* the metric weight of the magnetisation in the Pulay overlaps: 4 pi / q_m^2 with q_m = 2 pi
 * bohr^-1, the Hartree weight of the charge at |G| = 2 pi bohr^-1 (Quantum ESPRESSO's rho_ddot
 * uses the same constant, "lambda = 1 a.u.") */
static const double MAG_METRIC = 1.0 / ATE_PI;

/* the box index of -G */
static int minus_box(const pw_grid *g, int p)
{
    int n1 = g->n[1], n2 = g->n[2], i = p / (n1 * n2), j = p / n2 % n1, k = p % n2;
    return (((g->n[0] - i) % g->n[0]) * n1 + (n1 - j) % n1) * n2 + (n2 - k) % n2;
}

/* Directions of the cell along which the atoms leave a vacuum gap: the largest gap between the
 * atoms' fractional coordinates along a_i (periodically), times the spacing 2 pi / |b_i| of the
 * lattice planes, at least PW_VACUUM_GAP. A bulk cell has none, a slab one, a wire two, a
 * molecule in a box three. */
#define PW_VACUUM_GAP (4.5 * ATE_ANGSTROM_BOHR) /* > any bulk plane spacing (bcc Cs: 4.3 Å) */
int pw_vacuum_directions(const pw_cell *c, const pw_atoms *at)
{
    double *f = malloc((size_t)at->n * sizeof(double));
    if (!f) return 0; /* bulk: Kerker stays as for a metal */
    int nvac = 0;
    for (int d = 0; d < 3; ++d) {
        const double *b = c->b[d];
        for (int i = 0; i < at->n; ++i) {
            const double *x = at->x + 3 * i;
            double s = (b[0] * x[0] + b[1] * x[1] + b[2] * x[2]) / (2.0 * ATE_PI);
            f[i] = s - floor(s);
        }
        for (int i = 1; i < at->n; ++i) /* insertion sort: few atoms */
            for (int j = i; j > 0 && f[j - 1] > f[j]; --j) {
                double tmp = f[j];
                f[j] = f[j - 1], f[j - 1] = tmp;
            }
        double gap = 1.0 - (f[at->n - 1] - f[0]);
        for (int i = 1; i < at->n; ++i)
            gap = fmax(gap, f[i] - f[i - 1]);
        double spacing = 2.0 * ATE_PI / sqrt(b[0] * b[0] + b[1] * b[1] + b[2] * b[2]);
        nvac += gap * spacing >= PW_VACUUM_GAP;
    }
    free(f);
    return nvac;
}

/* the rank whose planes [planes[2 q], planes[2 q] + planes[2 q + 1]) of axis 1 hold plane j */
static int owner(int j, const int *planes, int size)
{
    int q = 0;
    while (q < size - 1 && j >= planes[2 * q] + planes[2 * q + 1])
        ++q;
    return q;
}

ate_status pw_mixer_init(pw_mixer *m, const pw_grid *g, int nblk, double mixing, bool kerker,
                         const pw_slab *sl, bool out_local, ate_error *err)
{
    double beta = fmin(1.0, PULAY_STEP_PER_WEIGHT * mixing);
    memset(m, 0, sizeof(*m));
    m->nblk = nblk, m->g0 = -1, m->comm = MPI_COMM_NULL, m->size = 1;
    const int n0 = g->n[0], n1 = g->n[1], n2 = g->n[2];
    /* every rank's planes [first, first + count) of axis 1 (one rank: all of them) */
    int mine[2] = {0, n1}, *planes = mine, *first = NULL;
    if (sl && sl->size > 1) {
        m->comm = sl->comm, m->size = sl->size, m->rank = sl->rank;
        mine[0] = (int)sl->l1, mine[1] = (int)sl->ln1;
        m->cnt = malloc(2 * (size_t)m->size * sizeof(int));
        planes = malloc(3 * (size_t)m->size * sizeof(int));
        int ok = m->cnt && planes, allok = 0;
        MPI_Allreduce(&ok, &allok, 1, MPI_INT, MPI_MIN, m->comm);
        if (!allok) {
            free(planes);
            return ATE_ERROR(err, ATE_ERR_MEMORY, "density mixing: out of memory%s",
                             ok ? " on another rank" : "");
        }
        m->displ = m->cnt + m->size;
        MPI_Allgather(mine, 2, MPI_INT, planes, 2, MPI_INT, m->comm);
        first = planes + 2 * m->size; /* each rank's first point in the gathered list */
    }
    int q;
    if (m->size > 1) {
        for (q = 0; q < m->size; ++q)
            m->cnt[q] = 0;
        for (int p = 0; p < g->ntot; ++p)
            if (g->sphere[p] && p <= minus_box(g, p)) {
                ++m->cnt[owner(p / n2 % n1, planes, m->size)];
            }
        for (q = 0; q < m->size; ++q) {
            first[q] = m->len_all;
            m->len_all += m->cnt[q];
            m->displ[q] = 2 * nblk * first[q], m->cnt[q] *= 2 * nblk;
        }
        m->len = m->cnt[m->rank] / (2 * nblk);
    } else {
        for (int p = 0; p < g->ntot; ++p)
            if (g->sphere[p] && p <= minus_box(g, p)) ++m->len;
        m->len_all = m->len;
    }
    size_t tot = (size_t)m->len * nblk;
    m->map = malloc((size_t)m->len * sizeof(int));
    m->mapm = malloc((size_t)m->len * sizeof(int));
    if (out_local) m->oidx = malloc((size_t)m->len * sizeof(int)); /* else: map */
    m->pre = malloc(tot * sizeof(double));
    m->wt = malloc(tot * sizeof(double));
    bool ok = m->map && m->mapm && (m->oidx || !out_local) && m->pre && m->wt;
    if (m->size > 1) { /* (one rank writes its new density straight into the box) */
        m->vbuf = malloc((size_t)m->len_all * nblk * sizeof(pw_cplx));
        m->map_all = malloc((size_t)m->len_all * sizeof(int));
        m->mapm_all = malloc((size_t)m->len_all * sizeof(int));
        ok = ok && m->vbuf && m->map_all && m->mapm_all;
    }
    for (int h = 0; h < PW_NHIST && ok; ++h) {
        m->rin[h] = malloc(tot * sizeof(pw_cplx));
        m->res[h] = malloc(tot * sizeof(pw_cplx));
        ok = m->rin[h] && m->res[h];
    }
    if (!ok) {
        if (planes != mine) free(planes);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "density mixing: out of memory");
    }
    const double q0 = 0.8; /* Kerker wave vector, 1/bohr */
    for (int p = 0, j = 0; p < g->ntot; ++p)
        if (g->sphere[p] && p <= minus_box(g, p)) {
            q = owner(p / n2 % n1, planes, m->size);
            if (m->size > 1) { /* the gathered list: rank by rank, box order within */
                m->map_all[first[q]] = p, m->mapm_all[first[q]] = minus_box(g, p);
                ++first[q];
            }
            if (q != m->rank) continue;
            int i = p / (n1 * n2), jj = p / n2 % n1, k = p % n2;
            m->map[j] = p, m->mapm[j] = minus_box(g, p);
            if (out_local) m->oidx[j] = ((jj - mine[0]) * n0 + i) * n2 + k;
            m->pre[j] = kerker ? beta * g->g2[p] / (g->g2[p] + q0 * q0) : beta;
            m->wt[j] = g->g2[p] > 0.0 ? 4.0 * ATE_PI / g->g2[p] : 0.0; /* rho(0) is fixed */
            if (g->g2[p] == 0.0) m->pre[j] = 0.0;
            if (p == 0) m->g0 = j;
            for (int b = 1; b < nblk; ++b) { /* the magnetisation: plain */
                m->pre[(size_t)b * m->len + j] = beta;
                m->wt[(size_t)b * m->len + j] = MAG_METRIC;
            }
            ++j;
        }
    if (planes != mine) free(planes);
    return ATE_OK;
}

void pw_mixer_free(pw_mixer *m)
{
    for (int h = 0; h < PW_NHIST; ++h)
        free(m->rin[h]), free(m->res[h]);
    free(m->map), free(m->mapm), free(m->oidx), free(m->pre), free(m->wt);
    free(m->cnt), free(m->map_all), free(m->mapm_all), free(m->vbuf);
    memset(m, 0, sizeof(*m));
}

/* gather block b of a box array pair (spin densities s0, s1 -> rho, m) */
static pw_cplx comp(const pw_cplx *x, size_t ntot, int nblk, int b, int p)
{
    if (nblk == 1) return x[p];
    return b == 0 ? x[p] + x[ntot + p] : x[p] - x[ntot + p];
}

/* the new rho (and m) v of G (box index p) and -G (pm) into the spin densities x */
static void put(pw_cplx *x, size_t ntot, int nblk, int p, int pm, const pw_cplx *v)
{
    if (nblk == 1)
        x[p] = v[0], x[pm] = conj(v[0]);
    else {
        x[p] = 0.5 * (v[0] + v[1]), x[ntot + p] = 0.5 * (v[0] - v[1]);
        x[pm] = conj(x[p]), x[ntot + pm] = conj(x[ntot + p]);
    }
}

/* new input spin densities from in, out into in */
void pw_mixer_step(pw_mixer *m, size_t ntot, pw_cplx *in, const pw_cplx *out, size_t ostride)
{
    int h = m->next;
    size_t tot = (size_t)m->len * m->nblk;
    const int *oidx = m->oidx ? m->oidx : m->map;
    for (int b = 0; b < m->nblk; ++b)
        for (int j = 0; j < m->len; ++j) {
            pw_cplx xi = comp(in, ntot, m->nblk, b, m->map[j]),
                    xo = comp(out, ostride, m->nblk, b, oidx[j]);
            m->rin[h][(size_t)b * m->len + j] = xi;
            m->res[h][(size_t)b * m->len + j] = xo - xi;
        }
    m->next = (m->next + 1) % PW_NHIST;
    if (m->count < PW_NHIST) ++m->count;
    int n = m->count;
    /* minimise |sum c_i R_i|^2 subject to sum c_i = 1 */
    double a[(PW_NHIST + 1) * (PW_NHIST + 1)], bb[PW_NHIST + 1], d[PW_NHIST];
    int slot[PW_NHIST];
    for (int i = 0; i < n; ++i)
        slot[i] = (h - i + PW_NHIST) % PW_NHIST; /* newest first */
    /* the new residual's overlaps <R_i|R_h> over this rank's points, summed over the ranks; the
     * others were computed in the steps that added the newer of each pair (the same operands) */
    for (int i = 0; i < n; ++i) {
        double sum = 0.0;
        const pw_cplx *ri = m->res[slot[i]], *rk = m->res[h];
        for (size_t j = 0; j < tot; ++j)
            sum += m->wt[j] * creal(conj(ri[j]) * rk[j]);
        sum *= 2.0; /* +-G twice, G = 0 once */
        for (int b = 0; b < m->nblk && m->g0 >= 0; ++b) {
            size_t q = (size_t)b * m->len + m->g0;
            sum -= m->wt[q] * creal(conj(ri[q]) * rk[q]);
        }
        d[i] = sum;
    }
    if (m->size > 1) {
        /* rank 0's sums on every rank: MPI does not promise every rank of an Allreduce the same
         * bits (only advises it), and equal overlaps give equal coefficients everywhere */
        MPI_Allreduce(MPI_IN_PLACE, d, n, MPI_DOUBLE, MPI_SUM, m->comm);
        MPI_Bcast(d, n, MPI_DOUBLE, 0, m->comm);
    }
    for (int i = 0; i < n; ++i)
        m->ov[slot[i]][h] = m->ov[h][slot[i]] = d[i];
    int dim = n + 1;
    for (int i = 0; i < n; ++i)
        for (int k = 0; k <= i; ++k)
            a[i * dim + k] = a[k * dim + i] = m->ov[slot[i]][slot[k]];
    for (int i = 0; i < n; ++i)
        a[i * dim + n] = a[n * dim + i] = 1.0, bb[i] = 0.0;
    a[n * dim + n] = 0.0, bb[n] = 1.0;
    /* Gaussian elimination with partial pivoting (tiny system) */
    double coef[PW_NHIST + 1] = {0};
    bool ok = true;
    for (int col = 0; col < dim && ok; ++col) {
        int piv = col;
        for (int r = col + 1; r < dim; ++r)
            if (fabs(a[r * dim + col]) > fabs(a[piv * dim + col])) piv = r;
        if (fabs(a[piv * dim + col]) < 1e-300) {
            ok = false;
            break;
        }
        if (piv != col) {
            for (int k = 0; k < dim; ++k) {
                double t = a[col * dim + k];
                a[col * dim + k] = a[piv * dim + k], a[piv * dim + k] = t;
            }
            double t = bb[col];
            bb[col] = bb[piv], bb[piv] = t;
        }
        for (int r = col + 1; r < dim; ++r) {
            double f = a[r * dim + col] / a[col * dim + col];
            for (int k = col; k < dim; ++k)
                a[r * dim + k] -= f * a[col * dim + k];
            bb[r] -= f * bb[col];
        }
    }
    for (int r = dim - 1; r >= 0 && ok; --r) {
        double sum = bb[r];
        for (int k = r + 1; k < dim; ++k)
            sum -= a[r * dim + k] * coef[k];
        coef[r] = sum / a[r * dim + r];
    }
    if (!ok || !isfinite(coef[0])) { /* fall back to the newest pair only */
        for (int i = 0; i < n; ++i)
            coef[i] = i == 0 ? 1.0 : 0.0;
        m->count = 1;
    }
    /* this rank's points of the new density: one rank straight into in (in place: in is read
     * at G = 0 only, before it is written), several into their shares of vbuf ([point][block]),
     * gathered, then into in */
    pw_cplx *mine = m->vbuf ? m->vbuf + m->displ[m->rank] / 2 : NULL;
    for (int j = 0; j < m->len; ++j) {
        pw_cplx vj[2], *v = mine ? mine + (size_t)j * m->nblk : vj;
        for (int b = 0; b < m->nblk; ++b) {
            size_t q = (size_t)b * m->len + j;
            pw_cplx r = 0.0, x = 0.0;
            for (int i = 0; i < n; ++i)
                x += coef[i] * m->rin[slot[i]][q], r += coef[i] * m->res[slot[i]][q];
            v[b] = x + m->pre[q] * r;
        }
        int p = m->map[j];
        if (m->pre[j] == 0.0) v[0] = comp(in, ntot, m->nblk, 0, p); /* G = 0 of rho */
        if (p == m->mapm[j])                                        /* G = 0: real */
            for (int b = 0; b < m->nblk; ++b)
                v[b] = creal(v[b]);
        if (!mine) put(in, ntot, m->nblk, p, m->mapm[j], v);
    }
    if (!mine) return;
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, m->vbuf, m->cnt, m->displ, MPI_DOUBLE,
                   m->comm);
    for (int e = 0; e < m->len_all; ++e)
        put(in, ntot, m->nblk, m->map_all[e], m->mapm_all[e], m->vbuf + (size_t)e * m->nblk);
}
