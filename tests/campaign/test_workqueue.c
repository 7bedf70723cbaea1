/**
 * @file test_workqueue.c
 * @brief The dynamic work queue (atescreen/scheduler.h) on 4 MPI ranks: with groups of 1, 2 and
 *        4 ranks every item is handed out exactly once, to one group, in the queue's order, and
 *        all ranks of a group receive the same items; a group size that is not a divisor of the
 *        world size, or below 1, is refused with ATE_ERR_INPUT on every rank;
 *        ate_schedule_order sorts by cost descending, ties by item.
 *
 *   mpiexec -n 4 test_workqueue
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mpi.h>

#include "ate_test.h"
#include "atescreen/scheduler.h"

enum { NITEMS = 37 };

static void nap(int rank, int k)
{
    /* uneven item costs, so groups interleave differently */
    struct timespec ts = {0, 100000L * ((rank * 7 + k * 3) % 5)};
    nanosleep(&ts, NULL);
}

static void check_groups(int group_size, int rank, int size)
{
    int order[NITEMS];
    for (int i = 0; i < NITEMS; ++i)
        order[i] = (NITEMS - 1 - i) * 10; /* items are not positions */
    ate_error err;
    ate_error_clear(&err);
    ate_workqueue *q = NULL;
    ate_status st =
        ate_workqueue_create_groups(MPI_COMM_WORLD, group_size, order, NITEMS, &q, &err);
    CHECK(st == ATE_OK, "G=%d: create: %s", group_size, err.message);
    if (st != ATE_OK) return;
    MPI_Comm g = ate_workqueue_group(q);
    int gsize = 0, grank = -1;
    MPI_Comm_size(g, &gsize);
    MPI_Comm_rank(g, &grank);
    CHECK(gsize == group_size, "G=%d: group of %d ranks", group_size, gsize);
    CHECK(ate_workqueue_group_index(q) == rank / group_size, "G=%d: group index", group_size);
    CHECK(ate_workqueue_is_leader(q) == (grank == 0) && grank == rank % group_size, "G=%d: leader",
          group_size);
    int got[NITEMS + 1], n = 0, it;
    while ((it = ate_workqueue_next(q)) >= 0 && n < NITEMS) {
        got[n++] = it;
        nap(rank, n);
        ate_workqueue_poll(q);
    }
    CHECK(it == -1, "G=%d: queue did not end", group_size);
    /* the group's ranks got the same items */
    int lead_n = n;
    MPI_Bcast(&lead_n, 1, MPI_INT, 0, g);
    int lead[NITEMS];
    memcpy(lead, got, sizeof(int) * (size_t)n);
    MPI_Bcast(lead, NITEMS, MPI_INT, 0, g);
    CHECK(lead_n == n && memcmp(lead, got, sizeof(int) * (size_t)n) == 0,
          "G=%d rank %d: items differ from the group leader's", group_size, rank);
    /* in queue order within a group */
    for (int k = 1; k < n; ++k)
        CHECK(got[k] < got[k - 1], "G=%d: item %d after %d", group_size, got[k], got[k - 1]);
    /* every item exactly once over the groups: count on each rank, sum the leaders' counts */
    int seen[NITEMS] = {0}, all[NITEMS];
    if (grank == 0)
        for (int k = 0; k < n; ++k)
            seen[NITEMS - 1 - got[k] / 10]++;
    MPI_Allreduce(seen, all, NITEMS, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    for (int i = 0; i < NITEMS; ++i)
        CHECK(all[i] == 1, "G=%d: item at position %d handed out %d times", group_size, i, all[i]);
    if (size == group_size) /* one group: exactly the queue's order */
        for (int k = 0; k < n; ++k)
            CHECK(got[k] == order[k], "G=%d: position %d", group_size, k);
    ate_workqueue_destroy(&q);
    CHECK(q == NULL, "destroy nulls");
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    CHECK(size == 4, "run on 4 ranks (got %d)", size);
    for (int g = 1; g <= size; ++g)
        if (size % g == 0) check_groups(g, rank, size);
    /* the plain queue is the group size 1 */
    int order[3] = {2, 0, 1};
    ate_error err;
    ate_error_clear(&err);
    ate_workqueue *q = NULL;
    CHECK(ate_workqueue_create(MPI_COMM_WORLD, order, 3, &q, &err) == ATE_OK, "plain create");
    CHECK(q && ate_workqueue_is_leader(q), "plain: every rank leads its group");
    while (q && ate_workqueue_next(q) >= 0) {
    }
    ate_workqueue_destroy(&q);
    ate_workqueue_destroy(&q); /* NULL-safe */
    /* invalid group sizes */
    const int bad[3] = {0, 3, size + 1};
    for (int b = 0; b < 3; ++b) {
        ate_error_clear(&err);
        q = NULL;
        ate_status st = ate_workqueue_create_groups(MPI_COMM_WORLD, bad[b], order, 3, &q, &err);
        CHECK(st == ATE_ERR_INPUT && q == NULL, "group size %d accepted", bad[b]);
        char want[160];
        snprintf(want, sizeof(want),
                 "group size %d: it must be at least 1 and divide the number of MPI ranks (%d)",
                 bad[b], size);
        CHECK_STR(err.message, want);
    }
    /* order: cost descending, ties by item */
    int idx[5] = {0, 1, 2, 3, 4};
    const double cost[5] = {1.0, 3.0, 3.0, 0.5, 2.0};
    ate_schedule_order(idx, 5, cost);
    const int want[5] = {1, 2, 4, 0, 3};
    CHECK(memcmp(idx, want, sizeof(want)) == 0, "schedule order %d %d %d %d %d", idx[0], idx[1],
          idx[2], idx[3], idx[4]);
    int fails = ate_test_failures, anyfail = 0;
    MPI_Allreduce(&fails, &anyfail, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    int rc = ate_test_finish(rank == 0 ? "test_workqueue" : "test_workqueue (rank > 0)");
    MPI_Finalize();
    return rc || anyfail;
}
