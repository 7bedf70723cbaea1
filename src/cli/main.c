/**
 * @file main.c
 * @brief atescreen, the launcher: --help, --version and the commands that need neither MPI nor
 *        HDF5 (calc with a serial method such as gfn1, convert, report) run in this process,
 *        which links neither library (start-up is most of a small `calc`); run, merge, sites and
 *        calc --method pw replace this process with the MPI program atescreen-mpi (main_mpi.c)
 *        before doing anything else. exec keeps the process
 *        id, the environment and the open files, so under mpirun or srun each launched process
 *        becomes the MPI rank its launcher expects.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atescreen/version.h"
#include "cli.h"

/* atescreen-mpi relative to this executable's directory: the build tree, then the installation
 * (CMake sets both) */
#ifndef ATE_CLI_MPI_EXE_BUILD
#define ATE_CLI_MPI_EXE_BUILD "libexec/atescreen-mpi"
#endif
#ifndef ATE_CLI_MPI_EXE_INSTALL
#define ATE_CLI_MPI_EXE_INSTALL "../libexec/atescreen-mpi"
#endif

typedef struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv); /* NULL: a command of atescreen-mpi */
    const char *summary;
} subcommand;

static const subcommand commands[] = {
    {"sites", NULL, "enumerate asymmetric catalytic sites of a campaign (extxyz + index)"},
    {"calc", ate_cli_calc, "single point (GFN1-xTB or plane waves)"},
    {"relax", ate_cli_relax, "geometry optimisation (L-BFGS or FIRE) with calc's options"},
    {"run", NULL,
     "the screening campaign: relax, spin scan, adsorbates, CHE, results.h5 (mpirun/srun)"},
    {"merge", NULL, "combine the shards of a campaign (run --shard I/N) into one results.h5"},
    {"report", ate_cli_report, "ranking table and plots of a results.h5 (Python)"},
    {"convert", ate_cli_convert, "convert a structure file (extxyz, xyz, POSCAR)"},
    {NULL, NULL, NULL}};

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

int ate_cli_exec_mpi(int argc, char **argv)
{
    char dir[PATH_MAX], path[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
    if (n > 0) dir[n] = '\0';
    char *slash = n > 0 ? strrchr(dir, '/') : NULL;
    if (!slash) {
        fprintf(stderr, "atescreen: error: cannot find this executable (/proc/self/exe): %s\n",
                strerror(errno));
        return ATE_EXIT_FAILED;
    }
    *slash = '\0';
    char **args = calloc((size_t)argc + 2, sizeof(char *));
    if (!args) {
        fprintf(stderr, "atescreen: error: out of memory\n");
        return ATE_EXIT_FAILED;
    }
    args[0] = "atescreen";
    memcpy(args + 1, argv, (size_t)argc * sizeof(char *));
    static const char *const rel[] = {ATE_CLI_MPI_EXE_BUILD, ATE_CLI_MPI_EXE_INSTALL};
    for (size_t k = 0; k < sizeof(rel) / sizeof(rel[0]); ++k) {
        snprintf(path, sizeof(path), "%s/%s", dir, rel[k]);
        if (access(path, X_OK) != 0) continue;
        execv(path, args);
        fprintf(stderr, "atescreen: error: cannot run %s: %s\n", path, strerror(errno));
        free(args);
        return ATE_EXIT_FAILED;
    }
    fprintf(stderr,
            "atescreen: error: '%s' needs the MPI program atescreen-mpi, not found at %s/%s or "
            "%s/%s\n",
            argv[0], dir, ATE_CLI_MPI_EXE_BUILD, dir, ATE_CLI_MPI_EXE_INSTALL);
    free(args);
    return ATE_EXIT_FAILED;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return ATE_EXIT_USAGE;
    }
    for (const subcommand *c = commands; c->name; ++c)
        if (strcmp(argv[1], c->name) == 0)
            return (c->run ? c->run : ate_cli_exec_mpi)(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return ATE_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("atescreen %s\n", ATE_VERSION_STRING);
        return ATE_EXIT_OK;
    }
    fprintf(stderr, "atescreen: error: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return ATE_EXIT_USAGE;
}
