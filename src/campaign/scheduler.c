/**
 * @file scheduler.c
 * @brief Dynamic work queue over MPI ranks (atescreen/scheduler.h): a counter in an MPI window
 *        on rank 0, advanced with MPI_Fetch_and_op under a shared passive-target lock (MPI-3.0
 *        standard, §11.3.4 and §11.5).
 */
#include <stdlib.h>

#include "atescreen/scheduler.h"

struct ate_workqueue {
    MPI_Comm comm;
    MPI_Win win;
    int *counter; /* window memory (rank 0 only) */
    int *order, n, size, local;
};

ate_status ate_workqueue_create(MPI_Comm comm, const int *order, int n, ate_workqueue **out,
                                ate_error *err)
{
    *out = NULL;
    ate_workqueue *q = calloc(1, sizeof(*q));
    int *copy = malloc((size_t)(n > 0 ? n : 1) * sizeof(int));
    if (!q || !copy) {
        free(q), free(copy);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "work queue: out of memory");
    }
    for (int i = 0; i < n; ++i)
        copy[i] = order[i];
    q->order = copy, q->n = n, q->win = MPI_WIN_NULL;
    int rank;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &q->size);
    if (MPI_Comm_dup(comm, &q->comm) != MPI_SUCCESS) {
        free(copy), free(q);
        return ATE_ERROR(err, ATE_ERR_MPI, "work queue: MPI_Comm_dup failed");
    }
    if (q->size > 1) {
        MPI_Aint bytes = rank == 0 ? (MPI_Aint)sizeof(int) : 0;
        if (MPI_Win_allocate(bytes, sizeof(int), MPI_INFO_NULL, q->comm, &q->counter, &q->win) !=
            MPI_SUCCESS) {
            MPI_Comm_free(&q->comm);
            free(copy), free(q);
            return ATE_ERROR(err, ATE_ERR_MPI, "work queue: MPI_Win_allocate failed");
        }
        if (rank == 0) {
            MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, q->win);
            *q->counter = 0;
            MPI_Win_unlock(0, q->win);
        }
        MPI_Barrier(q->comm);
    }
    *out = q;
    return ATE_OK;
}

int ate_workqueue_next(ate_workqueue *q)
{
    int k;
    if (q->size == 1) {
        k = q->local++;
    } else {
        const int one = 1;
        MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, q->win);
        MPI_Fetch_and_op(&one, &k, MPI_INT, 0, 0, MPI_SUM, q->win);
        MPI_Win_unlock(0, q->win);
    }
    return k < q->n ? q->order[k] : -1;
}

void ate_workqueue_poll(void *user)
{
    ate_workqueue *q = user;
    if (!q || q->size == 1) return;
    int flag;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, q->comm, &flag, MPI_STATUS_IGNORE);
}

void ate_workqueue_destroy(ate_workqueue **q)
{
    if (!q || !*q) return;
    if ((*q)->win != MPI_WIN_NULL) MPI_Win_free(&(*q)->win);
    MPI_Comm_free(&(*q)->comm);
    free((*q)->order);
    free(*q);
    *q = NULL;
}

static const double *sort_cost;
static int by_cost(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    if (sort_cost[i] != sort_cost[j]) return sort_cost[i] < sort_cost[j] ? 1 : -1;
    return (i > j) - (i < j);
}

void ate_schedule_order(int *idx, int n, const double *cost)
{
    sort_cost = cost;
    qsort(idx, (size_t)n, sizeof(int), by_cost);
    sort_cost = NULL;
}
