/* slowlog.c -- the slow log: commands that ran for at least
 * slowlog-log-slower-than microseconds, newest first, at most
 * slowlog-max-len of them (SLOWLOG GET/LEN/RESET read it).
 *
 * Owns the entries and their copies of the arguments.  Invariants, as
 * Redis keeps them: ids grow by one per entry and survive RESET; at most 32
 * arguments are kept (the 32nd then says how many more there were) and
 * each at most 128 bytes (then "... (N more bytes)"); arguments a command
 * redacted (AUTH's password, fr_ctx_redact) are stored as "(redacted)";
 * a negative threshold turns the log off; a shorter max-len takes effect
 * at the next entry. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "runtime.h"

#define SLOWLOG_MAX_ARGC 32
#define SLOWLOG_MAX_STRING 128

static fr_slowlog_entry *newest, *oldest;
static long long length, next_id;

static fr_str *arg_copy(const fr_ctx *ctx, int j)
{
    const fr_str *a = ctx->argv[j];
    if (fr_ctx_is_redacted(ctx, j)) return fr_str_new("(redacted)", 10);
    if (a->len <= SLOWLOG_MAX_STRING) return fr_str_new(a->buf, a->len);
    char tail[64];
    int n = snprintf(tail, sizeof(tail), "... (%zu more bytes)", a->len - SLOWLOG_MAX_STRING);
    fr_str *s = fr_str_new(a->buf, SLOWLOG_MAX_STRING);
    return fr_str_cat(s, tail, (size_t)n);
}

static fr_slowlog_entry *entry_new(const fr_ctx *ctx, long long duration)
{
    fr_slowlog_entry *e = fr_calloc(sizeof(*e));
    int argc = ctx->argc > SLOWLOG_MAX_ARGC ? SLOWLOG_MAX_ARGC : ctx->argc;
    e->argc = argc;
    e->argv = fr_malloc(sizeof(fr_str *) * (size_t)argc);
    for (int j = 0; j < argc; j++) {
        if (argc != ctx->argc && j == argc - 1) {
            char more[64];
            int n = snprintf(more, sizeof(more), "... (%d more arguments)", ctx->argc - argc + 1);
            e->argv[j] = fr_str_new(more, (size_t)n);
        } else {
            e->argv[j] = arg_copy(ctx, j);
        }
    }
    e->id = next_id++;
    e->time = (long long)time(NULL);
    e->duration = duration;
    e->peer = fr_str_new(ctx->client->addr, strlen(ctx->client->addr));
    e->cname = ctx->client->name ? fr_str_dup(ctx->client->name) : fr_str_new("", 0);
    return e;
}

static void entry_free(fr_slowlog_entry *e)
{
    for (int j = 0; j < e->argc; j++) fr_str_free(e->argv[j]);
    fr_free(e->argv);
    fr_str_free(e->peer);
    fr_str_free(e->cname);
    fr_free(e);
}

static void drop_oldest(void)
{
    fr_slowlog_entry *e = oldest;
    oldest = e->newer;
    if (oldest) oldest->older = NULL;
    else newest = NULL;
    entry_free(e);
    length--;
}

void fr_slowlog_push(const fr_ctx *ctx, long long duration)
{
    if (fr_cfg.slowlog_log_slower_than < 0 || !ctx->client) return;
    if (ctx->cmd->flags & FR_CMD_SKIP_SLOWLOG) return;
    if (duration >= fr_cfg.slowlog_log_slower_than) {
        fr_slowlog_entry *e = entry_new(ctx, duration);
        e->older = newest;
        if (newest) newest->newer = e;
        else oldest = e;
        newest = e;
        length++;
    }
    while (length > fr_cfg.slowlog_max_len) drop_oldest();
}

long long fr_slowlog_len(void)
{
    return length;
}

void fr_slowlog_reset(void)
{
    while (oldest) drop_oldest();
}

const fr_slowlog_entry *fr_slowlog_newest(void)
{
    return newest;
}
