/**
 * @file vibthermo.c
 * @brief Harmonic and ideal-gas thermochemistry from frequencies (atescreen/vibthermo.h;
 *        equations in docs/theory-che.md). Worked in atomic units: hbar = 1, k_B T in hartree.
 */
#include <math.h>

#include "atescreen/units.h"
#include "atescreen/vibthermo.h"

/* atomic unit of pressure E_h / a0^3 in Pa (CODATA 2018) */
#define AU_PRESSURE_PA 2.9421015697e13

static double cm_to_hartree(double nu) { return nu / ATE_HARTREE_WAVENUMBER; }

/* adds one mode of energy e (hartree) at kT (hartree) to the sums (hartree) */
static void add_mode(double e, double kt, double *zpe, double *cp, double *s_over_k)
{
    double x = e / kt;
    *zpe += 0.5 * e;
    if (x > 700.0) return; /* frozen mode: no thermal contribution */
    double em1 = expm1(x);
    *cp += e / em1;
    *s_over_k += x / em1 - log1p(-exp(-x));
}

void ate_vib_harmonic(const double *freq_cm, int n, double temperature, double floor_cm,
                      ate_vib_terms *out)
{
    double kt = ATE_KB_HARTREE * temperature, zpe = 0.0, cp = 0.0, s = 0.0;
    out->nimag = out->nraised = 0;
    for (int i = 0; i < n; ++i) {
        double nu = freq_cm[i];
        if (nu < 0.0) {
            ++out->nimag;
            continue;
        }
        if (nu < floor_cm) nu = floor_cm, ++out->nraised;
        if (nu <= 0.0) continue;
        add_mode(cm_to_hartree(nu), kt, &zpe, &cp, &s);
    }
    out->zpe = zpe * ATE_HARTREE_EV;
    out->cp = cp * ATE_HARTREE_EV;
    out->ts = kt * s * ATE_HARTREE_EV;
}

/* eigenvalues of a symmetric 3x3 matrix (Jacobi rotations; ascending) */
static void eig3(double a[3][3], double w[3])
{
    for (int sweep = 0; sweep < 50; ++sweep) {
        double off = fabs(a[0][1]) + fabs(a[0][2]) + fabs(a[1][2]);
        if (off < 1e-300) break;
        for (int p = 0; p < 2; ++p)
            for (int q = p + 1; q < 3; ++q) {
                if (fabs(a[p][q]) < 1e-300) continue;
                double th = 0.5 * atan2(2.0 * a[p][q], a[q][q] - a[p][p]);
                double c = cos(th), sn = sin(th);
                for (int k = 0; k < 3; ++k) { /* columns */
                    double akp = a[k][p], akq = a[k][q];
                    a[k][p] = c * akp - sn * akq;
                    a[k][q] = sn * akp + c * akq;
                }
                for (int k = 0; k < 3; ++k) { /* rows */
                    double apk = a[p][k], aqk = a[q][k];
                    a[p][k] = c * apk - sn * aqk;
                    a[q][k] = sn * apk + c * aqk;
                }
            }
    }
    for (int i = 0; i < 3; ++i)
        w[i] = a[i][i];
    for (int i = 0; i < 3; ++i)
        for (int j = i + 1; j < 3; ++j)
            if (w[j] < w[i]) {
                double t = w[i];
                w[i] = w[j], w[j] = t;
            }
}

void ate_vib_ideal_gas(int natoms, const double *masses_amu, const double *xyz_ang,
                       const double *freq_cm, int symmetry_number, double temperature, double p_pa,
                       ate_vib_terms *out)
{
    double kt = ATE_KB_HARTREE * temperature;
    /* moments of inertia about the centre of mass (m_e bohr^2) */
    double mtot = 0.0, com[3] = {0, 0, 0};
    for (int i = 0; i < natoms; ++i) {
        mtot += masses_amu[i];
        for (int k = 0; k < 3; ++k)
            com[k] += masses_amu[i] * xyz_ang[3 * i + k];
    }
    double inertia[3][3] = {{0}};
    for (int i = 0; i < natoms; ++i) {
        double r[3], m = masses_amu[i] * ATE_AMU_ME;
        for (int k = 0; k < 3; ++k)
            r[k] = (xyz_ang[3 * i + k] - com[k] / mtot) * ATE_ANGSTROM_BOHR;
        double r2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b)
                inertia[a][b] += m * ((a == b ? r2 : 0.0) - r[a] * r[b]);
    }
    double mom[3];
    eig3(inertia, mom);
    int linear = natoms == 2 || mom[0] < 1e-6 * mom[2];
    double m = mtot * ATE_AMU_ME, p = p_pa / AU_PRESSURE_PA;
    /* translations (Sackur-Tetrode): S/k = ln[(m kT / 2 pi)^(3/2) kT / p] + 5/2 */
    double s = log(pow(m * kt / (2.0 * ATE_PI), 1.5) * kt / p) + 2.5;
    double cp = 2.5 * kt;
    if (natoms > 1) {
        double sigma = symmetry_number > 0 ? symmetry_number : 1;
        if (linear) { /* q = 2 I kT / sigma */
            s += log(2.0 * mom[2] * kt / sigma) + 1.0;
            cp += kt;
        } else { /* q = sqrt(pi I_A I_B I_C) (2 kT)^(3/2) / sigma */
            s += log(sqrt(ATE_PI * mom[0] * mom[1] * mom[2]) * pow(2.0 * kt, 1.5) / sigma) + 1.5;
            cp += 1.5 * kt;
        }
    }
    /* vibrations: the 3N - 6 (3N - 5) largest |frequencies| */
    int n = 3 * natoms, nvib = natoms == 1 ? 0 : n - (linear ? 5 : 6);
    double zpe = 0.0, cpv = 0.0, sv = 0.0;
    out->nimag = out->nraised = 0;
    for (int i = 0; i < n; ++i) {
        int rank = 0; /* modes with a smaller |frequency| (ties by index) */
        for (int j = 0; j < n; ++j)
            rank += fabs(freq_cm[j]) < fabs(freq_cm[i]) ||
                    (fabs(freq_cm[j]) == fabs(freq_cm[i]) && j < i);
        if (rank < n - nvib) continue; /* a translation or rotation */
        if (freq_cm[i] < 0.0) {
            ++out->nimag;
            continue;
        }
        add_mode(cm_to_hartree(freq_cm[i]), kt, &zpe, &cpv, &sv);
    }
    out->zpe = zpe * ATE_HARTREE_EV;
    out->cp = (cp + cpv) * ATE_HARTREE_EV;
    out->ts = kt * (s + sv) * ATE_HARTREE_EV;
}
