/* cmd_tracking.c -- CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO:
 * option parsing and Redis 7.0.15's checks and replies.  The tables and
 * the invalidation messages are tracking.c's.
 *
 * Checks run in Redis's order: options are parsed first (a bad REDIRECT
 * fails during parsing), then ON/OFF, then the mode rules. */
#include <string.h>
#include <strings.h>

#include "commands.h"

typedef struct tracking_args {
    long long redirect;
    fr_tracking_opts o;
} tracking_args;

/* REDIRECT's id must name a live client now (it may go away later). */
static int parse_redirect(fr_ctx *ctx, int i, tracking_args *a)
{
    if (a->redirect != 0) {
        fr_reply_error(ctx, "A client can only redirect to a single other client");
        return FR_ERR;
    }
    if (fr_arg_ll_or_reply(ctx, i, &a->redirect) != FR_OK) return FR_ERR;
    if (!fr_client_by_id((uint64_t)a->redirect)) {
        fr_reply_error(ctx, "The client ID you want redirect to does not exist");
        return FR_ERR;
    }
    return FR_OK;
}

static int parse_options(fr_ctx *ctx, tracking_args *a)
{
    int argc = fr_argc(ctx);
    for (int j = 3; j < argc; j++) {
        int more = argc - 1 - j;
        if (fr_arg_is(ctx, j, "redirect") && more) {
            if (parse_redirect(ctx, ++j, a) != FR_OK) return FR_ERR;
        } else if (fr_arg_is(ctx, j, "bcast")) {
            a->o.bcast = 1;
        } else if (fr_arg_is(ctx, j, "optin")) {
            a->o.optin = 1;
        } else if (fr_arg_is(ctx, j, "optout")) {
            a->o.optout = 1;
        } else if (fr_arg_is(ctx, j, "noloop")) {
            a->o.noloop = 1;
        } else if (fr_arg_is(ctx, j, "prefix") && more) {
            a->o.prefixes[a->o.nprefixes++] = (fr_str *)fr_arg(ctx, ++j);
        } else {
            fr_reply_syntax_error(ctx);
            return FR_ERR;
        }
    }
    return FR_OK;
}

/* Prefix texts in errors stop at a NUL byte, as C strings do. */
static int c_len(const fr_str *s)
{
    return (int)strnlen(s->buf, s->len);
}

/* Redis's prefix collision check.  Its quirk is kept byte for byte: an
 * overlap between two given prefixes found after the first one is reported
 * and yet counted as no collision, so the command goes on and also
 * answers +OK. */
static int prefixes_collide(fr_ctx *ctx, const fr_tracking_opts *o)
{
    for (int i = 0; i < o->nprefixes; i++) {
        const fr_str *p = o->prefixes[i];
        const fr_str *old = fr_tracking_prefix_overlap(ctx->client, p);
        if (old) {
            fr_reply_errorf(ctx, "Prefix '%.*s' overlaps with an existing prefix '%.*s'. "
                            "Prefixes for a single client must not overlap.",
                            c_len(p), p->buf, c_len(old), old->buf);
            return 1;
        }
        for (int j = i + 1; j < o->nprefixes; j++) {
            const fr_str *q = o->prefixes[j];
            size_t n = p->len < q->len ? p->len : q->len;
            if (memcmp(p->buf, q->buf, n)) continue;
            fr_reply_errorf(ctx, "Prefix '%.*s' overlaps with another provided prefix '%.*s'. "
                            "Prefixes for a single client must not overlap.",
                            c_len(p), p->buf, c_len(q), q->buf);
            return i == 0;
        }
    }
    return 0;
}

static const char *mode_refusal(const fr_client *c, const fr_tracking_opts *o)
{
    if (!o->bcast && o->nprefixes) return "PREFIX option requires BCAST mode to be enabled";
    int bcast, optin, optout;
    int on = fr_tracking_mode(c, &bcast, &optin, &optout);
    if (on && bcast != o->bcast)
        return "You can't switch BCAST mode on/off before disabling tracking for this client, and then "
               "re-enabling it with a different mode.";
    if (o->bcast && (o->optin || o->optout)) return "OPTIN and OPTOUT are not compatible with BCAST";
    if (o->optin && o->optout) return "You can't specify both OPTIN mode and OPTOUT mode";
    if (on && ((o->optin && optout) || (o->optout && optin)))
        return "You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then "
               "re-enabling it with a different mode.";
    return NULL;
}

void fr_cmd_client_tracking(fr_ctx *ctx)
{
    tracking_args a;
    memset(&a, 0, sizeof(a));
    a.o.prefixes = fr_malloc(sizeof(fr_str *) * (size_t)fr_argc(ctx));
    if (parse_options(ctx, &a) != FR_OK) goto done;
    if (fr_arg_is(ctx, 2, "on")) {
        const char *refusal = mode_refusal(ctx->client, &a.o);
        if (refusal) {
            fr_reply_error(ctx, refusal);
            goto done;
        }
        if (a.o.bcast && prefixes_collide(ctx, &a.o)) goto done;
        fr_tracking_enable(ctx->client, (uint64_t)a.redirect, &a.o);
    } else if (fr_arg_is(ctx, 2, "off")) {
        fr_tracking_disable(ctx->client);
    } else {
        fr_reply_syntax_error(ctx);
        goto done;
    }
    fr_reply_ok(ctx);
done:
    fr_free(a.o.prefixes);
}

void fr_cmd_client_caching(fr_ctx *ctx)
{
    if (!fr_tracking_is_on(ctx->client)) {
        fr_reply_error(ctx, "CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or "
                            "OPTOUT mode enabled");
        return;
    }
    int yes = fr_arg_is(ctx, 2, "yes");
    if (!yes && !fr_arg_is(ctx, 2, "no")) {
        fr_reply_syntax_error(ctx);
        return;
    }
    if (fr_tracking_set_caching(ctx->client, yes) != FR_OK) {
        fr_reply_error(ctx, yes ? "CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode."
                                : "CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
        return;
    }
    fr_reply_ok(ctx);
}

void fr_cmd_client_getredir(fr_ctx *ctx)
{
    fr_reply_long_long(ctx, fr_tracking_redirect(ctx->client));
}

void fr_cmd_client_trackinginfo(fr_ctx *ctx)
{
    const char *words[8];
    int n = fr_tracking_flag_words(ctx->client, words);
    fr_reply_map(ctx, 3);
    fr_reply_bulk_cstr(ctx, "flags");
    fr_reply_set(ctx, n);
    for (int i = 0; i < n; i++) fr_reply_bulk_cstr(ctx, words[i]);
    fr_reply_bulk_cstr(ctx, "redirect");
    fr_reply_long_long(ctx, fr_tracking_redirect(ctx->client));
    fr_reply_bulk_cstr(ctx, "prefixes");
    fr_str *const *prefixes;
    int np = fr_tracking_prefixes(ctx->client, &prefixes);
    fr_reply_array(ctx, np);
    for (int i = 0; i < np; i++) fr_reply_bulk_str(ctx, prefixes[i]);
}
