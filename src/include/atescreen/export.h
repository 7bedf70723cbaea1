/**
 * @file export.h
 * @brief Symbol visibility: everything is hidden unless marked ATE_API.
 */
#ifndef ATESCREEN_EXPORT_H
#define ATESCREEN_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define ATE_API                          __attribute__((visibility("default")))
#define ATE_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define ATE_API
#define ATE_PRINTF(fmt_index, first_arg)
#endif

#endif /* ATESCREEN_EXPORT_H */
