/* fuzz_rdb.c -- libFuzzer target: whole RDB files, loaded through the
 * snapshot provider (the rdb module, as a restart or a replica's full sync
 * loads them) with every type module instrumented.  A file must load or be
 * refused with a message; what loads must survive DEBUG DIGEST, which
 * walks every key and element. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "runtime.h"
#include "server_harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_server_boot();
    if (!fr_snapshot_provider()) abort(); /* the rdb module registers it */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[1024];
    if (fr_snapshot_provider()->load_mem(data, size, why, sizeof(why)) >= 0)
        fuzz_server_callv(2, (const char *const[]){"DEBUG", "DIGEST"});
    fuzz_server_callv(2, (const char *const[]){"FLUSHALL", "SYNC"});
    return 0;
}
