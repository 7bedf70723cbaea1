/**
 * @file fire.c
 * @brief One FIRE step (Bitzek, Koskinen, Gähler, Moseler, Gumbsch, Phys. Rev. Lett. 97, 170201
 *        (2006)): velocity mixing v = (1 - a) v + a |v| F/|F| while the power F.v is positive,
 *        dt grows by 1.1 (at most dt_max) after N_min = 5 such steps and a decays by 0.99; on
 *        F.v <= 0 the velocity is zeroed, dt halves and a resets to 0.1. Unit masses in atomic
 *        units; the displacement is capped at max_step.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "relax_internal.h"

#define FIRE_DT0    1.0
#define FIRE_DTMAX  10.0
#define FIRE_NMIN   5
#define FIRE_FINC   1.1
#define FIRE_FDEC   0.5
#define FIRE_ALPHA0 0.1
#define FIRE_FALPHA 0.99

ate_status relax_fire_step(relax_work *w, ate_error *err)
{
    int n3 = 3 * w->n;
    if (!w->v) {
        w->v = calloc((size_t)n3, sizeof(double));
        if (!w->v) return ATE_ERROR(err, ATE_ERR_MEMORY, "FIRE: out of memory");
        w->dt = FIRE_DT0;
        w->fire_alpha = FIRE_ALPHA0;
    }
    double p = 0.0, vn = 0.0, fn = 0.0;
    for (int j = 0; j < n3; ++j) {
        p -= w->g[j] * w->v[j];
        vn += w->v[j] * w->v[j];
        fn += w->g[j] * w->g[j];
    }
    if (p > 0.0) {
        double mix = fn > 0.0 ? w->fire_alpha * sqrt(vn / fn) : 0.0;
        for (int j = 0; j < n3; ++j)
            w->v[j] = (1.0 - w->fire_alpha) * w->v[j] - mix * w->g[j];
        if (++w->fire_npos > FIRE_NMIN) {
            w->dt = fmin(w->dt * FIRE_FINC, FIRE_DTMAX);
            w->fire_alpha *= FIRE_FALPHA;
        }
    } else {
        memset(w->v, 0, (size_t)n3 * sizeof(double));
        w->dt *= FIRE_FDEC;
        w->fire_alpha = FIRE_ALPHA0;
        w->fire_npos = 0;
    }
    for (int j = 0; j < n3; ++j) {
        w->v[j] = w->mask[j] ? w->v[j] - w->dt * w->g[j] : 0.0;
        w->d[j] = w->dt * w->v[j];
    }
    relax_cap(w, w->d);
    for (int j = 0; j < n3; ++j)
        w->xt[j] = w->x[j] + w->d[j];
    ATE_TRY(relax_eval(w, w->xt, &w->e, w->gt, err));
    memcpy(w->x, w->xt, (size_t)n3 * sizeof(double));
    memcpy(w->g, w->gt, (size_t)n3 * sizeof(double));
    return ATE_OK;
}
