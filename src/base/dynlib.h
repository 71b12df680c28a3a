/* dynlib.h — a shared library opened when first needed, its functions
 * looked up by name into a table of function pointers.
 *
 * For libraries only some runs use (OpenBLAS, for large products; the
 * figures' FreeType, fontconfig and libpng; the pages' zlib): linking them
 * costs every process the loading of the library and of its dependencies
 * (0.5 ms of the example's 2 ms for the rendering ones, 4 ms for OpenBLAS).
 *
 * dynlib_open(soname, syms, n, table, why, cap) opens soname (RTLD_NOW |
 * RTLD_LOCAL) and stores the address of syms[i].name at byte syms[i].off of
 * table (a struct of function pointers; DYNLIB_SYM makes the entry).
 * Returns 0; or -1 with why filled ("libpng16.so.16: cannot open shared
 * object file: No such file or directory", "...: no function png_write_info"),
 * the table unchanged and nothing left open. The library stays loaded for the
 * life of the process. Not thread-safe: callers open once (pthread_once).
 */
#ifndef ATTN_DYNLIB_H
#define ATTN_DYNLIB_H

#include <stddef.h>

typedef struct {
    const char *name; /* the function's name in the library */
    size_t off;       /* where its pointer goes in the table */
} dynlib_sym;

#define DYNLIB_SYM(type, member) {#member, offsetof(type, member)}

int dynlib_open(const char *soname, const dynlib_sym *syms, int n, void *table, char *why, size_t cap);

#endif
