/* server.c -- process life: start-up, the event loop, cron, shutdown.
 *
 * Start-up order matters and is fixed: defaults, config (pass one), modules
 * (manifests, descriptors, init), module directives (pass two), databases,
 * start-up-load hooks, listeners, "Ready to accept connections".  Any
 * failure before the listeners exist prints why and exits 1, so a broken
 * manifest or a missing module never yields a half-working server. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "siphash.h"

/* The loop's own watchers and the shutdown request: main's alone. */
static ev_timer cron;
static ev_prepare before_sleep;
static ev_signal sigterm_w, sigint_w;
static long long cronloops;

static void usage(void)
{
    fprintf(stderr,
            "Usage: ./frankenredis-server [/path/to/frankenredis.conf] [options] [-]\n"
            "       ./frankenredis-server - (read config from stdin)\n"
            "       ./frankenredis-server -v or --version\n"
            "       ./frankenredis-server -h or --help\n\n"
            "Examples:\n"
            "       ./frankenredis-server (run the server with default conf and modules)\n"
            "       ./frankenredis-server conf/frankenredis.conf\n"
            "       ./frankenredis-server --port 7777\n"
            "       ./frankenredis-server conf/frankenredis.conf --port 7000 --loglevel verbose\n\n"
            "Config lines 'module NAME [strict|hardened]' choose the modules; see README.md.\n");
    exit(1);
}

static void version(void)
{
    printf("FrankenRedis server v=%s (redis_version=%s) bits=%d malloc=%s sdk=%d.%d\n", FR_OWN_VERSION, FR_VERSION,
           (int)(sizeof(long) * 8), fr_malloc_lib(), FR_SDK_MAJOR, FR_SDK_MINOR);
    exit(0);
}

static void die(const char *msg)
{
    fprintf(stderr, "\n*** FATAL START-UP ERROR (FrankenRedis %s) ***\n%s\n", FR_OWN_VERSION, msg);
    fr_log(FR_LOG_WARNING, "Start-up refused: %s", msg);
    exit(1);
}

static void make_runid(void)
{
    unsigned char raw[20];
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, raw, sizeof(raw)) != (ssize_t)sizeof(raw)) {
        srandom((unsigned)((fr_clock_wall_us() % 1000000) ^ (uint64_t)getpid()));
        for (size_t i = 0; i < sizeof(raw); i++) raw[i] = (unsigned char)random();
    }
    if (fd >= 0) close(fd);
    for (size_t i = 0; i < sizeof(raw); i++) snprintf(fr_proc.runid + i * 2, 3, "%02x", raw[i]);
    uint8_t seed[16];
    memcpy(seed, raw, sizeof(seed));
    fr_siphash_seed_set(seed);
}

/* ------------------------------------------------------------------ cron */

static void cron_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    static long long last_ms;
    if (fr_runtime.pause_cron) return; /* DEBUG PAUSE-CRON 1 */
    long long now = (long long)fr_clock_wall_ms();
    cronloops++;
    fr_clock_cron_tick(now);
    if (cronloops % (fr_cfg.hz > 10 ? fr_cfg.hz / 10 : 1) == 0) fr_info_sample_stats(now);
    if (cronloops % (fr_cfg.hz > 0 ? fr_cfg.hz : 1) == 0) fr_proctitle_update(); /* CONFIG SET of the template */
    fr_oom_score_apply(0); /* a role change, CONFIG SET: written only when it changes */
    fr_clients_cron();
    fr_shutdown_cron();
    fr_pause_current(); /* a pause past its end lifts even with no traffic */
    fr_db_cron();
    fr_tracking_limit();
    fr_info_cron();
    fr_hook_event ev = {.id = FR_HOOK_CRON, .elapsed_ms = last_ms ? now - last_ms : 0};
    last_ms = now;
    fr_hooks_fire(&ev);
    /* hz may have changed through CONFIG SET */
    double period = fr_cfg.hz > 0 ? 1.0 / (double)(fr_cfg.hz > 500 ? 500 : fr_cfg.hz) : 1.0;
    if (w->repeat != period) {
        w->repeat = period;
        ev_timer_again(fr_proto.loop, w);
    }
}

/* Runs right before the loop blocks: the place where replies are flushed,
 * so that all the commands of one read are answered with one write. */
static void before_sleep_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
    (void)loop;
    (void)w;
    (void)revents;
    fr_clients_process_reads();
    fr_blocked_check_timeouts();
    fr_blocked_serve_ready();
    fr_clients_resume_unblocked();
    if (fr_hooks_count(FR_HOOK_BEFORE_SLEEP)) {
        fr_hook_event ev = {.id = FR_HOOK_BEFORE_SLEEP};
        fr_hooks_fire(&ev);
    }
    fr_tracking_flush_pending(); /* held for a command run outside a read */
    fr_tracking_broadcast(); /* after the expiry the hooks may have done */
    fr_client_flush_pending();
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
    (void)loop;
    (void)revents;
    fr_shutdown_signal(w->signum);
    ev_break(fr_proto.loop, EVBREAK_ONE);
}

/* -------------------------------------------------------------- start-up */

static void daemonize(void)
{
    if (fork() != 0) exit(0);
    setsid();
    int fd = open("/dev/null", O_RDWR, 0);
    if (fd != -1) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO) close(fd);
    }
}

/* READY=1 once data is loaded and the listeners are open; a replica says
 * it still waits for its master's data. */
static void notify_ready(void)
{
    char master[512];
    if (fr_config_server_str("replicaof", master, sizeof(master))[0])
        fr_supervise_notify("STATUS=Ready to accept connections in read-only mode. Waiting for MASTER <-> REPLICA sync\n");
    else
        fr_supervise_notify("STATUS=Ready to accept connections\n");
    fr_supervise_notify("READY=1\n");
}

static void write_pidfile(void)
{
    if (!fr_cfg.pidfile) return;
    FILE *f = fopen(fr_cfg.pidfile, "w");
    if (!f) {
        fr_log(FR_LOG_WARNING, "Failed to write PID file: %s", strerror(errno));
        return;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
}

static void parse_args(int argc, char **argv, char **conf, int *optc, char ***optv)
{
    *conf = NULL;
    *optc = 0;
    *optv = NULL;
    if (argc < 2) return;
    const char *a = argv[1];
    if (!strcmp(a, "-v") || !strcmp(a, "--version")) version();
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) usage();
    int i = 1;
    if (a[0] != '-' || (a[0] == '-' && a[1] == '\0')) {
        *conf = argv[1];
        i = 2;
    }
    *optc = argc - i;
    *optv = argv + i;
}

static void init_loop(void)
{
    struct ev_loop *loop = ev_default_loop(EVFLAG_AUTO);
    if (!loop) die("cannot initialise the libev event loop");
    fr_proto_init(loop);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    ev_signal_init(&sigterm_w, signal_cb, SIGTERM);
    ev_signal_init(&sigint_w, signal_cb, SIGINT);
    ev_signal_start(fr_proto.loop, &sigterm_w);
    ev_signal_start(fr_proto.loop, &sigint_w);
    double period = 1.0 / (double)(fr_cfg.hz > 0 ? fr_cfg.hz : 1);
    ev_timer_init(&cron, cron_cb, period, period);
    ev_timer_start(fr_proto.loop, &cron);
    ev_prepare_init(&before_sleep, before_sleep_cb);
    ev_prepare_start(fr_proto.loop, &before_sleep);
}

static void resolve_exec_path(const char *argv0)
{
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
    if (n > 0) {
        buf[n] = '\0';
        fr_proc.exec_path = fr_strdup(buf);
    } else {
        fr_proc.exec_path = fr_strdup(argv0);
    }
}

int main(int argc, char **argv)
{
    char err[2048];
    char *conf;
    int optc;
    char **optv;

    fr_proctitle_init(argc, argv);
    fr_proc.pid = getpid();
    fr_proc.start_ms = (long long)fr_clock_wall_ms();
    fr_proc.start_time = (time_t)(fr_proc.start_ms / 1000);
    fr_clock_cron_tick(fr_proc.start_ms);
    fr_info_reset_samples(fr_proc.start_ms);
    fr_runtime_init(fr_client_info_line);
    fr_modules_set_builtin(fr_core_manifest_text, fr_core_manifest_len, fr_core_commands_register);
    resolve_exec_path(argv[0]);
    make_runid();
    fr_config_init_defaults();
    parse_args(argc, argv, &conf, &optc, &optv);
    if (conf && !strcmp(conf, "-")) conf = "/dev/stdin"; /* as redis-server - */
    if (conf && strcmp(conf, "/dev/stdin")) {
        char *abs = realpath(conf, NULL);
        fr_proc.config_file = abs ? fr_strdup(abs) : fr_strdup(conf);
        free(abs);
    }
    if (fr_config_load(conf, optc, optv, err, sizeof(err))) {
        fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (FrankenRedis %s) ***\n%s\n", FR_OWN_VERSION, err);
        exit(1);
    }
    int supervised = fr_supervise_start();
    if (fr_cfg.daemonize && !supervised) daemonize();
    fr_proc.pid = getpid();
    fr_log(FR_LOG_WARNING, "oO0OoO0OoO0Oo FrankenRedis is starting oO0OoO0OoO0Oo");
    fr_log(FR_LOG_WARNING, "FrankenRedis version=%s, redis_version=%s, bits=%d, pid=%d, just started",
           FR_OWN_VERSION, FR_VERSION, (int)(sizeof(long) * 8), (int)fr_proc.pid);
    if (conf) fr_log(FR_LOG_WARNING, "Configuration loaded");
    else fr_log(FR_LOG_WARNING, "Warning: no config file specified, using the default config and module set.");

    if (fr_cmdtable_init() || fr_db_init()) die("cannot initialise the keyspace");
    if (fr_modules_load_all(err, sizeof(err))) die(err);
    if (fr_config_apply_pending(err, sizeof(err))) {
        fprintf(stderr, "\n*** FATAL CONFIG FILE ERROR (FrankenRedis %s) ***\n%s\n", FR_OWN_VERSION, err);
        exit(1);
    }
    if (fr_acl_load_at_startup(err, sizeof(err))) die(err);
    fr_config_free_all();
    fr_net_fit_maxclients();
    init_loop();
    if (fr_net_listen(err, sizeof(err)) || fr_net_listen_unix(err, sizeof(err))) die(err);
    if (!fr_net_listening()) die("Configured to not listen anywhere, exiting.");
    write_pidfile();
    fr_log(FR_LOG_WARNING, "Server initialized");
    fr_keyspace.loading = 1;
    fr_hook_event ev = {.id = FR_HOOK_STARTUP_LOAD};
    if (fr_hooks_fire(&ev) != FR_OK) die("a module refused start-up while loading data (see the log above)");
    fr_keyspace.loading = 0;
    fr_info_mark_startup();
    if (fr_cfg.port) fr_log(FR_LOG_NOTICE, "Ready to accept connections");
    if (fr_cfg.unixsocket) fr_log(FR_LOG_NOTICE, "The server is now ready to accept connections at %s", fr_cfg.unixsocket);
    notify_ready();
    fr_proctitle_update();
    fr_oom_score_apply(0);
    for (;;) {
        ev_run(fr_proto.loop, 0);
        fr_shutdown_run_signalled();
    }
    return 0;
}
