/**
 * @file kernel.h
 * @brief The interface every electronic-structure kernel implements (DESIGN.md). Energies in
 *        hartree, gradients in hartree/bohr, charges in e; arrays are caller-owned.
 *
 * A kernel handle holds a method with its settings and may keep a restart guess between calls on
 * related structures. ate_kernel_compute is collective on the communicator given at creation
 * (the GFN1 kernel runs on one rank and ignores it; ate_kernel_create_serial gives it none).
 */
#ifndef ATESCREEN_KERNEL_H
#define ATESCREEN_KERNEL_H

#include <mpi.h>
#include <stdbool.h>

#include "atescreen/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ate_kernel ate_kernel;

typedef struct ate_kernel_opts {
    double etemp;          /**< electronic temperature, K (default 300) */
    int max_iter;          /**< SCC/SCF iteration limit (default 250) */
    double econv;          /**< energy change for convergence, hartree (default 1e-10) */
    double qconv;          /**< RMS charge change per atom, e (default 1e-8) */
    double mixing;         /**< Broyden damping weight, (0, 1] (default 0.4, as xtb) */
    int guess;             /**< first SCF guess: ATE_GUESS_EEQ (default, as xtb) or _UNIFORM */
    const char *param_dir; /**< parameter directory (default: the build's inputs/params) */
    int pbc_mode;          /**< lattice sums for cells: ATE_PBC_FULL (default) or _XTB651 */
    int kmesh[3];          /**< k-point mesh of a cell (full mode); {0,0,0} or {1,1,1}: Gamma */
    bool kgamma;           /**< Gamma-centred mesh (n/N) instead of Monkhorst-Pack */
    int dipole;            /**< cells: ATE_DIPOLE_NONE (default), _SLAB or _XYZ correction */
    bool spin_polarized;   /**< spGFN1: spin-polarisation energy and alpha/beta Fock matrices */
    bool free_moment;      /**< spGFN1: N_alpha - N_beta free (one Fermi level); the structure's
                                unpaired electrons only seed the starting moment */
    /* plane waves (method "pw"; docs/theory-pw.md) */
    double ecut;    /**< kinetic-energy cutoff of the wavefunctions, hartree (required) */
    int fft[3];     /**< FFT grid; {0,0,0}: the smallest 2,3,5-smooth grid holding the
                         density sphere (|G| <= 2 sqrt(2 ecut)) */
    int kshift2[3]; /**< with kshift_set: k-mesh offset in half steps (0 or 1 per axis;
                         ABINIT shiftk / QE offsets); otherwise Monkhorst-Pack or kgamma */
    bool kshift_set;
    int xc;                  /**< ATE_XC_LDA (Teter-Pade, as GTH-PADE) or ATE_XC_PBE (default) */
    int smearing;            /**< occupations of metals: ATE_SMEAR_FERMI_DIRAC (default), _GAUSSIAN,
                                  _MV (Marzari-Vanderbilt cold), or _NONE (insulator, fixed) */
    int nbands;              /**< bands per k-point (0: occupied + max(4, 20 %) with smearing) */
    double moment0;          /**< pw, free moment: starting N_up - N_down (0: 2 per transition
                                  metal atom, or 1) */
    const char *pseudo_file; /**< GTH pseudopotentials in CP2K's format (default: the build's
                                  inputs/params/gth/GTH_POTENTIALS) */
    const double *atom_moments; /**< pw, spin-polarised: starting N_up - N_down per atom
                                     (natom_moments = natoms values, caller-owned; ABINIT's
                                     spinat), or NULL: the moment spread over the density */
    int natom_moments;
    double sphere_radius; /**< pw: radius of the atomic spheres of the per-atom spins, bohr
                               (0: 2.0; docs/theory-pw.md, "Atomic spheres") */
} ate_kernel_opts;

/** Exchange-correlation functionals of the plane-wave kernel (through libxc). */
enum { ATE_XC_LDA = 1, ATE_XC_PBE = 2 };
/** Occupation smearing of the plane-wave kernel; the width is k_B * etemp. */
enum { ATE_SMEAR_NONE = 0, ATE_SMEAR_FERMI_DIRAC = 1, ATE_SMEAR_GAUSSIAN = 2, ATE_SMEAR_MV = 3 };

enum { ATE_CALC_ENERGY = 1u << 0, ATE_CALC_GRADIENT = 1u << 1, ATE_CALC_STRESS = 1u << 2 };
/** Initial guess without a restart: EEQ charges (kernels/xtb/eeq.c) or q_A = charge/N. */
enum { ATE_GUESS_EEQ = 0, ATE_GUESS_UNIFORM = 1 };
enum { ATE_KERNEL_MAX_TERMS = 8 };
/** Lattice sums of periodic cells (docs/theory-gfn1.md, "Periodic cells"): converged sums with
 *  the atoms' own images, or the rules of xtb 6.5.1 (for regression against xtb). */
enum { ATE_PBC_FULL = 0, ATE_PBC_XTB651 = 1 };
/** Dipole correction of a cell (docs/theory-gfn1.md): none (tin-foil Ewald), along the normal of
 *  the a x b plane (slabs with vacuum along c), or all three directions (a molecule in a box). */
enum { ATE_DIPOLE_NONE = 0, ATE_DIPOLE_SLAB = 1, ATE_DIPOLE_XYZ = 2 };

typedef struct ate_calc_result {
    double energy;        /**< total energy, hartree */
    double *gradient;     /**< [natoms][3] hartree/bohr, caller-owned, filled when requested */
    double *charges;      /**< [natoms] Mulliken charges (plane waves: Hirshfeld, NaN without
                               free-atom tables), caller-owned, may be NULL */
    double *spins;        /**< [natoms] Mulliken spin populations (alpha - beta), e; plane waves:
                               N_up - N_down in a sphere around the atom (sphere_radius); may be
                               NULL */
    double *dband_centre; /**< [natoms] centre of the d-projected DOS - fermi_ev, eV (NaN for
                               atoms without d shell; plane waves: occupied d states in the
                               atom's sphere, transition metals only); may be NULL */
    double fermi_ev;      /**< Fermi level, eV (midpoint of the frontier orbitals) */
    double magnetization; /**< N_alpha - N_beta, e (plane waves; 0 without spin) */
    double stress[9];     /**< cells, with ATE_CALC_STRESS: (1/V) dE/d(strain_ij), hartree/bohr^3,
                               positions scaled with the cell (ASE's sign: positive = the cell wants to
                               shrink) */
    bool has_stress;
    bool converged;
    int iterations;
    double homo_lumo_gap_ev;
    int nterms; /**< energy components (names are static strings) */
    const char *term_name[ATE_KERNEL_MAX_TERMS];
    double term[ATE_KERNEL_MAX_TERMS];
} ate_calc_result;

/** The pseudopotential a method uses for one element (plane waves: the GTH entry, provenance of
 *  calc --json and results.h5 /provenance/pseudopotentials). */
typedef struct ate_pseudo_info {
    char entry[64]; /**< the entry's name as read ("GTH-PBE-q18") */
    double z_ion;   /**< its valence charge, e */
} ate_pseudo_info;

/** Documented defaults. */
void ate_kernel_opts_init(ate_kernel_opts *o);
/** method: "gfn1" or "pw". ATE_ERR_INPUT for an unknown method. */
ate_status ate_kernel_create(const char *method, const ate_kernel_opts *o, MPI_Comm comm,
                             ate_kernel **k, ate_error *err);
/** The same kernel on the calling process alone, without a communicator: not collective, needs
 *  neither MPI_Init nor the MPI library (the atescreen launcher's `calc` links no MPI). Only the
 *  methods whose code uses no MPI ("gfn1"); any other name gives ATE_ERR_UNSUPPORTED. */
ate_status ate_kernel_create_serial(const char *method, const ate_kernel_opts *o, ate_kernel **k,
                                    ate_error *err);
/** Whether ate_kernel_create_serial has method. */
bool ate_kernel_is_serial(const char *method);
/** Energy (and, when requested, gradient) of s. A non-converged SCC fills the result with
 *  converged = false and returns ATE_ERR_NOT_CONVERGED. */
ate_status ate_kernel_compute(ate_kernel *k, const ate_structure *s, unsigned request,
                              ate_calc_result *out, ate_error *err);
/** Change the SCF settings of an existing handle (validated as at creation); the restart guess
 *  is kept. Used by the pipeline's rescue ladder. */
ate_status ate_kernel_update_opts(ate_kernel *k, double etemp, double mixing, int max_iter,
                                  ate_error *err);
/** SCF convergence thresholds of an existing handle: energy change (hartree) and RMS charge
 *  change per atom (e) between iterations, both in (0, 1e-2]. */
ate_status ate_kernel_set_convergence(ate_kernel *k, double econv, double qconv, ate_error *err);
/** The pseudopotential that a kernel of method with options o (NULL: the defaults) uses for the
 *  element of atomic number z: the same choice as ate_kernel_compute makes (kernels/pw/gth.c),
 *  read from the same file, without a handle and without MPI. ATE_ERR_UNSUPPORTED for a method
 *  without pseudopotentials ("gfn1"); the read's error when the file has no entry for z. */
ate_status ate_kernel_pseudopotential(const char *method, const ate_kernel_opts *o, int z,
                                      ate_pseudo_info *out, ate_error *err);
/** The method name of a handle ("gfn1", "pw"). */
const char *ate_kernel_method(const ate_kernel *k);
/** Forget the restart guess: the next computation starts from the default guess. NULL-safe. */
void ate_kernel_reset_guess(ate_kernel *k);
/** NULL-safe; nulls *k. */
void ate_kernel_destroy(ate_kernel **k);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_KERNEL_H */
