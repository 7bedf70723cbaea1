/**
 * @file che.h
 * @brief Computational hydrogen electrode (Nørskov et al., J. Phys. Chem. B 108, 17886 (2004)):
 *        adsorption free energies, OER/ORR/HER limiting potentials and overpotentials.
 *        Plain numbers in and out, eV and V; not collective; no allocation.
 *
 * Reference states: H2O(l) (as H2O(g) at 0.035 bar) and H2(g); O2 is never computed,
 * G(O2) = 2 G(H2O) - 2 G(H2) + 4.92 eV. Potentials are on the RHE scale, where the CHE free
 * energies do not depend on pH; ate_che_rhe_from_she converts.
 */
#ifndef ATESCREEN_CHE_H
#define ATESCREEN_CHE_H

#include "atescreen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Equilibrium potential of 2 H2O -> O2 + 4 (H+ + e-), V vs RHE. */
#define ATE_CHE_U_EQ 1.23
/** Free energy of 2 H2O -> O2 + 2 H2 at U = 0, eV (4 x 1.23). */
#define ATE_CHE_G_O2 4.92

typedef enum ate_che_set {
    ATE_CHE_SET_S1 = 0,   /**< SUNCAT-style constants (table "S1" of docs/theory-che.md) */
    ATE_CHE_SET_S2,       /**< Flores et al., IrOx OER (table "S2") */
    ATE_CHE_SET_CATHUB,   /**< Catalysis-Hub activity maps, J. Am. Chem. Soc.
                             2017, 10.1021/jacs.7b02622 */
    ATE_CHE_SET_NONE,     /**< electronic energies only (c = 0) */
    ATE_CHE_SET_HARMONIC, /**< the engine's own vibrations: constants per site (NaN here; the
                             pipeline computes them from ZPE, Cp and TS, docs/theory-che.md) */
    ATE_CHE_SET_COUNT
} ate_che_set;

/** ZPE + integral Cp dT - T S of the species (eV), per set where tabulated. */
typedef struct ate_che_species_corr {
    double zpe, cp, ts;
} ate_che_species_corr;

/** Net constants c in dG = dE + c (eV), for *OH, *O, *OOH and *H. */
typedef struct ate_che_constants {
    double c_oh, c_o, c_ooh, c_h;
    const char *name;     /**< "S1", "S2", "CatHub", "none" */
    const char *citation; /**< literature source */
} ate_che_constants;

/** Constants of a set: for S1 and S2 computed from the tabulated species corrections,
 *  c_X = corr(*X) - [n_H2O corr(H2O) - n_H2 corr(H2)]; for CatHub the published net constants.
 *  c_h is the common 0.24 eV shortcut (Nørskov et al., J. Electrochem. Soc. 152, J23 (2005)). */
ATE_API ate_status ate_che_constants_get(ate_che_set set, ate_che_constants *out, ate_error *err);
/** Set by name ("S1", "S2", "cathub", "none"); ATE_ERR_INPUT for an unknown name. */
ATE_API ate_status ate_che_set_from_name(const char *name, ate_che_set *set, ate_error *err);

/** Electronic adsorption energies (eV) from total energies (eV) of the clean site, the
 *  adsorbate states and the gas references: dE_OH = E(*OH) - E(*) - [E(H2O) - E(H2)/2],
 *  dE_O = E(*O) - E(*) - [E(H2O) - E(H2)], dE_OOH = E(*OOH) - E(*) - [2 E(H2O) - 3/2 E(H2)],
 *  dE_H = E(*H) - E(*) - E(H2)/2. */
typedef struct ate_che_energies {
    double clean, oh, o, ooh, h; /**< total energies, eV */
    double h2o, h2;              /**< gas references, eV */
} ate_che_energies;

typedef struct ate_che_dg {
    double oh, o, ooh, h; /**< adsorption energies / free energies, eV */
} ate_che_dg;

ATE_API void ate_che_delta_e(const ate_che_energies *e, ate_che_dg *de);
/** dG = dE + c. */
ATE_API void ate_che_delta_g(const ate_che_dg *de, const ate_che_constants *c, ate_che_dg *dg);

typedef struct ate_che_activity {
    double oer_steps[4]; /**< dG of the four OER steps at U = 0, eV */
    double ul_oer;       /**< limiting potential, V = max step */
    double eta_oer;      /**< U_L(OER) - 1.23 V */
    int pds_oer;         /**< potential-determining step, 1..4 */
    double ul_orr;       /**< min of the reversed steps, V */
    double eta_orr;      /**< 1.23 V - U_L(ORR) */
    int pds_orr;         /**< 1 = O2 -> *OOH, 2 = *OOH -> *O, 3 = *O -> *OH, 4 = *OH -> H2O */
    double eta_her;      /**< |dG*H|, V */
} ate_che_activity;

/** OER steps dG1 = dG_OH, dG2 = dG_O - dG_OH, dG3 = dG_OOH - dG_O, dG4 = 4.92 - dG_OOH. */
ATE_API void ate_che_activity_compute(const ate_che_dg *dg, ate_che_activity *out);

/** Free energies of the OER intermediates (*, *OH, *O, *OOH, O2) relative to * at potential
 *  u (V vs RHE): G_k(U) = G_k(0) - k e U, the free-energy diagram. levels[5]. */
ATE_API void ate_che_diagram(const ate_che_dg *dg, double u, double levels[5]);

/** U(RHE) = U(SHE) + kB T ln(10) pH / e. */
ATE_API double ate_che_rhe_from_she(double u_she, double ph, double temperature);

/** *OOH estimated from the universal scaling relation dG_OOH = dG_OH + 3.2 eV
 *  (Man et al., ChemCatChem 3, 1159 (2011)), for states where *OOH dissociated. */
ATE_API double ate_che_scaling_ooh(double dg_oh);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_CHE_H */
