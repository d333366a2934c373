/* check_main.c -- runs every Check suite of the unit tests.
 *
 * Output ends with Check's own summary line and one line
 * "unit: N passed, M failed" that tests/run-all.sh adds up. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

Suite *dict_suite(void);
Suite *resp_suite(void);
Suite *util_suite(void);
Suite *splitargs_suite(void);
Suite *manifest_suite(void);
Suite *strings_encoding_suite(void);
Suite *keys_pure_suite(void);
Suite *config_suite(void);
Suite *ttl_cycle_suite(void);
Suite *rdb_suite(void);
Suite *sdk_version_suite(void);
Suite *elf_peek_suite(void);
Suite *hist_suite(void);
Suite *hash_lp_suite(void);
Suite *kv_access_suite(void);
Suite *set_intset_suite(void);
Suite *list_pure_suite(void);
Suite *zset_pure_suite(void);
Suite *bitmap_pure_suite(void);
Suite *hll_repr_suite(void);
Suite *bio_suite(void);

int main(void)
{
    SRunner *sr = srunner_create(dict_suite());
    srunner_add_suite(sr, resp_suite());
    srunner_add_suite(sr, util_suite());
    srunner_add_suite(sr, splitargs_suite());
    srunner_add_suite(sr, manifest_suite());
    srunner_add_suite(sr, strings_encoding_suite());
    srunner_add_suite(sr, keys_pure_suite());
    srunner_add_suite(sr, config_suite());
    srunner_add_suite(sr, ttl_cycle_suite());
    srunner_add_suite(sr, rdb_suite());
    srunner_add_suite(sr, sdk_version_suite());
    srunner_add_suite(sr, elf_peek_suite());
    srunner_add_suite(sr, hist_suite());
    srunner_add_suite(sr, hash_lp_suite());
    srunner_add_suite(sr, kv_access_suite());
    srunner_add_suite(sr, set_intset_suite());
    srunner_add_suite(sr, list_pure_suite());
    srunner_add_suite(sr, zset_pure_suite());
    srunner_add_suite(sr, bitmap_pure_suite());
    srunner_add_suite(sr, hll_repr_suite());
    srunner_add_suite(sr, bio_suite());
    srunner_run_all(sr, CK_NORMAL);
    int run = srunner_ntests_run(sr);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    printf("unit: %d passed, %d failed\n", run - failed, failed);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
