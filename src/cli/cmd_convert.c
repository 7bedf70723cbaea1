/**
 * @file cmd_convert.c
 * @brief `atescreen convert IN OUT [--format extxyz|xyz|poscar] [--in-format F] [--all]`:
 *        read a structure (format detected from content) and write it in another format.
 *        Output format: --format, else POSCAR for names POSCAR*, CONTCAR*, *.vasp, *.poscar,
 *        else extxyz. --all converts every frame of a multi-frame xyz/extxyz file.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "atescreen/structio.h"
#include "cli.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: atescreen convert IN OUT [--format extxyz|xyz|poscar|gen] [--in-format F] "
                 "[--all]\n");
}

static int parse_format(const char *s, ate_format *f)
{
    static const ate_format all[] = {ATE_FORMAT_EXTXYZ, ATE_FORMAT_XYZ, ATE_FORMAT_POSCAR,
                                     ATE_FORMAT_GEN};
    for (int k = 0; k < 4; ++k)
        if (strcasecmp(s, ate_format_name(all[k])) == 0) return *f = all[k], 1;
    return 0;
}

static ate_format output_format(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (!strncmp(base, "POSCAR", 6) || !strncmp(base, "CONTCAR", 7) ||
        (n > 5 && !strcmp(base + n - 5, ".vasp")) || (n > 7 && !strcmp(base + n - 7, ".poscar")))
        return ATE_FORMAT_POSCAR;
    if (n > 4 && !strcmp(base + n - 4, ".gen")) return ATE_FORMAT_GEN;
    return ATE_FORMAT_EXTXYZ;
}

int ate_cli_convert(int argc, char **argv)
{
    ate_format in = ATE_FORMAT_AUTO, out = ATE_FORMAT_AUTO;
    int all = 0;
    static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                         {"in-format", required_argument, NULL, 'i'},
                                         {"all", no_argument, NULL, 'a'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
        if (ch == 'h') return usage(stdout), ATE_EXIT_OK;
        if (ch == 'a')
            all = 1;
        else if ((ch == 'f' && parse_format(optarg, &out)) ||
                 (ch == 'i' && parse_format(optarg, &in)))
            continue;
        else {
            if (ch == 'f' || ch == 'i')
                fprintf(stderr,
                        "atescreen convert: unknown format '%s' (extxyz, xyz, poscar, gen)\n",
                        optarg);
            usage(stderr);
            return ATE_EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "atescreen convert: expected an input and an output file\n");
        usage(stderr);
        return ATE_EXIT_USAGE;
    }
    const char *src = argv[optind], *dst = argv[optind + 1];
    if (out == ATE_FORMAT_AUTO) out = output_format(dst);
    ate_error err;
    ate_error_clear(&err);
    ate_structure **frames = NULL;
    int nframes = 0;
    ate_status st = ATE_OK;
    if (all) {
        st = ate_structure_read_all(src, in, &frames, &nframes, &err);
    } else {
        frames = malloc(sizeof(*frames));
        if (!frames) return ATE_EXIT_FAILED;
        st = ate_structure_read(src, in, &frames[0], &err);
        nframes = st == ATE_OK;
    }
    if (st == ATE_OK && (out == ATE_FORMAT_POSCAR || out == ATE_FORMAT_GEN) && nframes > 1)
        st = ATE_ERROR(&err, ATE_ERR_VALUE, "a %s file holds one structure; '%s' has %d frames",
                       out == ATE_FORMAT_GEN ? "gen" : "POSCAR", src, nframes);
    if (st == ATE_OK) {
        FILE *f = fopen(dst, "w");
        if (!f)
            st = ate_error_set_input(&err, ATE_ERR_IO, __FILE__, __LINE__, dst, 0, 0, NULL,
                                     "cannot write '%s'", dst);
        for (int i = 0; st == ATE_OK && i < nframes; ++i)
            st = ate_structure_write_stream(f, out, frames[i], &err);
        if (f && fclose(f) != 0 && st == ATE_OK)
            st = ate_error_set_input(&err, ATE_ERR_IO, __FILE__, __LINE__, dst, 0, 0, NULL,
                                     "cannot write '%s'", dst);
    }
    for (int i = 0; i < nframes; ++i)
        ate_structure_destroy(&frames[i]);
    free(frames);
    return st == ATE_OK ? ATE_EXIT_OK : ate_cli_report_error(&err);
}
