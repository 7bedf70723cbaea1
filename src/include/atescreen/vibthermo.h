/**
 * @file vibthermo.h
 * @brief Thermochemistry from vibrational frequencies: harmonic (adsorbates) and ideal-gas
 *        (gas references) ZPE, integral of Cp dT and T*S. Plain numbers in and out; not
 *        collective; no allocation. Equations: docs/theory-che.md ("Harmonic corrections").
 *
 * Frequencies are wavenumbers in cm^-1; negative values denote imaginary modes, which are left
 * out and counted. Energies in eV, temperature in K, pressure in Pa.
 */
#ifndef ATESCREEN_VIBTHERMO_H
#define ATESCREEN_VIBTHERMO_H

#include "atescreen/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Free-energy corrections G - E = zpe + cp - ts (eV). */
typedef struct ate_vib_terms {
    double zpe;  /**< zero-point energy, eV */
    double cp;   /**< integral of Cp (Cv for the harmonic model) from 0 to T, eV */
    double ts;   /**< T times the entropy, eV */
    int nimag;   /**< imaginary modes left out */
    int nraised; /**< real modes raised to the floor */
} ate_vib_terms;

/** Harmonic-oscillator model of an adsorbate (all 3N modes are vibrations; Cramer, Essentials of
 *  Computational Chemistry, 2nd ed. (2004), ch. 10; as ase.thermochemistry.HarmonicThermo):
 *  ZPE = sum e_i/2, cp = sum e_i/(exp(x_i)-1), S = k sum [x_i/(exp(x_i)-1) - ln(1-exp(-x_i))],
 *  e_i = h c nu_i, x_i = e_i/kT. Real modes below floor_cm (cm^-1, 0 for none) are raised to it
 *  (the quasi-harmonic treatment of soft modes; Ribeiro, Marenich, Cramer, Truhlar, J. Phys.
 *  Chem. B 115, 14556 (2011)). */
ATE_API void ate_vib_harmonic(const double *freq_cm, int n, double temperature, double floor_cm,
                              ate_vib_terms *out);

/** Ideal gas, rigid rotor, harmonic oscillator (McQuarrie, Statistical Mechanics (2000), ch. 8;
 *  as ase.thermochemistry.IdealGasThermo with spin 0): translations at pressure p_pa,
 *  rotations from the moments of inertia of the geometry (linear when the smallest moment is
 *  below 1e-6 of the largest), vibrations from the 3N-6 (3N-5) largest real frequencies of
 *  freq_cm[n] (n = 3N: the translations and rotations are the smallest |freq| and are dropped).
 *  cp = (5/2 + 1 or 3/2) kT + sum e_i/(exp(x_i)-1). xyz_ang [natoms][3] in Å, masses in amu. */
ATE_API void ate_vib_ideal_gas(int natoms, const double *masses_amu, const double *xyz_ang,
                               const double *freq_cm, int symmetry_number, double temperature,
                               double p_pa, ate_vib_terms *out);

#ifdef __cplusplus
}
#endif

#endif
