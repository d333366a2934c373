/* ledger.c -- hardened mode's evidence ledger: every divergence from Redis
 * that a hardened module (or the core) made, kept where an operator can
 * read it back.
 *
 * Three views of the same events: a bounded log, newest first (HARDENED
 * LOG/LEN/RESET read it, as SLOWLOG reads the slow log), at most
 * hardened-log-capacity entries; per-rule counters for INFO hardened; and,
 * when hardened-log-file names one, a JSON-lines file each event is
 * appended to (opened per event, O_APPEND, so it may be rotated by
 * renaming it).  Invariants: entry ids grow by one and survive RESET, as
 * SLOWLOG's; the counters survive RESET and CONFIG RESETSTAT (divergences
 * are evidence, not statistics); a shorter capacity takes effect at the
 * next event. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runtime.h"

static fr_ledger_entry *newest, *oldest;
static long long length, next_id;

/* Per rule: "<module>/<rule>" in first-seen order. */
typedef struct rule_count {
    char *module, *rule;
    long long count;
} rule_count;
static rule_count *rules;
static int nrules;

static void entry_free(fr_ledger_entry *e)
{
    fr_str_free(e->module);
    fr_str_free(e->rule);
    fr_str_free(e->command);
    fr_str_free(e->client);
    fr_str_free(e->detail);
    fr_free(e);
}

static void drop_oldest(void)
{
    fr_ledger_entry *e = oldest;
    oldest = e->newer;
    if (oldest) oldest->older = NULL;
    else newest = NULL;
    length--;
    entry_free(e);
}

static fr_str *str_or_empty(const char *s)
{
    return fr_str_new(s ? s : "", s ? strlen(s) : 0);
}

static void count_rule(const char *module, const char *rule)
{
    for (int i = 0; i < nrules; i++)
        if (!strcmp(rules[i].module, module) && !strcmp(rules[i].rule, rule)) {
            rules[i].count++;
            return;
        }
    rules = fr_realloc(rules, sizeof(*rules) * (size_t)(nrules + 1));
    rules[nrules++] = (rule_count){fr_strdup(module), fr_strdup(rule), 1};
}

/* JSON string body: quotes, backslashes and control bytes escaped. */
static fr_str *cat_json(fr_str *out, const fr_str *s)
{
    out = fr_str_cat(out, "\"", 1);
    for (size_t i = 0; i < s->len; i++) {
        unsigned char c = (unsigned char)s->buf[i];
        char b[8];
        int n = c == '"' || c == '\\' ? snprintf(b, sizeof(b), "\\%c", c)
              : c < 0x20 || c == 0x7f ? snprintf(b, sizeof(b), "\\u%04x", c)
              : snprintf(b, sizeof(b), "%c", c);
        out = fr_str_cat(out, b, (size_t)n);
    }
    return fr_str_cat(out, "\"", 1);
}

static void append_to_file(const fr_ledger_entry *e)
{
    if (!fr_cfg.hardened_log_file || !*fr_cfg.hardened_log_file) return;
    char head[96];
    int n = snprintf(head, sizeof(head), "{\"id\":%lld,\"time\":%lld,\"module\":", e->id, e->time);
    fr_str *line = cat_json(fr_str_new(head, (size_t)n), e->module);
    line = cat_json(fr_str_cat(line, ",\"rule\":", 8), e->rule);
    line = cat_json(fr_str_cat(line, ",\"command\":", 11), e->command);
    line = cat_json(fr_str_cat(line, ",\"client\":", 10), e->client);
    line = cat_json(fr_str_cat(line, ",\"detail\":", 10), e->detail);
    line = fr_str_cat(line, "}\n", 2);
    int fd = open(fr_cfg.hardened_log_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, line->buf, line->len) != (ssize_t)line->len)
        fr_log(FR_LOG_WARNING, "hardened-log-file %s: cannot append an entry", fr_cfg.hardened_log_file);
    if (fd >= 0) close(fd);
    fr_str_free(line);
}

void fr_ledger_record(const char *module, const char *rule, const char *command, const char *client,
                      const char *detail)
{
    fr_ledger_entry *e = fr_calloc(sizeof(*e));
    e->id = next_id++;
    e->time = (long long)time(NULL);
    e->module = str_or_empty(module);
    e->rule = str_or_empty(rule);
    e->command = str_or_empty(command);
    e->client = str_or_empty(client);
    e->detail = str_or_empty(detail);
    count_rule(e->module->buf, e->rule->buf);
    append_to_file(e);
    e->older = newest;
    if (newest) newest->newer = e;
    newest = e;
    if (!oldest) oldest = e;
    length++;
    while (length > fr_cfg.hardened_log_capacity) drop_oldest();
}

long long fr_ledger_len(void)
{
    return length;
}

void fr_ledger_reset(void)
{
    while (oldest) drop_oldest();
}

const fr_ledger_entry *fr_ledger_newest(void)
{
    return newest;
}

void fr_ledger_foreach_rule(void (*fn)(void *priv, const char *module, const char *rule, long long count),
                            void *priv)
{
    for (int i = 0; i < nrules; i++) fn(priv, rules[i].module, rules[i].rule, rules[i].count);
}
