/**
 * @file cli.h
 * @brief Subcommands of the atescreen executables (README.md). Each returns the exit status:
 *        0 success, 1 the computation failed, 2 bad arguments or bad input.
 */
#ifndef ATE_CLI_H
#define ATE_CLI_H

#include "atescreen/status.h"

enum { ATE_EXIT_OK = 0, ATE_EXIT_FAILED = 1, ATE_EXIT_USAGE = 2 };

int ate_cli_sites(int argc, char **argv);
int ate_cli_calc(int argc, char **argv);
int ate_cli_relax(int argc, char **argv);
int ate_cli_convert(int argc, char **argv);
int ate_cli_run(int argc, char **argv);
int ate_cli_report(int argc, char **argv);
int ate_cli_merge(int argc, char **argv);

/** Print an error as "atescreen: error: FILE:LINE:COL: FIELD: MESSAGE" on stderr; returns the
 *  exit status for it (2 for input errors, 1 otherwise). */
int ate_cli_report_error(const ate_error *err);

/** "atescreen <subcommand> <args...>" into out[cap] (truncated to fit): results.h5 provenance. */
void ate_cli_command_line(int argc, char **argv, char *out, size_t cap);

/** Launcher only (main.c): replace this process with atescreen-mpi running "atescreen ARGV..."
 *  (argv[0] the subcommand); returns an exit status only when that fails. */
int ate_cli_exec_mpi(int argc, char **argv);

/** mkdir -p path (ATE_ERR_IO naming the directory that cannot be created). */
ate_status ate_cli_make_dir(const char *path, ate_error *err);

#endif
