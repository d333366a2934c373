/* geo.c -- GEOADD GEOPOS GEODIST GEOHASH, and the argument parsers the
 * search commands share.
 *
 * GEOADD is ZADD with each longitude,latitude pair turned into its 52-bit
 * score: options (NX XX CH) first, every pair checked before the key is
 * looked at, then ZADD's own path (zset_add_pairs), and it is propagated
 * as the ZADD it amounts to (scores as integers), as Redis rewrites it.
 * The readers decode a member's score back to the centre of its cell; a
 * member whose score is no geohash still decodes to some point, as in
 * Redis.  Replies: coordinates as Redis's human long double text,
 * distances with exactly four decimals, GEOHASH as 11 characters of the
 * standard base-32 alphabet over the [-90, 90] latitude range. */
#include "geo_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- parsers ------------------------------------------------------------- */

int geo_parse_lonlat(fr_ctx *ctx, int i, double xy[2]) {
    for (int k = 0; k < 2; k++)
        if (zset_arg_double_or_reply(ctx, i + k, &xy[k], NULL) != FR_OK) return 0;
    if (xy[0] < GEO_LONG_MIN || xy[0] > GEO_LONG_MAX || xy[1] < GEO_LAT_MIN || xy[1] > GEO_LAT_MAX) {
        fr_reply_errorf(ctx, "invalid longitude,latitude pair %f,%f", xy[0], xy[1]);
        return 0;
    }
    return 1;
}

int geo_parse_unit(fr_ctx *ctx, int i, double *to_meters) {
    static const struct {
        const char *name;
        double meters;
    } units[] = {{"m", 1}, {"km", 1000}, {"ft", 0.3048}, {"mi", 1609.34}};
    for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
        if (fr_arg_is(ctx, i, units[k].name)) {
            *to_meters = units[k].meters;
            return 1;
        }
    }
    fr_reply_error(ctx, "unsupported unit provided. please use M, KM, FT, MI");
    return 0;
}

int geo_parse_radius(fr_ctx *ctx, int i, geo_shape *s) {
    double r;
    if (zset_arg_double_or_reply(ctx, i, &r, "need numeric radius") != FR_OK) return 0;
    if (r < 0) {
        fr_reply_error(ctx, "radius cannot be negative");
        return 0;
    }
    s->radius = r;
    return geo_parse_unit(ctx, i + 1, &s->conversion);
}

int geo_parse_box(fr_ctx *ctx, int i, geo_shape *s) {
    double w, h;
    if (zset_arg_double_or_reply(ctx, i, &w, "need numeric width") != FR_OK ||
        zset_arg_double_or_reply(ctx, i + 1, &h, "need numeric height") != FR_OK)
        return 0;
    if (h < 0 || w < 0) {
        fr_reply_error(ctx, "height or width cannot be negative");
        return 0;
    }
    s->width = w;
    s->height = h;
    return geo_parse_unit(ctx, i + 2, &s->conversion);
}

int geo_member_lonlat(zset_obj *z, const fr_str *m, double xy[2]) {
    double score;
    return zv_score(z, m->buf, m->len, &score) && gh_score_to_lonlat(score, xy);
}

/* Rounded to 1/10000 (llrint: the current rounding mode, to even), then
 * written as an integer with the point four digits from the right. */
void geo_reply_distance(fr_ctx *ctx, double d) {
    char buf[64];
    int n;
    if (d == 0) {
        n = snprintf(buf, sizeof(buf), "0.0000");
    } else {
        long long v = llrint(d * 10000.0);
        unsigned long long a = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
        n = snprintf(buf, sizeof(buf), "%s%llu.%04llu", v < 0 ? "-" : "", a / 10000, a % 10000);
    }
    fr_reply_bulk(ctx, buf, (size_t)n);
}

/* ---- GEOADD ---------------------------------------------------------------- */

/* The ZADD GEOADD amounts to: ZADD key <options> score member ... */
static void propagate_as_zadd(fr_ctx *ctx, int longidx, int n, const double *scores,
                              const fr_str *const *members) {
    int argc = longidx + n * 2;
    const fr_str **argv = fr_malloc(sizeof(*argv) * (size_t)argc);
    fr_str **owned = fr_malloc(sizeof(*owned) * (size_t)(n + 1));
    owned[n] = fr_str_new("zadd", 4);
    argv[0] = owned[n];
    for (int i = 1; i < longidx; i++) argv[i] = fr_arg(ctx, i);
    for (int j = 0; j < n; j++) {
        char buf[FR_INT_TEXT_MAX];
        int len = fr_ll2string(buf, sizeof(buf), (long long)scores[j]);
        owned[j] = fr_str_new(buf, (size_t)len);
        argv[longidx + j * 2] = owned[j];
        argv[longidx + j * 2 + 1] = members[j];
    }
    fr_propagate_replace(ctx, argc, argv);
    for (int j = 0; j <= n; j++) fr_str_free(owned[j]);
    fr_free(owned);
    fr_free(argv);
}

void cmd_geoadd(fr_ctx *ctx) {
    int argc = fr_argc(ctx), longidx = 2, flags = 0, ch = 0;
    for (; longidx < argc; longidx++) {
        if (fr_arg_is(ctx, longidx, "nx")) flags |= ZADD_IN_NX;
        else if (fr_arg_is(ctx, longidx, "xx")) flags |= ZADD_IN_XX;
        else if (fr_arg_is(ctx, longidx, "ch")) ch = 1;
        else break;
    }
    int n = (argc - longidx) / 3;
    if ((argc - longidx) % 3 || n == 0 || ((flags & ZADD_IN_NX) && (flags & ZADD_IN_XX))) {
        fr_reply_syntax_error(ctx);
        return;
    }
    double *scores = fr_malloc(sizeof(double) * (size_t)n);
    const fr_str **members = fr_malloc(sizeof(*members) * (size_t)n);
    for (int j = 0; j < n; j++) {
        double xy[2];
        gh_bits h;
        if (!geo_parse_lonlat(ctx, longidx + j * 3, xy)) goto done;
        gh_encode_wgs84(xy[0], xy[1], GEO_STEP_MAX, &h);
        scores[j] = (double)gh_align52(h);
        members[j] = fr_arg(ctx, longidx + j * 3 + 2);
    }
    if (zset_add_pairs(ctx, fr_arg(ctx, 1), flags, ch, n, scores, members) > 0)
        propagate_as_zadd(ctx, longidx, n, scores, members);
done:
    fr_free(members);
    fr_free(scores);
}

/* ---- GEOPOS GEOHASH GEODIST ---------------------------------------------------- */

void cmd_geopos(fr_ctx *ctx) {
    zset_obj *z;
    if (!zset_lookup_read(ctx, fr_arg(ctx, 1), &z)) return;
    int argc = fr_argc(ctx);
    fr_reply_array(ctx, argc - 2);
    for (int j = 2; j < argc; j++) {
        double xy[2];
        if (!z || !geo_member_lonlat(z, fr_arg(ctx, j), xy)) {
            fr_reply_null_array(ctx);
            continue;
        }
        fr_reply_array(ctx, 2);
        fr_reply_human_long_double(ctx, xy[0]);
        fr_reply_human_long_double(ctx, xy[1]);
    }
}

/* The standard geohash text of a position: re-encoded over latitude
 * [-90, 90] (the index uses the Mercator band), 10 characters of 5 bits
 * from the 52-bit value and an 11th that is always '0'. */
static void standard_geohash(const double xy[2], char out[12]) {
    static const char alphabet[] = "0123456789bcdefghjkmnpqrstuvwxyz";
    gh_range lon_r = {-180, 180}, lat_r = {-90, 90};
    gh_bits h;
    gh_encode(&lon_r, &lat_r, xy[0], xy[1], GEO_STEP_MAX, &h);
    for (int i = 0; i < 10; i++) out[i] = alphabet[(h.bits >> (52 - (i + 1) * 5)) & 0x1f];
    out[10] = alphabet[0];
    out[11] = '\0';
}

void cmd_geohash(fr_ctx *ctx) {
    zset_obj *z;
    if (!zset_lookup_read(ctx, fr_arg(ctx, 1), &z)) return;
    int argc = fr_argc(ctx);
    fr_reply_array(ctx, argc - 2);
    for (int j = 2; j < argc; j++) {
        double xy[2];
        char text[12];
        if (!z || !geo_member_lonlat(z, fr_arg(ctx, j), xy)) {
            fr_reply_null(ctx);
            continue;
        }
        standard_geohash(xy, text);
        fr_reply_bulk(ctx, text, 11);
    }
}

void cmd_geodist(fr_ctx *ctx) {
    double to_meters = 1;
    int argc = fr_argc(ctx);
    if (argc == 5 && !geo_parse_unit(ctx, 4, &to_meters)) return;
    if (argc > 5) {
        fr_reply_syntax_error(ctx);
        return;
    }
    zset_obj *z;
    if (!zset_lookup_read(ctx, fr_arg(ctx, 1), &z)) return;
    double a[2], b[2];
    if (!z || !geo_member_lonlat(z, fr_arg(ctx, 2), a) || !geo_member_lonlat(z, fr_arg(ctx, 3), b)) {
        fr_reply_null(ctx);
        return;
    }
    geo_reply_distance(ctx, geo_distance(a[0], a[1], b[0], b[1]) / to_meters);
}
