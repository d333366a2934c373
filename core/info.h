/* info.h -- handlers of INFO, CLIENT and CONFIG, and the helpers they share.
 *
 * The core registers the handlers for the matching entries of
 * core/commands.yaml; the dispatcher has already checked arity and resolved
 * the subcommand before they run.  Replies, field lists and error texts are
 * Redis 7.0.15's (docs/spec/server-commands.md).  Commands layer: includes
 * runtime.h and lower. */
#ifndef FR_INFO_H
#define FR_INFO_H

#include <stddef.h>

#include "runtime.h"

/* core/info.c */
void fr_cmd_info(fr_ctx *ctx);              /* INFO [section ...] */
/* Call from the cron (Redis does it every cron tick): keeps the peak of
 * used_memory that INFO memory reports. */
void fr_info_cron(void);
/* Call once, right before the server accepts clients: the memory in use
 * then is INFO's used_memory_startup. */
void fr_info_mark_startup(void);
void fr_info_sample_stats(long long now_ms);   /* cron, every 100 ms */
void fr_info_reset_samples(long long now_ms);  /* start-up, RESETSTAT */

/* core/cmd_client.c */
void fr_cmd_client_id(fr_ctx *ctx);         /* CLIENT ID */
void fr_cmd_client_setname(fr_ctx *ctx);    /* CLIENT SETNAME name */
void fr_cmd_client_getname(fr_ctx *ctx);    /* CLIENT GETNAME */
void fr_cmd_client_list(fr_ctx *ctx);       /* CLIENT LIST [TYPE t | ID id...] */
void fr_cmd_client_info(fr_ctx *ctx);       /* CLIENT INFO */
void fr_cmd_client_kill(fr_ctx *ctx);       /* CLIENT KILL addr | filters */
void fr_cmd_client_help(fr_ctx *ctx);       /* CLIENT HELP */
/* One CLIENT LIST line for c, without the trailing "\n"; caller frees. */
fr_str *fr_client_info_line(fr_client *c);
/* Bytes a client holds (CLIENT LIST tot-mem); *omem, when not NULL,
 * receives the reply-block part (CLIENT LIST omem). */
size_t fr_client_memory(const fr_client *c, size_t *omem);
/* Redis's addReplyHelp: "<CMD> <subcommand> [<arg> [value] [opt] ...].
 * Subcommands are:" (the command name as typed, upper-cased), the
 * NULL-terminated lines, then HELP and its description, all as statuses. */

/* core/cmd_config.c */
void fr_cmd_config_get(fr_ctx *ctx);        /* CONFIG GET pattern... */
void fr_cmd_config_set(fr_ctx *ctx);        /* CONFIG SET name value... */
void fr_cmd_config_resetstat(fr_ctx *ctx);  /* CONFIG RESETSTAT */
void fr_cmd_config_help(fr_ctx *ctx);       /* CONFIG HELP */

#endif /* FR_INFO_H */
