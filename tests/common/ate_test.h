/**
 * @file ate_test.h
 * @brief Minimal assertion helpers for ATEscreen's C tests (header-only).
 *
 * CHECK(cond, ...) records a failure with a message and continues; CHECK_CLOSE compares doubles
 * with an absolute tolerance; CHECK_STR compares strings. ate_test_finish() prints a summary and
 * returns the exit code (non-zero when any check failed).
 */
#ifndef ATE_TEST_H
#define ATE_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int ate_test_failures = 0;
static int ate_test_checks = 0;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        ++ate_test_checks;                                                                         \
        if (!(cond)) {                                                                             \
            ++ate_test_failures;                                                                   \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
        }                                                                                          \
    } while (0)

#define CHECK_CLOSE(a, b, tol, what)                                                               \
    do {                                                                                           \
        double ate_a_ = (a), ate_b_ = (b);                                                         \
        CHECK(fabs(ate_a_ - ate_b_) <= (tol), "%s: %.12g vs %.12g (|diff| %.3g > %.3g)", what,     \
              ate_a_, ate_b_, fabs(ate_a_ - ate_b_), (double)(tol));                               \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *ate_sa_ = (a), *ate_sb_ = (b);                                                 \
        CHECK(ate_sa_ &&ate_sb_ &&strcmp(ate_sa_, ate_sb_) == 0, "\n   got: '%s'\n  want: '%s'",   \
              ate_sa_ ? ate_sa_ : "(null)", ate_sb_ ? ate_sb_ : "(null)");                         \
    } while (0)

static inline int ate_test_finish(const char *name)
{
    fprintf(stderr, "%s: %d checks, %d failed\n", name, ate_test_checks, ate_test_failures);
    return ate_test_failures ? 1 : 0;
}

#endif
