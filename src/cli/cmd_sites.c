/**
 * @file cmd_sites.c
 * @brief `atescreen sites CAMPAIGN.yaml -o DIR`: enumerate the campaign's candidates and write one
 *        extxyz per candidate and adsorbate state, an index (TSV and JSON) and counts by family.
 *
 * Layout: DIR/<id>/clean.extxyz, DIR/<id>/<ADS>_<site>.extxyz, DIR/index.tsv, DIR/index.json.
 * Every file is written under a temporary name and renamed, so an interrupted run never leaves a
 * truncated file. Under MPI only rank 0 writes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mpi.h>

#include "atescreen/adsorbates.h"
#include "atescreen/campaign_io.h"
#include "atescreen/elements.h"
#include "atescreen/sites.h"
#include "atescreen/structio.h"
#include "cli.h"

static void usage(FILE *out)
{
    fprintf(
        out,
        "usage: atescreen sites CAMPAIGN.yaml -o DIR [--no-adsorbates] [--quiet]\n\n"
        "Enumerate the symmetry-distinct catalytic sites of a campaign and write\n"
        "DIR/<id>/clean.extxyz, DIR/<id>/<ADS>_<site>.extxyz, DIR/index.tsv and DIR/index.json.\n");
}

/* Write s to path atomically (temporary file + rename). */
static ate_status write_atomic(const char *path, const ate_structure *s, ate_error *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    ATE_TRY(ate_structure_write(tmp, ATE_FORMAT_EXTXYZ, s, err));
    if (rename(tmp, path) != 0)
        return ATE_ERROR(err, ATE_ERR_IO, "cannot rename '%s' to '%s': %s", tmp, path,
                         strerror(errno));
    return ATE_OK;
}

typedef struct index_row {
    const ate_candidate *c;
    char state[16], site[16], file[96];
    int natoms;
} index_row;

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; ++s) {
        if (*s == '"' || *s == '\\') fputc('\\', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static ate_status write_index(const char *dir, const index_row *rows, int n, ate_error *err)
{
    char path[4200], tmp[4300];
    for (int pass = 0; pass < 2; ++pass) {
        snprintf(path, sizeof(path), "%s/%s", dir, pass ? "index.json" : "index.tsv");
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        FILE *f = fopen(tmp, "w");
        if (!f) return ATE_ERROR(err, ATE_ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
        if (!pass)
            fprintf(f, "id\tname\tfamily\tmetals\tfirst_shell_cn\tstate\tsite\tnatoms\tfile\n");
        else
            fprintf(f, "[\n");
        for (int i = 0; i < n; ++i) {
            const ate_candidate *c = rows[i].c;
            char metals[16] = "", cn[16] = "";
            for (int k = 0; k < c->nmetals; ++k) {
                size_t lm = strlen(metals), lc = strlen(cn);
                snprintf(metals + lm, sizeof(metals) - lm, "%s%s", k ? "," : "",
                         ate_element_symbol(c->metal_z[k]));
                snprintf(cn + lc, sizeof(cn) - lc, "%s%d", k ? "," : "", c->first_shell_cn[k]);
            }
            if (!pass) {
                fprintf(f, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", c->id, c->name, c->family,
                        metals, cn, rows[i].state, rows[i].site, rows[i].natoms, rows[i].file);
                continue;
            }
            fprintf(f, "  {\"id\": \"%s\", \"name\": ", c->id);
            json_string(f, c->name);
            fprintf(f, ", \"family\": \"%s\", \"metals\": [", c->family);
            for (int k = 0; k < c->nmetals; ++k)
                fprintf(f, "%s\"%s\"", k ? ", " : "", ate_element_symbol(c->metal_z[k]));
            fprintf(f, "], \"first_shell_cn\": [");
            for (int k = 0; k < c->nmetals; ++k)
                fprintf(f, "%s%d", k ? ", " : "", c->first_shell_cn[k]);
            fprintf(f,
                    "], \"state\": \"%s\", \"site\": \"%s\", \"natoms\": %d, \"file\": \"%s\", "
                    "\"description\": ",
                    rows[i].state, rows[i].site, rows[i].natoms, rows[i].file);
            json_string(f, c->description);
            fprintf(f, "}%s\n", i + 1 < n ? "," : "");
        }
        if (pass) fprintf(f, "]\n");
        if (fclose(f) != 0 || rename(tmp, path) != 0)
            return ATE_ERROR(err, ATE_ERR_IO, "cannot write '%s': %s", path, strerror(errno));
    }
    return ATE_OK;
}

/* Write every structure of every candidate; fills rows (caller-allocated, large enough). */
static ate_status write_all(const ate_campaign_spec *spec, const ate_candidate_list *list,
                            const char *dir, bool adsorbates, index_row *rows, int *nrows,
                            ate_error *err)
{
    char path[4200];
    *nrows = 0;
    for (int i = 0; i < ate_candidate_list_count(list); ++i) {
        const ate_candidate *c = ate_candidate_list_get(list, i);
        snprintf(path, sizeof(path), "%s/%s", dir, c->id);
        ATE_TRY(ate_cli_make_dir(path, err));
        index_row *r = &rows[(*nrows)++];
        *r = (index_row){.c = c, .natoms = ate_structure_natoms(c->structure)};
        snprintf(r->state, sizeof(r->state), "clean");
        snprintf(r->site, sizeof(r->site), "-");
        snprintf(r->file, sizeof(r->file), "%s/clean.extxyz", c->id);
        snprintf(path, sizeof(path), "%s/%s", dir, r->file);
        ATE_TRY(write_atomic(path, c->structure, err));
        for (int a = 0; adsorbates && a < spec->nadsorbates; ++a)
            for (int k = 0; k < c->nads_sites; ++k) {
                ate_adsorbate ads = spec->adsorbates[a];
                ate_structure *s = NULL;
                ate_status st = ate_adsorbate_place(c->structure, ads, &c->ads_sites[k], &s, err);
                char state[48];
                snprintf(state, sizeof(state), "%s@%s", ate_adsorbate_name(ads),
                         c->ads_site_labels[k]);
                if (st == ATE_OK) st = ate_structure_info_set(s, "ate_state", state, err);
                r = &rows[(*nrows)++];
                *r = (index_row){.c = c, .natoms = s ? ate_structure_natoms(s) : 0};
                snprintf(r->state, sizeof(r->state), "%s", ate_adsorbate_name(ads));
                snprintf(r->site, sizeof(r->site), "%s", c->ads_site_labels[k]);
                snprintf(r->file, sizeof(r->file), "%s/%s_%s.extxyz", c->id,
                         ate_adsorbate_name(ads), c->ads_site_labels[k]);
                snprintf(path, sizeof(path), "%s/%s", dir, r->file);
                if (st == ATE_OK) st = write_atomic(path, s, err);
                ate_structure_destroy(&s);
                if (st != ATE_OK) {
                    ate_error_prefix(err, "%s %s: ", c->name, state);
                    return st;
                }
            }
    }
    return ATE_OK;
}

static void print_counts(const ate_candidate_list *list, int nfiles)
{
    const char *fams[256];
    int counts[256], nf = 0;
    for (int i = 0; i < ate_candidate_list_count(list); ++i) {
        const char *f = ate_candidate_list_get(list, i)->family;
        int k = 0;
        while (k < nf && strcmp(fams[k], f) != 0)
            ++k;
        if (k == nf && nf < 256) fams[nf] = f, counts[nf++] = 0;
        if (k < nf) counts[k]++;
    }
    printf("%-36s %10s\n", "family", "candidates");
    for (int k = 0; k < nf; ++k)
        printf("%-36s %10d\n", fams[k], counts[k]);
    printf("%-36s %10d\n", "total", ate_candidate_list_count(list));
    printf("%d structure files written\n", nfiles);
}

int ate_cli_sites(int argc, char **argv)
{
    const char *outdir = NULL;
    bool adsorbates = true, quiet = false;
    static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                         {"no-adsorbates", no_argument, NULL, 'n'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            outdir = optarg;
            break;
        case 'n':
            adsorbates = false;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            usage(stdout);
            return ATE_EXIT_OK;
        default:
            usage(stderr);
            return ATE_EXIT_USAGE;
        }
    }
    if (optind != argc - 1 || !outdir) {
        fprintf(stderr, "atescreen sites: %s\n",
                optind == argc - 1 ? "missing -o DIR" : "expected one campaign file");
        usage(stderr);
        return ATE_EXIT_USAGE;
    }
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    ate_error err;
    ate_error_clear(&err);
    ate_campaign_spec spec;
    ate_campaign_spec_init(&spec);
    ate_candidate_list *list = NULL;
    index_row *rows = NULL;
    int nrows = 0;
    ate_status st = ate_campaign_read(argv[optind], &spec, &err);
    if (st == ATE_OK) st = ate_sites_enumerate(&spec, &list, &err);
    if (st == ATE_OK && rank == 0) {
        rows = calloc((size_t)ate_candidate_list_count(list) *
                              (1 + ATE_ADS_COUNT * ATE_CANDIDATE_MAX_ADS_SITES) +
                          1,
                      sizeof(*rows));
        if (!rows) st = ATE_ERROR(&err, ATE_ERR_MEMORY, "out of memory");
        if (st == ATE_OK) st = ate_cli_make_dir(outdir, &err);
        if (st == ATE_OK) st = write_all(&spec, list, outdir, adsorbates, rows, &nrows, &err);
        if (st == ATE_OK) st = write_index(outdir, rows, nrows, &err);
        if (st == ATE_OK && !quiet) print_counts(list, nrows);
    }
    int rc = st == ATE_OK ? ATE_EXIT_OK : ate_cli_report_error(&err);
    free(rows);
    ate_candidate_list_destroy(&list);
    ate_campaign_spec_clear(&spec);
    return rc;
}
