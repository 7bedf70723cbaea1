/* CHE: the exact test vector of ../shared/reference/che-constants.md (Catalysis-Hub constants),
 * the S1/S2 net constants recomputed from their species corrections (S2 exact; S1 tabulated to
 * 3 decimals), a unit test per formula, and a wrong reference that must fail. */
#include "ate_test.h"
#include "atescreen/che.h"

int main(void)
{
    ate_error err;
    ate_che_constants c;
    CHECK(ate_che_constants_get(ATE_CHE_SET_CATHUB, &c, &err) == ATE_OK, "cathub");
    ate_che_dg de = {.oh = 0.50, .o = 1.80, .ooh = 3.70, .h = 0.0}, dg;
    ate_che_delta_g(&de, &c, &dg);
    CHECK_CLOSE(dg.oh, 0.80225, 1e-12, "dG*OH");
    CHECK_CLOSE(dg.o, 1.7855, 1e-12, "dG*O");
    CHECK_CLOSE(dg.ooh, 4.04475, 1e-12, "dG*OOH");
    ate_che_activity a;
    ate_che_activity_compute(&dg, &a);
    const double steps[4] = {0.80225, 0.98325, 2.25925, 0.87525};
    for (int k = 0; k < 4; ++k)
        CHECK_CLOSE(a.oer_steps[k], steps[k], 1e-12, "OER step");
    CHECK_CLOSE(a.ul_oer, 2.25925, 1e-12, "U_L OER");
    CHECK_CLOSE(a.eta_oer, 1.02925, 1e-12, "eta OER");
    CHECK(a.pds_oer == 3, "OER PDS %d", a.pds_oer);
    CHECK_CLOSE(a.ul_orr, 0.80225, 1e-12, "U_L ORR");
    CHECK_CLOSE(a.eta_orr, 0.42775, 1e-12, "eta ORR");
    CHECK(a.pds_orr == 4, "ORR PDS (*OH -> H2O) %d", a.pds_orr);
    /* the comparator must be able to fail: a wrong reference is detected */
    CHECK(fabs(a.eta_oer - 1.03) > 1e-12, "wrong reference accepted");

    CHECK(ate_che_constants_get(ATE_CHE_SET_S2, &c, &err) == ATE_OK, "S2");
    CHECK_CLOSE(c.c_oh, 0.2945, 1e-12, "S2 c_OH");
    CHECK_CLOSE(c.c_o, 0.044, 1e-12, "S2 c_O");
    CHECK_CLOSE(c.c_ooh, 0.3765, 1e-12, "S2 c_OOH");
    CHECK(ate_che_constants_get(ATE_CHE_SET_S1, &c, &err) == ATE_OK, "S1");
    CHECK_CLOSE(c.c_oh, 0.341, 5e-4, "S1 c_OH (tabulated to 3 decimals)");
    CHECK_CLOSE(c.c_o, 0.003, 5e-4, "S1 c_O");
    CHECK_CLOSE(c.c_ooh, 0.368, 5e-4, "S1 c_OOH");
    CHECK_CLOSE(c.c_h, 0.24, 0, "HER shortcut");

    /* dE from total energies */
    ate_che_energies e = {.clean = -100.0,
                          .oh = -110.0,
                          .o = -105.0,
                          .ooh = -114.0,
                          .h = -103.0,
                          .h2o = -14.0,
                          .h2 = -6.8};
    ate_che_delta_e(&e, &de);
    CHECK_CLOSE(de.oh, -110.0 + 100.0 - (-14.0 + 3.4), 1e-12, "dE OH");
    CHECK_CLOSE(de.o, -105.0 + 100.0 - (-14.0 + 6.8), 1e-12, "dE O");
    CHECK_CLOSE(de.ooh, -114.0 + 100.0 - (-28.0 + 10.2), 1e-12, "dE OOH");
    CHECK_CLOSE(de.h, -103.0 + 100.0 + 3.4, 1e-12, "dE H");

    /* HER, diagram at 1.23 V, RHE conversion (0.0592 V per pH unit at 298.15 K), scaling */
    dg.h = -0.15;
    ate_che_activity_compute(&dg, &a);
    CHECK_CLOSE(a.eta_her, 0.15, 1e-12, "eta HER");
    /* a campaign without *O: the 4e- pathway is undefined, HER is not */
    ate_che_dg part = dg;
    part.o = NAN;
    ate_che_activity act;
    ate_che_activity_compute(&part, &act);
    CHECK(isnan(act.ul_oer) && isnan(act.eta_oer) && isnan(act.ul_orr) && isnan(act.eta_orr) &&
              act.pds_oer == -1 && act.pds_orr == -1,
          "missing *O: U_L and eta NaN, no potential-determining step");
    CHECK_CLOSE(act.eta_her, 0.15, 1e-12, "eta HER without *O");
    double lv[5];
    ate_che_diagram(&dg, 1.23, lv);
    CHECK_CLOSE(lv[0], 0.0, 0, "* level");
    CHECK_CLOSE(lv[4], 0.0, 1e-12, "O2 level at 1.23 V is 4.92 - 4 x 1.23 = 0");
    CHECK_CLOSE(lv[3], 4.04475 - 3 * 1.23, 1e-12, "*OOH level");
    CHECK_CLOSE(ate_che_rhe_from_she(0.0, 1.0, 298.15), 0.05916, 1e-5, "RHE per pH");
    CHECK_CLOSE(ate_che_scaling_ooh(0.8), 4.0, 1e-12, "scaling");

    ate_che_set s;
    CHECK(ate_che_set_from_name("CatHub", &s, &err) == ATE_OK && s == ATE_CHE_SET_CATHUB, "name");
    CHECK(ate_che_set_from_name("S3", &s, &err) == ATE_ERR_INPUT, "unknown set");
    /* harmonic: constants per site, none here */
    CHECK(ate_che_set_from_name("harmonic", &s, &err) == ATE_OK && s == ATE_CHE_SET_HARMONIC &&
              ate_che_constants_get(s, &c, &err) == ATE_OK && isnan(c.c_oh) && isnan(c.c_h) &&
              !strcmp(c.name, "harmonic"),
          "harmonic set");
    char buf[1024];
    ate_error_format(&err, buf, sizeof(buf));
    CHECK_STR(buf,
              "corrections: unknown correction set 'S3' (allowed: S1, S2, cathub, none, harmonic)");
    return ate_test_finish("test_che");
}
