/* manifest-glue.h -- C glue generated from a manifest (manifest-glue.c). */
#ifndef FR_MANIFEST_GLUE_H
#define FR_MANIFEST_GLUE_H

#include <stdio.h>

#include "manifest.h"

/* The module's glue.h / glue.c; 0, or -1 on a write error. */
int glue_write_header(const fr_manifest *m, FILE *f);
int glue_write_source(const fr_manifest *m, const char *digest, FILE *f);
/* Whether a container command runs a handler when given no subcommand. */
int glue_container_has_handler(const fr_cmd_meta *c);

#endif
