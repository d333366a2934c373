/* module.c -- the bitmap module: bit commands on string values.
 *
 * Owns the module's link to the string type, found through the SDK at
 * init (the RDB type id 0 is the string's; the manifest's `depends:
 * [strings]` makes it load first).  The commands are in bm_bits.c (SETBIT
 * GETBIT BITCOUNT BITPOS), bm_bitop.c (BITOP) and bm_bitfield.c
 * (BITFIELD, BITFIELD_RO).  Invariant: g_bm_string and g_bm_string_def
 * are set from a successful init until deinit. */
#include "bitmap_internal.h"

const fr_type *g_bm_string;
const fr_type_def *g_bm_string_def;

int bitmap_init(fr_module *m) {
    (void)m;
    const fr_type *t = fr_type_by_rdb(0);
    const fr_type_def *d = fr_type_def_of(t);
    if (!d || !d->bytes || !d->take_bytes || !d->adopt_bytes) {
        fr_log(FR_LOG_WARNING, "module bitmap: no string type with byte access (SDK 4.3) is loaded");
        return FR_ERR;
    }
    g_bm_string = t;
    g_bm_string_def = d;
    return FR_OK;
}

void bitmap_deinit(fr_module *m) {
    (void)m;
    g_bm_string = NULL;
    g_bm_string_def = NULL;
}
