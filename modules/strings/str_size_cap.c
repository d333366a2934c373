/* str_size_cap.c -- hardened mode's cap on the size of one string value.
 *
 * Redis lets a value grow to proto-max-bulk-len (512 MB) through many
 * small requests (APPEND, SETRANGE, SETBIT, BITFIELD), each harmless
 * alone.  In hardened mode the strings module, which owns the type, caps
 * the value itself at hardened-string-max-size: every command that writes
 * or grows a string asks here first -- its own handlers directly, the
 * bitmap module through the type's size_allowed_or_reply callback -- so
 * no command of the same effect gets around it.  Invariant: nothing is
 * changed before the answer; a refusal is recorded as the strings
 * module's divergence, whichever module's command met it. */
#include "strings_internal.h"

int str_size_allowed_or_reply(fr_ctx *ctx, size_t new_len) {
    if (!g_strings_module || !fr_module_hardened(g_strings_module)) return FR_OK;
    long long cap = strings_conf_hardened_string_max_size();
    if (cap <= 0 || new_len <= (size_t)cap) return FR_OK;
    fr_ctx_divergence_of(ctx, g_strings_module, "string-size-cap");
    fr_reply_errorf(ctx, "string value would exceed hardened-string-max-size (%lld bytes) (hardened mode)", cap);
    return FR_ERR;
}
