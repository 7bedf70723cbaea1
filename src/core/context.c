/**
 * @file context.c
 * @brief ate_context: duplicated communicator, logger with verbosity and rank-0 printing, timers.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "atescreen/context.h"
#include "atescreen/par.h"

enum { TIMER_MAX = 64, TIMER_NAME = 48 };

typedef struct timer_entry {
    char name[TIMER_NAME];
    double total;   /* seconds accumulated */
    double started; /* start time of the running interval, < 0 when stopped */
    long calls;
} timer_entry;

struct ate_context {
    MPI_Comm comm;
    int rank, size;
    int verbosity;
    bool validate;
    FILE *log;
    int ntimers;
    timer_entry timers[TIMER_MAX];
};

double ate_wtime(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

ate_status ate_context_create(MPI_Comm comm, ate_context **ctx, ate_error *err)
{
    *ctx = NULL;
    ate_context *c = calloc(1, sizeof(*c));
    if (!c) return ATE_ERROR(err, ATE_ERR_MEMORY, "cannot allocate the context");
    c->comm = MPI_COMM_NULL;
    if (comm != MPI_COMM_NULL && ate_par_initialized()) {
        ate_status st = ate_par_dup(comm, &c->comm, err);
        if (st != ATE_OK) {
            free(c);
            return st;
        }
    }
    c->rank = ate_par_rank(c->comm);
    c->size = ate_par_size(c->comm);
    c->verbosity = ATE_LOG_INFO;
    c->log = stderr;
    *ctx = c;
    return ATE_OK;
}

void ate_context_destroy(ate_context **ctx)
{
    if (!ctx || !*ctx) return;
    ate_par_free(&(*ctx)->comm, NULL);
    free(*ctx);
    *ctx = NULL;
}

MPI_Comm ate_context_comm(const ate_context *ctx) { return ctx->comm; }
int ate_context_rank(const ate_context *ctx) { return ctx->rank; }
int ate_context_size(const ate_context *ctx) { return ctx->size; }
void ate_context_set_verbosity(ate_context *ctx, int level) { ctx->verbosity = level; }
int ate_context_verbosity(const ate_context *ctx) { return ctx->verbosity; }
void ate_context_set_log_stream(ate_context *ctx, FILE *stream)
{
    ctx->log = stream ? stream : stderr;
}
void ate_context_set_validate(ate_context *ctx, bool validate) { ctx->validate = validate; }
bool ate_context_validate(const ate_context *ctx) { return ctx->validate; }

static const char *level_prefix(ate_log_level level)
{
    switch (level) {
    case ATE_LOG_ERROR:
        return "error: ";
    case ATE_LOG_WARN:
        return "warning: ";
    case ATE_LOG_DEBUG:
        return "debug: ";
    case ATE_LOG_INFO:
        break;
    }
    return "";
}

void ate_log(const ate_context *ctx, ate_log_level level, const char *fmt, ...)
{
    if (!ctx || (int)level > ctx->verbosity) return;
    if (level != ATE_LOG_ERROR && ctx->rank != 0) return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (ctx->size > 1 && level == ATE_LOG_ERROR)
        fprintf(ctx->log, "[rank %d] %s%s\n", ctx->rank, level_prefix(level), line);
    else
        fprintf(ctx->log, "%s%s\n", level_prefix(level), line);
    fflush(ctx->log);
}

void ate_log_error(const ate_context *ctx, const ate_error *err)
{
    char text[ATE_ERROR_MSG_LEN + ATE_ERROR_PATH_LEN + ATE_ERROR_FIELD_LEN + 64];
    ate_error_format(err, text, sizeof(text));
    ate_log(ctx, ATE_LOG_ERROR, "%s", text);
}

static timer_entry *find_timer(ate_context *ctx, const char *name, bool create)
{
    for (int i = 0; i < ctx->ntimers; ++i)
        if (strcmp(ctx->timers[i].name, name) == 0) return &ctx->timers[i];
    if (!create || ctx->ntimers == TIMER_MAX) return NULL;
    timer_entry *t = &ctx->timers[ctx->ntimers++];
    snprintf(t->name, sizeof(t->name), "%s", name);
    t->started = -1.0;
    return t;
}

void ate_timer_start(ate_context *ctx, const char *name)
{
    timer_entry *t = find_timer(ctx, name, true);
    if (t) t->started = ate_wtime();
}

void ate_timer_stop(ate_context *ctx, const char *name)
{
    timer_entry *t = find_timer(ctx, name, false);
    if (!t || t->started < 0) return;
    t->total += ate_wtime() - t->started;
    t->started = -1.0;
    t->calls++;
}

double ate_timer_seconds(const ate_context *ctx, const char *name)
{
    timer_entry *t = find_timer((ate_context *)ctx, name, false);
    return t ? t->total : 0.0;
}

void ate_timer_report(const ate_context *ctx)
{
    if (ctx->ntimers == 0) return;
    ate_log(ctx, ATE_LOG_INFO, "%-32s %10s %12s", "timer", "calls", "seconds");
    for (int i = 0; i < ctx->ntimers; ++i)
        ate_log(ctx, ATE_LOG_INFO, "%-32s %10ld %12.4f", ctx->timers[i].name, ctx->timers[i].calls,
                ctx->timers[i].total);
}
