/* fuzz_manifest.c -- libFuzzer target: the manifest loader (core/manifest.c
 * over libyaml), the text a module ships and the server trusts least at
 * start-up.  Any bytes must load or be refused with a message; the loaded
 * manifest is freed again. */
#include <stddef.h>
#include <stdint.h>

#include "runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[2048];
    fr_manifest *m = fr_manifest_load_mem("fuzz.yaml", (const char *)data, size, why, sizeof(why));
    if (m) fr_manifest_free(m);
    return 0;
}
