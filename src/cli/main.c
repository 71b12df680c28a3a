/* main.c — the attnviz command line: parse the options, run, and turn the
 * outcome into an exit status.
 *
 * The options are in options.{h,c}, the run in run.{h,c} and sentence.c,
 * paging in pager.{h,c}, --from in from.{h,c}. Everything else returns
 * errors in an attn_error; this file prints "attnviz: <message>" on stderr
 * and exits with EXIT_RUNTIME (1) or EXIT_USAGE (2).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli/options.h"
#include "cli/run.h"

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    /* Large buffers from the heap, not fresh mmaps, and freed memory kept:
     * the forward pass then reuses pages the weight file's parse already
     * touched instead of faulting in new zeroed ones. */
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
    options o;
    options_init(&o);
    attn_error err = {0};
    run_state s = {.t_start = now_ms()};
    int rc = options_parse(argc, argv, &o, &err);
    if (rc == -1) { /* --help, --version: a full disk is an error too */
        if (fflush(stdout) == 0 && !ferror(stdout)) return EXIT_OK;
        if (errno == EPIPE) return ATTN_EXIT_PIPE;
        fprintf(stderr, "attnviz: standard output: %s\n", errno ? strerror(errno) : "write error");
        return EXIT_RUNTIME;
    }
    if (rc == 0) rc = run(&s, &o, argc, argv, &err);
    if (o.time)
        fprintf(stderr, "attnviz: time: load %.3f ms, tokenize %.3f ms, compute %.3f ms, render %.3f ms, "
                        "write %.3f ms, total %.3f ms\n", s.t_load, s.t_tokenize, s.t_compute, s.t_render,
                s.t_write, now_ms() - s.t_start);
    if (o.time && (o.generate || s.n_generated))
        fprintf(stderr, "attnviz: time: generate %d tokens in %.3f ms (part of compute)\n", s.n_generated,
                s.t_generate);
    run_state_free(&s);
    if (rc == 0) return EXIT_OK;
    if (err.code == ATTN_EXIT_PIPE) return ATTN_EXIT_PIPE; /* the reader went away: nothing to say */
    fprintf(stderr, "attnviz: %s%s\n", err.msg,
            strncmp(err.msg, "unknown option", 14) == 0 || strstr(err.msg, "needs an argument")
                ? " (see attnviz --help)" : "");
    return err.code == ATTN_EXIT_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
}
