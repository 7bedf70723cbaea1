/**
 * @file cli_relax.h
 * @brief `atescreen relax` (cmd_relax.c): the optimisation loop behind calc's options.
 */
#ifndef ATE_CLI_RELAX_H
#define ATE_CLI_RELAX_H

#include <stdbool.h>

#include "atescreen/relax.h"
#include "kernel.h"

typedef struct ate_cli_relax_files {
    const char *output;     /**< the last accepted geometry (extxyz), replaced after each step */
    const char *trajectory; /**< every accepted step appended (extxyz), or NULL */
} ate_cli_relax_files;

/** Optimise s in place with the kernel k (rank 0 writes the files and the step lines, on stderr
 *  when json); res tells whether it converged. */
ate_status ate_cli_relax_drive(ate_kernel *k, ate_structure *s, const ate_relax_opts *o,
                               const ate_cli_relax_files *f, int rank, bool json,
                               ate_relax_result *res, ate_error *err);

#endif
