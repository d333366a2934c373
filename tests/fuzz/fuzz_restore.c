/* fuzz_restore.c -- libFuzzer target: RESTORE payloads (DUMP's format) of
 * every value type the default modules load, with the modules themselves
 * instrumented.  A payload must be refused with an error or become a value
 * every reader survives: DUMP writes it again, DEBUG DIGEST-VALUE walks
 * each element, OBJECT ENCODING and TYPE ask the type. */
#include <stddef.h>
#include <stdint.h>

#include "server_harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_server_boot();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *restore[] = {"RESTORE", "fz", "0", (const char *)data, "REPLACE"};
    const size_t lens[] = {7, 2, 1, size, 7};
    fuzz_server_call(5, restore, lens);
    fuzz_server_callv(2, (const char *const[]){"DUMP", "fz"});
    fuzz_server_callv(3, (const char *const[]){"DEBUG", "DIGEST-VALUE", "fz"});
    fuzz_server_callv(3, (const char *const[]){"OBJECT", "ENCODING", "fz"});
    fuzz_server_callv(2, (const char *const[]){"TYPE", "fz"});
    fuzz_server_callv(2, (const char *const[]){"FLUSHALL", "SYNC"});
    return 0;
}
