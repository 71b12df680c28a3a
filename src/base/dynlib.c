/* dynlib.c — see dynlib.h. */
#include "base/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int dynlib_open(const char *soname, const dynlib_sym *syms, int n, void *table, char *why, size_t cap)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(why, cap, "%s", e ? e : soname);
        return -1;
    }
    void *found[128]; /* [n] the addresses, stored only when all are found */
    if (n > (int)(sizeof found / sizeof *found)) {
        snprintf(why, cap, "%s: more than %zu functions", soname, sizeof found / sizeof *found);
        dlclose(h);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (!(found[i] = dlsym(h, syms[i].name))) {
            snprintf(why, cap, "%s: no function %s", soname, syms[i].name);
            dlclose(h);
            return -1;
        }
    /* an object pointer stored as a function pointer: POSIX guarantees the
     * two have the same representation (memcpy keeps ISO C quiet) */
    for (int i = 0; i < n; i++) memcpy((char *)table + syms[i].off, &found[i], sizeof found[i]);
    return 0;
}
