/* test_elf_peek.c -- reading a module's descriptor from its file before
 * dlopen (core/elf_peek.c).  A real module reads back the magic and SDK
 * version it was built with; a non-ELF file, every truncation of a real
 * module and thousands of mutated copies are judged without reading out of
 * bounds (the sanitizer build is where that shows). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime.h"

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *p = malloc(*len);
    ck_assert(fread(p, 1, *len, f) == *len);
    fclose(f);
    return p;
}

/* Writes p[0..len) to a temp file and peeks it; the file is removed. */
static int peek_bytes(const unsigned char *p, size_t len, fr_descriptor_head *h)
{
    char path[] = "/tmp/fr-elf-peek.XXXXXX";
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    ck_assert(write(fd, p, len) == (ssize_t)len);
    close(fd);
    char err[256];
    int rc = fr_elf_peek_descriptor(path, h, err, sizeof(err));
    unlink(path);
    return rc;
}

#define MODULE_SO FR_BUILDDIR "/modules/keys/keys.so"

START_TEST(test_real_module)
{
    fr_descriptor_head h;
    char err[256];
    ck_assert_int_eq(fr_elf_peek_descriptor(MODULE_SO, &h, err, sizeof(err)), 0);
    ck_assert_uint_eq(h.magic, FR_MODULE_MAGIC);
    ck_assert_uint_eq(h.sdk_major, FR_SDK_MAJOR);
    ck_assert_uint_eq(h.sdk_minor, FR_SDK_MINOR);
}
END_TEST

START_TEST(test_not_elf)
{
    fr_descriptor_head h;
    char err[256];
    const unsigned char text[] = "name: keys\nthis is not an object file\n";
    ck_assert_int_eq(peek_bytes(text, sizeof(text), &h), -1);
    ck_assert_int_eq(fr_elf_peek_descriptor("/nonexistent/x.so", &h, err, sizeof(err)), -1);
}
END_TEST

START_TEST(test_truncations)
{
    size_t len;
    unsigned char *p = slurp(MODULE_SO, &len);
    fr_descriptor_head h;
    for (size_t n = 1; n < len; n += n < 4096 ? 61 : 4093) peek_bytes(p, n, &h);
    free(p);
}
END_TEST

/* Random bytes written over the ELF header and the section table, where
 * the offsets the reader follows live. */
START_TEST(test_mutations)
{
    size_t len;
    unsigned char *p = slurp(MODULE_SO, &len), *q = malloc(len);
    srand(1234);
    uint64_t shoff;
    memcpy(&shoff, p + 0x28, sizeof(shoff));
    fr_descriptor_head h;
    for (int round = 0; round < 2000; round++) {
        memcpy(q, p, len);
        for (int k = 0; k < 1 + round % 8; k++) {
            size_t at = (round & 1) || shoff >= len ? (size_t)rand() % 64 : (size_t)(shoff + (size_t)rand() % (len - shoff));
            q[at % len] = (unsigned char)rand();
        }
        peek_bytes(q, len, &h);
    }
    free(q);
    free(p);
}
END_TEST

Suite *elf_peek_suite(void)
{
    Suite *s = suite_create("elf_peek");
    TCase *tc = tcase_create("descriptor");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_real_module);
    tcase_add_test(tc, test_not_elf);
    tcase_add_test(tc, test_truncations);
    tcase_add_test(tc, test_mutations);
    suite_add_tcase(s, tc);
    return s;
}
