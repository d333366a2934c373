/* cmd_command.h -- what COMMAND's handlers (prototypes generated in
 * core_glue.h from core/commands.yaml) share with the commands layer. */
#ifndef FR_CMD_COMMAND_H
#define FR_CMD_COMMAND_H

#include <stddef.h>

#include "frankenredis.h"
#include "manifest.h"


/* A command by full name as COMMAND INFO/DOCS accept it: "get", "object" or
 * "object|encoding", case-insensitive; NULL when unknown. */
const fr_cmd_meta *fr_cmd_lookup_fullname(const char *name, size_t len);

#endif /* FR_CMD_COMMAND_H */
