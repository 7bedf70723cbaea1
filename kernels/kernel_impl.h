/**
 * @file kernel_impl.h
 * @brief What a kernel provides to the dispatcher (kernels/kernel.c): create, compute, forget
 *        the restart guess, destroy. The dispatcher owns and validates the common options and
 *        hands the current ones to every compute call. kernel.c holds the handle and the methods
 *        that need no MPI library (ate_kernel_create_serial: gfn1); kernel_methods.c the table of
 *        all methods (ate_kernel_create), so a program that creates only serial kernels links
 *        neither the plane-wave kernel nor MPI.
 */
#ifndef ATESCREEN_KERNEL_IMPL_H
#define ATESCREEN_KERNEL_IMPL_H

#include "kernel.h"

typedef struct ate_kernel_impl_ops {
    const char *method;
    /* comm: the communicator of ate_kernel_create, or NULL from ate_kernel_create_serial (no
     * communicator: the method must not use MPI) */
    ate_status (*create)(const ate_kernel_opts *o, const MPI_Comm *comm, void **impl,
                         ate_error *err);
    ate_status (*compute)(void *impl, const ate_kernel_opts *o, const ate_structure *s,
                          unsigned request, ate_calc_result *out, ate_error *err);
    void (*reset_guess)(void *impl);
    void (*destroy)(void *impl);
    /* the pseudopotential of element z with options o (param_dir set), or NULL: the method has
     * none (ate_kernel_pseudopotential) */
    ate_status (*pseudopotential)(const ate_kernel_opts *o, int z, ate_pseudo_info *out,
                                  ate_error *err);
} ate_kernel_impl_ops;

extern const ate_kernel_impl_ops ate_gfn1_kernel_ops; /* kernels/xtb/gfn1.c */
extern const ate_kernel_impl_ops ate_pw_kernel_ops;   /* kernels/pw/pw_kernel.c */

/** A handle of method ops (kernel.c); comm as in ate_kernel_impl_ops.create. */
ate_status ate_kernel_create_ops(const ate_kernel_impl_ops *ops, const ate_kernel_opts *o,
                                 const MPI_Comm *comm, ate_kernel **k, ate_error *err);

#endif /* ATESCREEN_KERNEL_IMPL_H */
