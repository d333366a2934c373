/* geo_search.c -- GEORADIUS GEORADIUS_RO GEORADIUSBYMEMBER
 * GEORADIUSBYMEMBER_RO GEOSEARCH GEOSEARCHSTORE: one parser and one search
 * behind all six, as in Redis 7.0.15.
 *
 * Order of checks (it decides which error a bad call gets): the source key
 * (WRONGTYPE), the centre and radius of the GEORADIUS forms, then the
 * options left to right (FROMMEMBER, FROMLONLAT, BYRADIUS, BYBOX are
 * validated as they come), then the conflicts (STORE with WITH*, the FROM
 * and BY choices, ANY without COUNT).  An absent source answers an empty
 * array, or 0 with the store key deleted.
 *
 * The search walks the score ranges of the covering boxes (geo_area.c)
 * and keeps the members inside the shape; COUNT ANY stops as soon as it
 * has enough; geo_sort.c orders the result as Redis does.  Results go
 * to the client (member, then distance, hash, coordinates as asked) or to
 * a new sorted set scored by geohash or, with STOREDIST, by distance.
 * Members are copied out of the source, which the store may replace. */
#include "geo_internal.h"

#include <string.h>

#define GEO_FROM_COORDS (1 << 0) /* GEORADIUS: key lon lat radius unit */
#define GEO_FROM_MEMBER (1 << 1) /* GEORADIUSBYMEMBER: key member radius unit */
#define GEO_NOSTORE (1 << 2)     /* the _RO forms: no STORE, no STOREDIST */
#define GEO_SEARCH (1 << 3)      /* GEOSEARCH's FROM* and BY* arguments */
#define GEO_SEARCHSTORE (1 << 4) /* GEOSEARCHSTORE: destination first */

typedef struct geo_points {
    geo_point *a;
    size_t used, cap;
} geo_points;

typedef struct geo_req {
    int flags;
    geo_shape shape;
    const fr_str *storekey;
    int storedist;
    int withdist, withhash, withcoord;
    int frommember, fromloc, byradius, bybox;
    int sort, any;
    long long count; /* 0: all */
} geo_req;

/* ---- the result list --------------------------------------------------------- */

static void points_add(geo_points *g, const double xy[2], double dist, const zs_elem *e) {
    if (g->used == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 8;
        g->a = fr_realloc(g->a, sizeof(geo_point) * g->cap);
    }
    geo_point *p = &g->a[g->used++];
    p->lon = xy[0];
    p->lat = xy[1];
    p->dist = dist;
    p->score = e->score;
    p->m = fr_malloc(e->mlen ? e->mlen : 1);
    memcpy(p->m, e->m, e->mlen);
    p->mlen = e->mlen;
}

static void points_free(geo_points *g) {
    for (size_t i = 0; i < g->used; i++) fr_free(g->a[i].m);
    fr_free(g->a);
}

/* ---- the walk -------------------------------------------------------------------- */

/* Members scored in [min, max) that fall inside the shape; stops once the
 * list holds `limit` points (0: no limit). */
static void points_in_range(zset_obj *z, double min, double max, const geo_shape *s, geo_points *g,
                            size_t limit) {
    zrange_q q;
    memset(&q, 0, sizeof(q));
    q.min = min;
    q.max = max;
    q.maxex = 1;
    zs_iter it;
    if (zr_first(z, &q, &it) < 0) return;
    for (; zi_valid(&it); zi_next(&it)) {
        zs_elem e;
        zi_get(&it, &e);
        if (!zr_lte_max(&q, e.score, e.m, e.mlen)) break;
        double xy[2], dist = 0;
        if (gh_score_to_lonlat(e.score, xy) && geo_in_shape(s, xy[0], xy[1], &dist)) points_add(g, xy, dist, &e);
        if (limit && g->used >= limit) break;
    }
}

static int same_box(const gh_bits *a, const gh_bits *b) { return a->bits == b->bits && a->step == b->step; }

/* The centre box then its neighbours; a box equal to the one searched just
 * before it (huge radii at coarse steps) is skipped. */
static void points_in_cover(zset_obj *z, const geo_cover *c, const geo_shape *s, geo_points *g,
                            size_t limit) {
    gh_bits boxes[1 + GH_NEIGHBOURS];
    boxes[0] = c->hash;
    memcpy(boxes + 1, c->neighbours, sizeof(c->neighbours));
    int last = 0;
    for (int i = 0; i < 1 + GH_NEIGHBOURS; i++) {
        if (boxes[i].bits == 0 && boxes[i].step == 0) continue;
        if (last && same_box(&boxes[i], &boxes[last])) continue;
        if (limit && g->used >= limit) break;
        gh_bits next = boxes[i];
        next.bits++;
        points_in_range(z, (double)gh_align52(boxes[i]), (double)gh_align52(next), s, g, limit);
        last = i;
    }
}

/* ---- arguments -------------------------------------------------------------------- */

/* One option at argument j (`left` arguments follow it); returns how many
 * arguments it took beyond itself, or -1 after replying an error. */
static int parse_option(fr_ctx *ctx, geo_req *r, zset_obj *z, int j, int left) {
    int search = r->flags & GEO_SEARCH, can_store = !(r->flags & (GEO_NOSTORE | GEO_SEARCH));
    if (fr_arg_is(ctx, j, "withdist")) r->withdist = 1;
    else if (fr_arg_is(ctx, j, "withhash")) r->withhash = 1;
    else if (fr_arg_is(ctx, j, "withcoord")) r->withcoord = 1;
    else if (fr_arg_is(ctx, j, "any")) r->any = 1;
    else if (fr_arg_is(ctx, j, "asc")) r->sort = GEO_SORT_ASC;
    else if (fr_arg_is(ctx, j, "desc")) r->sort = GEO_SORT_DESC;
    else if (fr_arg_is(ctx, j, "count") && left >= 1) {
        if (fr_arg_ll_or_reply(ctx, j + 1, &r->count) != FR_OK) return -1;
        if (r->count <= 0) {
            fr_reply_error(ctx, "COUNT must be > 0");
            return -1;
        }
        return 1;
    } else if ((fr_arg_is(ctx, j, "store") || fr_arg_is(ctx, j, "storedist")) && left >= 1 && can_store) {
        r->storekey = fr_arg(ctx, j + 1);
        r->storedist = fr_arg_is(ctx, j, "storedist");
        return 1;
    } else if (fr_arg_is(ctx, j, "storedist") && search && (r->flags & GEO_SEARCHSTORE)) {
        r->storedist = 1;
    } else if (fr_arg_is(ctx, j, "frommember") && left >= 1 && search && !r->fromloc) {
        if (z && !geo_member_lonlat(z, fr_arg(ctx, j + 1), r->shape.xy)) {
            fr_reply_error(ctx, "could not decode requested zset member");
            return -1;
        }
        r->frommember = 1;
        return 1;
    } else if (fr_arg_is(ctx, j, "fromlonlat") && left >= 2 && search && !r->frommember) {
        if (!geo_parse_lonlat(ctx, j + 1, r->shape.xy)) return -1;
        r->fromloc = 1;
        return 2;
    } else if (fr_arg_is(ctx, j, "byradius") && left >= 2 && search && !r->bybox) {
        if (!geo_parse_radius(ctx, j + 1, &r->shape)) return -1;
        r->shape.type = GEO_SHAPE_CIRCLE;
        r->byradius = 1;
        return 2;
    } else if (fr_arg_is(ctx, j, "bybox") && left >= 3 && search && !r->byradius) {
        if (!geo_parse_box(ctx, j + 1, &r->shape)) return -1;
        r->shape.type = GEO_SHAPE_BOX;
        r->bybox = 1;
        return 3;
    } else {
        fr_reply_syntax_error(ctx);
        return -1;
    }
    return 0;
}

/* The fixed arguments of the GEORADIUS forms; returns the index of the
 * first option, or 0 after an error. */
static int parse_centre(fr_ctx *ctx, geo_req *r, zset_obj *z) {
    if (r->flags & GEO_FROM_COORDS) {
        r->shape.type = GEO_SHAPE_CIRCLE;
        if (!geo_parse_lonlat(ctx, 2, r->shape.xy) || !geo_parse_radius(ctx, 4, &r->shape)) return 0;
        return 6;
    }
    if (r->flags & GEO_FROM_MEMBER) {
        if (!z) return 5; /* nothing to search: parse on for the reply's kind */
        r->shape.type = GEO_SHAPE_CIRCLE;
        if (!geo_member_lonlat(z, fr_arg(ctx, 2), r->shape.xy)) {
            fr_reply_error(ctx, "could not decode requested zset member");
            return 0;
        }
        return geo_parse_radius(ctx, 3, &r->shape) ? 5 : 0;
    }
    if (r->flags & GEO_SEARCHSTORE) {
        r->storekey = fr_arg(ctx, 1);
        return 3;
    }
    return 2;
}

static int check_conflicts(fr_ctx *ctx, const geo_req *r) {
    const char *name = fr_arg(ctx, 0)->buf;
    if (r->storekey && (r->withdist || r->withhash || r->withcoord)) {
        fr_reply_errorf(ctx, "%s is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
                        r->flags & GEO_SEARCHSTORE ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS");
        return 0;
    }
    if ((r->flags & GEO_SEARCH) && !(r->frommember || r->fromloc)) {
        fr_reply_errorf(ctx, "exactly one of FROMMEMBER or FROMLONLAT can be specified for %s", name);
        return 0;
    }
    if ((r->flags & GEO_SEARCH) && !(r->byradius || r->bybox)) {
        fr_reply_errorf(ctx, "exactly one of BYRADIUS and BYBOX can be specified for %s", name);
        return 0;
    }
    if (r->any && !r->count) {
        fr_reply_error(ctx, "the ANY argument requires COUNT argument");
        return 0;
    }
    return 1;
}

/* ---- output -------------------------------------------------------------------- */

static void reply_points(fr_ctx *ctx, const geo_req *r, geo_point *p, long n) {
    int extra = r->withdist + r->withcoord + r->withhash;
    fr_reply_array(ctx, n);
    for (long i = 0; i < n; i++) {
        if (extra) fr_reply_array(ctx, extra + 1);
        fr_reply_bulk(ctx, p[i].m, p[i].mlen);
        if (r->withdist) geo_reply_distance(ctx, p[i].dist / r->shape.conversion);
        if (r->withhash) fr_reply_long_long(ctx, (long long)p[i].score);
        if (r->withcoord) {
            fr_reply_array(ctx, 2);
            fr_reply_human_long_double(ctx, p[i].lon);
            fr_reply_human_long_double(ctx, p[i].lat);
        }
    }
}

/* The store key emptied (no result, or no source): deleted if present. */
static void store_nothing(fr_ctx *ctx, const fr_str *key) {
    fr_db *db = fr_ctx_db(ctx);
    if (fr_key_delete(ctx, db, key)) {
        fr_notify_keyspace_event(FR_NOTIFY_GENERIC, "del", key, fr_db_id(db));
        fr_dirty(ctx, 1);
    }
    fr_reply_long_long(ctx, 0);
}

/* Built as a skiplist, then turned into a listpack if small enough, as
 * Redis builds it. */
static void store_points(fr_ctx *ctx, const geo_req *r, const geo_point *p, long n) {
    if (n == 0) {
        store_nothing(ctx, r->storekey);
        return;
    }
    zset_obj *z = zv_new_skiplist((unsigned long)n);
    size_t maxlen = 0, totlen = 0;
    for (long i = 0; i < n; i++) {
        int out;
        double score = r->storedist ? p[i].dist / r->shape.conversion : p[i].score;
        zv_add(z, score, p[i].m, p[i].mlen, 0, &out, NULL);
        if (p[i].mlen > maxlen) maxlen = p[i].mlen;
        totlen += p[i].mlen;
    }
    zv_shrink_if_small(z, maxlen, totlen);
    fr_db *db = fr_ctx_db(ctx);
    fr_key_set(ctx, db, r->storekey, g_zset_type, z, 0);
    fr_notify_keyspace_event(FR_NOTIFY_ZSET, r->flags & GEO_SEARCH ? "geosearchstore" : "georadiusstore",
                             r->storekey, fr_db_id(db));
    fr_dirty(ctx, n);
    fr_reply_long_long(ctx, n);
}

/* ---- the commands -------------------------------------------------------------------- */

static void search_and_reply(fr_ctx *ctx, geo_req *r, zset_obj *z) {
    /* COUNT picks the nearest unless ANY says any will do. */
    if (r->count && r->sort == GEO_SORT_NONE && !r->any) r->sort = GEO_SORT_ASC;
    geo_cover cover;
    geo_cover_shape(&r->shape, &cover);
    geo_points g = {NULL, 0, 0};
    points_in_cover(z, &cover, &r->shape, &g, r->any ? (size_t)r->count : 0);
    if (g.used == 0 && !r->storekey) {
        fr_reply_array(ctx, 0);
        points_free(&g);
        return;
    }
    long n = (long)g.used;
    if (r->count && r->count < n) n = (long)r->count;
    if (r->sort != GEO_SORT_NONE) geo_sort_points(g.a, g.used, (size_t)n, r->sort);
    if (r->storekey) store_points(ctx, r, g.a, n);
    else reply_points(ctx, r, g.a, n);
    points_free(&g);
}

static void georadius_generic(fr_ctx *ctx, int srcidx, int flags) {
    geo_req r;
    memset(&r, 0, sizeof(r));
    r.flags = flags;
    zset_obj *z;
    if (!zset_lookup_read(ctx, fr_arg(ctx, srcidx), &z)) return;
    int first = parse_centre(ctx, &r, z);
    if (!first) return;
    int argc = fr_argc(ctx);
    for (int j = first; j < argc; j++) {
        int took = parse_option(ctx, &r, z, j, argc - j - 1);
        if (took < 0) return;
        j += took;
    }
    if (!check_conflicts(ctx, &r)) return;
    if (!z) {
        if (r.storekey) store_nothing(ctx, r.storekey);
        else fr_reply_array(ctx, 0);
        return;
    }
    search_and_reply(ctx, &r, z);
}

void cmd_georadius(fr_ctx *ctx) { georadius_generic(ctx, 1, GEO_FROM_COORDS); }
void cmd_georadius_ro(fr_ctx *ctx) { georadius_generic(ctx, 1, GEO_FROM_COORDS | GEO_NOSTORE); }
void cmd_georadiusbymember(fr_ctx *ctx) { georadius_generic(ctx, 1, GEO_FROM_MEMBER); }
void cmd_georadiusbymember_ro(fr_ctx *ctx) { georadius_generic(ctx, 1, GEO_FROM_MEMBER | GEO_NOSTORE); }
void cmd_geosearch(fr_ctx *ctx) { georadius_generic(ctx, 1, GEO_SEARCH); }
void cmd_geosearchstore(fr_ctx *ctx) { georadius_generic(ctx, 2, GEO_SEARCH | GEO_SEARCHSTORE); }
