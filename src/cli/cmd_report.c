/**
 * @file cmd_report.c
 * @brief `atescreen report RESULTS.h5 [-o DIR] [--sort COL] [--no-plots]`: the ranking table and
 *        the plots (volcano, scaling, free-energy diagrams) of a campaign. The work is done by the
 *        Python module atescreen.report (matplotlib, h5py, pandas from Debian); this command runs
 *        it with the interpreter chosen at configure time (ATE_PYTHON, default /usr/bin/python3)
 *        or $ATESCREEN_PYTHON, with the package found in $ATESCREEN_PYTHONPATH, else next to the
 *        executable (<prefix>/share/atescreen/python when installed), else the source tree.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#ifndef ATE_PYTHON_EXE
#define ATE_PYTHON_EXE "/usr/bin/python3"
#endif
#ifndef ATE_PYTHON_SRC_DIR
#define ATE_PYTHON_SRC_DIR ""
#endif

static int is_package_dir(const char *dir)
{
    char p[PATH_MAX];
    struct stat sb;
    if (snprintf(p, sizeof p, "%s/atescreen/report.py", dir) >= (int)sizeof p) return 0;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The directory that holds the atescreen Python package, or NULL. */
static const char *python_dir(char *buf, size_t n)
{
    const char *env = getenv("ATESCREEN_PYTHONPATH");
    if (env && *env) return env;
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        if (snprintf(buf, n, "%s/../share/atescreen/python", exe) < (int)n && is_package_dir(buf))
            return buf;
    }
    if (*ATE_PYTHON_SRC_DIR && is_package_dir(ATE_PYTHON_SRC_DIR)) return ATE_PYTHON_SRC_DIR;
    return NULL;
}

int ate_cli_report(int argc, char **argv)
{
    char buf[PATH_MAX];
    const char *dir = python_dir(buf, sizeof buf);
    if (!dir) {
        fprintf(stderr, "atescreen report: the atescreen Python package was not found (set "
                        "ATESCREEN_PYTHONPATH to the directory that contains atescreen/)\n");
        return ATE_EXIT_FAILED;
    }
    const char *py = getenv("ATESCREEN_PYTHON");
    if (!py || !*py) py = ATE_PYTHON_EXE;
    const char *old = getenv("PYTHONPATH");
    size_t need = strlen(dir) + (old && *old ? strlen(old) + 1 : 0) + 1;
    char *path = malloc(need);
    if (!path) return ATE_EXIT_FAILED;
    snprintf(path, need, "%s%s%s", dir, old && *old ? ":" : "", old && *old ? old : "");
    setenv("PYTHONPATH", path, 1);
    free(path);
    /* python3 -m atescreen.report ARGS...: argv[0] is "report" */
    char **args = calloc((size_t)argc + 4, sizeof *args);
    if (!args) return ATE_EXIT_FAILED;
    args[0] = (char *)py;
    args[1] = "-m";
    args[2] = "atescreen.report";
    for (int i = 1; i < argc; ++i)
        args[i + 2] = argv[i];
    fflush(NULL);
    execv(py, args);
    fprintf(stderr,
            "atescreen report: cannot run %s: %s (set ATESCREEN_PYTHON to a Python 3 "
            "with h5py, pandas and matplotlib)\n",
            py, strerror(errno));
    free(args);
    return ATE_EXIT_FAILED;
}
