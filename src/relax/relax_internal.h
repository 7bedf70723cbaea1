#ifndef ATE_RELAX_INTERNAL_H
#define ATE_RELAX_INTERNAL_H
#include "atescreen/relax.h"

/* State of one optimisation. x, g: accepted positions and gradient (fixed components zeroed). */
typedef struct relax_work {
    const ate_relax_opts *opts;
    ate_energy_fn energy;
    void *user;
    ate_structure *s;
    int n, evaluations;
    unsigned char *mask; /* [3n] 1 = free */
    double e, *x, *g;
    double *xt, *gt, *d; /* trial point, its gradient, step */
    /* L-BFGS history (ring buffer) */
    double *hist_s, *hist_y, *rho, *alpha;
    int nhist, head;
    double *precon;     /* [n][n] Cholesky factor of the Exp preconditioner (precon.c), or NULL */
    double precon_diag; /* mean diagonal element of the preconditioner before factorisation */
    /* FIRE */
    double *v, dt, fire_alpha;
    int fire_npos;
} relax_work;

double relax_fmax(const relax_work *w, const double *g);
void relax_cap(const relax_work *w, double *d);
ate_status relax_eval(relax_work *w, const double *x, double *e, double *g, ate_error *err);
/* st of a refused trial geometry (ATE_ERR_INPUT) recast as a collapsed relaxation (ATE_ERR_VALUE)
 */
ate_status relax_collapsed(relax_work *w, ate_status st, ate_error *err);
ate_status relax_lbfgs_step(relax_work *w, ate_error *err);
/* Exp preconditioner at positions x (bohr): builds and factorises L; solve: q <- L^-1 q */
ate_status relax_precon_build(relax_work *w, const double *x, ate_error *err);
void relax_precon_solve(const relax_work *w, double *q);
ate_status relax_fire_step(relax_work *w, ate_error *err);

#endif
