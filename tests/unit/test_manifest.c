/* test_manifest.c -- unit tests of the manifest loader (core/manifest.c).
 *
 * Loads the real manifests and the fixtures under fixtures/manifests/, which
 * are found relative to FR_SRCDIR (the source tree root; "." by default).
 * Refusals are asserted on the exact "file:line: message" text.  Exposes
 * manifest_suite() for the shared runner. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdtable.h"
#include "manifest.h"

#ifndef FR_SRCDIR
#define FR_SRCDIR "."
#endif

#define STRINGS_YAML FR_SRCDIR "/modules/strings/strings.yaml"
#define KEYS_YAML FR_SRCDIR "/modules/keys/keys.yaml"
#define RDB_YAML FR_SRCDIR "/modules/rdb/rdb.yaml"
#define CORE_YAML FR_SRCDIR "/core/commands.yaml"
#define FIXTURE(f) FR_SRCDIR "/fixtures/manifests/" f

static fr_manifest *load_ok(const char *path) {
    char err[512] = "";
    fr_manifest *m = fr_manifest_load(path, err, sizeof(err));
    ck_assert_msg(m != NULL, "load failed: %s", err);
    return m;
}

static const fr_cmd_meta *cmd(fr_manifest *m, const char *fullname) {
    const fr_cmd_meta *c = fr_manifest_find_cmd(m, fullname);
    ck_assert_msg(c != NULL, "no command %s", fullname);
    return c;
}

/* ------------------------------------------------------------------------ */
/* Real manifests                                                            */
/* ------------------------------------------------------------------------ */

START_TEST(test_load_strings) {
    fr_manifest *m = load_ok(STRINGS_YAML);
    ck_assert_str_eq(m->name, "strings");
    ck_assert_int_eq(m->default_hardened, 0);
    ck_assert_int_eq(m->ndepends, 0);
    ck_assert_int_eq(m->nprovides, 0);
    ck_assert_uint_eq(m->hooks_mask, 0);
    ck_assert_int_eq(m->nconfig, 1); /* hardened-string-max-size */
    ck_assert_str_eq(m->config[0].name, "hardened-string-max-size");
    ck_assert_int_eq(m->ncmds, 22);
    ck_assert_ptr_null(fr_manifest_find_cmd(m, "get|x"));
    ck_assert_ptr_null(fr_manifest_find_cmd(m, "hget"));
    /* The generic key commands are the keys module's. */
    ck_assert_ptr_null(fr_manifest_find_cmd(m, "del"));
    ck_assert_ptr_null(fr_manifest_find_cmd(m, "object"));
    fr_manifest_free(m);
}
END_TEST

START_TEST(test_load_keys) {
    fr_manifest *m = load_ok(KEYS_YAML);
    ck_assert_str_eq(m->name, "keys");
    ck_assert_int_eq(m->default_hardened, 0);
    /* No dependency: a module adding a type must get DEL & co without
     * loading the strings module. */
    ck_assert_int_eq(m->ndepends, 0);
    ck_assert_int_eq(m->nprovides, 0);
    ck_assert_uint_eq(m->hooks_mask, 0);
    ck_assert_int_eq(m->nconfig, 0);
    ck_assert_int_eq(m->ncmds, 13);
    const fr_cmd_meta *obj = cmd(m, "object");
    ck_assert_int_eq(obj->nsubcmds, 5);
    ck_assert_str_eq(obj->subcmds[0].fullname, "object|encoding");
    ck_assert_str_eq(obj->subcmds[0].name, "encoding");
    ck_assert_ptr_eq(obj->subcmds[0].parent, obj);
    ck_assert_ptr_eq(fr_manifest_find_cmd(m, "OBJECT|Encoding"),
                     &obj->subcmds[0]);
    ck_assert_ptr_null(fr_manifest_find_cmd(m, "object|nosuch"));
    ck_assert_ptr_null(fr_manifest_find_cmd(m, "get"));
    fr_manifest_free(m);
}
END_TEST

START_TEST(test_load_debug_list) {
    char path[512];
    snprintf(path, sizeof(path), "%s/modules/rdb/rdb.yaml", FR_SRCDIR);
    fr_manifest *m = load_ok(path);
    ck_assert_int_eq(m->ndebug, 2);
    ck_assert_str_eq(m->debug[0], "reload");
    ck_assert_str_eq(m->debug[1], "set-skip-checksum-validation");
    fr_manifest_free(m);
}
END_TEST

START_TEST(test_load_core) {
    fr_manifest *m = load_ok(CORE_YAML);
    ck_assert_str_eq(m->name, "core");
    ck_assert_int_eq(m->ncmds, 34); /* 18 + MULTI EXEC DISCARD WATCH UNWATCH + LOLWUT DEBUG MONITOR LATENCY MEMORY HARDENED ACL
                                      + CLUSTER READONLY READWRITE ASKING */
    ck_assert_int_eq(cmd(m, "cluster")->nsubcmds, 27);
    ck_assert_int_eq(cmd(m, "readonly")->arity, 1);
    ck_assert_int_eq(cmd(m, "acl")->nsubcmds, 13); /* CAT DELUSER DRYRUN GENPASS GETUSER HELP LIST LOAD LOG SAVE SETUSER USERS WHOAMI */
    ck_assert_int_eq(cmd(m, "memory")->nsubcmds, 6); /* DOCTOR HELP MALLOC-STATS PURGE STATS USAGE */
    ck_assert_int_eq(cmd(m, "exec")->arity, 1);
    ck_assert_int_eq(cmd(m, "client")->nsubcmds, 16); /* ... PAUSE UNPAUSE UNBLOCK, TRACKING CACHING GETREDIR TRACKINGINFO */
    ck_assert_int_eq(cmd(m, "config")->nsubcmds, 5); /* GET SET RESETSTAT REWRITE HELP */
    ck_assert_int_eq(cmd(m, "command")->nsubcmds, 7);
    ck_assert_int_eq(cmd(m, "command|getkeys")->arity, -4);
    ck_assert_int_eq(cmd(m, "ping")->arity, -1);
    fr_manifest_free(m);
}
END_TEST

/* Flags and ACL categories, with the implicit categories Redis adds. */
START_TEST(test_flags_and_categories) {
    fr_manifest *m = load_ok(STRINGS_YAML);
    const fr_cmd_meta *get = cmd(m, "get");
    ck_assert_uint_eq(get->flags, FR_CMD_READONLY | FR_CMD_FAST);
    ck_assert_uint_eq(get->acl_categories,
                      FR_ACL_READ | FR_ACL_STRING | FR_ACL_FAST);
    const fr_cmd_meta *set = cmd(m, "set");
    ck_assert_uint_eq(set->flags, FR_CMD_WRITE | FR_CMD_DENYOOM);
    ck_assert_uint_eq(set->acl_categories,
                      FR_ACL_WRITE | FR_ACL_STRING | FR_ACL_SLOW);
    ck_assert_str_eq(set->getkeys_name, "set");
    ck_assert_ptr_nonnull(set->getkeys_proc);
    ck_assert_int_eq(set->nhistory, 4);
    ck_assert_str_eq(set->history[3].since, "7.0.0");
    ck_assert_int_eq(set->nargs, 5);
    ck_assert_int_eq(set->args[2].type, FR_ARG_ONEOF);
    ck_assert_int_eq(set->args[2].nsubargs, 2);
    ck_assert_str_eq(set->args[2].subargs[1].token, "XX");
    ck_assert_uint_eq(set->args[2].flags, FR_ARG_OPTIONAL);
    ck_assert_uint_eq(set->key_specs[0].flags,
                      FR_KEY_RW | FR_KEY_ACCESS | FR_KEY_UPDATE |
                          FR_KEY_VARIABLE_FLAGS);
    fr_manifest_free(m);
    m = load_ok(KEYS_YAML);
    const fr_cmd_meta *scan = cmd(m, "scan");
    ck_assert_uint_eq(scan->flags,
                      FR_CMD_READONLY | FR_CMD_TOUCHES_ARBITRARY_KEYS);
    ck_assert_int_eq(scan->ntips, 2);
    ck_assert_str_eq(scan->tips[0], "nondeterministic_output");
    ck_assert_str_eq(scan->tips[1], "request_policy:special");
    const fr_cmd_meta *help = cmd(m, "object|help");
    ck_assert_uint_eq(help->flags, FR_CMD_LOADING | FR_CMD_STALE);
    ck_assert_uint_eq(help->acl_categories, FR_ACL_KEYSPACE | FR_ACL_SLOW);
    fr_manifest_free(m);
}
END_TEST

static void assert_range(fr_manifest *m, const char *name, int first,
                         int last, int step) {
    const fr_cmd_meta *c = cmd(m, name);
    ck_assert_msg(c->first_key == first && c->last_key == last &&
                      c->key_step == step,
                  "%s: got %d %d %d, want %d %d %d", name, c->first_key,
                  c->last_key, c->key_step, first, last, step);
    ck_assert_msg(!(c->flags & FR_CMD_MOVABLE_KEYS), "%s movable", name);
}

START_TEST(test_legacy_ranges) {
    fr_manifest *m = load_ok(STRINGS_YAML);
    assert_range(m, "get", 1, 1, 1);
    assert_range(m, "mset", 1, -1, 2);
    assert_range(m, "msetnx", 1, -1, 2);
    assert_range(m, "mget", 1, -1, 1);
    assert_range(m, "lcs", 1, 2, 1);
    fr_manifest_free(m);
    m = load_ok(KEYS_YAML);
    assert_range(m, "del", 1, -1, 1);
    assert_range(m, "rename", 1, 2, 1);
    assert_range(m, "copy", 1, 2, 1);
    assert_range(m, "keys", 0, 0, 0);
    assert_range(m, "object", 0, 0, 0);
    assert_range(m, "object|encoding", 2, 2, 1);
    assert_range(m, "object|help", 0, 0, 0);
    fr_manifest_free(m);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* The valid fixture: every optional section                                 */
/* ------------------------------------------------------------------------ */

START_TEST(test_valid_fixture_module) {
    fr_manifest *m = load_ok(FIXTURE("valid.yaml"));
    ck_assert_str_eq(m->name, "sample");
    ck_assert_str_eq(m->version, "1.2.3");
    ck_assert_str_eq(m->description, "test module");
    ck_assert_int_eq(m->default_hardened, 1);
    ck_assert_int_eq(m->ndepends, 2);
    ck_assert_str_eq(m->depends[1], "ttl");
    ck_assert_int_eq(m->nprovides, 1);
    ck_assert_str_eq(m->provides[0], "expire");
    ck_assert_uint_eq(m->hooks_mask, (1u << FR_HOOK_KEY_WRITTEN) |
                                         (1u << FR_HOOK_CRON) |
                                         (1u << FR_HOOK_FORK_CHILD));
    ck_assert_int_eq(m->nconfig, 5);
    ck_assert_int_eq(m->config[0].type, FR_CONF_BOOL);
    ck_assert_str_eq(m->config[0].default_text, "yes");
    ck_assert_str_eq(m->config[0].summary, "turns it on");
    ck_assert_int_eq(m->config[1].type, FR_CONF_INT);
    ck_assert_int_eq(m->config[1].min, 1);
    ck_assert_int_eq(m->config[1].max, 100);
    ck_assert_int_eq(m->config[2].type, FR_CONF_MEMORY);
    ck_assert_int_eq(m->config[2].max, 1024LL * 1024 * 1024);
    ck_assert_str_eq(m->config[3].default_text, "");
    ck_assert_int_eq(m->config[4].type, FR_CONF_ENUM);
    ck_assert_int_eq(m->config[4].nvalues, 2);
    ck_assert_str_eq(m->config[4].values[1], "safe");
    ck_assert_int_eq(m->config[4].line, 29);
    ck_assert_int_eq(m->hook_order[FR_HOOK_KEY_WRITTEN], FR_HOOK_MIDDLE);
    ck_assert_int_eq(m->hook_order[FR_HOOK_CRON], FR_HOOK_LAST);
    ck_assert_int_eq(m->hook_order[FR_HOOK_FORK_CHILD], FR_HOOK_FIRST);
    ck_assert_uint_eq(m->config[3].flags, FR_CONF_F_MULTI_ARG | FR_CONF_F_PROTECTED);
    ck_assert_int_eq(m->config[3].check, 1);
    ck_assert_uint_eq(m->config[0].flags, 0);
    ck_assert_int_eq(m->config[0].check, 0);
    ck_assert_int_eq(m->ninfo, 2);
    ck_assert_str_eq(m->info[0].id, "stats");
    ck_assert_str_eq(m->info[0].section, "stats");
    ck_assert_str_eq(m->info[0].after, "total_connections_received");
    ck_assert_int_eq(m->info[0].nfields, 2);
    ck_assert_str_eq(m->info[0].fields[1].name, "sample_state");
    ck_assert_int_eq(m->info[0].fields[0].type, FR_INFO_INT);
    ck_assert_int_eq(m->info[0].fields[1].type, FR_INFO_TEXT);
    ck_assert_str_eq(m->info[1].id, "stats_tail");
    ck_assert_ptr_null(m->info[1].after);
    fr_manifest_free(m);
}
END_TEST

START_TEST(test_valid_fixture_command) {
    fr_manifest *m = load_ok(FIXTURE("valid.yaml"));
    const fr_cmd_meta *c = cmd(m, "zmerge");
    ck_assert_int_eq(c->line, 44);
    ck_assert_int_eq(c->group, FR_GROUP_SORTED_SET);
    ck_assert_str_eq(fr_cmd_group_name(c->group), "sorted-set");
    ck_assert_uint_eq(c->doc_flags, FR_DOC_DEPRECATED);
    ck_assert_str_eq(c->deprecated_since, "1.1.0");
    ck_assert_str_eq(c->replaced_by, "`ZUNIONSTORE`");
    ck_assert_ptr_null(c->complexity);
    ck_assert_int_eq(c->nkey_specs, 2);
    ck_assert_int_eq(c->key_specs[0].fk_type, FR_FK_KEYNUM);
    ck_assert_int_eq(c->key_specs[1].bs_type, FR_BS_KEYWORD);
    ck_assert_str_eq(c->key_specs[1].bs_keyword, "STORE");
    ck_assert_int_eq(c->key_specs[1].bs_keyword_startfrom, -2);
    ck_assert_str_eq(c->key_specs[1].notes, "the destination");
    /* Neither spec is a plain index range: no legacy range, movable keys. */
    ck_assert_int_eq(c->first_key, 0);
    ck_assert_int_eq(c->last_key, 0);
    ck_assert_int_eq(c->key_step, 0);
    ck_assert_uint_eq(c->flags,
                      FR_CMD_WRITE | FR_CMD_DENYOOM | FR_CMD_MOVABLE_KEYS);
    ck_assert_uint_eq(c->args[1].flags, FR_ARG_MULTIPLE);
    ck_assert_int_eq(c->args[2].key_spec_index, 1);
    ck_assert_str_eq(c->args[2].since, "1.1.0");
    ck_assert_int_eq(c->args[3].subargs[0].type, FR_ARG_PURE_TOKEN);
    fr_manifest_free(m);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Refusals: exact "file:line: message"                                      */
/* ------------------------------------------------------------------------ */

static const struct {
    const char *file;
    const char *message; /* after "path:" */
} refusals[] = {
    {"malformed.yaml", "4: malformed YAML: did not find expected ',' or ']' "
                       "while parsing a flow sequence"},
    {"unknown-field.yaml", "5: unknown field 'colour'"},
    {"bad-arity.yaml", "10: command 'get': arity must be an integer"},
    {"unknown-flag.yaml", "11: command 'get': unknown command flag 'SPEEDY'"},
    {"duplicate-command.yaml", "11: duplicate command 'get'"},
    {"bad-hook.yaml", "5: unknown hook 'key-renamed'"},
    /* the SDK version lives in the module's descriptor, not the manifest */
    {"abi-stale.yaml", "2: unknown field 'abi'"},
    {"bad-key-spec.yaml", "14: command 'get': key_specs[0]: begin_search "
                          "must have exactly one of index, keyword, unknown"},
    {"bad-key-spec-index.yaml",
     "20: command 'get': argument 'key': key_spec_index 1 does not name a "
     "key spec (the command has 1)"},
    {"bad-config-type.yaml", "7: config 'sample-ratio': unknown type 'float' "
                             "(bool, int, memory, string or enum)"},
    {"unknown-acl.yaml", "11: command 'get': unknown ACL category 'STRINGS'"},
    {"missing-summary.yaml", "6: command 'get': missing required field "
                             "'summary'"},
    {"duplicate-field.yaml", "11: command 'get': duplicate field 'arity'"},
    {"bad-hook-order.yaml", "5: hooks: order must be first, middle or last"},
    {"bad-config-check.yaml", "9: config 'limit': check applies to string directives"},
    {"bad-config-flag.yaml", "9: config 'label': unknown config flag 'secret'"},
    {"bad-info-twice.yaml", "9: two info groups named 'stats': give one a name"},
    {"bad-info-field.yaml", "9: info 'stats': name 'Hits' must use a-z, 0-9 and '_'"},
    {"bad-debug-twice.yaml", "5: duplicate name 'reload' in debug"},
    /* fuzz_manifest: a list where an INFO group goes was read as a mapping */
    {"bad-info-group-list.yaml", "6: info: an INFO group must be a mapping"},
};

START_TEST(test_refusal) {
    char path[512], want[1024], err[1024] = "";
    snprintf(path, sizeof(path), "%s/fixtures/manifests/%s", FR_SRCDIR,
             refusals[_i].file);
    snprintf(want, sizeof(want), "%s:%s", path, refusals[_i].message);
    fr_manifest *m = fr_manifest_load(path, err, sizeof(err));
    ck_assert_ptr_null(m);
    ck_assert_str_eq(err, want);
}
END_TEST

START_TEST(test_refusal_missing_file) {
    char err[256];
    ck_assert_ptr_null(fr_manifest_load(FIXTURE("no-such.yaml"), err,
                                        sizeof(err)));
    ck_assert_str_eq(err, FIXTURE("no-such.yaml") ": cannot open: No such "
                                                  "file or directory");
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Key extraction                                                            */
/* ------------------------------------------------------------------------ */

typedef struct argvec {
    int argc;
    fr_str *argv[16];
} argvec;

/* Words split at spaces; the word "" stands for the empty argument. */
static argvec *mkargv(const char *line) {
    argvec *v = calloc(1, sizeof(*v));
    char *copy = strdup(line), *save = NULL;
    for (char *t = strtok_r(copy, " ", &save); t && v->argc < 16;
         t = strtok_r(NULL, " ", &save)) {
        if (!strcmp(t, "\"\"")) t[0] = '\0';
        size_t len = strlen(t);
        fr_str *s = malloc(sizeof(fr_str) + len + 1);
        s->len = s->cap = len;
        memcpy(s->buf, t, len + 1);
        v->argv[v->argc++] = s;
    }
    free(copy);
    return v;
}

static void freeargv(argvec *v) {
    for (int i = 0; i < v->argc; i++) free(v->argv[i]);
    free(v);
}

/* Runs fr_cmd_getkeys and renders "pos:flags pos:flags" (flags in hex). */
static int getkeys(fr_manifest *m, const char *name, const char *line,
                   char *out, size_t outlen) {
    argvec *v = mkargv(line);
    int keys[16], flags[16];
    int n = fr_cmd_getkeys(cmd(m, name), v->argc,
                           (const fr_str *const *)v->argv, keys, flags, 16);
    out[0] = '\0';
    for (int i = 0; i < n && i < 16; i++) {
        size_t len = strlen(out);
        snprintf(out + len, outlen - len, "%s%d:%x", i ? " " : "", keys[i],
                 (unsigned)flags[i]);
    }
    freeargv(v);
    return n;
}

START_TEST(test_getkeys_set) {
    fr_manifest *m = load_ok(STRINGS_YAML);
    char out[256];
    ck_assert_int_eq(getkeys(m, "set", "SET k v", out, sizeof(out)), 1);
    ck_assert_str_eq(out, "1:24"); /* OW|UPDATE */
    ck_assert_int_eq(getkeys(m, "set", "SET k v EX 10 gEt", out, sizeof(out)),
                     1);
    ck_assert_str_eq(out, "1:32"); /* RW|ACCESS|UPDATE */
    /* GET as the value does not count: the search starts after it. */
    ck_assert_int_eq(getkeys(m, "set", "SET k get", out, sizeof(out)), 1);
    ck_assert_str_eq(out, "1:24");
    fr_manifest_free(m);
}
END_TEST

START_TEST(test_getkeys_mset_mget) {
    fr_manifest *m = load_ok(STRINGS_YAML);
    char out[256];
    ck_assert_int_eq(getkeys(m, "mset", "MSET a 1 b 2 c 3", out, sizeof(out)),
                     3);
    ck_assert_str_eq(out, "1:24 3:24 5:24");
    ck_assert_int_eq(getkeys(m, "mget", "MGET a b", out, sizeof(out)), 2);
    ck_assert_str_eq(out, "1:11 2:11"); /* RO|ACCESS */
    /* A buffer too small still reports the total. */
    argvec *v = mkargv("MGET a b c");
    int keys[1];
    ck_assert_int_eq(fr_cmd_getkeys(cmd(m, "mget"), v->argc,
                                    (const fr_str *const *)v->argv, keys,
                                    NULL, 1),
                     3);
    ck_assert_int_eq(keys[0], 1);
    freeargv(v);
    fr_manifest_free(m);
}
END_TEST

START_TEST(test_getkeys_lcs_copy) {
    fr_manifest *m = load_ok(STRINGS_YAML);
    char out[256];
    ck_assert_int_eq(getkeys(m, "lcs", "LCS a b LEN", out, sizeof(out)), 2);
    ck_assert_str_eq(out, "1:11 2:11");
    fr_manifest_free(m);
    m = load_ok(KEYS_YAML);
    ck_assert_int_eq(getkeys(m, "copy", "COPY a b DB 2 REPLACE", out,
                             sizeof(out)),
                     2);
    ck_assert_str_eq(out, "1:11 2:24"); /* RO|ACCESS, OW|UPDATE */
    ck_assert_int_eq(getkeys(m, "object|encoding", "OBJECT ENCODING k", out,
                             sizeof(out)),
                     1);
    ck_assert_str_eq(out, "2:1"); /* RO */
    fr_manifest_free(m);
}
END_TEST

/* MIGRATE (Redis's migrateGetKeys): argument 3, or what follows KEYS when
 * argument 3 is empty, none when it is not; AUTH/AUTH2 values are skipped. */
START_TEST(test_getkeys_migrate) {
    fr_manifest *m = load_ok(RDB_YAML);
    char out[256];
    ck_assert_int_eq(getkeys(m, "migrate", "MIGRATE h p k 0 100", out, sizeof(out)), 1);
    ck_assert_str_eq(out, "3:92"); /* RW|ACCESS|DELETE */
    ck_assert_int_eq(getkeys(m, "migrate", "MIGRATE h p \"\" 0 100 COPY KEYS a b", out, sizeof(out)), 2);
    ck_assert_str_eq(out, "8:92 9:92");
    ck_assert_int_eq(getkeys(m, "migrate", "MIGRATE h p k 0 100 KEYS a b", out, sizeof(out)), 0);
    /* "keys" as AUTH's password, then as AUTH2's user, is not the option */
    ck_assert_int_eq(getkeys(m, "migrate", "MIGRATE h p \"\" 0 100 AUTH keys KEYS a", out, sizeof(out)), 1);
    ck_assert_str_eq(out, "9:92");
    ck_assert_int_eq(getkeys(m, "migrate", "MIGRATE h p \"\" 0 100 AUTH2 keys keys a", out, sizeof(out)), 1);
    ck_assert_str_eq(out, "3:92");
    /* KEYS last: the key specs' search (from the next-to-last argument)
     * misses it, so argument 3 is the key, as in Redis */
    ck_assert_int_eq(getkeys(m, "migrate", "MIGRATE h p \"\" 0 100 KEYS", out, sizeof(out)), 1);
    ck_assert_str_eq(out, "3:92");
    fr_manifest_free(m);
}
END_TEST

START_TEST(test_getkeys_keynum_keyword) {
    fr_manifest *m = load_ok(FIXTURE("valid.yaml"));
    char out[256];
    ck_assert_int_eq(getkeys(m, "zmerge", "ZMERGE 2 a b STORE d", out,
                             sizeof(out)),
                     3);
    ck_assert_str_eq(out, "2:11 3:11 5:24");
    ck_assert_int_eq(getkeys(m, "zmerge", "ZMERGE 2 a b", out, sizeof(out)),
                     2);
    ck_assert_str_eq(out, "2:11 3:11");
    /* numkeys not a number, past the end, or zero: the specs fail. */
    ck_assert_int_eq(getkeys(m, "zmerge", "ZMERGE x a b", out, sizeof(out)),
                     -1);
    ck_assert_int_eq(getkeys(m, "zmerge", "ZMERGE 5 a b", out, sizeof(out)),
                     -1);
    ck_assert_int_eq(getkeys(m, "zmerge", "ZMERGE 0 a b", out, sizeof(out)),
                     -1);
    ck_assert_int_eq(getkeys(m, "zmerge", "ZMERGE 01 a b", out, sizeof(out)),
                     -1);
    /* numkeys at LLONG_MAX: refused, not summed past it (UBSan saw the
     * sum overflow when cve.sh replayed CVE-2023-36824). */
    ck_assert_int_eq(getkeys(m, "zmerge", "ZMERGE 9223372036854775807 a b",
                             out, sizeof(out)),
                     -1);
    fr_manifest_free(m);
}
END_TEST

START_TEST(test_has_keys_and_arity) {
    fr_manifest *m = load_ok(STRINGS_YAML);
    ck_assert_int_eq(fr_cmd_has_keys(cmd(m, "get")), 1);
    ck_assert_int_eq(fr_cmd_arity_ok(cmd(m, "get"), 2), 1);
    ck_assert_int_eq(fr_cmd_arity_ok(cmd(m, "get"), 3), 0);
    ck_assert_int_eq(fr_cmd_arity_ok(cmd(m, "mset"), 2), 0);
    ck_assert_int_eq(fr_cmd_arity_ok(cmd(m, "mset"), 5), 1);
    fr_manifest_free(m);
    m = load_ok(KEYS_YAML);
    ck_assert_int_eq(fr_cmd_has_keys(cmd(m, "keys")), 0);
    ck_assert_int_eq(fr_cmd_has_keys(cmd(m, "object")), 0);
    fr_manifest_free(m);
}
END_TEST

START_TEST(test_names) {
    long long v = 0;
    ck_assert_int_eq(fr_hook_id_from_name("command-executed"),
                     FR_HOOK_COMMAND_EXECUTED);
    ck_assert_int_eq(fr_hook_id_from_name("fork-child"), FR_HOOK_FORK_CHILD);
    ck_assert_int_eq(fr_hook_id_from_name("Cron"), -1);
    ck_assert_str_eq(fr_hook_name(FR_HOOK_KEY_DELETED), "key-deleted");
    ck_assert_ptr_null(fr_hook_name(FR_HOOK__COUNT));
    ck_assert_uint_eq(fr_acl_category_from_name("SortedSet"),
                      FR_ACL_SORTEDSET);
    ck_assert_uint_eq(fr_acl_category_from_name("nosuch"), 0);
    ck_assert_str_eq(fr_arg_type_name(FR_ARG_UNIX_TIME), "unix-time");
    ck_assert_int_eq(fr_manifest_parse_memory("5mb", &v), 1);
    ck_assert_int_eq(v, 5 * 1024 * 1024);
    ck_assert_int_eq(fr_manifest_parse_memory("2K", &v), 1);
    ck_assert_int_eq(v, 2000);
    ck_assert_int_eq(fr_manifest_parse_memory("-1", &v), 0);
    ck_assert_int_eq(fr_manifest_parse_memory("1tb", &v), 0);
}
END_TEST

/* The command table looks names up by (pointer, length), any case: the
 * bytes after `len` are never read, a NUL or an overlong name matches
 * nothing. */
START_TEST(test_cmdtable_lookup) {
    fr_manifest *m = load_ok(STRINGS_YAML), *k = load_ok(KEYS_YAML);
    char err[256] = "";
    ck_assert_int_eq(fr_cmdtable_init(), 0);
    ck_assert_int_eq(fr_cmdtable_add_manifest(m, NULL, err, sizeof(err)), 0);
    ck_assert_int_eq(fr_cmdtable_add_manifest(k, NULL, err, sizeof(err)), 0);
    const fr_cmd_meta *get = cmd(m, "get");
    ck_assert_ptr_eq(fr_cmdtable_lookup("get", 3), get);
    ck_assert_ptr_eq(fr_cmdtable_lookup("GeTRANGE", 3), get);
    ck_assert_ptr_eq(fr_cmdtable_lookup("GETRANGE", 8), cmd(m, "getrange"));
    ck_assert_ptr_null(fr_cmdtable_lookup("get\0", 4));
    ck_assert_ptr_null(fr_cmdtable_lookup("ge", 2));
    ck_assert_ptr_null(fr_cmdtable_lookup("g\xc5t", 3));
    char longname[200];
    memset(longname, 'a', sizeof(longname));
    ck_assert_ptr_null(fr_cmdtable_lookup(longname, sizeof(longname)));
    ck_assert_ptr_eq(fr_cmdtable_lookup_mut("OBJECT|Encoding"), cmd(k, "object|encoding"));
    ck_assert_int_eq(fr_cmdtable_add_manifest(m, NULL, err, sizeof(err)), -1);
    ck_assert_ptr_nonnull(strstr(err, "is already declared by module 'core'"));
    ck_assert_uint_eq(fr_cmdtable_count(), (size_t)(m->ncmds + k->ncmds));
    fr_cmdtable_remove_owner(NULL);
    ck_assert_ptr_null(fr_cmdtable_lookup("get", 3));
    ck_assert_ptr_null(fr_cmdtable_lookup("del", 3));
    ck_assert_uint_eq(fr_cmdtable_count(), 0);
    fr_manifest_free(k);
    fr_manifest_free(m);
}
END_TEST

Suite *manifest_suite(void) {
    Suite *s = suite_create("manifest");
    TCase *load = tcase_create("load");
    tcase_add_test(load, test_load_strings);
    tcase_add_test(load, test_load_keys);
    tcase_add_test(load, test_load_core);
    tcase_add_test(load, test_load_debug_list);
    tcase_add_test(load, test_flags_and_categories);
    tcase_add_test(load, test_legacy_ranges);
    tcase_add_test(load, test_valid_fixture_module);
    tcase_add_test(load, test_valid_fixture_command);
    suite_add_tcase(s, load);

    TCase *refuse = tcase_create("refusals");
    tcase_add_loop_test(refuse, test_refusal, 0,
                        (int)(sizeof(refusals) / sizeof(refusals[0])));
    tcase_add_test(refuse, test_refusal_missing_file);
    suite_add_tcase(s, refuse);

    TCase *keys = tcase_create("getkeys");
    tcase_add_test(keys, test_getkeys_set);
    tcase_add_test(keys, test_getkeys_mset_mget);
    tcase_add_test(keys, test_getkeys_lcs_copy);
    tcase_add_test(keys, test_getkeys_migrate);
    tcase_add_test(keys, test_getkeys_keynum_keyword);
    tcase_add_test(keys, test_has_keys_and_arity);
    tcase_add_test(keys, test_names);
    tcase_add_test(keys, test_cmdtable_lookup);
    suite_add_tcase(s, keys);
    return s;
}
