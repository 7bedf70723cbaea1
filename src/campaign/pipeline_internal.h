/**
 * @file pipeline_internal.h
 * @brief The pipeline handle and what pipeline.c (candidates) and pipeline_state.c (states, gas
 *        references) share (not installed).
 */
#ifndef ATE_PIPELINE_INTERNAL_H
#define ATE_PIPELINE_INTERNAL_H

#include <stdio.h>

#include "atescreen/relax.h"
#include "campaign_internal.h"
#include "kernel.h"

struct ate_pipeline {
    const ate_campaign_spec *spec;
    ate_kernel *k;
    ate_relax_opts ropts;
    ate_scf_step ladder[1 + ATE_SPEC_MAX_RESCUE];
    int nladder;
    ate_che_constants cc;
    bool harmonic; /* thermo.corrections: harmonic (own vibrations instead of constants) */
    FILE *log;
    int verbosity;
    ate_references refs;
    bool have_refs;
    int last_iterations;             /* SCF iterations of the latest single point */
    double tight_econv, tight_qconv; /* kernel defaults: final single points and vibrations */
    int (*poll)(void *);             /* after every energy evaluation (may be NULL); nonzero:
                                        stop the candidate (ATE_ERR_INTERRUPTED) */
    void *poll_user;
    MPI_Comm comm;     /* the kernel's ranks (MPI_COMM_SELF: one) */
    int comm_size;     /* their number; > 1: results broadcast from rank 0 of comm */
    double box_vacuum; /* bohr, > 0: molecules and flakes are put in a box (plane waves) */
};

/** s itself (copied) when it has a cell or p puts nothing in boxes; otherwise a copy in an
 *  orthorhombic box (pbc T T T) whose edges are the atoms' extent along x, y, z plus
 *  p->box_vacuum, positions unchanged (the plane-wave kernel needs a cell). */
ate_status ate_pipeline_boxed(const ate_pipeline *p, const ate_structure *s, ate_structure **out,
                              ate_error *err);

/** r: state `state` at site, not (yet) obtained: every number NaN, no structures. */
void ate_pipeline_state_init(ate_state_result *r, int state, const char *site);

/** One state: spin scan from the starting structure start (copied) into r. metal: the site
 *  metal's index; ads_first: index of the adsorbate's binding atom or -1. A state that fails
 *  (SCF, collapsed geometry) returns ATE_OK with r->ok false and r->fail_reason; other errors
 *  are returned. */
ate_status ate_pipeline_run_state(ate_pipeline *p, const ate_structure *start, int state,
                                  const char *site, int metal, int ads_first, ate_state_result *r,
                                  ate_error *err);

#endif
