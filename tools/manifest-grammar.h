/* manifest-grammar.h -- the fuzzer grammar written from manifests
 * (manifest-grammar.c; format in docs/fuzz-grammar.md). */
#ifndef FR_MANIFEST_GRAMMAR_H
#define FR_MANIFEST_GRAMMAR_H

#include <stdio.h>

#include "manifest.h"

/* Writes the grammar of every command of ms[0..n) in the order given;
 * `sources` names the files for the header comment.  0, or -1 with a message
 * on stderr (a name or token the format cannot hold, a write error). */
int grammar_write(fr_manifest *const *ms, int n, char *const *sources, FILE *f);

#endif
