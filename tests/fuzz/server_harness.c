/* server_harness.c -- boots what server.c's main() boots, minus the
 * listening sockets and the event loop run: the config defaults, the
 * built-in core module and the default module set (built with the
 * fuzzer's instrumentation by tests/fuzz/run.sh into $FR_FUZZ_MODULE_DIR),
 * so a target can run real commands through the SDK's replayer.
 *
 * Invariant: one replayer for the whole process; inputs must leave the
 * keyspace as they found it (the targets FLUSHALL after each input). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "commands.h"
#include "config.h"
#include "info.h"
#include "runtime.h"
#include "server_harness.h"

static fr_replay *replayer;

void fuzz_server_boot(void)
{
    char err[4096];
    const char *dir = getenv("FR_FUZZ_MODULE_DIR");
    if (!dir) {
        fprintf(stderr, "fuzz: FR_FUZZ_MODULE_DIR is not set (tests/fuzz/run.sh sets it)\n");
        abort();
    }
    /* FR_FUZZ_LOGFILE: the server's log, at notice level, to see why an
     * input is refused when reproducing one (default: none) */
    const char *log = getenv("FR_FUZZ_LOGFILE");
    char *opts[] = {"--module-dir", (char *)dir, "--save", "", "--loglevel", log ? "notice" : "warning",
                    "--enable-debug-command", "yes", "--logfile", (char *)(log ? log : "/dev/null")};
    fr_runtime_init(fr_client_info_line);
    fr_modules_set_builtin(fr_core_manifest_text, fr_core_manifest_len, fr_core_commands_register);
    fr_config_init_defaults();
    if (fr_config_load(NULL, (int)(sizeof(opts) / sizeof(opts[0])), opts, err, sizeof(err)) ||
        fr_cmdtable_init() || fr_db_init()) {
        fprintf(stderr, "fuzz: server config: %s\n", err);
        abort();
    }
    fr_proto_init(ev_default_loop(EVFLAG_AUTO)); /* modules may arm timers */
    if (fr_modules_load_all(err, sizeof(err)) || fr_config_apply_pending(err, sizeof(err))) {
        fprintf(stderr, "fuzz: modules: %s\n", err);
        abort();
    }
    fr_config_free_all();
    replayer = fr_replay_new();
    /* Mutated inputs rarely keep a valid CRC64: check what lies past it,
     * as Redis's own corrupt-dump fuzzer does. */
    fuzz_server_callv(3, (const char *const[]){"DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1"});
}

void fuzz_server_call(int argc, const char *const *argv, const size_t *lens)
{
    fr_str **sa = fr_malloc(sizeof(fr_str *) * (size_t)argc);
    for (int i = 0; i < argc; i++) sa[i] = fr_str_new(argv[i], lens[i]);
    char why[512];
    (void)fr_replay_call(replayer, argc, sa, why, sizeof(why)); /* takes sa */
}

void fuzz_server_callv(int argc, const char *const *words)
{
    size_t lens[16];
    if (argc > 16) abort();
    for (int i = 0; i < argc; i++) lens[i] = strlen(words[i]);
    fuzz_server_call(argc, words, lens);
}
