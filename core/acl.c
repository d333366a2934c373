/* acl.c -- ACL users, their rules and the permission checks, as Redis
 * 7.0.15 has them.
 *
 * Owns the users (sorted by name bytes, as Redis's radix tree lists them),
 * the ACL log and the command ids the permission bitmaps are indexed by.
 * A user is flags (on/off, nopass, sanitize-payload), password hashes
 * (SHA-256 hex) and a list of selectors, the first being the "root" one the
 * plain rules edit; a selector is a command bitmap plus allowed first
 * arguments, key patterns (each with read and/or write permission) and
 * channel patterns.  A command runs when at least one selector allows the
 * command, every key it names (found from the manifest's key specs, their
 * RW/RO/INSERT/DELETE... flags deciding which permission a key needs) and
 * every channel it publishes or subscribes to.
 *
 * Categories are the manifests' acl_categories (nothing kept here); command
 * ids are given on first sight by full name and kept for the process, so a
 * module loaded again finds its bits where they were.  The last bit is
 * never a command's: +@all sets it, and it says "allowed future commands"
 * (what describes a user as "+@all ..." rather than "-@all ...").
 *
 * Invariants: the "default" user always exists and is never freed (ACL
 * LOAD copies the new rules into it); every user has a root selector first;
 * a client's acl_user is NULL (the default user) or a user of the table;
 * a user that leaves the table takes its clients with it. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "runtime.h"
#include "sha256.h"

#define ACL_BITS 1024
#define ACL_FUTURE_BIT (ACL_BITS - 1)

#define SEL_ROOT (1u << 0)
#define SEL_ALLKEYS (1u << 1)
#define SEL_ALLCHANNELS (1u << 2)
#define SEL_ALLCOMMANDS (1u << 3)

#define KP_READ 1
#define KP_WRITE 2
#define KP_ALL (KP_READ | KP_WRITE)

#define USER_ON (1u << 0)
#define USER_OFF (1u << 1)
#define USER_NOPASS (1u << 2)
#define USER_SKIP_SANITIZE (1u << 3)
#define USER_SANITIZE (1u << 4)

/* Why a rule was refused (Redis reports errno values; these are its
 * meanings, in the order of its messages). */
enum { E_OK = 0, E_SYNTAX, E_NOENT, E_KEYS_AFTER_ALL, E_CHANS_AFTER_ALL, E_NOPASS_TO_REMOVE, E_BADHASH,
       E_DUPLICATE, E_CHILD };

typedef struct keypat {
    fr_str *pat;
    int perm; /* KP_* */
} keypat;

typedef struct selector {
    unsigned flags;
    uint64_t cmds[ACL_BITS / 64];
    fr_str ***firstargs; /* NULL, or ACL_BITS NULL-terminated arrays */
    keypat *keys;
    int nkeys;
    fr_str **chans;
    int nchans;
} selector;

struct fr_acl_user {
    fr_str *name;
    unsigned flags;
    char (*pw)[FR_SHA256_HEX_LEN + 1];
    int npw;
    selector **sels;
    int nsels;
};

static fr_acl_user **users;
static int nusers;
static fr_acl_user *default_user;

/* What the flag words print as, in Redis's order. */
static const struct {
    const char *name;
    unsigned flag;
} user_flag_names[] = {{"on", USER_ON}, {"off", USER_OFF}, {"nopass", USER_NOPASS},
                       {"skip-sanitize-payload", USER_SKIP_SANITIZE}, {"sanitize-payload", USER_SANITIZE}};
#define N_USER_FLAGS (sizeof(user_flag_names) / sizeof(user_flag_names[0]))

/* ------------------------------------------------------------ command ids */

static char *id_names[ACL_BITS];
static int next_id;

/* The command's bit, given on first sight by full name (stable across a
 * module's unload and reload, as Redis's ACLGetCommandID). */
static int cmd_id(const fr_cmd_meta *cmd)
{
    fr_cmd_meta *m = (fr_cmd_meta *)cmd;
    if (m->acl_id) return m->acl_id - 1;
    int id = -1;
    for (int i = 0; i < next_id; i++)
        if (id_names[i] && !strcmp(id_names[i], cmd->fullname)) id = i;
    if (id < 0 && next_id < ACL_FUTURE_BIT) {
        id = next_id++;
        id_names[id] = fr_strdup(cmd->fullname);
    }
    if (id < 0) return ACL_FUTURE_BIT; /* table full: never allowed alone */
    m->acl_id = id + 1;
    return id;
}

static int bit_get(const selector *s, int id)
{
    return (s->cmds[id / 64] >> (id % 64)) & 1;
}

static void bit_set(selector *s, int id, int on)
{
    if (on) {
        s->cmds[id / 64] |= 1ULL << (id % 64);
    } else {
        s->cmds[id / 64] &= ~(1ULL << (id % 64));
        s->flags &= ~SEL_ALLCOMMANDS;
    }
}

/* Every command, each container followed by its subcommands. */
typedef void (*cmd_visit_fn)(const fr_cmd_meta *c, void *priv);
typedef struct visit_ctx {
    cmd_visit_fn fn;
    void *priv;
} visit_ctx;

static void visit_one(const fr_cmd_meta *c, void *priv)
{
    visit_ctx *v = priv;
    v->fn(c, v->priv);
    for (int i = 0; i < c->nsubcmds; i++) v->fn(&c->subcmds[i], v->priv);
}

static void each_command(cmd_visit_fn fn, void *priv)
{
    visit_ctx v = {fn, priv};
    fr_cmdtable_foreach(visit_one, &v);
}

/* ---------------------------------------------------------------- helpers */

static int has_spaces(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (isspace((unsigned char)s[i]) || s[i] == '\0') return 1;
    return 0;
}

static int ieq(const char *op, size_t len, const char *word)
{
    return strlen(word) == len && !strncasecmp(op, word, len);
}

static void hash_password(const char *p, size_t len, char out[FR_SHA256_HEX_LEN + 1])
{
    fr_sha256_hex(p, len, out);
}

static int valid_hash(const char *h, size_t len)
{
    if (len != FR_SHA256_HEX_LEN) return 0;
    for (size_t i = 0; i < len; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f'))) return 0;
    return 1;
}

/* Compares two hashes in time that does not depend on where they differ. */
static int hash_equal(const char *a, const char *b)
{
    unsigned diff = 0;
    for (int i = 0; i < FR_SHA256_HEX_LEN; i++) diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
    return diff == 0;
}

/* -------------------------------------------------------------- selectors */

static selector *sel_new(unsigned flags)
{
    selector *s = fr_calloc(sizeof(*s));
    s->flags = flags;
    if (fr_config_server_ll("acl-pubsub-default", 0) == 1) s->flags |= SEL_ALLCHANNELS;
    return s;
}

static void firstargs_reset_one(selector *s, int id)
{
    if (!s->firstargs || !s->firstargs[id]) return;
    for (int i = 0; s->firstargs[id][i]; i++) fr_str_free(s->firstargs[id][i]);
    fr_free(s->firstargs[id]);
    s->firstargs[id] = NULL;
}

static void firstargs_reset(selector *s)
{
    if (!s->firstargs) return;
    for (int id = 0; id < ACL_BITS; id++) firstargs_reset_one(s, id);
    fr_free(s->firstargs);
    s->firstargs = NULL;
}

static void keys_reset(selector *s)
{
    for (int i = 0; i < s->nkeys; i++) fr_str_free(s->keys[i].pat);
    fr_free(s->keys);
    s->keys = NULL;
    s->nkeys = 0;
}

static void chans_reset(selector *s)
{
    for (int i = 0; i < s->nchans; i++) fr_str_free(s->chans[i]);
    fr_free(s->chans);
    s->chans = NULL;
    s->nchans = 0;
}

static void sel_free(selector *s)
{
    if (!s) return;
    firstargs_reset(s);
    keys_reset(s);
    chans_reset(s);
    fr_free(s);
}

static selector *sel_copy(const selector *src)
{
    selector *s = fr_calloc(sizeof(*s));
    s->flags = src->flags;
    memcpy(s->cmds, src->cmds, sizeof(s->cmds));
    if (src->firstargs) {
        s->firstargs = fr_calloc(sizeof(fr_str **) * ACL_BITS);
        for (int id = 0; id < ACL_BITS; id++) {
            if (!src->firstargs[id]) continue;
            int n = 0;
            while (src->firstargs[id][n]) n++;
            s->firstargs[id] = fr_calloc(sizeof(fr_str *) * (size_t)(n + 1));
            for (int i = 0; i < n; i++) s->firstargs[id][i] = fr_str_dup(src->firstargs[id][i]);
        }
    }
    if (src->nkeys) {
        s->keys = fr_malloc(sizeof(keypat) * (size_t)src->nkeys);
        for (int i = 0; i < src->nkeys; i++) s->keys[i] = (keypat){fr_str_dup(src->keys[i].pat), src->keys[i].perm};
        s->nkeys = src->nkeys;
    }
    if (src->nchans) {
        s->chans = fr_malloc(sizeof(fr_str *) * (size_t)src->nchans);
        for (int i = 0; i < src->nchans; i++) s->chans[i] = fr_str_dup(src->chans[i]);
        s->nchans = src->nchans;
    }
    return s;
}

/* Allowing or blocking a container applies to its subcommands too. */
static void change_perm(selector *s, const fr_cmd_meta *cmd, int allow)
{
    int id = cmd_id(cmd);
    bit_set(s, id, allow);
    firstargs_reset_one(s, id);
    for (int i = 0; i < cmd->nsubcmds; i++) bit_set(s, cmd_id(&cmd->subcmds[i]), allow);
}

typedef struct cat_op {
    selector *s;
    uint64_t flag;
    int allow;
    unsigned long on, off;
} cat_op;

static void cat_apply_one(const fr_cmd_meta *c, void *priv)
{
    cat_op *op = priv;
    if (c->flags & FR_CMD_MODULE) return;
    if (c->acl_categories & op->flag) change_perm(op->s, c, op->allow);
}

static void cat_apply(selector *s, uint64_t flag, int allow)
{
    cat_op op = {s, flag, allow, 0, 0};
    each_command(cat_apply_one, &op);
}

static void cat_count_one(const fr_cmd_meta *c, void *priv)
{
    cat_op *op = priv;
    if (!(c->acl_categories & op->flag)) return;
    if (bit_get(op->s, cmd_id(c))) op->on++;
    else op->off++;
}

static void firstarg_add(selector *s, int id, const char *sub)
{
    if (!s->firstargs) s->firstargs = fr_calloc(sizeof(fr_str **) * ACL_BITS);
    int n = 0;
    if (s->firstargs[id]) {
        for (; s->firstargs[id][n]; n++)
            if (!strcasecmp(s->firstargs[id][n]->buf, sub)) return;
    }
    s->firstargs[id] = fr_realloc(s->firstargs[id], sizeof(fr_str *) * (size_t)(n + 2));
    s->firstargs[id][n] = fr_str_new(sub, strlen(sub));
    s->firstargs[id][n + 1] = NULL;
}

static const fr_cmd_meta *lookup_fullname(const char *name)
{
    const char *bar = strchr(name, '|');
    if (!bar) return fr_cmdtable_lookup(name, strlen(name));
    const fr_cmd_meta *base = fr_cmdtable_lookup(name, (size_t)(bar - name));
    if (!base || !base->nsubcmds) return NULL;
    for (int i = 0; i < base->nsubcmds; i++)
        if (!strcasecmp(base->subcmds[i].name, bar + 1)) return &base->subcmds[i];
    return NULL;
}

static int add_key_pattern(selector *s, const char *op, size_t len)
{
    if (s->flags & SEL_ALLKEYS) return E_KEYS_AFTER_ALL;
    int perm = 0;
    size_t off = 1;
    if (op[0] == '%') {
        int ok = 1;
        for (; off < len; off++) {
            char ch = (char)toupper((unsigned char)op[off]);
            if (ch == 'R' && !(perm & KP_READ)) {
                perm |= KP_READ;
            } else if (ch == 'W' && !(perm & KP_WRITE)) {
                perm |= KP_WRITE;
            } else if (op[off] == '~') {
                off++;
                break;
            } else {
                ok = 0;
                break;
            }
        }
        if (!perm || !ok) return E_SYNTAX;
    } else {
        perm = KP_ALL;
    }
    if (off > len) off = len;
    if (has_spaces(op + off, len - off)) return E_SYNTAX;
    for (int i = 0; i < s->nkeys; i++) {
        if (s->keys[i].pat->len == len - off && !memcmp(s->keys[i].pat->buf, op + off, len - off)) {
            s->keys[i].perm |= perm;
            return E_OK;
        }
    }
    s->keys = fr_realloc(s->keys, sizeof(keypat) * (size_t)(s->nkeys + 1));
    s->keys[s->nkeys++] = (keypat){fr_str_new(op + off, len - off), perm};
    return E_OK;
}

static int add_channel(selector *s, const char *op, size_t len)
{
    if (s->flags & SEL_ALLCHANNELS) return E_CHANS_AFTER_ALL;
    if (has_spaces(op + 1, len - 1)) return E_SYNTAX;
    for (int i = 0; i < s->nchans; i++)
        if (s->chans[i]->len == len - 1 && !memcmp(s->chans[i]->buf, op + 1, len - 1)) return E_OK;
    s->chans = fr_realloc(s->chans, sizeof(fr_str *) * (size_t)(s->nchans + 1));
    s->chans[s->nchans++] = fr_str_new(op + 1, len - 1);
    return E_OK;
}

/* "+cmd|arg": a subcommand, or a first argument of a plain command. */
static int allow_with_bar(selector *s, const char *op)
{
    char *copy = fr_strdup(op + 1);
    char *sub = strrchr(copy, '|');
    *sub++ = '\0';
    int rc = E_OK;
    const fr_cmd_meta *cmd = lookup_fullname(copy);
    if (!cmd) rc = E_NOENT;
    else if (cmd->parent) rc = E_CHILD;
    else if (!*sub) rc = E_SYNTAX;
    else if (cmd->nsubcmds) {
        const fr_cmd_meta *subcmd = lookup_fullname(op + 1);
        if (!subcmd) rc = E_NOENT;
        else change_perm(s, subcmd, 1);
    } else {
        fr_log(FR_LOG_WARNING,
               "Deprecation warning: Allowing a first arg of an otherwise blocked command is a misuse of ACL "
               "and may get disabled in the future (offender: +%s)", op + 1);
        firstarg_add(s, cmd_id(cmd), sub);
    }
    fr_free(copy);
    return rc;
}

/* One rule that a selector understands.  `op` is NUL-terminated. */
static int sel_apply(selector *s, const char *op, size_t len)
{
    if (ieq(op, len, "allkeys") || ieq(op, len, "~*")) {
        s->flags |= SEL_ALLKEYS;
        keys_reset(s);
    } else if (ieq(op, len, "resetkeys")) {
        s->flags &= ~SEL_ALLKEYS;
        keys_reset(s);
    } else if (ieq(op, len, "allchannels") || ieq(op, len, "&*")) {
        s->flags |= SEL_ALLCHANNELS;
        chans_reset(s);
    } else if (ieq(op, len, "resetchannels")) {
        s->flags &= ~SEL_ALLCHANNELS;
        chans_reset(s);
    } else if (ieq(op, len, "allcommands") || ieq(op, len, "+@all")) {
        memset(s->cmds, 0xff, sizeof(s->cmds));
        s->flags |= SEL_ALLCOMMANDS;
        firstargs_reset(s);
    } else if (ieq(op, len, "nocommands") || ieq(op, len, "-@all")) {
        memset(s->cmds, 0, sizeof(s->cmds));
        s->flags &= ~SEL_ALLCOMMANDS;
        firstargs_reset(s);
    } else if (op[0] == '~' || op[0] == '%') {
        int rc = add_key_pattern(s, op, len);
        if (rc) return rc;
        s->flags &= ~SEL_ALLKEYS;
    } else if (op[0] == '&') {
        int rc = add_channel(s, op, len);
        if (rc) return rc;
        s->flags &= ~SEL_ALLCHANNELS;
    } else if (op[0] == '+' && op[1] != '@') {
        if (strrchr(op, '|')) return allow_with_bar(s, op);
        const fr_cmd_meta *cmd = lookup_fullname(op + 1);
        if (!cmd) return E_NOENT;
        change_perm(s, cmd, 1);
    } else if (op[0] == '-' && op[1] != '@') {
        const fr_cmd_meta *cmd = lookup_fullname(op + 1);
        if (!cmd) return E_NOENT;
        change_perm(s, cmd, 0);
    } else if ((op[0] == '+' || op[0] == '-') && op[1] == '@') {
        uint64_t flag = fr_acl_category_from_name(op + 2);
        if (!flag) return E_NOENT;
        cat_apply(s, flag, op[0] == '+');
    } else {
        return E_SYNTAX;
    }
    return E_OK;
}

/* ------------------------------------------------------------------ users */

static fr_acl_user *user_new(const char *name, size_t len)
{
    fr_acl_user *u = fr_calloc(sizeof(*u));
    u->name = fr_str_new(name, len);
    u->flags = USER_OFF;
    u->sels = fr_malloc(sizeof(selector *));
    u->sels[0] = sel_new(SEL_ROOT);
    u->nsels = 1;
    return u;
}

static void user_clear_selectors(fr_acl_user *u, int from)
{
    for (int i = from; i < u->nsels; i++) sel_free(u->sels[i]);
    u->nsels = from;
}

static void user_free(fr_acl_user *u)
{
    if (!u) return;
    fr_str_free(u->name);
    fr_free(u->pw);
    user_clear_selectors(u, 0);
    fr_free(u->sels);
    fr_free(u);
}

/* dst takes src's rules; names stay. */
static void user_copy_rules(fr_acl_user *dst, const fr_acl_user *src)
{
    fr_free(dst->pw);
    dst->pw = NULL;
    if (src->npw) {
        dst->pw = fr_malloc(sizeof(*dst->pw) * (size_t)src->npw);
        memcpy(dst->pw, src->pw, sizeof(*dst->pw) * (size_t)src->npw);
    }
    dst->npw = src->npw;
    user_clear_selectors(dst, 0);
    dst->sels = fr_realloc(dst->sels, sizeof(selector *) * (size_t)src->nsels);
    for (int i = 0; i < src->nsels; i++) dst->sels[i] = sel_copy(src->sels[i]);
    dst->nsels = src->nsels;
    dst->flags = src->flags;
}

static int name_cmp(const fr_str *a, const char *b, size_t blen)
{
    size_t n = a->len < blen ? a->len : blen;
    int c = memcmp(a->buf, b, n);
    if (c) return c;
    return a->len < blen ? -1 : a->len > blen;
}

/* Index of the user, or -(insertion point) - 1. */
static int find_index(fr_acl_user **set, int n, const char *name, size_t len)
{
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = name_cmp(set[mid]->name, name, len);
        if (!c) return mid;
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return -lo - 1;
}

fr_acl_user *fr_acl_user_by_name(const char *name, size_t len)
{
    fr_acl_init();
    int i = find_index(users, nusers, name, len);
    return i >= 0 ? users[i] : NULL;
}

static void table_insert(fr_acl_user *u)
{
    int i = find_index(users, nusers, u->name->buf, u->name->len);
    if (i >= 0) return;
    i = -i - 1;
    users = fr_realloc(users, sizeof(*users) * (size_t)(nusers + 1));
    memmove(users + i + 1, users + i, sizeof(*users) * (size_t)(nusers - i));
    users[i] = u;
    nusers++;
}

static void table_remove(int i)
{
    memmove(users + i, users + i + 1, sizeof(*users) * (size_t)(nusers - i - 1));
    nusers--;
}

static void publish_default_state(void)
{
    fr_proto.default_user_nopass = (default_user->flags & USER_NOPASS) != 0;
    fr_proto.default_user_open = fr_proto.default_user_nopass && !(default_user->flags & USER_OFF);
}

static int pw_find(const fr_acl_user *u, const char *hash)
{
    for (int i = 0; i < u->npw; i++)
        if (!strcmp(u->pw[i], hash)) return i;
    return -1;
}

static void pw_add(fr_acl_user *u, const char *hash)
{
    if (pw_find(u, hash) >= 0) return;
    u->pw = fr_realloc(u->pw, sizeof(*u->pw) * (size_t)(u->npw + 1));
    memcpy(u->pw[u->npw++], hash, FR_SHA256_HEX_LEN + 1);
}

static int pw_op(fr_acl_user *u, const char *op, size_t len)
{
    char hash[FR_SHA256_HEX_LEN + 1];
    if (op[0] == '>' || op[0] == '<') {
        hash_password(op + 1, len - 1, hash);
    } else {
        if (!valid_hash(op + 1, len - 1)) return E_BADHASH;
        memcpy(hash, op + 1, FR_SHA256_HEX_LEN);
        hash[FR_SHA256_HEX_LEN] = '\0';
    }
    if (op[0] == '>' || op[0] == '#') {
        pw_add(u, hash);
        u->flags &= ~USER_NOPASS;
        return E_OK;
    }
    int i = pw_find(u, hash);
    if (i < 0) return E_NOPASS_TO_REMOVE;
    memmove(u->pw + i, u->pw + i + 1, sizeof(*u->pw) * (size_t)(u->npw - i - 1));
    u->npw--;
    return E_OK;
}

static int user_apply(fr_acl_user *u, const char *op, size_t len);

/* "(rules)": a new selector from the rules between the parentheses. */
static int add_selector(fr_acl_user *u, const char *op, size_t len)
{
    selector *s = sel_new(0);
    int argc = 0, rc = E_OK;
    fr_str **argv = fr_splitargs(op + 1, len - 2, &argc);
    if (!argv) argc = 0;
    for (int i = 0; i < argc && rc == E_OK; i++) rc = sel_apply(s, argv[i]->buf, argv[i]->len);
    if (argv) fr_splitargs_free(argv, argc);
    if (rc) {
        sel_free(s);
        return rc;
    }
    u->sels = fr_realloc(u->sels, sizeof(selector *) * (size_t)(u->nsels + 1));
    u->sels[u->nsels++] = s;
    return E_OK;
}

static void set_flag_pair(fr_acl_user *u, unsigned on, unsigned off)
{
    u->flags |= on;
    u->flags &= ~off;
}

/* One rule of ACL SETUSER (Redis's ACLSetUser). */
static int user_apply(fr_acl_user *u, const char *op, size_t len)
{
    if (len == 0) return E_OK;
    if (ieq(op, len, "on")) {
        set_flag_pair(u, USER_ON, USER_OFF);
    } else if (ieq(op, len, "off")) {
        set_flag_pair(u, USER_OFF, USER_ON);
    } else if (ieq(op, len, "skip-sanitize-payload")) {
        set_flag_pair(u, USER_SKIP_SANITIZE, USER_SANITIZE);
    } else if (ieq(op, len, "sanitize-payload")) {
        set_flag_pair(u, USER_SANITIZE, USER_SKIP_SANITIZE);
    } else if (ieq(op, len, "nopass")) {
        u->flags |= USER_NOPASS;
        u->npw = 0;
    } else if (ieq(op, len, "resetpass")) {
        u->flags &= ~USER_NOPASS;
        u->npw = 0;
    } else if (op[0] == '>' || op[0] == '#' || op[0] == '<' || op[0] == '!') {
        return pw_op(u, op, len);
    } else if (op[0] == '(' && op[len - 1] == ')') {
        return add_selector(u, op, len);
    } else if (ieq(op, len, "clearselectors")) {
        user_clear_selectors(u, 1);
    } else if (ieq(op, len, "reset")) {
        user_apply(u, "resetpass", 9);
        user_apply(u, "resetkeys", 9);
        user_apply(u, "resetchannels", 13);
        if (fr_config_server_ll("acl-pubsub-default", 0) == 1) user_apply(u, "allchannels", 11);
        user_apply(u, "off", 3);
        user_apply(u, "sanitize-payload", 16);
        user_apply(u, "clearselectors", 14);
        user_apply(u, "-@all", 5);
    } else {
        return sel_apply(u->sels[0], op, len);
    }
    return E_OK;
}

static const char *error_text(int e)
{
    switch (e) {
    case E_NOENT: return "Unknown command or category name in ACL";
    case E_SYNTAX: return "Syntax error";
    case E_KEYS_AFTER_ALL:
        return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any "
               "effect. Try 'resetkeys' to start with an empty list of patterns";
    case E_CHANS_AFTER_ALL:
        return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have "
               "any effect. Try 'resetchannels' to start with an empty list of channels";
    case E_NOPASS_TO_REMOVE: return "The password you are trying to remove from the user does not exist";
    case E_BADHASH:
        return "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";
    case E_DUPLICATE: return "Duplicate user found. A user can only be defined once in config files";
    case E_CHILD: return "Allowing first-arg of a subcommand is not supported";
    default: return "Wrong format";
    }
}

static fr_acl_user *create_default_user(void)
{
    fr_acl_user *u = user_new("default", 7);
    user_apply(u, "+@all", 5);
    user_apply(u, "~*", 2);
    user_apply(u, "&*", 2);
    user_apply(u, "on", 2);
    user_apply(u, "nopass", 6);
    return u;
}

void fr_acl_init(void)
{
    if (default_user) return;
    default_user = create_default_user();
    table_insert(default_user);
    if (fr_cfg.requirepass) fr_acl_set_default_password(fr_cfg.requirepass);
    publish_default_state();
}

void fr_acl_set_default_password(const char *pass)
{
    fr_acl_init();
    user_apply(default_user, "resetpass", 9);
    if (pass) {
        size_t n = strlen(pass);
        char *op = fr_malloc(n + 2);
        op[0] = '>';
        memcpy(op + 1, pass, n + 1);
        user_apply(default_user, op, n + 1);
        fr_free(op);
    } else {
        user_apply(default_user, "nopass", 6);
    }
    publish_default_state();
}

/* ------------------------------------------------------ rules, described */

static fr_str *cat_pattern(fr_str *s, const keypat *k)
{
    s = fr_str_cat(s, k->perm == KP_ALL ? "~" : k->perm == KP_READ ? "%R~" : "%W~",
                   k->perm == KP_ALL ? 1 : 3);
    return fr_str_cat(s, k->pat->buf, k->pat->len);
}

typedef struct single_ctx {
    const selector *user;
    selector *fake;
    fr_str *rules;
} single_ctx;

static void single_one(const fr_cmd_meta *c, void *priv)
{
    single_ctx *x = priv;
    int id = cmd_id(c);
    int ub = bit_get(x->user, id), fb = bit_get(x->fake, id);
    if (ub != fb) {
        x->rules = fr_str_cat(x->rules, ub ? "+" : "-", 1);
        x->rules = fr_str_cat(x->rules, c->fullname, strlen(c->fullname));
        x->rules = fr_str_cat(x->rules, " ", 1);
        change_perm(x->fake, c, ub);
    }
    if (!ub && x->user->firstargs && x->user->firstargs[id]) {
        for (int j = 0; x->user->firstargs[id][j]; j++) {
            x->rules = fr_str_cat(x->rules, "+", 1);
            x->rules = fr_str_cat(x->rules, c->fullname, strlen(c->fullname));
            x->rules = fr_str_cat(x->rules, "|", 1);
            x->rules = fr_str_cat(x->rules, x->user->firstargs[id][j]->buf, x->user->firstargs[id][j]->len);
            x->rules = fr_str_cat(x->rules, " ", 1);
        }
    }
}

/* Redis's best-fit description of a command bitmap: +@all or -@all, then
 * the category that differs least (and shares most) while it shares more
 * than it differs, again and again, then single commands. */
static fr_str *describe_commands(const selector *s)
{
    fr_str *rules = fr_str_new_empty(64);
    selector fake, temp;
    memset(&fake, 0, sizeof(fake));
    memset(&temp, 0, sizeof(temp));
    int additive = !bit_get(s, ACL_FUTURE_BIT);
    rules = fr_str_cat(rules, additive ? "-@all " : "+@all ", 6);
    if (!additive) memset(fake.cmds, 0xff, sizeof(fake.cmds));
    memcpy(temp.cmds, s->cmds, sizeof(s->cmds));
    char applied[64] = {0};
    for (;;) {
        int best = -1;
        unsigned long mindiff = (unsigned long)-1, maxsame = 0;
        for (int j = 0; fr_acl_category_names[j].name; j++) {
            if (applied[j]) continue;
            cat_op op = {&temp, fr_acl_category_names[j].flag, 0, 0, 0};
            each_command(cat_count_one, &op);
            unsigned long diff = additive ? op.off : op.on, same = additive ? op.on : op.off;
            if (same > diff && (diff < mindiff || (diff == mindiff && same > maxsame))) {
                best = j;
                mindiff = diff;
                maxsame = same;
            }
        }
        if (best < 0) break;
        cat_apply(&fake, fr_acl_category_names[best].flag, additive);
        cat_apply(&temp, fr_acl_category_names[best].flag, !additive);
        rules = fr_str_cat(rules, additive ? "+@" : "-@", 2);
        rules = fr_str_cat(rules, fr_acl_category_names[best].reply, strlen(fr_acl_category_names[best].reply));
        rules = fr_str_cat(rules, " ", 1);
        applied[best] = 1;
    }
    single_ctx x = {s, &fake, rules};
    each_command(single_one, &x);
    rules = x.rules;
    firstargs_reset(&fake);
    rules->len--; /* the last space */
    rules->buf[rules->len] = '\0';
    return rules;
}

static fr_str *describe_selector(const selector *s)
{
    fr_str *d = fr_str_new_empty(64);
    if (s->flags & SEL_ALLKEYS) {
        d = fr_str_cat(d, "~* ", 3);
    } else {
        for (int i = 0; i < s->nkeys; i++) {
            d = cat_pattern(d, &s->keys[i]);
            d = fr_str_cat(d, " ", 1);
        }
    }
    if (s->flags & SEL_ALLCHANNELS) {
        d = fr_str_cat(d, "&* ", 3);
    } else {
        d = fr_str_cat(d, "resetchannels ", 14);
        for (int i = 0; i < s->nchans; i++) {
            d = fr_str_cat(d, "&", 1);
            d = fr_str_cat(d, s->chans[i]->buf, s->chans[i]->len);
            d = fr_str_cat(d, " ", 1);
        }
    }
    fr_str *cmds = describe_commands(s);
    d = fr_str_cat(d, cmds->buf, cmds->len);
    fr_str_free(cmds);
    return d;
}

/* The rules of a user as ACL LIST and ACL SAVE write them. */
static fr_str *describe_user(const fr_acl_user *u)
{
    fr_str *d = fr_str_new_empty(128);
    for (size_t j = 0; j < N_USER_FLAGS; j++) {
        if (!(u->flags & user_flag_names[j].flag)) continue;
        d = fr_str_cat(d, user_flag_names[j].name, strlen(user_flag_names[j].name));
        d = fr_str_cat(d, " ", 1);
    }
    for (int i = 0; i < u->npw; i++) {
        d = fr_str_cat(d, "#", 1);
        d = fr_str_cat(d, u->pw[i], FR_SHA256_HEX_LEN);
        d = fr_str_cat(d, " ", 1);
    }
    for (int i = 0; i < u->nsels; i++) {
        fr_str *sd = describe_selector(u->sels[i]);
        if (i) d = fr_str_cat(d, " (", 2);
        d = fr_str_cat(d, sd->buf, sd->len);
        if (i) d = fr_str_cat(d, ")", 1);
        fr_str_free(sd);
    }
    return d;
}

/* ------------------------------------------------------------ the checks */

static int key_allowed(const selector *s, const char *key, size_t len, uint64_t spec_flags)
{
    if (s->flags & SEL_ALLKEYS) return 1;
    int need = 0;
    if (spec_flags & FR_KEY_ACCESS) need |= KP_READ;
    if (spec_flags & (FR_KEY_INSERT | FR_KEY_DELETE | FR_KEY_UPDATE)) need |= KP_WRITE;
    for (int i = 0; i < s->nkeys; i++) {
        if ((s->keys[i].perm & need) != need) continue;
        if (fr_stringmatch(s->keys[i].pat->buf, s->keys[i].pat->len, key, len, 0)) return 1;
    }
    return 0;
}

static int channel_allowed_in(fr_str *const *list, int n, const char *ch, size_t len, int is_pattern)
{
    for (int i = 0; i < n; i++) {
        if (is_pattern ? (list[i]->len == len && !memcmp(list[i]->buf, ch, len))
                       : fr_stringmatch(list[i]->buf, list[i]->len, ch, len, 0))
            return 1;
    }
    return 0;
}

/* Which arguments of a command are channels, as Redis's table of pub/sub
 * commands says (a fact of those commands' syntax, not of their module):
 * first and last argument, -1 for "to the end"; unsubscribing is never
 * checked. */
static int channel_args(const fr_cmd_meta *cmd, int *first, int *last, int *is_pattern)
{
    static const struct {
        const char *name;
        int first, last, pattern;
    } table[] = {{"subscribe", 1, -1, 0}, {"ssubscribe", 1, -1, 0}, {"psubscribe", 1, -1, 1},
                 {"publish", 1, 1, 0},    {"spublish", 1, 1, 0},    {NULL, 0, 0, 0}};
    for (int i = 0; table[i].name; i++) {
        if (strcmp(cmd->fullname, table[i].name)) continue;
        *first = table[i].first;
        *last = table[i].last;
        *is_pattern = table[i].pattern;
        return 1;
    }
    return 0;
}

typedef struct key_cache {
    int init, n;
    int *pos;
    int *flags;
} key_cache;

static void key_cache_fill(key_cache *kc, const fr_cmd_meta *cmd, int argc, fr_str **argv)
{
    if (kc->init) return;
    kc->init = 1;
    int max = argc > 0 ? argc : 1;
    kc->pos = fr_malloc(sizeof(int) * (size_t)max);
    kc->flags = fr_malloc(sizeof(int) * (size_t)max);
    int n = fr_cmd_getkeys(cmd, argc, (const fr_str *const *)argv, kc->pos, kc->flags, max);
    kc->n = n < 0 ? 0 : n > max ? max : n;
}

static int sel_check(const selector *s, const fr_cmd_meta *cmd, int argc, fr_str **argv, int *errpos,
                     key_cache *kc)
{
    int id = cmd_id(cmd);
    if (!(s->flags & SEL_ALLCOMMANDS) && !(cmd->flags & FR_CMD_NO_AUTH) && !bit_get(s, id)) {
        if (argc < 2 || !s->firstargs || !s->firstargs[id]) return FR_ACL_DENIED_CMD;
        int idx = cmd->parent ? 2 : 1, found = 0;
        if (idx >= argc) return FR_ACL_DENIED_CMD;
        for (int j = 0; s->firstargs[id][j] && !found; j++)
            found = !strcasecmp(argv[idx]->buf, s->firstargs[id][j]->buf);
        if (!found) return FR_ACL_DENIED_CMD;
    }
    if (!(s->flags & SEL_ALLKEYS) && fr_cmd_has_keys(cmd)) {
        key_cache_fill(kc, cmd, argc, argv);
        for (int j = 0; j < kc->n; j++) {
            int p = kc->pos[j];
            if (!key_allowed(s, argv[p]->buf, argv[p]->len, (uint64_t)kc->flags[j])) {
                *errpos = p;
                return FR_ACL_DENIED_KEY;
            }
        }
    }
    int first, last, is_pattern;
    if (!(s->flags & SEL_ALLCHANNELS) && channel_args(cmd, &first, &last, &is_pattern)) {
        int end = last < 0 ? argc - 1 : last;
        for (int p = first; p <= end && p < argc; p++) {
            if (!channel_allowed_in(s->chans, s->nchans, argv[p]->buf, argv[p]->len, is_pattern)) {
                *errpos = p;
                return FR_ACL_DENIED_CHANNEL;
            }
        }
    }
    return FR_ACL_OK;
}

static fr_acl_user *user_of(const fr_client *c)
{
    fr_acl_init();
    return c && c->acl_user ? (fr_acl_user *)c->acl_user : default_user;
}

/* Redis's ACLCheckAllUserCommandPerm: any selector may allow it; else the
 * command denial, or the denied key or channel furthest in the arguments. */
int fr_acl_check_user(const fr_acl_user *u, const fr_cmd_meta *cmd, int argc, fr_str **argv, int *errpos)
{
    key_cache kc = {0, 0, NULL, NULL};
    int relevant = FR_ACL_DENIED_CMD, last_idx = 0, rc = -1;
    for (int i = 0; i < u->nsels && rc != FR_ACL_OK; i++) {
        int pos = 0;
        int r = sel_check(u->sels[i], cmd, argc, argv, &pos, &kc);
        if (r == FR_ACL_OK) rc = FR_ACL_OK;
        else if (r > relevant || (r == relevant && pos > last_idx)) {
            relevant = r;
            last_idx = pos;
        }
    }
    fr_free(kc.pos);
    fr_free(kc.flags);
    if (rc == FR_ACL_OK) return FR_ACL_OK;
    *errpos = last_idx;
    return relevant;
}

int fr_acl_check(fr_client *c, const fr_cmd_meta *cmd, int argc, fr_str **argv, int *errpos)
{
    *errpos = 0;
    return fr_acl_check_user(user_of(c), cmd, argc, argv, errpos);
}

const char *fr_acl_denial_text(int reason)
{
    switch (reason) {
    case FR_ACL_DENIED_CMD: return "-NOPERM this user has no permissions to run the '%s' command";
    case FR_ACL_DENIED_KEY: return "-NOPERM this user has no permissions to access one of the keys used as arguments";
    case FR_ACL_DENIED_CHANNEL:
        return "-NOPERM this user has no permissions to access one of the channels used as arguments";
    default: return "no permission";
    }
}

int fr_acl_user_channel_allowed(const fr_acl_user *u, const char *ch, size_t len, int is_pattern)
{
    for (int i = 0; i < u->nsels; i++) {
        if (u->sels[i]->flags & SEL_ALLCHANNELS) return 1;
        if (channel_allowed_in(u->sels[i]->chans, u->sels[i]->nchans, ch, len, is_pattern)) return 1;
    }
    return 0;
}

/* -------------------------------------------------------------- sessions */

const char *fr_acl_client_username(const fr_client *c, size_t *len)
{
    fr_acl_user *u = user_of(c);
    if (len) *len = u->name->len;
    return u->name->buf;
}

fr_acl_user *fr_acl_client_user(const fr_client *c)
{
    return user_of(c);
}

void fr_acl_client_default_auth(fr_client *c)
{
    fr_acl_init();
    c->acl_user = NULL;
    c->authenticated = fr_proto.default_user_open;
}

static int credentials_ok(const fr_str *user, const fr_str *pass)
{
    fr_acl_user *u = fr_acl_user_by_name(user->buf, user->len);
    if (!u || (u->flags & USER_OFF)) return 0;
    if (u->flags & USER_NOPASS) return 1;
    char hash[FR_SHA256_HEX_LEN + 1];
    hash_password(pass->buf, pass->len, hash);
    int ok = 0;
    for (int i = 0; i < u->npw; i++) ok |= hash_equal(hash, u->pw[i]);
    return ok;
}

int fr_acl_default_nopass(void)
{
    fr_acl_init();
    return (default_user->flags & USER_NOPASS) != 0;
}

int fr_acl_authenticate(fr_client *c, const fr_str *user, const fr_str *pass, const char *cmdname)
{
    if (credentials_ok(user, pass)) {
        fr_acl_user *u = fr_acl_user_by_name(user->buf, user->len);
        c->authenticated = 1;
        c->acl_user = u == default_user ? NULL : u;
        return 0;
    }
    fr_acl_log_add(c, FR_ACL_DENIED_AUTH, (c->multi || fr_runtime.in_exec) ? FR_ACL_CTX_MULTI : FR_ACL_CTX_TOPLEVEL, user->buf, user->len,
                   cmdname, strlen(cmdname));
    return -1;
}

/* Clients of a user that is going away: logged out and closed (the running
 * one after its reply; 1 is returned when that is `current`). */
static int kill_clients_of(fr_acl_user *u, fr_client *current)
{
    int hit = 0;
    for (fr_client *c = fr_proto.clients; c; c = c->next) {
        if (c->acl_user != u) continue;
        c->acl_user = NULL;
        c->authenticated = 0;
        if (c == current) hit = 1;
        else fr_client_close_async(c);
    }
    return hit;
}

/* ---------------------------------------------------------------- the log */

typedef struct log_entry {
    long long count;
    int reason, context;
    fr_str *object, *username;
    long long ctime;
    fr_str *cinfo;
    struct log_entry *next;
} log_entry;

static log_entry *log_head;
static long log_len;

static void entry_free(log_entry *e)
{
    fr_str_free(e->object);
    fr_str_free(e->username);
    fr_str_free(e->cinfo);
    fr_free(e);
}

static int entry_matches(const log_entry *a, const log_entry *b)
{
    long long delta = a->ctime - b->ctime;
    if (delta < 0) delta = -delta;
    return a->reason == b->reason && a->context == b->context && delta <= 60000 &&
           a->object->len == b->object->len && !memcmp(a->object->buf, b->object->buf, a->object->len) &&
           a->username->len == b->username->len && !memcmp(a->username->buf, b->username->buf, a->username->len);
}

void fr_acl_log_add(fr_client *c, int reason, int context, const char *username, size_t ulen, const char *object,
                    size_t olen)
{
    log_entry *e = fr_calloc(sizeof(*e));
    e->count = 1;
    e->reason = reason;
    e->context = context;
    if (!username) username = fr_acl_client_username(c, &ulen);
    e->username = fr_str_new(username, ulen);
    e->object = fr_str_new(object, olen);
    e->ctime = (long long)fr_clock_wall_ms();
    e->cinfo = fr_client_describe(c);
    /* A similar entry among the ten newest is bumped and moved first. */
    log_entry **pp = &log_head;
    for (int scanned = 0; *pp && scanned < 10; scanned++, pp = &(*pp)->next) {
        log_entry *m = *pp;
        if (!entry_matches(m, e)) continue;
        *pp = m->next;
        m->next = log_head;
        log_head = m;
        fr_str_free(m->cinfo);
        m->cinfo = e->cinfo;
        e->cinfo = NULL;
        m->ctime = e->ctime;
        m->count++;
        entry_free(e);
        return;
    }
    e->next = log_head;
    log_head = e;
    log_len++;
    long max = (long)fr_config_server_ll("acllog-max-len", 128);
    if (log_len > max) {
        log_entry **tail = &log_head;
        for (long i = 0; i < max && *tail; i++) tail = &(*tail)->next;
        while (*tail) {
            log_entry *x = *tail;
            *tail = x->next;
            entry_free(x);
            log_len--;
        }
    }
}

void fr_acl_log_denied(fr_client *c, int reason, int context, const fr_cmd_meta *cmd, fr_str **argv, int pos)
{
    if (reason == FR_ACL_DENIED_CMD) fr_acl_log_add(c, reason, context, NULL, 0, cmd->fullname, strlen(cmd->fullname));
    else fr_acl_log_add(c, reason, context, NULL, 0, argv[pos]->buf, argv[pos]->len);
}

static void log_reset(void)
{
    while (log_head) {
        log_entry *e = log_head;
        log_head = e->next;
        entry_free(e);
    }
    log_len = 0;
}

/* ------------------------------------------------- SETUSER and friends */

/* Rules as given, with a selector spread over several arguments joined
 * back ("(~x" "+get)" -> "(~x +get)").  NULL when a parenthesis is left
 * open; *bad is then the argument that opened it. */
static fr_str **merge_selectors(int argc, fr_str *const *argv, int *out_n, int *bad)
{
    fr_str **out = fr_malloc(sizeof(fr_str *) * (size_t)(argc ? argc : 1));
    fr_str *open = NULL;
    int n = 0, open_at = -1;
    for (int j = 0; j < argc; j++) {
        const fr_str *op = argv[j];
        int opens = op->len && op->buf[0] == '(' && op->buf[op->len - 1] != ')';
        if (opens) {
            fr_str_free(open);
            open = fr_str_dup(op);
            open_at = j;
            continue;
        }
        if (open_at >= 0) {
            open = fr_str_cat(open, " ", 1);
            open = fr_str_cat(open, op->buf, op->len);
            if (op->len && op->buf[op->len - 1] == ')') {
                out[n++] = open;
                open = NULL;
                open_at = -1;
            }
            continue;
        }
        out[n++] = fr_str_dup(op);
    }
    if (open_at >= 0) {
        for (int i = 0; i < n; i++) fr_str_free(out[i]);
        fr_free(out);
        fr_str_free(open);
        if (bad) *bad = open_at;
        return NULL;
    }
    *out_n = n;
    return out;
}

static void free_args(fr_str **a, int n)
{
    for (int i = 0; i < n; i++) fr_str_free(a[i]);
    fr_free(a);
}

static int chans_subset_of(const fr_acl_user *old, const fr_acl_user *neu)
{
    for (int i = 0; i < neu->nsels; i++)
        if (neu->sels[i]->flags & SEL_ALLCHANNELS) return 1;
    for (int i = 0; i < old->nsels; i++) {
        const selector *s = old->sels[i];
        if (s->flags & SEL_ALLCHANNELS) return 0;
        for (int k = 0; k < s->nchans; k++) {
            int found = 0;
            for (int a = 0; a < neu->nsels && !found; a++)
                for (int b = 0; b < neu->sels[a]->nchans && !found; b++)
                    found = neu->sels[a]->chans[b]->len == s->chans[k]->len &&
                            !memcmp(neu->sels[a]->chans[b]->buf, s->chans[k]->buf, s->chans[k]->len);
            if (!found) return 0;
        }
    }
    return 1;
}

static fr_subscriptions_fn subscriptions_of;

FR_API void fr_subscriptions_register(fr_subscriptions_fn fn)
{
    subscriptions_of = fn;
}

typedef struct revoke_check {
    const fr_acl_user *neu;
    int denied;
} revoke_check;

static int revoke_visit(void *priv, const char *ch, size_t len, int is_pattern)
{
    revoke_check *r = priv;
    if (!fr_acl_user_channel_allowed(r->neu, ch, len, is_pattern)) r->denied = 1;
    return r->denied;
}

/* Subscribers of `old` whose channels `neu` no longer allows are closed,
 * as Redis's ACLKillPubsubClientsIfNeeded; the pub/sub module, which
 * knows the subscriptions, lists them (fr_subscriptions_register). */
static void kill_pubsub_if_needed(fr_acl_user *old, fr_acl_user *neu)
{
    if (!subscriptions_of || chans_subset_of(old, neu)) return;
    for (fr_client *c = fr_proto.clients; c; c = c->next) {
        if (user_of(c) != old || !fr_client_subscribed(c)) continue;
        revoke_check r = {neu, 0};
        subscriptions_of(c, revoke_visit, &r);
        if (r.denied) fr_client_close_async(c);
    }
}

/* ACL SETUSER's rules on a copy of the user (or a new one); all or none. */
char *fr_acl_setuser(const fr_str *name, int argc, fr_str *const *argv)
{
    fr_acl_init();
    fr_acl_user *u = fr_acl_user_by_name(name->buf, name->len);
    int n = 0, bad = 0;
    fr_str **rules = merge_selectors(argc, argv, &n, &bad);
    char *err = NULL;
    if (!rules) {
        size_t need = argv[bad]->len + 80;
        err = fr_malloc(need);
        snprintf(err, need, "Unmatched parenthesis in acl selector starting at '%s'.", argv[bad]->buf);
        return err;
    }
    fr_acl_user *tmp = user_new(name->buf, name->len);
    if (u) user_copy_rules(tmp, u);
    for (int j = 0; j < n; j++) {
        int rc = user_apply(tmp, rules[j]->buf, rules[j]->len);
        if (rc == E_OK) continue;
        const char *why = error_text(rc);
        size_t need = rules[j]->len + strlen(why) + 64;
        err = fr_malloc(need);
        snprintf(err, need, "Error in ACL SETUSER modifier '%s': %s", rules[j]->buf, why);
        break;
    }
    if (!err) {
        if (u) kill_pubsub_if_needed(u, tmp);
        if (!u) {
            u = user_new(name->buf, name->len);
            table_insert(u);
        }
        user_copy_rules(u, tmp);
        if (u == default_user) publish_default_state();
    }
    user_free(tmp);
    free_args(rules, n);
    return err;
}

int fr_acl_deluser(const fr_str *name, fr_client *current, int *current_hit)
{
    fr_acl_init();
    int i = find_index(users, nusers, name->buf, name->len);
    if (i < 0) return 0;
    fr_acl_user *u = users[i];
    table_remove(i);
    if (kill_clients_of(u, current)) *current_hit = 1;
    user_free(u);
    return 1;
}

int fr_acl_user_count(void)
{
    fr_acl_init();
    return nusers;
}

fr_acl_user *fr_acl_user_at(int i)
{
    return users[i];
}

const fr_str *fr_acl_user_name(const fr_acl_user *u)
{
    return u->name;
}

fr_str *fr_acl_describe(const fr_acl_user *u)
{
    return describe_user(u);
}

/* ----------------------------------------------------- replies (GETUSER) */

static void reply_selector(fr_ctx *ctx, const selector *s)
{
    fr_reply_bulk_cstr(ctx, "commands");
    fr_str *cmds = describe_commands(s);
    fr_reply_bulk_str(ctx, cmds);
    fr_str_free(cmds);
    fr_reply_bulk_cstr(ctx, "keys");
    fr_str *k = fr_str_new_empty(32);
    if (s->flags & SEL_ALLKEYS) {
        k = fr_str_cat(k, "~*", 2);
    } else {
        for (int i = 0; i < s->nkeys; i++) {
            if (i) k = fr_str_cat(k, " ", 1);
            k = cat_pattern(k, &s->keys[i]);
        }
    }
    fr_reply_bulk_str(ctx, k);
    fr_str_free(k);
    fr_reply_bulk_cstr(ctx, "channels");
    fr_str *ch = fr_str_new_empty(32);
    if (s->flags & SEL_ALLCHANNELS) {
        ch = fr_str_cat(ch, "&*", 2);
    } else {
        for (int i = 0; i < s->nchans; i++) {
            ch = fr_str_cat(ch, i ? " &" : "&", i ? 2 : 1);
            ch = fr_str_cat(ch, s->chans[i]->buf, s->chans[i]->len);
        }
    }
    fr_reply_bulk_str(ctx, ch);
    fr_str_free(ch);
}

void fr_acl_reply_getuser(fr_ctx *ctx, const fr_acl_user *u)
{
    fr_reply_map(ctx, 6);
    fr_reply_bulk_cstr(ctx, "flags");
    int nflags = 0;
    for (size_t j = 0; j < N_USER_FLAGS; j++) nflags += (u->flags & user_flag_names[j].flag) != 0;
    fr_reply_set(ctx, nflags);
    for (size_t j = 0; j < N_USER_FLAGS; j++)
        if (u->flags & user_flag_names[j].flag) fr_reply_bulk_cstr(ctx, user_flag_names[j].name);
    fr_reply_bulk_cstr(ctx, "passwords");
    fr_reply_array(ctx, u->npw);
    for (int i = 0; i < u->npw; i++) fr_reply_bulk(ctx, u->pw[i], FR_SHA256_HEX_LEN);
    reply_selector(ctx, u->sels[0]);
    fr_reply_bulk_cstr(ctx, "selectors");
    fr_reply_array(ctx, u->nsels - 1);
    for (int i = 1; i < u->nsels; i++) {
        fr_reply_map(ctx, 3);
        reply_selector(ctx, u->sels[i]);
    }
}

typedef struct cat_list {
    fr_ctx *ctx;
    uint64_t flag;
    long n;
} cat_list;

static void cat_list_one(const fr_cmd_meta *c, void *priv)
{
    cat_list *l = priv;
    if (c->flags & FR_CMD_MODULE) return;
    if (!(c->acl_categories & l->flag)) return;
    if (l->ctx) fr_reply_bulk_cstr(l->ctx, c->fullname);
    l->n++;
}

void fr_acl_reply_category(fr_ctx *ctx, uint64_t flag)
{
    cat_list count = {NULL, flag, 0};
    each_command(cat_list_one, &count);
    fr_reply_array(ctx, count.n);
    cat_list emit = {ctx, flag, 0};
    each_command(cat_list_one, &emit);
}

void fr_acl_reply_log(fr_ctx *ctx, long count)
{
    static const char *const reasons[] = {"unknown", "command", "key", "auth", "channel"};
    static const char *const contexts[] = {"toplevel", "multi", "lua", "module"};
    if (count > log_len) count = log_len;
    fr_reply_array(ctx, count);
    long long now = (long long)fr_clock_wall_ms();
    log_entry *e = log_head;
    for (long i = 0; i < count && e; i++, e = e->next) {
        fr_reply_map(ctx, 7);
        fr_reply_bulk_cstr(ctx, "count");
        fr_reply_long_long(ctx, e->count);
        fr_reply_bulk_cstr(ctx, "reason");
        fr_reply_bulk_cstr(ctx, e->reason >= 0 && e->reason <= 4 ? reasons[e->reason] : "unknown");
        fr_reply_bulk_cstr(ctx, "context");
        fr_reply_bulk_cstr(ctx, e->context >= 0 && e->context <= 3 ? contexts[e->context] : "unknown");
        fr_reply_bulk_cstr(ctx, "object");
        fr_reply_bulk_str(ctx, e->object);
        fr_reply_bulk_cstr(ctx, "username");
        fr_reply_bulk_str(ctx, e->username);
        fr_reply_bulk_cstr(ctx, "age-seconds");
        fr_reply_double(ctx, (double)(now - e->ctime) / 1000);
        fr_reply_bulk_cstr(ctx, "client-info");
        fr_reply_bulk_str(ctx, e->cinfo);
    }
}

void fr_acl_log_clear(void)
{
    log_reset();
}

/* ------------------------------------------- config "user" lines, files */

typedef struct pending_user {
    int argc;
    fr_str **argv; /* name, then the merged rules */
} pending_user;
static pending_user *to_load;
static int nto_load;

/* A `user <name> rules...` config line: duplicates and open parentheses
 * are refused now; the rules are checked when they are applied, once the
 * modules (whose commands and categories they name) are loaded. */
int fr_acl_config_user_line(int argc, char **argv, char *err, size_t errlen)
{
    if (argc < 2) {
        snprintf(err, errlen, "wrong number of arguments");
        return -1;
    }
    for (int i = 0; i < nto_load; i++) {
        if (!strcmp(to_load[i].argv[0]->buf, argv[1])) {
            snprintf(err, errlen, "Error in user declaration '%s': %s", argv[1], error_text(E_DUPLICATE));
            return -1;
        }
    }
    int nrules = argc - 2, n = 0, bad = 0;
    fr_str **in = fr_malloc(sizeof(fr_str *) * (size_t)(nrules ? nrules : 1));
    for (int i = 0; i < nrules; i++) in[i] = fr_str_new(argv[i + 2], strlen(argv[i + 2]));
    fr_str **rules = merge_selectors(nrules, in, &n, &bad);
    free_args(in, nrules);
    if (!rules) {
        snprintf(err, errlen, "Error in user declaration '%s': %s", argv[bad + 2], error_text(E_SYNTAX));
        return -1;
    }
    to_load = fr_realloc(to_load, sizeof(*to_load) * (size_t)(nto_load + 1));
    pending_user *p = &to_load[nto_load++];
    p->argc = n + 1;
    p->argv = fr_malloc(sizeof(fr_str *) * (size_t)(n + 1));
    p->argv[0] = fr_str_new(argv[1], strlen(argv[1]));
    memcpy(p->argv + 1, rules, sizeof(fr_str *) * (size_t)n);
    fr_free(rules);
    return 0;
}

int fr_acl_config_user_count(void)
{
    return nto_load;
}

/* The config's user lines, after the modules (whose commands they may
 * name) are loaded. */
static int load_configured(char *err, size_t errlen)
{
    for (int i = 0; i < nto_load; i++) {
        pending_user *p = &to_load[i];
        if (has_spaces(p->argv[0]->buf, p->argv[0]->len)) {
            snprintf(err, errlen, "Spaces not allowed in ACL usernames");
            return -1;
        }
        fr_acl_user *u = fr_acl_user_by_name(p->argv[0]->buf, p->argv[0]->len);
        if (u) {
            user_apply(u, "reset", 5);
        } else {
            u = user_new(p->argv[0]->buf, p->argv[0]->len);
            table_insert(u);
        }
        for (int j = 1; j < p->argc; j++) {
            int rc = user_apply(u, p->argv[j]->buf, p->argv[j]->len);
            if (rc == E_OK) continue;
            snprintf(err, errlen, "Error loading ACL rule '%s' for the user named '%s': %s", p->argv[j]->buf,
                     p->argv[0]->buf, error_text(rc));
            return -1;
        }
        if (u->flags & USER_OFF)
            fr_log(FR_LOG_NOTICE,
                   "The user '%s' is disabled (there is no 'on' modifier in the user description). Make sure this "
                   "is not a configuration error.", p->argv[0]->buf);
        free_args(p->argv, p->argc);
    }
    fr_free(to_load);
    to_load = NULL;
    nto_load = 0;
    publish_default_state();
    return 0;
}

static const char *aclfile(char *buf, size_t len)
{
    return fr_config_server_str("aclfile", buf, len);
}

static fr_str *catfmt(fr_str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static fr_str *catfmt(fr_str *s, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0) return s;
    return fr_str_cat(s, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static char *read_all(const char *path, int *eno)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        *eno = errno;
        return NULL;
    }
    fr_str *s = fr_str_new_empty(1024);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) s = fr_str_cat(s, buf, n);
    fclose(f);
    char *out = fr_strdup(s->buf);
    fr_str_free(s);
    return out;
}

/* One line of an ACL file into the new table; errors appended to `errors`. */
static fr_str *load_line(fr_acl_user ***set, int *nset, const char *file, int lineno, char *line, fr_str *errors)
{
    size_t len = strlen(line);
    while (len && strchr(" \t\r\n", line[len - 1])) line[--len] = '\0';
    while (*line && strchr(" \t\r\n", *line)) line++, len--;
    if (!*line) return errors;
    /* Words split at single spaces, as Redis (no quoting in ACL files). */
    int argc = 0;
    char **argv = fr_malloc(sizeof(char *) * (len + 1));
    for (char *p = line, *w = line;; p++) {
        if (*p == ' ' || *p == '\0') {
            int end = *p == '\0';
            *p = '\0';
            argv[argc++] = w;
            w = p + 1;
            if (end) break;
        }
    }
    if (strcmp(argv[0], "user") || argc < 2) {
        errors = catfmt(errors, "%s:%d should start with user keyword followed by the username. ", file, lineno);
    } else if (has_spaces(argv[1], strlen(argv[1]))) {
        errors = catfmt(errors, "'%s:%d: username '%s' contains invalid characters. ", file, lineno, argv[1]);
    } else if (find_index(*set, *nset, argv[1], strlen(argv[1])) >= 0) {
        errors = catfmt(errors, "WARNING: Duplicate user '%s' found on line %d. ", argv[1], lineno);
    } else {
        fr_acl_user *u = user_new(argv[1], strlen(argv[1]));
        int i = -find_index(*set, *nset, argv[1], strlen(argv[1])) - 1;
        *set = fr_realloc(*set, sizeof(**set) * (size_t)(*nset + 1));
        memmove(*set + i + 1, *set + i, sizeof(**set) * (size_t)(*nset - i));
        (*set)[i] = u;
        (*nset)++;
        int nrules = argc - 2, n = 0, syntax = 0;
        fr_str **in = fr_malloc(sizeof(fr_str *) * (size_t)(nrules ? nrules : 1));
        for (int j = 0; j < nrules; j++) in[j] = fr_str_new(argv[j + 2], strlen(argv[j + 2]));
        fr_str **rules = merge_selectors(nrules, in, &n, NULL);
        free_args(in, nrules);
        if (!rules) errors = catfmt(errors, "%s:%d: Unmatched parenthesis in selector definition.", file, lineno);
        for (int j = 0; rules && j < n; j++) {
            int rc = user_apply(u, rules[j]->buf, rules[j]->len);
            if (rc == E_NOENT) {
                errors = catfmt(errors, "%s:%d: Error in applying operation '%s': %s. ", file, lineno, rules[j]->buf,
                                error_text(rc));
            } else if (rc != E_OK && !syntax) {
                errors = catfmt(errors, "%s:%d: %s. ", file, lineno, error_text(rc));
                syntax = 1;
            }
        }
        if (rules) free_args(rules, n);
    }
    fr_free(argv);
    return errors;
}

static void free_set(fr_acl_user **set, int n, fr_client *current, int *current_hit)
{
    for (int i = 0; i < n; i++) {
        if (set[i] == default_user) continue;
        if (kill_clients_of(set[i], current) && current_hit) *current_hit = 1;
        user_free(set[i]);
    }
    fr_free(set);
}

/* ACL LOAD: a whole new table, or (on any error) no change. */
char *fr_acl_load_file(fr_client *current, int *current_hit)
{
    char path[4096];
    aclfile(path, sizeof(path));
    int eno = 0;
    char *text = read_all(path, &eno);
    fr_str *errors = fr_str_new_empty(64);
    if (!text) {
        errors = catfmt(errors, "Error loading ACLs, opening file '%s': %s", path, strerror(eno));
        char *out = fr_strdup(errors->buf);
        fr_str_free(errors);
        return out;
    }
    fr_acl_user **set = NULL;
    int nset = 0, lineno = 0;
    for (char *p = text; p;) {
        char *eol = strchr(p, '\n');
        if (eol) *eol = '\0';
        errors = load_line(&set, &nset, path, ++lineno, p, errors);
        p = eol ? eol + 1 : NULL;
    }
    fr_free(text);
    char *out = NULL;
    if (errors->len) {
        free_set(set, nset, NULL, NULL);
        const char *warning = "WARNING: ACL errors detected, no change to the previously active ACL rules was "
                              "performed";
        errors = fr_str_cat(errors, warning, strlen(warning));
        out = fr_strdup(errors->buf);
    } else {
        /* The default user keeps its identity: the new rules are copied in. */
        int di = find_index(set, nset, "default", 7);
        fr_acl_user *fresh = di >= 0 ? set[di] : create_default_user();
        user_copy_rules(default_user, fresh);
        user_free(fresh);
        if (di >= 0) set[di] = default_user;
        else {
            set = fr_realloc(set, sizeof(*set) * (size_t)(nset + 1));
            int i = -find_index(set, nset, "default", 7) - 1;
            memmove(set + i + 1, set + i, sizeof(*set) * (size_t)(nset - i));
            set[i] = default_user;
            nset++;
        }
        fr_acl_user **old = users;
        int nold = nusers;
        users = set;
        nusers = nset;
        free_set(old, nold, current, current_hit);
        publish_default_state();
    }
    fr_str_free(errors);
    return out;
}

int fr_acl_save_file(void)
{
    char path[4096];
    aclfile(path, sizeof(path));
    fr_str *all = fr_str_new_empty(256);
    for (int i = 0; i < nusers; i++) {
        fr_str *d = describe_user(users[i]);
        all = fr_str_cat(all, "user ", 5);
        all = fr_str_cat(all, users[i]->name->buf, users[i]->name->len);
        all = fr_str_cat(all, " ", 1);
        all = fr_str_cat(all, d->buf, d->len);
        all = fr_str_cat(all, "\n", 1);
        fr_str_free(d);
    }
    char tmp[4200];
    snprintf(tmp, sizeof(tmp), "%s.tmp-%d-%lld", path, (int)getpid(), (long long)fr_clock_wall_ms());
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT, 0644);
    if (fd == -1) {
        fr_log(FR_LOG_WARNING, "Opening temp ACL file for ACL SAVE: %s", strerror(errno));
    } else if (write(fd, all->buf, all->len) != (ssize_t)all->len) {
        fr_log(FR_LOG_WARNING, "Writing ACL file for ACL SAVE: %s", strerror(errno));
    } else if (rename(tmp, path) == -1) {
        fr_log(FR_LOG_WARNING, "Renaming ACL file for ACL SAVE: %s", strerror(errno));
    } else {
        rc = 0;
    }
    if (fd != -1) close(fd);
    if (rc) unlink(tmp);
    fr_str_free(all);
    return rc;
}

int fr_acl_has_file(void)
{
    char path[8];
    return aclfile(path, sizeof(path))[0] != '\0';
}

/* Start-up, modules loaded: the config's users, then the ACL file. */
int fr_acl_load_at_startup(char *err, size_t errlen)
{
    fr_acl_init();
    if (fr_acl_has_file() && nto_load) {
        snprintf(err, errlen,
                 "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is "
                 "invalid. This setup is very likely to lead to configuration errors and security holes, please "
                 "define either an ACL file or declare users directly in your redis.conf, but not both.");
        return -1;
    }
    if (load_configured(err, errlen)) return -1;
    if (fr_acl_has_file()) {
        char *why = fr_acl_load_file(NULL, NULL);
        if (why) {
            snprintf(err, errlen, "Aborting Redis startup because of ACL errors: %s", why);
            fr_free(why);
            return -1;
        }
    }
    return 0;
}
