/* test_dict.c -- unit tests for core/dict.c and core/siphash.c.
 *
 * Most tests key the dict by small integers cast to pointers: with
 * fr_dict_type_ptr (address mixer, no seed) or the identity-hash type below
 * the layout is fully deterministic, so table sizes, cursors and stats can be
 * asserted exactly.  The sampling generator is re-seeded in every test, and
 * every test restores the global resize mode, so order and fork mode do not
 * matter. */
#include <check.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dict.h"
#include "siphash.h"

#define K(i) ((void *)(uintptr_t)(i))
/* For hot loops: Check's own asserts report progress to the runner through
 * a pipe on every call, which would dominate the run time. */
#define CHECK(cond)                                                           \
    do {                                                                      \
        if (!(cond))                                                          \
            ck_assert_msg(0, "check failed: %s", #cond);                      \
    } while (0)
#define KI(p) ((unsigned long)(uintptr_t)(p))

/* ------------------------------------------------------------------------ */
/* Fixtures                                                                  */
/* ------------------------------------------------------------------------ */

static unsigned long g_key_frees, g_val_frees;
static void *g_last_val_freed;

static void count_key_free(void *k)
{
    (void)k;
    g_key_frees++;
}

static void count_val_free(void *v)
{
    g_val_frees++;
    g_last_val_freed = v;
}

/* Integer keys, mixed hash, counted frees. */
static const fr_dict_type counted_type = {
    .hash = fr_dict_ptr_hash,
    .key_free = count_key_free,
    .val_free = count_val_free,
};

static uint64_t identity_hash(const void *key)
{
    return (uint64_t)(uintptr_t)key;
}

/* Key i lands in bucket i & mask: layouts are chosen by the test. */
static const fr_dict_type identity_type = {
    .hash = identity_hash,
};

static void setup(void)
{
    g_key_frees = g_val_frees = 0;
    g_last_val_freed = NULL;
    fr_dict_random_seed(12345);
    fr_dict_resize_enable(FR_DICT_RESIZE_ENABLE);
}

static void teardown(void)
{
    fr_dict_resize_enable(FR_DICT_RESIZE_ENABLE);
}

static void settle(fr_dict *d)
{
    while (fr_dict_rehash(d, 1000))
        ;
}

static fr_dict *make_ptr_dict(unsigned long n)
{
    fr_dict *d = fr_dict_create(&fr_dict_type_ptr);
    for (unsigned long i = 1; i <= n; i++)
        ck_assert_int_eq(fr_dict_add(d, K(i), K(i * 7)), FR_OK);
    settle(d);
    return d;
}

static unsigned long nonempty_buckets(const fr_dict *d, int t)
{
    unsigned long n = 0, size = d->exp[t] < 0 ? 0 : 1UL << d->exp[t];
    for (unsigned long i = 0; i < size; i++)
        n += d->table[t][i] != NULL;
    return n;
}

/* xorshift64 for test-side choices, independent from the dict's generator */
static uint64_t trng_state;
static uint64_t trng(void)
{
    trng_state ^= trng_state << 13;
    trng_state ^= trng_state >> 7;
    trng_state ^= trng_state << 17;
    return trng_state;
}

/* ------------------------------------------------------------------------ */
/* SipHash                                                                   */
/* ------------------------------------------------------------------------ */

static const uint8_t seq_key[16] = {0, 1, 2, 3, 4, 5, 6, 7,
                                    8, 9, 10, 11, 12, 13, 14, 15};

START_TEST(test_siphash24_reference)
{
    /* Published SipHash-2-4 vectors: key 00..0f, message 00..len-1. */
    static const uint64_t want[4] = {0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL,
                                     0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL};
    uint8_t msg[4] = {0, 1, 2, 3};
    for (size_t len = 0; len < 4; len++)
        ck_assert_uint_eq(fr_siphash24(msg, len, seq_key), want[len]);
}
END_TEST

START_TEST(test_siphash12_vectors)
{
    /* SipHash-1-2 (what Redis uses), key 00..0f, message 00..len-1. */
    static const uint64_t want[18] = {
        0xcea28b51565c12e2ULL, 0x94aaf38c34ce7ba6ULL, 0xfe7a42c2c5fab434ULL,
        0x1c0d255229c3364cULL, 0x8be7847a474dfdf5ULL, 0x2858f0420f752296ULL,
        0xe61a8a7d8ac52626ULL, 0xf03c4cbcf492b05aULL, 0x606845b4d093af74ULL,
        0xe304e78271c74a56ULL, 0xc936e00e33b32633ULL, 0x226212e5f29ab45cULL,
        0xa4377b74fbbfe0daULL, 0x624317667190806fULL, 0x4a72ad78e3e197d7ULL,
        0xec8f61bc1c8966a6ULL, 0x1311f4dfe747a751ULL, 0x899c7b292c85339cULL,
    };
    uint8_t msg[18];
    for (int i = 0; i < 18; i++)
        msg[i] = (uint8_t)i;
    for (size_t len = 0; len < 18; len++)
        ck_assert_uint_eq(fr_siphash(msg, len, seq_key), want[len]);
}
END_TEST

START_TEST(test_siphash_nocase)
{
    const char *mixed = "Hello, World! FrankenREDIS key";
    const char *lower = "hello, world! frankenredis key";
    ck_assert_uint_eq(fr_siphash_nocase(mixed, strlen(mixed), seq_key),
                      0x517fa001962d1848ULL);
    ck_assert_uint_eq(fr_siphash(lower, strlen(lower), seq_key),
                      0x517fa001962d1848ULL);

    /* Every byte value, in a whole 8-byte word and in the tail: only A-Z
     * fold, in particular not 0xC1..0xDA whose low 7 bits are capitals. */
    for (int b = 0; b < 256; b++) {
        for (size_t pos = 0; pos < 13; pos++) {
            uint8_t in[13], folded[13];
            memset(in, 'x', sizeof(in));
            in[pos] = (uint8_t)b;
            memcpy(folded, in, sizeof(in));
            if (b >= 'A' && b <= 'Z')
                folded[pos] = (uint8_t)(b + 32);
            ck_assert_uint_eq(fr_siphash_nocase(in, sizeof(in), seq_key),
                              fr_siphash(folded, sizeof(folded), seq_key));
        }
    }
    uint8_t hi = 0xC1, hi_lower = 0xE1;
    ck_assert_uint_ne(fr_siphash_nocase(&hi, 1, seq_key),
                      fr_siphash(&hi_lower, 1, seq_key));
}
END_TEST

START_TEST(test_seed)
{
    uint8_t saved[16], seed[16];
    memcpy(saved, fr_siphash_seed_get(), 16);
    fr_siphash_seed_set(seq_key);
    ck_assert_int_eq(memcmp(fr_siphash_seed_get(), seq_key, 16), 0);
    ck_assert_uint_eq(fr_dict_hash_bytes("\x00\x01\x02", 3), 0x1c0d255229c3364cULL);
    ck_assert_uint_eq(fr_dict_hash_bytes_nocase("ABC", 3),
                      fr_siphash("abc", 3, seq_key));
    memset(seed, 0xa5, sizeof(seed));
    fr_siphash_seed_set(seed);
    ck_assert_uint_ne(fr_dict_hash_bytes("\x00\x01\x02", 3), 0x1c0d255229c3364cULL);
    fr_siphash_seed_set(saved);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Basic operations                                                          */
/* ------------------------------------------------------------------------ */

START_TEST(test_entry_layout)
{
    ck_assert_uint_eq(sizeof(fr_dict_entry), 3 * sizeof(void *));
}
END_TEST

START_TEST(test_add_find_delete_100k)
{
    const unsigned long n = 100000;
    fr_dict *d = fr_dict_create(&counted_type);
    ck_assert_uint_eq(fr_dict_size(d), 0);
    ck_assert_uint_eq(fr_dict_slots(d), 0);
    CHECK(fr_dict_find(d, K(1)) == NULL);

    for (unsigned long i = 1; i <= n; i++)
        CHECK(fr_dict_add(d, K(i), K(i + 1000000)) == FR_OK);
    CHECK(fr_dict_size(d) == n);
    for (unsigned long i = 1; i <= n; i += 97)
        CHECK(fr_dict_add(d, K(i), K(1)) == FR_ERR);
    CHECK(fr_dict_size(d) == n);
    CHECK(g_key_frees + g_val_frees == 0);

    for (unsigned long i = 1; i <= n; i++) {
        fr_dict_entry *e = fr_dict_find(d, K(i));
        CHECK(e != NULL);
        CHECK(KI(fr_dict_key(e)) == i);
        CHECK(KI(fr_dict_val(e)) == i + 1000000);
    }
    CHECK(fr_dict_find(d, K(n + 1)) == NULL);
    CHECK(fr_dict_fetch_value(d, K(n + 1)) == NULL);
    CHECK(KI(fr_dict_fetch_value(d, K(777))) == 1000777);

    settle(d);
    CHECK(fr_dict_slots(d) == 131072); /* first power of 2 > 100000 */
    CHECK(fr_dict_is_rehashing(d) == 0);
    ck_assert_uint_eq(fr_dict_mem_overhead(d),
                      131072 * sizeof(void *) + n * sizeof(fr_dict_entry));

    for (unsigned long i = 2; i <= n; i += 2)
        CHECK(fr_dict_delete(d, K(i)) == FR_OK);
    CHECK(fr_dict_delete(d, K(2)) == FR_ERR);
    CHECK(fr_dict_delete(d, K(n + 1)) == FR_ERR);
    CHECK(fr_dict_size(d) == n / 2);
    CHECK(g_key_frees == n / 2);
    CHECK(g_val_frees == n / 2);
    for (unsigned long i = 1; i <= n; i++)
        CHECK((fr_dict_find(d, K(i)) != NULL) == (int)(i & 1));

    fr_dict_release(d);
    ck_assert_uint_eq(g_key_frees, n);
    ck_assert_uint_eq(g_val_frees, n);
    fr_dict_release(NULL);
}
END_TEST

/* Embedded entries: the caller's object is the entry and its own key. */
typedef struct emb_obj {
    struct fr_dict_entry *next;
    unsigned long id;
} emb_obj;
static unsigned long g_emb_frees;

static uint64_t emb_hash_key(const void *key)
{
    return fr_dict_ptr_hash(key);
}
static uint64_t emb_hash_entry(const fr_dict_entry *e)
{
    return fr_dict_ptr_hash(K(((const emb_obj *)(const void *)e)->id));
}
static int emb_equal(const void *key, const void *stored)
{
    return KI(key) == ((const emb_obj *)stored)->id;
}
static void emb_free(fr_dict_entry *e)
{
    g_emb_frees++;
    free(e);
}
static const fr_dict_type emb_type = {
    .hash = emb_hash_key,
    .key_compare = emb_equal,
    .entry_hash = emb_hash_entry,
    .entry_free = emb_free,
};

START_TEST(test_embedded_entries)
{
    const unsigned long n = 50000;
    fr_dict *d = fr_dict_create(&emb_type);
    g_emb_frees = 0;
    for (unsigned long i = 1; i <= n; i++) {
        fr_dict_entry **slot;
        CHECK(fr_dict_find_or_slot(d, K(i), &slot) == NULL);
        emb_obj *o = malloc(sizeof(*o));
        o->id = i;
        fr_dict_link_slot(d, slot, (fr_dict_entry *)(void *)o);
    }
    CHECK(fr_dict_size(d) == n);
    /* Found again, through growth and rehashing (entry_hash moved them). */
    for (unsigned long i = 1; i <= n; i++) {
        fr_dict_entry **slot = (fr_dict_entry **)1;
        fr_dict_entry *e = fr_dict_find_or_slot(d, K(i), &slot);
        CHECK(e != NULL && slot == NULL);
        CHECK(((emb_obj *)(void *)e)->id == i);
        CHECK(fr_dict_find(d, K(i)) == e);
    }
    settle(d);
    ck_assert_uint_eq(fr_dict_mem_overhead(d), fr_dict_slots(d) * sizeof(void *));
    for (unsigned long i = 1; i <= n; i += 2)
        CHECK(fr_dict_delete(d, K(i)) == FR_OK);
    CHECK(g_emb_frees == n / 2);
    fr_dict_entry *e = fr_dict_unlink(d, K(2));
    CHECK(e != NULL && ((emb_obj *)(void *)e)->id == 2);
    fr_dict_free_unlinked(d, e);
    CHECK(fr_dict_find(d, K(2)) == NULL && fr_dict_find(d, K(4)) != NULL);
    fr_dict_release(d);
    ck_assert_uint_eq(g_emb_frees, n);
}
END_TEST

START_TEST(test_no_value_entries)
{
    static const fr_dict_type set_type = {.hash = fr_dict_ptr_hash, .no_value = 1};
    ck_assert_uint_eq(offsetof(fr_dict_entry, v), 2 * sizeof(void *));
    fr_dict *d = fr_dict_create(&set_type);
    for (unsigned long i = 1; i <= 1000; i++)
        CHECK(fr_dict_add_raw(d, K(i), NULL) != NULL);
    settle(d);
    ck_assert_uint_eq(fr_dict_mem_overhead(d),
                      fr_dict_slots(d) * sizeof(void *) + 1000 * 2 * sizeof(void *));
    for (unsigned long i = 1; i <= 1000; i++)
        CHECK(KI(fr_dict_key(fr_dict_find(d, K(i)))) == i);
    CHECK(fr_dict_delete(d, K(500)) == FR_OK && fr_dict_find(d, K(500)) == NULL);
    fr_dict_release(d);
}
END_TEST

START_TEST(test_growth_sizes)
{
    fr_dict *d = fr_dict_create(&fr_dict_type_ptr);
    for (unsigned long i = 1; i <= 4; i++)
        fr_dict_add(d, K(i), NULL);
    ck_assert_uint_eq(fr_dict_slots(d), 4);
    ck_assert_int_eq(fr_dict_is_rehashing(d), 0);
    /* The 5th key finds the table full (load factor 1): 4 -> 8. */
    fr_dict_add(d, K(5), NULL);
    ck_assert_int_eq(fr_dict_is_rehashing(d), 1);
    ck_assert_int_eq(d->exp[0], 2);
    ck_assert_int_eq(d->exp[1], 3);
    ck_assert_uint_eq(fr_dict_slots(d), 12);
    ck_assert_uint_eq(d->used[1], 1); /* new keys go to the new table */
    settle(d);
    ck_assert_uint_eq(fr_dict_slots(d), 8);

    /* Whenever a rehash is not running, the table has room for its keys
     * and is the smallest power of two that had room when it grew. */
    for (unsigned long i = 6; i <= 5000; i++) {
        fr_dict_add(d, K(i), NULL);
        if (!fr_dict_is_rehashing(d)) {
            CHECK(d->used[0] <= fr_dict_slots(d));
            CHECK((fr_dict_slots(d) & (fr_dict_slots(d) - 1)) == 0);
        }
    }
    settle(d);
    CHECK(fr_dict_slots(d) == 8192);
    fr_dict_release(d);
}
END_TEST

START_TEST(test_replace_and_raw)
{
    fr_dict *d = fr_dict_create(&counted_type);
    ck_assert_int_eq(fr_dict_replace(d, K(1), K(100)), 1);
    ck_assert_uint_eq(g_val_frees, 0);
    ck_assert_int_eq(fr_dict_replace(d, K(1), K(200)), 0);
    ck_assert_uint_eq(g_val_frees, 1);
    ck_assert_ptr_eq(g_last_val_freed, K(100));
    ck_assert_uint_eq(g_key_frees, 0); /* the key stays the caller's */
    ck_assert_uint_eq(KI(fr_dict_fetch_value(d, K(1))), 200);
    /* Same value again: stored first, then the old (same) one freed. */
    ck_assert_int_eq(fr_dict_replace(d, K(1), K(200)), 0);
    ck_assert_ptr_eq(g_last_val_freed, K(200));
    ck_assert_uint_eq(fr_dict_size(d), 1);

    fr_dict_entry *existing = K(1);
    fr_dict_entry *e = fr_dict_add_raw(d, K(2), &existing);
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_null(existing);
    ck_assert_uint_eq(e->v.u64, 0);
    e->v.s64 = -42;
    ck_assert_ptr_null(fr_dict_add_raw(d, K(2), &existing));
    ck_assert_ptr_eq(existing, e);
    ck_assert_ptr_null(fr_dict_add_raw(d, K(2), NULL));
    ck_assert_int_eq(fr_dict_find(d, K(2))->v.s64, -42);
    ck_assert_ptr_eq(fr_dict_add_or_find(d, K(2)), e);
    fr_dict_entry *e3 = fr_dict_add_or_find(d, K(3));
    ck_assert_ptr_ne(e3, e);
    e3->v.d = 2.5;
    ck_assert(fr_dict_find(d, K(3))->v.d == 2.5);
    ck_assert_uint_eq(fr_dict_size(d), 3);
    fr_dict_release(d);
}
END_TEST

START_TEST(test_unlink)
{
    fr_dict *d = fr_dict_create(&counted_type);
    for (unsigned long i = 1; i <= 100; i++)
        fr_dict_add(d, K(i), K(i * 2));
    fr_dict_entry *e = fr_dict_unlink(d, K(50));
    ck_assert_ptr_nonnull(e);
    ck_assert_uint_eq(KI(e->key), 50);
    ck_assert_uint_eq(KI(e->v.val), 100);
    ck_assert_uint_eq(fr_dict_size(d), 99);
    ck_assert_ptr_null(fr_dict_find(d, K(50)));
    ck_assert_uint_eq(g_key_frees + g_val_frees, 0);
    ck_assert_ptr_null(fr_dict_unlink(d, K(50)));
    fr_dict_free_unlinked(d, e);
    ck_assert_uint_eq(g_key_frees, 1);
    ck_assert_uint_eq(g_val_frees, 1);
    fr_dict_free_unlinked(d, NULL);
    ck_assert_uint_eq(g_key_frees, 1);
    fr_dict_release(d);
    ck_assert_uint_eq(g_key_frees, 100);
}
END_TEST

static void *dup_cstr(const void *p)
{
    size_t n = strlen(p) + 1;
    char *s = fr_malloc(n);
    memcpy(s, p, n);
    return s;
}

static void free_cstr(void *p)
{
    fr_free(p);
}

START_TEST(test_dup_callbacks)
{
    static const fr_dict_type t = {
        .hash = fr_dict_cstr_hash_nocase,
        .key_compare = fr_dict_cstr_equal_nocase,
        .key_dup = dup_cstr,
        .val_dup = dup_cstr,
        .key_free = free_cstr,
        .val_free = free_cstr,
    };
    fr_dict *d = fr_dict_create(&t);
    char key[] = "Hello", val[] = "world";
    ck_assert_int_eq(fr_dict_add(d, key, val), FR_OK);
    fr_dict_entry *e = fr_dict_find(d, "HELLO");
    ck_assert_ptr_nonnull(e);
    ck_assert_ptr_ne(e->key, key);
    ck_assert_ptr_ne(e->v.val, val);
    ck_assert_str_eq(e->key, "Hello");
    ck_assert_str_eq(e->v.val, "world");
    ck_assert_int_eq(fr_dict_replace(d, "hello", "again"), 0);
    ck_assert_str_eq(fr_dict_fetch_value(d, "HeLLo"), "again");
    ck_assert_ptr_null(fr_dict_find(d, "Hell"));
    fr_dict_release(d);
}
END_TEST

START_TEST(test_str_types)
{
    fr_dict *d = fr_dict_create(&fr_dict_type_str_keys);
    fr_str *foo = fr_str_new("foo", 3), *probe = fr_str_new("foo", 3);
    fr_str *upper = fr_str_new("FOO", 3), *bin = fr_str_new("f\0o", 3);
    ck_assert_int_eq(fr_dict_add(d, foo, K(1)), FR_OK);
    ck_assert_int_eq(fr_dict_add(d, fr_str_new("f\0o", 3), K(2)), FR_OK);
    ck_assert_uint_eq(KI(fr_dict_fetch_value(d, probe)), 1);
    ck_assert_uint_eq(KI(fr_dict_fetch_value(d, bin)), 2);
    ck_assert_ptr_null(fr_dict_find(d, upper));
    ck_assert_int_eq(fr_dict_delete(d, probe), FR_OK); /* frees foo */
    ck_assert_uint_eq(fr_dict_size(d), 1);
    fr_dict_release(d);

    d = fr_dict_create(&fr_dict_type_str_keys_nocase);
    ck_assert_int_eq(fr_dict_add(d, fr_str_new("Get", 3), K(3)), FR_OK);
    ck_assert_uint_eq(KI(fr_dict_fetch_value(d, upper)), 0);
    fr_str *get = fr_str_new("gEt", 3);
    ck_assert_uint_eq(KI(fr_dict_fetch_value(d, get)), 3);
    ck_assert_ptr_null(fr_dict_find(d, probe));
    fr_dict_release(d);

    /* Shared keys are not freed by the dict. */
    d = fr_dict_create(&fr_dict_type_str_keys_shared);
    ck_assert_int_eq(fr_dict_add(d, probe, K(4)), FR_OK);
    fr_dict_release(d);
    ck_assert_uint_eq(probe->len, 3);
    ck_assert_int_eq(memcmp(probe->buf, "foo", 3), 0);

    fr_str_free(probe);
    fr_str_free(upper);
    fr_str_free(bin);
    fr_str_free(get);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Rehashing                                                                 */
/* ------------------------------------------------------------------------ */

START_TEST(test_rehash_progress)
{
    fr_dict *d = make_ptr_dict(1000);
    ck_assert_uint_eq(fr_dict_slots(d), 1024);
    ck_assert_int_eq(fr_dict_expand(d, 10), FR_ERR);   /* below used */
    ck_assert_int_eq(fr_dict_expand(d, 1000), FR_ERR); /* same size */
    ck_assert_int_eq(fr_dict_expand(d, ULONG_MAX), FR_ERR);
    ck_assert_int_eq(fr_dict_expand(d, (ULONG_MAX >> 1) + 2), FR_ERR);
    ck_assert_int_eq(fr_dict_is_rehashing(d), 0);

    ck_assert_int_eq(fr_dict_expand(d, 3000), FR_OK);
    ck_assert_int_eq(fr_dict_expand(d, 8000), FR_ERR); /* already rehashing */
    ck_assert_int_eq(d->exp[1], 12);
    ck_assert_uint_eq(fr_dict_slots(d), 1024 + 4096);
    ck_assert_int_eq(d->rehash_idx, 0);

    unsigned long steps = 0, prev_used0 = d->used[0];
    while (fr_dict_rehash(d, 1)) {
        steps++;
        CHECK(d->used[0] + d->used[1] == 1000);
        CHECK(d->used[0] <= prev_used0);
        prev_used0 = d->used[0];
        for (unsigned long i = 1; i <= 1000; i += 111)
            CHECK(fr_dict_find(d, K(i)) != NULL);
        CHECK(steps <= 1024);
    }
    CHECK(d->exp[0] == 12);
    CHECK(d->exp[1] == -1);
    CHECK(d->table[1] == NULL);
    CHECK(d->rehash_idx == -1);
    CHECK(fr_dict_slots(d) == 4096);
    for (unsigned long i = 1; i <= 1000; i++)
        CHECK(fr_dict_find(d, K(i)) != NULL);

    /* The cron batch reports exactly the buckets it moved. */
    unsigned long full = nonempty_buckets(d, 0);
    ck_assert_int_eq(fr_dict_expand(d, 8192), FR_OK);
    ck_assert_int_eq(fr_dict_rehash_ms(d, 1000), (long)full);
    ck_assert_int_eq(fr_dict_is_rehashing(d), 0);
    ck_assert_uint_eq(fr_dict_slots(d), 8192);
    ck_assert_int_eq(fr_dict_rehash_ms(d, 1000), 0);
    fr_dict_release(d);
}
END_TEST

START_TEST(test_rehash_step_details)
{
    /* Identity hash: keys 64 and 63 sit in buckets 0 and 63 of 64. */
    fr_dict *d = fr_dict_create(&identity_type);
    ck_assert_int_eq(fr_dict_expand(d, 64), FR_OK);
    ck_assert_int_eq(fr_dict_is_rehashing(d), 0); /* first table: no rehash */
    fr_dict_add(d, K(64), NULL);
    fr_dict_add(d, K(63), NULL);
    ck_assert_int_eq(fr_dict_expand(d, 128), FR_OK);
    ck_assert_int_eq(fr_dict_rehash(d, 1), 1); /* moves bucket 0 */
    ck_assert_int_eq(d->rehash_idx, 1);
    ck_assert_uint_eq(d->used[1], 1);
    ck_assert_int_eq(fr_dict_rehash(d, 1), 1); /* 10 empty buckets max */
    ck_assert_int_eq(d->rehash_idx, 11);
    ck_assert_uint_eq(d->used[1], 1);
    ck_assert_int_eq(fr_dict_rehash(d, 6), 0); /* 52 empty, then bucket 63 */
    ck_assert_uint_eq(fr_dict_slots(d), 128);
    fr_dict_release(d);

    /* Each lookup does one step, unless a safe iterator pauses rehashing. */
    d = fr_dict_create(&identity_type);
    for (unsigned long k = 8; k < 16; k++)
        fr_dict_add(d, K(k), NULL);
    settle(d);
    ck_assert_uint_eq(fr_dict_slots(d), 8);
    ck_assert_int_eq(fr_dict_expand(d, 16), FR_OK);
    fr_dict_iter it;
    fr_dict_iter_init_safe(&it, d);
    ck_assert_ptr_nonnull(fr_dict_iter_next(&it));
    ck_assert_ptr_nonnull(fr_dict_find(d, K(9)));
    ck_assert_int_eq(fr_dict_rehash(d, 100), 1);
    ck_assert_int_eq(fr_dict_rehash_ms(d, 10), 0);
    ck_assert_int_eq(d->rehash_idx, 0);
    fr_dict_iter_release(&it);
    ck_assert_int_eq(d->pause_rehash, 0);
    ck_assert_ptr_nonnull(fr_dict_find(d, K(9)));
    ck_assert_int_eq(d->rehash_idx, 1);
    ck_assert_uint_eq(d->used[1], 1);
    fr_dict_delete(d, K(15));
    ck_assert_int_eq(d->rehash_idx, 2);
    fr_dict_add(d, K(100), NULL);
    ck_assert_int_eq(d->rehash_idx, 3);
    ck_assert_uint_eq(d->used[0], 4); /* 11, 12, 13, 14 still in table 0 */
    ck_assert_uint_eq(d->used[1], 4); /* 8, 9, 10, 100 */
    fr_dict_release(d);
}
END_TEST

START_TEST(test_resize_avoid)
{
    fr_dict *d = fr_dict_create(&fr_dict_type_ptr);
    fr_dict_resize_enable(FR_DICT_RESIZE_AVOID);
    ck_assert_int_eq(fr_dict_resize_mode_get(), FR_DICT_RESIZE_AVOID);
    for (unsigned long i = 1; i <= 24; i++)
        fr_dict_add(d, K(i), NULL);
    /* 24/4 = 6 keys per bucket is not yet over the ratio of 5... */
    ck_assert_uint_eq(fr_dict_slots(d), 4);
    ck_assert_int_eq(fr_dict_is_rehashing(d), 0);
    /* ...but at the 25th insert 24/4 > 5: forced growth to 32. */
    fr_dict_add(d, K(25), NULL);
    ck_assert_int_eq(fr_dict_is_rehashing(d), 1);
    ck_assert_uint_eq(fr_dict_slots(d), 4 + 32);
    /* 32/4 >= 5, so this rehash may proceed despite the policy. */
    ck_assert_int_eq(fr_dict_rehash(d, 100), 0);
    ck_assert_uint_eq(fr_dict_slots(d), 32);
    /* No shrinking while avoiding resizes. */
    for (unsigned long i = 2; i <= 25; i++)
        fr_dict_delete(d, K(i));
    ck_assert_int_eq(fr_dict_try_shrink(d), FR_ERR);
    fr_dict_resize_enable(FR_DICT_RESIZE_ENABLE);
    ck_assert_int_eq(fr_dict_try_shrink(d), FR_OK);
    settle(d);
    ck_assert_uint_eq(fr_dict_slots(d), 4);
    fr_dict_release(d);

    /* A doubling rehash started before the fork pauses until it ends. */
    d = fr_dict_create(&fr_dict_type_ptr);
    for (unsigned long i = 1; i <= 5; i++)
        fr_dict_add(d, K(i), NULL);
    ck_assert_int_eq(fr_dict_is_rehashing(d), 1);
    ck_assert_int_eq(d->rehash_idx, 0);
    fr_dict_resize_enable(0);
    ck_assert_int_eq(fr_dict_rehash(d, 100), 1);
    ck_assert_int_eq(fr_dict_rehash_ms(d, 5), 0);
    for (unsigned long i = 6; i <= 40; i++)
        fr_dict_add(d, K(i), NULL);
    ck_assert_int_eq(d->rehash_idx, 0);
    ck_assert_uint_eq(fr_dict_slots(d), 12);
    for (unsigned long i = 1; i <= 40; i++)
        ck_assert_ptr_nonnull(fr_dict_find(d, K(i)));
    fr_dict_resize_enable(1);
    settle(d);
    ck_assert_uint_eq(fr_dict_slots(d), 8); /* then grows on the next add */
    fr_dict_add(d, K(41), NULL);
    settle(d);
    ck_assert_uint_eq(fr_dict_slots(d), 64);
    fr_dict_release(d);
}
END_TEST

START_TEST(test_resize_forbid)
{
    fr_dict *d = fr_dict_create(&fr_dict_type_ptr);
    fr_dict_resize_enable(FR_DICT_RESIZE_FORBID);
    ck_assert_int_eq(fr_dict_resize_mode_get(), FR_DICT_RESIZE_FORBID);
    for (unsigned long i = 1; i <= 100; i++)
        fr_dict_add(d, K(i), NULL);
    ck_assert_uint_eq(fr_dict_slots(d), 4); /* the first table is still made */
    ck_assert_uint_eq(fr_dict_size(d), 100);
    for (unsigned long i = 1; i <= 100; i++)
        ck_assert_ptr_nonnull(fr_dict_find(d, K(i)));
    fr_dict_resize_enable(FR_DICT_RESIZE_ENABLE);
    fr_dict_add(d, K(101), NULL);
    settle(d);
    ck_assert_uint_eq(fr_dict_slots(d), 128);
    fr_dict_release(d);
}
END_TEST

START_TEST(test_try_shrink)
{
    fr_dict *d = make_ptr_dict(1000);
    ck_assert_uint_eq(fr_dict_slots(d), 1024);
    for (unsigned long i = 104; i <= 1000; i++)
        fr_dict_delete(d, K(i));
    ck_assert_uint_eq(fr_dict_size(d), 103);
    ck_assert_int_eq(fr_dict_try_shrink(d), FR_ERR); /* 10300 >= 10240 */
    fr_dict_delete(d, K(103));
    ck_assert_int_eq(fr_dict_try_shrink(d), FR_OK); /* 10200 < 10240 */
    ck_assert_int_eq(d->exp[1], 7);
    ck_assert_int_eq(fr_dict_try_shrink(d), FR_ERR); /* rehash running */
    settle(d);
    ck_assert_uint_eq(fr_dict_slots(d), 128);
    for (unsigned long i = 1; i <= 102; i++)
        ck_assert_ptr_nonnull(fr_dict_find(d, K(i)));
    for (unsigned long i = 1; i <= 102; i++)
        fr_dict_delete(d, K(i));
    ck_assert_int_eq(fr_dict_try_shrink(d), FR_OK);
    settle(d);
    ck_assert_uint_eq(fr_dict_slots(d), 4);
    ck_assert_int_eq(fr_dict_try_shrink(d), FR_ERR); /* minimum size */
    fr_dict_release(d);
}
END_TEST

static unsigned long g_empty_calls;
static void empty_cb(fr_dict *d)
{
    (void)d;
    g_empty_calls++;
}

START_TEST(test_empty)
{
    fr_dict *d = fr_dict_create(&counted_type);
    for (unsigned long i = 1; i <= 200000; i++)
        fr_dict_add(d, K(i), K(i));
    settle(d);
    ck_assert_uint_eq(fr_dict_slots(d), 262144);
    g_empty_calls = 0;
    fr_dict_empty(d, empty_cb);
    ck_assert_uint_eq(g_empty_calls, 4); /* buckets 0, 64Ki, 128Ki, 192Ki */
    ck_assert_uint_eq(g_key_frees, 200000);
    ck_assert_uint_eq(g_val_frees, 200000);
    ck_assert_uint_eq(fr_dict_size(d), 0);
    ck_assert_uint_eq(fr_dict_slots(d), 0);
    ck_assert_int_eq(fr_dict_is_rehashing(d), 0);

    /* Also while a rehash is half done, and without a callback. */
    for (unsigned long i = 1; i <= 100; i++)
        fr_dict_add(d, K(i), K(i));
    fr_dict_expand(d, 1024);
    fr_dict_rehash(d, 3);
    fr_dict_empty(d, NULL);
    ck_assert_uint_eq(g_key_frees, 200100);
    ck_assert_uint_eq(fr_dict_slots(d), 0);
    ck_assert_int_eq(fr_dict_add(d, K(1), K(1)), FR_OK);
    ck_assert_uint_eq(fr_dict_slots(d), 4);
    fr_dict_release(d);
}
END_TEST

START_TEST(test_stats)
{
    char buf[1024];
    fr_dict *d = fr_dict_create(&identity_type);
    fr_dict_get_stats(d, buf, sizeof(buf));
    ck_assert_str_eq(buf, "Hash table 0 stats (main hash table):\n"
                          "No stats available for empty dictionaries\n");
    fr_dict_add(d, K(1), NULL);
    fr_dict_add(d, K(2), NULL);
    fr_dict_add(d, K(5), NULL); /* chains: bucket 1 has 1 and 5 */
    size_t n = fr_dict_get_stats(d, buf, sizeof(buf));
    const char *want = "Hash table 0 stats (main hash table):\n"
                       " table size: 4\n"
                       " number of elements: 3\n"
                       " different slots: 2\n"
                       " max chain length: 2\n"
                       " avg chain length (counted): 1.50\n"
                       " avg chain length (computed): 1.50\n"
                       " Chain length distribution:\n"
                       "   0: 2 (50.00%)\n"
                       "   1: 1 (25.00%)\n"
                       "   2: 1 (25.00%)\n";
    ck_assert_str_eq(buf, want);
    ck_assert_uint_eq(n, strlen(want));
    ck_assert_uint_eq(fr_dict_get_stats(d, buf, 10), 9);
    ck_assert_str_eq(buf, "Hash tabl");

    fr_dict_add(d, K(3), NULL);
    fr_dict_add(d, K(4), NULL); /* grows to 8; 4 stays in table 1 */
    n = fr_dict_get_stats(d, buf, sizeof(buf));
    ck_assert_ptr_nonnull(strstr(buf, "Hash table 1 stats (rehashing target):\n"
                                      " table size: 8\n"));
    fr_dict_release(d);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Sampling                                                                  */
/* ------------------------------------------------------------------------ */

START_TEST(test_random_keys)
{
    fr_dict *d = fr_dict_create(&fr_dict_type_ptr);
    ck_assert_ptr_null(fr_dict_get_random_key(d));
    ck_assert_ptr_null(fr_dict_get_fair_random_key(d));
    for (unsigned long i = 1; i <= 100; i++)
        fr_dict_add(d, K(i), NULL);
    settle(d);

    unsigned long hits[101] = {0}, fair[101] = {0};
    for (int r = 0; r < 100000; r++) {
        hits[KI(fr_dict_get_random_key(d)->key)]++;
        fair[KI(fr_dict_get_fair_random_key(d)->key)]++;
    }
    for (int i = 1; i <= 100; i++) {
        /* 1000 expected; chains skew the plain variant more. */
        ck_assert_uint_gt(hits[i], 200);
        ck_assert_uint_lt(hits[i], 3000);
        ck_assert_uint_gt(fair[i], 400);
        ck_assert_uint_lt(fair[i], 2000);
    }

    /* During a rehash (both directions) only live keys come back. */
    CHECK(fr_dict_expand(d, 4096) == FR_OK);
    fr_dict_rehash(d, 30);
    for (int r = 0; r < 2000; r++) {
        fr_dict_entry *e = fr_dict_get_random_key(d);
        CHECK(fr_dict_find(d, e->key) == e);
    }
    settle(d);
    for (unsigned long i = 11; i <= 100; i++)
        fr_dict_delete(d, K(i));
    CHECK(fr_dict_try_shrink(d) == FR_OK);
    unsigned long seen[11] = {0};
    for (int r = 0; r < 2000; r++) {
        fr_dict_entry *e = fr_dict_get_random_key(d);
        CHECK(KI(e->key) <= 10);
        seen[KI(e->key)]++;
    }
    for (int i = 1; i <= 10; i++)
        CHECK(seen[i] > 0);
    fr_dict_release(d);
}
END_TEST

static void check_sample(fr_dict *d, unsigned int count)
{
    fr_dict_entry *out[64];
    unsigned int n = fr_dict_get_some_keys(d, out, count);
    CHECK(n <= count);
    CHECK(n <= fr_dict_size(d));
    for (unsigned int a = 0; a < n; a++) {
        CHECK(fr_dict_find(d, out[a]->key) == out[a]);
        for (unsigned int b = a + 1; b < n; b++)
            CHECK(out[a] != out[b]);
    }
}

START_TEST(test_get_some_keys)
{
    fr_dict *d = fr_dict_create(&fr_dict_type_ptr);
    fr_dict_entry *out[64];
    CHECK(fr_dict_get_some_keys(d, out, 20) == 0);
    for (unsigned long i = 1; i <= 3; i++)
        fr_dict_add(d, K(i), NULL);
    /* A whole small table fits in the walk: always all 3, each once. */
    for (int r = 0; r < 1000; r++) {
        CHECK(fr_dict_get_some_keys(d, out, 3) == 3);
        check_sample(d, 3);
        CHECK(fr_dict_get_some_keys(d, out, 50) == 3);
        CHECK(KI(out[0]->key) + KI(out[1]->key) + KI(out[2]->key) == 6);
    }
    fr_dict_release(d);

    d = make_ptr_dict(1000);
    for (int r = 0; r < 1000; r++) {
        CHECK(fr_dict_get_some_keys(d, out, 20) == 20);
        check_sample(d, 20);
    }
    for (unsigned long i = 2; i <= 1000; i += 2)
        fr_dict_delete(d, K(i));
    for (int r = 0; r < 1000; r++)
        check_sample(d, 20);
    /* Mid-grow and mid-shrink. */
    CHECK(fr_dict_expand(d, 8192) == FR_OK);
    fr_dict_rehash(d, 50);
    for (int r = 0; r < 200; r++)
        check_sample(d, 20);
    settle(d);
    for (unsigned long i = 41; i <= 1000; i += 2)
        fr_dict_delete(d, K(i));
    CHECK(fr_dict_size(d) == 20);
    for (int r = 0; r < 200; r++)
        check_sample(d, 20);
    CHECK(fr_dict_try_shrink(d) == FR_OK);
    fr_dict_rehash(d, 1); /* moves one bucket; table 0 is mostly behind */
    for (int r = 0; r < 200; r++)
        check_sample(d, 64);
    fr_dict_release(d);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Iterators                                                                 */
/* ------------------------------------------------------------------------ */

START_TEST(test_safe_iterator_deletes)
{
    const unsigned long n = 10000;
    fr_dict *d = make_ptr_dict(n);
    ck_assert_int_eq(fr_dict_expand(d, 65536), FR_OK);
    fr_dict_rehash(d, 100);
    long idx = d->rehash_idx;
    ck_assert_int_gt(idx, 0);

    unsigned char *seen = calloc(n + 1, 1);
    fr_dict_iter it;
    fr_dict_iter_init_safe(&it, d);
    fr_dict_entry *e;
    unsigned long visits = 0;
    while ((e = fr_dict_iter_next(&it)) != NULL) {
        unsigned long k = KI(e->key);
        CHECK(seen[k] == 0);
        seen[k] = 1;
        visits++;
        if (k % 2 == 0)
            CHECK(fr_dict_delete(d, K(k)) == FR_OK);
        CHECK(fr_dict_find(d, K(1)) != NULL);
    }
    CHECK(fr_dict_iter_next(&it) == NULL); /* stays at the end */
    CHECK(d->pause_rehash == 1);
    CHECK(d->rehash_idx == idx);
    fr_dict_iter_release(&it);
    CHECK(d->pause_rehash == 0);
    CHECK(visits == n);
    CHECK(fr_dict_size(d) == n / 2);
    for (unsigned long k = 1; k <= n; k++)
        CHECK((fr_dict_find(d, K(k)) != NULL) == (int)(k & 1));

    /* Adding during safe iteration: may start a grow, every original key
     * still comes back exactly once. */
    fr_dict_release(d);
    d = make_ptr_dict(1024);
    CHECK(fr_dict_slots(d) == 1024);
    memset(seen, 0, n + 1);
    fr_dict_iter *hit = fr_dict_iter_new(d, 1);
    unsigned long added = 0;
    while ((e = fr_dict_iter_next(hit)) != NULL) {
        unsigned long k = KI(e->key);
        CHECK(seen[k] == 0);
        seen[k] = 1;
        if (added == 0)
            for (added = 2000; added < 3000; added++)
                fr_dict_add(d, K(added), NULL);
    }
    fr_dict_iter_free(hit);
    for (unsigned long k = 1; k <= 1024; k++)
        CHECK(seen[k] == 1);
    CHECK(fr_dict_size(d) == 2024);
    ck_assert_int_eq(d->pause_rehash, 0);
    free(seen);
    fr_dict_release(d);
}
END_TEST

START_TEST(test_unsafe_iterator)
{
    fr_dict *d = make_ptr_dict(5000);
    ck_assert_int_eq(fr_dict_expand(d, 16384), FR_OK);
    fr_dict_rehash(d, 10);
    fr_dict_iter it;
    fr_dict_iter_init(&it, d);
    unsigned long count = 0, sum = 0;
    fr_dict_entry *e;
    while ((e = fr_dict_iter_next(&it)) != NULL) {
        count++;
        sum += KI(e->key);
    }
    fr_dict_iter_release(&it); /* unchanged: no abort */
    ck_assert_uint_eq(count, 5000);
    ck_assert_uint_eq(sum, 5000UL * 5001 / 2);
    fr_dict_iter_release(&it); /* a second release is a no-op */

    /* An iterator never stepped checks nothing. */
    fr_dict_iter *idle = fr_dict_iter_new(d, 0);
    fr_dict_add(d, K(9999), NULL);
    fr_dict_iter_free(idle);

    uint64_t fp = fr_dict_fingerprint(d);
    ck_assert_uint_eq(fr_dict_fingerprint(d), fp);
    fr_dict_add(d, K(10000), NULL);
    ck_assert_uint_ne(fr_dict_fingerprint(d), fp);
    fp = fr_dict_fingerprint(d);
    fr_dict_delete(d, K(10000));
    ck_assert_uint_ne(fr_dict_fingerprint(d), fp);

    /* Changing the dict under an unsafe iterator aborts at release. */
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        FILE *null = freopen("/dev/null", "w", stderr);
        (void)null;
        fr_dict_iter_init(&it, d);
        fr_dict_iter_next(&it);
        fr_dict_add(d, K(12345), NULL);
        fr_dict_iter_release(&it);
        _exit(0);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFSIGNALED(status));
    ck_assert_int_eq(WTERMSIG(status), SIGABRT);
    fr_dict_release(d);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* SCAN                                                                      */
/* ------------------------------------------------------------------------ */

#define SCAN_MAX_KEY 40000

typedef struct scan_state {
    unsigned int seen[SCAN_MAX_KEY + 1];
    unsigned long visits;
} scan_state;

static void scan_mark(void *priv, fr_dict_entry *e)
{
    scan_state *s = priv;
    s->seen[KI(e->key)]++;
    s->visits++;
}

static scan_state *scan_state_new(void)
{
    scan_state *s = calloc(1, sizeof(*s));
    ck_assert_ptr_nonnull(s);
    return s;
}

static void assert_seen(const scan_state *s, unsigned long from, unsigned long to)
{
    for (unsigned long k = from; k <= to; k++)
        if (s->seen[k] == 0)
            ck_assert_msg(0, "key %lu missed by scan", k);
}

START_TEST(test_scan_exact_cursors)
{
    fr_dict *d = fr_dict_create(&identity_type);
    scan_state *s = scan_state_new();
    ck_assert_uint_eq(fr_dict_scan(d, 0, scan_mark, s), 0);
    for (unsigned long k = 8; k < 16; k++)
        fr_dict_add(d, K(k), NULL);
    settle(d);
    ck_assert_uint_eq(fr_dict_slots(d), 8);
    /* Reverse-binary order over 3 bits; one key per bucket. */
    static const unsigned long order[8] = {0, 4, 2, 6, 1, 5, 3, 7};
    unsigned long cur = 0;
    for (int i = 0; i < 8; i++) {
        ck_assert_uint_eq(cur, order[i]);
        unsigned long before = s->visits;
        cur = fr_dict_scan(d, cur, scan_mark, s);
        ck_assert_uint_eq(s->visits, before + 1);
        ck_assert_uint_eq(s->seen[8 + order[i]], 1);
    }
    ck_assert_uint_eq(cur, 0);

    /* Mid-rehash 8 -> 16: bucket 0 of the small table, then buckets 0 and
     * 8 of the big one; the next cursor is 4. */
    ck_assert_int_eq(fr_dict_expand(d, 16), FR_OK);
    memset(s, 0, sizeof(*s));
    ck_assert_uint_eq(fr_dict_scan(d, 0, scan_mark, s), 4);
    ck_assert_uint_eq(s->visits, 1);
    ck_assert_uint_eq(s->seen[8], 1);
    fr_dict_rehash(d, 1); /* key 8 moves to bucket 8 of the big table */
    memset(s, 0, sizeof(*s));
    ck_assert_uint_eq(fr_dict_scan(d, 0, scan_mark, s), 4);
    ck_assert_uint_eq(s->seen[8], 1);
    ck_assert_uint_eq(s->visits, 1);
    ck_assert_int_eq(d->pause_rehash, 0);
    free(s);
    fr_dict_release(d);
}
END_TEST

static unsigned long scan_to_end(fr_dict *d, unsigned long cur, scan_state *s)
{
    unsigned long calls = 0;
    do {
        cur = fr_dict_scan(d, cur, scan_mark, s);
        CHECK(++calls < 10000000);
    } while (cur != 0);
    return calls;
}

START_TEST(test_scan_full)
{
    fr_dict *d = make_ptr_dict(5000);
    scan_state *s = scan_state_new();
    unsigned long calls = scan_to_end(d, 0, s);
    CHECK(calls == 8192); /* one call per bucket */
    for (unsigned long k = 1; k <= 5000; k++)
        CHECK(s->seen[k] == 1);
    CHECK(s->visits == 5000);
    free(s);
    fr_dict_release(d);
}
END_TEST

START_TEST(test_scan_grow_mid_scan)
{
    /* One burst of growth mid-scan, then growth spread over the scan. */
    for (int variant = 0; variant < 2; variant++) {
        fr_dict *d = make_ptr_dict(1000);
        scan_state *s = scan_state_new();
        unsigned long cur = 0, calls = 0, next_key = 1001;
        do {
            cur = fr_dict_scan(d, cur, scan_mark, s);
            calls++;
            if (variant == 0 && calls == 300)
                for (; next_key <= 30000; next_key++)
                    fr_dict_add(d, K(next_key), NULL);
            if (variant == 1)
                for (int j = 0; j < 25 && next_key <= 30000; j++)
                    fr_dict_add(d, K(next_key++), NULL);
            CHECK(calls < 10000000);
        } while (cur != 0);
        ck_assert_uint_gt(fr_dict_slots(d), 1024);
        assert_seen(s, 1, 1000);
        free(s);
        fr_dict_release(d);
    }
}
END_TEST

START_TEST(test_scan_shrink_mid_scan)
{
    /* variant 0: shrink completes at once; 1: shrink rehashes across scan
     * calls; 2: repeated deletions and shrinks, one step per call. */
    for (int variant = 0; variant < 3; variant++) {
        fr_dict *d = make_ptr_dict(30000);
        ck_assert_uint_eq(fr_dict_slots(d), 32768);
        scan_state *s = scan_state_new();
        unsigned long cur = 0, calls = 0, next_del = 30000;
        do {
            cur = fr_dict_scan(d, cur, scan_mark, s);
            calls++;
            if (variant < 2 && calls == 5000) {
                for (unsigned long k = 501; k <= 30000; k++)
                    fr_dict_delete(d, K(k));
                ck_assert_int_eq(fr_dict_try_shrink(d), FR_OK);
                if (variant == 0)
                    settle(d);
            }
            if (variant >= 1)
                fr_dict_rehash(d, 1);
            if (variant == 2) {
                for (int j = 0; j < 40 && next_del > 500; j++)
                    fr_dict_delete(d, K(next_del--));
                fr_dict_try_shrink(d);
            }
            CHECK(calls < 10000000);
        } while (cur != 0);
        settle(d);
        ck_assert_uint_lt(fr_dict_slots(d), 32768);
        assert_seen(s, 1, 500);
        free(s);
        fr_dict_release(d);
    }
}
END_TEST

START_TEST(test_scan_during_rehash)
{
    /* Whole scan over a frozen half-done grow, and over a half-done shrink. */
    for (int shrink = 0; shrink < 2; shrink++) {
        fr_dict *d = make_ptr_dict(shrink ? 200 : 3000);
        if (shrink) {
            ck_assert_int_eq(fr_dict_expand(d, 1UL << 14), FR_OK);
            settle(d);
            ck_assert_int_eq(fr_dict_try_shrink(d), FR_OK);
        } else {
            ck_assert_int_eq(fr_dict_expand(d, 1UL << 15), FR_OK);
        }
        fr_dict_rehash(d, 300);
        ck_assert_int_eq(fr_dict_is_rehashing(d), 1);
        unsigned long n = fr_dict_size(d);
        scan_state *s = scan_state_new();
        scan_to_end(d, 0, s);
        ck_assert_int_eq(fr_dict_is_rehashing(d), 1); /* scan never rehashes */
        assert_seen(s, 1, n);
        ck_assert_uint_eq(s->visits, n); /* frozen layout: each once */
        free(s);
        fr_dict_release(d);
    }
}
END_TEST

#define CHURN_KEYS 8000

START_TEST(test_scan_random_churn)
{
    /* Keys 1..500 stay throughout; others come and go while the table
     * grows, shrinks and rehashes between scan calls. */
    for (uint64_t seed = 1; seed <= 12; seed++) {
        trng_state = seed * 0x9e3779b97f4a7c15ULL;
        fr_dict *d = make_ptr_dict(2000);
        scan_state *s = scan_state_new();
        unsigned long cur = 0, calls = 0;
        do {
            cur = fr_dict_scan(d, cur, scan_mark, s);
            calls++;
            switch (trng() % 6) {
            case 0:
                for (int j = (int)(trng() % 200); j > 0; j--)
                    fr_dict_add(d, K(501 + trng() % CHURN_KEYS), NULL);
                break;
            case 1:
                for (int j = (int)(trng() % 400); j > 0; j--)
                    fr_dict_delete(d, K(501 + trng() % CHURN_KEYS));
                break;
            case 2:
                fr_dict_try_shrink(d);
                break;
            case 3:
                fr_dict_rehash(d, (int)(trng() % 50));
                break;
            case 4: /* bounded, so the walk stays short */
                if (fr_dict_slots(d) < 16384)
                    fr_dict_expand(d, fr_dict_slots(d) * (1 + trng() % 4));
                break;
            default:
                break;
            }
            CHECK(calls < 10000000);
        } while (cur != 0);
        assert_seen(s, 1, 500);
        free(s);
        fr_dict_release(d);
    }
}
END_TEST

typedef struct scan_del_ctx {
    fr_dict *d;
    unsigned long deleted;
} scan_del_ctx;

static void scan_delete_current(void *priv, fr_dict_entry *e)
{
    scan_del_ctx *c = priv;
    CHECK(fr_dict_find(c->d, e->key) == e);
    if (KI(e->key) % 3 != 0) {
        CHECK(fr_dict_delete(c->d, e->key) == FR_OK);
        c->deleted++;
    }
}

START_TEST(test_scan_callback_deletes)
{
    fr_dict *d = make_ptr_dict(3000);
    CHECK(fr_dict_expand(d, 8192) == FR_OK);
    fr_dict_rehash(d, 100);
    scan_del_ctx c = {d, 0};
    unsigned long cur = 0;
    do {
        cur = fr_dict_scan(d, cur, scan_delete_current, &c);
        CHECK(d->pause_rehash == 0);
    } while (cur != 0);
    CHECK(c.deleted == 2000);
    CHECK(fr_dict_size(d) == 1000);
    for (unsigned long k = 1; k <= 3000; k++)
        CHECK((fr_dict_find(d, K(k)) != NULL) == (k % 3 == 0));
    fr_dict_release(d);
}
END_TEST

/* ------------------------------------------------------------------------ */

Suite *dict_suite(void)
{
    Suite *s = suite_create("dict");
    TCase *tc = tcase_create("hash");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_siphash24_reference);
    tcase_add_test(tc, test_siphash12_vectors);
    tcase_add_test(tc, test_siphash_nocase);
    tcase_add_test(tc, test_seed);
    suite_add_tcase(s, tc);

    tc = tcase_create("ops");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_entry_layout);
    tcase_add_test(tc, test_add_find_delete_100k);
    tcase_add_test(tc, test_embedded_entries);
    tcase_add_test(tc, test_no_value_entries);
    tcase_add_test(tc, test_growth_sizes);
    tcase_add_test(tc, test_replace_and_raw);
    tcase_add_test(tc, test_unlink);
    tcase_add_test(tc, test_dup_callbacks);
    tcase_add_test(tc, test_str_types);
    tcase_add_test(tc, test_rehash_progress);
    tcase_add_test(tc, test_rehash_step_details);
    tcase_add_test(tc, test_resize_avoid);
    tcase_add_test(tc, test_resize_forbid);
    tcase_add_test(tc, test_try_shrink);
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_stats);
    suite_add_tcase(s, tc);

    tc = tcase_create("sampling");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_random_keys);
    tcase_add_test(tc, test_get_some_keys);
    suite_add_tcase(s, tc);

    tc = tcase_create("iteration");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_safe_iterator_deletes);
    tcase_add_test(tc, test_unsafe_iterator);
    tcase_add_test(tc, test_scan_exact_cursors);
    tcase_add_test(tc, test_scan_full);
    tcase_add_test(tc, test_scan_grow_mid_scan);
    tcase_add_test(tc, test_scan_shrink_mid_scan);
    tcase_add_test(tc, test_scan_during_rehash);
    tcase_add_test(tc, test_scan_random_churn);
    tcase_add_test(tc, test_scan_callback_deletes);
    suite_add_tcase(s, tc);
    return s;
}
