/**
 * @file campaign_spec.h
 * @brief The campaign description as plain data: what the YAML reader (io) fills and the site
 *        enumerator (sites) and pipeline consume. Lengths in Å, temperatures in K, energies in eV
 *        here, because these are user-facing settings; builders convert to bohr.
 *
 * Families: each entry of `families` is one family or a combination ("multiple asymmetry"), stored
 * as a bit set of ATE_FAMILY_* with the options of each member. Single-metal entries start from
 * the MN4 site; entries containing ATE_FAMILY_DUAL_METAL start from the dual-metal sites.
 * Ownership: ate_campaign_spec_destroy frees everything (families array, yaml text).
 */
#ifndef ATESCREEN_CAMPAIGN_SPEC_H
#define ATESCREEN_CAMPAIGN_SPEC_H

#include <stdbool.h>

#include "atescreen/export.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { ATE_SPEC_MAX_LIST = 16, ATE_SPEC_NAME_LEN = 128, ATE_SPEC_PATH_LEN = 512 };

typedef enum ate_support_kind {
    ATE_SUPPORT_GRAPHENE = 0, /**< periodic graphene n x m supercell with vacuum */
    ATE_SUPPORT_FLAKE = 1     /**< hydrogen-terminated graphene flake around the site (cluster) */
} ate_support_kind;

typedef struct ate_support_spec {
    ate_support_kind kind;
    int supercell[2];        /**< n x m graphene cells (default 5 x 5) */
    double vacuum;           /**< Å of vacuum along z (default 15) */
    double lattice_constant; /**< graphene a in Å (default 2.46) */
    double flake_radius; /**< Å, carbon atoms kept within this radius of the site (default 7) */
} ate_support_spec;

typedef enum ate_family_flag {
    ATE_FAMILY_SYMMETRIC = 1u << 0,        /**< MN4 in a graphene divacancy */
    ATE_FAMILY_LATERAL = 1u << 1,          /**< first-shell N replaced by dopants (MNxAy) */
    ATE_FAMILY_LOW_COORDINATION = 1u << 2, /**< first-shell atoms removed (MN3, MN2) */
    ATE_FAMILY_AXIAL = 1u << 3,            /**< ligand on the metal, below the plane */
    ATE_FAMILY_DUAL_METAL = 1u << 4,       /**< M1M2-N6 and separated MN4 pairs */
    ATE_FAMILY_CLUSTER = 1u << 5,          /**< single atom next to an n-atom metal cluster */
    ATE_FAMILY_VACANCY = 1u << 6,          /**< carbon vacancy near the MN4 moiety */
    ATE_FAMILY_STRAIN = 1u << 7            /**< biaxially strained support */
} ate_family_flag;

typedef enum ate_ligand {
    ATE_LIGAND_O = 0,
    ATE_LIGAND_OH,
    ATE_LIGAND_CL,
    ATE_LIGAND_F,
    ATE_LIGAND_S,
    ATE_LIGAND_NH3,
    ATE_LIGAND_N5, /**< the fifth-N "MN5": an axial pyridine N donor */
    ATE_LIGAND_COUNT
} ate_ligand;

typedef enum ate_adsorbate {
    ATE_ADS_OH = 0,
    ATE_ADS_O,
    ATE_ADS_OOH,
    ATE_ADS_H,
    ATE_ADS_COUNT
} ate_adsorbate;

typedef struct ate_lateral_spec {
    int ndopants;
    int dopants[ATE_SPEC_MAX_LIST]; /**< Z of the replacing atoms: C, S, P, B, O, Cl */
    int min_substitutions;          /**< default 0 (includes the undoped first shell) */
    int max_substitutions;          /**< default 1 */
} ate_lateral_spec;

typedef struct ate_low_coordination_spec {
    int nremove;
    int remove[ATE_SPEC_MAX_LIST]; /**< numbers of first-shell atoms removed (1 -> MN3, 2 -> MN2) */
} ate_low_coordination_spec;

typedef struct ate_axial_spec {
    int nligands;
    ate_ligand ligands[ATE_SPEC_MAX_LIST];
} ate_axial_spec;

typedef struct ate_dual_metal_spec {
    bool fused;       /**< M1M2-N6 in a four-atom vacancy with two bridging N (default true) */
    bool separated;   /**< two MN4 sites (default false) */
    int nseparations; /**< target metal-metal distances of separated pairs, Å */
    double separations[ATE_SPEC_MAX_LIST];
    bool homonuclear;   /**< include M1 = M2 (default true) */
    bool heteronuclear; /**< include M1 != M2 (default true) */
} ate_dual_metal_spec;

typedef struct ate_cluster_spec {
    int nsizes;
    int sizes[ATE_SPEC_MAX_LIST]; /**< atoms in the cluster, 2..4 */
    int nmetals;
    int metals[ATE_SPEC_MAX_LIST]; /**< Z of the cluster atoms; 0 = same as the site metal */
    int ndistances;
    double distances[ATE_SPEC_MAX_LIST]; /**< in-plane site-to-cluster-centre distance, Å */
} ate_cluster_spec;

typedef struct ate_vacancy_spec {
    int nshells;
    int shells[ATE_SPEC_MAX_LIST]; /**< 1 = C bonded to the first shell, 2 = next shell out */
} ate_vacancy_spec;

typedef struct ate_strain_spec {
    int npercent;
    double percent[ATE_SPEC_MAX_LIST]; /**< biaxial strain, % (positive = tensile) */
} ate_strain_spec;

typedef struct ate_family_spec {
    unsigned flags; /**< ATE_FAMILY_* bits */
    ate_lateral_spec lateral;
    ate_low_coordination_spec low_coordination;
    ate_axial_spec axial;
    ate_dual_metal_spec dual_metal;
    ate_cluster_spec cluster;
    ate_vacancy_spec vacancy;
    ate_strain_spec strain;
    int source_line; /**< line of the entry in the YAML file (for messages) */
} ate_family_spec;

/** How the spin scan explores the numbers of unpaired electrons of a state. */
typedef enum ate_spin_scan {
    ATE_SPIN_SCAN_SINGLE_POINT = 0, /**< relax at the lowest allowed value, single points for the
                                         others, re-relax the lowest if another one wins */
    ATE_SPIN_SCAN_RELAX = 1         /**< relax every allowed value */
} ate_spin_scan;

/** Rungs of the SCF rescue ladder (docs/pipeline.md). */
typedef enum ate_rescue_rung {
    ATE_RUNG_DEFAULT = 0, /**< the settings as given */
    ATE_RUNG_DAMPED,      /**< stronger damping (smaller mixing weight), more iterations */
    ATE_RUNG_FRESH_GUESS, /**< forget the restart guess (start from the neutral-atom guess) */
    ATE_RUNG_HOT,         /**< fresh guess and a higher electronic temperature */
    ATE_RUNG_COUNT
} ate_rescue_rung;

typedef struct ate_scf_step {
    ate_rescue_rung rung;
    double mixing; /**< Broyden damping weight, (0, 1] */
    int max_iter;
    double etemp; /**< K; 0 = settings.electronic_temperature */
} ate_scf_step;

enum { ATE_SPEC_MAX_RESCUE = 8 };

typedef struct ate_settings_spec {
    char method[16];               /**< "gfn1" (default) or "pw" */
    double electronic_temperature; /**< K, default 300 */
    double fmax;                   /**< eV/Å, relaxation threshold, default 0.05 */
    int max_steps;                 /**< relaxation step limit, default 500 */
    double freeze_radius; /**< Å; support atoms farther from the site metal are fixed (0 = none) */
    int min_unpaired;     /**< spin scan lower bound (unpaired electrons), default 0 */
    int max_unpaired;     /**< spin scan upper bound (unpaired electrons), default 4 */
    ate_spin_scan spin_scan; /**< default ATE_SPIN_SCAN_SINGLE_POINT */
    double symprec;          /**< Å, symmetry tolerance for de-duplication, default 0.01 */
    int scf_max_iter;        /**< first attempt, default 250 */
    double scf_mixing;       /**< first attempt, default 0.4 */
    double scf_econv;        /**< hartree, SCF energy change during relaxations, default 1e-7 */
    double scf_qconv;        /**< e, RMS charge change per atom during relaxations, default 1e-5 */
    bool scf_uniform_guess;  /**< settings.scf.guess: uniform (else eeq, the default, as xtb) */
    int kpoints[3];          /**< Monkhorst-Pack mesh of periodic supports, default 1 1 1 */
    int dipole_correction;   /**< periodic supports: 0 none (default), 1 slab (along c) */
    bool spin_polarized;     /**< spGFN1 energies for the spin scan (default false) */
    int nrescue;             /**< rescue rungs after the first attempt (default 3) */
    ate_scf_step rescue[ATE_SPEC_MAX_RESCUE];
    /* plane waves (settings.pw, method pw; docs/input-reference.md) */
    double pw_ecut;          /**< wavefunction cutoff, hartree; required for method pw */
    char pw_xc[8];           /**< "pbe" (default) or "lda" */
    char pw_smearing[16];    /**< "fermi-dirac" (default), "gaussian", "mv" or "none"; width
                                  k_B electronic_temperature */
    int pw_nbands;           /**< bands per k-point, 0: the kernel's rule (default) */
    double pw_vacuum;        /**< Å: flakes and gas molecules go in a box this much larger than
                                  their extent along x, y, z (default 6) */
    double pw_sphere_radius; /**< bohr: atomic spheres of the per-atom spins (default 2.0) */
    double pw_metal_moment;  /**< starting N_up - N_down on each site metal of spin-polarised
                                  states (uhf > 0); 0: the kernel's start (default) */
    char pw_pseudo_file[ATE_SPEC_PATH_LEN]; /**< GTH file (CP2K format), resolved against the
                                                 campaign file's directory; "" = the build's */
} ate_settings_spec;

/** Thermochemistry settings (`thermo:`): CHE correction set and conditions. */
typedef struct ate_thermo_spec {
    char corrections[16]; /**< "S1" (default), "S2", "cathub", "none", "harmonic" (the
                               kernel's own finite-difference vibrations, docs/theory-che.md) */
    double vib_floor;     /**< cm^-1: softer real modes are raised to it (harmonic), default 50 */
    double temperature;   /**< K, default 298.15 */
    double ph;            /**< default 0 (RHE potentials do not depend on it) */
    double potential;     /**< V vs RHE, for the free-energy diagrams, default 0 */
} ate_thermo_spec;

typedef struct ate_campaign_spec {
    char name[ATE_SPEC_NAME_LEN];
    char source_file[ATE_SPEC_PATH_LEN]; /**< file (or the name given to ate_campaign_parse) */
    ate_support_spec support;
    int nmetals;
    int metals[ATE_SPEC_MAX_LIST]; /**< Z of the site metals */
    int nfamilies;
    ate_family_spec *families; /**< [nfamilies], owned */
    int nadsorbates;
    ate_adsorbate adsorbates[ATE_ADS_COUNT]; /**< default OH, O, OOH, H */
    ate_settings_spec settings;
    ate_thermo_spec thermo;
    char *yaml_text; /**< the input verbatim (owned; NULL when built in code) */
} ate_campaign_spec;

/** Fill *spec with the documented defaults (no families, no metals). */
ATE_API void ate_campaign_spec_init(ate_campaign_spec *spec);
/** Defaults of one family entry's options. */
ATE_API void ate_family_spec_init(ate_family_spec *fam);
/** Free what the spec owns and reset it. NULL-safe. */
ATE_API void ate_campaign_spec_clear(ate_campaign_spec *spec);

/** Names used in YAML, file names and HDF5 ("symmetric", "lateral", ...; "OH", "O", ...). */
ATE_API const char *ate_family_name(ate_family_flag flag);
ATE_API const char *ate_ligand_name(ate_ligand ligand);
ATE_API const char *ate_adsorbate_name(ate_adsorbate ads);
ATE_API const char *ate_rescue_rung_name(ate_rescue_rung rung);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_CAMPAIGN_SPEC_H */
