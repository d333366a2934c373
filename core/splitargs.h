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

/* fr_splitargs / fr_splitargs_free are SDK functions: declared in
 * frankenredis.h. */

#endif /* FR_SPLITARGS_H */
