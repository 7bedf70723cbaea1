/**
 * @file status.c
 * @brief ate_error: recording, locating and formatting errors.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "atescreen/status.h"

/* Copy with truncation (the text fields are fixed-size by design). */
static void copy_text(char *dst, size_t cap, const char *src)
{
    if (!src || cap == 0) return;
    size_t n = strlen(src);
    if (n >= cap) n = cap - 1;
    memmove(dst, src, n);
    dst[n] = '\0';
}

void ate_error_clear(ate_error *err)
{
    if (!err) return;
    memset(err, 0, sizeof(*err));
    err->code = ATE_OK;
}

static ate_status vset(ate_error *err, ate_status code, const char *src_file, int src_line,
                       const char *fmt, va_list ap)
{
    ate_error_clear(err);
    err->code = code;
    err->src_file = src_file;
    err->src_line = src_line;
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    return code;
}

ate_status ate_error_set(ate_error *err, ate_status code, const char *src_file, int src_line,
                         const char *fmt, ...)
{
    if (!err) return code;
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, src_file, src_line, fmt, ap);
    va_end(ap);
    return code;
}

ate_status ate_error_set_input(ate_error *err, ate_status code, const char *src_file, int src_line,
                               const char *input_file, int line, int column, const char *field,
                               const char *fmt, ...)
{
    if (!err) return code;
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, src_file, src_line, fmt, ap);
    va_end(ap);
    ate_error_locate(err, input_file, line, column, field);
    return code;
}

void ate_error_locate(ate_error *err, const char *input_file, int line, int column,
                      const char *field)
{
    if (!err) return;
    if (input_file && !err->input_file[0])
        copy_text(err->input_file, sizeof(err->input_file), input_file);
    if (line > 0 && err->input_line == 0) err->input_line = line;
    if (column > 0 && err->input_column == 0) err->input_column = column;
    if (field && field[0] && !err->field[0]) copy_text(err->field, sizeof(err->field), field);
}

void ate_error_prefix(ate_error *err, const char *fmt, ...)
{
    if (!err) return;
    char head[ATE_ERROR_MSG_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof(head), fmt, ap);
    va_end(ap);
    char joined[2 * ATE_ERROR_MSG_LEN];
    snprintf(joined, sizeof(joined), "%s%s", head, err->message);
    copy_text(err->message, sizeof(err->message), joined);
}

size_t ate_error_format(const ate_error *err, char *buf, size_t n)
{
    if (!err) return (size_t)snprintf(buf, n, "(no error)");
    char loc[ATE_ERROR_PATH_LEN + 64] = "";
    if (err->input_file[0]) {
        if (err->input_line > 0 && err->input_column > 0)
            snprintf(loc, sizeof(loc), "%s:%d:%d: ", err->input_file, err->input_line,
                     err->input_column);
        else if (err->input_line > 0)
            snprintf(loc, sizeof(loc), "%s:%d: ", err->input_file, err->input_line);
        else
            snprintf(loc, sizeof(loc), "%s: ", err->input_file);
    }
    char field[ATE_ERROR_FIELD_LEN + 4] = "";
    if (err->field[0]) snprintf(field, sizeof(field), "%s: ", err->field);
    int len = snprintf(buf, n, "%s%s%s", loc, field, err->message);
    return len < 0 ? 0 : (size_t)len;
}

const char *ate_status_name(ate_status code)
{
    switch (code) {
    case ATE_OK:
        return "success";
    case ATE_ERR_INPUT:
        return "input error";
    case ATE_ERR_IO:
        return "I/O error";
    case ATE_ERR_VALUE:
        return "invalid value";
    case ATE_ERR_MEMORY:
        return "out of memory";
    case ATE_ERR_NOT_CONVERGED:
        return "not converged";
    case ATE_ERR_MPI:
        return "MPI error";
    case ATE_ERR_LIB:
        return "library error";
    case ATE_ERR_UNSUPPORTED:
        return "unsupported";
    case ATE_ERR_INTERNAL:
        return "internal error";
    case ATE_ERR_INTERRUPTED:
        return "interrupted";
    }
    return "unknown status";
}
