/**
 * @file relax.h
 * @brief Geometry optimisation with fixed atoms: L-BFGS (Nocedal, Math. Comp. 35, 773 (1980);
 *        two-loop recursion, Nocedal & Wright, Numerical Optimization, Alg. 7.4) and FIRE
 *        (Bitzek et al., Phys. Rev. Lett. 97, 170201 (2006)). Not collective by itself: the energy
 *        callback may be collective on its own communicator.
 *
 * Units: positions bohr, energy hartree, gradient hartree/bohr. Convergence when the largest
 * per-atom force norm over the free components is below fmax. Frozen: the structure's fixed
 * components, plus optionally every support atom (tag 0) farther than freeze_radius from the
 * atom freeze_center (the "freeze beyond a radius from the site" option).
 */
#ifndef ATESCREEN_RELAX_H
#define ATESCREEN_RELAX_H

#include <stdbool.h>

#include "atescreen/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Energy and gradient of s: energy (hartree), gradient[natoms][3] (hartree/bohr, caller-owned). */
typedef ate_status (*ate_energy_fn)(void *user, const ate_structure *s, double *energy,
                                    double *gradient, ate_error *err);
/** Called after every accepted step (may be NULL); returning non-OK stops the optimisation. */
typedef ate_status (*ate_relax_step_fn)(void *user, int step, const ate_structure *s, double energy,
                                        double fmax, ate_error *err);

typedef enum ate_relax_method { ATE_RELAX_LBFGS = 0, ATE_RELAX_FIRE = 1 } ate_relax_method;
/** Initial inverse Hessian of L-BFGS: scaled identity, or the Exp preconditioner of Packwood
 *  et al., J. Chem. Phys. 144, 164109 (2016) (docs/theory-relax.md). */
typedef enum ate_precon { ATE_PRECON_NONE = 0, ATE_PRECON_EXP = 1 } ate_precon;

typedef struct ate_relax_opts {
    ate_relax_method method;
    double fmax;          /**< hartree/bohr; default 0.05 eV/Å */
    int max_steps;        /**< default 500 */
    double max_step;      /**< largest displacement of any atom per step, bohr; default 0.2 Å */
    int memory;           /**< L-BFGS history length, default 20 */
    ate_precon precon;    /**< L-BFGS initial inverse Hessian, default ATE_PRECON_EXP */
    int freeze_center;    /**< atom index, or -1 (default) for no radius freeze */
    double freeze_radius; /**< bohr */
} ate_relax_opts;

typedef struct ate_relax_result {
    bool converged;
    int steps;       /**< accepted steps */
    int evaluations; /**< energy/gradient calls */
    double energy;   /**< final energy, hartree */
    double fmax;     /**< final largest free force norm, hartree/bohr */
} ate_relax_result;

/** Documented defaults. */
ATE_API void ate_relax_opts_init(ate_relax_opts *o);

/** Optimise the positions of s in place (s keeps the best geometry reached, also when the step
 *  limit is hit: result->converged tells). Errors of the callback are passed through. */
ATE_API ate_status ate_relax_run(const ate_relax_opts *o, ate_energy_fn energy, void *user,
                                 ate_relax_step_fn on_step, void *step_user, ate_structure *s,
                                 ate_relax_result *result, ate_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_RELAX_H */
