/**
 * @file kernel.c
 * @brief The kernel handle of kernel.h over a method's ops (kernel_impl.h): options common to all
 *        methods are validated here. ate_kernel_create_serial knows only the methods whose code
 *        needs no MPI library ("gfn1", kernels/xtb); ate_kernel_create, with every method, is in
 *        kernel_methods.c so that this file does not pull the plane-wave kernel into a program.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel_impl.h"

struct ate_kernel {
    ate_kernel_opts opts;
    const ate_kernel_impl_ops *ops;
    void *impl;
};

static const ate_kernel_impl_ops *const serial_methods[] = {&ate_gfn1_kernel_ops};
enum { NSERIAL = sizeof(serial_methods) / sizeof(serial_methods[0]) };

void ate_kernel_opts_init(ate_kernel_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->etemp = 300.0;
    o->max_iter = 250;
    o->econv = 1e-10;
    o->qconv = 1e-8;
    o->mixing = 0.4;
    o->param_dir = ATE_PARAM_DIR;
    o->xc = ATE_XC_PBE;
    o->smearing = ATE_SMEAR_FERMI_DIRAC;
}

/* etemp, mixing and max_iter of a handle: the ranges ate_kernel_create accepts. */
static ate_status check_opts(double etemp, double mixing, int max_iter, ate_error *err)
{
    if (!(etemp >= 0.0 && etemp <= 1e5))
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "etemp",
                                   "electronic temperature %g K is out of range [0, 1e5]", etemp);
    if (!(mixing > 0.0 && mixing <= 1.0))
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "mixing",
                                   "mixing %g is out of range (0, 1]", mixing);
    if (max_iter < 1)
        return ate_error_set_input(err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "max_iter",
                                   "max_iter %d must be at least 1", max_iter);
    return ATE_OK;
}

ate_status ate_kernel_create_ops(const ate_kernel_impl_ops *ops, const ate_kernel_opts *o,
                                 const MPI_Comm *comm, ate_kernel **out, ate_error *err)
{
    *out = NULL;
    ate_kernel *k = calloc(1, sizeof(*k));
    if (!k) return ATE_ERROR(err, ATE_ERR_MEMORY, "kernel: out of memory");
    if (o)
        k->opts = *o;
    else
        ate_kernel_opts_init(&k->opts);
    if (!k->opts.param_dir) k->opts.param_dir = ATE_PARAM_DIR;
    k->ops = ops;
    ate_status st = check_opts(k->opts.etemp, k->opts.mixing, k->opts.max_iter, err);
    if (st == ATE_OK) st = ops->create(&k->opts, comm, &k->impl, err);
    if (st != ATE_OK) {
        free(k);
        return st;
    }
    *out = k;
    return ATE_OK;
}

static const ate_kernel_impl_ops *serial_ops(const char *method)
{
    for (int m = 0; m < NSERIAL && method; ++m)
        if (!strcmp(method, serial_methods[m]->method)) return serial_methods[m];
    return NULL;
}

bool ate_kernel_is_serial(const char *method) { return serial_ops(method) != NULL; }

ate_status ate_kernel_create_serial(const char *method, const ate_kernel_opts *o, ate_kernel **k,
                                    ate_error *err)
{
    *k = NULL;
    const ate_kernel_impl_ops *ops = serial_ops(method);
    if (!ops)
        return ate_error_set_input(err, ATE_ERR_UNSUPPORTED, __FILE__, __LINE__, NULL, 0, 0,
                                   "method",
                                   "method '%s' does not run without MPI (serial methods: gfn1)",
                                   method ? method : "(null)");
    return ate_kernel_create_ops(ops, o, NULL, k, err);
}

ate_status ate_kernel_compute(ate_kernel *k, const ate_structure *s, unsigned request,
                              ate_calc_result *out, ate_error *err)
{
    return k->ops->compute(k->impl, &k->opts, s, request, out, err);
}

ate_status ate_kernel_update_opts(ate_kernel *k, double etemp, double mixing, int max_iter,
                                  ate_error *err)
{
    ATE_TRY(check_opts(etemp, mixing, max_iter, err));
    k->opts.etemp = etemp, k->opts.mixing = mixing, k->opts.max_iter = max_iter;
    return ATE_OK;
}

ate_status ate_kernel_set_convergence(ate_kernel *k, double econv, double qconv, ate_error *err)
{
    if (!(econv > 0.0 && econv <= 1e-2) || !(qconv > 0.0 && qconv <= 1e-2))
        return ATE_ERROR(err, ATE_ERR_VALUE,
                         "SCF convergence thresholds %g Eh, %g e not in (0, 0.01]", econv, qconv);
    k->opts.econv = econv, k->opts.qconv = qconv;
    return ATE_OK;
}

void ate_kernel_reset_guess(ate_kernel *k)
{
    if (k) k->ops->reset_guess(k->impl);
}

const char *ate_kernel_method(const ate_kernel *k) { return k->ops->method; }

void ate_kernel_destroy(ate_kernel **k)
{
    if (!k || !*k) return;
    (*k)->ops->destroy((*k)->impl);
    free(*k);
    *k = NULL;
}
