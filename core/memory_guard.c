/* memory_guard.c -- the maxmemory step of command dispatch: the one guard a
 * module (eviction) registers, the refusal Redis's processCommand makes
 * when memory stays over the limit, and the memory that limit counts
 * (used memory less the replicas' buffers).
 *
 * Invariants: at most one guard, owned by one module and dropped when that
 * module unloads; without a guard no command is ever refused for memory
 * (the core then refuses a non-zero maxmemory, see config_vocab.c). */
#include <string.h>

#include "runtime.h"

static fr_memory_guard_fn guard;
static fr_module *guard_owner;

/* Redis leaves the replication buffers beyond its backlog out of what
 * maxmemory counts: otherwise a replica that reads slowly (or is being
 * sent its snapshot) grows the master's memory and the master evicts its
 * own dataset, which the DELs then grow further.  Our backlog is a ring of
 * its own, so what is left out is all the replicas hold apart from it. */
size_t fr_memory_not_counted(void)
{
    long long held = fr_repl_replica_held_memory();
    return fr_proto.replica_reply_mem + (held > 0 ? (size_t)held : 0);
}

FR_API size_t fr_memory_used(void)
{
    size_t used = fr_used_memory(), out = fr_memory_not_counted();
    return used > out ? used - out : 0;
}

FR_API int fr_memory_guard_register(fr_module *m, fr_memory_guard_fn fn)
{
    if (guard_owner && guard_owner != m) return FR_ERR;
    guard = fn;
    guard_owner = fn ? m : NULL;
    return FR_OK;
}

void fr_memory_guard_remove_module(fr_module *m)
{
    if (guard_owner == m) guard = NULL, guard_owner = NULL;
}

/* Queuing in MULTI may grow without bound, so under the limit everything is
 * refused there but what ends the transaction or the connection. */
static int refused_when_out(const fr_client *c, const fr_cmd_meta *cmd)
{
    int exec = !strcmp(cmd->fullname, "exec");
    if (cmd->flags & FR_CMD_DENYOOM) return 1; /* EXEC's: its queue's too */
    return c->multi && !exec && strcmp(cmd->fullname, "discard") && strcmp(cmd->fullname, "quit") &&
           strcmp(cmd->fullname, "reset");
}

/* The guard runs before every command, as Redis evicts before every one;
 * NULL to go on, else the error to reject the command with. */
const char *fr_memory_guard_refusal(const fr_client *c, const fr_cmd_meta *cmd)
{
    fr_runtime.oom_before_command = 0;
    if (!guard) return NULL;
    int out_of_memory = guard();
    fr_runtime.oom_before_command = out_of_memory;
    if (out_of_memory && refused_when_out(c, cmd)) return "-OOM command not allowed when used memory > 'maxmemory'.";
    return NULL;
}
