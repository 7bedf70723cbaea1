/**
 * @file structure.h
 * @brief ate_structure: atoms, cell, periodicity, constraints, tags, charge, unpaired electrons.
 *
 * Conventions (atomic units inside):
 *  - positions[natoms][3]: Cartesian, bohr;
 *  - cell[3][3]: lattice vectors as ROWS (cell[0] = a), bohr, as in ASE; zero rows allowed only
 *    along non-periodic axes;
 *  - fixed[natoms][3]: true = that Cartesian component is frozen (ASE FixAtoms = all three,
 *    VASP selective dynamics "F" = fixed component);
 *  - tags[natoms]: ATE_TAG_SUPPORT (0), ATE_TAG_SITE (1), ATE_TAG_ADSORBATE (2); other values are
 *    kept as given (ASE files may carry any integer tag);
 *  - charge: total charge in e; uhf: number of unpaired electrons (N_alpha - N_beta), or
 *    ATE_UHF_AUTO for "lowest allowed by parity".
 *
 * A structure is validated once, in ate_structure_create (elements, distances, electron count and
 * parity, cell), and is immutable afterwards except for its positions (revalidated) and its info
 * dictionary. Kernels and builders trust a created structure. Not collective; not thread-shared.
 */
#ifndef ATESCREEN_STRUCTURE_H
#define ATESCREEN_STRUCTURE_H

#include <stdbool.h>

#include "atescreen/status.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { ATE_TAG_SUPPORT = 0, ATE_TAG_SITE = 1, ATE_TAG_ADSORBATE = 2 };
enum { ATE_UHF_AUTO = -1 };

/** Minimum allowed interatomic distance, Å (closer pairs are rejected at creation). */
#define ATE_MIN_DISTANCE_ANGSTROM 0.5

typedef struct ate_structure ate_structure;

/** Plain description used to create a structure. All arrays are caller-owned and copied. */
typedef struct ate_structure_desc {
    int natoms;
    const int *numbers;      /**< [natoms] atomic numbers */
    const double *positions; /**< [natoms][3] Cartesian, bohr */
    const double *cell;      /**< [3][3] rows = lattice vectors, bohr; NULL = no cell */
    bool pbc[3];             /**< periodic along a, b, c (requires the cell) */
    const bool *fixed;       /**< [natoms][3] or NULL (nothing fixed) */
    const int *tags;         /**< [natoms] or NULL (all ATE_TAG_SUPPORT) */
    int charge;              /**< total charge, e */
    int uhf;                 /**< unpaired electrons or ATE_UHF_AUTO */
    const double *magmoms;   /**< [natoms] starting N_up - N_down per atom (ASE's initial_magmoms;
                                  the pw kernel's spinat) or NULL (none) */
} ate_structure_desc;

/** Validate d and create a structure. Errors (ATE_ERR_INPUT, field set) name what is wrong:
 *  "atoms 3 (C) and 7 (N) are 0.312 Å apart (minimum 0.5 Å)", "unknown element Z = 0 at atom 4",
 *  "charge +1 with 2 unpaired electrons is impossible: 25 electrons cannot have 2 unpaired",
 *  "cell is singular (volume 0.000 Å^3)". Atom numbers in messages are 1-based. */
ATE_API ate_status ate_structure_create(const ate_structure_desc *d, ate_structure **out,
                                        ate_error *err);
/** Deep copy (including info). */
ATE_API ate_status ate_structure_copy(const ate_structure *s, ate_structure **out, ate_error *err);
/** NULL-safe; nulls *s. */
ATE_API void ate_structure_destroy(ate_structure **s);

/** A description viewing s's own arrays (valid while s lives and is unchanged). */
ATE_API ate_structure_desc ate_structure_get_desc(const ate_structure *s);

ATE_API int ate_structure_natoms(const ate_structure *s);
ATE_API const int *ate_structure_numbers(const ate_structure *s);
ATE_API const double *ate_structure_positions(const ate_structure *s); /**< [natoms][3] bohr */
ATE_API bool ate_structure_has_cell(const ate_structure *s);
ATE_API const double *ate_structure_cell(const ate_structure *s); /**< [3][3] bohr, zeros if none */
ATE_API void ate_structure_pbc(const ate_structure *s, bool pbc[3]);
ATE_API bool ate_structure_is_periodic(const ate_structure *s);  /**< any pbc axis */
ATE_API const bool *ate_structure_fixed(const ate_structure *s); /**< [natoms][3] */
ATE_API const int *ate_structure_tags(const ate_structure *s);
ATE_API int ate_structure_charge(const ate_structure *s);
ATE_API int ate_structure_uhf(const ate_structure *s);
/** Starting moments per atom ([natoms], N_up - N_down) or NULL when the structure has none or all
 *  are zero (a structure created with all-zero magmoms has none). */
ATE_API const double *ate_structure_magmoms(const ate_structure *s);
/** Total number of electrons, sum(Z) - charge. */
ATE_API int ate_structure_nelectrons(const ate_structure *s);

/** Replace positions ([natoms][3], bohr) and revalidate distances. On error s is unchanged. */
ATE_API ate_status ate_structure_set_positions(ate_structure *s, const double *positions,
                                               ate_error *err);

/** Minimum-image style distance helpers -------------------------------------------------------*/

/** Shortest distance (bohr) between atoms i and j over periodic images. */
ATE_API double ate_structure_distance(const ate_structure *s, int i, int j);

/** Shortest distance (bohr) between a Cartesian point p[3] (bohr) and atom j over periodic images.
 */
ATE_API double ate_structure_point_distance(const ate_structure *s, const double p[3], int j);

/** Fractional coordinates of a Cartesian point (requires a non-singular cell). frac[3]. */
ATE_API ate_status ate_structure_to_fractional(const ate_structure *s, const double cart[3],
                                               double frac[3], ate_error *err);

/** Info dictionary: ordered key -> text value (extxyz comment keys such as energy=-1.0).
 *  Values are stored as text, unquoted; keys are unique (set replaces). ------------------------*/
ATE_API ate_status ate_structure_info_set(ate_structure *s, const char *key, const char *value,
                                          ate_error *err);
ATE_API int ate_structure_info_count(const ate_structure *s);
ATE_API const char *ate_structure_info_key(const ate_structure *s, int i);
ATE_API const char *ate_structure_info_value(const ate_structure *s, int i);
/** Value for key or NULL. */
ATE_API const char *ate_structure_info_get(const ate_structure *s, const char *key);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_STRUCTURE_H */
