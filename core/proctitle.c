/* proctitle.c -- the process title `ps` shows, as Redis's set-proc-title
 * and proc-title-template: "frankenredis-server *:6379" rather than the
 * command line, so an instance is told apart by its address.
 *
 * The title is written over the memory of argv's strings, which is what
 * /proc/PID/cmdline reads; the environment's strings, which the kernel
 * placed right after them, are first copied to the heap (environ then
 * points at the copies) so that their bytes can hold a longer title, as
 * nginx's setproctitle does.  A title longer than that area is cut.
 *
 * Template syntax (shared with CONFIG SET's check, config_vocab.c):
 * "{name}" is a variable, "{{" a literal "{" (a "}" outside a variable
 * is itself, as in Redis); the result is trimmed of spaces.
 *
 * Invariant: the area is set once, at start-up, before anything else
 * reads argv or the environment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime.h"

extern char **environ;

static char *area;       /* argv[0]'s bytes, then the rest of the area */
static size_t area_len;  /* bytes writable from area, the final NUL included */
static char *title_arg;  /* argv[0] as given (fr_malloc) */
static char applied[256];

void fr_proctitle_init(int argc, char **argv)
{
    if (argc < 1 || !argv[0]) return;
    title_arg = fr_strdup(argv[0]);
    char *end = argv[0] + strlen(argv[0]) + 1;
    for (int i = 1; i < argc; i++)
        if (argv[i] == end) end += strlen(argv[i]) + 1;
    int n = 0;
    while (environ[n]) n++;
    char **copy = malloc(sizeof(char *) * (size_t)(n + 1)); /* lives as long as the process */
    if (!copy) return;
    for (int i = 0; i < n; i++) {
        if (environ[i] == end) end += strlen(environ[i]) + 1;
        copy[i] = strdup(environ[i]);
    }
    copy[n] = NULL;
    environ = copy;
    area = argv[0];
    area_len = (size_t)(end - area);
}

/* One variable's value into out; -1 when the name is unknown. */
static int variable(const char *name, size_t len, const char *title, char *out, size_t outlen)
{
#define IS(s) (len == strlen(s) && !strncmp(name, s, len))
    if (IS("title")) snprintf(out, outlen, "%s", title);
    else if (IS("listen-addr") && fr_cfg.port)
        snprintf(out, outlen, "%s:%lld", fr_cfg.bind_count ? fr_cfg.bind[0] : "*", fr_cfg.port);
    else if (IS("listen-addr")) snprintf(out, outlen, "unixsocket:%s", fr_cfg.unixsocket ? fr_cfg.unixsocket : "");
    else if (IS("server-mode")) out[0] = '\0'; /* no cluster, no sentinel */
    else if (IS("config-file")) snprintf(out, outlen, "%s", fr_proc.config_file ? fr_proc.config_file : "-");
    else if (IS("port")) snprintf(out, outlen, "%lld", fr_cfg.port);
    else if (IS("tls-port")) snprintf(out, outlen, "0");
    else if (IS("unixsocket")) snprintf(out, outlen, "%s", fr_cfg.unixsocket ? fr_cfg.unixsocket : "");
    else return -1;
    return 0;
#undef IS
}

int fr_proctitle_expand(const char *tmpl, const char *title, char *out, size_t outlen)
{
    size_t n = 0;
    char value[512];
    for (const char *p = tmpl; *p; p++) {
        const char *piece = p;
        size_t plen = 1;
        if (p[0] == '{' && p[1] == '{') {
            p++;
        } else if (p[0] == '{') {
            const char *end = strchr(p + 1, '}');
            if (!end || variable(p + 1, (size_t)(end - p - 1), title, value, sizeof(value))) return -1;
            piece = value, plen = strlen(value);
            p = end;
        }
        if (n + plen >= outlen) plen = outlen - n - 1;
        memcpy(out + n, piece, plen);
        n += plen;
    }
    while (n && out[n - 1] == ' ') n--;
    out[n] = '\0';
    char *start = out;
    while (*start == ' ') start++;
    memmove(out, start, strlen(start) + 1);
    return 0;
}

/* Under set-proc-title yes: the template's title over the area, the rest
 * zeroed; again only when it changed (the cron calls it, since CONFIG SET
 * proc-title-template may change it). */
static void apply(const char *title_var)
{
    if (!area || !fr_config_server_ll("set-proc-title", 1)) return;
    char tmpl[256], title[256];
    fr_config_server_str("proc-title-template", tmpl, sizeof(tmpl));
    if (fr_proctitle_expand(tmpl, title_var, title, sizeof(title)) || !strcmp(title, applied)) return;
    snprintf(applied, sizeof(applied), "%s", title);
    size_t n = strlen(title);
    if (n >= area_len) n = area_len - 1;
    memcpy(area, title, n);
    memset(area + n, 0, area_len - n);
}

void fr_proctitle_update(void)
{
    apply(title_arg);
}

/* A forked child's job name in place of argv[0] ({title}), as Redis's
 * redisSetProcTitle("redis-rdb-bgsave") in its children. */
FR_API void fr_proctitle_set(const char *title)
{
    apply(title ? title : title_arg);
}
