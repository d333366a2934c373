/* commands.h -- layer 5 of the core, "commands": the built-in module
 * "core" (its registration table core_glue.c and its compiled-in manifest
 * core_manifest.c, both generated from core/commands.yaml) and
 * its handlers (cmd_*.c, info.c: connection, server, CLIENT, CONFIG,
 * COMMAND, INFO), and main (server.c), which builds the process from the
 * layers below: config, runtime upcalls, modules, DBs, loop, listeners.
 *
 * Owns no shared state: what INFO reports it reads from the layer that
 * owns it.  Includes runtime.h and lower; nothing includes this one. */
#ifndef FR_COMMANDS_H
#define FR_COMMANDS_H

#include "runtime.h"
#include "cmd_command.h"
#include "core_glue.h"   /* generated: handler prototypes, fr_core_commands_register */
#include "info.h"

/* ---- core_manifest.c (generated): the built-in module's manifest ---- */
extern const char fr_core_manifest_text[];
extern const size_t fr_core_manifest_len;

/* cmd_slowlog.c: the [count] argument of SLOWLOG GET and HARDENED LOG. */
long long fr_cmd_log_count(fr_ctx *ctx, long long len);

#endif /* FR_COMMANDS_H */
