/**
 * @file units.h
 * @brief Physical constants and unit conversions (CODATA 2018), the one place where they live.
 *
 * Inside ATEscreen everything is in atomic units (bohr, hartree, elementary charge, electron mass).
 * Ångström, eV, kelvin and amu appear only at the edges (input files, extxyz, HDF5, printed
 * tables), converted with the constants below.
 *
 * Source: E. Tiesinga, P. J. Mohr, D. B. Newell, B. N. Taylor, "CODATA recommended values of the
 * fundamental physical constants: 2018", Rev. Mod. Phys. 93, 025010 (2021).
 */
#ifndef ATESCREEN_UNITS_H
#define ATESCREEN_UNITS_H

/** pi (C17 has no M_PI). */
#define ATE_PI 3.14159265358979323846
/** Bohr radius a0 in Å. */
#define ATE_BOHR_ANGSTROM 0.529177210903
/** 1 Å in bohr. */
#define ATE_ANGSTROM_BOHR (1.0 / ATE_BOHR_ANGSTROM)
/** Hartree energy in eV. */
#define ATE_HARTREE_EV 27.211386245988
/** 1 eV in hartree. */
#define ATE_EV_HARTREE (1.0 / ATE_HARTREE_EV)
/** Boltzmann constant in eV/K (exact). */
#define ATE_KB_EV 8.617333262e-5
/** Boltzmann constant in hartree/K. */
#define ATE_KB_HARTREE (ATE_KB_EV / ATE_HARTREE_EV)
/** Hartree in kcal/mol. */
#define ATE_HARTREE_KCALMOL 627.5094740631
/** Hartree in cm^-1 (wavenumber). */
#define ATE_HARTREE_WAVENUMBER 219474.6313632
/** Atomic mass constant (dalton) in electron masses. */
#define ATE_AMU_ME 1822.888486209
/** Hartree/bohr in eV/Å (forces). */
#define ATE_HARTREE_BOHR_EV_ANGSTROM (ATE_HARTREE_EV / ATE_BOHR_ANGSTROM)

#endif /* ATESCREEN_UNITS_H */
