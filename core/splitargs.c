/* splitargs.c -- split a line into arguments the way Redis's sdssplitargs
 * does (inline protocol, config files).
 *
 * Invariants: the scanner never reads past `len` (bytes beyond it, and the
 * first NUL, read as end of line); on failure everything allocated so far is
 * released and NULL returned, so callers own either a whole vector or
 * nothing.  Blank skipping between tokens uses isspace() (so \v and \f are
 * skipped there) while an unquoted token ends only at space, \t, \r, \n or
 * the end: those asymmetries are Redis's and are kept on purpose. */
#include <ctype.h>
#include <string.h>

#include "splitargs.h"

typedef struct scanner {
    const char *s;
    size_t len, pos;
} scanner;

static int peek(const scanner *sc, size_t ahead)
{
    size_t i = sc->pos + ahead;
    return i < sc->len ? (unsigned char)sc->s[i] : 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static fr_str *put(fr_str *tok, int c)
{
    char b = (char)c;
    return fr_str_cat(tok, &b, 1);
}

static int escape_char(int c)
{
    switch (c) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'b': return '\b';
    case 'a': return '\a';
    default: return c;
    }
}

/* Inside "...": the scanner is on the byte after the opening quote; on
 * success it ends on the closing quote.  Returns 0 on a syntax error. */
static int scan_dquoted(scanner *sc, fr_str **tok)
{
    for (;; sc->pos++) {
        int c = peek(sc, 0);
        if (c == '\\' && peek(sc, 1) == 'x' && hexval(peek(sc, 2)) >= 0 &&
            hexval(peek(sc, 3)) >= 0) {
            *tok = put(*tok, hexval(peek(sc, 2)) * 16 + hexval(peek(sc, 3)));
            sc->pos += 3;
        } else if (c == '\\' && peek(sc, 1)) {
            sc->pos++;
            *tok = put(*tok, escape_char(peek(sc, 0)));
        } else if (c == '"') {
            return peek(sc, 1) == 0 || isspace(peek(sc, 1));
        } else if (c == 0) {
            return 0;
        } else {
            *tok = put(*tok, c);
        }
    }
}

/* Inside '...': same contract as scan_dquoted. */
static int scan_squoted(scanner *sc, fr_str **tok)
{
    for (;; sc->pos++) {
        int c = peek(sc, 0);
        if (c == '\\' && peek(sc, 1) == '\'') {
            sc->pos++;
            *tok = put(*tok, '\'');
        } else if (c == '\'') {
            return peek(sc, 1) == 0 || isspace(peek(sc, 1));
        } else if (c == 0) {
            return 0;
        } else {
            *tok = put(*tok, c);
        }
    }
}

/* One token starting at a non-blank byte.  A quoted part may follow
 * unquoted bytes and always ends the token: ab"cd" gives abcd, while "ab"cd
 * is an error.  Returns NULL on unbalanced quotes. */
static fr_str *scan_token(scanner *sc)
{
    fr_str *tok = fr_str_new_empty(16);
    for (;;) {
        int c = peek(sc, 0), ok = 1;
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0) break;
        if (c == '"' || c == '\'') {
            sc->pos++;
            ok = c == '"' ? scan_dquoted(sc, &tok) : scan_squoted(sc, &tok);
            if (!ok) {
                fr_str_free(tok);
                return NULL;
            }
            sc->pos++; /* past the closing quote */
            break;
        }
        tok = put(tok, c);
        sc->pos++;
    }
    return tok;
}

fr_str **fr_splitargs(const char *line, size_t len, int *argc)
{
    scanner sc = {line, len, 0};
    int n = 0, cap = 4;
    fr_str **v = fr_malloc(sizeof(*v) * (size_t)cap);

    *argc = 0;
    for (;;) {
        while (peek(&sc, 0) && isspace(peek(&sc, 0))) sc.pos++;
        if (peek(&sc, 0) == 0) break;
        fr_str *tok = scan_token(&sc);
        if (!tok) {
            fr_splitargs_free(v, n);
            return NULL;
        }
        if (n == cap) {
            cap *= 2;
            v = fr_realloc(v, sizeof(*v) * (size_t)cap);
        }
        v[n++] = tok;
    }
    *argc = n;
    return v;
}

void fr_splitargs_free(fr_str **argv, int argc)
{
    if (!argv) return;
    for (int i = 0; i < argc; i++) fr_str_free(argv[i]);
    fr_free(argv);
}
