/**
 * @file structio.c
 * @brief Structure files: format detection from content and dispatch to the readers/writers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io_internal.h"

const char *ate_format_name(ate_format fmt)
{
    switch (fmt) {
    case ATE_FORMAT_EXTXYZ:
        return "extxyz";
    case ATE_FORMAT_XYZ:
        return "xyz";
    case ATE_FORMAT_POSCAR:
        return "poscar";
    case ATE_FORMAT_GEN:
        return "gen";
    case ATE_FORMAT_AUTO:
        break;
    }
    return "auto";
}

static int count_numbers(const char *line, int max)
{
    char buf[512], *tok[8];
    snprintf(buf, sizeof(buf), "%s", line);
    int n = io_split(buf, tok, 8);
    if (n > max) return -1;
    for (int k = 0; k < n; ++k) {
        double v;
        if (!io_parse_double(tok[k], &v)) return -1;
    }
    return n;
}

/* The detection works on the first five lines:
 *   xyz family: line 1 is a single integer; extended when line 2 has Lattice=, Properties= or
 *               any key=value pair;
 *   POSCAR: line 2 holds one or three numbers and lines 3-5 three numbers each. */
static ate_format detect_lines(const io_text *t)
{
    if (io_is_gen(t)) return ATE_FORMAT_GEN; /* first content line: "N C|S|F" */
    if (t->nlines < 2) return ATE_FORMAT_AUTO;
    int n;
    char buf[256], *tok[2];
    snprintf(buf, sizeof(buf), "%s", t->line[0]);
    if (io_split(buf, tok, 2) == 1 && io_parse_int(tok[0], &n)) {
        const char *c = t->line[1];
        if (strstr(c, "Lattice=") || strstr(c, "Properties=") || strchr(c, '='))
            return ATE_FORMAT_EXTXYZ;
        return ATE_FORMAT_XYZ;
    }
    if (t->nlines >= 5) {
        int ns = count_numbers(t->line[1], 3);
        if ((ns == 1 || ns == 3) && count_numbers(t->line[2], 3) == 3 &&
            count_numbers(t->line[3], 3) == 3 && count_numbers(t->line[4], 3) == 3)
            return ATE_FORMAT_POSCAR;
    }
    return ATE_FORMAT_AUTO;
}

ate_format ate_format_detect(const char *text)
{
    io_text t;
    if (io_text_from_string(text, "(text)", &t, NULL) != ATE_OK) {
        io_text_free(&t);
        return ATE_FORMAT_AUTO;
    }
    ate_format f = detect_lines(&t);
    io_text_free(&t);
    return f;
}

static ate_status resolve(const io_text *t, ate_format *fmt, ate_error *err)
{
    if (t->nlines == 0 || (t->nlines == 1 && !t->line[0][0]))
        return IO_ERROR(err, t, 0, NULL, "file is empty");
    if (*fmt == ATE_FORMAT_AUTO) *fmt = detect_lines(t);
    if (*fmt == ATE_FORMAT_AUTO)
        return IO_ERROR(err, t, 1, NULL,
                        "cannot recognise the format (expected extxyz, xyz, POSCAR or gen)");
    return ATE_OK;
}

ate_status ate_structure_read(const char *path, ate_format fmt, ate_structure **out, ate_error *err)
{
    *out = NULL;
    io_text t;
    ate_status st = io_text_load(path, &t, err);
    if (st == ATE_OK) st = resolve(&t, &fmt, err);
    int line = 0;
    if (st == ATE_OK)
        st = fmt == ATE_FORMAT_POSCAR ? io_read_poscar(&t, out, err)
             : fmt == ATE_FORMAT_GEN
                 ? io_read_gen(&t, out, err)
                 : io_read_xyz_frame(&t, &line, fmt == ATE_FORMAT_EXTXYZ, out, err);
    io_text_free(&t);
    return st;
}

ate_status ate_structure_read_all(const char *path, ate_format fmt, ate_structure ***frames,
                                  int *nframes, ate_error *err)
{
    *frames = NULL;
    *nframes = 0;
    io_text t;
    ate_status st = io_text_load(path, &t, err);
    if (st == ATE_OK) st = resolve(&t, &fmt, err);
    int cap = 0, line = 0;
    while (st == ATE_OK) {
        /* skip blank lines between frames; stop at the end */
        while (line < t.nlines && !t.line[line][strspn(t.line[line], " \t")])
            ++line;
        if (line >= t.nlines && *nframes > 0) break;
        if (*nframes == cap) {
            cap = cap ? 2 * cap : 8;
            ate_structure **f = realloc(*frames, (size_t)cap * sizeof(*f));
            if (!f) {
                st = ATE_ERROR(err, ATE_ERR_MEMORY, "out of memory reading '%s'", path);
                break;
            }
            *frames = f;
        }
        if (fmt == ATE_FORMAT_POSCAR || fmt == ATE_FORMAT_GEN) { /* single-frame formats */
            st = fmt == ATE_FORMAT_GEN ? io_read_gen(&t, &(*frames)[*nframes], err)
                                       : io_read_poscar(&t, &(*frames)[*nframes], err);
            if (st == ATE_OK) ++*nframes;
            break;
        }
        st = io_read_xyz_frame(&t, &line, fmt == ATE_FORMAT_EXTXYZ, &(*frames)[*nframes], err);
        if (st == ATE_OK) ++*nframes;
    }
    io_text_free(&t);
    if (st != ATE_OK) {
        for (int i = 0; i < *nframes; ++i)
            ate_structure_destroy(&(*frames)[i]);
        free(*frames);
        *frames = NULL;
        *nframes = 0;
    }
    return st;
}

ate_status ate_structure_write_stream(FILE *stream, ate_format fmt, const ate_structure *s,
                                      ate_error *err)
{
    if (fmt == ATE_FORMAT_POSCAR) return io_write_poscar(stream, s, err);
    if (fmt == ATE_FORMAT_GEN) return io_write_gen(stream, s, err);
    return io_write_xyz(stream, s, fmt != ATE_FORMAT_XYZ, err);
}

ate_status ate_structure_write(const char *path, ate_format fmt, const ate_structure *s,
                               ate_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return ate_error_set_input(err, ATE_ERR_IO, __FILE__, __LINE__, path, 0, 0, NULL,
                                   "cannot write '%s': %s", path, strerror(errno));
    ate_status st = ate_structure_write_stream(f, fmt, s, err);
    if (fclose(f) != 0 && st == ATE_OK)
        st = ate_error_set_input(err, ATE_ERR_IO, __FILE__, __LINE__, path, 0, 0, NULL,
                                 "cannot write '%s': %s", path, strerror(errno));
    if (st != ATE_OK) ate_error_locate(err, path, 0, 0, NULL);
    return st;
}
