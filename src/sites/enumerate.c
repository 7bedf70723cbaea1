/* placeholder during bring-up */ typedef int ate_sites_unused_t;
