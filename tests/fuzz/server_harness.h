/* server_harness.h -- a whole server without sockets for the fuzz targets
 * that need modules (RESTORE payloads, RDB files): see server_harness.c. */
#ifndef FR_FUZZ_SERVER_HARNESS_H
#define FR_FUZZ_SERVER_HARNESS_H
#include <stddef.h>

/* Boots the core and the default module set from $FR_FUZZ_MODULE_DIR;
 * aborts when that fails (a harness that cannot start finds nothing). */
void fuzz_server_boot(void);

/* Runs one command as the replayer (Redis's fake client): argv[i] of
 * lens[i] bytes; the reply is dropped. */
void fuzz_server_call(int argc, const char *const *argv, const size_t *lens);

/* The same for NUL-terminated words. */
void fuzz_server_callv(int argc, const char *const *words);
#endif
