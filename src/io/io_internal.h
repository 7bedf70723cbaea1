/**
 * @file io_internal.h
 * @brief Text scanning shared by the structure readers: a file held as numbered lines, tokenising
 *        and strict number parsing with file:line:field error messages.
 */
#ifndef ATE_IO_INTERNAL_H
#define ATE_IO_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "atescreen/structio.h"

typedef struct io_text {
    const char *path; /* for messages */
    char *buf;        /* whole file, lines NUL-terminated in place */
    int nlines;
    char **line; /* [nlines] */
} io_text;

/* Whole file as a NUL-terminated malloc'd string (*len bytes); rejects NUL bytes. */
ate_status io_read_file(const char *path, char **text, size_t *len, ate_error *err);
ate_status io_text_load(const char *path, io_text *t, ate_error *err);
ate_status io_text_from_string(const char *text, const char *name, io_text *t, ate_error *err);
void io_text_free(io_text *t);

/* Split s (modified in place) at whitespace into at most max tokens; returns the count. */
int io_split(char *s, char **tok, int max);
/* Strict conversions: the whole token must be consumed. */
bool io_parse_double(const char *s, double *v);
bool io_parse_int(const char *s, int *v);
/* Input error in t at line (1-based, 0 = unknown) and field. */
#define IO_ERROR(err, t, line, field, ...)                                                         \
    ate_error_set_input((err), ATE_ERR_INPUT, __FILE__, __LINE__, (t)->path, (line), 0, (field),   \
                        __VA_ARGS__)

/* Element symbol as written in files ("Fe", also "FE"/"fe" are accepted); 0 when unknown. */
int io_element(const char *sym);

/* Readers/writers by format. A reader parses the frame starting at *line (0-based) and advances
 * *line past it. */
ate_status io_read_xyz_frame(const io_text *t, int *line, bool extended, ate_structure **out,
                             ate_error *err);
ate_status io_write_xyz(FILE *f, const ate_structure *s, bool extended, ate_error *err);
ate_status io_read_poscar(const io_text *t, ate_structure **out, ate_error *err);
ate_status io_write_poscar(FILE *f, const ate_structure *s, ate_error *err);
bool io_is_gen(const io_text *t);
ate_status io_read_gen(const io_text *t, ate_structure **out, ate_error *err);
ate_status io_write_gen(FILE *f, const ate_structure *s, ate_error *err);

/* Finish a structure from a description: create it and, when validation fails, point the error
 * at the file and line: atom_line[i] of the (second) atom named in the message, or header_line
 * for whole-structure fields (charge, uhf, cell, pbc). */
ate_status io_create(const io_text *t, const ate_structure_desc *d, const int *atom_line,
                     int header_line, ate_structure **out, ate_error *err);

#endif
