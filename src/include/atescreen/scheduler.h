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

#include "atescreen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ate_workqueue ate_workqueue;

/** Collective over comm: a queue of the n items order[0..n-1] (identical on every rank). */
ATE_API ate_status ate_workqueue_create(MPI_Comm comm, const int *order, int n, ate_workqueue **out,
                                        ate_error *err);
/** The next item for the calling rank, or -1 when the queue is empty. Not collective. */
ATE_API int ate_workqueue_next(ate_workqueue *q);
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
