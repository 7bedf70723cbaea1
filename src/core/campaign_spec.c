/**
 * @file campaign_spec.c
 * @brief Defaults and names for the campaign description (docs/input-reference.md).
 */
#include <stdlib.h>
#include <string.h>

#include "atescreen/campaign_spec.h"

void ate_family_spec_init(ate_family_spec *f)
{
    memset(f, 0, sizeof(*f));
    f->lateral.min_substitutions = 0;
    f->lateral.max_substitutions = 1;
    f->dual_metal.fused = true;
    f->dual_metal.separated = false;
    f->dual_metal.homonuclear = true;
    f->dual_metal.heteronuclear = true;
}

void ate_campaign_spec_init(ate_campaign_spec *spec)
{
    memset(spec, 0, sizeof(*spec));
    strcpy(spec->name, "campaign");
    spec->support.kind = ATE_SUPPORT_GRAPHENE;
    spec->support.supercell[0] = spec->support.supercell[1] = 5;
    spec->support.vacuum = 15.0;
    spec->support.lattice_constant = 2.46;
    spec->support.flake_radius = 7.0;
    spec->nadsorbates = ATE_ADS_COUNT;
    for (int i = 0; i < ATE_ADS_COUNT; ++i)
        spec->adsorbates[i] = (ate_adsorbate)i;
    strcpy(spec->settings.method, "gfn1");
    spec->settings.electronic_temperature = 300.0;
    for (int k = 0; k < 3; ++k)
        spec->settings.kpoints[k] = 1;
    spec->settings.fmax = 0.05;
    spec->settings.max_steps = 500;
    spec->settings.freeze_radius = 0.0;
    spec->settings.min_unpaired = 0;
    spec->settings.max_unpaired = 4;
    spec->settings.spin_scan = ATE_SPIN_SCAN_SINGLE_POINT;
    spec->settings.scf_max_iter = 250;
    spec->settings.scf_mixing = 0.4;
    /* 10x (econv) and 2x (qconv) tighter than xtb 6.5.1's defaults (1e-6 Eh, 2e-5 e); final
     * single points and vibrations always use the kernel's tight defaults (1e-10 Eh, 1e-8 e) */
    spec->settings.scf_econv = 1e-7;
    spec->settings.scf_qconv = 1e-5;
    spec->settings.nrescue = 3;
    spec->settings.rescue[0] = (ate_scf_step){ATE_RUNG_DAMPED, 0.1, 500, 0.0};
    spec->settings.rescue[1] = (ate_scf_step){ATE_RUNG_FRESH_GUESS, 0.1, 500, 0.0};
    spec->settings.rescue[2] = (ate_scf_step){ATE_RUNG_HOT, 0.1, 500, 1500.0};
    strcpy(spec->thermo.corrections, "S1");
    spec->thermo.temperature = 298.15;
    spec->thermo.ph = 0.0;
    spec->thermo.potential = 0.0;
    spec->thermo.vib_floor = 50.0;
    spec->settings.symprec = 0.01;
    strcpy(spec->settings.pw_xc, "pbe");
    strcpy(spec->settings.pw_smearing, "fermi-dirac");
    spec->settings.pw_vacuum = 6.0;
    spec->settings.pw_sphere_radius = 2.0;
}

void ate_campaign_spec_clear(ate_campaign_spec *spec)
{
    if (!spec) return;
    free(spec->families);
    free(spec->yaml_text);
    ate_campaign_spec_init(spec);
}

const char *ate_family_name(ate_family_flag flag)
{
    switch (flag) {
    case ATE_FAMILY_SYMMETRIC:
        return "symmetric";
    case ATE_FAMILY_LATERAL:
        return "lateral";
    case ATE_FAMILY_LOW_COORDINATION:
        return "low_coordination";
    case ATE_FAMILY_AXIAL:
        return "axial";
    case ATE_FAMILY_DUAL_METAL:
        return "dual_metal";
    case ATE_FAMILY_CLUSTER:
        return "cluster";
    case ATE_FAMILY_VACANCY:
        return "vacancy";
    case ATE_FAMILY_STRAIN:
        return "strain";
    }
    return "?";
}

const char *ate_ligand_name(ate_ligand ligand)
{
    static const char *names[ATE_LIGAND_COUNT] = {"O", "OH", "Cl", "F", "S", "NH3", "N5"};
    return (int)ligand >= 0 && ligand < ATE_LIGAND_COUNT ? names[ligand] : "?";
}

const char *ate_adsorbate_name(ate_adsorbate ads)
{
    static const char *names[ATE_ADS_COUNT] = {"OH", "O", "OOH", "H"};
    return (int)ads >= 0 && ads < ATE_ADS_COUNT ? names[ads] : "?";
}

const char *ate_rescue_rung_name(ate_rescue_rung rung)
{
    static const char *names[ATE_RUNG_COUNT] = {"default", "damped", "fresh_guess", "hot"};
    return (int)rung >= 0 && rung < ATE_RUNG_COUNT ? names[rung] : "?";
}
