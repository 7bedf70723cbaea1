/**
 * @file site_id.c
 * @brief Stable candidate IDs: 64-bit FNV-1a of the canonical description, as 16 hex digits.
 *        (Fowler-Noll-Vo hash, offset basis 14695981039346656037, prime 1099511628211.)
 */
#include <stdint.h>
#include <stdio.h>

#include "sites_internal.h"

void site_hash_id(const char *description, char id[17])
{
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)description; *p; ++p) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    snprintf(id, 17, "%016llx", (unsigned long long)h);
}
