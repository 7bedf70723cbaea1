/**
 * @file status.h
 * @brief Status codes and the error record every fallible function fills.
 *
 * Every fallible function returns an ate_status and, on failure, describes the problem in a
 * caller-owned ate_error: the code, a message, the ATEscreen source file and line that raised it,
 * and for input errors the user's file, line, column and field (key path). There is no global or
 * thread-local error state. All functions accept err == NULL (the details are then dropped).
 */
#ifndef ATESCREEN_STATUS_H
#define ATESCREEN_STATUS_H

#include <stddef.h>

#include "atescreen/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ate_status {
    ATE_OK = 0,
    ATE_ERR_INPUT,         /**< bad user input: file content, YAML key, CLI argument */
    ATE_ERR_IO,            /**< a file cannot be opened, read or written */
    ATE_ERR_VALUE,         /**< an argument value is invalid (API misuse or impossible physics) */
    ATE_ERR_MEMORY,        /**< allocation failed */
    ATE_ERR_NOT_CONVERGED, /**< an iterative procedure (SCF, relaxation) did not converge */
    ATE_ERR_MPI,           /**< an MPI call failed */
    ATE_ERR_LIB,           /**< an external library (HDF5, LAPACK, spglib, libyaml) failed */
    ATE_ERR_UNSUPPORTED,   /**< valid request that this build or method does not support */
    ATE_ERR_INTERNAL,      /**< a bug in ATEscreen */
    ATE_ERR_INTERRUPTED    /**< stopped on request (a signal) before the work was complete */
} ate_status;

/** Capacity of the text fields of ate_error (bytes, including the terminating NUL). */
enum { ATE_ERROR_MSG_LEN = 1024, ATE_ERROR_PATH_LEN = 512, ATE_ERROR_FIELD_LEN = 256 };

typedef struct ate_error {
    ate_status code;
    char message[ATE_ERROR_MSG_LEN];
    const char *src_file; /**< ATEscreen source file that raised the error (static string) */
    int src_line;
    /* Location in the user's input; input_file[0] == '\0' when not an input error. */
    char input_file[ATE_ERROR_PATH_LEN];
    int input_line;                  /**< 1-based; 0 = unknown */
    int input_column;                /**< 1-based; 0 = unknown */
    char field[ATE_ERROR_FIELD_LEN]; /**< key path or field name, e.g. "families[1].lateral.dopants"
                                      */
} ate_error;

/** Reset err to "no error". NULL-safe. */
ATE_API void ate_error_clear(ate_error *err);

/** Record an error; returns code so that `return ATE_ERROR(...)` reads naturally. */
ATE_API ate_status ate_error_set(ate_error *err, ate_status code, const char *src_file,
                                 int src_line, const char *fmt, ...) ATE_PRINTF(5, 6);

/** Record an input error with its location (input_file may be NULL, line/column 0 = unknown,
 *  field may be NULL). */
ATE_API ate_status ate_error_set_input(ate_error *err, ate_status code, const char *src_file,
                                       int src_line, const char *input_file, int line, int column,
                                       const char *field, const char *fmt, ...) ATE_PRINTF(9, 10);

/** Attach a location to an existing error, filling only the parts that are still unset
 *  (so the innermost, most precise location wins). NULL/0 arguments are ignored. */
ATE_API void ate_error_locate(ate_error *err, const char *input_file, int line, int column,
                              const char *field);

/** Prepend context to the message ("reading POSCAR: " + message). */
ATE_API void ate_error_prefix(ate_error *err, const char *fmt, ...) ATE_PRINTF(2, 3);

/** Format as one line:
 *    input errors:  "FILE:LINE:COL: FIELD: MESSAGE"   (parts that are unknown are left out)
 *    other errors:  "MESSAGE"
 *  Returns the number of characters that the full text needs (snprintf semantics). */
ATE_API size_t ate_error_format(const ate_error *err, char *buf, size_t n);

/** Short name of a status code ("input error", "I/O error", ...). */
ATE_API const char *ate_status_name(ate_status code);

#define ATE_ERROR(err, code, ...) ate_error_set((err), (code), __FILE__, __LINE__, __VA_ARGS__)
#define ATE_INPUT_ERROR(err, file, line, col, field, ...)                                          \
    ate_error_set_input((err), ATE_ERR_INPUT, __FILE__, __LINE__, (file), (line), (col), (field),  \
                        __VA_ARGS__)

/** Propagate a failed status to the caller. */
#define ATE_TRY(call)                                                                              \
    do {                                                                                           \
        ate_status ate_try_status_ = (call);                                                       \
        if (ate_try_status_ != ATE_OK) return ate_try_status_;                                     \
    } while (0)

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_STATUS_H */
