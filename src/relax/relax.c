/**
 * @file relax.c
 * @brief Geometry optimisation driver: frozen components, convergence test, L-BFGS and FIRE steps
 *        (the methods and their references are in relax.h and docs/theory-relax.md).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/relax.h"
#include "atescreen/units.h"
#include "relax_internal.h"

void ate_relax_opts_init(ate_relax_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->method = ATE_RELAX_LBFGS;
    o->fmax = 0.05 / ATE_HARTREE_BOHR_EV_ANGSTROM;
    o->max_steps = 500;
    o->max_step = 0.2 * ATE_ANGSTROM_BOHR;
    o->memory = 20;
    o->precon = ATE_PRECON_EXP;
    o->freeze_center = -1;
}

/* free[3n]: 1 where a component may move. */
static void free_mask(const ate_relax_opts *o, const ate_structure *s, unsigned char *mask)
{
    int n = ate_structure_natoms(s);
    const bool *fixed = ate_structure_fixed(s);
    const int *tags = ate_structure_tags(s);
    for (int i = 0; i < n; ++i) {
        bool frozen = o->freeze_center >= 0 && o->freeze_center < n && tags[i] == ATE_TAG_SUPPORT &&
                      i != o->freeze_center &&
                      ate_structure_distance(s, i, o->freeze_center) > o->freeze_radius;
        for (int k = 0; k < 3; ++k)
            mask[3 * i + k] = !(fixed[3 * i + k] || frozen);
    }
}

double relax_fmax(const relax_work *w, const double *g)
{
    double best = 0.0;
    for (int i = 0; i < w->n; ++i) {
        double f2 = 0.0;
        for (int k = 0; k < 3; ++k)
            if (w->mask[3 * i + k]) f2 += g[3 * i + k] * g[3 * i + k];
        best = fmax(best, sqrt(f2));
    }
    return best;
}

/* Scale d so no atom moves more than max_step. */
void relax_cap(const relax_work *w, double *d)
{
    double worst = 0.0;
    for (int i = 0; i < w->n; ++i)
        worst = fmax(worst, sqrt(d[3 * i] * d[3 * i] + d[3 * i + 1] * d[3 * i + 1] +
                                 d[3 * i + 2] * d[3 * i + 2]));
    if (worst > w->opts->max_step)
        for (int j = 0; j < 3 * w->n; ++j)
            d[j] *= w->opts->max_step / worst;
}

/* A step the structure refuses (two atoms closer than ATE_MIN_DISTANCE_ANGSTROM, an atom on its
 * own periodic image): the optimisation has collapsed the geometry. This is a property of the
 * structure and the method, not bad user input, so it becomes ATE_ERR_VALUE with the distance in
 * the message: the caller marks that one state failed and goes on. */
ate_status relax_collapsed(relax_work *w, ate_status st, ate_error *err)
{
    if (st != ATE_ERR_INPUT || !err) return st;
    err->code = ATE_ERR_VALUE;
    err->input_file[0] = '\0', err->input_line = err->input_column = 0;
    ate_error_prefix(err,
                     "geometry collapsed during the relaxation (%s, after %d energy evaluations): ",
                     w->opts->method == ATE_RELAX_FIRE ? "FIRE" : "L-BFGS", w->evaluations);
    err->field[0] = '\0';
    return ATE_ERR_VALUE;
}

/* Evaluate at positions x: sets them on the structure (validated) and calls the callback. */
ate_status relax_eval(relax_work *w, const double *x, double *e, double *g, ate_error *err)
{
    ATE_TRY(relax_collapsed(w, ate_structure_set_positions(w->s, x, err), err));
    ATE_TRY(w->energy(w->user, w->s, e, g, err));
    w->evaluations++;
    for (int j = 0; j < 3 * w->n; ++j)
        if (!w->mask[j]) g[j] = 0.0;
    return ATE_OK;
}

ate_status ate_relax_run(const ate_relax_opts *o, ate_energy_fn energy, void *user,
                         ate_relax_step_fn on_step, void *step_user, ate_structure *s,
                         ate_relax_result *result, ate_error *err)
{
    memset(result, 0, sizeof(*result));
    if (!(o->fmax > 0.0) || o->max_steps < 0 || !(o->max_step > 0.0) || o->memory < 1)
        return ATE_ERROR(err, ATE_ERR_VALUE, "relax: fmax, max_step and memory must be positive");
    relax_work w = {
        .opts = o, .energy = energy, .user = user, .s = s, .n = ate_structure_natoms(s)};
    size_t n3 = 3 * (size_t)w.n;
    w.mask = malloc(n3);
    w.x = malloc(n3 * sizeof(double));
    w.g = malloc(n3 * sizeof(double));
    w.xt = malloc(n3 * sizeof(double));
    w.gt = malloc(n3 * sizeof(double));
    w.d = malloc(n3 * sizeof(double));
    w.hist_s = malloc((size_t)o->memory * n3 * sizeof(double));
    w.hist_y = malloc((size_t)o->memory * n3 * sizeof(double));
    w.rho = malloc((size_t)o->memory * sizeof(double));
    w.alpha = malloc((size_t)o->memory * sizeof(double));
    ate_status st = ATE_OK;
    if (!w.mask || !w.x || !w.g || !w.xt || !w.gt || !w.d || !w.hist_s || !w.hist_y || !w.rho ||
        !w.alpha)
        st = ATE_ERROR(err, ATE_ERR_MEMORY, "relax: out of memory for %d atoms", w.n);
    if (st == ATE_OK) {
        free_mask(o, s, w.mask);
        memcpy(w.x, ate_structure_positions(s), n3 * sizeof(double));
        st = relax_eval(&w, w.x, &w.e, w.g, err);
    }
    int step = 0;
    double fmax = st == ATE_OK ? relax_fmax(&w, w.g) : INFINITY;
    while (st == ATE_OK && fmax >= o->fmax && step < o->max_steps) {
        st = o->method == ATE_RELAX_FIRE ? relax_fire_step(&w, err) : relax_lbfgs_step(&w, err);
        if (st != ATE_OK) break;
        ++step;
        fmax = relax_fmax(&w, w.g);
        if (on_step) st = on_step(step_user, step, s, w.e, fmax, err);
    }
    /* leave the structure at the accepted geometry */
    if (w.x) {
        ate_error ignore;
        ate_structure_set_positions(s, w.x, &ignore);
    }
    result->converged = st == ATE_OK && fmax < o->fmax;
    result->steps = step;
    result->evaluations = w.evaluations;
    result->energy = w.e;
    result->fmax = fmax;
    free(w.mask), free(w.x), free(w.g), free(w.xt), free(w.gt), free(w.d);
    free(w.hist_s), free(w.hist_y), free(w.rho), free(w.alpha), free(w.v), free(w.precon);
    return st;
}
