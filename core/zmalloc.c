/* zmalloc.c -- the allocator every part of the server and its modules use.
 *
 * jemalloc is linked in (configure insists on it); its size classes give us
 * the real size of every allocation, so used_memory is the sum of usable
 * sizes, kept in one counter.  Out of memory is fatal, as in Redis: callers
 * never see NULL. */
#include <jemalloc/jemalloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server.h"

static size_t used_memory;

static void oom(size_t n)
{
    fprintf(stderr, "fr_malloc: Out of memory trying to allocate %zu bytes\n", n);
    fflush(stderr);
    abort();
}

void *fr_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    used_memory += malloc_usable_size(p);
    return p;
}

void *fr_calloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) oom(n);
    used_memory += malloc_usable_size(p);
    return p;
}

void *fr_realloc(void *p, size_t n)
{
    if (!p) return fr_malloc(n);
    size_t old = malloc_usable_size(p);
    void *np = realloc(p, n ? n : 1);
    if (!np) oom(n);
    used_memory = used_memory - old + malloc_usable_size(np);
    return np;
}

void fr_free(void *p)
{
    if (!p) return;
    used_memory -= malloc_usable_size(p);
    free(p);
}

size_t fr_malloc_size(void *p)
{
    return p ? malloc_usable_size(p) : 0;
}

size_t fr_used_memory(void)
{
    return used_memory;
}

const char *fr_malloc_lib(void)
{
    static char name[32];
    const char *v = NULL;
    size_t sz = sizeof(v);
    if (!name[0]) {
        if (mallctl("version", &v, &sz, NULL, 0) == 0 && v)
            snprintf(name, sizeof(name), "jemalloc-%.*s", (int)strcspn(v, "-"), v);
        else
            snprintf(name, sizeof(name), "jemalloc");
    }
    return name;
}

/* Resident set size from /proc, as INFO memory's used_memory_rss. */
size_t fr_rss(void)
{
    char buf[256];
    FILE *f = fopen("/proc/self/stat", "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = buf;
    for (int field = 1; field < 24 && p; field++) {
        p = strchr(p, ' ');
        if (p) p++;
    }
    if (!p) return 0;
    return (size_t)strtoll(p, NULL, 10) * (size_t)sysconf(_SC_PAGESIZE);
}
