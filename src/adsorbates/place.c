typedef int ate_ads_unused_t;
