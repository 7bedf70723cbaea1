/**
 * @file scheduler.c
 * @brief Dynamic work queue over MPI ranks or rank groups (atescreen/scheduler.h): a counter
 *        in an MPI window on rank 0, advanced by the group leaders with MPI_Fetch_and_op under a
 *        shared passive-target lock (MPI-3.0 standard, §11.3.4 and §11.5), the item broadcast
 *        to the group.
 */
#include <stdlib.h>

#include "atescreen/scheduler.h"

struct ate_workqueue {
    MPI_Comm comm;  /* the leaders (one rank per group) share the counter on it */
    MPI_Comm group; /* the calling rank's group */
    MPI_Win win;    /* over comm, on the leaders only (MPI_WIN_NULL with one group) */
    int *counter;   /* window memory (leader of group 0 only) */
    int *order, n;  /* items, in hand-out order */
    int size;       /* leaders = groups */
    int local;      /* the counter when there is one group */
    int group_index, group_size;
    bool leader;
};

ate_status ate_workqueue_create(MPI_Comm comm, const int *order, int n, ate_workqueue **out,
                                ate_error *err)
{
    return ate_workqueue_create_groups(comm, 1, order, n, out, err);
}

static void free_queue(ate_workqueue *q)
{
    if (q->win != MPI_WIN_NULL) MPI_Win_free(&q->win);
    if (q->comm != MPI_COMM_NULL) MPI_Comm_free(&q->comm);
    if (q->group != MPI_COMM_NULL) MPI_Comm_free(&q->group);
    free(q->order);
    free(q);
}

ate_status ate_workqueue_create_groups(MPI_Comm comm, int group_size, const int *order, int n,
                                       ate_workqueue **out, ate_error *err)
{
    *out = NULL;
    int rank, world;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &world);
    if (group_size < 1 || world % group_size != 0)
        return ATE_ERROR(err, ATE_ERR_INPUT,
                         "group size %d: it must be at least 1 and divide the number of MPI "
                         "ranks (%d)",
                         group_size, world);
    ate_workqueue *q = calloc(1, sizeof(*q));
    int *copy = malloc((size_t)(n > 0 ? n : 1) * sizeof(int));
    if (!q || !copy) {
        free(q), free(copy);
        return ATE_ERROR(err, ATE_ERR_MEMORY, "work queue: out of memory");
    }
    for (int i = 0; i < n; ++i)
        copy[i] = order[i];
    q->order = copy, q->n = n, q->win = MPI_WIN_NULL;
    q->comm = q->group = MPI_COMM_NULL;
    q->group_size = group_size, q->group_index = rank / group_size;
    q->leader = rank % group_size == 0;
    q->size = world / group_size;
    /* the group (consecutive ranks: a group stays on one node when the ranks are packed) and
     * the leaders' communicator, which holds the counter */
    if (MPI_Comm_split(comm, q->group_index, rank, &q->group) != MPI_SUCCESS ||
        MPI_Comm_split(comm, q->leader ? 0 : MPI_UNDEFINED, rank, &q->comm) != MPI_SUCCESS) {
        free_queue(q);
        return ATE_ERROR(err, ATE_ERR_MPI, "work queue: MPI_Comm_split failed");
    }
    int ok = 1;
    if (q->leader && q->size > 1) {
        MPI_Aint bytes = rank == 0 ? (MPI_Aint)sizeof(int) : 0;
        ok = MPI_Win_allocate(bytes, sizeof(int), MPI_INFO_NULL, q->comm, &q->counter, &q->win) ==
             MPI_SUCCESS;
        if (ok && rank == 0) {
            MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, q->win);
            *q->counter = 0;
            MPI_Win_unlock(0, q->win);
        }
    }
    int all = ok;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, comm); /* also: the counter is set */
    if (!all) {
        free_queue(q);
        return ATE_ERROR(err, ATE_ERR_MPI, "work queue: MPI_Win_allocate failed");
    }
    *out = q;
    return ATE_OK;
}

int ate_workqueue_next(ate_workqueue *q)
{
    int k = 0;
    if (q->leader) {
        if (q->size == 1) {
            k = q->local++;
        } else {
            const int one = 1;
            MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, q->win);
            MPI_Fetch_and_op(&one, &k, MPI_INT, 0, 0, MPI_SUM, q->win);
            MPI_Win_unlock(0, q->win);
        }
    }
    if (q->group_size > 1) MPI_Bcast(&k, 1, MPI_INT, 0, q->group);
    return k < q->n ? q->order[k] : -1;
}

MPI_Comm ate_workqueue_group(const ate_workqueue *q) { return q->group; }
int ate_workqueue_group_index(const ate_workqueue *q) { return q->group_index; }
bool ate_workqueue_is_leader(const ate_workqueue *q) { return q->leader; }

void ate_workqueue_poll(void *user)
{
    ate_workqueue *q = user;
    if (!q || q->size == 1 || !q->leader) return;
    int flag;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, q->comm, &flag, MPI_STATUS_IGNORE);
}

void ate_workqueue_destroy(ate_workqueue **q)
{
    if (!q || !*q) return;
    free_queue(*q);
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
