/* hist.h -- latency histograms with HdrHistogram's bucketing, for
 * latency-tracking (INFO latencystats, LATENCY HISTOGRAM).
 *
 * Redis records command durations in nanoseconds, clamped to 1 ns .. 1 s,
 * in a histogram keeping 2 significant digits; percentiles and the
 * cumulative distribution it prints depend on that exact bucketing, so
 * this one uses the same layout: 256 sub-buckets (128 per half), one
 * bucket per power of two above them.  Values are counted, never stored. */
#ifndef FR_HIST_H
#define FR_HIST_H

#include <stdint.h>

#define FR_HIST_MIN 1LL               /* ns */
#define FR_HIST_MAX 1000000000LL      /* ns: one second */

typedef struct fr_hist fr_hist;

fr_hist *fr_hist_new(void);
void fr_hist_free(fr_hist *h);
void fr_hist_record(fr_hist *h, int64_t value);   /* clamped to MIN..MAX */
int64_t fr_hist_total(const fr_hist *h);
/* The value at a percentile as HdrHistogram reports it: the highest value
 * equivalent to the bucket holding that rank (the lowest for 0). */
int64_t fr_hist_percentile(const fr_hist *h, double percentile);
/* The cumulative distribution LATENCY HISTOGRAM prints: reporting levels
 * first, first*2, first*4, ...; fn gets, for each level, the highest value
 * equivalent to the bucket reached and the count up to it. */
typedef void (*fr_hist_cdf_fn)(int64_t highest, int64_t cumulative, void *priv);
void fr_hist_log_cdf(const fr_hist *h, int64_t first, fr_hist_cdf_fn fn, void *priv);

#endif /* FR_HIST_H */
