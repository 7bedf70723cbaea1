/* Campaign YAML: every bad-input class with its exact message (file:line:col: key path: text),
 * the documented defaults, and a full campaign parsed into the expected values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ate_test.h"
#include "atescreen/campaign_io.h"
#include "atescreen/units.h"

static void bad(const char *yaml, const char *want)
{
    ate_campaign_spec spec;
    ate_error err;
    ate_status st = ate_campaign_parse(yaml, "c.yaml", &spec, &err);
    char buf[2048];
    ate_error_format(&err, buf, sizeof(buf));
    CHECK(st == ATE_ERR_INPUT, "expected an input error for:\n%s", yaml);
    CHECK_STR(buf, want);
    CHECK(spec.families == NULL && spec.yaml_text == NULL, "spec cleared after an error");
}

/* The same through ate_campaign_read: a file with these bytes in the test's working directory. */
static void bad_file(const char *name, const char *bytes, size_t n, const char *want)
{
    FILE *f = fopen(name, "wb");
    CHECK(f && fwrite(bytes, 1, n, f) == n && fclose(f) == 0, "writing %s", name);
    ate_campaign_spec spec;
    ate_error err;
    ate_status st = ate_campaign_read(name, &spec, &err);
    char buf[2048];
    ate_error_format(&err, buf, sizeof(buf));
    CHECK(st == ATE_ERR_INPUT, "expected an input error for %s", name);
    CHECK_STR(buf, want);
    CHECK(spec.families == NULL && spec.yaml_text == NULL, "spec cleared after an error");
    remove(name);
}

#define M "metals: [Fe]\n"
#define F "families:\n  - symmetric: {}\n"

int main(void)
{
    /* syntax, structure */
    bad("metals: [Fe\n", "c.yaml:2:1: YAML syntax error: did not find expected ',' or ']' while "
                         "parsing a flow sequence");
    bad("", "c.yaml: the file is empty");
    bad("- a\n- b\n", "c.yaml:1:1: expected a mapping of keys, got a list");
    bad(M F "colour: red\n", "c.yaml:4:1: unknown key 'colour' (allowed: name, support, metals, "
                             "families, adsorbates, settings, thermo)");
    bad(M M F, "c.yaml:2:1: duplicated key 'metals'");
    bad(F, "c.yaml:1:1: missing key 'metals'");
    bad(M, "c.yaml:1:1: missing key 'families'");
    bad(M F "---\n" M F, "c.yaml:4:1: a second YAML document starts here (one campaign per file)");
    bad("~\n", "c.yaml:1:1: expected a mapping of keys, got nothing");
    bad("# only a comment\n", "c.yaml: the file is empty");
    bad(M F "support:\n  vacuum: 15\n\tfoo: 1\n",
        "c.yaml:6:1: YAML syntax error: found a tab character that violates indentation while "
        "scanning a plain scalar");
    bad(M F "? [a]\n: 1\n", "c.yaml:4:3: keys must be plain names");
    bad("metals: [Fe, \xff]\n" F, "c.yaml:1:14: not valid UTF-8: invalid leading UTF-8 octet "
                                  "(byte 0xff)");
    /* metals */
    bad("metals: [Fe, Xx]\n" F, "c.yaml:1:14: metals[1]: unknown element 'Xx'");
    bad("metals: [Fe, O]\n" F, "c.yaml:1:14: metals[1]: 'O' is not a metal");
    bad("metals: [Fe, Fe]\n" F, "c.yaml:1:14: metals[1]: 'Fe' is listed twice");
    bad("metals: []\n" F, "c.yaml:1:9: metals: the list must not be empty");
    bad("metals: Fe\n" F, "c.yaml:1:9: metals: expected a list, got a scalar");
    bad("metals: [Sc, Ti, V, Cr, Mn, Fe, Co, Ni, Cu, Zn, Y, Zr, Nb, Mo, Ru, Rh, Pd]\n" F,
        "c.yaml:1:9: metals: at most 16 entries allowed, got 17");
    bad("metals: [{a: 1}]\n" F,
        "c.yaml:1:10: metals[0]: expected an element symbol, got a mapping");
    /* support */
    bad(M F "support: {type: nanotube}\n",
        "c.yaml:4:17: support.type: unknown support type 'nanotube' (allowed: graphene, flake)");
    bad(M F "support: {supercell: [5, 5.5]}\n",
        "c.yaml:4:26: support.supercell[1]: expected an integer, got '5.5'");
    bad(M F "support: {supercell: [2, 5]}\n",
        "c.yaml:4:23: support.supercell[0]: 2 is out of range [3, 30]");
    bad(M F "support: {supercell: [5]}\n",
        "c.yaml:4:22: support.supercell: expected two integers [n, m], got 1");
    bad(M F "support: {supercell: [5, 5, 5]}\n",
        "c.yaml:4:22: support.supercell: expected two integers [n, m], got 3");
    bad(M F "support: {vacuum: lots}\n",
        "c.yaml:4:19: support.vacuum: expected a number, got 'lots'");
    bad(M F "support: {vacuum: '15'}\n",
        "c.yaml:4:19: support.vacuum: expected a number, got the quoted string '15'");
    bad(M F "support: {vacuum: 1e400}\n",
        "c.yaml:4:19: support.vacuum: expected a number, got '1e400'");
    bad(M F "support: {supercell: [5, '5']}\n",
        "c.yaml:4:26: support.supercell[1]: expected an integer, got the quoted string '5'");
    bad(M F "support: {supercell: [5, 2.0]}\n",
        "c.yaml:4:26: support.supercell[1]: expected an integer, got '2.0'");
    bad(M F "name: [a]\n", "c.yaml:4:7: name: expected a string, got a list");
    bad(M F "support: {vacuum: 5}\n", "c.yaml:4:19: support.vacuum: 5 is out of range [8, 100]");
    bad(M F "support: {supercel: [5, 5]}\n",
        "c.yaml:4:11: support: unknown key 'supercel' (allowed: type, supercell, vacuum, "
        "lattice_constant, flake_radius)");
    /* families */
    bad(M "families: []\n", "c.yaml:2:11: families: the list must not be empty");
    bad(M "families:\n  - symmetric\n",
        "c.yaml:3:5: families[0]: write '- symmetric: {}' (a family name followed by its options)");
    bad(M "families:\n  - {}\n", "c.yaml:3:5: families[0]: empty family entry");
    bad(M "families:\n  - [lateral]\n",
        "c.yaml:3:5: families[0]: expected a mapping of keys, got a list");
    bad(M "families:\n  - ~\n", "c.yaml:3:5: families[0]: expected a mapping of keys, got nothing");
    bad(M "families:\n  - symmetric: {a: 1}\n",
        "c.yaml:3:17: families[0].symmetric: symmetric takes no options (write 'symmetric: {}')");
    bad(M "families:\n  - symmetric: 3\n",
        "c.yaml:3:16: families[0].symmetric: expected a mapping of keys, got a scalar");
    bad(M "families:\n  - latteral: {}\n", "c.yaml:3:5: families[0]: unknown key 'latteral' "
                                           "(allowed: symmetric, lateral, low_coordination, axial, "
                                           "dual_metal, cluster, vacancy, strain)");
    bad(M "families:\n  - lateral: {}\n",
        "c.yaml:3:14: families[0].lateral: missing key 'dopants'");
    bad(M "families:\n  - lateral: {dopants: [N]}\n",
        "c.yaml:3:25: families[0].lateral.dopants[0]: unknown dopant 'N' (allowed: C, S, P, B, O, "
        "Cl)");
    bad(M "families:\n  - lateral: {dopants: [S], max_substitutions: 5}\n",
        "c.yaml:3:48: families[0].lateral.max_substitutions: 5 is out of range [1, 4]");
    bad(M "families:\n  - lateral: {dopants: [S], min_substitutions: 3, max_substitutions: 2}\n",
        "c.yaml:3:14: families[0].lateral: min_substitutions (3) is larger than max_substitutions "
        "(2)");
    bad(M "families:\n  - lateral: {dopants: [S], max: 2}\n",
        "c.yaml:3:29: families[0].lateral: unknown key 'max' (allowed: dopants, min_substitutions, "
        "max_substitutions)");
    bad(M "families:\n  - lateral: {dopants: [S, S]}\n",
        "c.yaml:3:28: families[0].lateral.dopants[1]: 'S' is listed twice");
    bad(M "families:\n  - low_coordination: {remove: [1, 1]}\n",
        "c.yaml:3:36: families[0].low_coordination.remove[1]: 1 is listed twice");
    bad(M "families:\n  - low_coordination: {remove: [3]}\n",
        "c.yaml:3:33: families[0].low_coordination.remove[0]: 3 is out of range [1, 2]");
    bad(M "families:\n  - axial: {ligands: [CO]}\n",
        "c.yaml:3:23: families[0].axial.ligands[0]: unknown ligand 'CO' (allowed: O, OH, Cl, F, S, "
        "NH3, N5)");
    bad(M "families:\n  - dual_metal: {fused: yes}\n",
        "c.yaml:3:25: families[0].dual_metal.fused: expected true or false, got 'yes'");
    bad(M "families:\n  - dual_metal: {fused: \"true\"}\n",
        "c.yaml:3:25: families[0].dual_metal.fused: expected true or false, got the quoted string "
        "'true'");
    bad(M "families:\n  - dual_metal: {separated: true, separations: [6.5, 6.5]}\n",
        "c.yaml:3:54: families[0].dual_metal.separations[1]: 6.5 is listed twice");
    bad(M "families:\n  - dual_metal: {fused: false}\n",
        "c.yaml:3:17: families[0].dual_metal: at least one of fused and separated must be true");
    bad(M "families:\n  - dual_metal: {separated: true}\n",
        "c.yaml:3:17: families[0].dual_metal: separated pairs need 'separations' (metal-metal "
        "distances in Å)");
    bad(M "families:\n  - dual_metal: {homonuclear: false, heteronuclear: false}\n",
        "c.yaml:3:17: families[0].dual_metal: at least one of homonuclear and heteronuclear must "
        "be true");
    bad(M "families:\n  - cluster: {sizes: [5]}\n",
        "c.yaml:3:23: families[0].cluster.sizes[0]: 5 is out of range [2, 4]");
    bad(M "families:\n  - cluster: {metals: [same, Qq]}\n",
        "c.yaml:3:30: families[0].cluster.metals[1]: unknown element 'Qq'");
    bad(M "families:\n  - cluster: {metals: [same, same]}\n",
        "c.yaml:3:30: families[0].cluster.metals[1]: 'same' is listed twice");
    bad(M "families:\n  - cluster: {metals: [N]}\n",
        "c.yaml:3:24: families[0].cluster.metals[0]: 'N' is not a metal");
    bad(M "families:\n  - vacancy: {shells: [0]}\n",
        "c.yaml:3:24: families[0].vacancy.shells[0]: 0 is out of range [1, 2]");
    bad(M "families:\n  - strain: {percent: [0]}\n",
        "c.yaml:3:23: families[0].strain.percent: 0 % strain is the unstrained support; leave it "
        "out");
    bad(M "families:\n  - strain: {percent: [2, 2]}\n",
        "c.yaml:3:27: families[0].strain.percent[1]: 2 is listed twice");
    bad(M "families:\n  - strain: {}\n", "c.yaml:3:13: families[0].strain: missing key 'percent'");
    bad(M "families:\n  - strain: {percent: [12]}\n",
        "c.yaml:3:24: families[0].strain.percent[0]: 12 is out of range [-10, 10]");
    bad(M "families:\n  - {symmetric: {}, axial: {ligands: [O]}}\n",
        "c.yaml:3:5: families[0]: symmetric cannot be combined with other families (it is the "
        "plain MN4 site)");
    bad(M "families:\n  - {dual_metal: {}, cluster: {}}\n",
        "c.yaml:3:5: families[0]: dual_metal cannot be combined with cluster");
    bad(M "families:\n  - {lateral: {dopants: [S]}, lateral: {dopants: [P]}}\n",
        "c.yaml:3:31: families[0]: duplicated key 'lateral'");
    /* adsorbates and settings */
    bad(M F "adsorbates: [OH, OOOH]\n",
        "c.yaml:4:18: adsorbates[1]: unknown adsorbate 'OOOH' (allowed: OH, O, OOH, H)");
    bad(M F "adsorbates: [OH, OH]\n", "c.yaml:4:18: adsorbates[1]: 'OH' is listed twice");
    bad(M F "settings: {method: dft}\n",
        "c.yaml:4:20: settings.method: unknown method 'dft' (allowed: gfn1, pw)");
    bad(M F "adsorbates: []\n", "c.yaml:4:13: adsorbates: the list must not be empty");
    bad(M F "settings: {fmax: true}\n",
        "c.yaml:4:18: settings.fmax: expected a number, got 'true'");
    bad(M F "settings: {fmax: 0}\n", "c.yaml:4:18: settings.fmax: 0 is out of range [1e-06, 10]");
    bad(M F "settings: {kpoints: [2, 2]}\n",
        "c.yaml:4:21: settings.kpoints: expected three integers [a, b, c], got 2");
    bad(M F "settings: {kpoints: [2, 0, 1]}\n",
        "c.yaml:4:25: settings.kpoints[1]: 0 is out of range [1, 64]");
    bad(M F "settings: {spin_polarized: maybe}\n",
        "c.yaml:4:28: settings.spin_polarized: expected true or false, got 'maybe'");
    bad(M F "settings: {dipole_correction: xyz}\n",
        "c.yaml:4:31: settings.dipole_correction: unknown dipole correction 'xyz' (allowed: none, "
        "slab)");
    bad(M F "settings: {max_unpaired: -1}\n",
        "c.yaml:4:26: settings.max_unpaired: -1 is out of range [0, 10]");
    bad(M F "settings: {electronic_temperature: -5}\n",
        "c.yaml:4:36: settings.electronic_temperature: -5 is out of range [0.001, 100000]");
    bad(M F "settings: {min_unpaired: 3, max_unpaired: 2}\n",
        "c.yaml:4:26: settings.min_unpaired: min_unpaired 3 is larger than max_unpaired 2");
    bad(M F "settings: {spin_scan: all}\n",
        "c.yaml:4:23: settings.spin_scan: unknown spin scan 'all' (allowed: single_point, relax)");
    bad(M F "settings: {scf: {mixing: 2}}\n",
        "c.yaml:4:26: settings.scf.mixing: 2 is out of range [0.001, 1]");
    bad(M F "settings: {scf: {rescue: [{mixing: 0.1}]}}\n",
        "c.yaml:4:27: settings.scf.rescue[0].rung: missing key 'rung'");
    bad(M F "settings: {scf: {rescue: [{rung: cold}]}}\n",
        "c.yaml:4:34: settings.scf.rescue[0].rung: unknown rescue rung 'cold' (allowed: damped, "
        "fresh_guess, hot)");
    bad(M F "settings: {scf: {rescue: [{rung: hot, temp: 900}]}}\n",
        "c.yaml:4:39: settings.scf.rescue[0]: unknown key 'temp' (allowed: rung, mixing, "
        "max_iter, etemp)");
    bad(M F "thermo: {corrections: vasp}\n",
        "c.yaml:4:23: thermo.corrections: unknown correction set 'vasp' (allowed: S1, S2, "
        "cathub, none, harmonic)");
    bad(M F "thermo: {pH: 20}\n", "c.yaml:4:14: thermo.pH: 20 is out of range [-2, 16]");
    bad(M F "thermo: {vib_floor: -5}\n",
        "c.yaml:4:21: thermo.vib_floor: -5 is out of range [0, 500]");
    bad(M F "settings: {scf: {econv: 0.1}}\n",
        "c.yaml:4:25: settings.scf.econv: 0.1 is out of range [1e-12, 0.0001]");
    bad(M F "settings: {scf: {guess: sad}}\n",
        "c.yaml:4:25: settings.scf.guess: unknown SCF guess 'sad' (allowed: eeq, uniform)");
    bad(M F "settings: {scf: {qconv: 0}}\n",
        "c.yaml:4:25: settings.scf.qconv: 0 is out of range [1e-12, 0.001]");
    bad(M F "settings: {method: pw}\n",
        "c.yaml:4:20: settings.pw.ecut: settings.method pw needs a cutoff: settings.pw.ecut "
        "(hartree)");
    bad(M F "settings: {pw: {ecut: 20}}\n",
        "c.yaml:4:16: settings.pw: plane-wave settings need settings.method: pw (the method "
        "is 'gfn1')");
    bad(M F "settings: {method: pw, pw: {ecut: 20, xc: pw91}}\n",
        "c.yaml:4:43: settings.pw.xc: unknown exchange-correlation functional 'pw91' "
        "(allowed: pbe, lda)");
    bad(M F "settings: {method: pw, spin_polarized: true, pw: {ecut: 20}}\n",
        "c.yaml:4:40: settings.spin_polarized: spin_polarized is a GFN1 setting (spGFN1); "
        "plane waves are spin-polarised whenever the spin scan asks for unpaired electrons");
    bad(M F "settings: {method: pw, pw: {ecut: 0.5}}\n",
        "c.yaml:4:35: settings.pw.ecut: 0.5 is out of range [1, 10000]");

    /* defaults */
    ate_campaign_spec spec;
    ate_error err;
    CHECK(ate_campaign_parse(M F, "c.yaml", &spec, &err) == ATE_OK, "minimal campaign");
    CHECK(spec.support.kind == ATE_SUPPORT_GRAPHENE && spec.support.supercell[0] == 5 &&
              spec.support.supercell[1] == 5,
          "default support");
    CHECK_CLOSE(spec.support.vacuum, 15.0, 0, "default vacuum");
    CHECK(spec.nadsorbates == 4 && spec.families[0].flags == ATE_FAMILY_SYMMETRIC,
          "default adsorbates, family");
    CHECK_STR(spec.settings.method, "gfn1");
    CHECK(spec.settings.nrescue == 3 && spec.settings.rescue[2].rung == ATE_RUNG_HOT &&
              spec.settings.rescue[2].etemp == 1500.0 && spec.settings.scf_max_iter == 250 &&
              spec.settings.spin_scan == ATE_SPIN_SCAN_SINGLE_POINT,
          "default ladder");
    CHECK_STR(spec.thermo.corrections, "S1");
    CHECK_CLOSE(spec.thermo.temperature, 298.15, 0, "default T");
    CHECK_STR(spec.yaml_text, M F);
    ate_campaign_spec_clear(&spec);

    /* a full campaign */
    const char *full =
        "name: test\n"
        "support: {type: flake, flake_radius: 8.5, lattice_constant: 2.47}\n"
        "metals: [Fe, Co]\n"
        "families:\n"
        "  - lateral: {dopants: [S, P], min_substitutions: 1, max_substitutions: 2}\n"
        "  - low_coordination: ~\n"
        "  - {dual_metal: {separated: true, separations: [6.5, 7.4], homonuclear: false}, lateral: "
        "{dopants: [B]}}\n"
        "  - cluster: {sizes: [2, 4], metals: [same, Pt]}\n"
        "  - strain: {percent: [-2, 3.5]}\n"
        "adsorbates: [OOH, H]\n"
        "settings: {method: pw, fmax: 0.02, max_unpaired: 6, symprec: 0.001, min_unpaired: 2,\n"
        "  spin_scan: relax, max_steps: 40, freeze_radius: 6,\n"
        "  pw: {ecut: 22.5, xc: lda, smearing: gaussian, smearing_width: 0.01, nbands: 40,\n"
        "       vacuum: 8, sphere_radius: 1.8},\n"
        "  scf: {max_iter: 80, mixing: 0.3, econv: 1e-8, qconv: 2e-6, guess: uniform, rescue: "
        "[{rung: hot, etemp: "
        "900}, {rung: damped}]}}\n"
        "thermo: {corrections: cathub, temperature: 310, pH: 7, potential: 0.9, vib_floor: 80}\n";
    CHECK(ate_campaign_parse(full, "full.yaml", &spec, &err) == ATE_OK, "full campaign");
    CHECK_STR(spec.name, "test");
    CHECK(spec.support.kind == ATE_SUPPORT_FLAKE, "flake");
    CHECK_CLOSE(spec.support.flake_radius, 8.5, 0, "radius");
    CHECK(spec.nmetals == 2 && spec.metals[0] == 26 && spec.metals[1] == 27, "metals");
    CHECK(spec.nfamilies == 5, "families %d", spec.nfamilies);
    const ate_family_spec *f = spec.families;
    CHECK(f[0].flags == ATE_FAMILY_LATERAL && f[0].lateral.ndopants == 2 &&
              f[0].lateral.dopants[1] == 15 && f[0].lateral.min_substitutions == 1 &&
              f[0].lateral.max_substitutions == 2,
          "lateral");
    CHECK(f[1].flags == ATE_FAMILY_LOW_COORDINATION && f[1].low_coordination.nremove == 1 &&
              f[1].low_coordination.remove[0] == 1,
          "low coordination default");
    CHECK(f[2].flags == (ATE_FAMILY_DUAL_METAL | ATE_FAMILY_LATERAL) && f[2].dual_metal.separated &&
              f[2].dual_metal.fused && !f[2].dual_metal.homonuclear &&
              f[2].dual_metal.nseparations == 2 && f[2].lateral.dopants[0] == 5 &&
              f[2].source_line == 7,
          "combination");
    CHECK(f[3].cluster.nsizes == 2 && f[3].cluster.metals[0] == 0 && f[3].cluster.metals[1] == 78 &&
              f[3].cluster.ndistances == 1,
          "cluster");
    CHECK_CLOSE(f[4].strain.percent[1], 3.5, 0, "strain");
    CHECK(spec.nadsorbates == 2 && spec.adsorbates[0] == ATE_ADS_OOH &&
              spec.adsorbates[1] == ATE_ADS_H,
          "adsorbates");
    CHECK_STR(spec.settings.method, "pw");
    CHECK(spec.settings.max_unpaired == 6, "max_unpaired");
    CHECK(spec.settings.min_unpaired == 2 && spec.settings.spin_scan == ATE_SPIN_SCAN_RELAX &&
              spec.settings.max_steps == 40 && spec.settings.freeze_radius == 6.0,
          "spin and relax settings");
    CHECK(spec.settings.scf_max_iter == 80 && spec.settings.scf_mixing == 0.3 &&
              spec.settings.nrescue == 2 && spec.settings.rescue[0].rung == ATE_RUNG_HOT &&
              spec.settings.rescue[0].etemp == 900.0 &&
              spec.settings.rescue[1].rung == ATE_RUNG_DAMPED &&
              spec.settings.rescue[1].mixing == 0.1 && spec.settings.rescue[1].max_iter == 500 &&
              spec.settings.scf_econv == 1e-8 && spec.settings.scf_qconv == 2e-6 &&
              spec.settings.scf_uniform_guess,
          "scf ladder");
    CHECK(spec.settings.pw_ecut == 22.5 && !strcmp(spec.settings.pw_xc, "lda") &&
              !strcmp(spec.settings.pw_smearing, "gaussian") && spec.settings.pw_nbands == 40 &&
              spec.settings.pw_vacuum == 8.0 && spec.settings.pw_sphere_radius == 1.8 &&
              spec.settings.pw_pseudo_file[0] == '\0',
          "pw settings");
    CHECK_CLOSE(spec.settings.electronic_temperature * ATE_KB_HARTREE, 0.01, 1e-15,
                "pw.smearing_width sets the electronic temperature");
    CHECK(!strcmp(spec.thermo.corrections, "cathub") && spec.thermo.temperature == 310.0 &&
              spec.thermo.ph == 7.0 && spec.thermo.potential == 0.9 &&
              spec.thermo.vib_floor == 80.0,
          "thermo");
    ate_campaign_spec_clear(&spec);

    /* a file that does not exist, and the shipped examples parse */
    CHECK(ate_campaign_read("/nonexistent/c.yaml", &spec, &err) == ATE_ERR_IO, "missing file");
    char buf[2048];
    ate_error_format(&err, buf, sizeof(buf));
    CHECK_STR(buf, "/nonexistent/c.yaml: cannot open the file: No such file or directory");
    bad_file("empty.yaml", "", 0, "empty.yaml: the file is empty");
    bad_file("nul.yaml", "metals: [Fe]\0\n", 14,
             "nul.yaml: not a text file (it contains NUL bytes)");
    bad_file("latin1.yaml", "name: caf\xe9\n" M F, 11 + strlen(M F),
             "latin1.yaml:1:10: not valid UTF-8: invalid trailing UTF-8 octet (byte 0xe9 followed "
             "by 0x0a)");
    const char *examples[] = {ATE_SOURCE_DIR "/inputs/quickstart.yaml",
                              ATE_SOURCE_DIR "/inputs/examples/all-families.yaml",
                              ATE_SOURCE_DIR "/inputs/examples/all-families-flake.yaml"};
    for (int k = 0; k < 3; ++k) {
        ate_status st = ate_campaign_read(examples[k], &spec, &err);
        ate_error_format(&err, buf, sizeof(buf));
        CHECK(st == ATE_OK, "%s: %s", examples[k], st == ATE_OK ? "" : buf);
        ate_campaign_spec_clear(&spec);
    }
    return ate_test_finish("test_campaign_yaml");
}
