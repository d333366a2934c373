/* functions_dump.h -- the FUNCTION DUMP / RESTORE payload, Redis's: per
 * library the RDB_OPCODE_FUNCTION2 byte and the library's code as an RDB
 * string (LZF-compressed as rdbcompression allows), then the RDB version
 * (2 bytes, little endian) and a CRC-64 (Jones) of all of it (8 bytes,
 * little endian). */
#ifndef FR_FUNCTIONS_DUMP_H
#define FR_FUNCTIONS_DUMP_H

#include "frankenredis.h"

/* Appends one library's record to *out (created when NULL). */
void fdump_add_library(fr_str **out, const fr_str *code);
/* Appends the version and checksum. */
void fdump_finish(fr_str **out);
/* Checks version and checksum: FR_OK, or FR_ERR. */
int fdump_verify(const fr_str *payload);
/* The next library's code at *pos (before the 10-byte footer), or NULL
 * with the error text in *err (Redis's). */
fr_str *fdump_next_library(const fr_str *payload, size_t *pos, const char **err);

#endif
