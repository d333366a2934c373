/* fuzz_config.c -- libFuzzer target: the config file parser (core/config.c:
 * line splitting, quoting, every core directive's value parser, module
 * lines and the pending lines kept for modules).  Any bytes must load or be
 * refused with a "file:line" message.
 *
 * The input reaches the parser as a file (a memfd), the way a config file
 * does.  Between inputs the harness undoes what a load leaves behind: the
 * module list it built and the working directory a `dir` line changed
 * (libFuzzer writes its corpus relative to the directory it started in). */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "runtime.h"

static int start_dir = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    start_dir = open(".", O_RDONLY | O_DIRECTORY);
    fr_config_init_defaults();
    return 0;
}

static void forget_modules(void)
{
    for (int i = 0; i < fr_module_nconfs; i++) {
        fr_free(fr_module_confs[i].name);
        fr_free(fr_module_confs[i].file);
    }
    fr_free(fr_module_confs);
    fr_module_confs = NULL;
    fr_module_nconfs = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz.conf", 0);
    if (fd < 0) return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        char path[64], err[4096];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        if (fr_config_load(path, 0, NULL, err, sizeof(err)) == 0)
            (void)fr_config_apply_pending(err, sizeof(err)); /* no modules: their lines are refused */
        fr_config_free_all();
    }
    close(fd);
    forget_modules();
    if (start_dir >= 0 && fchdir(start_dir) != 0) abort();
    return 0;
}
