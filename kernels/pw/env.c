/**
 * @file env.c
 * @brief The kernel's run-time switches from the environment (ATE_PW_*), read on rank 0 of a
 *        communicator and broadcast: the switches choose collectives (band-group layout, the
 *        density transforms, verbose checks), and mpirun does not forward the environment to
 *        other nodes without -x, so ranks that each read their own could wait in different
 *        collectives.
 */
#include <stdlib.h>
#include <string.h>

#include "pw.h"

const char *pw_env(MPI_Comm comm, const char *name, char *buf, size_t size)
{
    int rank = 0, len = -1;
    if (comm != MPI_COMM_NULL) MPI_Comm_rank(comm, &rank);
    if (rank == 0) {
        const char *v = getenv(name);
        if (v) { /* a longer value is cut to size - 1 characters (no switch is that long) */
            size_t n = strlen(v);
            len = (int)(n < size ? n : size - 1);
            memcpy(buf, v, (size_t)len);
        }
    }
    if (comm != MPI_COMM_NULL) {
        MPI_Bcast(&len, 1, MPI_INT, 0, comm);
        if (len > 0) MPI_Bcast(buf, len, MPI_CHAR, 0, comm);
    }
    if (len < 0) return NULL;
    buf[len] = '\0';
    return buf;
}
