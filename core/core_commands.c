/* core_commands.c -- binds the core's own command handlers to the commands
 * core/commands.yaml declares (the built-in module "core").
 *
 * Only names and functions live here; every other fact about a command
 * (arity, flags, key specs, docs) is in the manifest. */
#include "cmd_command.h"
#include "info.h"
#include "server.h"

void fr_cmd_ping(fr_ctx *ctx);
void fr_cmd_echo(fr_ctx *ctx);
void fr_cmd_quit(fr_ctx *ctx);
void fr_cmd_auth(fr_ctx *ctx);
void fr_cmd_hello(fr_ctx *ctx);
void fr_cmd_reset(fr_ctx *ctx);
void fr_cmd_select(fr_ctx *ctx);
void fr_cmd_swapdb(fr_ctx *ctx);
void fr_cmd_dbsize(fr_ctx *ctx);
void fr_cmd_flushdb(fr_ctx *ctx);
void fr_cmd_flushall(fr_ctx *ctx);
void fr_cmd_time(fr_ctx *ctx);
void fr_cmd_shutdown(fr_ctx *ctx);
void fr_cmd_multi(fr_ctx *ctx);
void fr_cmd_exec(fr_ctx *ctx);
void fr_cmd_discard(fr_ctx *ctx);
void fr_cmd_watch(fr_ctx *ctx);
void fr_cmd_unwatch(fr_ctx *ctx);

static const struct {
    const char *name;
    fr_command_fn fn;
} handlers[] = {
    {"ping", fr_cmd_ping},
    {"echo", fr_cmd_echo},
    {"quit", fr_cmd_quit},
    {"auth", fr_cmd_auth},
    {"hello", fr_cmd_hello},
    {"reset", fr_cmd_reset},
    {"select", fr_cmd_select},
    {"swapdb", fr_cmd_swapdb},
    {"dbsize", fr_cmd_dbsize},
    {"flushdb", fr_cmd_flushdb},
    {"flushall", fr_cmd_flushall},
    {"time", fr_cmd_time},
    {"shutdown", fr_cmd_shutdown},
    {"multi", fr_cmd_multi},
    {"exec", fr_cmd_exec},
    {"discard", fr_cmd_discard},
    {"watch", fr_cmd_watch},
    {"unwatch", fr_cmd_unwatch},
    {"info", fr_cmd_info},
    {"client|id", fr_cmd_client_id},
    {"client|setname", fr_cmd_client_setname},
    {"client|getname", fr_cmd_client_getname},
    {"client|list", fr_cmd_client_list},
    {"client|info", fr_cmd_client_info},
    {"client|kill", fr_cmd_client_kill},
    {"client|help", fr_cmd_client_help},
    {"config|get", fr_cmd_config_get},
    {"config|set", fr_cmd_config_set},
    {"config|resetstat", fr_cmd_config_resetstat},
    {"config|help", fr_cmd_config_help},
    {"command", fr_cmd_command},
    {"command|count", fr_cmd_command_count},
    {"command|info", fr_cmd_command_info},
    {"command|docs", fr_cmd_command_docs},
    {"command|list", fr_cmd_command_list},
    {"command|getkeys", fr_cmd_command_getkeys},
    {"command|getkeysandflags", fr_cmd_command_getkeysandflags},
    {"command|help", fr_cmd_command_help},
};

int fr_core_commands_register(fr_module *m)
{
    for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
        if (fr_command_register(m, handlers[i].name, handlers[i].fn) != FR_OK) return FR_ERR;
    return FR_OK;
}
