#define _POSIX_C_SOURCE 200809L
/* Journal unit tests: reopen keeps records; the last record of a key wins; a torn tail (kill
 * during a write) and a corrupt record are cut off on open with the dropped size reported, and
 * appending continues cleanly; a foreign file is refused; a reader follows a journal being
 * appended to (ate_journal_refresh), a record written in two pieces counted once complete. */
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

/* A reader following a journal its writer appends to. */
static void follow(void)
{
    const char *path = "follow.jrnl", *later = "follow_later.jrnl";
    unlink(path), unlink(later);
    ate_journal *w = NULL, *r = NULL, *r2 = NULL, *w2 = NULL;
    ate_error err;
    int added = -1;
    CHECK(ate_journal_read(later, &r2, NULL, &err) == ATE_OK, "follow: read a missing journal");
    CHECK(ate_journal_refresh(r2, &added, &err) == ATE_OK && added == 0,
          "follow: a missing journal stays empty");
    CHECK(ate_journal_open(path, &w, NULL, &err) == ATE_OK, "follow: writer");
    CHECK(ate_journal_read(path, &r, NULL, &err) == ATE_OK && ate_journal_count(r) == 0,
          "follow: reader");
    CHECK(ate_journal_refresh(w, NULL, &err) == ATE_ERR_VALUE, "follow: not the writer's copy");
    CHECK(ate_journal_append(w, "x", "1", 1, &err) == ATE_OK, "append x");
    CHECK(ate_journal_refresh(r, &added, &err) == ATE_OK && added == 1 && ate_journal_has(r, "x"),
          "follow: one record");
    CHECK(ate_journal_refresh(r, &added, &err) == ATE_OK && added == 0, "follow: nothing new");
    CHECK(ate_journal_append(w, "y", "2", 1, &err) == ATE_OK &&
              ate_journal_append(w, "x", "33", 2, &err) == ATE_OK,
          "append y, x");
    size_t len = 0;
    CHECK(ate_journal_refresh(r, &added, &err) == ATE_OK && added == 2 && ate_journal_count(r) == 2,
          "follow: two more");
    const char *p = ate_journal_get(r, "x", &len);
    CHECK(p && len == 2 && !memcmp(p, "33", 2), "follow: the latest x");
    /* a record of another journal, appended in two pieces */
    long before = file_size(path);
    CHECK(ate_journal_append(w, "z", "zzzz", 4, &err) == ATE_OK, "append z");
    long after = file_size(path);
    ate_journal_close(&w);
    unsigned char rec[64];
    FILE *f = fopen(path, "rb");
    CHECK(f && fseek(f, before, SEEK_SET) == 0 &&
              fread(rec, 1, (size_t)(after - before), f) == (size_t)(after - before),
          "read z back");
    if (f) fclose(f);
    CHECK(truncate(path, before) == 0, "remove z");
    f = fopen(path, "ab");
    fwrite(rec, 1, 10, f);
    fclose(f);
    CHECK(ate_journal_refresh(r, &added, &err) == ATE_OK && added == 0 && !ate_journal_has(r, "z"),
          "follow: half a record is not read");
    f = fopen(path, "ab");
    fwrite(rec + 10, 1, (size_t)(after - before) - 10, f);
    fclose(f);
    CHECK(ate_journal_refresh(r, &added, &err) == ATE_OK && added == 1 && ate_journal_has(r, "z"),
          "follow: the completed record");
    CHECK(ate_journal_open(later, &w2, NULL, &err) == ATE_OK &&
              ate_journal_append(w2, "q", "q", 1, &err) == ATE_OK,
          "create the later journal");
    CHECK(ate_journal_refresh(r2, &added, &err) == ATE_OK && added == 1 && ate_journal_has(r2, "q"),
          "follow: a journal created after the reader");
    ate_journal_close(&w2);
    ate_journal_close(&r);
    ate_journal_close(&r2);
}

int main(void)
{
    follow();
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
