/**
 * @file gfn1_c6_table.h
 * @brief The rows of inputs/params/d3/c6ref.tsv compiled into the kernel (internal). The source
 *        gfn1_c6_table.c is generated at build time by kernels/xtb/gen/gen_c6_table.c from that
 *        file, copying each number as written there into a C literal (the compiler rounds it as
 *        strtod does). gfn1_params_load uses these rows instead of parsing the 1.3 MB table when
 *        the parameter directory's d3/c6ref.tsv has the size and hash of the file they were made
 *        from; any other file is parsed (tests/xtb/test_gfn1_c6_table.c checks that both give the
 *        same bits).
 */
#ifndef ATE_GFN1_C6_TABLE_H
#define ATE_GFN1_C6_TABLE_H

#include <stdint.h>
#include <string.h>

typedef struct gfn1_c6_builtin {
    long long size;         /* bytes of the source file */
    uint64_t hash;          /* gfn1_hash of the source file */
    int nrec;               /* rows; 0 when the generator could not convert the file */
    const double (*rec)[5]; /* [nrec] {C6, code_i, code_j, CN_i, CN_j} as in the file */
} gfn1_c6_builtin;

extern const gfn1_c6_builtin gfn1_c6_table;

/* A 64-bit hash of a byte stream: four lanes of 64-bit words (multiply, rotate, multiply), the
 * length and the trailing bytes, mixed by MurmurHash3's finaliser. It tells an edited table from
 * the one compiled in; it is not a cryptographic hash. Feed the bytes in blocks whose length is a
 * multiple of 32 except for the last block. */
typedef struct gfn1_hash {
    uint64_t lane[4];
    uint64_t len, tail;
} gfn1_hash;

static inline void gfn1_hash_init(gfn1_hash *h)
{
    static const uint64_t seed[4] = {0x9e3779b97f4a7c15u, 0xc2b2ae3d27d4eb4fu, 0x165667b19e3779f9u,
                                     0x27d4eb2f165667c5u};
    memcpy(h->lane, seed, sizeof(seed));
    h->len = h->tail = 0;
}

static inline void gfn1_hash_update(gfn1_hash *h, const unsigned char *p, size_t n)
{
    const uint64_t k1 = 0x87c37b91114253d5u, k2 = 0x4cf5ad432745937fu;
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int k = 0; k < 4; ++k) {
            uint64_t w;
            memcpy(&w, p + i + 8 * k, sizeof(w));
            uint64_t x = h->lane[k] ^ (w * k1);
            h->lane[k] = ((x << 31) | (x >> 33)) * k2;
        }
    for (; i < n; ++i)
        h->tail = (h->tail ^ p[i]) * 0x100000001b3u;
    h->len += n;
}

static inline uint64_t gfn1_hash_final(const gfn1_hash *h)
{
    uint64_t x = h->len ^ h->tail;
    for (int k = 0; k < 4; ++k) {
        x ^= h->lane[k];
        x ^= x >> 33, x *= 0xff51afd7ed558ccdu, x ^= x >> 33, x *= 0xc4ceb9fe1a85ec53u,
            x ^= x >> 33;
    }
    return x;
}

#endif
