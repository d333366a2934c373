/* command_docs.h -- COMMAND INFO / COMMAND DOCS replies built from manifests.
 *
 * The reply shapes are Redis 7.0.15's, byte for byte in RESP2 and RESP3,
 * except for the order of subcommands, which Redis takes from a randomly
 * seeded hash table and we take from the manifest.  Output goes through the
 * SDK reply functions only. */
#ifndef FR_COMMAND_DOCS_H
#define FR_COMMAND_DOCS_H

#include <stdint.h>

#include "frankenredis.h"
#include "manifest.h"

/* The 10-element COMMAND INFO entry; a null reply for a NULL command. */
void fr_command_reply_info(fr_ctx *ctx, const fr_cmd_meta *cmd);
/* The value half of a COMMAND DOCS entry (the caller sends the name). */
void fr_command_reply_docs(fr_ctx *ctx, const fr_cmd_meta *cmd);
/* A set of key spec flags as status strings, as GETKEYSANDFLAGS shows them. */
void fr_command_reply_key_flags(fr_ctx *ctx, uint64_t flags);

#endif /* FR_COMMAND_DOCS_H */
