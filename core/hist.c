/* hist.c -- HdrHistogram-style bucketing (see hist.h for why).
 *
 * Layout, for 2 significant digits and a lowest value of 1: values below
 * 256 have a counter each; above, bucket b (b >= 1) covers [128 << b,
 * 256 << b) with 128 counters of width 1 << b.  Counter i maps to one
 * value (the lowest of its range); the range's highest value is what
 * percentiles report. */
#include "hist.h"

#include "base.h"

#define SUB_HALF_MAG 7                 /* log2(128) */
#define SUB_HALF (1 << SUB_HALF_MAG)   /* 128 */
#define SUB_COUNT (2 * SUB_HALF)       /* 256: 2 digits need 200 */
#define SUB_MASK ((int64_t)SUB_COUNT - 1)

struct fr_hist {
    int64_t total;
    int32_t len;
    int64_t counts[];
};

/* Buckets until 256 << (buckets-1) exceeds the highest value. */
static int32_t bucket_count(void)
{
    int64_t untrackable = SUB_COUNT;
    int32_t n = 1;
    while (untrackable <= FR_HIST_MAX) {
        untrackable <<= 1;
        n++;
    }
    return n;
}

fr_hist *fr_hist_new(void)
{
    int32_t len = (bucket_count() + 1) * SUB_HALF;
    fr_hist *h = fr_calloc(sizeof(*h) + sizeof(int64_t) * (size_t)len);
    h->len = len;
    return h;
}

void fr_hist_free(fr_hist *h)
{
    if (h) fr_free(h);
}

static int32_t bucket_of(int64_t v)
{
    return 64 - __builtin_clzll((uint64_t)(v | SUB_MASK)) - (SUB_HALF_MAG + 1);
}

static int32_t index_of(int64_t v)
{
    int32_t b = bucket_of(v);
    int32_t sub = (int32_t)(v >> b);
    return ((b + 1) << SUB_HALF_MAG) + sub - SUB_HALF;
}

/* The lowest value counted at index i, and the width of its range. */
static int64_t value_at(int32_t i, int64_t *width)
{
    int32_t b = (i >> SUB_HALF_MAG) - 1;
    int32_t sub = (i & (SUB_HALF - 1)) + SUB_HALF;
    if (b < 0) {
        sub -= SUB_HALF;
        b = 0;
    }
    if (width) *width = (int64_t)1 << (sub >= SUB_COUNT ? b + 1 : b);
    return (int64_t)sub << b;
}

static int64_t lowest_equivalent(int64_t v)
{
    int32_t b = bucket_of(v);
    return (v >> b) << b;
}

void fr_hist_record(fr_hist *h, int64_t v)
{
    if (v < FR_HIST_MIN) v = FR_HIST_MIN;
    if (v > FR_HIST_MAX) v = FR_HIST_MAX;
    h->counts[index_of(v)]++;
    h->total++;
}

int64_t fr_hist_total(const fr_hist *h)
{
    return h->total;
}

int64_t fr_hist_percentile(const fr_hist *h, double p)
{
    double req = p < 100.0 ? p : 100.0;
    int64_t rank = (int64_t)((req / 100) * (double)h->total + 0.5), seen = 0, width;
    if (rank < 1) rank = 1;
    for (int32_t i = 0; i < h->len; i++) {
        seen += h->counts[i];
        if (seen < rank) continue;
        int64_t low = value_at(i, &width);
        return p == 0.0 ? low : low + width - 1;
    }
    return 0;
}

/* HdrHistogram's logarithmic iteration: walk the counters until one's
 * value reaches the level's lowest equivalent value, report that
 * counter's range top and the count so far, double the level. */
void fr_hist_log_cdf(const fr_hist *h, int64_t first, fr_hist_cdf_fn fn, void *priv)
{
    int32_t i = -1;
    int64_t cum = 0, value = 0, highest = 0, level = first, level_low = lowest_equivalent(first);
    for (;;) {
        int more = cum < h->total || (i < h->len && i + 1 < h->len && value_at(i + 1, NULL) > level_low);
        if (!more) return;
        for (;;) {
            if (value >= level_low) {
                fn(highest, cum, priv);
                level *= 2;
                level_low = lowest_equivalent(level);
                break;
            }
            if (++i >= h->len) {
                fn(highest, cum, priv);
                return;
            }
            int64_t width;
            cum += h->counts[i];
            value = value_at(i, &width);
            highest = value + width - 1;
        }
    }
}
