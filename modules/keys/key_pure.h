/* key_pure.h -- the keys module's helpers that need nothing from the core.
 *
 * Plain C on bytes (no fr_* call), so the unit tests link key_pure.c alone
 * (tests/unit/test_keys_pure.c).  It owns SCAN's cursor syntax.
 *
 * Invariants: no function allocates; none reads past the NUL of the string
 * it is given. */
#ifndef FR_KEY_PURE_H
#define FR_KEY_PURE_H

/* Redis's cursor syntax (strtoul base 10: sign allowed, "" is 0, no leading
 * space, no trailing bytes, no overflow).  0 ok, -1 "invalid cursor". */
int kp_parse_cursor(const char *s, unsigned long long *out);

#endif /* FR_KEY_PURE_H */
