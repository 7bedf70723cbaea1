/**
 * @file cmd_calc.c
 * @brief `atescreen calc FILE --method gfn1 [--charge Q] [--uhf N] [--etemp K] [--max-iter N]
 *        [--gradient] [--json]`: one single point. --charge/--uhf override the file's values.
 *        With --json one JSON object on stdout: energy (hartree), gradient (natoms x 3,
 *        hartree/bohr, with --gradient), charges (e), converged, scc_iterations, homo_lumo_gap_ev,
 *        energy_terms (hartree). Exit 0 only when converged. --frequencies adds the harmonic
 *        wavenumbers (cm^-1, ascending, negative = imaginary; 3N values, translations and
 *        rotations not projected out) from central differences of the analytic gradient.
 *        --guess: the first SCC guess, EEQ charges (default, as xtb 6.5.1) or uniform charges.
 *        --acc A: SCC convergence as xtb's --acc (energy change 1e-6 A Eh, RMS charge change
 *        2e-5 A e; A in [1e-8, 1e3], below xtb's 1e-4 for tight comparisons); without it 1e-10 Eh
 * and 1e-8 e (about xtb's --acc 0.0001).
 *        --pbc-mode full|xtb651: lattice sums of a periodic cell (default full: converged sums
 *        with the atoms' own images; xtb651: the rules of xtb 6.5.1, for comparison with it).
 *        Cells are read from extxyz (Lattice=, pbc="T T T"), POSCAR or DFTB+ gen files.
 *        --kpts a,b,c: Monkhorst-Pack k-point mesh (full mode; reduced by time reversal);
 *        --kpts-gamma: the mesh Gamma-centred (n/N) instead (what band folding maps onto the
 *        Gamma point of an a x b x c supercell).
 *        --dipole-correction none|slab|xyz: cells only, off by default (docs/theory-gfn1.md).
 *        --stress: cells (gfn1 and pw); JSON "stress" [3][3] = (1/V) dE/d(strain), hartree/bohr^3
 *        (ASE's sign convention: positive components mean the cell wants to shrink; pw: at the
 *        fixed plane-wave set, as ABINIT's).
 *        --spin-polarized: spGFN1 (docs/theory-gfn1.md): with --uhf N the alpha-beta difference
 *        is fixed; JSON adds "magnetic_moments" (Mulliken, e, per atom) and the energy term
 *        "spin_polarization".
 *        --free-moment (with --spin-polarized): N_alpha - N_beta free under the Fermi smearing
 *        (one Fermi level); --uhf N then only seeds the starting moment.
 *        --param-dir DIR: the parameter directory (default: the build's inputs/params).
 *        Plane waves (--method pw; docs/theory-pw.md): --ecut HA (required, hartree),
 *        --xc lda|pbe, --fft N1,N2,N3 (default: the smallest 2,3,5-smooth grid holding the density
 *        sphere), --kpts-shift S1,S2,S3 (0 or 0.5: the mesh shifted by half a step, as ABINIT's
 *        shiftk), --smearing none|fermi-dirac|gaussian|mv (width k_B --etemp), --nbands N,
 *        --uhf N: collinear spin with N_up - N_down = N; --spin-polarized --free-moment: the
 *        moment relaxes (smearing needed), starting from --moment0 M (default 2 per transition
 *        metal atom) or from --moments M1,M2,... (one starting N_up - N_down per atom, each on
 *        that atom's starting density, ABINIT's spinat: e.g. an antiferromagnetic start; with
 *        --uhf too; without --moments, the structure file's extxyz initial_magmoms); JSON
 * "magnetization" = N_up - N_down, "spins" (and "magnetic_moments") N_up - N_down within
 * --sphere-radius R bohr (default 2.0) of each atom (ABINIT's prtdensph with ratsph R, ratsm 0;
 * docs/theory-pw.md, "Atomic spheres").
 *        --mixing W: gfn1, the Broyden weight; pw, the Pulay step is min(1, 1.75 W) (0.7 at the
 *        default 0.4, QE's mixing_beta; damped campaign rescue rungs scale with it).
 *        --pseudo FILE (GTH pseudopotentials in CP2K's format; default
 *        inputs/params/gth/GTH_POTENTIALS; per element the entry of CP2K's alias GTH-PADE (lda)
 *        or GTH-PBE (pbe), else the first one so named). JSON "pseudopotentials": {"Pt":
 *        {"entry": "GTH-PBE-q18", "z_ion": 18.0}, ...}, the entry used for each element.
 *
 *        `atescreen relax FILE` takes the same options and optimises the positions first
 *        (cmd_relax.c; fixed atoms of the file stay fixed): -o/--output OUT (default
 *        STEM_relaxed.extxyz in the working directory, replaced after every accepted step),
 *        --trajectory T (every step, extxyz), --fmax F (eV/Å, default 0.05), --max-steps N
 *        (default 500), --optimizer lbfgs|fire (default lbfgs with the Exp preconditioner).
 *        The output (table or JSON) is then the single point at the final geometry, with a
 *        "relax" object in JSON; the exit status is 1 when the optimisation did not converge.
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "atescreen/elements.h"
#include "atescreen/pipeline.h"
#include "atescreen/structio.h"
#include "atescreen/units.h"
#include "cli.h"
#include "cli_relax.h"
#include "kernel.h"

static void usage(FILE *out, bool relax)
{
    if (relax)
        fprintf(out, "usage: atescreen relax FILE [-o OUT] [--trajectory T] [--fmax F(eV/A)] "
                     "[--max-steps N]\n"
                     "                       [--optimizer lbfgs|fire] --method gfn1|pw [the "
                     "options of calc:]\n");
    fprintf(out, "usage: atescreen calc FILE --method gfn1 [--charge Q] [--uhf N] [--etemp K] "
                 "[--max-iter N]\n"
                 "                      [--mixing W] [--guess eeq|uniform] [--acc A] "
                 "[--pbc-mode full|xtb651]\n"
                 "                      [--kpts A,B,C] [--kpts-gamma] "
                 "[--dipole-correction none|slab|xyz] [--stress]\n"
                 "                      [--spin-polarized [--free-moment]] [--param-dir DIR]\n"
                 "                      [--gradient] [--frequencies] [--json]\n"
                 "       atescreen calc FILE --method pw --ecut HA [--xc lda|pbe] [--kpts A,B,C]\n"
                 "                      [--kpts-gamma | --kpts-shift S1,S2,S3] [--fft N1,N2,N3]\n"
                 "                      [--smearing none|fermi-dirac|gaussian|mv] [--etemp K]\n"
                 "                      [--nbands N] [--pseudo FILE] [--charge Q] [--max-iter N]\n"
                 "                      [--uhf N | --spin-polarized --free-moment [--moment0 M]]\n"
                 "                      [--moments M1,M2,...]\n"
                 "                      [--sphere-radius R] [--mixing W] [--acc A] [--gradient]\n"
                 "                      [--stress] [--json]\n");
}

static bool parse_int(const char *s, int *v)
{
    char *end;
    long x = strtol(s, &end, 10);
    *v = (int)x;
    return *s && !*end;
}

static void json_array(const char *name, const double *v, int n)
{
    printf(",\n \"%s\": [", name);
    for (int i = 0; i < n; ++i)
        printf(isfinite(v[i]) ? "%s%.9f" : "%snull", i ? ", " : "", v[i]);
    printf("]");
}

/* the pseudopotential of each element of s, in order of first appearance (pw only) */
typedef struct calc_pseudos {
    int n, z[ATE_MAX_Z + 1];
    ate_pseudo_info info[ATE_MAX_Z + 1];
} calc_pseudos;

static void print_json(const ate_calc_result *r, int n, bool gradient, const double *freq,
                       const ate_relax_result *rx, const char *rx_out, const calc_pseudos *ps)
{
    printf("{\"energy\": %.12f, \"converged\": %s, \"scc_iterations\": %d, \"homo_lumo_gap_ev\": ",
           r->energy, r->converged ? "true" : "false", r->iterations);
    printf(isfinite(r->homo_lumo_gap_ev) ? "%.9f,\n" : "null,\n", r->homo_lumo_gap_ev);
    printf(" \"fermi_ev\": %.9f, \"magnetization\": %.9f", r->fermi_ev, r->magnetization);
    json_array("charges", r->charges, n);
    json_array("spins", r->spins, n);
    json_array("magnetic_moments", r->spins, n);
    json_array("dband_centre", r->dband_centre, n);
    if (gradient) {
        printf(",\n \"gradient\": [");
        for (int i = 0; i < n; ++i)
            printf("%s[%.12e, %.12e, %.12e]", i ? ", " : "", r->gradient[3 * i],
                   r->gradient[3 * i + 1], r->gradient[3 * i + 2]);
        printf("]");
    }
    if (freq) json_array("frequencies_cm-1", freq, 3 * n);
    if (r->has_stress) {
        printf(",\n \"stress\": [");
        for (int i = 0; i < 3; ++i)
            printf("%s[%.12e, %.12e, %.12e]", i ? ", " : "", r->stress[3 * i], r->stress[3 * i + 1],
                   r->stress[3 * i + 2]);
        printf("]");
    }
    if (rx)
        printf(",\n \"relax\": {\"converged\": %s, \"steps\": %d, \"evaluations\": %d, "
               "\"fmax_ev_per_angstrom\": %.6e, \"output\": \"%s\"}",
               rx->converged ? "true" : "false", rx->steps, rx->evaluations,
               rx->fmax * ATE_HARTREE_BOHR_EV_ANGSTROM, rx_out);
    if (ps && ps->n) {
        printf(",\n \"pseudopotentials\": {");
        for (int i = 0; i < ps->n; ++i) {
            printf("%s\"%s\": {\"entry\": \"%s\", \"z_ion\": ", i ? ", " : "",
                   ate_element_symbol(ps->z[i]), ps->info[i].entry);
            printf(isfinite(ps->info[i].z_ion) ? "%.1f}" : "null}", ps->info[i].z_ion);
        }
        printf("}");
    }
    printf(",\n \"energy_terms\": {");
    for (int t = 0; t < r->nterms; ++t)
        printf("%s\"%s\": %.12f", t ? ", " : "", r->term_name[t], r->term[t]);
    printf("}}\n");
}

static void print_table(const ate_calc_result *r, const ate_structure *s, const double *freq,
                        bool pw)
{
    printf("%-22s %20.12f Eh\n", "total energy", r->energy);
    for (int t = 0; t < r->nterms; ++t)
        printf("  %-20s %20.12f Eh\n", r->term_name[t], r->term[t]);
    printf("%-22s %20.9f eV\n%-22s %20d %s\n", "HOMO-LUMO gap", r->homo_lumo_gap_ev,
           "SCC iterations", r->iterations, r->converged ? "(converged)" : "(NOT converged)");
    printf("%-22s %20.9f eV\n", "Fermi level", r->fermi_ev);
    printf("%s (e), d-band centre - E_F (eV):\n",
           pw ? "Hirshfeld charges and moments in atomic spheres"
              : "Mulliken charges and spin populations");
    for (int i = 0; i < ate_structure_natoms(s); ++i)
        printf("  %4d %12.6f %12.6f %12.6f\n", i + 1, r->charges[i], r->spins[i],
               r->dband_centre[i]);
    if (!freq) return;
    printf("harmonic wavenumbers (cm^-1, negative = imaginary; not projected):\n");
    for (int i = 0; i < 3 * ate_structure_natoms(s); ++i)
        printf("%10.2f%s", freq[i], i % 6 == 5 ? "\n" : "");
    if (3 * ate_structure_natoms(s) % 6) printf("\n");
}

/* calc, or relax then calc at the final geometry */
static int calc_main(int argc, char **argv, bool relax)
{
    const char *cmd = relax ? "relax" : "calc";
    const char *method = NULL;
    int charge = 0, uhf = 0, max_iter = 250;
    bool has_charge = false, has_uhf = false, json = false, gradient = false, freqs = false;
    double etemp = 300.0, mixing = 0.4;
    int guess = ATE_GUESS_EEQ, pbc_mode = ATE_PBC_FULL, kmesh[3] = {1, 1, 1};
    bool kgamma = false, stress = false, spinpol = false, free_moment = false;
    const char *param_dir = NULL;
    int dipole = ATE_DIPOLE_NONE;
    double acc = 0.0, ecut = 0.0;
    int fft[3] = {0, 0, 0}, kshift2[3] = {0, 0, 0}, xc = ATE_XC_PBE, nbands = 0;
    int smearing = -1;
    bool kshift_set = false;
    const char *pseudo = NULL;
    double moment0 = 0.0, sphere_radius = 0.0, *moments = NULL;
    int nmoments = 0;
    ate_relax_opts ro;
    ate_relax_opts_init(&ro);
    ate_cli_relax_files rf = {NULL, NULL};
    char default_out[4096];
    static const struct option opts[] = {{"ecut", required_argument, NULL, 'E'},
                                         {"moment0", required_argument, NULL, 'M'},
                                         {"moments", required_argument, NULL, 'A'},
                                         {"sphere-radius", required_argument, NULL, 'r'},
                                         {"fft", required_argument, NULL, 'N'},
                                         {"xc", required_argument, NULL, 'X'},
                                         {"smearing", required_argument, NULL, 's'},
                                         {"nbands", required_argument, NULL, 'b'},
                                         {"pseudo", required_argument, NULL, 'Y'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"trajectory", required_argument, NULL, 'T'},
                                         {"fmax", required_argument, NULL, 'W'},
                                         {"max-steps", required_argument, NULL, 'L'},
                                         {"optimizer", required_argument, NULL, 'Z'},
                                         {"kpts-shift", required_argument, NULL, 'K'},
                                         {"method", required_argument, NULL, 'm'},
                                         {"charge", required_argument, NULL, 'c'},
                                         {"uhf", required_argument, NULL, 'u'},
                                         {"etemp", required_argument, NULL, 't'},
                                         {"max-iter", required_argument, NULL, 'i'},
                                         {"mixing", required_argument, NULL, 'x'},
                                         {"guess", required_argument, NULL, 'q'},
                                         {"acc", required_argument, NULL, 'a'},
                                         {"pbc-mode", required_argument, NULL, 'p'},
                                         {"kpts", required_argument, NULL, 'k'},
                                         {"kpts-gamma", no_argument, NULL, 'G'},
                                         {"stress", no_argument, NULL, 'S'},
                                         {"spin-polarized", no_argument, NULL, 'P'},
                                         {"param-dir", required_argument, NULL, 'R'},
                                         {"free-moment", no_argument, NULL, 'F'},
                                         {"dipole-correction", required_argument, NULL, 'D'},
                                         {"gradient", no_argument, NULL, 'g'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"frequencies", no_argument, NULL, 'f'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, relax ? "ho:" : "h", opts, NULL)) != -1) {
        bool ok = true;
        char *end = NULL;
        if (!relax && strchr("oTWLZ", ch)) {
            const char *name = "?";
            for (const struct option *o = opts; o->name; ++o)
                if (o->val == ch) name = o->name;
            fprintf(stderr, "atescreen calc: --%s is an option of atescreen relax\n", name);
            usage(stderr, false);
            free(moments);
            return ATE_EXIT_USAGE;
        }
        switch (ch) {
        case 'm':
            method = optarg;
            break;
        case 'c':
            ok = parse_int(optarg, &charge), has_charge = true;
            break;
        case 'u':
            ok = parse_int(optarg, &uhf) && uhf >= 0, has_uhf = true;
            break;
        case 't':
            etemp = strtod(optarg, &end), ok = *end == '\0' && etemp >= 0.0;
            break;
        case 'i':
            ok = parse_int(optarg, &max_iter) && max_iter > 0;
            break;
        case 'x':
            mixing = strtod(optarg, &end), ok = *end == '\0' && mixing > 0.0 && mixing <= 1.0;
            break;
        case 'a':
            acc = strtod(optarg, &end), ok = *end == '\0' && acc >= 1e-8 && acc <= 1e3;
            break;
        case 'q':
            ok = !strcmp(optarg, "eeq") || !strcmp(optarg, "uniform");
            guess = strcmp(optarg, "uniform") ? ATE_GUESS_EEQ : ATE_GUESS_UNIFORM;
            break;
        case 'p':
            ok = !strcmp(optarg, "full") || !strcmp(optarg, "xtb651");
            pbc_mode = strcmp(optarg, "xtb651") ? ATE_PBC_FULL : ATE_PBC_XTB651;
            break;
        case 'k': {
            char extra;
            ok = sscanf(optarg, "%d,%d,%d%c", &kmesh[0], &kmesh[1], &kmesh[2], &extra) == 3 &&
                 kmesh[0] >= 1 && kmesh[1] >= 1 && kmesh[2] >= 1 &&
                 (double)kmesh[0] * kmesh[1] * kmesh[2] <= 1e5;
            break;
        }
        case 'G':
            kgamma = true;
            break;
        case 'E':
            ecut = strtod(optarg, &end), ok = *end == '\0' && ecut > 0.0 && ecut <= 1e4;
            break;
        case 'N': {
            char extra;
            ok = sscanf(optarg, "%d,%d,%d%c", &fft[0], &fft[1], &fft[2], &extra) == 3 &&
                 fft[0] >= 1 && fft[1] >= 1 && fft[2] >= 1 && fft[0] <= 4096 && fft[1] <= 4096 &&
                 fft[2] <= 4096;
            break;
        }
        case 'K': {
            double sh[3];
            char extra;
            ok = sscanf(optarg, "%lf,%lf,%lf%c", &sh[0], &sh[1], &sh[2], &extra) == 3;
            for (int d = 0; d < 3 && ok; ++d) {
                ok = sh[d] == 0.0 || sh[d] == 0.5;
                kshift2[d] = sh[d] == 0.5;
            }
            kshift_set = true;
            break;
        }
        case 'X':
            ok = !strcmp(optarg, "lda") || !strcmp(optarg, "pbe");
            xc = strcmp(optarg, "lda") ? ATE_XC_PBE : ATE_XC_LDA;
            break;
        case 's':
            smearing = !strcmp(optarg, "none")          ? ATE_SMEAR_NONE
                       : !strcmp(optarg, "fermi-dirac") ? ATE_SMEAR_FERMI_DIRAC
                       : !strcmp(optarg, "gaussian")    ? ATE_SMEAR_GAUSSIAN
                       : !strcmp(optarg, "mv")          ? ATE_SMEAR_MV
                                                        : -1;
            ok = smearing >= 0;
            break;
        case 'b':
            ok = parse_int(optarg, &nbands) && nbands > 0;
            break;
        case 'M':
            moment0 = strtod(optarg, &end), ok = *end == '\0' && moment0 > 0.0;
            break;
        case 'A': { /* comma-separated, one per atom */
            nmoments = 1;
            for (const char *c = optarg; *c; ++c)
                nmoments += *c == ',';
            free(moments);
            moments = malloc((size_t)nmoments * sizeof(double));
            const char *p = optarg;
            for (int i = 0; ok && i < nmoments; ++i) {
                if (!moments) {
                    ok = false;
                    break;
                }
                moments[i] = strtod(p, &end);
                ok = end != p && isfinite(moments[i]) && (*end == ',' || *end == '\0');
                p = end + (*end == ',');
            }
            break;
        }
        case 'r':
            sphere_radius = strtod(optarg, &end);
            ok = *end == '\0' && sphere_radius > 0.0 && sphere_radius <= 20.0;
            break;
        case 'Y':
            pseudo = optarg;
            break;
        case 'o':
            rf.output = optarg;
            break;
        case 'T':
            rf.trajectory = optarg;
            break;
        case 'W':
            ro.fmax = strtod(optarg, &end) / ATE_HARTREE_BOHR_EV_ANGSTROM;
            ok = *end == '\0' && ro.fmax > 0.0;
            break;
        case 'L':
            ok = parse_int(optarg, &ro.max_steps) && ro.max_steps >= 0;
            break;
        case 'Z':
            ok = !strcmp(optarg, "lbfgs") || !strcmp(optarg, "fire");
            ro.method = strcmp(optarg, "fire") ? ATE_RELAX_LBFGS : ATE_RELAX_FIRE;
            break;
        case 'D':
            ok = !strcmp(optarg, "none") || !strcmp(optarg, "slab") || !strcmp(optarg, "xyz");
            dipole = !strcmp(optarg, "slab")  ? ATE_DIPOLE_SLAB
                     : !strcmp(optarg, "xyz") ? ATE_DIPOLE_XYZ
                                              : ATE_DIPOLE_NONE;
            break;
        case 'S':
            stress = true;
            break;
        case 'P':
            spinpol = true;
            break;
        case 'R':
            param_dir = optarg;
            break;
        case 'F':
            free_moment = true;
            break;
        case 'g':
            gradient = true;
            break;
        case 'j':
            json = true;
            break;
        case 'f':
            freqs = true;
            break;
        case 'h':
            usage(stdout, relax);
            free(moments);
            return ATE_EXIT_OK;
        default:
            ok = false;
        }
        if (!ok) {
            const char *name = "?";
            for (const struct option *o = opts; o->name; ++o)
                if (o->val == ch) name = o->name;
            if (ch != '?')
                fprintf(stderr, "atescreen %s: invalid value '%s' for --%s\n", cmd, optarg, name);
            usage(stderr, relax);
            free(moments);
            return ATE_EXIT_USAGE;
        }
    }
    if (optind != argc - 1 || !method) {
        fprintf(stderr, "atescreen %s: %s\n", cmd,
                method ? "expected one structure file" : "missing --method (gfn1|pw)");
        usage(stderr, relax);
        free(moments);
        return ATE_EXIT_USAGE;
    }
    const char *conflict = free_moment && !spinpol ? "--free-moment needs --spin-polarized"
                           : kshift_set && kgamma
                               ? "--kpts-gamma and --kpts-shift exclude each other"
                               : NULL;
    if (conflict) {
        fprintf(stderr, "atescreen %s: %s\n", cmd, conflict);
        usage(stderr, relax);
        free(moments);
        return ATE_EXIT_USAGE;
    }
    if (relax && !rf.output) { /* STEM_relaxed.extxyz in the working directory */
        const char *base = strrchr(argv[optind], '/');
        base = base ? base + 1 : argv[optind];
        const char *dot = strrchr(base, '.');
        int len = dot && dot != base ? (int)(dot - base) : (int)strlen(base);
        snprintf(default_out, sizeof(default_out), "%.*s_relaxed.extxyz", len, base);
        rf.output = default_out;
    }
#ifdef ATE_CLI_LAUNCHER
    /* the launcher links no MPI: methods whose code uses it (pw) run in atescreen-mpi */
    if (!ate_kernel_is_serial(method)) return ate_cli_exec_mpi(argc, argv);
#endif
    ate_error err;
    ate_error_clear(&err);
    ate_structure *file = NULL, *s = NULL;
    ate_kernel *k = NULL;
    ate_status st = ate_structure_read(argv[optind], ATE_FORMAT_AUTO, &file, &err);
    if (st == ATE_OK) { /* the command line overrides the file's charge and spin */
        ate_structure_desc d = ate_structure_get_desc(file);
        if (has_charge) d.charge = charge;
        if (has_uhf) d.uhf = uhf;
        st = ate_structure_create(&d, &s, &err);
        if (st != ATE_OK) ate_error_locate(&err, argv[optind], 0, 0, NULL);
    }
    if (st == ATE_OK && kmesh[0] * kmesh[1] * kmesh[2] > 1 && !ate_structure_is_periodic(s))
        st =
            ate_error_set_input(&err, ATE_ERR_INPUT, __FILE__, __LINE__, argv[optind], 0, 0, "kpts",
                                "k-points need a periodic cell; %s has none", argv[optind]);
    ate_kernel_opts ko;
    ate_kernel_opts_init(&ko);
    ko.etemp = etemp;
    ko.max_iter = max_iter;
    ko.mixing = mixing;
    ko.guess = guess;
    ko.pbc_mode = pbc_mode;
    memcpy(ko.kmesh, kmesh, sizeof(kmesh));
    ko.kgamma = kgamma;
    ko.dipole = dipole;
    ko.spin_polarized = spinpol;
    if (param_dir) ko.param_dir = param_dir;
    ko.free_moment = free_moment;
    if (acc > 0.0) ko.econv = 1e-6 * acc, ko.qconv = 2e-5 * acc;
    ko.ecut = ecut;
    memcpy(ko.fft, fft, sizeof(fft));
    memcpy(ko.kshift2, kshift2, sizeof(kshift2));
    ko.kshift_set = kshift_set;
    ko.xc = xc;
    if (smearing >= 0) ko.smearing = smearing;
    ko.nbands = nbands;
    ko.pseudo_file = pseudo;
    ko.moment0 = moment0;
    ko.atom_moments = moments, ko.natom_moments = nmoments;
    ko.sphere_radius = sphere_radius;
    int rank = 0;
#ifdef ATE_CLI_LAUNCHER /* no MPI here: only the serial methods reach this point (gfn1) */
    if (st == ATE_OK) st = ate_kernel_create_serial(method, &ko, &k, &err);
#else
    /* plane waves distribute their k-points over MPI ranks: under mpirun (or alone, as a singleton)
     * calc --method pw joins MPI_COMM_WORLD and rank 0 prints; GFN1 runs on one rank without MPI */
    MPI_Comm comm = MPI_COMM_NULL;
    int mpi_init = 0;
    bool mpi_here = false;
    if (!strcmp(method, "pw")) {
        MPI_Initialized(&mpi_init);
        if (!mpi_init) MPI_Init(NULL, NULL), mpi_here = true;
        comm = MPI_COMM_WORLD;
        MPI_Comm_rank(comm, &rank);
    }
    if (st == ATE_OK) st = ate_kernel_create(method, &ko, comm, &k, &err);
#endif
    ate_calc_result r = {0};
    int n = s ? ate_structure_natoms(s) : 0;
    ate_relax_result rx = {0};
    if (st == ATE_OK && relax) {
        st = ate_cli_relax_drive(k, s, &ro, &rf, rank, json, &rx, &err);
        if (st == ATE_ERR_INPUT) ate_error_locate(&err, argv[optind], 0, 0, NULL);
    }
    if (st == ATE_OK) {
        r.charges = calloc((size_t)n, sizeof(double));
        r.gradient = calloc((size_t)n * 3, sizeof(double));
        r.spins = calloc((size_t)n, sizeof(double));
        r.dband_centre = calloc((size_t)n, sizeof(double));
        st = r.charges && r.gradient && r.spins && r.dband_centre
                 ? ate_kernel_compute(k, s,
                                      ATE_CALC_ENERGY | (gradient ? ATE_CALC_GRADIENT : 0) |
                                          (stress ? ATE_CALC_STRESS : 0),
                                      &r, &err)
                 : ATE_ERROR(&err, ATE_ERR_MEMORY, "out of memory");
    }
    /* settings the kernel refuses for this structure (charge, spin, bands, cell): name the file */
    if (st == ATE_ERR_INPUT) ate_error_locate(&err, argv[optind], 0, 0, NULL);
    double *freq = NULL;
    if (st == ATE_OK && freqs) {
        int *idx = malloc((size_t)n * sizeof(int));
        freq = malloc(3 * (size_t)n * sizeof(double));
        st = idx && freq ? ATE_OK : ATE_ERROR(&err, ATE_ERR_MEMORY, "out of memory");
        for (int i = 0; i < n && idx; ++i)
            idx[i] = i;
        if (st == ATE_OK)
            st = ate_vib_frequencies(k, s, idx, n, 0.01 * ATE_ANGSTROM_BOHR, freq, &err);
        free(idx);
        if (st != ATE_OK) free(freq), freq = NULL;
    }
    calc_pseudos *ps = NULL;
#ifndef ATE_CLI_LAUNCHER
    /* provenance: the pseudopotential entry of each element, as the kernel chose it */
    if (rank == 0 && json && !strcmp(method, "pw") &&
        (st == ATE_OK || (st == ATE_ERR_NOT_CONVERGED && !freqs)) &&
        (ps = calloc(1, sizeof(*ps)))) {
        const int *zs = ate_structure_numbers(s);
        ate_error perr = {0};
        for (int i = 0; i < n; ++i) {
            int j = 0;
            while (j < ps->n && ps->z[j] != zs[i])
                ++j;
            if (j < ps->n) continue;
            ps->z[j] = zs[i], ps->n++;
            if (ate_kernel_pseudopotential(method, &ko, zs[i], &ps->info[j], &perr) != ATE_OK)
                ps->info[j].z_ion = NAN; /* cannot happen after a successful compute */
        }
    }
#endif
    if (rank == 0 && (st == ATE_OK || (st == ATE_ERR_NOT_CONVERGED && !freqs))) {
        if (json)
            print_json(&r, n, gradient, freq, relax ? &rx : NULL, rf.output, ps);
        else
            print_table(&r, s, freq, strcmp(method, "pw") == 0);
    }
    free(freq);
    free(ps);
    int rc = st == ATE_OK ? ATE_EXIT_OK : rank == 0 ? ate_cli_report_error(&err) : ATE_EXIT_FAILED;
    if (rc == ATE_EXIT_OK && relax && !rx.converged) {
        if (rank == 0)
            fprintf(stderr,
                    "atescreen: error: relax: not converged in %d steps (fmax %.4e eV/A); the "
                    "last geometry is in %s ('atescreen relax %s' continues)\n",
                    rx.steps, rx.fmax * ATE_HARTREE_BOHR_EV_ANGSTROM, rf.output, rf.output);
        rc = ATE_EXIT_FAILED;
    }
    free(r.charges);
    free(r.gradient);
    free(r.spins), free(r.dband_centre), free(moments);
    ate_kernel_destroy(&k);
    ate_structure_destroy(&s);
    ate_structure_destroy(&file);
#ifndef ATE_CLI_LAUNCHER
    if (mpi_here) MPI_Finalize();
#endif
    return rc;
}

int ate_cli_calc(int argc, char **argv) { return calc_main(argc, argv, false); }

int ate_cli_relax(int argc, char **argv) { return calc_main(argc, argv, true); }
