/* aof_manifest.c -- the AOF manifest: the list of files that together are
 * the append-only file, in Redis 7.0's text format, one line per file:
 *
 *     file <name> seq <n> type <b|h|i>
 *
 * base first, then history, then incremental files in sequence order.
 * Names that need it are quoted as Redis's sdscatrepr does, and parsed
 * back with the SDK's splitargs (Redis's sdssplitargs rules).
 *
 * Invariants: a manifest in memory is never modified in place when it is
 * aof_g.manifest: callers dup it, change the copy, persist the copy and
 * only then swap it in, so a failed persist leaves the old one standing.
 * Persisting writes a temp file, fsyncs it, renames it over the manifest
 * and fsyncs the directory. */
#include "aof_internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_MAX_LINE 1024

static char *str_dup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = fr_malloc(n);
    memcpy(d, s, n);
    return d;
}

aof_manifest *aof_manifest_new(void) {
    return fr_calloc(sizeof(aof_manifest));
}

static aof_file *files_dup(const aof_file *f, int n) {
    if (!n) return NULL;
    aof_file *d = fr_malloc(sizeof(*d) * (size_t)n);
    for (int i = 0; i < n; i++) d[i] = (aof_file){str_dup(f[i].name), f[i].seq, f[i].type};
    return d;
}

aof_manifest *aof_manifest_dup(const aof_manifest *am) {
    aof_manifest *d = aof_manifest_new();
    d->base = am->base ? files_dup(am->base, 1) : NULL;
    d->hist = files_dup(am->hist, am->nhist);
    d->nhist = am->nhist;
    d->incr = files_dup(am->incr, am->nincr);
    d->nincr = am->nincr;
    d->base_seq = am->base_seq;
    d->incr_seq = am->incr_seq;
    return d;
}

static void files_free(aof_file *f, int n) {
    for (int i = 0; i < n; i++) fr_free(f[i].name);
    fr_free(f);
}

void aof_manifest_free(aof_manifest *am) {
    if (!am) return;
    files_free(am->base, am->base ? 1 : 0);
    files_free(am->hist, am->nhist);
    files_free(am->incr, am->nincr);
    fr_free(am);
}

static void push(aof_file **arr, int *n, aof_file f, int at_head) {
    *arr = fr_realloc(*arr, sizeof(aof_file) * (size_t)(*n + 1));
    if (at_head) {
        memmove(*arr + 1, *arr, sizeof(aof_file) * (size_t)*n);
        (*arr)[0] = f;
    } else {
        (*arr)[*n] = f;
    }
    (*n)++;
}

/* ---- Parsing ----------------------------------------------------------- */

static const char *parse_fields(fr_str **argv, int argc, aof_file *f) {
    for (int i = 0; i + 1 < argc; i += 2) {
        const char *k = argv[i]->buf, *v = argv[i + 1]->buf;
        if (!strcasecmp(k, "file")) {
            if (strchr(v, '/') || strchr(v, '\\')) return "File can't be a path, just a filename";
            fr_free(f->name);
            f->name = str_dup(v);
        } else if (!strcasecmp(k, "seq")) {
            f->seq = atoll(v);
        } else if (!strcasecmp(k, "type")) {
            f->type = v[0];
        } /* other keys: left for later versions, as Redis does */
    }
    if (!f->name || !f->seq || !f->type) return "Invalid AOF manifest file format";
    return NULL;
}

static const char *add_parsed(aof_manifest *am, aof_file f) {
    if (f.type == AOF_TYPE_BASE) {
        if (am->base) return "Found duplicate base file information";
        am->base = files_dup(&f, 1);
        am->base_seq = f.seq;
    } else if (f.type == AOF_TYPE_HIST) {
        push(&am->hist, &am->nhist, (aof_file){str_dup(f.name), f.seq, f.type}, 0);
    } else if (f.type == AOF_TYPE_INCR) {
        if (f.seq <= am->incr_seq) return "Found a non-monotonic sequence number";
        push(&am->incr, &am->nincr, (aof_file){str_dup(f.name), f.seq, f.type}, 0);
        am->incr_seq = f.seq;
    } else {
        return "Unknown AOF file type";
    }
    return NULL;
}

/* One line (without its newline); NULL or the error. */
static const char *parse_line(aof_manifest *am, const char *line, size_t len) {
    while (len && isspace((unsigned char)line[len - 1])) len--;
    while (len && isspace((unsigned char)*line)) line++, len--;
    if (!len) return "Invalid AOF manifest file format";
    int argc = 0;
    fr_str **argv = fr_splitargs(line, len, &argc);
    /* at least the three pairs; more, in pairs, for forward compatibility */
    if (!argv || argc < 6 || argc % 2) {
        if (argv) fr_splitargs_free(argv, argc);
        return "Invalid AOF manifest file format";
    }
    aof_file f = {0};
    const char *err = parse_fields(argv, argc, &f);
    fr_splitargs_free(argv, argc);
    if (!err) err = add_parsed(am, f);
    fr_free(f.name);
    return err;
}

aof_manifest *aof_manifest_parse(const char *text, size_t len, char *why, size_t whylen) {
    aof_manifest *am = aof_manifest_new();
    int linenum = 0;
    const char *err = NULL, *p = text, *end = text + len;
    if (!len) err = "Found an empty AOF manifest";
    while (!err && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        linenum++;
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (p[0] == '#') {
            /* comments are skipped, as Redis does */
        } else if (!nl || n + 1 > MANIFEST_MAX_LINE) {
            err = "The AOF manifest file contains too long line";
        } else {
            err = parse_line(am, p, n);
        }
        if (err) snprintf(why, whylen, "%s (line %d: '%.*s')", err, linenum, (int)(n > 200 ? 200 : n), p);
        p += n + 1;
    }
    if (err && !linenum) snprintf(why, whylen, "%s", err);
    if (err) {
        aof_manifest_free(am);
        return NULL;
    }
    return am;
}

/* ---- Printing and persisting ------------------------------------------ */

static int needs_repr(const char *s) {
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\\' || c == '"' || !isprint(c) || isspace(c)) return 1;
    }
    return 0;
}

static fr_str *cat_repr(fr_str *out, const char *s) {
    out = fr_str_cat(out, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        char b[8];
        int n;
        switch (c) {
        case '\\': case '"': n = snprintf(b, sizeof(b), "\\%c", c); break;
        case '\n': n = snprintf(b, sizeof(b), "\\n"); break;
        case '\r': n = snprintf(b, sizeof(b), "\\r"); break;
        case '\t': n = snprintf(b, sizeof(b), "\\t"); break;
        case '\a': n = snprintf(b, sizeof(b), "\\a"); break;
        case '\b': n = snprintf(b, sizeof(b), "\\b"); break;
        default: n = isprint(c) ? snprintf(b, sizeof(b), "%c", c) : snprintf(b, sizeof(b), "\\x%02x", c);
        }
        out = fr_str_cat(out, b, (size_t)n);
    }
    return fr_str_cat(out, "\"", 1);
}

static fr_str *cat_file(fr_str *out, const aof_file *f) {
    out = fr_str_cat(out, "file ", 5);
    out = needs_repr(f->name) ? cat_repr(out, f->name) : fr_str_cat(out, f->name, strlen(f->name));
    char tail[64];
    int n = snprintf(tail, sizeof(tail), " seq %lld type %c\n", f->seq, f->type);
    return fr_str_cat(out, tail, (size_t)n);
}

char *aof_manifest_format(const aof_manifest *am, size_t *len) {
    fr_str *s = fr_str_new_empty(256);
    if (am->base) s = cat_file(s, am->base);
    for (int i = 0; i < am->nhist; i++) s = cat_file(s, &am->hist[i]);
    for (int i = 0; i < am->nincr; i++) s = cat_file(s, &am->incr[i]);
    char *text = fr_malloc(s->len + 1);
    memcpy(text, s->buf, s->len + 1);
    *len = s->len;
    fr_str_free(s);
    return text;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -1;
        p += w, n -= (size_t)w;
    }
    return 0;
}

int aof_manifest_persist(const aof_manifest *am) {
    char name[512], tmpname[600], path[1100], tmppath[1200];
    aof_manifest_name(name, sizeof(name));
    snprintf(tmpname, sizeof(tmpname), "temp-%s", name);
    aof_path(path, sizeof(path), name);
    aof_path(tmppath, sizeof(tmppath), tmpname);
    size_t len;
    char *text = aof_manifest_format(am, &len);
    int fd = open(tmppath, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644), rc = FR_ERR;
    if (fd < 0)
        fr_log(FR_LOG_WARNING, "Can't open the AOF manifest file %s: %s", tmpname, strerror(errno));
    else if (write_all(fd, text, len) < 0)
        fr_log(FR_LOG_WARNING, "Error trying to write the temporary AOF manifest file %s: %s", tmpname,
               strerror(errno));
    else if (fsync(fd) < 0)
        fr_log(FR_LOG_WARNING, "Fail to fsync the temp AOF file %s: %s.", tmpname, strerror(errno));
    else if (rename(tmppath, path) < 0)
        fr_log(FR_LOG_WARNING, "Error trying to rename the temporary AOF manifest file %s into %s: %s",
               tmpname, name, strerror(errno));
    else if (aof_fsync_dir(aof_conf_appenddirname()) < 0)
        fr_log(FR_LOG_WARNING, "Fail to fsync AOF directory %s: %s.", path, strerror(errno));
    else
        rc = FR_OK;
    if (fd >= 0) close(fd);
    fr_free(text);
    return rc;
}

/* ---- Names ------------------------------------------------------------- */

const char *aof_manifest_new_base(aof_manifest *am, int rdb_format) {
    if (am->base) {
        am->base->type = AOF_TYPE_HIST;
        push(&am->hist, &am->nhist, *am->base, 1);
        fr_free(am->base);
        am->base = NULL;
    }
    char name[600];
    snprintf(name, sizeof(name), "%s.%lld.base.%s", aof_conf_appendfilename(), ++am->base_seq,
             rdb_format ? "rdb" : "aof");
    aof_file f = {str_dup(name), am->base_seq, AOF_TYPE_BASE};
    am->base = files_dup(&f, 1);
    fr_free(f.name);
    return am->base->name;
}

const char *aof_manifest_new_incr(aof_manifest *am) {
    char name[600];
    snprintf(name, sizeof(name), "%s.%lld.incr.aof", aof_conf_appendfilename(), ++am->incr_seq);
    push(&am->incr, &am->nincr, (aof_file){str_dup(name), am->incr_seq, AOF_TYPE_INCR}, 0);
    return am->incr[am->nincr - 1].name;
}

/* Redis moves them newest first to the head of the history list. */
void aof_manifest_incr_to_history(aof_manifest *am, int keep_last) {
    int move = am->nincr - (keep_last && am->nincr ? 1 : 0);
    for (int i = move - 1; i >= 0; i--) {
        aof_file f = am->incr[i];
        f.type = AOF_TYPE_HIST;
        push(&am->hist, &am->nhist, f, 1);
    }
    memmove(am->incr, am->incr + move, sizeof(aof_file) * (size_t)(am->nincr - move));
    am->nincr -= move;
}

/* ---- Paths ------------------------------------------------------------- */

void aof_path(char *buf, size_t len, const char *name) {
    snprintf(buf, len, "%s/%s", aof_conf_appenddirname(), name);
}

void aof_manifest_name(char *buf, size_t len) {
    snprintf(buf, len, "%s.manifest", aof_conf_appendfilename());
}

void aof_temp_incr_name(char *buf, size_t len) {
    snprintf(buf, len, "temp-%s.incr", aof_conf_appendfilename());
}

int aof_fsync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

long long aof_file_size(const char *name) {
    char path[1100];
    struct stat st;
    aof_path(path, sizeof(path), name);
    return stat(path, &st) == 0 ? (long long)st.st_size : 0;
}
