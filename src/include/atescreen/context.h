/**
 * @file context.h
 * @brief The ate_context: communicator, logger, verbosity, named timers, validate flag.
 *
 * One context is created by the program (CLI, test, campaign) and passed explicitly; there are no
 * globals. The context duplicates the communicator it is given, so its traffic never collides with
 * the caller's. When MPI has not been initialised the context is serial (rank 0 of 1) and uses no
 * MPI at all, which keeps small unit tests free of MPI start-up.
 */
#ifndef ATESCREEN_CONTEXT_H
#define ATESCREEN_CONTEXT_H

#include <stdbool.h>
#include <stdio.h>

#include <mpi.h>

#include "atescreen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ate_context ate_context;

typedef enum ate_log_level {
    ATE_LOG_ERROR = 0, /**< always printed, on every rank */
    ATE_LOG_WARN = 1,  /**< printed on rank 0 */
    ATE_LOG_INFO = 2,  /**< default verbosity */
    ATE_LOG_DEBUG = 3
} ate_log_level;

/** Create a context on comm (duplicated; collective on comm). Pass MPI_COMM_NULL, or call
 *  before MPI_Init, for a serial context. Verbosity starts at ATE_LOG_INFO, output on stderr. */
ATE_API ate_status ate_context_create(MPI_Comm comm, ate_context **ctx, ate_error *err);
/** Free the context (collective on its communicator); NULL-safe, nulls *ctx. */
ATE_API void ate_context_destroy(ate_context **ctx);

/** The context's private communicator (MPI_COMM_NULL when serial). Not collective. */
ATE_API MPI_Comm ate_context_comm(const ate_context *ctx);
ATE_API int ate_context_rank(const ate_context *ctx);
ATE_API int ate_context_size(const ate_context *ctx);

ATE_API void ate_context_set_verbosity(ate_context *ctx, int level);
ATE_API int ate_context_verbosity(const ate_context *ctx);
/** Where log lines go (default stderr); the stream stays owned by the caller. */
ATE_API void ate_context_set_log_stream(ate_context *ctx, FILE *stream);
/** When set, optimised kernels also run their plain reference and report the largest difference. */
ATE_API void ate_context_set_validate(ate_context *ctx, bool validate);
ATE_API bool ate_context_validate(const ate_context *ctx);

/** Log a line when level <= verbosity. Levels above ERROR print on rank 0 only. Not collective. */
ATE_API void ate_log(const ate_context *ctx, ate_log_level level, const char *fmt, ...)
    ATE_PRINTF(3, 4);
/** Log an ate_error as one "error: ..." line (every rank). */
ATE_API void ate_log_error(const ate_context *ctx, const ate_error *err);

/* Named timers (wall clock). Accumulate across start/stop pairs; at most 64 names. Not collective.
 */
ATE_API void ate_timer_start(ate_context *ctx, const char *name);
ATE_API void ate_timer_stop(ate_context *ctx, const char *name);
/** Accumulated seconds of a timer (0 if unknown). */
ATE_API double ate_timer_seconds(const ate_context *ctx, const char *name);
/** Print the timer table at ATE_LOG_INFO on rank 0. */
ATE_API void ate_timer_report(const ate_context *ctx);

/** Wall-clock seconds since an arbitrary origin (monotonic). */
ATE_API double ate_wtime(void);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_CONTEXT_H */
