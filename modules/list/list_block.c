/* list_block.c -- BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP: the pops that wait
 * for a list to appear.
 *
 * As Redis 7.0.15: arguments (and the timeout) are checked first; when a
 * key already holds a list the command is served at once, exactly as its
 * non-blocking form, and propagated as that form (LPOP/RPOP key [count],
 * LMOVE, RPOPLPUSH).  Otherwise the client blocks on the keys through the
 * core (fr_block_on_keys): the core runs the command again when a pushed
 * key is ready, first blocked first served, and answers the timeout itself
 * (null array).  Inside EXEC nothing blocks: the answer is the timeout's
 * (a null bulk for BLMOVE/BRPOPLPUSH, as Redis answers there).
 *
 * A client served later (fr_ctx_block_rerun) runs the same code, with
 * Redis 7.0.15's two differences from one served at once: only BLMPOP's
 * pops count as changes (a served BLPOP, BRPOP, BLMOVE or BRPOPLPUSH adds
 * none to rdb_changes_since_last_save), and a served BLMOVE propagates
 * its ends as "left"/"right" in lower case, whatever the client wrote. */
#include "list_internal.h"

#include <stdio.h>
#include <string.h>

static void propagate_pop(fr_ctx *ctx, int where, const fr_str *key, long long count) {
    char num[32];
    int nl = count > 0 ? snprintf(num, sizeof(num), "%lld", count) : 0;
    const char *argv[3] = {where == LIST_HEAD ? "LPOP" : "RPOP", key->buf, num};
    size_t lens[3] = {4, key->len, (size_t)nl};
    fr_propagate_cstr(ctx, count > 0 ? 3 : 2, argv, lens);
}

/* Keys fr_arg(first) .. fr_arg(first+n-1): wait for a list there. */
static int block_on_args(fr_ctx *ctx, int first, int n, long long deadline) {
    const fr_str *stack[16];
    const fr_str **keys = n <= 16 ? stack : fr_malloc(sizeof(*keys) * (size_t)n);
    for (int i = 0; i < n; i++) keys[i] = fr_arg(ctx, first + i);
    int rc = fr_block_on_keys(ctx, g_list_type, n, keys, deadline);
    if (keys != stack) fr_free(keys);
    return rc;
}

/* Serve from the first of the n keys at `first` holding a list; count -1
 * is BLPOP's [key, element] reply, otherwise BLMPOP's [key, [elements]].
 * Returns 1 when served, 0 when every key is empty, -1 after WRONGTYPE. */
static int pop_first_ready(fr_ctx *ctx, int first, int n, int where, long long count) {
    for (int j = first; j < first + n; j++) {
        const fr_str *key = fr_arg(ctx, j);
        int wrong;
        ql *q = list_lookup_write(ctx, key, &wrong);
        if (wrong) return -1;
        if (!q || !q->len) continue;
        fr_reply_array(ctx, 2);
        fr_reply_bulk_str(ctx, key);
        long long n_popped = 1;
        if (count < 0) {
            fr_str *e = ql_pop(q, where == LIST_HEAD);
            fr_reply_bulk_str(ctx, e);
            fr_str_free(e);
        } else {
            n_popped = list_pop_range_reply(ctx, q, where, count);
        }
        propagate_pop(ctx, where, key, count < 0 ? 0 : n_popped);
        int uncounted = count < 0 && fr_ctx_block_rerun(ctx);
        list_elements_removed(ctx, key, q, where, uncounted ? 0 : n_popped);
        return 1;
    }
    return 0;
}

static void blocking_pop(fr_ctx *ctx, int first, int n, int where, int timeout_idx,
                         long long count) {
    long long deadline;
    if (fr_arg_timeout_or_reply(ctx, timeout_idx, FR_TIMEOUT_SECONDS, &deadline) != FR_OK) return;
    if (pop_first_ready(ctx, first, n, where, count) != 0) return;
    if (block_on_args(ctx, first, n, deadline) != FR_OK) fr_reply_null_array(ctx);
}

void cmd_blpop(fr_ctx *ctx) { blocking_pop(ctx, 1, fr_argc(ctx) - 2, LIST_HEAD, fr_argc(ctx) - 1, -1); }
void cmd_brpop(fr_ctx *ctx) { blocking_pop(ctx, 1, fr_argc(ctx) - 2, LIST_TAIL, fr_argc(ctx) - 1, -1); }

/* BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
void cmd_blmpop(fr_ctx *ctx) {
    long long numkeys, count;
    int where;
    if (list_mpop_args_or_reply(ctx, 2, &numkeys, &where, &count) != FR_OK) return;
    blocking_pop(ctx, 3, (int)numkeys, where, 1, count);
}

/* BLMOVE / BRPOPLPUSH: served at once as LMOVE / RPOPLPUSH. */
static void blocking_move(fr_ctx *ctx, int from, int to, int timeout_idx) {
    long long deadline;
    if (fr_arg_timeout_or_reply(ctx, timeout_idx, FR_TIMEOUT_SECONDS, &deadline) != FR_OK) return;
    int wrong;
    ql *q = list_lookup_write(ctx, fr_arg(ctx, 1), &wrong);
    if (wrong) return;
    if (!q) {
        if (block_on_args(ctx, 1, 1, deadline) != FR_OK) fr_reply_null(ctx);
        return;
    }
    int rerun = fr_ctx_block_rerun(ctx);
    if (list_move(ctx, from, to, !rerun) != FR_OK) return;
    const fr_str *src = fr_arg(ctx, 1), *dst = fr_arg(ctx, 2);
    if (timeout_idx == 3) {
        const char *argv[3] = {"RPOPLPUSH", src->buf, dst->buf};
        size_t lens[3] = {9, src->len, dst->len};
        fr_propagate_cstr(ctx, 3, argv, lens);
        return;
    }
    const fr_str *wf = fr_arg(ctx, 3), *wt = fr_arg(ctx, 4);
    const char *argv[5] = {"LMOVE", src->buf, dst->buf, wf->buf, wt->buf};
    size_t lens[5] = {5, src->len, dst->len, wf->len, wt->len};
    if (rerun) {
        argv[3] = from == LIST_HEAD ? "left" : "right";
        argv[4] = to == LIST_HEAD ? "left" : "right";
        lens[3] = strlen(argv[3]);
        lens[4] = strlen(argv[4]);
    }
    fr_propagate_cstr(ctx, 5, argv, lens);
}

void cmd_brpoplpush(fr_ctx *ctx) { blocking_move(ctx, LIST_TAIL, LIST_HEAD, 3); }

void cmd_blmove(fr_ctx *ctx) {
    int from, to;
    if (list_where_or_reply(ctx, 3, &from) != FR_OK) return;
    if (list_where_or_reply(ctx, 4, &to) != FR_OK) return;
    blocking_move(ctx, from, to, 5);
}
