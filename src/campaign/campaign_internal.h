/**
 * @file campaign_internal.h
 * @brief Shared between the pipeline, its serialisation and the results writer (not installed).
 */
#ifndef ATE_CAMPAIGN_INTERNAL_H
#define ATE_CAMPAIGN_INTERNAL_H

#include "atescreen/h5.h"
#include "atescreen/pipeline.h"
#include "kernel.h"

/** The CHE constants and gas references in use. */
const ate_che_constants *ate_campaign_che_constants(const ate_pipeline *p);
const ate_references *ate_campaign_refs(const ate_pipeline *p);

/** dE and dG (eV) of the top site labelled site from the states of r (NaN where a state is
 *  missing; de may be NULL); true when all four adsorbates are available. */
bool ate_campaign_site_dg(const ate_pipeline *p, const ate_candidate_result *r, const char *site,
                          ate_che_dg *de, ate_che_dg *dg);

/** Tandem limiting potentials of a dual-metal candidate (each intermediate on either metal);
 *  leaves NaN for single-metal candidates or missing states. */
void ate_campaign_tandem(const ate_pipeline *p, const ate_candidate *c, ate_candidate_result *r);

/** settings.pw of spec on the plane-wave kernel's options (xc, smearing, bands, sphere radius,
 *  pseudopotential file); the other fields of ko are left as they are. */
void ate_campaign_pw_options(const ate_campaign_spec *spec, ate_kernel_opts *ko);

/** thermo.corrections is "harmonic". */
bool ate_campaign_harmonic(const ate_pipeline *p);

/* results.h5 parts written once, at the end (results_provenance.c; docs/hdf5-schema.md) */
/** /labels: the names behind the integer codes (status, state, anomaly, rung). */
ate_status ate_results_write_labels(ate_h5 *h, ate_error *err);
/** /provenance: config, settings JSON, parameter files with SHA-256, gas references, CHE set;
 *  with method pw the pseudopotential entry of every element with has_z[z] set (z = 1 ..
 *  ATE_MAX_Z; has_z may be NULL) and of H and O (the gas references). */
ate_status ate_results_write_provenance(ate_h5 *h, const ate_campaign_spec *spec,
                                        const ate_references *refs, const ate_results_meta *m,
                                        const bool *has_z, ate_error *err);
/** /fit/scaling: least-squares dG_OOH = slope dG_OH + intercept over r[n] (failed ones skipped). */
ate_status ate_results_write_fit(ate_h5 *h, const ate_candidate_result *r, int n, ate_error *err);

#endif
