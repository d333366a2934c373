/* module.c -- the module registry: finding, checking, initialising and
 * rolling back modules.
 *
 * Loading one module is a fixed sequence, each step refusing loudly with the
 * module's name and the file (and line, for manifests) at fault:
 *   1. the manifest <dir>/<name>/<name>.yaml parses and validates;
 *   2. its name and ABI match what we expect;
 *   3. the shared object <dir>/<name>/<name>.so exists, exports a
 *      descriptor whose magic and SDK version suit us -- read from the file
 *      (elf_peek.c), since dlopen already runs the object's constructors --
 *      and dlopens;
 *   4. its descriptor's magic, ABI version and build signature match ours,
 *      and the manifest digest it was built with equals the digest of the
 *      manifest on disk -- before any of its code runs (nginx, Varnish);
 *   5. its commands enter the command table (no name claimed twice) and its
 *      config directives, with <name>.mode (its mode), the directive table;
 *   6. init runs; afterwards every declared command must have a handler.
 * A failure after step 5 rolls back everything the module registered
 * (commands, hooks, types, directives) before the server refuses to start.
 *
 * The core's own commands form a built-in module named "core" whose manifest
 * is compiled into the binary (core/commands.yaml). */
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config.h"
#include "runtime.h"
#include "sha256.h"

#ifndef FR_MODULE_DIR
#define FR_MODULE_DIR "/usr/local/lib/frankenredis/modules"
#endif
#ifndef FR_DEFAULT_MODULES
#define FR_DEFAULT_MODULES "keys strings ttl rdb aof scripting functions pubsub hash set list zset evict bitmap hll replication sort stream"
#endif

struct fr_module {
    char *name;
    fr_manifest *mf;
    void *dl;                          /* NULL for the built-in core */
    const fr_module_descriptor *desc;
    int hardened;                      /* a loaded module's mode: 1 hardened */
    int *mode;                         /* &hardened, or the core's fr_cfg.core_hardened, which
                                        * its protocol caps read; <name>.mode sets it */
    int bad_registration;              /* init registered something undeclared */
    long long divergences;
    fr_conf_handle **confs;            /* the manifest's directives, in order */
    struct fr_module *next;
};

static fr_module *modules;             /* load order */

/* The built-in module "core", handed in by main (fr_modules_set_builtin):
 * its manifest and handlers are the commands layer's, above this one. */
static struct {
    const char *manifest;
    size_t len;
    fr_module_register_fn reg;
} builtin;

void fr_modules_set_builtin(const char *manifest, size_t len, fr_module_register_fn reg)
{
    builtin.manifest = manifest;
    builtin.len = len;
    builtin.reg = reg;
}

/* ------------------------------------------------------------ accessors */

/* Generated config accessors call this with the directive's position in the
 * manifest, so a module cannot name a directive it did not declare. */
long long fr_config_ll_at(const fr_module *m, int index)
{
    if (!m || index < 0 || index >= m->mf->nconfig || !m->confs || !m->confs[index])
        fr_panic("module '%s' read config directive #%d, which its manifest does not declare", fr_module_name(m),
                 index);
    return fr_config_handle_ll(m->confs[index]);
}

static fr_conf_handle *conf_at(const fr_module *m, int index)
{
    if (!m || index < 0 || index >= m->mf->nconfig || !m->confs || !m->confs[index])
        fr_panic("module '%s' named config directive #%d, which its manifest does not declare", fr_module_name(m),
                 index);
    return m->confs[index];
}

const char *fr_config_str_at(const fr_module *m, int index)
{
    return fr_config_handle_str(conf_at(m, index));
}

/* Only a directive the manifest marks `check: true` takes a check. */
int fr_config_check_at(fr_module *m, int index, fr_conf_check_fn fn)
{
    if (!conf_at(m, index) || !m->mf->config[index].check) {
        fr_log(FR_LOG_WARNING, "module '%s': config directive '%s' has no `check: true` in its manifest", m->name,
               m->mf->config[index].name);
        return FR_ERR;
    }
    fr_config_handle_set_check(m->confs[index], fn);
    return FR_OK;
}

const fr_manifest *fr_module_manifest(const fr_module *m)
{
    return m->mf;
}

const char *fr_module_name(const fr_module *m)
{
    return m ? m->name : "core";
}

int fr_module_sdk_minor(const fr_module *m)
{
    return m && m->desc ? m->desc->sdk_minor : FR_SDK_MINOR;
}

/* Read on every use, never cached: CONFIG SET <name>.mode takes effect for
 * the next command. */
int fr_module_hardened(const fr_module *m)
{
    return m && *m->mode;
}

int fr_module_is_hardened(const fr_module *m)
{
    return fr_module_hardened(m);
}

void fr_module_set_hardened(fr_module *m, int on)
{
    *m->mode = on != 0;
}

long long fr_module_divergences(const fr_module *m)
{
    return m->divergences;
}

void fr_module_count_divergence(fr_module *m)
{
    m->divergences++;
}

int fr_module_declares_hook(const fr_module *m, fr_hook_id id)
{
    return (m->mf->hooks_mask >> id) & 1u;
}

fr_module *fr_module_find(const char *name)
{
    for (fr_module *m = modules; m; m = m->next)
        if (!strcmp(m->name, name)) return m;
    return NULL;
}

int fr_module_is_builtin(const fr_module *m)
{
    return m && !m->dl;
}

/* --------------------------------------------------------- registration */

/* A container runs its own handler when called without a subcommand
 * (COMMAND); one whose arity demands a subcommand (CLIENT) needs none. */
static int container_runs_alone(const fr_cmd_meta *c)
{
    return c->arity == 1 || c->arity == -1;
}

static int all_handlers_set(fr_module *m, fr_cmd_meta *cmds, int n, char *err, size_t errlen)
{
    for (int i = 0; i < n; i++) {
        fr_cmd_meta *c = &cmds[i];
        if (c->nsubcmds && all_handlers_set(m, c->subcmds, c->nsubcmds, err, errlen)) return -1;
        if (!c->handler && (!c->nsubcmds || container_runs_alone(c))) {
            snprintf(err, errlen, "module '%s': command '%s' declared at %s:%d has no handler", m->name,
                     c->fullname, m->mf->path, c->line);
            return -1;
        }
    }
    return 0;
}

int fr_command_register(fr_module *m, const char *name, fr_command_fn fn)
{
    fr_cmd_meta *c = fr_manifest_find_cmd(m->mf, name);
    if (!c || !fn || (c->nsubcmds && !container_runs_alone(c))) {
        fr_log(FR_LOG_WARNING, "module '%s' registers a handler for '%s', which %s does not declare%s", m->name,
               name, m->mf->path, c ? " callable without a subcommand" : "");
        m->bad_registration = 1;
        return FR_ERR;
    }
    if (c->handler) {
        fr_log(FR_LOG_WARNING, "module '%s' registers a second handler for '%s'", m->name, name);
        m->bad_registration = 1;
        return FR_ERR;
    }
    c->handler = (void *)fn;
    return FR_OK;
}

FR_API int fr_command_set_flags_fn(fr_module *m, const char *name, fr_command_flags_fn fn)
{
    fr_cmd_meta *c = fr_manifest_find_cmd(m->mf, name);
    if (!c) return FR_ERR;
    c->flags_fn = (void *)fn;
    return FR_OK;
}

/* --------------------------------------------------------------- checks */

/* A module built for SDK mod_major.mod_minor can run on a core with SDK
 * major.minor: same major (nothing was changed or removed), and no newer
 * minor (the module may call what this core does not have). */
int fr_sdk_compatible(unsigned mod_major, unsigned mod_minor, unsigned major, unsigned minor)
{
    return mod_major == major && mod_minor <= minor;
}

/* The fields every SDK version keeps in place: checked from the file
 * before dlopen, and again on the loaded descriptor. */
static int check_head(const char *name, const char *so, uint32_t magic, unsigned major, unsigned minor,
                      char *err, size_t errlen)
{
    if (magic != FR_MODULE_MAGIC) {
        snprintf(err, errlen, "module '%s': %s is not a FrankenRedis module (bad magic)", name, so);
        return -1;
    }
    if (!fr_sdk_compatible(major, minor, FR_SDK_MAJOR, FR_SDK_MINOR)) {
        snprintf(err, errlen, "module '%s': %s was built for SDK %u.%u, this server has SDK %d.%d (%s): rebuild it",
                 name, so, major, minor, FR_SDK_MAJOR, FR_SDK_MINOR,
                 major != FR_SDK_MAJOR ? "another major version" : "a newer minor version");
        return -1;
    }
    return 0;
}

/* Before any code of the object runs. */
static int check_file(const char *name, const char *so, char *err, size_t errlen)
{
    fr_descriptor_head h;
    char why[256];
    if (fr_elf_peek_descriptor(so, &h, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "module '%s': %s %s", name, so, why);
        return -1;
    }
    return check_head(name, so, h.magic, h.sdk_major, h.sdk_minor, err, errlen);
}

static int check_descriptor(fr_module *m, const char *so, char *err, size_t errlen)
{
    const fr_module_descriptor *d = m->desc;
    if (check_head(m->name, so, d->magic, d->sdk_major, d->sdk_minor, err, errlen)) return -1;
    if (!d->build_signature || strcmp(d->build_signature, FR_BUILD_SIGNATURE)) {
        snprintf(err, errlen, "module '%s': %s is not binary compatible (built as '%s', server is '%s')", m->name,
                 so, d->build_signature ? d->build_signature : "?", FR_BUILD_SIGNATURE);
        return -1;
    }
    if (!d->name || strcmp(d->name, m->name)) {
        snprintf(err, errlen, "module '%s': %s calls itself '%s'", m->name, so, d->name ? d->name : "?");
        return -1;
    }
    if (!d->init) {
        snprintf(err, errlen, "module '%s': %s has no init function", m->name, so);
        return -1;
    }
    char hex[65];
    if (fr_sha256_file_hex(m->mf->path, hex) != 0) {
        snprintf(err, errlen, "module '%s': cannot read %s: %s", m->name, m->mf->path, strerror(errno));
        return -1;
    }
    if (!d->manifest_digest || strcmp(d->manifest_digest, hex)) {
        snprintf(err, errlen,
                 "module '%s': %s was built from another manifest than %s (digest %.12s... vs %.12s...): "
                 "rebuild the module or restore its manifest",
                 m->name, so, m->mf->path, d->manifest_digest ? d->manifest_digest : "none", hex);
        return -1;
    }
    return 0;
}

static void rollback(fr_module *m)
{
    fr_cmdtable_remove_owner(m);
    fr_hooks_remove_module(m);
    fr_info_remove_module(m);
    fr_types_remove_module(m);
    fr_debug_remove_module(m);
    fr_memory_guard_remove_module(m);
    fr_shutdown_wait_remove_module(m);
    fr_snapshot_remove_module(m);
    fr_replication_gate_remove_module(m);
    fr_expire_policy_remove_module(m);
    fr_config_remove_module(m->name);
    fr_free(m->confs);
    if (m->dl) dlclose(m->dl);
    fr_manifest_free(m->mf);
    fr_free(m->name);
    fr_free(m);
}

/* <name>.mode first, then the manifest's own directives. */
static int register_directives(fr_module *m, char *err, size_t errlen)
{
    char why[256];
    if (!fr_config_add_mode_directive(m->name, m->mode, m->mf->default_hardened, why, sizeof(why))) {
        snprintf(err, errlen, "module '%s': %s", m->name, why);
        return -1;
    }
    m->confs = fr_calloc(sizeof(*m->confs) * (size_t)(m->mf->nconfig + 1));
    for (int i = 0; i < m->mf->nconfig; i++) {
        m->confs[i] = fr_config_add_module_directive(m->name, &m->mf->config[i], why, sizeof(why));
        if (!m->confs[i]) {
            snprintf(err, errlen, "%s:%d: %s", m->mf->path, m->mf->config[i].line, why);
            return -1;
        }
    }
    return 0;
}

static int provides(const fr_manifest *mf, const char *what)
{
    for (int i = 0; i < mf->nprovides; i++)
        if (!strcmp(mf->provides[i], what)) return 1;
    return 0;
}

/* Steps 5 and 6 for any module, built-in or not. */
static int activate(fr_module *m, int (*init)(fr_module *), char *err, size_t errlen)
{
    if (fr_cmdtable_add_manifest(m->mf, m, err, errlen)) return -1;
    if (register_directives(m, err, errlen)) return -1;
    if (init(m) != FR_OK) {
        snprintf(err, errlen, "module '%s': init failed (see the log above); everything it registered was rolled back",
                 m->name);
        return -1;
    }
    if (m->bad_registration) {
        snprintf(err, errlen, "module '%s': init registered a command its manifest %s does not declare", m->name,
                 m->mf->path);
        return -1;
    }
    if (all_handlers_set(m, m->mf->cmds, m->mf->ncmds, err, errlen)) return -1;
    if (provides(m->mf, "expire")) {
        fr_keyspace.expire_available = 1;
        fr_runtime.expire_provider = m;
    }
    return 0;
}

static void append(fr_module *m)
{
    fr_module **pp = &modules;
    while (*pp) pp = &(*pp)->next;
    *pp = m;
}

/* ------------------------------------------------------------- loading */

static void module_dir(char *out, size_t len)
{
    if (fr_cfg.module_dir && fr_cfg.module_dir[0]) {
        snprintf(out, len, "%s", fr_cfg.module_dir);
        return;
    }
    /* next to the executable (build tree), else the install location */
    char exe[4096];
    snprintf(exe, sizeof(exe), "%s", fr_proc.exec_path ? fr_proc.exec_path : ".");
    snprintf(out, len, "%s/modules", dirname(exe));
    struct stat st;
    if (stat(out, &st) != 0 || !S_ISDIR(st.st_mode)) snprintf(out, len, "%s", FR_MODULE_DIR);
}

static int load_one(const fr_module_conf *mc, char *err, size_t errlen)
{
    char dir[4096], yaml[4352], so[4352], why[2048];
    module_dir(dir, sizeof(dir));
    snprintf(yaml, sizeof(yaml), "%s/%s/%s.yaml", dir, mc->name, mc->name);
    snprintf(so, sizeof(so), "%s/%s/%s.so", dir, mc->name, mc->name);
    const char *where = mc->file ? mc->file : "(default module set)";
    struct stat st;
    if (stat(yaml, &st) != 0) {
        snprintf(err, errlen, "%s:%d: module '%s': manifest %s not found (module-dir is %s)", where, mc->line,
                 mc->name, yaml, dir);
        return -1;
    }
    fr_manifest *mf = fr_manifest_load(yaml, why, sizeof(why));
    if (!mf) {
        snprintf(err, errlen, "module '%s': %s", mc->name, why);
        return -1;
    }
    if (strcmp(mf->name, mc->name)) {
        snprintf(err, errlen, "module '%s': manifest %s declares name '%s'", mc->name, yaml, mf->name);
        fr_manifest_free(mf);
        return -1;
    }
    fr_module *m = fr_calloc(sizeof(*m));
    m->name = fr_strdup(mc->name);
    m->mf = mf;
    m->mode = &m->hardened;
    m->hardened = mc->mode >= 0 ? mc->mode : mf->default_hardened;
    if (stat(so, &st) != 0) {
        snprintf(err, errlen, "module '%s': shared object %s not found (was the module built?)", mc->name, so);
        rollback(m);
        return -1;
    }
    if (check_file(mc->name, so, err, errlen)) {
        rollback(m);
        return -1;
    }
    m->dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
    if (!m->dl) {
        snprintf(err, errlen, "module '%s': cannot load %s: %s", mc->name, so, dlerror());
        rollback(m);
        return -1;
    }
    m->desc = dlsym(m->dl, FR_MODULE_SYMBOL);
    if (!m->desc) {
        snprintf(err, errlen, "module '%s': %s exports no %s (not a FrankenRedis module)", mc->name, so,
                 FR_MODULE_SYMBOL);
        rollback(m);
        return -1;
    }
    if (check_descriptor(m, so, err, errlen) || activate(m, m->desc->init, err, errlen)) {
        rollback(m);
        return -1;
    }
    append(m);
    fr_log(FR_LOG_NOTICE, "Module '%s' loaded from %s (%s mode)", m->name, so, m->hardened ? "hardened" : "strict");
    return 0;
}

static int load_core(char *err, size_t errlen)
{
    char why[2048];
    if (!builtin.manifest) {
        snprintf(err, errlen, "built-in core manifest: not set (fr_modules_set_builtin)");
        return -1;
    }
    fr_manifest *mf = fr_manifest_load_mem("core/commands.yaml", builtin.manifest, builtin.len, why, sizeof(why));
    if (!mf) {
        snprintf(err, errlen, "built-in core manifest: %s", why);
        return -1;
    }
    fr_module *m = fr_calloc(sizeof(*m));
    m->name = fr_strdup("core");
    m->mf = mf;
    m->mode = &fr_cfg.core_hardened; /* `module core hardened`: the protocol caps */
    if (activate(m, builtin.reg, err, errlen)) {
        rollback(m);
        return -1;
    }
    append(m);
    return 0;
}

/* The configured set, or the default one when the config names none. */
static fr_module_conf *module_set(int *n)
{
    if (fr_module_nconfs) {
        *n = fr_module_nconfs;
        return fr_module_confs;
    }
    static fr_module_conf defaults[32];
    static char names[] = FR_DEFAULT_MODULES;
    int k = 0;
    for (char *tok = strtok(names, " ,"); tok && k < 32; tok = strtok(NULL, " ,")) {
        defaults[k].name = tok;
        defaults[k].mode = -1;
        k++;
    }
    *n = k;
    return defaults;
}

/* Dependencies must be loaded first: load in rounds, each taking every
 * module whose dependencies are already in; a round that takes none means
 * a missing or circular dependency. */
static int dependency_ready(const char *yaml_dir, const fr_module_conf *mc, int *ready, char *err, size_t errlen)
{
    char yaml[4352], why[2048];
    snprintf(yaml, sizeof(yaml), "%s/%s/%s.yaml", yaml_dir, mc->name, mc->name);
    fr_manifest *mf = fr_manifest_load(yaml, why, sizeof(why));
    *ready = 1;
    if (!mf) return 0; /* load_one reports it properly */
    for (int i = 0; i < mf->ndepends; i++)
        if (!fr_module_find(mf->depends[i])) *ready = 0;
    (void)err;
    (void)errlen;
    fr_manifest_free(mf);
    return 0;
}

static int missing_dependency(const char *dir, fr_module_conf *set, int n, const int *done, char *err,
                              size_t errlen)
{
    for (int i = 0; i < n; i++) {
        if (done[i]) continue;
        char yaml[4352], why[2048];
        snprintf(yaml, sizeof(yaml), "%s/%s/%s.yaml", dir, set[i].name, set[i].name);
        fr_manifest *mf = fr_manifest_load(yaml, why, sizeof(why));
        for (int d = 0; mf && d < mf->ndepends; d++) {
            if (fr_module_find(mf->depends[d])) continue;
            int listed = 0;
            for (int j = 0; j < n; j++) listed |= !strcmp(set[j].name, mf->depends[d]);
            snprintf(err, errlen, "module '%s' depends on module '%s', which %s", set[i].name, mf->depends[d],
                     listed ? "depends on it in turn (circular dependency)" : "is not in the module set");
            fr_manifest_free(mf);
            return -1;
        }
        fr_manifest_free(mf);
    }
    snprintf(err, errlen, "modules could not be ordered by their dependencies");
    return -1;
}

int fr_modules_load_all(char *err, size_t errlen)
{
    if (load_core(err, errlen)) return -1;
    int n;
    fr_module_conf *set = module_set(&n);
    char dir[4096];
    module_dir(dir, sizeof(dir));
    int *done = fr_calloc(sizeof(int) * (size_t)(n ? n : 1));
    int left = n, rc = 0;
    while (left > 0 && rc == 0) {
        int progress = 0;
        for (int i = 0; i < n && rc == 0; i++) {
            if (done[i]) continue;
            int ready;
            dependency_ready(dir, &set[i], &ready, err, errlen);
            if (!ready) continue;
            rc = load_one(&set[i], err, errlen);
            done[i] = 1;
            left--;
            progress = 1;
        }
        if (!progress && rc == 0) rc = missing_dependency(dir, set, n, done, err, errlen);
    }
    fr_free(done);
    return rc;
}

void fr_modules_unload_all(void)
{
    while (modules) {
        fr_module *m = modules;
        modules = m->next;
        if (m->desc && m->desc->deinit) m->desc->deinit(m);
        rollback(m);
    }
}

/* INFO modules: one line per loaded module. */
void fr_modules_info(fr_str **out)
{
    for (fr_module *m = modules; m; m = m->next) {
        if (!m->dl) continue;
        char line[512];
        int n = snprintf(line, sizeof(line), "module:name=%s,ver=%s,api=%u,mode=%s,divergences=%lld\r\n", m->name,
                         m->mf->version ? m->mf->version : "0", m->desc->sdk_major, *m->mode ? "hardened" : "strict",
                         m->divergences);
        *out = fr_str_cat(*out, line, (size_t)n);
    }
}
