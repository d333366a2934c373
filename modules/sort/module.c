/* module.c -- the sort module: SORT and SORT_RO.
 *
 * Owns the module's link to the list type that SORT ... STORE creates,
 * found through the SDK at init (RDB type 18 is the list's; the
 * manifest's `depends: [list]` makes it load first).  Sets, sorted sets,
 * strings and hashes are read through whatever type a key holds, by its
 * name and SDK callbacks, so those modules are optional.  Init also takes
 * LC_COLLATE from the environment, as Redis does at start-up: ALPHA
 * compares with strcoll.  Invariant: g_sort_list_type is set from a
 * successful init until deinit. */
#include "sort_internal.h"

#include <locale.h>

const fr_type *g_sort_list_type;

int sort_init(fr_module *m) {
    (void)m;
    const fr_type *t = fr_type_by_rdb(18);
    const fr_type_def *d = fr_type_def_of(t);
    if (!d || !d->from_members || !d->foreach_member) {
        fr_log(FR_LOG_WARNING, "module sort: no list type with member access (SDK 4.4) is loaded");
        return FR_ERR;
    }
    g_sort_list_type = t;
    setlocale(LC_COLLATE, "");
    return FR_OK;
}

void sort_deinit(fr_module *m) {
    (void)m;
    g_sort_list_type = NULL;
}
