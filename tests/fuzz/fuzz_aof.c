/* fuzz_aof.c -- libFuzzer target: the AOF loader (the aof module's
 * aof_reload, the replay that DEBUG LOADAOF and a restart run) over real
 * files: the manifest, an RDB preamble or base through the snapshot
 * provider, RESP commands and "#" annotations through the replayer, MULTI
 * blocks, a torn or corrupt last file (cut back with aof-load-truncated).
 * Files must load or be refused with a logged reason; what loads must
 * survive DEBUG DIGEST.
 *
 * DEBUG LOADAOF ends the process when the files do not load, as Redis
 * does; aof.so exports aof_reload, which reports the failure instead, and
 * this target calls it (found with dlsym on the module already loaded).
 *
 * An input may start with a mode byte, 0x00 to 0x07 (control bytes: the
 * files in fixtures/aof start with "*", "REDIS" or "file"), which is then
 * not part of the files:
 *   bit 0  the aof module in hardened mode (its tail repair, below);
 *   bit 1  aof-load-truncated no (a torn tail refuses the load);
 *   bit 2  aof-tail-repair-limit 16 bytes instead of its 64 KB default
 *          (so damage beyond the limit is reached with short inputs).
 * Without one (any other first byte) the whole input is the files, loaded
 * strict with aof-load-truncated yes and the default limit: so the seeds
 * from fixtures/aof and the regress-* inputs there replay as they did
 * before mode bytes existed.
 *
 * The rest of the input is one of:
 *   - a single-file AOF (no SPLIT line in it): written as appendonly.aof,
 *     the manifest's only file (a base, so also the last one);
 *   - a multi-part AOF: the text before the first SPLIT is the manifest
 *     (appendonly.aof.manifest, taken as it is), each part after a SPLIT a
 *     file named "1", "2", ... (at most MAX_PARTS), which the manifest may
 *     name in any order, or not.
 * Files go to appendonlydir/ under a work directory ($FR_FUZZ_WORKDIR, or
 * a fresh one in /tmp) that is the working directory only while the loader
 * runs, so libFuzzer's own relative paths stay valid.
 *
 * Beyond no crash, leak or undefined behaviour, each load is checked
 * against what the loader promises (aof_load.c), from the files' sizes
 * and the module's divergence count (see check_load): at most one file
 * is cut, only shorter, and only by a load that succeeds; with
 * aof-load-truncated no only hardened mode's repair cuts; the repair cuts
 * at most the limit and counts one divergence, strict mode none; and what
 * a load cut back loads again unchanged.  A refused load leaves
 * whatever it replayed so far in the keyspace: nothing promises otherwise
 * (DEBUG LOADAOF and the start both end the process then), so that is not
 * checked.
 *
 * While the loader replays, only an allow-list of write commands runs
 * (others are refused with an error, which the loader ignores as Redis's
 * does for replies): this is a loader target, not a command fuzzer
 * (docs/fuzz-grammar.md's live fuzzer covers commands), and a file may
 * hold commands that would leave the harness (SHUTDOWN, DEBUG SEGFAULT or
 * LOADAOF, CONFIG SET, MIGRATE or REPLICAOF connecting out, scripts that
 * never end, SETBIT/SETRANGE/BITFIELD allocating 512 MB from one number).
 * The harness's own commands run unguarded. */
#include <dlfcn.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdtable.h"
#include "runtime.h"
#include "server_harness.h"

#define SPLIT "\n==fuzz-aof-part==\n"
#define MAX_PARTS 8
#define AOF_DIR "appendonlydir"

#define MODE_HARDENED 1
#define MODE_NO_TRUNCATED 2
#define MODE_SMALL_LIMIT 4
#define MODE_BYTES 8        /* a first byte below this is a mode byte */
#define SMALL_LIMIT 16      /* aof-tail-repair-limit under MODE_SMALL_LIMIT */
#define DEFAULT_LIMIT 65536 /* and otherwise: its default (aof.yaml) */
#define STR_(x) #x
#define STR(x) STR_(x)

static int (*aof_reload)(void);
static fr_module *aof_module;
static int mode = -1;             /* the mode set now (-1: not yet) */
static int start_dir = -1, work_dir = -1;
static int replaying;             /* the loader runs: guard commands */
static long refused;              /* commands the guard refused, this input */
static int nparts_written;        /* files "1".."n" to remove next time */

/* ---- The command guard -------------------------------------------------- */

/* Top-level commands a replayed file may run: what an AOF (rewritten or
 * logged) holds, each bounded by its input.  Blocking forms are left out
 * (the replayer is no client that can wait). */
static const char *const allowed[] = {
    "select", "set", "setnx", "setex", "psetex", "mset", "msetnx", "append", "incr", "incrby",
    "incrbyfloat", "decr", "decrby", "getset", "getdel", "getex", "del", "unlink", "expire", "pexpire",
    "expireat", "pexpireat", "persist", "rename", "renamenx", "move", "copy", "swapdb", "flushdb",
    "flushall", "restore", "rpush", "lpush", "rpushx", "lpushx", "lpop", "rpop", "lset", "ltrim", "lrem",
    "linsert", "lmove", "rpoplpush", "lmpop", "sadd", "srem", "smove", "spop", "sinterstore",
    "sunionstore", "sdiffstore", "zadd", "zrem", "zincrby", "zremrangebyscore", "zremrangebyrank",
    "zremrangebylex", "zunionstore", "zinterstore", "zdiffstore", "zrangestore", "zpopmin", "zpopmax",
    "zmpop", "hset", "hsetnx", "hmset", "hdel", "hincrby", "hincrbyfloat", "xadd", "xtrim", "xdel",
    "xgroup", "xsetid", "xclaim", "xautoclaim", "xack", "pfadd", "pfmerge", "geoadd", "bitop", "sort",
    "publish", "multi", "exec", "discard"};

typedef struct guarded {
    fr_cmd_meta *cmd;
    void *handler;
} guarded;
static guarded *guards;
static int nguards;

static int is_allowed(const char *name)
{
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        if (!strcmp(allowed[i], name)) return 1;
    return 0;
}

static void guard_call(fr_ctx *ctx)
{
    if (replaying) {
        refused++;
        fr_reply_error(ctx, "ERR not replayed by the fuzz target");
        return;
    }
    for (int i = 0; i < nguards; i++)
        if (guards[i].cmd == ctx->cmd) {
            ((fr_command_fn)guards[i].handler)(ctx);
            return;
        }
    abort(); /* every guarded command is in the table */
}

static void guard_one(fr_cmd_meta *c)
{
    if (!c->handler || c->handler == (void *)guard_call) return;
    guards = realloc(guards, sizeof(*guards) * (size_t)(nguards + 1));
    guards[nguards++] = (guarded){c, c->handler};
    c->handler = (void *)guard_call;
}

static void guard_cb(const fr_cmd_meta *c, void *priv)
{
    (void)priv;
    if (is_allowed(c->name)) return;
    fr_cmd_meta *mc = fr_cmdtable_lookup_mut(c->fullname);
    guard_one(mc);
    for (int i = 0; i < mc->nsubcmds; i++) guard_one(&mc->subcmds[i]);
}

/* ---- Files -------------------------------------------------------------- */

static void write_file(const char *name, const uint8_t *p, size_t n)
{
    char path[64];
    snprintf(path, sizeof(path), AOF_DIR "/%s", name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n)) abort();
    close(fd);
}

static void remove_parts(void)
{
    char path[64];
    unlink(AOF_DIR "/appendonly.aof");
    for (int i = 1; i <= nparts_written; i++) {
        snprintf(path, sizeof(path), AOF_DIR "/%d", i);
        unlink(path);
    }
    nparts_written = 0;
}

/* The input as the files the loader will read (see the header). */
static void lay_out(const uint8_t *data, size_t size)
{
    static const char single[] = "file appendonly.aof seq 1 type b\n";
    const size_t seplen = sizeof(SPLIT) - 1;
    const uint8_t *cut = memmem(data, size, SPLIT, seplen);
    remove_parts();
    if (!cut) {
        write_file("appendonly.aof.manifest", (const uint8_t *)single, sizeof(single) - 1);
        write_file("appendonly.aof", data, size);
        return;
    }
    write_file("appendonly.aof.manifest", data, (size_t)(cut - data));
    const uint8_t *p = cut + seplen, *end = data + size;
    while (nparts_written < MAX_PARTS) {
        const uint8_t *next = nparts_written + 1 < MAX_PARTS ? memmem(p, (size_t)(end - p), SPLIT, seplen) : NULL;
        char name[16];
        snprintf(name, sizeof(name), "%d", ++nparts_written);
        write_file(name, p, next ? (size_t)(next - p) : (size_t)(end - p));
        if (!next) break;
        p = next + seplen;
    }
}

/* ---- The mode and the checks ------------------------------------------ */

static void set_mode(int m)
{
    if (m == mode) return;
    fr_module_set_hardened(aof_module, m & MODE_HARDENED);
    fuzz_server_callv(4, (const char *const[]){"CONFIG", "SET", "aof-load-truncated",
                                               m & MODE_NO_TRUNCATED ? "no" : "yes"});
    fuzz_server_callv(4, (const char *const[]){"CONFIG", "SET", "aof-tail-repair-limit",
                                               m & MODE_SMALL_LIMIT ? STR(SMALL_LIMIT) : STR(DEFAULT_LIMIT)});
    mode = m;
}

/* The data files' sizes (the manifest left out: dropping history entries
 * rewrites it); -1 for a file that is not there (history, deleted). */
typedef struct sizes {
    long long single, part[MAX_PARTS];
} sizes;

static long long size_of(const char *name)
{
    char path[64];
    struct stat st;
    snprintf(path, sizeof(path), AOF_DIR "/%s", name);
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void measure(sizes *sz)
{
    sz->single = size_of("appendonly.aof");
    for (int i = 0; i < nparts_written; i++) {
        char name[16];
        snprintf(name, sizeof(name), "%d", i + 1);
        sz->part[i] = size_of(name);
    }
}

/* How many files got shorter from before to after (a file gone is not
 * counted), the bytes cut in *cut; a file that grew aborts. */
static int count_cut(const sizes *before, const sizes *after, long long *cut)
{
    int n = 0;
    *cut = 0;
    for (int i = -1; i < nparts_written; i++) {
        long long b = i < 0 ? before->single : before->part[i], a = i < 0 ? after->single : after->part[i];
        if (a < 0 || a == b) continue;
        if (a > b) {
            fprintf(stderr, "fuzz_aof: the loader made a file longer (%lld to %lld bytes)\n", b, a);
            abort();
        }
        n++;
        *cut += b - a;
    }
    return n;
}

static void fail(const char *what, int rc, int cuts, long long cut, long long divergences)
{
    fprintf(stderr, "fuzz_aof: %s (mode byte %d, load %s, %d files cut by %lld bytes, %lld divergences)\n", what,
            mode, rc == FR_OK ? "ok" : "refused", cuts, cut, divergences);
    abort();
}

/* What one load may have done to the files (see the header). */
static void check_load(int rc, const sizes *before, long long divergences_before)
{
    sizes after;
    long long cut;
    measure(&after);
    int cuts = count_cut(before, &after, &cut);
    long long div = fr_module_divergences(aof_module) - divergences_before;
    int hardened = mode & MODE_HARDENED, refuse_torn = mode & MODE_NO_TRUNCATED;
    long long limit = mode & MODE_SMALL_LIMIT ? SMALL_LIMIT : DEFAULT_LIMIT;
    if (cuts > 1) fail("more than one file cut", rc, cuts, cut, div);
    if (cuts && rc != FR_OK) fail("a refused load cut a file", rc, cuts, cut, div);
    if (div && !hardened) fail("a divergence counted in strict mode", rc, cuts, cut, div);
    if (div > 1 || (div && !cuts)) fail("a divergence without one file cut", rc, cuts, cut, div);
    if (div && cut > limit) fail("a tail repair beyond aof-tail-repair-limit", rc, cuts, cut, div);
    /* with aof-load-truncated no only a (counted) repair cuts */
    if (cuts && refuse_torn && !div) fail("aof-load-truncated no, and a file cut back", rc, cuts, cut, div);
    if (!cuts) return;
    /* what was cut back must load as it is now */
    long long div_after = fr_module_divergences(aof_module);
    rc = aof_reload();
    sizes again;
    measure(&again);
    cuts = count_cut(&after, &again, &cut);
    div = fr_module_divergences(aof_module) - div_after;
    if (rc != FR_OK || cuts || div) fail("the files as cut back do not load unchanged", rc, cuts, cut, div);
}

static void make_work_dir(void)
{
    const char *dir = getenv("FR_FUZZ_WORKDIR");
    char tmpl[] = "/tmp/fr-fuzz-aof.XXXXXX";
    if (!dir) dir = mkdtemp(tmpl);
    if (!dir) abort();
    mkdir(dir, 0755);
    work_dir = open(dir, O_RDONLY | O_DIRECTORY);
    if (work_dir < 0 || fchdir(work_dir) != 0) abort();
    mkdir(AOF_DIR, 0755);
    if (fchdir(start_dir) != 0) abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_server_boot();
    char so[1024];
    snprintf(so, sizeof(so), "%s/aof/aof.so", getenv("FR_FUZZ_MODULE_DIR"));
    void *h = dlopen(so, RTLD_NOW | RTLD_NOLOAD);
    aof_reload = h ? (int (*)(void))dlsym(h, "aof_reload") : NULL;
    if (!aof_reload) {
        fprintf(stderr, "fuzz: %s exports no aof_reload\n", so);
        abort();
    }
    aof_module = fr_module_find("aof");
    if (!aof_module) abort();
    start_dir = open(".", O_RDONLY | O_DIRECTORY);
    make_work_dir();
    fr_cmdtable_foreach(guard_cb, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int m = 0;
    if (size && data[0] < MODE_BYTES) m = data[0], data++, size--;
    set_mode(m);
    if (fchdir(work_dir) != 0) abort();
    lay_out(data, size);
    sizes before;
    measure(&before);
    long long divergences = fr_module_divergences(aof_module);
    replaying = 1;
    refused = 0;
    int rc = aof_reload();
    check_load(rc, &before, divergences);
    replaying = 0;
    if (fchdir(start_dir) != 0) abort();
    /* in the log when there is one (FR_FUZZ_LOGFILE, server_harness.c) */
    fr_log(FR_LOG_NOTICE, "fuzz_aof: %s, %ld replayed commands refused by the guard",
           rc == FR_OK ? "loaded" : "refused", refused);
    if (rc == FR_OK) fuzz_server_callv(2, (const char *const[]){"DEBUG", "DIGEST"});
    fuzz_server_callv(2, (const char *const[]){"FLUSHALL", "SYNC"});
    return 0;
}
