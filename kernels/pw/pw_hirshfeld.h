/**
 * @file pw_hirshfeld.h
 * @brief Hirshfeld atomic charges of the plane-wave valence density with free-atom all-electron
 *        densities (hirshfeld.c; docs/theory-pw.md, "Atomic charges"). Not collective.
 */
#ifndef ATESCREEN_PW_HIRSHFELD_H
#define ATESCREEN_PW_HIRSHFELD_H

#include "pw.h"

/** q[a] = Z_ion - the valence electrons of atom a by Hirshfeld's weights (ABINIT cut3d's
 *  discretisation), z: atomic numbers, rho: [ntot] total valence density on g's real-space grid,
 *  dir: the directory of the free-atom tables SYMBOL.dat, sum: [ntot] scratch. *have false (and q
 *  NaN) when some element has no table. */
ate_status pw_hirshfeld_charges(const pw_cell *c, const pw_grid *g, const pw_atoms *at,
                                const int *z, const double *rho, const char *dir, double *sum,
                                double *q, bool *have, ate_error *err);

#endif /* ATESCREEN_PW_HIRSHFELD_H */
