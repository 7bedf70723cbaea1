/**
 * @file main.c
 * @brief atescreen: subcommand dispatch, --help, --version. MPI is initialised here (and only
 *        here) so that every subcommand can run under mpirun/srun.
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
    bool mpi; /* initialise MPI (serial file tools skip Open MPI's start-up cost) */
    const char *summary;
} subcommand;

static const subcommand commands[] = {
#ifdef ATE_CLI_HAVE_SITES
    {"sites", ate_cli_sites, true,
     "enumerate asymmetric catalytic sites of a campaign (extxyz + index)"},
#endif
#ifdef ATE_CLI_HAVE_CALC
    {"calc", ate_cli_calc, false, "single point (GFN1-xTB or plane waves)"},
#endif
#ifdef ATE_CLI_HAVE_RUN
    {"run", ate_cli_run, true,
     "the screening campaign: relax, spin scan, adsorbates, CHE, results.h5 (mpirun/srun)"},
#endif
#ifdef ATE_CLI_HAVE_MERGE
    {"merge", ate_cli_merge, false,
     "combine the shards of a campaign (run --shard I/N) into one results.h5"},
#endif
#ifdef ATE_CLI_HAVE_REPORT
    {"report", ate_cli_report, false, "ranking table and plots of a results.h5 (Python)"},
#endif
#ifdef ATE_CLI_HAVE_CONVERT
    {"convert", ate_cli_convert, false, "convert a structure file (extxyz, xyz, POSCAR)"},
#endif
    {NULL, NULL, false, NULL}};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: atescreen <command> [options]\n"
            "       atescreen --help | --version\n\n"
            "ATEscreen %s: screening of asymmetric single/dual-atom electrocatalyst sites.\n\n"
            "commands:\n",
            ATE_VERSION_STRING);
    for (const subcommand *c = commands; c->name; ++c)
        fprintf(out, "  %-9s %s\n", c->name, c->summary);
    fprintf(out, "\n'atescreen <command> --help' describes a command's options.\n");
}

int ate_cli_report_error(const ate_error *err)
{
    char text[ATE_ERROR_MSG_LEN + ATE_ERROR_PATH_LEN + ATE_ERROR_FIELD_LEN + 64];
    ate_error_format(err, text, sizeof(text));
    fprintf(stderr, "atescreen: error: %s\n", text);
    return err->code == ATE_ERR_INPUT || err->code == ATE_ERR_IO ? ATE_EXIT_USAGE : ATE_EXIT_FAILED;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return ATE_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return ATE_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("atescreen %s\n", ATE_VERSION_STRING);
        return ATE_EXIT_OK;
    }
    for (const subcommand *c = commands; c->name; ++c) {
        if (strcmp(argv[1], c->name) != 0) continue;
        if (c->mpi) MPI_Init(&argc, &argv);
        int rc = c->run(argc - 1, argv + 1);
        if (c->mpi) MPI_Finalize();
        return rc;
    }
    fprintf(stderr, "atescreen: error: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return ATE_EXIT_USAGE;
}
