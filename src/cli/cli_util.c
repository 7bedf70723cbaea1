/**
 * @file cli_util.c
 * @brief Helpers shared by the subcommands.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* mkdir -p */
ate_status ate_cli_make_dir(const char *path, ate_error *err)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1;; ++p) {
        bool end = *p == '\0';
        if (*p != '/' && !end) continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return ATE_ERROR(err, ATE_ERR_IO, "cannot create directory '%s': %s", buf,
                             strerror(errno));
        if (end) return ATE_OK;
        *p = '/';
    }
}

int ate_cli_report_error(const ate_error *err)
{
    char text[ATE_ERROR_MSG_LEN + ATE_ERROR_PATH_LEN + ATE_ERROR_FIELD_LEN + 64];
    ate_error_format(err, text, sizeof(text));
    fprintf(stderr, "atescreen: error: %s\n", text);
    return err->code == ATE_ERR_INPUT || err->code == ATE_ERR_IO ? ATE_EXIT_USAGE : ATE_EXIT_FAILED;
}

void ate_cli_command_line(int argc, char **argv, char *out, size_t cap)
{
    size_t l = (size_t)snprintf(out, cap, "atescreen");
    for (int i = 0; i < argc && l < cap; ++i)
        l += (size_t)snprintf(out + l, cap - l, " %s", argv[i]);
}
