/* geohash.c -- geohash prefixes: coordinates to interleaved bits and back,
 * the 52-bit score scale, and the eight neighbouring boxes.
 *
 * A prefix of `step` bits per axis keeps latitude on the even bits and
 * longitude on the odd bits (bit 0 is latitude's least significant).
 * Encoding scales each coordinate to [0, 2^step) within its range and
 * truncates; decoding gives the box back, and a position is the box's
 * centre.  The floating-point expressions are those whose results Redis
 * 7.0.15 replies (GEOPOS, WITHCOORD), so they keep that exact shape. */
#include "geo_internal.h"

/* Spread the 32 bits of v over the even bits of the result (a Morton
 * code's half): each round doubles the gap between groups of bits. */
static uint64_t spread_bits(uint32_t v) {
    uint64_t x = v;
    x = (x | (x << 16)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x << 8)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x << 2)) & 0x3333333333333333ULL;
    x = (x | (x << 1)) & 0x5555555555555555ULL;
    return x;
}

/* Gather the even bits of v into 32 bits: spread_bits run backwards. */
static uint32_t gather_bits(uint64_t v) {
    uint64_t x = v & 0x5555555555555555ULL;
    x = (x | (x >> 1)) & 0x3333333333333333ULL;
    x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FULL;
    x = (x | (x >> 4)) & 0x00FF00FF00FF00FFULL;
    x = (x | (x >> 8)) & 0x0000FFFF0000FFFFULL;
    x = (x | (x >> 16)) & 0x00000000FFFFFFFFULL;
    return (uint32_t)x;
}

void gh_wgs84_ranges(gh_range *lon, gh_range *lat) {
    lon->min = GEO_LONG_MIN;
    lon->max = GEO_LONG_MAX;
    lat->min = GEO_LAT_MIN;
    lat->max = GEO_LAT_MAX;
}

static int range_is_zero(const gh_range *r) { return r->min == 0 && r->max == 0; }

int gh_encode(const gh_range *lon_r, const gh_range *lat_r, double lon, double lat, int step, gh_bits *out) {
    if (step < 1 || step > 32 || range_is_zero(lat_r) || range_is_zero(lon_r)) return 0;
    if (lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN) return 0;
    out->bits = 0;
    out->step = (uint8_t)step;
    if (lat < lat_r->min || lat > lat_r->max || lon < lon_r->min || lon > lon_r->max) return 0;
    double lat_off = (lat - lat_r->min) / (lat_r->max - lat_r->min);
    double lon_off = (lon - lon_r->min) / (lon_r->max - lon_r->min);
    lat_off *= (double)(1ULL << step);
    lon_off *= (double)(1ULL << step);
    out->bits = spread_bits((uint32_t)lat_off) | (spread_bits((uint32_t)lon_off) << 1);
    return 1;
}

int gh_encode_wgs84(double lon, double lat, int step, gh_bits *out) {
    gh_range lon_r, lat_r;
    gh_wgs84_ranges(&lon_r, &lat_r);
    return gh_encode(&lon_r, &lat_r, lon, lat, step, out);
}

int gh_decode(gh_range lon_r, gh_range lat_r, gh_bits h, gh_area *area) {
    if ((h.bits == 0 && h.step == 0) || range_is_zero(&lat_r) || range_is_zero(&lon_r)) return 0;
    area->hash = h;
    uint32_t ilat = gather_bits(h.bits);
    uint32_t ilon = gather_bits(h.bits >> 1);
    double cells = (double)(1ULL << h.step);
    double lat_scale = lat_r.max - lat_r.min;
    double lon_scale = lon_r.max - lon_r.min;
    area->lat.min = lat_r.min + (ilat * 1.0 / cells) * lat_scale;
    area->lat.max = lat_r.min + ((ilat + 1) * 1.0 / cells) * lat_scale;
    area->lon.min = lon_r.min + (ilon * 1.0 / cells) * lon_scale;
    area->lon.max = lon_r.min + ((ilon + 1) * 1.0 / cells) * lon_scale;
    return 1;
}

static double clamp(double v, double lo, double hi) { return v > hi ? hi : v < lo ? lo : v; }

/* A score as a 64-bit integer.  For a geohash score (an integer below
 * 2^53) this is the plain conversion; for any other score a sorted set may
 * hold (negative, fractional, huge, inf) C leaves the cast undefined, and
 * Redis's reference build (x86-64) gets what the processor's conversion
 * gives: truncation in the int64 range, values from 2^63 reduced by 2^63
 * and flagged back, and 2^63 for what does not fit at all -- which then
 * cancels to 0 in the upper range.  Spelled out here so that GEOPOS on
 * such a member answers the same point as Redis on any platform. */
static uint64_t score_bits(double score) {
    const double two63 = 9223372036854775808.0;
    if (score >= two63) {
        double rest = score - two63;
        return rest < two63 ? (uint64_t)(int64_t)rest ^ (1ULL << 63) : 0;
    }
    if (score >= -two63) return (uint64_t)(int64_t)score;
    return 1ULL << 63; /* below the int64 range, -inf */
}

int gh_score_to_lonlat(double score, double xy[2]) {
    gh_bits h = {score_bits(score), GEO_STEP_MAX};
    gh_range lon_r, lat_r;
    gh_area a;
    gh_wgs84_ranges(&lon_r, &lat_r);
    if (!gh_decode(lon_r, lat_r, h, &a)) return 0;
    xy[0] = clamp((a.lon.min + a.lon.max) / 2, GEO_LONG_MIN, GEO_LONG_MAX);
    xy[1] = clamp((a.lat.min + a.lat.max) / 2, GEO_LAT_MIN, GEO_LAT_MAX);
    return 1;
}

uint64_t gh_align52(gh_bits h) { return h.bits << (52 - h.step * 2); }

/* Move one axis of a prefix by one cell (d = +1 or -1), wrapping around
 * within the prefix's width: `axis` masks that axis's bits.  Adding one to
 * the axis alone is done by filling the other axis's bits with ones so the
 * carry runs through them. */
static void move_axis(gh_bits *h, uint64_t axis, int d) {
    if (d == 0) return;
    unsigned shift = 64 - (unsigned)h->step * 2;
    uint64_t other_mask = ~axis >> shift;        /* the other axis, prefix width */
    uint64_t mine = h->bits & axis;
    uint64_t rest = h->bits & ~axis;
    if (d > 0) mine = mine + (other_mask + 1);
    else mine = (mine | other_mask) - (other_mask + 1);
    mine &= axis >> shift;
    h->bits = mine | rest;
}

#define LON_BITS 0xaaaaaaaaaaaaaaaaULL
#define LAT_BITS 0x5555555555555555ULL

static gh_bits moved(const gh_bits *h, int dlon, int dlat) {
    gh_bits r = *h;
    move_axis(&r, LON_BITS, dlon);
    move_axis(&r, LAT_BITS, dlat);
    return r;
}

void gh_neighbours(const gh_bits *h, gh_bits out[GH_NEIGHBOURS]) {
    out[GH_N] = moved(h, 0, 1);
    out[GH_S] = moved(h, 0, -1);
    out[GH_E] = moved(h, 1, 0);
    out[GH_W] = moved(h, -1, 0);
    out[GH_NE] = moved(h, 1, 1);
    out[GH_NW] = moved(h, -1, 1);
    out[GH_SE] = moved(h, 1, -1);
    out[GH_SW] = moved(h, -1, -1);
}
