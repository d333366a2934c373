/* state.c -- the one process-wide instance of the server's state.
 *
 * Kept apart from server.c (which holds main) so that the unit tests link
 * every part of the core against the same global without a second main. */
#include "server.h"

fr_server server;
