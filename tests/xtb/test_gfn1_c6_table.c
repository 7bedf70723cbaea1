/* The D3 C6 table compiled into the kernel (kernels/xtb/gfn1_c6_table.h) against the reference,
 * the parsed inputs/params/d3/c6ref.tsv: the same bits in every C6 value and every reference CN.
 * The compiled-in rows are used for the shipped file and for an identical copy elsewhere, never
 * for an edited copy (which is parsed: its edited value is what the kernel gets). The generator
 * converts a small table and refuses one that is not plain decimals (an empty table: the kernel
 * then parses the file and reports the error). */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ate_test.h"
#include "gfn1_params.h"

static gfn1_params *load(const char *dir, int source)
{
    gfn1_params *p = NULL;
    ate_error err;
    if (gfn1_params_load_from(dir, source, &p, &err) != ATE_OK)
        fprintf(stderr, "load %s: %s\n", dir, err.message);
    return p;
}

/* Largest |difference| and count of differing bits-patterns between the two D3 tables. */
static int compare(const gfn1_params *a, const gfn1_params *b, double *maxdiff)
{
    int ndiff = 0;
    *maxdiff = 0.0;
    const double *ca = &a->c6[0][0][0][0], *cb = &b->c6[0][0][0][0];
    size_t n = (size_t)(GFN1_MAXZ + 1) * (GFN1_MAXZ + 1) * GFN1_D3_MAXREF * GFN1_D3_MAXREF;
    for (size_t i = 0; i < n; ++i)
        if (memcmp(&ca[i], &cb[i], sizeof(double)) != 0) {
            ++ndiff;
            if (fabs(ca[i] - cb[i]) > *maxdiff) *maxdiff = fabs(ca[i] - cb[i]);
        }
    for (int z = 0; z <= GFN1_MAXZ; ++z) {
        ndiff += a->el[z].nref != b->el[z].nref;
        for (int r = 0; r < GFN1_D3_MAXREF; ++r)
            if (memcmp(&a->el[z].cnref[r], &b->el[z].cnref[r], sizeof(double)) != 0) {
                ++ndiff;
                double d = fabs(a->el[z].cnref[r] - b->el[z].cnref[r]);
                if (d > *maxdiff) *maxdiff = d;
            }
    }
    return ndiff;
}

static int copy_file(const char *from, const char *to, const char *find, const char *replace)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    if (!in || !out) return -1;
    char line[512];
    bool done = !find;
    while (fgets(line, sizeof line, in)) {
        char *at = done ? NULL : strstr(line, find);
        if (at) {
            fwrite(line, 1, (size_t)(at - line), out);
            fputs(replace, out);
            fputs(at + strlen(find), out);
            done = true;
        } else {
            fputs(line, out);
        }
    }
    fclose(in);
    return fclose(out);
}

/* dir/gfn1/<tables> copied from the shipped directory, dir/d3/c6ref.tsv with find -> replace. */
static int make_param_dir(const char *dir, const char *find, const char *replace)
{
    static const char *gfn1[] = {"globals", "pairs",   "elements", "element_data",
                                 "sto",     "eeq2019", "spin"};
    char a[1024], b[1024];
    snprintf(a, sizeof a, "%s/gfn1", dir), mkdir(dir, 0777), mkdir(a, 0777);
    snprintf(a, sizeof a, "%s/d3", dir), mkdir(a, 0777);
    for (size_t k = 0; k < sizeof gfn1 / sizeof gfn1[0]; ++k) {
        snprintf(a, sizeof a, "%s/gfn1/%s.tsv", ATE_PARAM_DIR, gfn1[k]);
        snprintf(b, sizeof b, "%s/gfn1/%s.tsv", dir, gfn1[k]);
        if (copy_file(a, b, NULL, NULL)) return -1;
    }
    snprintf(a, sizeof a, "%s/d3/c6ref.tsv", ATE_PARAM_DIR);
    snprintf(b, sizeof b, "%s/d3/c6ref.tsv", dir);
    return copy_file(a, b, find, replace);
}

/* Run the generator on text; returns its exit status and the generated source in out. */
static int generate(const char *text, char *out, size_t cap)
{
    FILE *f = fopen("gen_in.tsv", "w");
    fputs(text, f);
    fclose(f);
    int rc = system(ATE_GEN_C6 " gen_in.tsv gen_out.c 2>/dev/null");
    f = fopen("gen_out.c", "r");
    size_t n = f ? fread(out, 1, cap - 1, f) : 0;
    out[n] = '\0';
    if (f) fclose(f);
    return rc;
}

int main(void)
{
    gfn1_params *ref = load(ATE_PARAM_DIR, GFN1_C6_PARSE),
                *fast = load(ATE_PARAM_DIR, GFN1_C6_AUTO);
    CHECK(ref && fast, "loading the shipped parameters");
    if (!ref || !fast) return ate_test_finish("test_gfn1_c6_table");
    CHECK(!ref->c6_builtin, "GFN1_C6_PARSE parses the file");
    CHECK(fast->c6_builtin, "the shipped c6ref.tsv uses the compiled-in rows");
    double maxdiff;
    int ndiff = compare(ref, fast, &maxdiff);
    fprintf(stderr, "compiled-in vs parsed D3 table: %d values differ, largest |diff| %.3g\n",
            ndiff, maxdiff);
    CHECK(ndiff == 0, "%d values differ (largest %.3g)", ndiff, maxdiff);
    CHECK(ref->el[6].nref == 5 && ref->c6[6][6][0][0] > 0.0, "C has 5 references");

    /* an identical copy elsewhere: compiled-in rows; one edited value: parsed, edit visible */
    CHECK(make_param_dir("c6_same", NULL, NULL) == 0, "copying the parameters");
    gfn1_params *same = load("c6_same", GFN1_C6_AUTO);
    CHECK(same && same->c6_builtin, "an identical copy uses the compiled-in rows");
    CHECK(make_param_dir("c6_edited", "3.0267\t", "3.0268\t") == 0, "editing a copy");
    gfn1_params *edited = load("c6_edited", GFN1_C6_AUTO);
    CHECK(edited && !edited->c6_builtin, "an edited copy is parsed");
    if (edited) {
        CHECK(edited->c6[1][1][0][0] == 3.0268 && ref->c6[1][1][0][0] == 3.0267,
              "the edited H-H C6: %.6f (shipped %.6f)", edited->c6[1][1][0][0],
              ref->c6[1][1][0][0]);
        CHECK(compare(ref, edited, &maxdiff) == 1, "exactly the edited value differs");
    }

    /* the generator: a plain table, and one it must refuse */
    static char out[1 << 16];
    CHECK(generate("c6\tcode_i\tcode_j\tcn_i\tcn_j\n# note\n3.0267\t1.0000\t1\t\t0.9118\t9.9\r\n"
                   "-2.5e-1\t2\t1\t0\t+1.\n",
                   out, sizeof out) == 0,
          "generator on a plain table");
    CHECK(strstr(out, "{3.0267, 1.0000, 1.0, 0.9118, 9.9},\n    {-2.5e-1, 2.0, 1.0, 0.0, +1.},") &&
              strstr(out, ", 2, rows};"),
          "generated rows:\n%s", out);
    CHECK(generate("c6\tcode_i\tcode_j\tcn_i\tcn_j\n3.0\t1\t1\t0x1p3\t0\n", out, sizeof out) == 0,
          "generator on a hexadecimal number");
    CHECK(strstr(out, ", 0, rows};") != NULL, "hexadecimal: empty table\n%s", out);
    CHECK(generate("c6\tcode_i\tcode_j\tcn_i\tcn_j\n3.0\t1\t1\t0\n", out, sizeof out) == 0,
          "generator on a short row");
    CHECK(strstr(out, ", 0, rows};") != NULL, "short row: empty table\n%s", out);

    gfn1_params_destroy(&ref), gfn1_params_destroy(&fast);
    gfn1_params_destroy(&same), gfn1_params_destroy(&edited);
    return ate_test_finish("test_gfn1_c6_table");
}
