/* geo_internal.h -- what the GEO files of the zset module share.
 *
 * A geo index is an ordinary sorted set: each member's score is the 52-bit
 * interleaved geohash of its position (26 bits of longitude on the odd
 * bits, 26 of latitude on the even bits), so every Z* command works on it
 * and GEOADD works on any sorted set.  Latitudes are limited to the
 * Web-Mercator band (+-85.05112878) as in Redis, and the arithmetic
 * follows Redis 7.0.15's step by step so that positions, distances and
 * search results come out bit for bit the same.
 *
 * Files: geohash.c (bits <-> coordinates, neighbours), geo_dist.c (great
 * circle distances, the in-shape tests), geo_area.c (the nine boxes that
 * cover a search shape), geo.c (GEOADD GEOPOS GEODIST GEOHASH and the
 * argument parsers), geo_search.c (GEORADIUS* and GEOSEARCH*), geo_sort.c
 * (the order of their results). */
#ifndef FR_GEO_INTERNAL_H
#define FR_GEO_INTERNAL_H

#include "zset_internal.h"

#include <stdint.h>

#define GEO_STEP_MAX 26 /* 26 bits per axis: a 52-bit score */
#define GEO_LAT_MIN -85.05112878
#define GEO_LAT_MAX 85.05112878
#define GEO_LONG_MIN -180
#define GEO_LONG_MAX 180

/* A geohash prefix: `step` bits per axis in the low 2*step bits.  A zero
 * value (bits 0, step 0) marks a neighbour box left out of a search. */
typedef struct gh_bits {
    uint64_t bits;
    uint8_t step;
} gh_bits;

typedef struct gh_range {
    double min, max;
} gh_range;

typedef struct gh_area {
    gh_bits hash;
    gh_range lon, lat;
} gh_area;

/* The eight boxes around one, in the order searches visit them. */
enum { GH_N, GH_S, GH_E, GH_W, GH_NE, GH_NW, GH_SE, GH_SW, GH_NEIGHBOURS };

/* geohash.c */
void gh_wgs84_ranges(gh_range *lon, gh_range *lat);
/* 0 when the point is outside the ranges or the step is not 1..32. */
int gh_encode(const gh_range *lon_r, const gh_range *lat_r, double lon, double lat, int step, gh_bits *out);
int gh_encode_wgs84(double lon, double lat, int step, gh_bits *out);
/* The box a prefix covers; 0 for the zero prefix. */
int gh_decode(gh_range lon_r, gh_range lat_r, gh_bits h, gh_area *area);
/* A 52-bit score to the centre of its box (clamped to the valid ranges). */
int gh_score_to_lonlat(double score, double xy[2]);
/* A prefix shifted to the 52-bit score scale. */
uint64_t gh_align52(gh_bits h);
void gh_neighbours(const gh_bits *h, gh_bits out[GH_NEIGHBOURS]);

/* geo_dist.c: distances in metres, coordinates in degrees. */
double geo_distance(double lon1, double lat1, double lon2, double lat2);
double geo_lat_distance(double lat1, double lat2);
double geo_deg_rad(double deg);
double geo_rad_deg(double rad);
extern const double GEO_EARTH_RADIUS;

/* A search shape: a circle (radius) or an axis-aligned box (width and
 * height), both in the unit `conversion` turns into metres. */
#define GEO_SHAPE_CIRCLE 1
#define GEO_SHAPE_BOX 2
typedef struct geo_shape {
    int type;
    double xy[2];      /* the centre: longitude, latitude */
    double conversion; /* metres per unit */
    double radius;
    double width, height;
    double bounds[4]; /* min lon, min lat, max lon, max lat (geo_area.c) */
} geo_shape;

/* 1 with the distance from the centre when (lon, lat) is inside. */
int geo_in_shape(const geo_shape *s, double lon, double lat, double *dist);

/* geo_area.c: the centre box and its neighbours that cover the shape
 * (boxes that cannot hold a match are zeroed). */
typedef struct geo_cover {
    gh_bits hash;
    gh_bits neighbours[GH_NEIGHBOURS];
} geo_cover;
void geo_cover_shape(geo_shape *s, geo_cover *out);

/* A search result: a member copied out of the set, its position, its
 * distance from the centre (metres) and its score. */
typedef struct geo_point {
    double lon, lat, dist, score;
    char *m;
    size_t mlen;
} geo_point;

/* geo_sort.c: order a[0..n) by distance so that its first `keep` places
 * hold what Redis returns there, in Redis's order. */
#define GEO_SORT_NONE 0
#define GEO_SORT_ASC 1
#define GEO_SORT_DESC 2
void geo_sort_points(geo_point *a, size_t n, size_t keep, int sort);

/* geo.c: argument parsers shared with geo_search.c; each replies Redis's
 * error and returns 0 on bad input. */
int geo_parse_lonlat(fr_ctx *ctx, int i, double xy[2]);
int geo_parse_unit(fr_ctx *ctx, int i, double *to_meters);
int geo_parse_radius(fr_ctx *ctx, int i, geo_shape *s);
int geo_parse_box(fr_ctx *ctx, int i, geo_shape *s);
/* A member's position; 0 when absent. */
int geo_member_lonlat(zset_obj *z, const fr_str *m, double xy[2]);
/* A distance as Redis's addReplyDoubleDistance: 4 decimals, a bulk. */
void geo_reply_distance(fr_ctx *ctx, double d);

#endif
