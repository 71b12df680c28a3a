/* cleanup.c — see cleanup.h. */
#include "base/cleanup.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A registered path. Nodes are only ever prepended and never freed (a run
 * makes a handful, one per output file), so the handler can walk the list
 * while the main thread adds to it; a forgotten path is marked dead, and a
 * dead node is reused only for the same path. */
typedef struct node {
    struct node *next;
    atomic_int live;  /* 1: unlink on a signal */
    char path[];      /* NUL-terminated */
} node;

static _Atomic(node *) head;
static int installed;

static const int signals[] = {SIGINT, SIGTERM, SIGHUP};

static void on_signal(int sig)
{
    for (node *n = atomic_load(&head); n; n = n->next)
        if (atomic_load(&n->live)) unlink(n->path);
    _exit(128 + sig);
}

static void install(void)
{
    installed = 1;
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction old, sa;
        if (sigaction(signals[i], NULL, &old) != 0 || old.sa_handler == SIG_IGN) continue;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigfillset(&sa.sa_mask); /* no second signal while the first cleans up */
        sigaction(signals[i], &sa, NULL);
    }
}

int cleanup_add(const char *path)
{
    if (!installed) install();
    for (node *n = atomic_load(&head); n; n = n->next)
        if (!atomic_load(&n->live) && strcmp(n->path, path) == 0) {
            atomic_store(&n->live, 1);
            return 0;
        }
    size_t len = strlen(path) + 1;
    node *n = malloc(sizeof *n + len);
    if (!n) return -1;
    memcpy(n->path, path, len);
    atomic_init(&n->live, 1);
    n->next = atomic_load(&head);
    atomic_store(&head, n); /* published only when complete */
    return 0;
}

void cleanup_remove(const char *path)
{
    for (node *n = atomic_load(&head); n; n = n->next)
        if (atomic_load(&n->live) && strcmp(n->path, path) == 0) {
            atomic_store(&n->live, 0);
            return;
        }
}

void cleanup_hold(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) sigaddset(&set, signals[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

void cleanup_release(const sigset_t *old) { pthread_sigmask(SIG_SETMASK, old, NULL); }
