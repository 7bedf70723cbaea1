/**
 * @file gfn1_params.c
 * @brief Reading the GFN1-xTB and D3 tables (tab-separated, written by inputs/params/convert.py).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gfn1_c6_table.h"
#include "gfn1_params.h"

/* A parameter table read whole into memory and split in place, row by row (one read instead of
 * a stdio call per line: the 1.3 MB C6 table is most of a small calculation's start-up). */
typedef struct tsv {
    char path[4096];
    int line;
    char *text, *next; /* the file's contents (NUL-terminated), the start of the next line */
    char *col[32];
    int ncol;
    bool header; /* the header row has been read */
} tsv;

static void tsv_close(tsv *t)
{
    free(t->text);
    t->text = t->next = NULL;
}

static ate_status tsv_open(tsv *t, const char *dir, const char *name, ate_error *err)
{
    snprintf(t->path, sizeof(t->path), "%s/%s", dir, name);
    t->line = 0;
    t->header = false;
    t->text = t->next = NULL;
    FILE *f = fopen(t->path, "rb");
    if (!f)
        return ate_error_set_input(err, ATE_ERR_IO, __FILE__, __LINE__, t->path, 0, 0, NULL,
                                   "cannot open the parameter file");
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (t->text = malloc((size_t)size + 1)))
        if (fread(t->text, 1, (size_t)size, f) == (size_t)size && !ferror(f)) t->next = t->text;
    fclose(f);
    if (!t->next) {
        tsv_close(t);
        return ate_error_set_input(err, ATE_ERR_IO, __FILE__, __LINE__, t->path, 0, 0, NULL,
                                   "cannot read the parameter file");
    }
    t->text[size] = '\0';
    return ATE_OK;
}

/* Next data row (the header line and '#' comment lines are skipped); false at the end. A row ends
 * at the first CR or LF; columns are separated by one or more tabs. */
static bool tsv_next(tsv *t)
{
    while (t->next && *t->next) {
        char *row = t->next, *eol = strchr(row, '\n');
        t->next = eol ? eol + 1 : NULL;
        if (eol) *eol = '\0';
        t->line++;
        if (row[0] == '#') continue;
        if (!t->header) {
            t->header = true;
            continue;
        }
        t->ncol = 0;
        for (char *c = row; *c && *c != '\r' && t->ncol < 32;) {
            while (*c == '\t')
                ++c;
            if (!*c || *c == '\r') break;
            t->col[t->ncol++] = c;
            while (*c && *c != '\t' && *c != '\r')
                ++c;
            if (*c == '\t')
                *c++ = '\0';
            else
                *c = '\0';
        }
        return true;
    }
    return false;
}

/* Decimal without exponent and with at most 15 significant digits: m / 10^k with m and 10^k
 * (k <= 22) exact doubles, so the one division is correctly rounded and equals strtod's result
 * (Clinger's fast path, PLDI 1990). Returns false for anything else (strtod handles it). The
 * 32385-row C6 table is most of the start-up time of a small calculation otherwise. */
static bool fast_decimal(const char *s, double *v, char **end)
{
    static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *c = s;
    bool neg = *c == '-';
    if (*c == '-' || *c == '+') ++c;
    unsigned long long m = 0;
    int digits = 0, frac = 0;
    bool dot = false, any = false;
    for (;; ++c) {
        if (*c >= '0' && *c <= '9') {
            any = true;
            if (m == 0 && *c == '0') {
                if (dot) ++frac;
                continue;
            }
            if (++digits > 15) return false;
            m = 10 * m + (unsigned long long)(*c - '0');
            if (dot) ++frac;
        } else if (*c == '.' && !dot) {
            dot = true;
        } else {
            break;
        }
    }
    if (!any || frac > 22 || *c == 'e' || *c == 'E') return false;
    *v = (double)m / p10[frac];
    if (neg) *v = -*v;
    *end = (char *)c;
    return true;
}

static ate_status num(tsv *t, int k, double *v, ate_error *err)
{
    char *end;
    if (k >= t->ncol)
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, t->path, t->line, 0,
                                   NULL, "missing column %d", k + 1);
    if (!fast_decimal(t->col[k], v, &end)) *v = strtod(t->col[k], &end);
    if (end == t->col[k] || *end)
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, t->path, t->line, 0,
                                   NULL, "cannot parse '%s' as a number", t->col[k]);
    return ATE_OK;
}

/* The first n columns of the row as numbers. */
static ate_status nums(tsv *t, int n, double *v, ate_error *err)
{
    for (int k = 0; k < n; ++k)
        ATE_TRY(num(t, k, &v[k], err));
    return ATE_OK;
}

/* "a,b,c" or "-" (absent) into v[max]; returns the count. */
static int list(const char *s, double *v, int max)
{
    if (!strcmp(s, "-")) return 0;
    int n = 0;
    for (const char *p = s; *p && n < max;) {
        char *end;
        v[n++] = strtod(p, &end);
        p = *end == ',' ? end + 1 : end;
        if (end == p && *end) break;
    }
    return n;
}

static ate_status load_globals(gfn1_params *p, const char *dir, ate_error *err)
{
    tsv t;
    ATE_TRY(tsv_open(&t, dir, "gfn1/globals.tsv", err));
    struct {
        const char *k;
        double *v;
    } keys[] = {{"ks", &p->ks},
                {"kp", &p->kp},
                {"kd", &p->kd},
                {"ksp", &p->ksp},
                {"kdiff", &p->kdiff},
                {"enscale", &p->enscale},
                {"cns", &p->cns},
                {"cnp", &p->cnp},
                {"cnd1", &p->cnd1},
                {"cnd2", &p->cnd2},
                {"alphaj", &p->alphaj},
                {"a1", &p->a1},
                {"a2", &p->a2},
                {"s8", &p->s8},
                {"s9", &p->s9},
                {"kexp", &p->kexp},
                {"kexplight", &p->kexplight},
                {"xbdamp", &p->xbdamp},
                {"xbrad", &p->xbrad}};
    ate_status st = ATE_OK;
    while (st == ATE_OK && tsv_next(&t))
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); ++k)
            if (t.ncol == 2 && !strcmp(t.col[0], keys[k].k)) st = num(&t, 1, keys[k].v, err);
    tsv_close(&t);
    return st;
}

static ate_status load_pairs(gfn1_params *p, const char *dir, ate_error *err)
{
    for (int a = 0; a <= GFN1_MAXZ; ++a)
        for (int b = 0; b <= GFN1_MAXZ; ++b)
            p->kpair[a][b] = 1.0;
    tsv t;
    ATE_TRY(tsv_open(&t, dir, "gfn1/pairs.tsv", err));
    ate_status st = ATE_OK;
    while (st == ATE_OK && tsv_next(&t)) {
        double a = 0, b = 0, k = 0;
        if ((st = num(&t, 0, &a, err)) || (st = num(&t, 1, &b, err)) || (st = num(&t, 2, &k, err)))
            break;
        p->kpair[(int)a][(int)b] = p->kpair[(int)b][(int)a] = k;
    }
    tsv_close(&t);
    return st;
}

static ate_status load_elements(gfn1_params *p, const char *dir, ate_error *err)
{
    tsv t;
    ATE_TRY(tsv_open(&t, dir, "gfn1/elements.tsv", err));
    ate_status st = ATE_OK;
    int count = 0;
    while (st == ATE_OK && tsv_next(&t)) {
        double zd;
        if ((st = num(&t, 0, &zd, err))) break;
        int z = (int)zd;
        gfn1_element *e = &p->el[z];
        const char *ao = t.col[1];
        e->nsh = 0;
        for (const char *c = ao; c[0] && c[1] && e->nsh < 3; c += 2) {
            e->n[e->nsh] = c[0] - '0';
            e->l[e->nsh++] = c[1] == 's' ? 0 : c[1] == 'p' ? 1 : 2;
        }
        double v[3];
        if (list(t.col[2], e->lev, 3) != e->nsh || list(t.col[3], e->zeta, 3) != e->nsh) {
            st = ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, t.path, t.line, 0,
                                     "lev/exp", "shell count does not match ao=%s", ao);
            break;
        }
        e->gam = list(t.col[4], v, 1) ? v[0] : 0.0;
        e->gam3 = list(t.col[5], v, 1) ? 0.1 * v[0] : 0.0;
        e->cxb = list(t.col[6], v, 1) ? 0.1 * v[0] : 0.0;
        e->repa = list(t.col[7], v, 1) ? v[0] : 0.0;
        e->repb = list(t.col[8], v, 1) ? v[0] : 0.0;
        for (int l = 0; l < 3; ++l)
            e->poly[l] = list(t.col[9 + l], v, 1) ? v[0] : 0.0;
        e->lpar[0] = 0.0;
        e->lpar[1] = list(t.col[12], v, 1) ? 0.1 * v[0] : 0.0;
        e->lpar[2] = list(t.col[13], v, 1) ? 0.1 * v[0] : 0.0;
        ++count;
    }
    tsv_close(&t);
    if (st == ATE_OK && count != GFN1_MAXZ)
        st = ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, t.path, 0, 0, NULL,
                                 "%d elements, want %d", count, GFN1_MAXZ);
    if (st != ATE_OK) return st;
    ATE_TRY(tsv_open(&t, dir, "gfn1/element_data.tsv", err));
    count = 0;
    while (st == ATE_OK && tsv_next(&t)) {
        double v[12];
        for (int k = 0; k < 12 && st == ATE_OK; ++k)
            if (k != 1) st = num(&t, k, &v[k], err);
        if (st != ATE_OK) break;
        gfn1_element *e = &p->el[(int)v[0]];
        e->zval = (int)v[2];
        for (int l = 0; l < 3; ++l)
            e->refocc[l] = v[3 + l];
        e->kind = (int)v[6];
        e->en = v[7];
        e->r_atomic = v[8] / GFN1_AUTOAA;
        e->r_cov = 4.0 / 3.0 * v[9] / GFN1_AUTOAA;
        e->r4r2 = v[10];
        e->q_d3 = sqrt(0.5 * e->r4r2 * sqrt(v[0]));
        e->drow = (int)v[11];
        ++count;
    }
    tsv_close(&t);
    return st;
}

/* One row of the D3 table {C6, code_i, code_j, CN_i, CN_j}, code = Z + 100 (ref - 1). */
static bool c6_row(gfn1_params *p, const double v[5])
{
    int ci = (int)lround(v[1]), cj = (int)lround(v[2]);
    int za = ci % 100, ia = ci / 100, zb = cj % 100, ib = cj / 100;
    if (za > GFN1_MAXZ || zb > GFN1_MAXZ) return true;
    if (ia >= GFN1_D3_MAXREF || ib >= GFN1_D3_MAXREF) return false;
    p->c6[za][zb][ia][ib] = p->c6[zb][za][ib][ia] = v[0];
    gfn1_element *a = &p->el[za], *b = &p->el[zb];
    if (ia + 1 > a->nref) a->nref = ia + 1;
    if (ib + 1 > b->nref) b->nref = ib + 1;
    a->cnref[ia] = v[3];
    b->cnref[ib] = v[4];
    return true;
}

/* Whether path holds the file the compiled-in rows were generated from (same size and hash). */
static bool c6_builtin_matches(const char *path)
{
    if (gfn1_c6_table.nrec <= 0) return false;
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    unsigned char buf[1 << 16];
    gfn1_hash h;
    gfn1_hash_init(&h);
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && h.len <= (uint64_t)gfn1_c6_table.size)
        gfn1_hash_update(&h, buf, n);
    bool ok = !ferror(f) && h.len == (uint64_t)gfn1_c6_table.size &&
              gfn1_hash_final(&h) == gfn1_c6_table.hash;
    fclose(f);
    return ok;
}

static ate_status load_c6(gfn1_params *p, const char *dir, int source, ate_error *err)
{
    p->c6 = calloc(GFN1_MAXZ + 1, sizeof(*p->c6));
    if (!p->c6) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory for the C6 table");
    char path[4096];
    snprintf(path, sizeof(path), "%s/d3/c6ref.tsv", dir);
    if (source != GFN1_C6_PARSE && c6_builtin_matches(path)) {
        bool ok = true;
        for (int r = 0; r < gfn1_c6_table.nrec && ok; ++r)
            ok = c6_row(p, gfn1_c6_table.rec[r]);
        if (ok) {
            p->c6_builtin = true;
            return ATE_OK;
        }
        /* a bad row: the file has it too; parsing it fails there and names its line */
    }
    tsv t;
    ATE_TRY(tsv_open(&t, dir, "d3/c6ref.tsv", err));
    ate_status st = ATE_OK;
    while (st == ATE_OK && tsv_next(&t)) {
        double v[5];
        if ((st = nums(&t, 5, v, err)) != ATE_OK) break;
        if (!c6_row(p, v))
            st = ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, t.path, t.line, 0,
                                     NULL, "reference index out of range");
    }
    tsv_close(&t);
    return st;
}

/* Spin constants of spGFN1 (gfn1/spin.tsv: Z symbol W_ss W_sp W_pp W_sd W_pd W_dd, hartree;
 * tblite's table, inputs/params/PROVENANCE.md) */
static ate_status load_spin(gfn1_params *p, const char *dir, ate_error *err)
{
    tsv t;
    ATE_TRY(tsv_open(&t, dir, "gfn1/spin.tsv", err));
    ate_status st = ATE_OK;
    while (st == ATE_OK && tsv_next(&t)) {
        double z;
        if ((st = num(&t, 0, &z, err)) != ATE_OK) break;
        int iz = (int)lround(z);
        if (iz < 1 || iz > GFN1_MAXZ || t.ncol != 8) {
            st = ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, t.path, t.line, 0,
                                     NULL, "bad spin-constant row (Z symbol and 6 constants)");
            break;
        }
        for (int k = 0; k < 6 && st == ATE_OK; ++k)
            st = num(&t, 2 + k, &p->el[iz].wspin[k], err);
    }
    tsv_close(&t);
    return st;
}

/* EEQ charge model of the initial guess (gfn1/eeq2019.tsv: Z chi gam kappa alpha) */
static ate_status load_eeq(gfn1_params *p, const char *dir, ate_error *err)
{
    tsv t;
    ATE_TRY(tsv_open(&t, dir, "gfn1/eeq2019.tsv", err));
    ate_status st = ATE_OK;
    while (st == ATE_OK && tsv_next(&t)) {
        double v[5];
        if ((st = nums(&t, 5, v, err)) != ATE_OK) break;
        int z = (int)lround(v[0]);
        if (z < 1 || z > GFN1_MAXZ || !(v[4] > 0.0)) {
            st = ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, t.path, t.line, 0,
                                     NULL, "bad EEQ row");
            break;
        }
        for (int k = 0; k < 4; ++k)
            p->el[z].eeq[k] = v[1 + k];
    }
    tsv_close(&t);
    return st;
}

static ate_status load_sto(gfn1_params *p, const char *dir, ate_error *err)
{
    tsv t;
    ATE_TRY(tsv_open(&t, dir, "gfn1/sto.tsv", err));
    ate_status st = ATE_OK;
    while (st == ATE_OK && tsv_next(&t)) {
        double ng;
        if ((st = num(&t, 0, &ng, err))) break;
        const char *sh = t.col[1];
        int n = sh[0] - '0', l = sh[1] == 's' ? 0 : sh[1] == 'p' ? 1 : 2;
        if (ng < 1 || ng > 6 || n < 1 || n > 6 || t.ncol < 4) {
            st = ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, t.path, t.line, 0,
                                     NULL, "bad STO row");
            break;
        }
        gfn1_sto *s = &p->sto[(int)ng][n][l];
        s->ng = (int)ng;
        if (list(t.col[2], s->alpha, 6) != s->ng || list(t.col[3], s->coeff, 6) != s->ng)
            st = ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, t.path, t.line, 0,
                                     NULL, "expected %d exponents and coefficients", s->ng);
    }
    tsv_close(&t);
    return st;
}

/* TM-TM k_pair rule (spec §4.2): 1.1 / 1.2 / 1.2 for d rows 1, 2, 3, mean of the two. */
static void tm_pairs(gfn1_params *p)
{
    static const double kp_row[4] = {0.0, 1.1, 1.2, 1.2};
    for (int a = 1; a <= GFN1_MAXZ; ++a)
        for (int b = 1; b <= GFN1_MAXZ; ++b)
            if (p->el[a].drow && p->el[b].drow && p->kpair[a][b] == 1.0)
                p->kpair[a][b] = 0.5 * (kp_row[p->el[a].drow] + kp_row[p->el[b].drow]);
}

ate_status gfn1_params_load(const char *dir, gfn1_params **out, ate_error *err)
{
    return gfn1_params_load_from(dir, GFN1_C6_AUTO, out, err);
}

ate_status gfn1_params_load_from(const char *dir, int c6_source, gfn1_params **out, ate_error *err)
{
    *out = NULL;
    gfn1_params *p = calloc(1, sizeof(*p));
    if (!p) return ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory for GFN1 parameters");
    ate_status st = load_globals(p, dir, err);
    if (st == ATE_OK) st = load_pairs(p, dir, err);
    if (st == ATE_OK) st = load_elements(p, dir, err);
    if (st == ATE_OK) st = load_c6(p, dir, c6_source, err);
    if (st == ATE_OK) st = load_sto(p, dir, err);
    if (st == ATE_OK) st = load_eeq(p, dir, err);
    if (st == ATE_OK) st = load_spin(p, dir, err);
    if (st != ATE_OK) {
        gfn1_params_destroy(&p);
        return st;
    }
    tm_pairs(p);
    *out = p;
    return ATE_OK;
}

void gfn1_params_destroy(gfn1_params **p)
{
    if (!p || !*p) return;
    free((*p)->c6);
    free(*p);
    *p = NULL;
}
