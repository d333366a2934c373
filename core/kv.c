/* kv.c -- the key entry object (kv.h): creation, key access, the value
 * header accessors of the SDK (fr_value_*), and the dict callbacks that let
 * the keyspace table chain these objects directly.
 *
 * Ownership: an entry owns its payload (freed through the type's free
 * callback) unless fr_kv_free_shell() is used; the keyspace table owns its
 * entries (entry_free below). */
#include <stdlib.h>
#include <string.h>

#include "keyspace.h"
#include "kv.h"

static inline int kv_long_key(const fr_value *v)
{
    return v->keylen == FR_KV_LONGKEY;
}

const char *fr_kv_key(const fr_value *v, size_t *len)
{
    if (!kv_long_key(v)) {
        *len = v->keylen;
        return v->key;
    }
    uint64_t n;
    memcpy(&n, v->key, sizeof(n));
    *len = (size_t)n;
    return v->key + sizeof(n);
}

static size_t kv_bytes(size_t keylen)
{
    return sizeof(fr_value) + (keylen >= FR_KV_LONGKEY ? sizeof(uint64_t) : 0) + keylen;
}

fr_value *fr_kv_new(const fr_str *key, const fr_type *t, void *payload)
{
    int longkey = key->len >= FR_KV_LONGKEY;
    size_t prefix = longkey ? sizeof(uint64_t) : 0;
    fr_value *v = fr_malloc(kv_bytes(key->len));
    v->next = NULL;
    v->payload = payload;
    v->lru = fr_kv_access_fresh();
    v->type_id = fr_type_id(t);
    v->keylen = longkey ? FR_KV_LONGKEY : (uint32_t)key->len;
    v->expire = -1;
    if (longkey) {
        uint64_t n = key->len;
        memcpy(v->key, &n, sizeof(n));
    }
    memcpy(v->key + prefix, key->buf, key->len);
    return v;
}

void fr_kv_free_shell(fr_value *v)
{
    size_t len;
    fr_kv_key(v, &len);
    fr_free_sized(v, kv_bytes(len));
}

static void free_payload(const fr_type *t, void *payload)
{
    const fr_type_def *def = fr_type_def_of(t);
    if (def && def->free && payload) def->free(payload);
}

void fr_kv_free(fr_value *v)
{
    if (!v) return;
    free_payload(fr_value_type(v), v->payload);
    fr_kv_free_shell(v);
}

/* The new payload is stored before the old one is freed: a type may hand
 * back the very payload it already had. */
void fr_kv_set_value(fr_value *v, const fr_type *t, void *payload)
{
    const fr_type *old_type = fr_value_type(v);
    void *old = v->payload;
    v->payload = payload;
    v->type_id = fr_type_id(t);
    if (old != payload) free_payload(old_type, old);
}

fr_str *fr_kv_key_dup(const fr_value *v)
{
    size_t len;
    const char *p = fr_kv_key(v, &len);
    return fr_str_new(p, len);
}

const fr_str *fr_kv_key_view(const fr_value *v, fr_str **scratch)
{
    size_t len;
    const char *p = fr_kv_key(v, &len);
    if (!*scratch) *scratch = fr_str_new_empty(len);
    (*scratch)->len = 0;
    *scratch = fr_str_cat(*scratch, p, len);
    return *scratch;
}

size_t fr_kv_alloc_size(const fr_value *v)
{
    return fr_malloc_size((void *)v);
}

/* ------------------------------------------------- SDK value accessors */

const fr_type *fr_value_type(const fr_value *v)
{
    return fr_type_by_id(v->type_id);
}

void *fr_value_payload(const fr_value *v)
{
    return v->payload;
}

void fr_value_set_payload(fr_value *v, void *payload)
{
    v->payload = payload;
}

/* ------------------------------------------------- access recording */

#define LRU_CLOCK_MAX 0xFFFFFFu
#define LFU_INIT_VAL 5 /* a new key's counter: not evicted before it can be used */

static int lfu_mode(void)
{
    return (fr_keyspace.access_mode & FR_ACCESS_LFU) != 0;
}

/* Minutes, modulo 2^16: the decay clock of the LFU record's high bits. */
static unsigned lfu_minutes(void)
{
    return (unsigned)((fr_clock_unix() / 60) & 0xFFFF);
}

static unsigned lfu_record(unsigned counter)
{
    return (lfu_minutes() << 8) | (counter & 0xFF);
}

/* The counter after the decay the elapsed minutes call for; the stored
 * record is not changed (OBJECT FREQ reads without touching). */
static unsigned lfu_decayed(const fr_value *v)
{
    unsigned last = v->lru >> 8, counter = v->lru & 0xFF, now = lfu_minutes();
    unsigned elapsed = now >= last ? now - last : 0xFFFF - last + now;
    int period = fr_keyspace.lfu_decay_minutes;
    unsigned drops = period > 0 ? elapsed / (unsigned)period : 0;
    return drops >= counter ? 0 : counter - drops;
}

/* The counter grows logarithmically: the higher it is (above the initial
 * value), the less likely one more access raises it. */
static unsigned lfu_increment(unsigned counter)
{
    if (counter >= 255) return 255;
    double above = (double)counter - LFU_INIT_VAL;
    if (above < 0) above = 0;
    double chance = 1.0 / (above * fr_keyspace.lfu_log_factor + 1);
    return (double)rand() / RAND_MAX < chance ? counter + 1 : counter;
}

unsigned fr_kv_access_fresh(void)
{
    return lfu_mode() ? lfu_record(LFU_INIT_VAL) : fr_clock_lru();
}

void fr_kv_touch(fr_value *v)
{
    v->lru = lfu_mode() ? lfu_record(lfu_increment(lfu_decayed(v))) : fr_clock_lru();
}

/* Redis keeps an overwritten key's frequency (the new value inherits the
 * old record) but restarts its LRU age. */
void fr_kv_overwritten(fr_value *v)
{
    if (!lfu_mode()) v->lru = fr_clock_lru();
}

FR_API void fr_keyspace_set_access(int mode, int lfu_log_factor, int lfu_decay_minutes)
{
    fr_keyspace.access_mode = mode & (FR_ACCESS_LFU | FR_ACCESS_UNSHARED);
    fr_keyspace.lfu_log_factor = lfu_log_factor < 0 ? 0 : lfu_log_factor;
    fr_keyspace.lfu_decay_minutes = lfu_decay_minutes < 0 ? 0 : lfu_decay_minutes;
}

FR_API int fr_keyspace_access(void)
{
    return fr_keyspace.access_mode;
}

unsigned long long fr_value_idle_ms(const fr_value *v)
{
    unsigned int now = fr_clock_lru();
    unsigned int diff = now >= v->lru ? now - v->lru : (LRU_CLOCK_MAX - v->lru) + now;
    return (unsigned long long)diff * 1000ULL;
}

int fr_value_lfu(const fr_value *v)
{
    return lfu_mode() ? (int)lfu_decayed(v) : 0;
}

/* RESTORE IDLETIME and the RDB IDLE opcode: an access that old.  An idle
 * time past the clock's start wraps once to the clock's top, and further
 * back keeps only its low 24 bits, exactly as Redis 7.0 stores it. */
FR_API int fr_value_set_idle(fr_value *v, long long idle_seconds)
{
    if (lfu_mode() || idle_seconds < 0) return 0;
    long long at = (long long)fr_clock_lru() - idle_seconds;
    if (at < 0) at += LRU_CLOCK_MAX;
    v->lru = (uint32_t)((unsigned long long)at & LRU_CLOCK_MAX);
    return 1;
}

/* RESTORE FREQ and the RDB FREQ opcode: the counter, decayed from now. */
FR_API int fr_value_set_lfu(fr_value *v, int freq)
{
    if (!lfu_mode() || freq < 0 || freq > 255) return 0;
    v->lru = lfu_record((unsigned)freq);
    return 1;
}

int fr_value_refcount(const fr_value *v)
{
    (void)v;
    return 1;
}

/* ------------------------------------------------------ dict callbacks */

static uint64_t kv_entry_hash(const fr_dict_entry *e)
{
    size_t len;
    const char *p = fr_kv_key(fr_kv_of((fr_dict_entry *)e), &len);
    return fr_dict_hash_bytes(p, len);
}

/* a: the fr_str being looked up; b: a stored entry. */
static int kv_key_equal(const void *a, const void *b)
{
    const fr_str *k = a;
    const fr_value *v = b;
    if (!kv_long_key(v)) return k->len == v->keylen && memcmp(k->buf, v->key, k->len) == 0;
    size_t len;
    const char *p = fr_kv_key(v, &len);
    return k->len == len && memcmp(k->buf, p, len) == 0;
}

static void kv_entry_free(fr_dict_entry *e)
{
    fr_kv_free(fr_kv_of(e));
}

const fr_dict_type fr_kv_keys_dict_type = {
    .hash = fr_dict_str_hash,
    .key_compare = kv_key_equal,
    .entry_hash = kv_entry_hash,
    .entry_free = kv_entry_free,
};

/* Keys are fr_value pointers, compared by address; the entries themselves
 * are freed by the keys table. */
const fr_dict_type fr_kv_expires_dict_type = {
    .hash = fr_dict_ptr_hash,
    .no_value = 1,
};
