/* fuzz_resp.c -- libFuzzer target: the request parser (core/resp.c), fed
 * the input in chunks whose sizes the input itself picks (so a header or
 * a bulk is split at every place), with and without the limits of an
 * unauthenticated client and of the core's hardened mode.  Whatever the
 * bytes, the parser must end in a command, a need for more input or a
 * protocol error -- never a crash, a leak or an out-of-bounds access. */
#include <stddef.h>
#include <stdint.h>

#include "runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fr_reqparser p;
    fr_reqparser_init(&p);
    fr_reqlimits lim;
    fr_reqlimits_default(&lim);
    if (size) {
        lim.auth_required = data[0] & 1;
        if (data[0] & 2) lim.hardened_max_mbulk = 64, lim.hardened_max_bulk = 4096;
    }
    size_t pos = 0;
    while (pos < size && !p.error) {
        size_t chunk = 1 + data[pos] % 64;
        if (chunk > size - pos) chunk = size - pos;
        int ready = 0;
        size_t used = fr_reqparser_feed(&p, (const char *)data + pos, chunk, &lim, &ready);
        if (ready) fr_reqparser_reset_command(&p);
        pos += used ? used : chunk;
    }
    fr_reqparser_free(&p);
    return 0;
}
