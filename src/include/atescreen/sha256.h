/**
 * @file sha256.h
 * @brief SHA-256 checksums (FIPS 180-4) as 64 lower-case hex digits, for provenance records.
 *        Not collective.
 */
#ifndef ATESCREEN_SHA256_H
#define ATESCREEN_SHA256_H

#include <stddef.h>

#include "atescreen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Checksum of n bytes; hex receives 64 digits and a NUL. */
ATE_API void ate_sha256_bytes(const void *data, size_t n, char hex[65]);
/** Checksum of a file's content (ATE_ERR_IO naming the file when it cannot be read). */
ATE_API ate_status ate_sha256_file(const char *path, char hex[65], ate_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_SHA256_H */
