/* Kill-test worker: `journal_writer PATH N` opens (and recovers) the journal, then appends the
 * records cand-00000 .. cand-N-1 that are not there yet, each with a deterministic payload of
 * varying length; `journal_writer PATH N verify` checks every key is present with its payload. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/journal.h"

static size_t payload(int i, unsigned char *buf)
{
    size_t n = 20 + (size_t)(i * 37 % 300);
    for (size_t k = 0; k < n; ++k)
        buf[k] = (unsigned char)(i * 31 + k * 7);
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 3) return 2;
    int n = atoi(argv[2]);
    bool verify = argc > 3 && !strcmp(argv[3], "verify");
    ate_journal *j = NULL;
    ate_error err;
    size_t dropped = 0;
    if (ate_journal_open(argv[1], &j, &dropped, &err) != ATE_OK) {
        fprintf(stderr, "open: %s\n", err.message);
        return 1;
    }
    if (dropped) fprintf(stderr, "recovered: dropped a torn tail of %zu bytes\n", dropped);
    static unsigned char buf[400];
    int bad = 0;
    for (int i = 0; i < n; ++i) {
        char key[32];
        snprintf(key, sizeof(key), "cand-%05d", i);
        size_t len = payload(i, buf), got = 0;
        if (verify) {
            const unsigned char *p = ate_journal_get(j, key, &got);
            if (!p || got != len || memcmp(p, buf, len)) fprintf(stderr, "bad %s\n", key), ++bad;
            continue;
        }
        if (ate_journal_has(j, key)) continue;
        if (ate_journal_append(j, key, buf, len, &err) != ATE_OK) {
            fprintf(stderr, "append: %s\n", err.message);
            return 1;
        }
    }
    if (verify && ate_journal_count(j) != n)
        fprintf(stderr, "%d keys, want %d\n", ate_journal_count(j), n), ++bad;
    ate_journal_close(&j);
    return bad ? 1 : 0;
}
