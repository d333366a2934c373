/* key_pure.c -- SDK-free logic of the keys module (see key_pure.h).
 *
 * Owns the cursor syntax SCAN accepts, kept apart from the handlers so it
 * can be unit-tested without a core.
 * Invariants: no allocation, no global state, no fr_* calls. */
#include "key_pure.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int kp_parse_cursor(const char *s, unsigned long long *out) {
    /* strtoul itself would skip leading blanks; Redis refuses them. */
    static const char blanks[] = " \t\n\v\f\r";
    if (s[0] != '\0' && strchr(blanks, s[0])) return -1;
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (end[0] != '\0' || errno == ERANGE) return -1;
    *out = v;
    return 0;
}
