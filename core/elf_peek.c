/* elf_peek.c -- reading a module's descriptor header from its file before
 * dlopen runs any of its code (ELF constructors included).
 *
 * Only what the loader needs to refuse a foreign or incompatible object:
 * the dynamic symbol FR_MODULE_SYMBOL and the first fields of the
 * descriptor it names (magic, SDK major, SDK minor), plain integers in the
 * file that no relocation touches.  The file is untrusted: every offset
 * and size read from it is checked against the file's length before use. */
#include "runtime.h"

/* after runtime.h: elf.h's EV_NONE/EV_CURRENT macros would rename libev's
 * enum constants in ev.h */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct elf_view {
    const unsigned char *p;
    size_t len;
} elf_view;

/* p[off .. off+n) lies inside the file. */
static int in_file(const elf_view *v, uint64_t off, uint64_t n)
{
    return off <= v->len && n <= v->len - off;
}

/* Section header i, copied out (a hostile file need not keep it aligned).
 * 0 when it lies outside the file. */
static int section(const elf_view *v, const Elf64_Ehdr *eh, unsigned i, Elf64_Shdr *out)
{
    if (i >= eh->e_shnum) return 0;
    uint64_t off = eh->e_shoff + (uint64_t)i * sizeof(Elf64_Shdr);
    if (eh->e_shoff > v->len || !in_file(v, off, sizeof(Elf64_Shdr))) return 0;
    memcpy(out, v->p + off, sizeof(*out));
    return 1;
}

/* The file offset of virtual address `addr` (n bytes), through the
 * section holding it; 0 when none does. */
static uint64_t addr_to_offset(const elf_view *v, const Elf64_Ehdr *eh, uint64_t addr, uint64_t n)
{
    Elf64_Shdr sh;
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (!section(v, eh, i, &sh) || sh.sh_type == SHT_NOBITS || sh.sh_type == SHT_NULL) continue;
        if (addr < sh.sh_addr || addr - sh.sh_addr > sh.sh_size || n > sh.sh_size - (addr - sh.sh_addr))
            continue;
        uint64_t off = sh.sh_offset + (addr - sh.sh_addr);
        if (off >= sh.sh_offset && in_file(v, off, n)) return off;
    }
    return 0;
}

/* The value of dynamic symbol `name`, 0 when absent. */
static uint64_t dynsym_value(const elf_view *v, const Elf64_Ehdr *eh, const char *name)
{
    size_t nlen = strlen(name);
    Elf64_Shdr sh, strs;
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        if (!section(v, eh, i, &sh) || sh.sh_type != SHT_DYNSYM || !section(v, eh, sh.sh_link, &strs)) continue;
        if (!in_file(v, sh.sh_offset, sh.sh_size) || !in_file(v, strs.sh_offset, strs.sh_size)) continue;
        for (uint64_t k = 0; k < sh.sh_size / sizeof(Elf64_Sym); k++) {
            Elf64_Sym sym;
            memcpy(&sym, v->p + sh.sh_offset + k * sizeof(Elf64_Sym), sizeof(sym));
            uint64_t at = sym.st_name;
            if (sym.st_shndx == SHN_UNDEF || at >= strs.sh_size || nlen + 1 > strs.sh_size - at) continue;
            if (!memcmp(v->p + strs.sh_offset + at, name, nlen + 1)) return sym.st_value;
        }
    }
    return 0;
}

static int peek(const elf_view *v, fr_descriptor_head *out, char *err, size_t errlen)
{
    Elf64_Ehdr ehdr;
    const Elf64_Ehdr *eh = &ehdr;
    if (v->len >= sizeof(ehdr)) memcpy(&ehdr, v->p, sizeof(ehdr));
    if (v->len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
        snprintf(err, errlen, "not an ELF file");
        return -1;
    }
    if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_type != ET_DYN ||
        eh->e_shentsize != sizeof(Elf64_Shdr)) {
        snprintf(err, errlen, "not a 64-bit little-endian ELF shared object");
        return -1;
    }
    uint64_t addr = dynsym_value(v, eh, FR_MODULE_SYMBOL);
    uint64_t off = addr ? addr_to_offset(v, eh, addr, sizeof(*out)) : 0;
    if (!off) {
        snprintf(err, errlen, "exports no %s (not a FrankenRedis module)", FR_MODULE_SYMBOL);
        return -1;
    }
    memcpy(out, v->p + off, sizeof(*out));
    return 0;
}

int fr_elf_peek_descriptor(const char *path, fr_descriptor_head *out, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot read it: %s", strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    size_t len = (size_t)st.st_size;
    void *p = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
    close(fd);
    if (p == MAP_FAILED) {
        snprintf(err, errlen, "cannot read it: %s", len ? strerror(errno) : "empty file");
        return -1;
    }
    elf_view v = {p, len};
    int rc = peek(&v, out, err, errlen);
    munmap(p, len);
    return rc;
}
