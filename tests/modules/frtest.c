/* frtest.c -- deliberately faulty modules for the start-up refusal tests.
 *
 * One source, built once per variant (FRTEST_VARIANT) with its own manifest
 * tests/modules/<name>/<name>.yaml, so each refusal the registry promises is
 * exercised by a real .so:
 *   1 frtest_nohandler: declares two commands, registers one;
 *   2 frtest_undeclared: registers a command its manifest lacks;
 *   3 frtest_initfail: registers a type and a hook, then fails init;
 *   4 frtest_ok: well-formed, used with broken neighbours and for hooks;
 *     FRTEST.REPLY exercises the SDK replies no shipped module uses yet;
 *     it also owns a checked multi-arg directive and three INFO groups
 *     (after a core field, at a section's end, after a field never shown).
 * With FRTEST_DESC set, variant 4 is built again with a descriptor broken in
 * one way (see descriptor below), for the loader's descriptor checks. */
#include <ctype.h>
#include <string.h>

#include <stdio.h>
#include <stdlib.h>

#include "frankenredis.h"

static long long echoes;

static void echo_cmd(fr_ctx *ctx)
{
    echoes++;
    fr_reply_bulk_str(ctx, fr_arg(ctx, 1));
}

#if FRTEST_VARIANT == 3
static void free_payload(void *p)
{
    fr_free(p);
}

static const fr_type_def test_type = {.name = "frtest-type", .rdb_type = -1, .free = free_payload};

static int on_cron(const fr_hook_event *ev, void *priv)
{
    (void)ev;
    (void)priv;
    return FR_OK;
}
#endif

#if FRTEST_VARIANT == 4
/* FRTEST.REPLY double|bool|resp: 3.5 as a double, true, or 2/3. */
static void reply_cmd(fr_ctx *ctx)
{
    if (fr_arg_is(ctx, 1, "double")) fr_reply_double(ctx, 3.5);
    else if (fr_arg_is(ctx, 1, "bool")) fr_reply_bool(ctx, 1);
    else if (fr_arg_is(ctx, 1, "resp")) fr_reply_long_long(ctx, fr_ctx_resp(ctx));
    else fr_reply_syntax_error(ctx);
}

static fr_module *self;

/* frtest-words: refuses the word "bad", stores the rest lower-case. */
static const char *words_check(const fr_conf_update *u, char *out, size_t outlen)
{
    size_t i = 0;
    if (strstr(u->value, "bad")) return "frtest-words can't hold 'bad'";
    for (; u->value[i] && i + 1 < outlen; i++) out[i] = (char)tolower((unsigned char)u->value[i]);
    out[i] = '\0';
    return NULL;
}

static void info_after(fr_info_out *o, void *priv)
{
    (void)priv;
    fr_info_add_ll(o, "frtest_echoes", echoes);
    fr_info_add_text(o, "frtest_words", fr_config_str_at(self, 0));
}

static void info_end(fr_info_out *o, void *priv)
{
    (void)priv;
    fr_info_add_ll(o, "frtest_last", 1);
}

static void info_orphan(fr_info_out *o, void *priv)
{
    (void)priv;
    fr_info_add_ll(o, "frtest_orphan", 7);
}

/* The config check and INFO groups; a group the manifest does not declare
 * must be refused. */
static int init_extras(fr_module *m)
{
    self = m;
    if (fr_config_check_at(m, 0, words_check) != FR_OK) return FR_ERR;
    if (fr_info_register(m, "stats", "total_connections_received", info_after, NULL) != FR_OK ||
        fr_info_register(m, "stats", NULL, info_end, NULL) != FR_OK ||
        fr_info_register(m, "clients", "no_such_field", info_orphan, NULL) != FR_OK)
        return FR_ERR;
    if (fr_info_register(m, "server", NULL, info_end, NULL) != FR_ERR) return FR_ERR;
    return FR_OK;
}
#endif

static int init(fr_module *m)
{
    if (fr_command_register(m, "frtest.echo", echo_cmd) != FR_OK) return FR_ERR;
#if FRTEST_VARIANT == 4
    if (fr_command_register(m, "frtest.reply", reply_cmd) != FR_OK) return FR_ERR;
    if (init_extras(m) != FR_OK) return FR_ERR;
#endif
#if FRTEST_VARIANT == 2
    fr_command_register(m, "frtest.undeclared", echo_cmd);
#elif FRTEST_VARIANT == 3
    if (!fr_type_register(m, &test_type)) return FR_ERR;
    if (fr_hook_register(m, FR_HOOK_CRON, FR_HOOK_MIDDLE, on_cron, NULL) != FR_OK) return FR_ERR;
    return FR_ERR;
#endif
    return FR_OK;
}

#ifndef FRTEST_DESC
FR_MODULE(FRTEST_NAME, init, NULL);
#else
/* A constructor with an effect the test can see: the loader must refuse a
 * descriptor it can judge from the file (magic, SDK version, a missing
 * symbol) before dlopen would run this. */
__attribute__((constructor)) static void frtest_constructor(void)
{
    const char *marker = getenv("FRTEST_CTOR_MARKER");
    FILE *f = marker ? fopen(marker, "w") : NULL;
    if (f) fclose(f);
}

/* FRTEST_DESC_<kind> says which field is wrong. */
#define DESC_MAGIC FR_MODULE_MAGIC
#define DESC_MAJOR FR_SDK_MAJOR
#define DESC_MINOR FR_SDK_MINOR
#define DESC_SIGNATURE FR_BUILD_SIGNATURE
#define DESC_SYMBOL fr_module_entry
#if defined(FRTEST_DESC_badmagic)
#undef DESC_MAGIC
#define DESC_MAGIC 0x4e4f5045u
#elif defined(FRTEST_DESC_newmajor)
#undef DESC_MAJOR
#define DESC_MAJOR (FR_SDK_MAJOR + 1)
#elif defined(FRTEST_DESC_oldmajor)
#undef DESC_MAJOR
#define DESC_MAJOR (FR_SDK_MAJOR - 1)
#elif defined(FRTEST_DESC_newminor)
#undef DESC_MINOR
#define DESC_MINOR (FR_SDK_MINOR + 1)
#elif defined(FRTEST_DESC_badsig)
#undef DESC_SIGNATURE
#define DESC_SIGNATURE "ptr=2,long=2,ld=2,pdp,noasan"
#elif defined(FRTEST_DESC_nodesc)
#undef DESC_SYMBOL
#define DESC_SYMBOL fr_module_entry_misspelt
#endif
__attribute__((visibility("default"))) const fr_module_descriptor DESC_SYMBOL = {
    DESC_MAGIC, DESC_MAJOR, DESC_MINOR, DESC_SIGNATURE, FRTEST_NAME, fr_manifest_digest, init, NULL};
#endif
