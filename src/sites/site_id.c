/**
 * @file site_id.c
 * @brief Stable candidate IDs: "c" + the 64-bit FNV-1a hash of the canonical description as 16 hex
 *        digits (Fowler-Noll-Vo, offset basis 14695981039346656037, prime 1099511628211). The
 *        letter keeps an all-digit hash from being read as a number by ASE or pandas.
 */
#include <stdint.h>
#include <stdio.h>

#include "sites_internal.h"

void site_hash_id(const char *description, char id[18])
{
    uint64_t h = 14695981039346656037ull;
    for (const unsigned char *p = (const unsigned char *)description; *p; ++p) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    snprintf(id, 18, "c%016llx", (unsigned long long)h);
}
