/**
 * @file axial.c
 * @brief Axial ligands on the metal, below the plane (-z), so adsorbates bind on the free +z
 *        face: O, OH, Cl, F, S, NH3 and the fifth-N donor "MN5" (an axial pyridine).
 *
 * Starting bond lengths (Å) are typical of DFT-relaxed axially coordinated MN4 sites
 * (e.g. Fe-O 1.65 oxo, 1.85 hydroxo; Fe-Cl 2.25; Fe-F 1.85; Fe-S 2.20; Fe-NH3 2.10;
 * Fe-N(pyridine) 2.05); the relaxation refines them.
 */
#include <math.h>

#include "atescreen/units.h"
#include "sites_internal.h"

static ate_status put(site_model *m, int z, const double base[3], double dx, double dy, double dz,
                      ate_error *err)
{
    double p[3] = {base[0] + dx * ATE_ANGSTROM_BOHR, base[1] + dy * ATE_ANGSTROM_BOHR,
                   base[2] + dz * ATE_ANGSTROM_BOHR};
    return site_model_add(m, z, p, ROLE_LIGAND, err);
}

/* Pyridine bound through N, ring in the xz plane below the metal: a regular hexagon of
 * side 1.39 Å (mean of C-N 1.34 and C-C 1.39) with C-H 1.08 Å. */
static ate_status add_pyridine(site_model *m, const double mp[3], ate_error *err)
{
    const double dmn = 2.05, side = 1.39, ch = 1.08;
    for (int k = 0; k < 6; ++k) {
        double th = ATE_PI / 2.0 + k * ATE_PI / 3.0; /* k = 0 is N, on top of the ring */
        double x = side * cos(th), z = -dmn - side + side * sin(th);
        ATE_TRY(put(m, k == 0 ? 7 : 6, mp, x, 0.0, z, err));
        if (k == 0) continue; /* no H on the donor N */
        ATE_TRY(put(m, 1, mp, x + ch * cos(th), 0.0, z + ch * sin(th), err));
    }
    return ATE_OK;
}

ate_status site_add_axial(site_model *m, int metal_slot, ate_ligand lig, ate_error *err)
{
    const double *mp = m->pos + 3 * m->metal[metal_slot];
    const double tilt = 109.5 * ATE_PI / 180.0; /* M-X-H angle */
    switch (lig) {
    case ATE_LIGAND_O:
        return put(m, 8, mp, 0, 0, -1.65, err);
    case ATE_LIGAND_F:
        return put(m, 9, mp, 0, 0, -1.85, err);
    case ATE_LIGAND_CL:
        return put(m, 17, mp, 0, 0, -2.25, err);
    case ATE_LIGAND_S:
        return put(m, 16, mp, 0, 0, -2.20, err);
    case ATE_LIGAND_OH:
        ATE_TRY(put(m, 8, mp, 0, 0, -1.85, err));
        return put(m, 1, mp, 0.98 * sin(ATE_PI - tilt), 0, -1.85 - 0.98 * cos(ATE_PI - tilt), err);
    case ATE_LIGAND_NH3:
        ATE_TRY(put(m, 7, mp, 0, 0, -2.10, err));
        for (int k = 0; k < 3; ++k) {
            double phi = ATE_PI / 6.0 + k * 2.0 * ATE_PI / 3.0;
            double r = 1.01 * sin(ATE_PI - tilt);
            ATE_TRY(
                put(m, 1, mp, r * cos(phi), r * sin(phi), -2.10 - 1.01 * cos(ATE_PI - tilt), err));
        }
        return ATE_OK;
    case ATE_LIGAND_N5:
        return add_pyridine(m, mp, err);
    case ATE_LIGAND_COUNT:
        break;
    }
    return ATE_ERROR(err, ATE_ERR_VALUE, "unknown axial ligand %d", (int)lig);
}
