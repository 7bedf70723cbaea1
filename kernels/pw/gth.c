/**
 * @file gth.c
 * @brief GTH/HGH norm-conserving pseudopotentials: the reader of CP2K's GTH_POTENTIALS format
 *        and the analytic reciprocal-space forms (docs/theory-pw.md, "Pseudopotentials").
 *
 * Local part (Goedecker, Teter, Hutter, PRB 54, 1703 (1996), eq. 1; x = r / r_loc):
 *   V_loc(r) = -Z_ion/r erf(x / sqrt 2) + e^{-x^2/2} [C1 + C2 x^2 + C3 x^4 + C4 x^6],
 * whose transform is (ibid. eq. 5; x = q r_loc)
 *   v(q) = -4 pi Z_ion / q^2 e^{-x^2/2} + (2 pi)^{3/2} r_loc^3 e^{-x^2/2}
 *          [C1 + C2 (3 - x^2) + C3 (15 - 10 x^2 + x^4) + C4 (105 - 105 x^2 + 21 x^4 - x^6)].
 * Projectors (Hartwigsen, Goedecker, Hutter, PRB 58, 3641 (1998), eq. 3; i = 1, 2, 3):
 *   p_i^l(r) = sqrt 2 r^{l + 2(i-1)} e^{-r^2 / 2 r_l^2} / (r_l^{l + (4i-1)/2} sqrt Gamma(l +
 * (4i-1)/2)), with radial transforms P(q) = int r^2 j_l(qr) p(r) dr from int_0^inf r^{l+2} j_l(qr)
 * e^{-a r^2} dr = sqrt(pi) q^l / (2^{l+2} a^{l+3/2}) e^{-q^2/4a} and its derivatives -d/da for the
 * higher powers r^{l+2+2n}.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/elements.h"
#include "pw.h"

/* next non-comment line of f into buf (comments: '#' to end of line); 0 at end of file */
static int next_line(FILE *f, char *buf, size_t n, int *lineno)
{
    while (fgets(buf, (int)n, f)) {
        ++*lineno;
        char *h = strchr(buf, '#');
        if (h) *h = '\0';
        char *s = buf;
        while (isspace((unsigned char)*s))
            ++s;
        if (*s) return 1;
    }
    return 0;
}

/* read count numbers from the following lines (several per line) */
static int read_numbers(FILE *f, char *buf, size_t n, int *lineno, char **pos, double *v, int count)
{
    for (int k = 0; k < count; ++k) {
        char *end;
        for (;;) {
            while (**pos && isspace((unsigned char)**pos))
                ++*pos;
            if (**pos) break;
            if (!next_line(f, buf, n, lineno)) return 0;
            *pos = buf;
        }
        v[k] = strtod(*pos, &end);
        if (end == *pos) return 0;
        *pos = end;
    }
    return 1;
}

/* the next whitespace-separated token of *s (NUL-terminated in place), or NULL */
static char *token(char **s)
{
    char *p = *s + strspn(*s, " \t\r\n");
    if (!*p) return NULL;
    size_t len = strcspn(p, " \t\r\n");
    *s = p + len + (p[len] ? 1 : 0);
    p[len] = '\0';
    return p;
}

/* Does the header line of an entry name sym and match? With a name: one of its names is that name.
 * Without: exact (pass 0) one of its names is xc_tag itself, CP2K's alias for the element's default
 * entry ("Pt GTH-PBE-q18 GTH-PBE", "Cu GTH-PADE-q11 GTH-LDA-q11 GTH-PADE GTH-LDA"); otherwise
 * (pass 1) a name starts with xc_tag. */
static bool header_has(char *line, const char *sym, const char *name, const char *xc_tag, int pass)
{
    char *tok = token(&line);
    if (!tok || strcmp(tok, sym) != 0) return false;
    while ((tok = token(&line))) {
        if (name && !strcmp(tok, name)) return true;
        if (!name && xc_tag && pass == 0 && !strcmp(tok, xc_tag)) return true;
        if (!name && xc_tag && pass == 1 && !strncmp(tok, xc_tag, strlen(xc_tag))) return true;
    }
    return false;
}

ate_status pw_gth_read(const char *path, int z, const char *name, const char *xc_tag, pw_gth *out,
                       ate_error *err)
{
    memset(out, 0, sizeof(*out));
    const char *sym = ate_element_symbol(z);
    if (!sym) return ATE_ERROR(err, ATE_ERR_INPUT, "no element with atomic number %d", z);
    FILE *f = fopen(path, "r");
    if (!f)
        return ate_error_set_input(err, ATE_ERR_IO, __FILE__, __LINE__, path, 0, 0, "pseudo",
                                   "cannot open the pseudopotential file");
    char buf[512], copy[512];
    int lineno = 0, start = 0;
    bool found = false;
    /* the entry CP2K's bare alias (GTH-PBE, GTH-PADE) names, else the first whose name starts
     * with the tag: with LDA the first Cu, Ag and Au entries are one-electron (q1) potentials
     * without d states, with PBE the first Pd and Pt entries q10 where the default is q18 */
    for (int pass = name ? 1 : 0; pass < 2 && !found; ++pass) {
        if (pass == 1) rewind(f), lineno = 0;
        while (!found && next_line(f, buf, sizeof buf, &lineno)) {
            if (!isalpha((unsigned char)buf[0])) continue;
            memcpy(copy, buf, sizeof copy);
            if (!header_has(copy, sym, name, xc_tag, pass)) continue;
            found = true, start = lineno;
            char *rest = buf;
            token(&rest);
            char *first = token(&rest);
            snprintf(out->name, sizeof out->name, "%s", name ? name : (first ? first : "?"));
        }
    }
    if (!found) {
        fclose(f);
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, path, 0, 0, "pseudo",
                                   "no GTH pseudopotential %s %s in this file", sym,
                                   name ? name : (xc_tag ? xc_tag : ""));
    }
    out->z = z;
    double v[8];
    char *pos = buf;
    buf[0] = '\0';
    int ok = 1;
    /* electron counts per angular momentum: one line of integers */
    if (!next_line(f, buf, sizeof buf, &lineno)) ok = 0;
    if (ok) {
        char *p = buf, *end;
        for (;;) {
            double e = strtod(p, &end);
            if (end == p) break;
            out->zion += e;
            p = end;
        }
        if (!(out->zion > 0)) ok = 0;
    }
    if (ok && next_line(f, buf, sizeof buf, &lineno)) {
        pos = buf;
        ok = read_numbers(f, buf, sizeof buf, &lineno, &pos, v, 2);
        out->rloc = v[0], out->nloc = (int)v[1];
        if (ok && (out->nloc < 0 || out->nloc > 4 || !(out->rloc > 0))) ok = 0;
        if (ok) ok = read_numbers(f, buf, sizeof buf, &lineno, &pos, out->c, out->nloc);
        if (ok) ok = read_numbers(f, buf, sizeof buf, &lineno, &pos, v, 1);
        out->nl = ok ? (int)v[0] : 0;
        if (ok && (out->nl < 0 || out->nl > PW_LMAX + 1)) ok = 0;
        for (int l = 0; ok && l < out->nl; ++l) {
            ok = read_numbers(f, buf, sizeof buf, &lineno, &pos, v, 2);
            out->rl[l] = v[0], out->nprj[l] = (int)v[1];
            int np = out->nprj[l];
            if (ok && (np < 0 || np > PW_NPRJ || !(out->rl[l] > 0))) ok = 0;
            for (int i = 0; ok && i < np; ++i) /* upper triangle, row by row */
                for (int j = i; ok && j < np; ++j) {
                    ok = read_numbers(f, buf, sizeof buf, &lineno, &pos, v, 1);
                    out->h[l][i][j] = out->h[l][j][i] = v[0];
                }
        }
    } else
        ok = 0;
    fclose(f);
    if (!ok)
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, path, lineno, 0,
                                   "pseudo", "malformed GTH entry %s %s (starting at line %d)", sym,
                                   out->name, start);
    return ATE_OK;
}

double pw_gth_vloc_q(const pw_gth *p, double q, double *dv)
{
    double r = p->rloc, x = q * r, x2 = x * x, e = exp(-0.5 * x2);
    const double *c = p->c;
    double poly = c[0] + c[1] * (3.0 - x2) + c[2] * (15.0 - 10.0 * x2 + x2 * x2) +
                  c[3] * (105.0 - 105.0 * x2 + 21.0 * x2 * x2 - x2 * x2 * x2);
    double pre = pow(2.0 * ATE_PI, 1.5) * r * r * r;
    double v = -4.0 * ATE_PI * p->zion / (q * q) * e + pre * e * poly;
    if (dv) {
        /* d/dq with dx/dq = r, de/dx = -x e */
        double dpoly = c[1] * (-2.0 * x) + c[2] * (-20.0 * x + 4.0 * x2 * x) +
                       c[3] * (-210.0 * x + 84.0 * x2 * x - 6.0 * x2 * x2 * x);
        double dcoul = -4.0 * ATE_PI * p->zion * e * (-2.0 / (q * q * q) - x * r / (q * q));
        *dv = dcoul + pre * r * e * (dpoly - x * poly);
    }
    return v;
}

double pw_gth_alpha(const pw_gth *p)
{
    double r = p->rloc;
    const double *c = p->c;
    return 2.0 * ATE_PI * p->zion * r * r +
           pow(2.0 * ATE_PI, 1.5) * r * r * r * (c[0] + 3.0 * c[1] + 15.0 * c[2] + 105.0 * c[3]);
}

/* P_i^l(q) and, when qdp is given, q dP/dq. With c = q^2/4 (q dc/dq = 2c):
 * P = K q^l h(c) e^{-c/a}, q dP/dq = K q^l e^{-c/a} [l h + 2c (dh/dc - h/a)]. */
static double proj_q(const pw_gth *p, int l, int i, double q, double *qdp)
{
    double rl = p->rl[l], a = 1.0 / (2.0 * rl * rl), c = 0.25 * q * q, m = l + 1.5;
    double e = exp(-c / a);
    /* (-d/da)^i [a^-m e^{-c/a}] = h e^{-c/a}, and dh/dc */
    double h, dh;
    if (i == 0)
        h = pow(a, -m), dh = 0.0;
    else if (i == 1)
        h = pow(a, -m - 2.0) * (m * a - c), dh = -pow(a, -m - 2.0);
    else
        h = m * (m + 1.0) * pow(a, -m - 2.0) - (2.0 * m + 2.0) * c * pow(a, -m - 3.0) +
            c * c * pow(a, -m - 4.0),
        dh = -(2.0 * m + 2.0) * pow(a, -m - 3.0) + 2.0 * c * pow(a, -m - 4.0);
    double s = l + (4.0 * (i + 1) - 1.0) / 2.0; /* r_l exponent and Gamma argument */
    double norm = sqrt(2.0) / (pow(rl, s) * sqrt(tgamma(s)));
    double k = norm * sqrt(ATE_PI) * pow(q, l) / pow(2.0, l + 2) * e;
    if (qdp) *qdp = k * (l * h + 2.0 * c * (dh - h / a));
    return k * h;
}

double pw_gth_proj_q(const pw_gth *p, int l, int i, double q) { return proj_q(p, l, i, q, NULL); }

void pw_gth_proj_q_n(const pw_gth *p, int l, int i, size_t n, const double *q, double *out)
{
    /* proj_q with its q-independent factors evaluated once */
    double rl = p->rl[l], a = 1.0 / (2.0 * rl * rl), m = l + 1.5;
    double a0 = pow(a, -m), a2 = pow(a, -m - 2.0), a3 = pow(a, -m - 3.0), a4 = pow(a, -m - 4.0);
    double s = l + (4.0 * (i + 1) - 1.0) / 2.0;
    double norm = sqrt(2.0) / (pow(rl, s) * sqrt(tgamma(s))), k0 = norm * sqrt(ATE_PI);
    double p2 = pow(2.0, l + 2);
    for (size_t g = 0; g < n; ++g) {
        double c = 0.25 * q[g] * q[g], e = exp(-c / a), ql = 1.0;
        for (int j = 0; j < l; ++j)
            ql *= q[g];
        double h = i == 0   ? a0
                   : i == 1 ? a2 * (m * a - c)
                            : m * (m + 1.0) * a2 - (2.0 * m + 2.0) * c * a3 + c * c * a4;
        out[g] = k0 * ql / p2 * e * h;
    }
}

double pw_gth_proj_qdq(const pw_gth *p, int l, int i, double q, double *qdp)
{
    return proj_q(p, l, i, q, qdp);
}
