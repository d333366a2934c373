/* splitargs.h -- Redis's argument splitting (sdssplitargs semantics).
 *
 * Used for inline commands and configuration lines.  Tokens are separated by
 * blanks; "double quotes" understand \n \r \t \b \a \xHH and \<any>,
 * 'single quotes' only \'; a closing quote must be followed by a blank or the
 * end.  The line ends at `len` or at its first NUL byte, whichever is first
 * (Redis splits C strings). */
#ifndef FR_SPLITARGS_H
#define FR_SPLITARGS_H

#include <stddef.h>

#include "frankenredis.h"

/* Returns a fr_malloc'ed array of *argc new strings (never NULL on success,
 * even when *argc is 0), or NULL with *argc = 0 on unbalanced quotes. */
fr_str **fr_splitargs(const char *line, size_t len, int *argc);
/* Frees the strings (NULL entries are skipped) and the array; NULL is fine. */
void fr_splitargs_free(fr_str **argv, int argc);

#endif /* FR_SPLITARGS_H */
