/**
 * @file rundir.h
 * @brief The output directory of `atescreen run` and what `run` and `merge` share about it
 *        (docs/pipeline.md, "Output directory"). Not collective; not installed.
 *
 * DIR/journal/rank-<r>.jrnl holds, besides one record per finished candidate (key = candidate
 * id, payload = ate_candidate_result_pack), these records written by every run:
 *   #settings    the settings JSON (every rank; a resume with other settings is refused)
 *   #campaign    "<candidates> <SHA-256 of the candidate ids and adsorbates>" (rank 0)
 *   #shard       "<i>/<n>" of `--shard i/n`, "0/1" for an unsharded run (rank 0)
 *   #yaml        the campaign YAML text (rank 0)
 *   #references  the H2O/H2 gas references (rank 0, once they are computed)
 * Rank 0's journal always exists and its records describe the latest run in DIR.
 *
 * Shards: the candidates sorted by expected cost (most expensive first, ties by enumeration
 * order) are dealt round-robin: shard i of n takes positions i, i + n, i + 2n, ... so every
 * shard gets a similar mix of expensive and cheap candidates.
 */
#ifndef ATE_CLI_RUNDIR_H
#define ATE_CLI_RUNDIR_H

#include <stdbool.h>
#include <stddef.h>

#include <mpi.h>

#include "atescreen/journal.h"
#include "atescreen/pipeline.h"
#include "atescreen/sites.h"

#define ATE_RUNDIR_SETTINGS   "#settings"
#define ATE_RUNDIR_CAMPAIGN   "#campaign"
#define ATE_RUNDIR_SHARD      "#shard"
#define ATE_RUNDIR_YAML       "#yaml"
#define ATE_RUNDIR_REFERENCES "#references"

/** The journals of a directory (or of several, for merge): j[r] may be NULL. */
typedef struct ate_rundir_journals {
    ate_journal **j;
    int n;
} ate_rundir_journals;

/** "DIR/journal/rank-<rank>.jrnl" into out[cap]. */
void ate_rundir_journal_path(const char *dir, int rank, char *out, size_t cap);

/** Append the journals found in DIR/journal (read only: a writer may still be appending) to
 *  js; *found (optional) receives how many were found. */
ate_status ate_rundir_open_journals(const char *dir, ate_rundir_journals *js, int *found,
                                    ate_error *err);
/** Close them all; NULL-safe. */
void ate_rundir_close_journals(ate_rundir_journals *js);

/** The latest payload of key in the journals js[first..last): for a candidate, a finished record
 *  in preference to a failed one (a retried candidate), else the first found; NULL if none. len
 *  may be NULL. */
const void *ate_rundir_find(const ate_rundir_journals *js, int first, int last, const char *key,
                            size_t *len);

/** True if every journal of js[first..last) that records settings records exactly settings. */
bool ate_rundir_same_settings(const ate_rundir_journals *js, int first, int last,
                              const char *settings);

/** Expected cost of every candidate (atoms^3 x states), cost[ncandidates]; the atoms of a lazily
 *  enumerated list must have been counted (ate_candidate_list_natoms). */
void ate_rundir_costs(const ate_candidate_list *list, const ate_campaign_spec *spec, double *cost);

/** member[c] = candidate c belongs to shard i of n (see the file comment). */
ate_status ate_rundir_shard_members(const ate_candidate_list *list, const ate_campaign_spec *spec,
                                    int i, int n, bool *member, ate_error *err);

/** Parse "i/n" (0 <= i < n): ATE_ERR_INPUT naming the option otherwise. */
ate_status ate_rundir_parse_shard(const char *text, const char *option, int *i, int *n,
                                  ate_error *err);

/** The #campaign record of a campaign: candidate count and SHA-256 of the ids and adsorbates. */
void ate_rundir_campaign_key(const ate_candidate_list *list, const ate_campaign_spec *spec,
                             char *out, size_t cap);

/** The #references record: text with exact (hexadecimal) numbers, and back. */
void ate_rundir_pack_refs(const ate_references *refs, char *out, size_t cap);
ate_status ate_rundir_unpack_refs(const void *rec, size_t len, ate_references *refs,
                                  ate_error *err);

/** Write path (atomically, schema docs/hdf5-schema.md) from the records in js of the
 *  candidates of list (ate_rundir_find chooses among several): /summary in candidate order,
 *  /states, /attempts and /structures in the canonical order (ate_rundir_order), as a run's
 *  stream writes them; comm as for ate_rundir_stream_finish. *ndone: candidates written,
 *  *nfailed: of them failed. */
ate_status ate_rundir_write_results(const char *path, const ate_campaign_spec *spec,
                                    const ate_candidate_list *list, const ate_references *refs,
                                    ate_rundir_journals *js, const ate_results_meta *meta,
                                    MPI_Comm comm, int *ndone, int *nfailed, ate_error *err);

/** The canonical order of a campaign's candidates: most expensive first by ate_rundir_costs,
 *  ties by list index (the order the scheduler hands them out in; a shard's candidates are a
 *  subsequence). order[ncandidates]. */
ate_status ate_rundir_order(const ate_candidate_list *list, const ate_campaign_spec *spec,
                            int *order, ate_error *err);

/** Make js hold a journal of every rank 0..nranks-1 of DIR (journals missing when js was opened
 *  are empty until ate_journal_refresh finds them). */
ate_status ate_rundir_track_journals(const char *dir, ate_rundir_journals *js, int nranks,
                                     ate_error *err);

/** results.h5 written while the run computes (rank 0; docs/pipeline.md, "results.h5"): the
 *  stream follows the journals js (borrowed, refreshed by it; they stay the durable truth) and
 *  adds each candidate to an ate_results_writer (path.tmp) in the canonical order, as soon as
 *  the candidates before it have been added, so /states, /attempts and /structures are in the
 *  same order whatever the ranks and timing, and at the end only the candidates still out of
 *  order and /summary remain. waiting[c] (NULL: none): candidates this run computes; their turn
 *  waits for ate_rundir_stream_arrived. path is replaced only by finish (atomically). */
typedef struct ate_rundir_stream ate_rundir_stream;
ate_status ate_rundir_stream_create(const char *path, const ate_campaign_spec *spec,
                                    const ate_candidate_list *list, const bool *waiting,
                                    ate_rundir_journals *js, ate_rundir_stream **out,
                                    ate_error *err);
/** From now on rank (of comm) serves ate_rundir_help: the stream's full chunks are compressed
 *  there (a rank that has finished its candidates), rank 0 assembles and writes them. */
void ate_rundir_stream_helper(ate_rundir_stream *s, MPI_Comm comm, int rank);
/** Candidate c has been journaled in js->j[journal] (the rank that computed it). */
void ate_rundir_stream_arrived(ate_rundir_stream *s, int c, int journal);
/** Refresh the journals that received records, unpack the records announced since the last
 *  call (kept until their turn, within a memory bound) and add the candidates whose turn has
 *  come; *added (optional): how many. */
ate_status ate_rundir_stream_advance(ate_rundir_stream *s, int *added, ate_error *err);
/** Where a stream's time went so far (seconds; rank 0's `run -v` timers): reading the journals,
 *  finding and unpacking records (on arrival, or at their turn), adding them to the columns,
 *  compressing and writing the full chunks (or, once there are helpers, sending them out and
 *  writing what comes back); early: records unpacked ahead of their turn; unpacked: records
 *  unpacked, wall: the sum of their candidates' wall_s (their mean cost so far). */
typedef struct ate_rundir_stream_times {
    double read, unpack, add, compress, wall;
    int early, unpacked;
} ate_rundir_stream_times;
void ate_rundir_stream_get_times(const ate_rundir_stream *s, ate_rundir_stream_times *t);
/** Refresh every journal, add every remaining candidate that has a record (in the canonical
 *  order), write /summary (candidate order) and commit. *s freed in every case. With comm (not
 *  MPI_COMM_NULL; this is its rank 0) every other rank of comm is a helper (they all serve
 *  ate_rundir_help by then). */
ate_status ate_rundir_stream_finish(ate_rundir_stream **s, const ate_references *refs,
                                    const ate_results_meta *meta, MPI_Comm comm, int *ndone,
                                    int *nfailed, ate_error *err);
/** Ranks other than 0 of comm, once their candidates are done: compress results.h5 chunks for
 *  rank 0 until ate_rundir_help_done (which rank 0 calls when it has written results.h5, or
 *  knows it will not). */
void ate_rundir_help(MPI_Comm comm);
void ate_rundir_help_done(MPI_Comm comm);
/** Drop it and its temporary file (path untouched); NULL-safe. */
void ate_rundir_stream_abort(ate_rundir_stream **s);

#endif
