/**
 * @file structio.h
 * @brief Structure files: extended XYZ (ASE dialect), plain XYZ, VASP POSCAR/CONTCAR.
 *        Not collective; call on one rank.
 *
 * Lengths in files are Å; the returned structures hold bohr. The format is detected from the
 * content (not the file name) when ATE_FORMAT_AUTO is given. extxyz info keys `charge` and `uhf`
 * set the structure's total charge and unpaired electrons; other info keys are kept in the
 * structure's info dictionary and written back. Errors name the file, line and field.
 */
#ifndef ATESCREEN_STRUCTIO_H
#define ATESCREEN_STRUCTIO_H

#include <stdio.h>

#include "atescreen/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ate_format {
    ATE_FORMAT_AUTO = 0,
    ATE_FORMAT_EXTXYZ,
    ATE_FORMAT_XYZ,
    ATE_FORMAT_POSCAR,
    ATE_FORMAT_GEN /**< DFTB+ gen (C cluster, S/F periodic) */
} ate_format;

/** Format of a file's text (ATE_FORMAT_AUTO when not recognised). */
ATE_API ate_format ate_format_detect(const char *text);
/** "extxyz", "xyz", "poscar". */
ATE_API const char *ate_format_name(ate_format fmt);

/** Read the first (or only) frame of path. */
ATE_API ate_status ate_structure_read(const char *path, ate_format fmt, ate_structure **out,
                                      ate_error *err);
/** Read every frame of a (multi-frame) xyz/extxyz file. *frames is an array of *nframes
 *  structures owned by the caller: free each with ate_structure_destroy, then free(*frames). */
ATE_API ate_status ate_structure_read_all(const char *path, ate_format fmt, ate_structure ***frames,
                                          int *nframes, ate_error *err);
/** Write s to path (replacing it). ATE_FORMAT_AUTO writes extxyz. */
ATE_API ate_status ate_structure_write(const char *path, ate_format fmt, const ate_structure *s,
                                       ate_error *err);
/** Write one frame to an open stream (append frames for a trajectory). */
ATE_API ate_status ate_structure_write_stream(FILE *stream, ate_format fmt, const ate_structure *s,
                                              ate_error *err);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_STRUCTIO_H */
