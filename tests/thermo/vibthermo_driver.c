/* Command-line driver for tests/thermo/check_vibthermo.py (which compares with ASE's
 * HarmonicThermo and IdealGasThermo):
 *   vibthermo_driver harmonic T FLOOR_CM F1 F2 ...
 *   vibthermo_driver gas T P_PA SIGMA NATOMS  M1 X1 Y1 Z1 ...  F1 ... F(3N)
 * prints "zpe cp ts nimag nraised" (eV). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/vibthermo.h"

int main(int argc, char **argv)
{
    ate_vib_terms t;
    if (argc > 3 && !strcmp(argv[1], "harmonic")) {
        int n = argc - 4;
        double *f = calloc((size_t)n + 1, sizeof(double));
        for (int i = 0; i < n; ++i)
            f[i] = atof(argv[4 + i]);
        ate_vib_harmonic(f, n, atof(argv[2]), atof(argv[3]), &t);
        free(f);
    } else if (argc > 6 && !strcmp(argv[1], "gas")) {
        int na = atoi(argv[5]);
        if (argc != 6 + 4 * na + 3 * na) return 2;
        double *m = calloc((size_t)na, sizeof(double)), *x = calloc(3 * (size_t)na, sizeof(double));
        double *f = calloc(3 * (size_t)na, sizeof(double));
        for (int i = 0; i < na; ++i) {
            m[i] = atof(argv[6 + 4 * i]);
            for (int k = 0; k < 3; ++k)
                x[3 * i + k] = atof(argv[7 + 4 * i + k]);
        }
        for (int i = 0; i < 3 * na; ++i)
            f[i] = atof(argv[6 + 4 * na + i]);
        ate_vib_ideal_gas(na, m, x, f, atoi(argv[4]), atof(argv[2]), atof(argv[3]), &t);
        free(m), free(x), free(f);
    } else {
        fprintf(stderr, "usage: see the comment in vibthermo_driver.c\n");
        return 2;
    }
    printf("%.12f %.12f %.12f %d %d\n", t.zpe, t.cp, t.ts, t.nimag, t.nraised);
    return 0;
}
