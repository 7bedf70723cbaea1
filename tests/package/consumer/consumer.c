/* A program outside the ATEscreen tree: parse a campaign, enumerate it, place an adsorbate,
 * compute CHE numbers. Built against the installed package (CMake and pkg-config). */
#include <stdio.h>

#include "atescreen/adsorbates.h"
#include "atescreen/campaign_io.h"
#include "atescreen/che.h"
#include "atescreen/sites.h"
#include "atescreen/version.h"

int main(void)
{
    ate_campaign_spec spec;
    ate_error err;
    const char *yaml =
        "metals: [Fe, Co]\nfamilies:\n  - lateral: {dopants: [S], max_substitutions: 4}\n";
    if (ate_campaign_parse(yaml, "inline", &spec, &err) != ATE_OK) return 1;
    ate_candidate_list *list = NULL;
    if (ate_sites_enumerate(&spec, &list, &err) != ATE_OK) return 1;
    int n = ate_candidate_list_count(list);
    const ate_candidate *c = ate_candidate_list_get(list, 0);
    ate_structure *s = NULL;
    if (ate_adsorbate_place(c->structure, ATE_ADS_OH, &c->ads_sites[0], &s, &err) != ATE_OK)
        return 1;
    ate_che_constants k;
    ate_che_constants_get(ATE_CHE_SET_CATHUB, &k, &err);
    printf("ATEscreen %s: %d candidates (want 14), %d atoms with *OH, c_OH %.5f\n",
           ATE_VERSION_STRING, n, ate_structure_natoms(s), k.c_oh);
    int ok = n == 14;
    ate_structure_destroy(&s);
    ate_candidate_list_destroy(&list);
    ate_campaign_spec_clear(&spec);
    return ok ? 0 : 1;
}
