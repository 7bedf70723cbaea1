/**
 * @file kernel_impl.h
 * @brief What a kernel provides to the dispatcher (kernels/kernel.c): create, compute, forget
 *        the restart guess, destroy. The dispatcher owns and validates the common options and
 *        hands the current ones to every compute call.
 */
#ifndef ATESCREEN_KERNEL_IMPL_H
#define ATESCREEN_KERNEL_IMPL_H

#include "kernel.h"

typedef struct ate_kernel_impl_ops {
    const char *method;
    ate_status (*create)(const ate_kernel_opts *o, MPI_Comm comm, void **impl, ate_error *err);
    ate_status (*compute)(void *impl, const ate_kernel_opts *o, const ate_structure *s,
                          unsigned request, ate_calc_result *out, ate_error *err);
    void (*reset_guess)(void *impl);
    void (*destroy)(void *impl);
} ate_kernel_impl_ops;

extern const ate_kernel_impl_ops ate_gfn1_kernel_ops; /* kernels/xtb/gfn1.c */
extern const ate_kernel_impl_ops ate_pw_kernel_ops;   /* kernels/pw/pw_kernel.c */

#endif /* ATESCREEN_KERNEL_IMPL_H */
