/* geo_area.c -- the geohash boxes a search visits.
 *
 * A search looks at the box containing the centre at a precision (step)
 * picked from the search's radius, plus its eight neighbours; boxes that
 * the shape's bounding box cannot reach are dropped.  The step estimate,
 * the one-step widening when a neighbour does not reach the bounding box,
 * and the pruning rules are Redis 7.0.15's, so the same members are
 * examined in the same order (which decides what COUNT ANY returns). */
#include "geo_internal.h"

#include <math.h>

/* Web Mercator's half width in metres: the coarsest step covers it. */
#define MERCATOR_MAX 20037726.37

/* The finest step whose cell is still wider than the range, narrowed near
 * the poles where cells shrink east to west. */
static int steps_for_radius(double range_meters, double lat) {
    if (range_meters == 0) return GEO_STEP_MAX;
    int step = 1;
    while (range_meters < MERCATOR_MAX) {
        range_meters *= 2;
        step++;
    }
    step -= 2;
    if (lat > 66 || lat < -66) {
        step--;
        if (lat > 80 || lat < -80) step--;
    }
    if (step < 1) step = 1;
    if (step > GEO_STEP_MAX) step = GEO_STEP_MAX;
    return step;
}

/* The shape's bounding box in degrees, into s->bounds.  East-west extent is
 * measured on the parallel nearer the pole (the top one in the northern
 * hemisphere, the bottom one in the southern), where it is widest. */
static void bounding_box(geo_shape *s) {
    double lon = s->xy[0], lat = s->xy[1];
    int circle = s->type == GEO_SHAPE_CIRCLE;
    double height = s->conversion * (circle ? s->radius : s->height / 2);
    double width = s->conversion * (circle ? s->radius : s->width / 2);
    double lat_delta = geo_rad_deg(height / GEO_EARTH_RADIUS);
    double lon_delta_top = geo_rad_deg(width / GEO_EARTH_RADIUS / cos(geo_deg_rad(lat + lat_delta)));
    double lon_delta_bottom = geo_rad_deg(width / GEO_EARTH_RADIUS / cos(geo_deg_rad(lat - lat_delta)));
    double lon_delta = lat < 0 ? lon_delta_bottom : lon_delta_top;
    s->bounds[0] = lon - lon_delta;
    s->bounds[1] = lat - lat_delta;
    s->bounds[2] = lon + lon_delta;
    s->bounds[3] = lat + lat_delta;
}

static void zero(gh_bits *h) {
    h->bits = 0;
    h->step = 0;
}

/* The centre's box at `step`, its neighbours and its area. */
static void cover_at(const geo_shape *s, int step, geo_cover *c, gh_area *area) {
    gh_range lon_r, lat_r;
    gh_wgs84_ranges(&lon_r, &lat_r);
    gh_encode(&lon_r, &lat_r, s->xy[0], s->xy[1], step, &c->hash);
    gh_neighbours(&c->hash, c->neighbours);
    gh_decode(lon_r, lat_r, c->hash, area);
}

/* 1 when a direct neighbour stops short of the bounding box. */
static int neighbours_too_small(const geo_shape *s, const geo_cover *c) {
    gh_range lon_r, lat_r;
    gh_area n, so, e, w;
    gh_wgs84_ranges(&lon_r, &lat_r);
    gh_decode(lon_r, lat_r, c->neighbours[GH_N], &n);
    gh_decode(lon_r, lat_r, c->neighbours[GH_S], &so);
    gh_decode(lon_r, lat_r, c->neighbours[GH_E], &e);
    gh_decode(lon_r, lat_r, c->neighbours[GH_W], &w);
    return n.lat.max < s->bounds[3] || so.lat.min > s->bounds[1] || e.lon.max < s->bounds[2] ||
           w.lon.min > s->bounds[0];
}

void geo_cover_shape(geo_shape *s, geo_cover *c) {
    bounding_box(s);
    double radius = s->type == GEO_SHAPE_CIRCLE
                        ? s->radius
                        : sqrt((s->width / 2) * (s->width / 2) + (s->height / 2) * (s->height / 2));
    radius *= s->conversion;
    int step = steps_for_radius(radius, s->xy[1]);
    gh_area area;
    cover_at(s, step, c, &area);
    if (step > 1 && neighbours_too_small(s, c)) cover_at(s, --step, c, &area);
    if (step < 2) return;
    gh_bits *nb = c->neighbours;
    if (area.lat.min < s->bounds[1]) {
        zero(&nb[GH_S]);
        zero(&nb[GH_SW]);
        zero(&nb[GH_SE]);
    }
    if (area.lat.max > s->bounds[3]) {
        zero(&nb[GH_N]);
        zero(&nb[GH_NE]);
        zero(&nb[GH_NW]);
    }
    if (area.lon.min < s->bounds[0]) {
        zero(&nb[GH_W]);
        zero(&nb[GH_SW]);
        zero(&nb[GH_NW]);
    }
    if (area.lon.max > s->bounds[2]) {
        zero(&nb[GH_E]);
        zero(&nb[GH_SE]);
        zero(&nb[GH_NE]);
    }
}
