/* cmd_command.h -- handlers of COMMAND and its subcommands.
 *
 * The core registers these for the "command" entries of core/commands.yaml;
 * arity is checked by the dispatcher from the manifest before they run. */
#ifndef FR_CMD_COMMAND_H
#define FR_CMD_COMMAND_H

#include <stddef.h>

#include "frankenredis.h"
#include "manifest.h"

void fr_cmd_command(fr_ctx *ctx);                 /* COMMAND */
void fr_cmd_command_count(fr_ctx *ctx);           /* COMMAND COUNT */
void fr_cmd_command_info(fr_ctx *ctx);            /* COMMAND INFO [name...] */
void fr_cmd_command_docs(fr_ctx *ctx);            /* COMMAND DOCS [name...] */
void fr_cmd_command_list(fr_ctx *ctx);            /* COMMAND LIST [FILTERBY ..] */
void fr_cmd_command_getkeys(fr_ctx *ctx);         /* COMMAND GETKEYS cmd ... */
void fr_cmd_command_getkeysandflags(fr_ctx *ctx); /* ... with key flags */
void fr_cmd_command_help(fr_ctx *ctx);            /* COMMAND HELP */

/* A command by full name as COMMAND INFO/DOCS accept it: "get", "object" or
 * "object|encoding", case-insensitive; NULL when unknown. */
const fr_cmd_meta *fr_cmd_lookup_fullname(const char *name, size_t len);

#endif /* FR_CMD_COMMAND_H */
