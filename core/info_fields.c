/* info_fields.c -- the INFO fields modules print: the groups they register
 * and the output object INFO sections are written through.
 *
 * A module's manifest declares each group (`info:` section, anchor field,
 * field names); the generated glue registers one callback per group and
 * fr_info_register refuses a group the manifest does not declare.
 * Invariants: within one section a group is written at most once, right
 * after its anchor field, or at the section's end when the anchor was not
 * written (its module is not loaded, or the field is conditional); groups
 * leave with the module that registered them. */
#include <stdarg.h>
#include <string.h>

#include "runtime.h"

typedef struct info_group {
    fr_module *owner;
    char *section;
    char *after;    /* NULL: at the section's end */
    fr_info_fn fn;
    void *priv;
} info_group;

static info_group *groups;
static int ngroups;

static int same(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static int declared(const fr_manifest *mf, const char *section, const char *after)
{
    for (int i = 0; i < mf->ninfo; i++)
        if (!strcmp(mf->info[i].section, section) && same(mf->info[i].after, after)) return 1;
    return 0;
}

int fr_info_register(fr_module *m, const char *section, const char *after, fr_info_fn fn, void *priv)
{
    if (!m || !section || !fn || !declared(fr_module_manifest(m), section, after)) {
        fr_log(FR_LOG_WARNING, "module '%s': INFO group in section '%s' after '%s' is not in its manifest",
               fr_module_name(m), section ? section : "(null)", after ? after : "(end)");
        return FR_ERR;
    }
    groups = fr_realloc(groups, sizeof(*groups) * (size_t)(ngroups + 1));
    info_group *g = &groups[ngroups++];
    g->owner = m;
    g->section = fr_strdup(section);
    g->after = after ? fr_strdup(after) : NULL;
    g->fn = fn;
    g->priv = priv;
    return FR_OK;
}

void fr_info_remove_module(fr_module *m)
{
    int j = 0;
    for (int i = 0; i < ngroups; i++) {
        if (groups[i].owner != m) {
            groups[j++] = groups[i];
            continue;
        }
        fr_free(groups[i].section);
        fr_free(groups[i].after);
    }
    ngroups = j;
}

/* Writes the groups of the current section anchored at `field` (NULL: all
 * not yet written).  A group may itself be an anchor for another. */
static void emit_after(fr_info_out *o, const char *field)
{
    for (int i = 0; i < ngroups && i < o->ngroups; i++) {
        info_group *g = &groups[i];
        if (o->done[i] || strcmp(g->section, o->section)) continue;
        if (field && !same(g->after, field)) continue;
        o->done[i] = 1;
        g->fn(o, g->priv);
    }
}

void fr_info_out_begin(fr_info_out *o, fr_str *s, const char *section)
{
    o->s = s;
    o->section = section;
    o->ngroups = ngroups;
    o->done = ngroups ? fr_calloc((size_t)ngroups) : NULL;
}

fr_str *fr_info_out_end(fr_info_out *o)
{
    emit_after(o, NULL);
    fr_free(o->done);
    o->done = NULL;
    return o->s;
}

void fr_info_catf(fr_info_out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    o->s = fr_str_catvprintf(o->s, fmt, ap);
    va_end(ap);
}

void fr_info_add_ll(fr_info_out *o, const char *field, long long v)
{
    fr_info_catf(o, "%s:%lld\r\n", field, v);
    emit_after(o, field);
}

void fr_info_add_text(fr_info_out *o, const char *field, const char *text)
{
    fr_info_catf(o, "%s:%s\r\n", field, text ? text : "");
    emit_after(o, field);
}
