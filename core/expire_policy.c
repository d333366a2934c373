/* expire_policy.c -- the expiry policy: one rule, owned by the expire
 * provider (the ttl module), for every time any command stores as a TTL.
 *
 * The provider registers a function that allows a time or says why not
 * (its hardened mode refuses times before the epoch or more than 100
 * years ahead).  Commands ask before they change anything
 * (fr_expire_allowed_or_reply), so a refusal is a clean error; and the
 * SDK's fr_key_set_expire asks again where the time is stored, so a
 * command that forgot to ask cannot bypass the rule: the time is then not
 * stored, and that is recorded too.  Invariant: `owner` registered
 * `policy`; both are cleared when it unloads. */
#include <stdio.h>

#include "runtime.h"

static fr_expire_policy_fn policy;
static fr_module *owner;

FR_API int fr_expire_policy_register(fr_module *m, fr_expire_policy_fn fn)
{
    if (owner && owner != m) return FR_ERR;
    policy = fn;
    owner = fn ? m : NULL;
    return FR_OK;
}

void fr_expire_policy_remove_module(fr_module *m)
{
    if (owner == m) policy = NULL, owner = NULL;
}

/* NULL: allowed; else the reason, with *rule set. */
static const char *refusal(long long when_ms, const char **rule)
{
    return policy ? policy(when_ms, fr_now_ms(), rule) : NULL;
}

FR_API int fr_expire_allowed_or_reply(fr_ctx *ctx, long long when_ms)
{
    const char *rule = "expire-policy";
    const char *why = refusal(when_ms, &rule);
    if (!why) return FR_OK;
    fr_ctx_divergence_of(ctx, owner, rule);
    fr_reply_errorf(ctx, "invalid expire time in '%s' command: %s (hardened mode)", fr_ctx_command_name(ctx),
                    why);
    return FR_ERR;
}

FR_API void fr_key_set_expire(fr_ctx *ctx, fr_db *db, const fr_str *key, long long when_ms)
{
    const char *rule = "expire-policy";
    if (ctx && refusal(when_ms, &rule)) {
        fr_ctx_divergence_of(ctx, owner, "expire-refused-at-store");
        return;
    }
    fr_db_store_expire(db, key, when_ms);
}
