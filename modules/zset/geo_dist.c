/* geo_dist.c -- distances on the sphere and the in-shape tests.
 *
 * Distances use the haversine formula on a sphere of Earth's quadratic
 * mean radius (6372797.560856 m), as Redis does; two points on the same
 * meridian take the cheaper latitude-only path, which is also what Redis
 * computes there.  A box test compares the north-south and east-west legs
 * with half the box's height and width before computing the distance. */
#include "geo_internal.h"

#include <math.h>

const double GEO_EARTH_RADIUS = 6372797.560856;

double geo_deg_rad(double deg) { return deg * (M_PI / 180.0); }
double geo_rad_deg(double rad) { return rad / (M_PI / 180.0); }

double geo_lat_distance(double lat1, double lat2) {
    return GEO_EARTH_RADIUS * fabs(geo_deg_rad(lat2) - geo_deg_rad(lat1));
}

double geo_distance(double lon1, double lat1, double lon2, double lat2) {
    double v = sin((geo_deg_rad(lon2) - geo_deg_rad(lon1)) / 2);
    if (v == 0.0) return geo_lat_distance(lat1, lat2);
    double lat1r = geo_deg_rad(lat1), lat2r = geo_deg_rad(lat2);
    double u = sin((lat2r - lat1r) / 2);
    double a = u * u + cos(lat1r) * cos(lat2r) * v * v;
    return 2.0 * GEO_EARTH_RADIUS * asin(sqrt(a));
}

/* (lon, lat) against the box centred on s->xy, in metres. */
static int in_box(const geo_shape *s, double lon, double lat, double *dist) {
    double w = s->width * s->conversion, h = s->height * s->conversion;
    if (geo_lat_distance(lat, s->xy[1]) > h / 2) return 0;
    if (geo_distance(lon, lat, s->xy[0], lat) > w / 2) return 0;
    *dist = geo_distance(s->xy[0], s->xy[1], lon, lat);
    return 1;
}

int geo_in_shape(const geo_shape *s, double lon, double lat, double *dist) {
    if (s->type == GEO_SHAPE_BOX) return in_box(s, lon, lat, dist);
    *dist = geo_distance(s->xy[0], s->xy[1], lon, lat);
    return *dist <= s->radius * s->conversion;
}
