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
