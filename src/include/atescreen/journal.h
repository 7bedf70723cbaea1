/**
 * @file journal.h
 * @brief Append-only journal of finished work: every record is durable (written and fsync'd)
 *        before ate_journal_append returns, so a kill at any instant loses at most the record
 *        being written, never an earlier one. Not collective (the campaign's writer rank owns it).
 *
 * File: the 8-byte header "ATEJRNL1", then records
 *   magic u32 | key length u32 | payload length u32 | FNV-1a-64 checksum of key+payload u64 |
 *   key bytes | payload bytes
 * (little-endian). Opening scans the records; a torn or corrupt tail (from a kill during a write)
 * is cut off and reported. A key may appear several times; the last record wins.
 */
#ifndef ATESCREEN_JOURNAL_H
#define ATESCREEN_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "atescreen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ate_journal ate_journal;

/** Open (creating if missing) and recover path. *dropped_bytes (optional) receives the size of
 *  a cut-off torn tail. ATE_ERR_INPUT if the file is not a journal. */
ATE_API ate_status ate_journal_open(const char *path, ate_journal **out, size_t *dropped_bytes,
                                    ate_error *err);
/** Read path without changing it (another process may be appending to it): a torn or corrupt
 *  tail is ignored (its size in *torn_bytes, optional), a missing file or one shorter than
 *  the header reads as empty. ate_journal_append on the result fails. */
ATE_API ate_status ate_journal_read(const char *path, ate_journal **out, size_t *torn_bytes,
                                    ate_error *err);
/** Read what has been appended to a journal opened with ate_journal_read since it was read or
 *  last refreshed (its writer keeps appending): complete records only, an incomplete one is
 *  read by a later call. *added (optional): records read. Keys and payloads read before stay
 *  valid unless a new record of the same key replaces them. */
ATE_API ate_status ate_journal_refresh(ate_journal *j, int *added, ate_error *err);
/** NULL-safe; nulls *j. */
ATE_API void ate_journal_close(ate_journal **j);

/** Append and make durable. The key is a non-empty string up to 4096 bytes. */
ATE_API ate_status ate_journal_append(ate_journal *j, const char *key, const void *payload,
                                      size_t len, ate_error *err);

/** Number of distinct keys. */
ATE_API int ate_journal_count(const ate_journal *j);
/** i-th distinct key (order of first appearance); owned by the journal. */
ATE_API const char *ate_journal_key(const ate_journal *j, int i);
/** Latest payload of key (owned by the journal, valid until the next append), or NULL. */
ATE_API const void *ate_journal_get(const ate_journal *j, const char *key, size_t *len);
ATE_API bool ate_journal_has(const ate_journal *j, const char *key);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_JOURNAL_H */
