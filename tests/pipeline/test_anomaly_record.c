/**
 * @file test_anomaly_record.c
 * @brief Each anomaly flag on a hand-built FeN4 + *OH model (and the bonds that must not be
 *        flagged), and the journal record of a candidate result: exact round trip, rejection of
 *        truncated, corrupted and foreign records.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ate_test.h"
#include "atescreen/pipeline.h"
#include "atescreen/units.h"

enum { NAT = 9, METAL = 0, N_EAST = 1, C_A = 5, C_B = 6, O = 7, H = 8 };

/* Fe at the origin, four N at 1.9 Å in the plane, a C-C bond far away, *OH on top (Å). */
static const int z0[NAT] = {26, 7, 7, 7, 7, 6, 6, 8, 1};
static const double x0[NAT][3] = {{0, 0, 0},    {1.9, 0, 0},  {-1.9, 0, 0},
                                  {0, 1.9, 0},  {0, -1.9, 0}, {6.0, 0, 0},
                                  {7.42, 0, 0}, {0, 0, 1.8},  {0.92, 0, 2.13}};
/* tags as `atescreen sites` writes them: the metal and its first shell are the site (1) */
static const int tags0[NAT] = {1, 1, 1, 1, 1, 0, 0, 2, 2};

static ate_structure *make(const double (*x)[3])
{
    double b[NAT * 3];
    for (int i = 0; i < NAT; ++i)
        for (int k = 0; k < 3; ++k)
            b[3 * i + k] = x[i][k] * ATE_ANGSTROM_BOHR;
    ate_structure_desc d = {
        .natoms = NAT, .numbers = z0, .positions = b, .tags = tags0, .uhf = ATE_UHF_AUTO};
    ate_structure *s = NULL;
    ate_error err;
    CHECK(ate_structure_create(&d, &s, &err) == ATE_OK, "create: %s", err.message);
    return s;
}

/* Mask after moving atom i by (dx, dy, dz) Å (i = -1: the *OH group; i = -2: metal + OH). */
static unsigned moved(int i, double dx, double dy, double dz)
{
    double x[NAT][3];
    memcpy(x, x0, sizeof(x));
    for (int a = 0; a < NAT; ++a) {
        bool move = a == i || (i <= -1 && (a == O || a == H)) || (i == -2 && a == METAL);
        if (!move) continue;
        x[a][0] += dx, x[a][1] += dy, x[a][2] += dz;
    }
    ate_structure *s0 = make(x0), *s1 = make(x);
    unsigned m = s0 && s1 ? ate_anomaly_detect(s0, s1, METAL, O, ATE_ADS_OH) : 0xffffffffu;
    ate_structure_destroy(&s0), ate_structure_destroy(&s1);
    return m;
}

static void test_anomalies(void)
{
    CHECK(moved(H, 0, 0, 0) == 0, "unchanged structure flagged: %#x", moved(H, 0, 0, 0));
    CHECK(moved(-1, 0, 0, 3.0) == ATE_ANOMALY_DESORBED, "desorbed: %#x", moved(-1, 0, 0, 3.0));
    CHECK(moved(H, 1.1, 0, 0) == ATE_ANOMALY_DISSOCIATED, "dissociated: %#x", moved(H, 1.1, 0, 0));
    /* O-H stretched to 1.31 Å stays a bond (hysteresis between 1.2x and 1.5x the radii) */
    CHECK(moved(H, 0.3, 0, 0) == 0, "stretched O-H flagged: %#x", moved(H, 0.3, 0, 0));
    CHECK(moved(-2, 0, 0, 0.8) == ATE_ANOMALY_METAL_OUT_OF_PLANE, "metal lifted: %#x",
          moved(-2, 0, 0, 0.8));
    CHECK(moved(-2, 0, 0, 0.3) == 0, "metal lifted 0.3 Å flagged: %#x", moved(-2, 0, 0, 0.3));
    CHECK(moved(N_EAST, 1.6, 0, 0) == ATE_ANOMALY_FIRST_SHELL_BROKEN, "first shell: %#x",
          moved(N_EAST, 1.6, 0, 0));
    /* Fe-N 1.9 -> 2.5 Å (+32 %, inside 1.5 x the radii sum): broken by elongation; +16 %: not */
    CHECK(moved(N_EAST, 0.6, 0, 0) == ATE_ANOMALY_FIRST_SHELL_BROKEN, "first shell +32%%: %#x",
          moved(N_EAST, 0.6, 0, 0));
    CHECK(moved(N_EAST, 0.3, 0, 0) == 0, "first shell +16%% flagged: %#x",
          moved(N_EAST, 0.3, 0, 0));
    CHECK(moved(C_B, 1.5, 0, 0) == ATE_ANOMALY_SUPPORT_RECONSTRUCTED, "support bond broken: %#x",
          moved(C_B, 1.5, 0, 0));
    /* a new support bond: the far C moves next to the east N */
    CHECK(moved(C_A, -2.7, 0, 0) == ATE_ANOMALY_SUPPORT_RECONSTRUCTED, "support bond formed: %#x",
          moved(C_A, -2.7, 0, 0));
    for (int b = 0; b < ATE_ANOMALY_NFLAGS; ++b)
        CHECK(strcmp(ate_anomaly_name(b), "?") != 0, "bit %d has no name", b);
}

static void fill(ate_candidate_result *r)
{
    memset(r, 0, sizeof(*r));
    strcpy(r->id, "c0123456789abcdef");
    strcpy(r->name, "Fe-N4");
    strcpy(r->family, "symmetric");
    r->nmetals = 1, r->metal_z[0] = 26, r->natoms = 7, r->status = ATE_RESULT_FAILED;
    strcpy(r->fail_reason, "OOH@top: SCF did not converge");
    r->dg = (ate_che_dg){0.8, 2.1, 3.9, NAN};
    r->de = (ate_che_dg){0.5, 2.0, 3.5, -0.1};
    ate_che_activity_compute(&r->dg, &r->act);
    r->ul_orr_tandem = r->ul_oer_tandem = NAN;
    for (int s = 0; s < ATE_STATE_COUNT; ++s)
        r->uhf[s] = s;
    r->metal_charge = 0.31, r->metal_spin = 1.9, r->dband_centre = -1.7, r->homo_lumo_gap = 0.2;
    r->anomaly = ATE_ANOMALY_DESORBED, r->wall_s = 12.5, r->rank = 1;
    r->nstates = 2;
    r->states = calloc(2, sizeof(*r->states));
    for (int i = 0; i < 2; ++i) {
        ate_state_result *s = &r->states[i];
        s->state = i;
        strcpy(s->site, i ? "top" : "-");
        s->ok = i == 0;
        s->uhf = 2, s->energy = -1234.5 - i, s->converged = true, s->opt_steps = 17;
        s->fmax = 0.04, s->scf_attempts = 2, s->etemp = 300, s->anomaly = (unsigned)i;
        s->metal_charge = 0.3, s->metal_spin = NAN, s->dband_centre = -1.5, s->homo_lumo_gap = 1;
        s->zpe = 0.37 + i, s->cp = i ? 0.05 : NAN, s->ts = 0.11, s->nimag = i + 1;
        s->initial = make(x0);
        if (s->ok) {
            s->final = make(x0);
            s->charges = calloc(NAT, sizeof(double));
            s->spins = calloc(NAT, sizeof(double));
            s->charges[3] = -0.25, s->spins[0] = 2.0;
        } else {
            strcpy(s->fail_reason, "SCF did not converge");
        }
        s->nattempts = 2;
        s->attempts = calloc(2, sizeof(ate_attempt));
        s->attempts[0] = (ate_attempt){2, ATE_RUNG_DEFAULT, 300, NAN, false, 250, "no conv"};
        s->attempts[1] = (ate_attempt){2, ATE_RUNG_HOT, 1500, -1234.5, true, 40, ""};
    }
}

static bool same_double(double a, double b) { return (a != a && b != b) || a == b; }

static void test_record(void)
{
    ate_candidate_result r, back;
    fill(&r);
    void *buf = NULL;
    size_t len = 0;
    ate_error err;
    CHECK(ate_candidate_result_pack(&r, &buf, &len, &err) == ATE_OK, "pack: %s", err.message);
    CHECK(ate_candidate_result_unpack(buf, len, &back, &err) == ATE_OK, "unpack: %s", err.message);
    CHECK_STR(back.id, r.id);
    CHECK_STR(back.name, r.name);
    CHECK_STR(back.fail_reason, r.fail_reason);
    CHECK(back.status == r.status && back.rank == 1 && back.anomaly == r.anomaly, "ints");
    int peek = -1; /* the status read from the header alone */
    CHECK(ate_candidate_result_status(buf, len, &peek) && peek == r.status, "status peek %d", peek);
    CHECK(!ate_candidate_result_status(buf, 10, &peek), "status of a truncated header");
    CHECK(same_double(back.dg.h, r.dg.h) && back.dg.ooh == r.dg.ooh && back.de.h == r.de.h,
          "free energies");
    CHECK(back.act.ul_oer == r.act.ul_oer && back.act.pds_orr == r.act.pds_orr, "activity");
    CHECK(back.nstates == 2, "states %d", back.nstates);
    for (int i = 0; i < 2 && back.nstates == 2; ++i) {
        const ate_state_result *a = &r.states[i], *b = &back.states[i];
        CHECK(a->ok == b->ok && a->energy == b->energy && a->uhf == b->uhf, "state %d", i);
        CHECK(same_double(a->metal_spin, b->metal_spin), "NaN survives");
        CHECK(b->zpe == a->zpe && same_double(a->cp, b->cp) && b->ts == a->ts &&
                  b->nimag == a->nimag,
              "harmonic corrections %d", i);
        CHECK(memcmp(ate_structure_positions(a->initial), ate_structure_positions(b->initial),
                     NAT * 3 * sizeof(double)) == 0,
              "positions bit-identical");
        CHECK(memcmp(ate_structure_tags(a->initial), ate_structure_tags(b->initial),
                     NAT * sizeof(int)) == 0,
              "tags");
        CHECK((a->final == NULL) == (b->final == NULL), "final presence");
        if (a->charges && b->charges) CHECK(b->charges[3] == -0.25 && b->spins[0] == 2.0, "q");
        CHECK(b->nattempts == 2 && b->attempts[1].rung == ATE_RUNG_HOT &&
                  b->attempts[1].etemp == 1500 && !strcmp(b->attempts[0].message, "no conv"),
              "attempts");
    }
    ate_candidate_result_clear(&back);
    /* every truncation is rejected */
    int accepted = 0;
    for (size_t cut = 0; cut < len; cut += 7)
        if (ate_candidate_result_unpack(buf, cut, &back, &err) == ATE_OK) {
            ++accepted;
            ate_candidate_result_clear(&back);
        }
    CHECK(accepted == 0, "%d truncated records accepted", accepted);
    ((unsigned char *)buf)[0] = 'X';
    CHECK(ate_candidate_result_unpack(buf, len, &back, &err) == ATE_ERR_INPUT, "bad magic");
    CHECK(strstr(err.message, "not a candidate result") != NULL, "%s", err.message);
    ((unsigned char *)buf)[0] = 'A';
    ((unsigned char *)buf)[6] = 9; /* version */
    CHECK(ate_candidate_result_unpack(buf, len, &back, &err) == ATE_ERR_INPUT, "version");
    CHECK(strstr(err.message, "version 9") != NULL, "%s", err.message);
    free(buf);
    ate_candidate_result_clear(&r);
}

int main(void)
{
    test_anomalies();
    test_record();
    return ate_test_finish("test_anomaly_record");
}
