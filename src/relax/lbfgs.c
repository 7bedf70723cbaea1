/**
 * @file lbfgs.c
 * @brief One L-BFGS step: two-loop recursion (Nocedal & Wright, Numerical Optimization, 2nd ed.,
 *        Algorithm 7.4) with H0 = (s.y / y.y) I from the newest pair, or 1/(70 eV/Å^2) before any
 *        pair exists (the Hessian guess ASE uses for molecules on surfaces); an uphill direction or
 *        an uphill trial resets the history; trials are halved (at most 8 times) until the energy
 *        does not rise.
 */
#include <math.h>
#include <string.h>

#include "atescreen/units.h"
#include "relax_internal.h"

#define H0_EV_A2     70.0
#define UPHILL_TOL   1e-9 /* hartree: rises below this are SCF noise */
#define MAX_HALVINGS 8

static double dot(const double *a, const double *b, int n)
{
    double s = 0.0;
    for (int i = 0; i < n; ++i)
        s += a[i] * b[i];
    return s;
}

/* q <- H0 q: gamma L^-1 q with the Exp preconditioner, else gamma q (gamma from the newest
 * pair, s.y / y.H y with H = L^-1 or I; h0_inv before any pair) */
static void apply_h0(relax_work *w, double *q, double h0_inv)
{
    int n3 = 3 * w->n, m = w->opts->memory;
    double gamma = h0_inv;
    if (w->nhist > 0) {
        int i = (w->head - 1 + m) % m;
        const double *y = w->hist_y + (size_t)i * n3;
        double yhy;
        if (w->precon) {
            memcpy(w->gt, y, (size_t)n3 * sizeof(double)); /* gt is free between steps */
            relax_precon_solve(w, w->gt);
            yhy = dot(y, w->gt, n3);
        } else {
            yhy = dot(y, y, n3);
        }
        gamma = dot(w->hist_s + (size_t)i * n3, y, n3) / yhy;
    } else if (w->precon) {
        /* before any pair: gamma L^-1 ~ h0_inv for the average diagonal of L */
        gamma = h0_inv * w->precon_diag;
    }
    if (w->precon) relax_precon_solve(w, q);
    for (int j = 0; j < n3; ++j)
        q[j] *= gamma;
}

static void direction(relax_work *w, double h0_inv)
{
    int n3 = 3 * w->n, m = w->opts->memory;
    double *q = w->d;
    memcpy(q, w->g, (size_t)n3 * sizeof(double));
    for (int k = 0; k < w->nhist; ++k) { /* newest to oldest */
        int i = (w->head - 1 - k + m) % m;
        w->alpha[i] = w->rho[i] * dot(w->hist_s + (size_t)i * n3, q, n3);
        for (int j = 0; j < n3; ++j)
            q[j] -= w->alpha[i] * w->hist_y[(size_t)i * n3 + j];
    }
    apply_h0(w, q, h0_inv);
    for (int k = w->nhist - 1; k >= 0; --k) { /* oldest to newest */
        int i = (w->head - 1 - k + m) % m;
        double beta = w->rho[i] * dot(w->hist_y + (size_t)i * n3, q, n3);
        for (int j = 0; j < n3; ++j)
            q[j] += w->hist_s[(size_t)i * n3 + j] * (w->alpha[i] - beta);
    }
    for (int j = 0; j < n3; ++j)
        q[j] = w->mask[j] ? -q[j] : 0.0;
}

ate_status relax_lbfgs_step(relax_work *w, ate_error *err)
{
    int n3 = 3 * w->n, m = w->opts->memory;
    const double h0_inv = 1.0 / (H0_EV_A2 / ATE_HARTREE_EV * ATE_BOHR_ANGSTROM * ATE_BOHR_ANGSTROM);
    if (w->opts->precon == ATE_PRECON_EXP) ATE_TRY(relax_precon_build(w, w->x, err));
    direction(w, h0_inv);
    if (dot(w->d, w->g, n3) >= 0.0) { /* not a descent direction: restart */
        w->nhist = 0;
        direction(w, h0_inv);
    }
    relax_cap(w, w->d);
    double et = 0.0;
    for (int tries = 0;; ++tries) {
        for (int j = 0; j < n3; ++j)
            w->xt[j] = w->x[j] + w->d[j];
        /* a trial that puts atoms on top of each other is halved like an uphill one */
        ate_status st = ate_structure_set_positions(w->s, w->xt, err);
        if (st == ATE_OK) {
            ATE_TRY(relax_eval(w, w->xt, &et, w->gt, err));
            if (et <= w->e + UPHILL_TOL || tries == MAX_HALVINGS) break;
        } else if (tries == MAX_HALVINGS) {
            return relax_collapsed(w, st, err);
        }
        for (int j = 0; j < n3; ++j)
            w->d[j] *= 0.5;
        w->nhist = 0;
    }
    /* new curvature pair */
    double *s = w->hist_s + (size_t)w->head * n3, *y = w->hist_y + (size_t)w->head * n3;
    for (int j = 0; j < n3; ++j)
        s[j] = w->xt[j] - w->x[j], y[j] = w->gt[j] - w->g[j];
    double sy = dot(s, y, n3);
    if (sy > 1e-14) {
        w->rho[w->head] = 1.0 / sy;
        w->head = (w->head + 1) % m;
        if (w->nhist < m) w->nhist++;
    }
    memcpy(w->x, w->xt, (size_t)n3 * sizeof(double));
    memcpy(w->g, w->gt, (size_t)n3 * sizeof(double));
    w->e = et;
    return ATE_OK;
}
