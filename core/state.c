/* state.c -- the base layer's process-wide values: the config values every
 * layer reads (fr_cfg, written only by config.c) and the facts main records
 * about the process at start-up (fr_proc).
 *
 * Each higher layer defines its own state next to its code: fr_proto in
 * client.c, fr_keyspace in db.c, fr_runtime in runtime.c; the commands
 * layer keeps none.  Kept apart from server.c (which holds main) so that
 * the unit tests link every part of the core without a second main. */
#include "base.h"

fr_config fr_cfg;
fr_process fr_proc;
