/* cmd_lolwut.c -- LOLWUT [VERSION v] [args...]: computer art and the
 * version, as Redis 7.0.15 answers it.
 *
 * Without VERSION (or with one Redis has no art for) the reply is the
 * version line alone.  VERSION 5 draws Georg Nees's "Schotter" (a grid of
 * squares, rotated and shifted more at random the lower the row) in
 * Braille characters, 2x4 pixels each; VERSION 6 draws a city skyline in
 * ANSI gray levels.  Sizes are clamped so the command stays cheap.  The
 * art is random by nature: only its frame (sizes, rows without
 * randomness, captions) can match Redis's bytes.
 *
 * Owns no state; every canvas is freed before the reply returns. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

typedef struct canvas {
    int w, h;
    unsigned char *px;   /* w*h colour indexes, owned */
} canvas;

static canvas *canvas_new(int w, int h, unsigned char bg)
{
    canvas *c = fr_malloc(sizeof(*c));
    c->w = w;
    c->h = h;
    c->px = fr_malloc((size_t)w * (size_t)h);
    memset(c->px, bg, (size_t)w * (size_t)h);
    return c;
}

static void canvas_free(canvas *c)
{
    fr_free(c->px);
    fr_free(c);
}

static void put(canvas *c, int x, int y, int colour)
{
    if (x >= 0 && y >= 0 && x < c->w && y < c->h) c->px[y * c->w + x] = (unsigned char)colour;
}

static int get(const canvas *c, int x, int y)
{
    return (x >= 0 && y >= 0 && x < c->w && y < c->h) ? c->px[y * c->w + x] : 0;
}

/* Bresenham's line, both ends included. */
static void line(canvas *c, int x0, int y0, int x1, int y1)
{
    int dx = abs(x1 - x0), dy = abs(y1 - y0);
    int stepx = x0 < x1 ? 1 : -1, stepy = y0 < y1 ? 1 : -1;
    int err = dx - dy;
    for (;;) {
        put(c, x0, y0, 1);
        if (x0 == x1 && y0 == y1) return;
        int twice = 2 * err;
        if (twice > -dy) {
            err -= dy;
            x0 += stepx;
        }
        if (twice < dx) {
            err += dx;
            y0 += stepy;
        }
    }
}

/* A square of side `side` centred on (x, y), turned by `angle`: its
 * corners lie on the circle through them, a quarter turn apart. */
static void square(canvas *c, int x, int y, float side, float angle)
{
    float radius = (float)round(side / 1.4142135623);
    int cx[4], cy[4];
    float k = (float)M_PI / 4 + angle;
    for (int i = 0; i < 4; i++, k += (float)M_PI / 2) {
        cx[i] = (int)round(sin(k) * radius + x);
        cy[i] = (int)round(cos(k) * radius + y);
    }
    for (int i = 0; i < 4; i++) line(c, cx[i], cy[i], cx[(i + 1) % 4], cy[(i + 1) % 4]);
}

/* A random value in [-limit, limit]. */
static float jitter(float limit)
{
    float r = (float)random() / (float)RAND_MAX * limit;
    return (random() & 1) ? -r : r;
}

static canvas *schotter(long cols, long per_row, long per_col)
{
    int w = (int)cols * 2;
    int pad = w > 4 ? 2 : 0;
    float side = (float)(w - pad * 2) / (float)per_row;
    canvas *c = canvas_new(w, (int)(side * (float)per_col + (float)(pad * 2)), 0);
    for (int row = 0; row < per_col; row++) {
        for (int col = 0; col < per_row; col++) {
            int x = (int)((float)col * side + side / 2 + (float)pad);
            int y = (int)((float)row * side + side / 2 + (float)pad);
            float angle = 0;
            if (row > 1) { /* the disorder grows down the page */
                float limit = (float)row / (float)per_col;
                angle = jitter(limit);
                x += (int)(jitter(limit) * side / 3);
                y += (int)(jitter(limit) * side / 3);
            }
            square(c, x, y, side, angle);
        }
    }
    return c;
}

/* Each Braille cell is 2x4 pixels; dot bits follow Unicode's numbering
 * (left column 0-2 then 6, right column 3-5 then 7). */
static fr_str *braille(const canvas *c)
{
    static const int dx[8] = {0, 0, 0, 1, 1, 1, 0, 1}, dy[8] = {0, 1, 2, 0, 1, 2, 3, 3};
    fr_str *s = fr_str_new_empty((size_t)c->w * (size_t)c->h);
    for (int y = 0; y < c->h; y += 4) {
        for (int x = 0; x < c->w; x += 2) {
            int bits = 0;
            for (int b = 0; b < 8; b++)
                if (get(c, x + dx[b], y + dy[b])) bits |= 1 << b;
            int code = 0x2800 + bits;
            char utf8[3] = {(char)(0xE0 | (code >> 12)), (char)(0x80 | ((code >> 6) & 0x3F)),
                            (char)(0x80 | (code & 0x3F))};
            s = fr_str_cat(s, utf8, 3);
        }
        if (y != c->h - 1) s = fr_str_cat(s, "\n", 1);
    }
    return s;
}

/* One building standing on the bottom row; its roof is two pixels
 * narrower on each side, and with `windows` two-pixel lit windows on
 * every other row take a random shade other than the wall's. */
static void building(canvas *c, int left, int width, int height, int colour, int windows)
{
    int bottom = c->h - 1, top = bottom - height + 1;
    for (int y = bottom; y >= top; y--) {
        for (int x = left; x < left + width; x++) {
            if (y == top && (x <= left + 1 || x >= left + width - 2)) continue;
            int shade = colour;
            int inner = x > left + 1 && x < left + width - 2 && y > top + 1 && y < bottom - 1;
            int rx = x - (left + 1), ry = y - (top + 1);
            if (windows && inner && (rx / 2) % 2 && ry % 2) {
                if (rx % 2) shade = get(c, x - 1, y); /* the window's second pixel */
                else
                    do shade = 1 + (int)(random() % 2);
                    while (shade == colour);
            }
            put(c, x, y, shade);
        }
    }
}

/* Two rows of background buildings (the lighter behind), then the
 * foreground with windows, each row left to right at random spacing. */
static void skyline(canvas *c)
{
    for (int colour = 2; colour >= 1; colour--) {
        for (int x = -10; x < c->w;) {
            x += (int)(random() % 8);
            int width = 10 + (int)(random() % 9);
            int height = c->h / 2 + (int)(random() % c->h) / (colour == 2 ? 2 : 3);
            building(c, x, width, height, colour, 0);
            x += colour == 2 ? width / 2 : width + 1;
        }
    }
    for (int x = -10; x < c->w;) {
        x += (int)(random() % 8);
        int width = 5 + (int)(random() % 14);
        if (width % 4) width += width % 3;
        building(c, x, width, c->h / 3 + (int)(random() % c->h) / 2, 0, 1);
        x += width + 5;
    }
}

static fr_str *ansi(const canvas *c)
{
    static const char *const shade[4] = {"0;30;40m", "0;90;100m", "0;37;47m", "0;97;107m"};
    fr_str *s = fr_str_new_empty((size_t)c->w * (size_t)c->h * 20);
    for (int y = 0; y < c->h; y++) {
        for (int x = 0; x < c->w; x++) {
            const char *e = shade[get(c, x, y) & 3];
            s = fr_str_cat(s, "\033[", 2);
            s = fr_str_cat(s, e, strlen(e));
            s = fr_str_cat(s, " \033[0m", 5);
        }
        if (y != c->h - 1) s = fr_str_cat(s, "\n", 1);
    }
    return s;
}

static long clamp(long v, long lo, long hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* argv[first..] are the version's own arguments: sizes, each optional. */
static int sizes_or_reply(fr_ctx *ctx, int first, long *out, int n)
{
    for (int i = 0; i < n && first + i < fr_argc(ctx); i++) {
        long long v;
        if (fr_arg_ll_or_reply(ctx, first + i, &v) != FR_OK) return FR_ERR;
        out[i] = (long)v;
    }
    return FR_OK;
}

static void reply_art(fr_ctx *ctx, fr_str *art, const char *caption)
{
    art = fr_str_cat(art, caption, strlen(caption));
    art = fr_str_cat(art, FR_VERSION "\n", strlen(FR_VERSION) + 1);
    fr_reply_verbatim(ctx, art->buf, art->len, "txt");
    fr_str_free(art);
}

void fr_cmd_lolwut(fr_ctx *ctx)
{
    int first = 1;
    unsigned version = 0;
    if (fr_argc(ctx) >= 3 && fr_arg_is(ctx, 1, "version")) {
        long long v;
        if (fr_arg_ll_or_reply(ctx, 2, &v) != FR_OK) return;
        version = (unsigned)v; /* Redis prints it as %u: it wraps the same */
        first = 3;
    }
    if (version == 5) {
        long size[3] = {66, 8, 12};   /* columns, squares per row, per column */
        if (sizes_or_reply(ctx, first, size, 3) != FR_OK) return;
        canvas *c = schotter(clamp(size[0], 1, 1000), clamp(size[1], 1, 200), clamp(size[2], 1, 200));
        reply_art(ctx, braille(c), "\nGeorg Nees - schotter, plotter on paper, 1968. Redis ver. ");
        canvas_free(c);
    } else if (version == 6) {
        long size[2] = {80, 20};      /* columns, rows */
        if (sizes_or_reply(ctx, first, size, 2) != FR_OK) return;
        canvas *c = canvas_new((int)clamp(size[0], 1, 1000), (int)clamp(size[1], 1, 1000), 3);
        skyline(c);
        reply_art(ctx, ansi(c), "\nDedicated to the 8 bit game developers of past and present.\n"
                                "Original 8 bit image from Plaguemon by hikikomori. Redis ver. ");
        canvas_free(c);
    } else {
        reply_art(ctx, fr_str_new_empty(32), "Redis ver. ");
    }
}
