/* zmalloc.c -- the allocator every part of the server and its modules use.
 *
 * jemalloc is linked in (configure insists on it); its size classes give us
 * the real size of every allocation, so used_memory is the sum of usable
 * sizes.  Out of memory is fatal, as in Redis: callers never see NULL.
 *
 * The count is kept by the main thread in a plain counter (no atomic
 * instruction on the hot path); a helper thread that allocates or frees
 * (the lazy-free thread, lazyfree.c) says so once with
 * fr_alloc_thread_is_helper() and its traffic goes to an atomic delta
 * instead.  used_memory is their sum. */
#include <jemalloc/jemalloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"

static size_t used_memory;               /* the main thread's traffic */
static _Atomic long long helper_delta;   /* helper threads' traffic */
static __thread int on_helper_thread;

void fr_alloc_thread_is_helper(void)
{
    on_helper_thread = 1;
}

static inline void count_add(size_t n)
{
    if (__builtin_expect(on_helper_thread, 0)) atomic_fetch_add_explicit(&helper_delta, (long long)n, memory_order_relaxed);
    else used_memory += n;
}

static inline void count_sub(size_t n)
{
    if (__builtin_expect(on_helper_thread, 0)) atomic_fetch_sub_explicit(&helper_delta, (long long)n, memory_order_relaxed);
    else used_memory -= n;
}

/* Under AddressSanitizer or valgrind (FR_PLAIN_MALLOC, base.h) malloc/free
 * are theirs, not jemalloc's: jemalloc's extended API must not see those
 * pointers. */
#if defined(FR_PLAIN_MALLOC)
#define size_class(p, n) malloc_usable_size(p)
#define sized_free(p, n) free(p)
#else
#define size_class(p, n) nallocx((n), 0)
#define sized_free(p, n) sdallocx((p), (n), 0)
#endif

static void oom(size_t n)
{
    fprintf(stderr, "fr_malloc: Out of memory trying to allocate %zu bytes\n", n);
    fflush(stderr);
    abort();
}

/* nallocx gives the size class without asking the allocator where a
 * pointer lives (malloc_usable_size costs a radix-tree walk per call). */
void *fr_malloc(size_t n)
{
    if (!n) n = 1;
    void *p = malloc(n);
    if (!p) oom(n);
    count_add(size_class(p, n));
    return p;
}

/* fr_malloc that also says how much room the block really has. */
void *fr_malloc_usable(size_t n, size_t *usable)
{
    if (!n) n = 1;
    void *p = malloc(n);
    if (!p) oom(n);
    *usable = size_class(p, n);
    count_add(*usable);
    return p;
}

/* Free a block whose usable size the caller knows (sized deallocation). */
void fr_free_usable(void *p, size_t usable)
{
    count_sub(usable);
    sized_free(p, usable);
}

/* Sized deallocation for a block of n requested bytes: the size class comes
 * from n, so jemalloc need not look the pointer up. */
void fr_free_sized(void *p, size_t n)
{
    if (!p) return;
#if defined(FR_PLAIN_MALLOC)
    count_sub(malloc_usable_size(p));
    free(p);
#else
    fr_free_usable(p, nallocx(n ? n : 1, 0));
#endif
}

void *fr_calloc(size_t n)
{
    if (!n) n = 1;
    void *p = calloc(1, n);
    if (!p) oom(n);
    count_add(size_class(p, n));
    return p;
}

void *fr_realloc(void *p, size_t n)
{
    if (!p) return fr_malloc(n);
    size_t old = malloc_usable_size(p);
    void *np = realloc(p, n ? n : 1);
    if (!np) oom(n);
    count_sub(old);
    count_add(malloc_usable_size(np));
    return np;
}

void fr_free(void *p)
{
    if (!p) return;
    count_sub(malloc_usable_size(p));
    free(p);
}

size_t fr_malloc_size(void *p)
{
    return p ? malloc_usable_size(p) : 0;
}

size_t fr_used_memory(void)
{
    return used_memory + (size_t)atomic_load_explicit(&helper_delta, memory_order_relaxed);
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
