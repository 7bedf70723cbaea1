/**
 * @file neighbors.h
 * @brief Neighbour lists with periodic images. Not collective.
 */
#ifndef ATESCREEN_NEIGHBORS_H
#define ATESCREEN_NEIGHBORS_H

#include "atescreen/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ate_neighbor {
    int j;           /**< neighbour atom index (0-based) */
    int image[3];    /**< lattice translation (integers along a, b, c) applied to atom j */
    double vec[3];   /**< r_j + T - r_i, bohr */
    double distance; /**< |vec|, bohr */
} ate_neighbor;

typedef struct ate_neighbor_list ate_neighbor_list;

/** All pairs (i, j, T) with 0 < |r_j + T - r_i| <= cutoff (bohr), over every periodic image within
 *  the cutoff (an atom may be its own neighbour through a translation). Each pair appears in both
 *  atoms' lists. Neighbours of each atom are sorted by distance. */
ATE_API ate_status ate_neighbor_list_create(const ate_structure *s, double cutoff,
                                            ate_neighbor_list **out, ate_error *err);
/** Covalent-bond neighbours: pairs closer than scale * (r_cov(i) + r_cov(j)). */
ATE_API ate_status ate_neighbor_list_create_bonded(const ate_structure *s, double scale,
                                                   ate_neighbor_list **out, ate_error *err);
ATE_API void ate_neighbor_list_destroy(ate_neighbor_list **nl);
ATE_API int ate_neighbor_list_count(const ate_neighbor_list *nl, int i);
/** Neighbours of atom i, [count]; owned by the list. */
ATE_API const ate_neighbor *ate_neighbor_list_get(const ate_neighbor_list *nl, int i);

#ifdef __cplusplus
}
#endif
#endif /* ATESCREEN_NEIGHBORS_H */
