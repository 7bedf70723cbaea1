/* Unit tests: the context without MPI (serial), logger verbosity and levels, timers; and the
 * checked MPI wrappers after MPI_Init on one rank (error text of a failing call). */
#include <stdlib.h>
#include <string.h>

#include "ate_test.h"
#include "atescreen/context.h"
#include "atescreen/par.h"

static char *slurp(FILE *f)
{
    fflush(f);
    long n = ftell(f);
    rewind(f);
    char *buf = calloc((size_t)n + 1, 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) buf[0] = '\0';
    return buf;
}

int main(int argc, char **argv)
{
    ate_error err;
    ate_context *ctx = NULL;
    CHECK(ate_context_create(MPI_COMM_WORLD, &ctx, &err) == ATE_OK,
          "serial context before MPI_Init");
    CHECK(ate_context_rank(ctx) == 0 && ate_context_size(ctx) == 1, "serial rank/size");
    CHECK(ate_context_comm(ctx) == MPI_COMM_NULL, "serial comm is NULL");
    FILE *log = tmpfile();
    ate_context_set_log_stream(ctx, log);
    ate_log(ctx, ATE_LOG_INFO, "hello %d", 1);
    ate_log(ctx, ATE_LOG_DEBUG, "hidden");
    ate_context_set_verbosity(ctx, ATE_LOG_DEBUG);
    ate_log(ctx, ATE_LOG_DEBUG, "shown");
    ate_log(ctx, ATE_LOG_WARN, "careful");
    ATE_ERROR(&err, ATE_ERR_INPUT, "bad thing");
    ate_error_locate(&err, "f.yaml", 3, 4, "metals[0]");
    ate_log_error(ctx, &err);
    char *text = slurp(log);
    CHECK_STR(text,
              "hello 1\ndebug: shown\nwarning: careful\nerror: f.yaml:3:4: metals[0]: bad thing\n");
    free(text);
    fclose(log);
    ate_context_set_log_stream(ctx, NULL);

    ate_timer_start(ctx, "work");
    volatile double x = 0;
    for (int i = 0; i < 1000000; ++i)
        x += 1e-9 * i;
    ate_timer_stop(ctx, "work");
    CHECK(ate_timer_seconds(ctx, "work") > 0.0, "timer accumulated");
    CHECK(ate_timer_seconds(ctx, "unknown") == 0.0, "unknown timer");
    ate_context_destroy(&ctx);
    CHECK(ctx == NULL, "destroy nulls");
    ate_context_destroy(&ctx);

    /* with MPI: the context duplicates the communicator; wrappers report failures */
    MPI_Init(&argc, &argv);
    CHECK(ate_context_create(MPI_COMM_WORLD, &ctx, &err) == ATE_OK, "MPI context");
    CHECK(ate_context_comm(ctx) != MPI_COMM_NULL && ate_context_comm(ctx) != MPI_COMM_WORLD,
          "communicator duplicated");
    double v[2] = {1.0, 2.0};
    CHECK(ate_par_sum_double(ate_context_comm(ctx), v, 2, &err) == ATE_OK && v[1] == 2.0, "sum");
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int bad = ate_par_bcast(MPI_COMM_WORLD, v, 8, 5, &err); /* root 5 of 1 rank: invalid */
    CHECK(bad == ATE_ERR_MPI, "invalid root reported");
    CHECK(strstr(err.message, "MPI_Bcast") != NULL, "message names the call: %s", err.message);
    ate_context_destroy(&ctx);
    MPI_Finalize();
    return ate_test_finish("test_context");
}
