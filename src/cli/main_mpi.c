/**
 * @file main_mpi.c
 * @brief atescreen-mpi: the commands that use MPI or HDF5 (run, sites, merge; calc for the
 *        methods whose code links MPI, pw). Users run `atescreen`, which execs this program for
 *        them (main.c). MPI is initialised here for run and sites, and by calc for pw.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <mpi.h>

#include "atescreen/version.h"
#include "cli.h"

typedef struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    bool mpi; /* initialise MPI (merge only reads and writes files) */
} subcommand;

static const subcommand commands[] = {
    {"sites", ate_cli_sites, true},  {"run", ate_cli_run, true},
    {"merge", ate_cli_merge, false}, {"calc", ate_cli_calc, false}, /* methods that link MPI */
    {"relax", ate_cli_relax, false}, {NULL, NULL, false}};

int main(int argc, char **argv)
{
    for (const subcommand *c = commands; argc >= 2 && c->name; ++c) {
        if (strcmp(argv[1], c->name) != 0) continue;
        if (c->mpi) MPI_Init(&argc, &argv);
        int rc = c->run(argc - 1, argv + 1);
        if (c->mpi) MPI_Finalize();
        return rc;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        printf("atescreen-mpi %s\n", ATE_VERSION_STRING);
        return ATE_EXIT_OK;
    }
    fprintf(stderr, "atescreen-mpi: the MPI commands of atescreen (sites, run, merge, calc); "
                    "run them as 'atescreen <command>' ('atescreen --help')\n");
    return ATE_EXIT_USAGE;
}
