/**
 * @file fermi.c
 * @brief Fermi smearing of one spin channel as xtb 6.5.1 does it (spec §6.2): Newton iterations
 *        for the Fermi level from the HOMO-LUMO midpoint until |N - sum f| <= 1e-9 (200 at most);
 *        f = 0 where (e - eF)/kT >= 50; a full or empty channel is not smeared. Mermin free energy:
 *        the caller adds kT_Eh * sum [f ln f + (1-f) ln(1-f)].
 */
#include <math.h>

#include "gfn1_coulomb.h"

static double occ_of(double e, double ef, double kt)
{
    double x = (e - ef) / kt;
    return x >= 50.0 ? 0.0 : 1.0 / (exp(x) + 1.0);
}

double gfn1_fermi(const double *eps, int n, int nel, double kt, double *occ)
{
    for (int i = 0; i < n; ++i)
        occ[i] = i < nel ? 1.0 : 0.0;
    if (nel <= 0 || nel >= n || kt <= 0.0) return 0.0;
    double ef = 0.5 * (eps[nel - 1] + eps[nel]);
    for (int it = 0; it < 200; ++it) {
        double sum = 0.0, dsum = 0.0;
        for (int i = 0; i < n; ++i) {
            double f = occ_of(eps[i], ef, kt);
            sum += f;
            dsum += f * (1.0 - f) / kt;
        }
        double err = nel - sum;
        if (fabs(err) <= 1e-9 || dsum == 0.0) break;
        ef += err / dsum;
    }
    double s = 0.0;
    for (int i = 0; i < n; ++i) {
        double f = occ_of(eps[i], ef, kt);
        occ[i] = f;
        if (f > 1e-9 && 1.0 - f > 1e-9) s += f * log(f) + (1.0 - f) * log(1.0 - f);
    }
    return s;
}

/* k-points: the Fermi level by bisection on sum_i wt_i f(e_i) - nel (monotonic in the level),
 * until |error| <= 1e-12 electrons or 200 halvings. */
double gfn1_fermi_weighted(const double *eps, const double *wt, int n, int nel, double kt,
                           double *occ)
{
    double lo = INFINITY, hi = -INFINITY, total = 0.0;
    for (int i = 0; i < n; ++i) {
        lo = fmin(lo, eps[i]), hi = fmax(hi, eps[i]);
        total += wt[i];
    }
    if (nel <= 0 || nel >= total - 1e-12) { /* an empty or full channel is not smeared */
        for (int i = 0; i < n; ++i)
            occ[i] = nel > 0 ? 1.0 : 0.0;
        return 0.0;
    }
    double t = kt > 0.0 ? kt : 1e-12;
    lo -= 60.0 * t, hi += 60.0 * t;
    double ef = 0.5 * (lo + hi);
    for (int it = 0; it < 200; ++it) {
        ef = 0.5 * (lo + hi);
        double sum = 0.0;
        for (int i = 0; i < n; ++i)
            sum += wt[i] * occ_of(eps[i], ef, t);
        if (fabs(sum - nel) <= 1e-12) break;
        if (sum < nel)
            lo = ef;
        else
            hi = ef;
    }
    double s = 0.0;
    for (int i = 0; i < n; ++i) {
        double f = occ_of(eps[i], ef, t);
        occ[i] = f;
        if (f > 1e-9 && 1.0 - f > 1e-9) s += wt[i] * (f * log(f) + (1.0 - f) * log(1.0 - f));
    }
    return s;
}
