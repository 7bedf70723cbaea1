/**
 * @file fetch_latency.c
 * @brief Miniapp: the latency of ate_workqueue_next (atescreen/scheduler.h) while rank 0 is busy
 *        computing, as in `atescreen run`, where rank 0 takes candidates too and enters MPI only
 *        through ate_workqueue_poll after every energy evaluation.
 *
 *   mpirun -np P ate_bench_fetch_latency [FETCHES [POLL_US]]
 *
 * Rank 0 spins (no MPI calls) in slices of POLL_US microseconds (default 20000, a typical energy
 * evaluation of a small flake) and calls ate_workqueue_poll between slices, until every other
 * rank has made FETCHES calls of ate_workqueue_next (default 200). Ranks 1..P-1 time each call.
 * Prints one line per rank, `rank R fetches N mean_us W median_us X p90_us Y max_us Z`, then a line
 * for the local cost of ate_workqueue_poll. With Open MPI's shared-memory one-sided component (one
 * node) the counter needs no help from rank 0; with a component that needs target progress
 * (`--mca osc pt2pt`, or across nodes without hardware atomics) a fetch waits for rank 0's next
 * poll. Used by benchmarks/scaling/scaling.py.
 */
#include <stdio.h>
#include <stdlib.h>

#include <mpi.h>

#include "atescreen/context.h"
#include "atescreen/scheduler.h"

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void spin(double seconds)
{
    double t0 = MPI_Wtime();
    while (MPI_Wtime() - t0 < seconds) {
    }
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int fetches = argc > 1 ? atoi(argv[1]) : 200;
    double poll = (argc > 2 ? atof(argv[2]) : 20000.0) * 1e-6;
    if (fetches < 1 || !(poll >= 0.0)) {
        if (rank == 0) fprintf(stderr, "usage: ate_bench_fetch_latency [FETCHES [POLL_US]]\n");
        MPI_Finalize();
        return 2;
    }
    int n = fetches * size + 1;
    int *order = malloc((size_t)n * sizeof(int));
    double *lat = malloc((size_t)fetches * sizeof(double));
    if (!order || !lat) MPI_Abort(MPI_COMM_WORLD, 1);
    for (int i = 0; i < n; ++i)
        order[i] = i;
    ate_error err;
    ate_error_clear(&err);
    ate_workqueue *q = NULL;
    if (ate_workqueue_create(MPI_COMM_WORLD, order, n, &q, &err) != ATE_OK) {
        fprintf(stderr, "rank %d: %s\n", rank, err.message);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Request done;
    if (rank == 0) {
        /* busy like a computing rank 0: MPI only through the poll between slices */
        MPI_Ibarrier(MPI_COMM_WORLD, &done);
        int flag = 0;
        double tpoll = 0.0;
        long npoll = 0;
        while (!flag) {
            spin(poll);
            double t = MPI_Wtime();
            ate_workqueue_poll(q);
            tpoll += MPI_Wtime() - t, ++npoll;
            MPI_Test(&done, &flag, MPI_STATUS_IGNORE);
        }
        printf("rank 0 polls %ld mean_poll_us %.3f poll_interval_us %.0f\n", npoll,
               npoll ? tpoll / (double)npoll * 1e6 : 0.0, poll * 1e6);
        fflush(stdout);
    } else {
        for (int k = 0; k < fetches; ++k) {
            double t = MPI_Wtime();
            if (ate_workqueue_next(q) < 0) MPI_Abort(MPI_COMM_WORLD, 1);
            lat[k] = MPI_Wtime() - t;
            spin(1e-3 * (double)(rank % 7 + 1) / 7.0); /* requests not in lock step */
        }
        MPI_Ibarrier(MPI_COMM_WORLD, &done);
        MPI_Wait(&done, MPI_STATUS_IGNORE);
        double sum = 0.0;
        for (int k = 0; k < fetches; ++k)
            sum += lat[k];
        qsort(lat, (size_t)fetches, sizeof(double), by_value);
        printf("rank %d fetches %d mean_us %.3f median_us %.3f p90_us %.3f max_us %.3f\n", rank,
               fetches, sum / fetches * 1e6, lat[fetches / 2] * 1e6, lat[(fetches * 9) / 10] * 1e6,
               lat[fetches - 1] * 1e6);
        fflush(stdout);
    }
    ate_workqueue_destroy(&q);
    free(order), free(lat);
    MPI_Finalize();
    return 0;
}
