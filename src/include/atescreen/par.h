/**
 * @file par.h
 * @brief Checked MPI wrappers: every MPI call in ATEscreen goes through these.
 *
 * A failing MPI call becomes ATE_ERR_MPI with the MPI error string and the calling function.
 * With comm == MPI_COMM_NULL (a serial context) the collectives act on a single rank: reductions
 * and broadcasts are copies or no-ops, so serial code paths need no special cases.
 */
#ifndef ATESCREEN_PAR_H
#define ATESCREEN_PAR_H

#include <mpi.h>
#include <stdbool.h>

#include "atescreen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** True after MPI_Init and before MPI_Finalize. */
ATE_API bool ate_par_initialized(void);
/** Turn an MPI return code into an ate_status (ATE_OK for MPI_SUCCESS). */
ATE_API ate_status ate_par_check(int mpi_rc, const char *what, const char *src_file, int src_line,
                                 ate_error *err);
#define ATE_MPI_CALL(err, call) ate_par_check((call), #call, __FILE__, __LINE__, (err))

/** Rank and size of comm (0 and 1 for MPI_COMM_NULL). Not collective. */
ATE_API int ate_par_rank(MPI_Comm comm);
ATE_API int ate_par_size(MPI_Comm comm);

/** Collective on comm. */
ATE_API ate_status ate_par_dup(MPI_Comm comm, MPI_Comm *out, ate_error *err);
ATE_API ate_status ate_par_free(MPI_Comm *comm, ate_error *err);
ATE_API ate_status ate_par_split(MPI_Comm comm, int color, int key, MPI_Comm *out, ate_error *err);
ATE_API ate_status ate_par_barrier(MPI_Comm comm, ate_error *err);
/** In-place sum of n doubles over comm. */
ATE_API ate_status ate_par_sum_double(MPI_Comm comm, double *buf, int n, ate_error *err);
/** In-place sum / max of n ints over comm. */
ATE_API ate_status ate_par_sum_int(MPI_Comm comm, int *buf, int n, ate_error *err);
ATE_API ate_status ate_par_max_int(MPI_Comm comm, int *buf, int n, ate_error *err);
/** Broadcast n bytes from root. */
ATE_API ate_status ate_par_bcast(MPI_Comm comm, void *buf, int nbytes, int root, ate_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_PAR_H */
