/**
 * @file pipeline.h
 * @brief The screening pipeline of one candidate (docs/pipeline.md): relax the clean site, place
 *        and relax *OH, *O, *OOH, *H on each top site, scan the number of unpaired electrons of
 *        every state, climb the SCF rescue ladder on non-convergence, flag anomalies, and turn the
 *        energies into CHE free energies, limiting potentials and overpotentials.
 *
 * Not collective: one rank evaluates one candidate (the GFN1 kernel runs on one rank). Energies
 * in the results are eV, lengths Å, potentials V vs RHE. A candidate whose SCF cannot be rescued
 * is recorded as failed with the reason; ate_pipeline_candidate returns an error only for bugs,
 * memory and I/O problems.
 */
#ifndef ATESCREEN_PIPELINE_H
#define ATESCREEN_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <mpi.h>

#include "atescreen/campaign_spec.h"
#include "atescreen/che.h"
#include "atescreen/sites.h"
#include "atescreen/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

/** States of a candidate: the clean site and the four adsorbates (ATE_ADS_* + 1). */
enum { ATE_STATE_CLEAN = 0, ATE_STATE_COUNT = ATE_ADS_COUNT + 1 };
/** Candidate status codes (HDF5 /labels/status). */
enum { ATE_RESULT_DONE = 0, ATE_RESULT_FAILED = 1, ATE_RESULT_ANOMALOUS = 2 };

/** Anomaly flags of a relaxed state (HDF5 /labels/anomaly; thresholds in docs/pipeline.md). */
typedef enum ate_anomaly {
    ATE_ANOMALY_DESORBED = 1u << 0,              /**< adsorbate left the site */
    ATE_ANOMALY_DISSOCIATED = 1u << 1,           /**< an O-H or O-O bond of *OH or *OOH broke */
    ATE_ANOMALY_METAL_OUT_OF_PLANE = 1u << 2,    /**< metal pulled out of its first shell's plane */
    ATE_ANOMALY_FIRST_SHELL_BROKEN = 1u << 3,    /**< a metal-first-shell bond broke */
    ATE_ANOMALY_SUPPORT_RECONSTRUCTED = 1u << 4, /**< the support's bond graph changed */
    ATE_ANOMALY_NFLAGS = 5
} ate_anomaly;

ATE_API const char *ate_anomaly_name(int bit);
ATE_API const char *ate_state_name(int state);

/** Geometry checks of a relaxed structure against its starting structure (same atoms, same
 *  order). metal: index of the site metal; ads_first: index of the adsorbate's binding atom
 *  (-1 for the clean state); ads_kind: the adsorbate (ignored when ads_first < 0). Returns the
 *  ATE_ANOMALY_* mask. */
ATE_API unsigned ate_anomaly_detect(const ate_structure *initial, const ate_structure *final,
                                    int metal, int ads_first, ate_adsorbate ads_kind);

typedef struct ate_attempt {
    int uhf;
    ate_rescue_rung rung;
    double etemp;   /**< K */
    double energy;  /**< eV (NaN when it failed) */
    bool converged; /**< SCF converged at every step (the relaxation may still hit its limit) */
    int scf_iterations;
    char message[160];
} ate_attempt;

typedef struct ate_state_result {
    int state; /**< ATE_STATE_CLEAN or 1 + ate_adsorbate */
    char site[16];
    bool ok; /**< a spin state was obtained */
    char fail_reason[256];
    int uhf;
    double energy;  /**< eV */
    bool converged; /**< SCF and relaxation converged */
    int opt_steps;
    double fmax;      /**< eV/Å */
    int scf_attempts; /**< attempts of the kept spin state */
    double etemp;     /**< K, of the kept result */
    double metal_charge, metal_spin, dband_centre, homo_lumo_gap; /**< e, e, eV, eV */
    unsigned anomaly;
    /** thermo.corrections harmonic: ZPE, integral of Cv dT and T*S (eV) of the finite-difference
     *  vibrations of the adsorbate and site metal atoms (NaN otherwise), imaginary modes left out
     */
    double zpe, cp, ts;
    int nimag;
    ate_structure *initial, *final; /**< owned; final NULL when not ok */
    double *charges, *spins;        /**< [natoms] e, owned (NULL when not ok) */
    int nattempts;
    ate_attempt *attempts; /**< owned */
} ate_state_result;

typedef struct ate_candidate_result {
    char id[18], name[96], family[96];
    int nmetals, metal_z[2], natoms;
    int status; /**< ATE_RESULT_* */
    char fail_reason[256];
    int best_site;        /**< index into the candidate's top sites used for the summary */
    ate_che_dg de, dg;    /**< eV (NaN where unavailable) */
    ate_che_activity act; /**< of best_site */
    double ul_orr_tandem, ul_oer_tandem; /**< V, dual-metal only (NaN otherwise) */
    int uhf[ATE_STATE_COUNT];            /**< -1 where unavailable */
    int spin_changed;
    double metal_charge, metal_spin, dband_centre, homo_lumo_gap; /**< clean state */
    unsigned anomaly;
    double wall_s;
    int rank;
    int nstates;
    ate_state_result *states; /**< owned */
} ate_candidate_result;

/** Gas references H2O and H2, relaxed with the kernel and settings of the candidates. */
typedef struct ate_references {
    double e_h2o, e_h2; /**< eV */
    bool converged;
    /** thermo.corrections harmonic: ideal-gas ZPE, integral of Cp dT and T*S (eV) of H2O at
     *  0.035 bar and H2 at 1 bar from the kernel's frequencies (NaN otherwise) */
    double corr_h2o[3], corr_h2[3];
} ate_references;

/** Vibrational wavenumbers (cm^-1, ascending; negative = imaginary) of the atoms idx[n] of s
 *  with the others held fixed (a partial Hessian; all atoms for a molecule): central
 *  differences (step_bohr; 0.01 Å is ASE's default) of the kernel's analytic gradient,
 *  symmetrised and mass-weighted (src/campaign/vib.c). freq_cm has 3n elements; translations
 *  and rotations are not projected out. The kernel's current settings and restart guess are
 *  used; ATE_ERR_NOT_CONVERGED when the SCF fails at a displacement. */
struct ate_kernel;
ATE_API ate_status ate_vib_frequencies(struct ate_kernel *k, const ate_structure *s, const int *idx,
                                       int n, double step_bohr, double *freq_cm, ate_error *err);

typedef struct ate_pipeline ate_pipeline;

/** Set up the kernel and settings of spec (ATE_ERR_UNSUPPORTED for a method or support the
 *  build cannot compute, e.g. periodic GFN1 before issue #5). verbosity: 0 quiet, 1 per state,
 *  2 per attempt (on log, may be NULL). */
ATE_API ate_status ate_pipeline_create(const ate_campaign_spec *spec, FILE *log, int verbosity,
                                       ate_pipeline **out, ate_error *err);
/** The same on the ranks of comm (a rank group of `atescreen run --group-size`): the kernel
 *  spreads one evaluation over them (plane waves: the (k, spin) pairs), and every call on the
 *  pipeline (references, candidates) is then collective on comm, with the same results on all
 *  of its ranks (energies and gradients are broadcast from comm's rank 0, stop requests agreed).
 *  comm must outlive the pipeline; MPI_COMM_SELF gives ate_pipeline_create. */
ATE_API ate_status ate_pipeline_create_on(const ate_campaign_spec *spec, MPI_Comm comm, FILE *log,
                                          int verbosity, ate_pipeline **out, ate_error *err);
ATE_API void ate_pipeline_destroy(ate_pipeline **p);
/** fn(user) is called after every energy evaluation (e.g. to let one-sided MPI requests aimed
 *  at this rank progress during long candidates, and to notice a stop request); a nonzero
 *  return abandons the candidate: ate_pipeline_candidate returns ATE_ERR_INTERRUPTED. NULL to
 *  remove. */
ATE_API void ate_pipeline_set_poll(ate_pipeline *p, int (*fn)(void *), void *user);
/** Relax H2O and H2 (once; later calls return the stored values). An SCF or relaxation that
 *  does not converge is not an error: refs->converged is false and the failed energy is NaN. */
ATE_API ate_status ate_pipeline_references(ate_pipeline *p, ate_references *refs, ate_error *err);
/** Evaluate one candidate into out (owned by the caller, release with
 *  ate_candidate_result_clear). */
ATE_API ate_status ate_pipeline_candidate(ate_pipeline *p, const ate_candidate *c,
                                          ate_candidate_result *out, ate_error *err);
ATE_API void ate_candidate_result_clear(ate_candidate_result *r);
/** True for the errors that belong to one state or candidate, not to the run: a geometry that
 *  collapsed during a relaxation (ATE_ERR_VALUE), a structure the method or the structure checks
 *  refuse (ATE_ERR_INPUT), singular matrices (ATE_ERR_LIB). The pipeline records them as that
 *  state's failure with its reason and goes on; memory, I/O, MPI and internal errors and
 *  interruptions stop the run. */
ATE_API bool ate_pipeline_state_failure(ate_status code);
/** out: a failed record (status ATE_RESULT_FAILED, every number NaN, no states) for candidate c
 *  of natoms atoms that could not be built or evaluated; the reason is e's message. */
ATE_API void ate_candidate_result_failed(const ate_candidate *c, int natoms, const ate_error *e,
                                         ate_candidate_result *out);

/** Serialise a result into a byte buffer (malloc'd, *len bytes) for the journal, and back. */
ATE_API ate_status ate_candidate_result_pack(const ate_candidate_result *r, void **buf, size_t *len,
                                             ate_error *err);
ATE_API ate_status ate_candidate_result_unpack(const void *buf, size_t len, ate_candidate_result *r,
                                               ate_error *err);
/** The status (ATE_RESULT_*) of a packed record without unpacking the rest; false if it is not
 *  a readable record. */
ATE_API bool ate_candidate_result_status(const void *buf, size_t len, int *status);

/** Provenance written to the results file's root and /provenance. */
typedef struct ate_results_meta {
    const char *command_line;
    int mpi_size;
    const char *parameters_json; /**< resolved settings */
    const char *param_dir;       /**< kernel parameter directory: every file's SHA-256 is stored */
} ate_results_meta;

/** The parameter directory of the pipeline's kernel (p may be NULL: the build's own, which
 *  `atescreen merge` records). */
ATE_API const char *ate_pipeline_param_dir(const ate_pipeline *p);

/** Write results.h5 (schema docs/hdf5-schema.md) atomically from n candidate results (rows in
 *  array order in every table). */
ATE_API ate_status ate_results_write(const char *path, const ate_campaign_spec *spec,
                                     const ate_references *refs, const ate_candidate_result *r,
                                     int n, const ate_results_meta *meta, ate_error *err);

/** results.h5 written while the candidates come in: /states, /attempts and /structures grow
 *  with every candidate added (in the order added, written a chunk at a time as
 *  ate_h5_column), and finish writes /summary (the added rows in row order; rows never added
 *  are left out and candidate_row counts only the added ones), the labels, provenance and fit,
 *  then commits atomically (ate_h5_commit). Until then path is untouched: a kill leaves the
 *  previous file. Not collective; spec must outlive the writer. */
typedef struct ate_results_writer ate_results_writer;
ATE_API ate_status ate_results_writer_create(const char *path, const ate_campaign_spec *spec,
                                             int nrows, ate_results_writer **out, ate_error *err);
/** Add r (copied) as /summary row `row` (0 <= row < nrows, each row once). */
ATE_API ate_status ate_results_writer_add(ate_results_writer *w, int row,
                                          const ate_candidate_result *r, ate_error *err);
/** Finish and commit; *w is freed and nulled in every case (on failure path is untouched). */
ATE_API ate_status ate_results_writer_finish(ate_results_writer **w, const ate_references *refs,
                                             const ate_results_meta *meta, ate_error *err);
/** The HDF5 file being written (to have its chunks compressed elsewhere, atescreen/h5.h). */
ATE_API struct ate_h5 *ate_results_writer_file(ate_results_writer *w);
/** No more candidates: close the growing tables (their last chunks are queued when the file
 *  defers its chunks, ate_h5_defer_chunks). finish seals what is not sealed. */
ATE_API ate_status ate_results_writer_seal(ate_results_writer *w, ate_error *err);
/** Drop the writer and its temporary file; NULL-safe. */
ATE_API void ate_results_writer_abort(ate_results_writer **w);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_PIPELINE_H */
