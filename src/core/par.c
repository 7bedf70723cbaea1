/**
 * @file par.c
 * @brief Checked MPI wrappers (the only place that calls MPI besides MPI_Init/Finalize in main).
 */
#include <string.h>

#include "atescreen/par.h"

bool ate_par_initialized(void)
{
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    return init && !fin;
}

ate_status ate_par_check(int mpi_rc, const char *what, const char *src_file, int src_line,
                         ate_error *err)
{
    if (mpi_rc == MPI_SUCCESS) return ATE_OK;
    char text[MPI_MAX_ERROR_STRING] = "";
    int len = 0;
    MPI_Error_string(mpi_rc, text, &len);
    return ate_error_set(err, ATE_ERR_MPI, src_file, src_line, "%s failed: %s", what, text);
}

int ate_par_rank(MPI_Comm comm)
{
    int r = 0;
    if (comm != MPI_COMM_NULL) MPI_Comm_rank(comm, &r);
    return r;
}

int ate_par_size(MPI_Comm comm)
{
    int n = 1;
    if (comm != MPI_COMM_NULL) MPI_Comm_size(comm, &n);
    return n;
}

ate_status ate_par_dup(MPI_Comm comm, MPI_Comm *out, ate_error *err)
{
    *out = MPI_COMM_NULL;
    if (comm == MPI_COMM_NULL) return ATE_OK;
    return ATE_MPI_CALL(err, MPI_Comm_dup(comm, out));
}

ate_status ate_par_free(MPI_Comm *comm, ate_error *err)
{
    if (!comm || *comm == MPI_COMM_NULL || !ate_par_initialized()) return ATE_OK;
    return ATE_MPI_CALL(err, MPI_Comm_free(comm));
}

ate_status ate_par_split(MPI_Comm comm, int color, int key, MPI_Comm *out, ate_error *err)
{
    *out = MPI_COMM_NULL;
    if (comm == MPI_COMM_NULL) return ATE_OK;
    return ATE_MPI_CALL(err, MPI_Comm_split(comm, color, key, out));
}

ate_status ate_par_barrier(MPI_Comm comm, ate_error *err)
{
    if (comm == MPI_COMM_NULL) return ATE_OK;
    return ATE_MPI_CALL(err, MPI_Barrier(comm));
}

ate_status ate_par_sum_double(MPI_Comm comm, double *buf, int n, ate_error *err)
{
    if (comm == MPI_COMM_NULL || n == 0) return ATE_OK;
    return ATE_MPI_CALL(err, MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_DOUBLE, MPI_SUM, comm));
}

ate_status ate_par_sum_int(MPI_Comm comm, int *buf, int n, ate_error *err)
{
    if (comm == MPI_COMM_NULL || n == 0) return ATE_OK;
    return ATE_MPI_CALL(err, MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_INT, MPI_SUM, comm));
}

ate_status ate_par_max_int(MPI_Comm comm, int *buf, int n, ate_error *err)
{
    if (comm == MPI_COMM_NULL || n == 0) return ATE_OK;
    return ATE_MPI_CALL(err, MPI_Allreduce(MPI_IN_PLACE, buf, n, MPI_INT, MPI_MAX, comm));
}

ate_status ate_par_bcast(MPI_Comm comm, void *buf, int nbytes, int root, ate_error *err)
{
    if (comm == MPI_COMM_NULL || nbytes == 0) return ATE_OK;
    return ATE_MPI_CALL(err, MPI_Bcast(buf, nbytes, MPI_BYTE, root, comm));
}
