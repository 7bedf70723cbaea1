/**
 * @file occupations.c
 * @brief Band occupations (docs/theory-pw.md, "Occupations"), written for fmax = 2 electrons per
 *        band (spin-unpolarised; a spin channel has fmax = 1 and every f and TS scales with
 *        fmax/2), x = (e - mu) / sigma, one Fermi level mu over the given bands, by bisection:
 *   Fermi-Dirac   f = 2 / (1 + e^x),  -TS = 2 sigma sum w [p ln p + (1-p) ln(1-p)], p = f/2
 *                 (N. D. Mermin, Phys. Rev. 137, A1441 (1965));
 *   Gaussian      f = erfc(x),        -TS = -2 sigma sum w e^{-x^2} / (2 sqrt pi)
 *                 (C.-L. Fu, K.-M. Ho, PRB 28, 5480 (1983));
 *   cold (MV)     y = -x - 1/sqrt2, f = 2 [erf(y)/2 + e^{-y^2}/sqrt(2 pi) + 1/2],
 *                 -TS = 2 sigma sum w y e^{-y^2} / sqrt(2 pi)
 *                 (N. Marzari, D. Vanderbilt, A. De Vita, M. C. Payne, PRL 82, 3296 (1999));
 *   none          the lowest nel/2 bands of every k-point are doubly occupied (insulators).
 */
#include <math.h>

#include "kernel.h"
#include "pw.h"

static double occ_of(int smearing, double x, double *s)
{
    switch (smearing) {
    case ATE_SMEAR_GAUSSIAN:
        *s = -exp(-x * x) / (2.0 * sqrt(ATE_PI));
        return erfc(x);
    case ATE_SMEAR_MV: {
        double y = -x - 1.0 / sqrt(2.0), e = exp(-y * y) / sqrt(2.0 * ATE_PI);
        *s = y * e;
        return 2.0 * (0.5 * erf(y) + e + 0.5);
    }
    default: { /* Fermi-Dirac */
        double p = x > 0 ? exp(-x) / (1.0 + exp(-x)) : 1.0 / (1.0 + exp(x));
        *s = (p > 0.0 ? p * log(p) : 0.0) + (p < 1.0 ? (1.0 - p) * log1p(-p) : 0.0);
        return 2.0 * p;
    }
    }
}

double pw_occupations(int smearing, double sigma, int nk, int nb, const double *w,
                      const double *eig, double nel, double fmax, double *occ, double *ts)
{
    *ts = 0.0;
    if (smearing == ATE_SMEAR_NONE || sigma <= 0.0) {
        int nocc = (int)lround(nel / fmax);
        for (int k = 0; k < nk; ++k)
            for (int n = 0; n < nb; ++n)
                occ[k * nb + n] = n < nocc ? fmax : 0.0;
        double homo = -INFINITY, lumo = INFINITY;
        for (int k = 0; k < nk; ++k) {
            if (nocc > 0 && eig[k * nb + nocc - 1] > homo) homo = eig[k * nb + nocc - 1];
            if (nocc < nb && eig[k * nb + nocc] < lumo) lumo = eig[k * nb + nocc];
        }
        return nocc <= 0 ? lumo : nocc < nb ? 0.5 * (homo + lumo) : homo;
    }
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < nk * nb; ++i) {
        if (eig[i] < lo) lo = eig[i];
        if (eig[i] > hi) hi = eig[i];
    }
    lo -= 50.0 * sigma, hi += 50.0 * sigma;
    double mu = 0.5 * (lo + hi), s;
    for (int it = 0; it < 200; ++it) {
        mu = 0.5 * (lo + hi);
        double n = 0.0;
        for (int k = 0; k < nk; ++k)
            for (int b = 0; b < nb; ++b)
                n += w[k] * 0.5 * fmax * occ_of(smearing, (eig[k * nb + b] - mu) / sigma, &s);
        if (n > nel)
            hi = mu;
        else
            lo = mu;
        if (hi - lo < 1e-15 * (1.0 + fabs(mu))) break;
    }
    for (int k = 0; k < nk; ++k)
        for (int b = 0; b < nb; ++b) {
            occ[k * nb + b] = 0.5 * fmax * occ_of(smearing, (eig[k * nb + b] - mu) / sigma, &s);
            *ts += fmax * sigma * w[k] * s;
        }
    return mu;
}
