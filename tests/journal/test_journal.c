#define _POSIX_C_SOURCE 200809L
/* Journal unit tests: reopen keeps records; the last record of a key wins; a torn tail (kill
 * during a write) and a corrupt record are cut off on open with the dropped size reported, and
 * appending continues cleanly; a foreign file is refused. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ate_test.h"
#include "atescreen/journal.h"

static long file_size(const char *p)
{
    FILE *f = fopen(p, "rb");
    if (!f) return -1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

int main(void)
{
    FILE *f;
    const char *path = "test_journal.bin";
    unlink(path);
    ate_journal *j = NULL;
    ate_error err;
    size_t dropped = 99;
    CHECK(ate_journal_open(path, &j, &dropped, &err) == ATE_OK && dropped == 0, "create");
    CHECK(ate_journal_append(j, "a", "one", 3, &err) == ATE_OK, "append a");
    CHECK(ate_journal_append(j, "b", "two", 3, &err) == ATE_OK, "append b");
    CHECK(ate_journal_append(j, "a", "three", 5, &err) == ATE_OK, "append a again");
    long good = file_size(path);
    CHECK(ate_journal_append(j, "c", "four!", 5, &err) == ATE_OK, "append c");
    CHECK(ate_journal_append(j, "", "x", 1, &err) == ATE_ERR_VALUE, "empty key refused");
    ate_journal_close(&j);

    CHECK(ate_journal_open(path, &j, &dropped, &err) == ATE_OK && dropped == 0, "reopen");
    size_t len = 0;
    const char *p = ate_journal_get(j, "a", &len);
    CHECK(ate_journal_count(j) == 3 && p && len == 5 && !memcmp(p, "three", 5), "last record wins");
    CHECK_STR(ate_journal_key(j, 1), "b");
    ate_journal_close(&j);

    /* torn tail: cut the last record in the middle, as a kill during write() would */
    long full = file_size(path);
    CHECK(truncate(path, full - 3) == 0, "truncate");
    /* read only (another process may be writing): the torn tail is skipped, not cut */
    CHECK(ate_journal_read(path, &j, &dropped, &err) == ATE_OK && ate_journal_count(j) == 2 &&
              dropped == (size_t)(full - 3 - good) && file_size(path) == full - 3,
          "read only: torn tail skipped, file unchanged");
    CHECK(ate_journal_append(j, "d", "x", 1, &err) == ATE_ERR_VALUE, "read only: no append");
    ate_journal_close(&j);
    CHECK(ate_journal_read("no_such.jrnl", &j, NULL, &err) == ATE_OK && ate_journal_count(j) == 0 &&
              access("no_such.jrnl", F_OK) != 0,
          "read only: a missing journal is empty and not created");
    ate_journal_close(&j);
    f = fopen("header_only.jrnl", "w");
    fputs("ATEJ", f); /* its writer is creating it */
    fclose(f);
    CHECK(ate_journal_read("header_only.jrnl", &j, NULL, &err) == ATE_OK &&
              ate_journal_count(j) == 0,
          "read only: a partial header reads as empty");
    ate_journal_close(&j);
    CHECK(ate_journal_open(path, &j, &dropped, &err) == ATE_OK, "open torn");
    CHECK(dropped == (size_t)(full - 3 - good), "dropped %zu bytes, want %ld", dropped,
          full - 3 - good);
    CHECK(!ate_journal_has(j, "c") && ate_journal_has(j, "b"), "torn record gone, earlier kept");
    CHECK(ate_journal_append(j, "c", "again", 5, &err) == ATE_OK, "append after repair");
    ate_journal_close(&j);
    CHECK(ate_journal_open(path, &j, &dropped, &err) == ATE_OK && dropped == 0 &&
              ate_journal_count(j) == 3,
          "clean after repair");
    ate_journal_close(&j);

    /* a flipped payload byte fails the checksum: that record and everything after are dropped */
    int fd = open(path, O_RDWR);
    char c;
    CHECK(pread(fd, &c, 1, good - 2) == 1, "read byte");
    c ^= 0x40;
    CHECK(pwrite(fd, &c, 1, good - 2) == 1, "corrupt byte");
    close(fd);
    CHECK(ate_journal_open(path, &j, &dropped, &err) == ATE_OK && dropped > 0,
          "corrupt tail dropped");
    CHECK(ate_journal_has(j, "b") && !ate_journal_has(j, "c"),
          "records before the corruption kept");
    ate_journal_close(&j);

    /* not a journal */
    f = fopen("not_a_journal.bin", "w");
    fputs("hello world", f);
    fclose(f);
    CHECK(ate_journal_open("not_a_journal.bin", &j, NULL, &err) == ATE_ERR_INPUT, "foreign file");
    char buf[1024];
    ate_error_format(&err, buf, sizeof(buf));
    CHECK_STR(buf, "not_a_journal.bin: not an ATEscreen journal (bad header)");
    return ate_test_finish("test_journal");
}
