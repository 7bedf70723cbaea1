/**
 * @file che.c
 * @brief Computational hydrogen electrode: Nørskov et al., J. Phys. Chem. B 108, 17886 (2004),
 *        eqs. for dG of the 4-electron OER/ORR steps at U vs RHE; correction sets of
 *        ../shared/reference/che-constants.md (docs/theory-che.md).
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "atescreen/che.h"
#include "atescreen/units.h"

/* Species corrections (ZPE, int Cp dT, T S), eV, T = 298.15 K. Order: H2O, H2, *OH, *O, *OOH. */
static const ate_che_species_corr set_s1[5] = {{0.558, 0.103, 0.675},
                                               {0.268, 0.0905, 0.408},
                                               {0.376, 0.042, 0.066},
                                               {0.064, 0.034, 0.060},
                                               {0.471, 0.077, 0.134}};
static const ate_che_species_corr set_s2[5] = {{0.56, 0.103, 0.675},
                                               {0.268, 0.091, 0.408},
                                               {0.354, 0.053, 0.100},
                                               {0.093, 0.023, 0.035},
                                               {0.464, 0.058, 0.096}};

static double g(const ate_che_species_corr *c) { return c->zpe + c->cp - c->ts; }

static void from_species(const ate_che_species_corr t[5], ate_che_constants *out)
{
    double h2o = g(&t[0]), h2 = g(&t[1]);
    out->c_oh = g(&t[2]) - (h2o - 0.5 * h2);
    out->c_o = g(&t[3]) - (h2o - h2);
    out->c_ooh = g(&t[4]) - (2.0 * h2o - 1.5 * h2);
}

ate_status ate_che_constants_get(ate_che_set set, ate_che_constants *out, ate_error *err)
{
    memset(out, 0, sizeof(*out));
    out->c_h = 0.24;
    switch (set) {
    case ATE_CHE_SET_S1:
        from_species(set_s1, out);
        out->name = "S1";
        out->citation =
            "SUNCAT-style ZPE/Cp/TS constants (../shared/reference/che-constants.md, set S1)";
        return ATE_OK;
    case ATE_CHE_SET_S2:
        from_species(set_s2, out);
        out->name = "S2";
        out->citation =
            "Flores et al., IrOx OER constants (../shared/reference/che-constants.md, set S2)";
        return ATE_OK;
    case ATE_CHE_SET_CATHUB:
        out->c_oh = 0.30225, out->c_o = -0.0145, out->c_ooh = 0.34475;
        out->name = "CatHub";
        out->citation =
            "Catalysis-Hub activity maps, J. Am. Chem. Soc. 2017, doi 10.1021/jacs.7b02622";
        return ATE_OK;
    case ATE_CHE_SET_NONE:
        out->c_h = 0.0;
        out->name = "none";
        out->citation = "electronic energies only";
        return ATE_OK;
    case ATE_CHE_SET_HARMONIC:
        out->c_oh = out->c_o = out->c_ooh = out->c_h = NAN;
        out->name = "harmonic";
        out->citation = "finite-difference harmonic vibrations of adsorbate and site metal(s); "
                        "ideal-gas H2O (0.035 bar) and H2 (1 bar) (docs/theory-che.md)";
        return ATE_OK;
    case ATE_CHE_SET_COUNT:
        break;
    }
    return ATE_ERROR(err, ATE_ERR_VALUE, "unknown CHE correction set %d", (int)set);
}

ate_status ate_che_set_from_name(const char *name, ate_che_set *set, ate_error *err)
{
    static const char *names[ATE_CHE_SET_COUNT] = {"S1", "S2", "cathub", "none", "harmonic"};
    for (int k = 0; k < ATE_CHE_SET_COUNT; ++k)
        if (name && strcasecmp(name, names[k]) == 0) {
            *set = (ate_che_set)k;
            return ATE_OK;
        }
    return ate_error_set_input(
        err, ATE_ERR_INPUT, __FILE__, __LINE__, NULL, 0, 0, "corrections",
        "unknown correction set '%s' (allowed: S1, S2, cathub, none, harmonic)",
        name ? name : "(null)");
}

void ate_che_delta_e(const ate_che_energies *e, ate_che_dg *de)
{
    de->oh = e->oh - e->clean - (e->h2o - 0.5 * e->h2);
    de->o = e->o - e->clean - (e->h2o - e->h2);
    de->ooh = e->ooh - e->clean - (2.0 * e->h2o - 1.5 * e->h2);
    de->h = e->h - e->clean - 0.5 * e->h2;
}

void ate_che_delta_g(const ate_che_dg *de, const ate_che_constants *c, ate_che_dg *dg)
{
    dg->oh = de->oh + c->c_oh;
    dg->o = de->o + c->c_o;
    dg->ooh = de->ooh + c->c_ooh;
    dg->h = de->h + c->c_h;
}

void ate_che_activity_compute(const ate_che_dg *dg, ate_che_activity *out)
{
    double *s = out->oer_steps;
    s[0] = dg->oh;
    s[1] = dg->o - dg->oh;
    s[2] = dg->ooh - dg->o;
    s[3] = ATE_CHE_G_O2 - dg->ooh;
    int imax = 0, imin = 0;
    for (int k = 1; k < 4; ++k) {
        if (s[k] > s[imax]) imax = k;
        if (s[k] < s[imin]) imin = k;
    }
    out->ul_oer = s[imax];
    out->eta_oer = s[imax] - ATE_CHE_U_EQ;
    out->pds_oer = imax + 1;
    /* ORR runs the OER steps backwards: O2 -> *OOH is the reverse of OER step 4, etc. */
    out->ul_orr = s[imin];
    out->eta_orr = ATE_CHE_U_EQ - s[imin];
    out->pds_orr = 4 - imin;
    out->eta_her = fabs(dg->h);
    /* a missing intermediate (a campaign without *O, say) leaves the 4e- pathway undefined: NaN,
     * not the extremum of the steps that happen to be known */
    if (isnan(s[0]) || isnan(s[1]) || isnan(s[2]) || isnan(s[3])) {
        out->ul_oer = out->eta_oer = out->ul_orr = out->eta_orr = NAN;
        out->pds_oer = out->pds_orr = -1;
    }
}

void ate_che_diagram(const ate_che_dg *dg, double u, double levels[5])
{
    const double g0[5] = {0.0, dg->oh, dg->o, dg->ooh, ATE_CHE_G_O2};
    for (int k = 0; k < 5; ++k)
        levels[k] = g0[k] - k * u;
}

double ate_che_rhe_from_she(double u_she, double ph, double temperature)
{
    return u_she + ATE_KB_EV * temperature * log(10.0) * ph;
}

double ate_che_scaling_ooh(double dg_oh) { return dg_oh + 3.2; }
