/**
 * @file elements.c
 * @brief Element lookups over the generated table (elements_table.c).
 */
#include <string.h>

#include "elements_internal.h"

bool ate_element_valid(int z) { return z >= 1 && z <= ATE_MAX_Z; }

const char *ate_element_symbol(int z)
{
    return ate_element_valid(z) ? ate_element_table[z].symbol : "?";
}

int ate_element_from_symbol(const char *symbol)
{
    if (!symbol) return 0;
    for (int z = 1; z <= ATE_MAX_Z; ++z)
        if (strcmp(symbol, ate_element_table[z].symbol) == 0) return z;
    return 0;
}

double ate_element_mass(int z) { return ate_element_valid(z) ? ate_element_table[z].mass : 0.0; }

double ate_element_covalent_radius(int z)
{
    return ate_element_valid(z) ? ate_element_table[z].covalent_radius : 0.0;
}

bool ate_element_is_transition_metal(int z)
{
    return (z >= 21 && z <= 30) || (z >= 39 && z <= 48) ||
           (z >= 57 && z <= 80 && (z == 57 || z >= 71));
}
