/**
 * @file kernel_methods.c
 * @brief ate_kernel_create: every method of this build, "gfn1" (kernels/xtb) and "pw"
 *        (kernels/pw), by name (the handle itself is kernel.c's).
 */
#include <string.h>

#include "kernel_impl.h"

static const ate_kernel_impl_ops *const methods[] = {&ate_gfn1_kernel_ops, &ate_pw_kernel_ops};
enum { NMETHODS = sizeof(methods) / sizeof(methods[0]) };

ate_status ate_kernel_create(const char *method, const ate_kernel_opts *o, MPI_Comm comm,
                             ate_kernel **out, ate_error *err)
{
    *out = NULL;
    for (int m = 0; m < NMETHODS && method; ++m)
        if (!strcmp(method, methods[m]->method))
            return ate_kernel_create_ops(methods[m], o, &comm, out, err);
    return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "method",
                               "unknown method '%s' (available: gfn1, pw)",
                               method ? method : "(null)");
}

ate_status ate_kernel_pseudopotential(const char *method, const ate_kernel_opts *o, int z,
                                      ate_pseudo_info *out, ate_error *err)
{
    memset(out, 0, sizeof(*out));
    ate_kernel_opts d;
    if (o)
        d = *o;
    else
        ate_kernel_opts_init(&d);
    if (!d.param_dir) d.param_dir = ATE_PARAM_DIR; /* as ate_kernel_create_ops */
    for (int m = 0; m < NMETHODS && method; ++m)
        if (!strcmp(method, methods[m]->method)) {
            if (!methods[m]->pseudopotential)
                return ATE_ERROR(err, ATE_ERR_UNSUPPORTED, "method '%s' has no pseudopotentials",
                                 method);
            return methods[m]->pseudopotential(&d, z, out, err);
        }
    return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "method",
                               "unknown method '%s' (available: gfn1, pw)",
                               method ? method : "(null)");
}
