#ifndef ATE_ELEMENTS_INTERNAL_H
#define ATE_ELEMENTS_INTERNAL_H
#include "atescreen/elements.h"

typedef struct ate_element_record {
    const char *symbol;
    double mass;            /* amu */
    double covalent_radius; /* Å */
} ate_element_record;

extern const ate_element_record ate_element_table[ATE_MAX_Z + 1];
#endif
