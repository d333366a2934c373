/* cmd_acl.c -- the ACL command: SETUSER GETUSER DELUSER USERS LIST WHOAMI
 * CAT GENPASS LOG DRYRUN LOAD SAVE HELP.
 *
 * Owns no state: users, rules, checks and the log are acl.c's.  Replies
 * and errors are Redis 7.0.15's.  A client whose user goes away (DELUSER,
 * LOAD) while it runs the command gets its reply, then is closed. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "commands.h"

static void close_after_reply_if(fr_ctx *ctx, int hit)
{
    if (hit) fr_ctx_client(ctx)->flags |= FR_CLIENT_CLOSE_AFTER_REPLY;
}

static int has_spaces(const fr_str *s)
{
    for (size_t i = 0; i < s->len; i++)
        if (s->buf[i] == ' ' || s->buf[i] == '\t' || s->buf[i] == '\n' || s->buf[i] == '\r' || s->buf[i] == '\v' ||
            s->buf[i] == '\f' || s->buf[i] == '\0')
            return 1;
    return 0;
}

void fr_cmd_acl_setuser(fr_ctx *ctx)
{
    for (int j = 2; j < fr_argc(ctx); j++) fr_ctx_redact(ctx, j);
    const fr_str *name = fr_arg(ctx, 2);
    if (has_spaces(name)) {
        fr_reply_error(ctx, "Usernames can't contain spaces or null characters");
        return;
    }
    fr_str *const *rules = ((fr_str *const *)ctx->argv) + 3;
    char *err = fr_acl_setuser(name, fr_argc(ctx) - 3, rules);
    if (!err) {
        fr_reply_ok(ctx);
        return;
    }
    /* Redis's addReplyErrorSdsSafe: line breaks would break the protocol */
    for (char *p = err; *p; p++)
        if (*p == '\r' || *p == '\n') *p = ' ';
    fr_reply_error(ctx, err);
    fr_free(err);
}

void fr_cmd_acl_deluser(fr_ctx *ctx)
{
    for (int j = 2; j < fr_argc(ctx); j++) {
        const fr_str *n = fr_arg(ctx, j);
        if (n->len == 7 && !memcmp(n->buf, "default", 7)) {
            fr_reply_error(ctx, "The 'default' user cannot be removed");
            return;
        }
    }
    long long deleted = 0;
    int hit = 0;
    for (int j = 2; j < fr_argc(ctx); j++) deleted += fr_acl_deluser(fr_arg(ctx, j), fr_ctx_client(ctx), &hit);
    fr_reply_long_long(ctx, deleted);
    close_after_reply_if(ctx, hit);
}

void fr_cmd_acl_getuser(fr_ctx *ctx)
{
    const fr_str *n = fr_arg(ctx, 2);
    fr_acl_user *u = fr_acl_user_by_name(n->buf, n->len);
    if (!u) fr_reply_null(ctx);
    else fr_acl_reply_getuser(ctx, u);
}

static void list_users(fr_ctx *ctx, int names_only)
{
    int n = fr_acl_user_count();
    fr_reply_array(ctx, n);
    for (int i = 0; i < n; i++) {
        fr_acl_user *u = fr_acl_user_at(i);
        const fr_str *name = fr_acl_user_name(u);
        if (names_only) {
            fr_reply_bulk_str(ctx, name);
            continue;
        }
        fr_str *line = fr_str_new("user ", 5);
        line = fr_str_cat(line, name->buf, name->len);
        line = fr_str_cat(line, " ", 1);
        fr_str *d = fr_acl_describe(u);
        line = fr_str_cat(line, d->buf, d->len);
        fr_str_free(d);
        fr_reply_bulk_str(ctx, line);
        fr_str_free(line);
    }
}

void fr_cmd_acl_users(fr_ctx *ctx)
{
    list_users(ctx, 1);
}

void fr_cmd_acl_list(fr_ctx *ctx)
{
    list_users(ctx, 0);
}

void fr_cmd_acl_whoami(fr_ctx *ctx)
{
    size_t len;
    const char *name = fr_acl_client_username(fr_ctx_client(ctx), &len);
    fr_reply_bulk(ctx, name, len);
}

static int refuse_without_file(fr_ctx *ctx)
{
    if (fr_acl_has_file()) return 0;
    fr_reply_error(ctx, "This Redis instance is not configured to use an ACL file. You may want to specify users via "
                        "the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
                        "configuration file set) in order to store users in the Redis configuration.");
    return 1;
}

void fr_cmd_acl_load(fr_ctx *ctx)
{
    if (refuse_without_file(ctx)) return;
    int hit = 0;
    char *errors = fr_acl_load_file(fr_ctx_client(ctx), &hit);
    if (!errors) {
        fr_reply_ok(ctx);
    } else {
        fr_reply_error(ctx, errors);
        fr_free(errors);
    }
    close_after_reply_if(ctx, hit);
}

void fr_cmd_acl_save(fr_ctx *ctx)
{
    if (refuse_without_file(ctx)) return;
    if (fr_acl_save_file() == 0) fr_reply_ok(ctx);
    else fr_reply_error(ctx, "There was an error trying to save the ACLs. Please check the server logs for more "
                             "information");
}

void fr_cmd_acl_cat(fr_ctx *ctx)
{
    if (fr_argc(ctx) > 3) {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    if (fr_argc(ctx) == 2) {
        int n = 0;
        while (fr_acl_category_names[n].name) n++;
        fr_reply_array(ctx, n);
        for (int j = 0; j < n; j++) fr_reply_bulk_cstr(ctx, fr_acl_category_names[j].reply);
        return;
    }
    uint64_t flag = fr_acl_category_from_name(fr_arg(ctx, 2)->buf);
    if (!flag) {
        fr_reply_errorf(ctx, "Unknown category '%.128s'", fr_arg(ctx, 2)->buf);
        return;
    }
    fr_acl_reply_category(ctx, flag);
}

/* Random bytes from the kernel; a short read falls back to the clock-seeded
 * libc generator rather than failing the command. */
static void random_bytes(unsigned char *p, size_t n)
{
    size_t got = 0;
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd >= 0) {
        ssize_t r;
        while (got < n && (r = read(fd, p + got, n - got)) > 0) got += (size_t)r;
        close(fd);
    }
    for (; got < n; got++) p[got] = (unsigned char)(rand() ^ (int)fr_mstime());
}

void fr_cmd_acl_genpass(fr_ctx *ctx)
{
    enum { MAX_BITS = 4096 };
    if (fr_argc(ctx) > 3) {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    long long bits = 256;
    if (fr_argc(ctx) == 3) {
        const fr_str *a = fr_arg(ctx, 2);
        if (!fr_string2ll(a->buf, a->len, &bits)) {
            fr_reply_error(ctx, "value is not an integer or out of range");
            return;
        }
    }
    if (bits <= 0 || bits > MAX_BITS) {
        fr_reply_errorf(ctx, "ACL GENPASS argument must be the number of bits for the output password, a positive "
                             "number up to %d", MAX_BITS);
        return;
    }
    size_t chars = (size_t)(bits + 3) / 4;
    unsigned char raw[MAX_BITS / 8 * 2];
    char hex[MAX_BITS / 4 + 1];
    random_bytes(raw, chars);
    for (size_t i = 0; i < chars; i++) hex[i] = "0123456789abcdef"[raw[i] & 15];
    fr_reply_bulk(ctx, hex, chars);
}

void fr_cmd_acl_log(fr_ctx *ctx)
{
    if (fr_argc(ctx) > 3) {
        fr_reply_subcommand_syntax_error(ctx);
        return;
    }
    long long count = 10;
    if (fr_argc(ctx) == 3) {
        const fr_str *a = fr_arg(ctx, 2);
        if (fr_arg_is(ctx, 2, "reset")) {
            fr_acl_log_clear();
            fr_reply_ok(ctx);
            return;
        }
        if (!fr_string2ll(a->buf, a->len, &count)) {
            fr_reply_error(ctx, "value is not an integer or out of range");
            return;
        }
        if (count < 0) count = 0;
    }
    fr_acl_reply_log(ctx, (long)count);
}

void fr_cmd_acl_dryrun(fr_ctx *ctx)
{
    const fr_str *uname = fr_arg(ctx, 2);
    fr_acl_user *u = fr_acl_user_by_name(uname->buf, uname->len);
    if (!u) {
        fr_reply_errorf(ctx, "User '%s' not found", uname->buf);
        return;
    }
    int argc = fr_argc(ctx) - 3;
    fr_str **argv = ctx->argv + 3;
    const fr_cmd_meta *cmd = fr_cmdtable_lookup_argv(argc, (const fr_str *const *)argv);
    if (!cmd) {
        fr_reply_errorf(ctx, "Command '%s' not found", argv[0]->buf);
        return;
    }
    if (!fr_cmd_arity_ok(cmd, argc)) {
        fr_reply_errorf(ctx, "wrong number of arguments for '%s' command", cmd->fullname);
        return;
    }
    int pos = 0;
    int why = fr_acl_check_user(u, cmd, argc, argv, &pos);
    if (why == FR_ACL_OK) {
        fr_reply_ok(ctx);
        return;
    }
    char msg[1024];
    if (why == FR_ACL_DENIED_CMD)
        snprintf(msg, sizeof(msg), "This user has no permissions to run the '%s' command", cmd->fullname);
    else
        snprintf(msg, sizeof(msg), "This user has no permissions to access the '%s' %s", argv[pos]->buf,
                 why == FR_ACL_DENIED_KEY ? "key" : "channel");
    fr_reply_bulk_cstr(ctx, msg);
}

void fr_cmd_acl_help(fr_ctx *ctx)
{
    static const char *const help[] = {
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        NULL};
    fr_reply_help(ctx, help);
}
