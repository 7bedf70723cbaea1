/* ate_adsorbate_place geometry: every adsorbate on the top site of an FeN4-like site (periodic and
 * not, both faces), on an Fe-Co bridge (inside the cell, across the cell boundary, at the minimum
 * height); bond lengths to 1e-6 Å, angles to 1e-4°, tags/fixed/info/cell kept, no contact below
 * 0.9 Å, and the tilt azimuth the most open of the 72 tried (checked by turning the placed atoms
 * through every azimuth). Prints the measured geometry. */
#include <string.h>

#include "ads_fixtures.h"
#include "ate_test.h"

#define TOL_LEN 1e-6 /* Å */
#define TOL_ANG 1e-4 /* degrees */

static const double *atom(const ate_structure *s, int i)
{
    return ate_structure_positions(s) + 3 * i;
}

/* Shortest distance (bohr) from pts[0..n) to the atoms of s (periodic images included). */
static double score(const ate_structure *s, const double (*pts)[3], int n)
{
    double best = INFINITY;
    for (int a = 0; a < n; ++a)
        for (int j = 0; j < ate_structure_natoms(s); ++j)
            best = fmin(best, ate_structure_point_distance(s, pts[a], j));
    return best;
}

/* Ranking of an azimuth (orientation.c): the 8 shortest contacts (bohr) of pts[0..n) with the
 * atoms of s, ascending; a is more open than b when lexicographically larger (1e-9 bohr). */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void contacts(const ate_structure *s, const double (*pts)[3], int n, double out[8])
{
    int nc = 0, n0 = ate_structure_natoms(s);
    double all[3 * FIX_MAX_ATOMS];
    for (int a = 0; a < n; ++a)
        for (int j = 0; j < n0; ++j)
            all[nc++] = ate_structure_point_distance(s, pts[a], j);
    qsort(all, (size_t)nc, sizeof(double), cmp_double);
    for (int k = 0; k < 8; ++k)
        out[k] = k < nc ? all[k] : INFINITY;
}

static int more_open(const double a[8], const double b[8])
{
    for (int k = 0; k < 8; ++k) {
        if (a[k] > b[k] + 1e-9) return 1;
        if (a[k] < b[k] - 1e-9) return -1;
    }
    return 0;
}

/* The tilted atoms (from index first of the adsorbate) turned about the vertical through x to
 * every grid azimuth: none is more open than the chosen one, and none before it (smaller
 * azimuth) is as open. Returns the chosen azimuth of atom `first` around x, degrees in [0, 360). */
static double check_open(const ate_structure *clean, const ate_structure *s, int n0, int first,
                         int nads, const char *label)
{
    const double *x = atom(s, n0);
    double pts[3][3], chosen[3][3], best[8], c8[8];
    int nt = nads - first;
    for (int a = 0; a < nt; ++a)
        memcpy(chosen[a], atom(s, n0 + first + a), sizeof(chosen[a]));
    double phi0 = atan2(chosen[0][1] - x[1], chosen[0][0] - x[0]);
    double deg = fmod(phi0 * 180.0 / ATE_PI + 360.0 + 1e-7, 360.0) - 1e-7;
    contacts(clean, (const double(*)[3])chosen, nt, best);
    for (int g = 0; g < 72; ++g) {
        double t = 2.0 * ATE_PI * g / 72 - phi0, c = cos(t), sn = sin(t);
        for (int a = 0; a < nt; ++a) {
            double dx = chosen[a][0] - x[0], dy = chosen[a][1] - x[1];
            pts[a][0] = x[0] + c * dx - sn * dy, pts[a][1] = x[1] + sn * dx + c * dy;
            pts[a][2] = chosen[a][2];
        }
        contacts(clean, (const double(*)[3])pts, nt, c8);
        int cmp = more_open(c8, best);
        CHECK(cmp < 0 || (cmp == 0 && 5.0 * g >= deg - 1e-6),
              "%s: azimuth %d° is at least as open as the chosen %.1f° (%.6f vs %.6f bohr)", label,
              5 * g, deg, c8[0], best[0]);
    }
    CHECK(fmod(deg + 1e-7, 5.0) < 1e-6, "%s: azimuth %.9f° is not on the 5° grid", label, deg);
    return deg;
}

/* Everything but the adsorbate's own geometry: atoms kept, tags, fixed, cell, info, contacts. */
static void check_bookkeeping(const ate_structure *clean, const ate_structure *s, ate_adsorbate ads,
                              const char *label)
{
    static const int zz[ATE_ADS_COUNT][3] = {{8, 1, 0}, {8, 0, 0}, {8, 8, 1}, {1, 0, 0}};
    int n0 = ate_structure_natoms(clean), na = ate_adsorbate_natoms(ads);
    CHECK(ate_structure_natoms(s) == n0 + na, "%s: %d atoms", label, ate_structure_natoms(s));
    if (ate_structure_natoms(s) != n0 + na) return;
    CHECK(memcmp(ate_structure_positions(s), ate_structure_positions(clean),
                 (size_t)n0 * 3 * sizeof(double)) == 0,
          "%s: clean positions changed", label);
    CHECK(memcmp(ate_structure_numbers(s), ate_structure_numbers(clean),
                 (size_t)n0 * sizeof(int)) == 0,
          "%s: numbers changed", label);
    CHECK(memcmp(ate_structure_tags(s), ate_structure_tags(clean), (size_t)n0 * sizeof(int)) == 0,
          "%s: tags changed", label);
    CHECK(memcmp(ate_structure_fixed(s), ate_structure_fixed(clean),
                 (size_t)n0 * 3 * sizeof(bool)) == 0,
          "%s: fixed flags changed", label);
    for (int a = 0; a < na; ++a) {
        int i = n0 + a;
        CHECK(ate_structure_numbers(s)[i] == zz[ads][a], "%s: Z of atom %d", label, i);
        CHECK(ate_structure_tags(s)[i] == ATE_TAG_ADSORBATE, "%s: tag of atom %d", label, i);
        const bool *f = ate_structure_fixed(s) + 3 * i;
        CHECK(!f[0] && !f[1] && !f[2], "%s: adsorbate atom %d fixed", label, i);
        for (int j = 0; j < n0 + na; ++j) {
            double d = ate_structure_distance(s, i, j) * ATE_BOHR_ANGSTROM;
            CHECK(d >= 0.9, "%s: atoms %d and %d %.3f Å apart", label, i, j, d);
        }
    }
    CHECK(memcmp(ate_structure_cell(s), ate_structure_cell(clean), 9 * sizeof(double)) == 0,
          "%s: cell", label);
    bool p0[3], p1[3];
    ate_structure_pbc(clean, p0), ate_structure_pbc(s, p1);
    CHECK(memcmp(p0, p1, sizeof(p0)) == 0, "%s: pbc", label);
    CHECK(ate_structure_charge(s) == ate_structure_charge(clean), "%s: charge", label);
    CHECK(ate_structure_uhf(s) == ATE_UHF_AUTO, "%s: uhf %d", label, ate_structure_uhf(s));
    CHECK(ate_structure_info_count(s) == 2, "%s: info count", label);
    CHECK_STR(ate_structure_info_get(s, "name"), "test-site");
    CHECK_STR(ate_structure_info_get(s, "family"), "symmetric");
}

/* Adsorbate geometry relative to the point `below` (metal or M-M midpoint) straight under X. */
static void check_geometry(const ate_structure *s, int n0, ate_adsorbate ads, int face,
                           const char *label)
{
    const double *x = atom(s, n0);
    double below[3] = {x[0], x[1], x[2] - face * ATE_ANGSTROM_BOHR};
    if (ads == ATE_ADS_OH) {
        CHECK_CLOSE(dist_ang(x, atom(s, n0 + 1)), 0.98, TOL_LEN, label);
        CHECK_CLOSE(angle_deg(below, x, atom(s, n0 + 1)), 110.0, TOL_ANG, label);
    } else if (ads == ATE_ADS_OOH) {
        const double *o2 = atom(s, n0 + 1), *h = atom(s, n0 + 2);
        CHECK_CLOSE(dist_ang(x, o2), 1.45, TOL_LEN, label);
        CHECK_CLOSE(angle_deg(below, x, o2), 115.0, TOL_ANG, label);
        CHECK_CLOSE(dist_ang(o2, h), 0.98, TOL_LEN, label);
        CHECK_CLOSE(angle_deg(x, o2, h), 100.0, TOL_ANG, label);
        CHECK_CLOSE(fabs(dihedral_deg(below, x, o2, h)), 180.0, TOL_ANG, label);
        CHECK(face * (h[2] - o2[2]) > 0.9 * ATE_ANGSTROM_BOHR, "%s: H not pointing away", label);
    }
}

static void place_ok(const ate_structure *clean, ate_adsorbate ads, ate_ads_site site,
                     ate_structure **s, const char *label)
{
    ate_error err;
    ate_error_clear(&err);
    ate_status st = ate_adsorbate_place(clean, ads, &site, s, &err);
    CHECK(st == ATE_OK, "%s: %s", label, err.message);
    if (st == ATE_OK) check_bookkeeping(clean, *s, ads, label);
}

/* Top site of atom 0 of fx, every adsorbate, both faces; expected OH/OOH azimuths per face
 * (negative: only the grid check). Returns the H position of *OH on face +1 (bohr) in h_out. */
static void run_top(const fixture *fx, const char *name, double az_plus, double az_minus,
                    double h_out[3])
{
    ate_structure *clean = NULL;
    ate_error err;
    CHECK(fix_create(fx, 2, &clean, &err) == ATE_OK, "%s: %s", name, err.message);
    if (!clean) return;
    int n0 = ate_structure_natoms(clean);
    const double *m = atom(clean, 0);
    for (int face = 1; face >= -1; face -= 2)
        for (int a = 0; a < ATE_ADS_COUNT; ++a) {
            ate_adsorbate ads = (ate_adsorbate)a;
            char label[96];
            snprintf(label, sizeof(label), "%s *%s top face %+d", name, ate_adsorbate_name(ads),
                     face);
            ate_structure *s = NULL;
            place_ok(clean, ads, (ate_ads_site){ATE_ADS_SITE_TOP, {0, 0}, face}, &s, label);
            if (!s) continue;
            const double *x = atom(s, n0);
            double d = ads == ATE_ADS_H ? 1.6 : 1.8;
            CHECK_CLOSE((x[0] - m[0]) * ATE_BOHR_ANGSTROM, 0.0, TOL_LEN, label);
            CHECK_CLOSE((x[1] - m[1]) * ATE_BOHR_ANGSTROM, 0.0, TOL_LEN, label);
            CHECK_CLOSE((x[2] - m[2]) * ATE_BOHR_ANGSTROM, face * d, TOL_LEN, label);
            check_geometry(s, n0, ads, face, label);
            if (ads == ATE_ADS_OH || ads == ATE_ADS_OOH) {
                double az = check_open(clean, s, n0, 1, ate_adsorbate_natoms(ads), label);
                double want = face > 0 ? az_plus : az_minus;
                if (want >= 0) CHECK_CLOSE(az, want, TOL_ANG, label);
                const double *t = atom(s, n0 + ate_adsorbate_natoms(ads) - 1);
                fprintf(stderr, "%-40s M-X %.6f  tilt azimuth %5.1f°  H-support min %.3f Å\n",
                        label, dist_ang(m, x), az,
                        score(clean, (const double(*)[3])t, 1) * ATE_BOHR_ANGSTROM);
                if (ads == ATE_ADS_OH && face > 0 && h_out) memcpy(h_out, t, 3 * sizeof(double));
            }
            ate_structure_destroy(&s);
        }
    ate_structure_destroy(&clean);
}

/* Fe-Co bridge: X above the minimum-image midpoint, equal M-X, height h (Å). */
static void run_bridge(const fixture *fx, const char *name, ate_adsorbate only, double want_h)
{
    ate_structure *clean = NULL;
    ate_error err;
    CHECK(fix_create(fx, ATE_UHF_AUTO, &clean, &err) == ATE_OK, "%s: %s", name, err.message);
    if (!clean) return;
    int n0 = ate_structure_natoms(clean);
    for (int face = 1; face >= -1; face -= 2)
        for (int a = 0; a < ATE_ADS_COUNT; ++a) {
            ate_adsorbate ads = (ate_adsorbate)a;
            if ((int)only >= 0 && ads != only) continue;
            char label[96];
            snprintf(label, sizeof(label), "%s *%s bridge face %+d", name, ate_adsorbate_name(ads),
                     face);
            ate_structure *s = NULL;
            place_ok(clean, ads, (ate_ads_site){ATE_ADS_SITE_BRIDGE, {0, 1}, face}, &s, label);
            if (!s) continue;
            double d = ads == ATE_ADS_H ? 1.6 : 1.8;
            double d0 = ate_structure_distance(s, 0, n0) * ATE_BOHR_ANGSTROM;
            double d1 = ate_structure_distance(s, 1, n0) * ATE_BOHR_ANGSTROM;
            double h = want_h > 0 ? want_h : sqrt(d * d - 1.25 * 1.25);
            CHECK_CLOSE(d0, want_h > 0 ? sqrt(4.0 + h * h) : d, TOL_LEN, label);
            CHECK_CLOSE(d1, d0, TOL_LEN, label);
            CHECK_CLOSE((atom(s, n0)[2] - atom(s, 0)[2]) * ATE_BOHR_ANGSTROM, face * h, TOL_LEN,
                        label);
            check_geometry(s, n0, ads, face, label);
            if (ads == ATE_ADS_OH || ads == ATE_ADS_OOH) {
                double az = check_open(clean, s, n0, 1, ate_adsorbate_natoms(ads), label);
                fprintf(stderr, "%-40s M-X %.6f/%.6f  height %.6f  tilt azimuth %5.1f°\n", label,
                        d0, d1, face * (atom(s, n0)[2] - atom(s, 0)[2]) * ATE_BOHR_ANGSTROM, az);
            }
            ate_structure_destroy(&s);
        }
    ate_structure_destroy(&clean);
}

static double wrap(double x, double cell) { return cell > 0 ? fmod(x + cell, cell) : x; }

static void bridge_fixture(fixture *f, double x0, double dx, double cell)
{
    *f = (fixture){.cell = {cell, cell, cell > 0 ? 15.0 : 0.0}};
    double mid = x0 + 0.5 * dx;
    fix_add(f, 26, x0, 5.0, 7.5);
    fix_add(f, 27, wrap(x0 + dx, cell), 5.0, 7.5);
    fix_add(f, 7, wrap(mid, cell), 3.4, 7.5);
    fix_add(f, 7, wrap(mid, cell), 6.6, 7.5);
}

int main(void)
{
    const double o[3] = {5.0, 5.0, 7.5};
    fixture fx = {.cell = {10.0, 10.0, 15.0}};
    fix_fen4(&fx, o);
    run_top(&fx, "FeN4 periodic", 45.0, 45.0, NULL); /* D4h: ties go to the smallest azimuth */
    fx.cell[0] = fx.cell[1] = fx.cell[2] = 0.0;
    run_top(&fx, "FeN4 molecule", 45.0, 45.0, NULL);

    /* a C above the +z face at azimuth 45° pushes the tilt to 225° on that face */
    fix_add(&fx, 6, o[0] + 1.2, o[1] + 1.2, o[2] + 1.6);
    run_top(&fx, "FeN4+C molecule", 225.0, -1.0, NULL);

    /* the same crowding reached only through the periodic boundary (Fe at x = 0.5 Å, crowding C
     * at 225°): periodic wrapped = molecule unwrapped, tilt 45° */
    double hp[3] = {0}, hm[3] = {0};
    const double o2[3] = {0.5, 5.0, 7.5};
    fixture wr = {.cell = {10.0, 10.0, 15.0}}, un = {0};
    fix_fen4(&un, o2);
    fix_add(&un, 6, o2[0] - 1.2, o2[1] - 1.2, o2[2] + 1.6);
    wr.n = un.n;
    for (int i = 0; i < un.n; ++i) {
        wr.z[i] = un.z[i];
        memcpy(wr.r[i], un.r[i], sizeof(wr.r[i]));
        wr.r[i][0] = fmod(un.r[i][0] + 10.0, 10.0);
    }
    run_top(&wr, "FeN4+C across the boundary", 45.0, -1.0, hp);
    run_top(&un, "FeN4+C unwrapped molecule", 45.0, -1.0, hm);
    for (int k = 0; k < 3; ++k)
        CHECK_CLOSE(hp[k] * ATE_BOHR_ANGSTROM, hm[k] * ATE_BOHR_ANGSTROM, TOL_LEN, "H wrapped");

    fixture br;
    bridge_fixture(&br, 4.0, 2.5, 10.0);
    run_bridge(&br, "FeCo periodic", (ate_adsorbate)-1, 0.0);
    bridge_fixture(&br, 4.0, 2.5, 0.0);
    run_bridge(&br, "FeCo molecule", (ate_adsorbate)-1, 0.0);
    bridge_fixture(&br, 0.75, -2.5, 10.0); /* Co at x = 8.25 Å: the bridge crosses x = 0 */
    run_bridge(&br, "FeCo across the boundary", (ate_adsorbate)-1, 0.0);
    bridge_fixture(&br, 3.0, 4.0, 0.0); /* M-M 4 Å: *H at the 0.8 Å minimum height */
    run_bridge(&br, "FeCo 4 A apart", ATE_ADS_H, 0.8);
    return ate_test_finish("test_ads_place");
}
