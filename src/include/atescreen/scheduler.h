/**
 * @file scheduler.h
 * @brief Dynamic assignment of campaign items to MPI ranks: a shared counter on rank 0 read and
 *        incremented atomically with MPI-3 one-sided MPI_Fetch_and_op (passive target), so a
 *        rank asks for the next item when it has finished one; no rank is a dedicated master.
 *        Items are handed out in the order given (largest expected cost first, see
 *        ate_schedule_order), so long candidates start early and the tail is short.
 *
 * With Open MPI's shared-memory one-sided component (one node) the counter needs no help from
 * rank 0; across nodes rank 0 makes progress whenever it enters MPI, which the pipeline does
 * after every energy evaluation through ate_workqueue_poll.
 */
#ifndef ATESCREEN_SCHEDULER_H
#define ATESCREEN_SCHEDULER_H

#include <mpi.h>
#include <stdbool.h>

#include "atescreen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ate_workqueue ate_workqueue;

/** Collective over comm: a queue of the n items order[0..n-1] (identical on every rank), one
 *  item at a time per rank (ate_workqueue_create_groups with group_size 1). */
ATE_API ate_status ate_workqueue_create(MPI_Comm comm, const int *order, int n, ate_workqueue **out,
                                        ate_error *err);
/** Collective over comm: the ranks form groups of group_size consecutive ranks (group g = ranks
 *  g*group_size ... (g+1)*group_size-1, the first of them its leader); each group takes one item
 *  at a time: its leader advances the shared counter and the group's ranks receive the same
 *  item. ATE_ERR_INPUT when group_size < 1 or does not divide the size of comm (the same
 *  verdict on every rank). */
ATE_API ate_status ate_workqueue_create_groups(MPI_Comm comm, int group_size, const int *order,
                                               int n, ate_workqueue **out, ate_error *err);
/** The next item for the calling rank's group, or -1 when the queue is empty. Collective over
 *  the group (ate_workqueue_group); not collective across groups. */
ATE_API int ate_workqueue_next(ate_workqueue *q);
/** The communicator of the calling rank's group (owned by q; valid until destroy): the one a
 *  kernel that distributes one evaluation is created on. */
ATE_API MPI_Comm ate_workqueue_group(const ate_workqueue *q);
/** The group of the calling rank (0 ... groups-1), and whether the rank leads it. */
ATE_API int ate_workqueue_group_index(const ate_workqueue *q);
ATE_API bool ate_workqueue_is_leader(const ate_workqueue *q);
/** Lets MPI progress one-sided requests aimed at this rank (cheap; call it often). NULL-safe. */
ATE_API void ate_workqueue_poll(void *q);
/** Collective; NULL-safe; nulls *q. */
ATE_API void ate_workqueue_destroy(ate_workqueue **q);

/** Order for the queue: the items idx[n] sorted by cost[idx[k]] descending (cost is indexed by
 *  item), ties by item (so every rank computes the same order). Sorts idx in place. */
ATE_API void ate_schedule_order(int *idx, int n, const double *cost);

#ifdef __cplusplus
}
#endif

#endif
