/* replay.c — a harness's inputs without libFuzzer, for `make check`.
 *
 * Linked with one fuzz_*.c harness and built by gcc with ASan + UBSan (the
 * sanitizer build of make check), so replaying needs nothing beyond what
 * make check installs:
 *
 *   replay-NAME [-each] [-mutate SECONDS] [-runs N] [-max_len N] [-dict FILE]
 *               [-save FILE] PATH...
 *
 * feeds every file named, and every regular file in every directory named
 * (sorted), to LLVMFuzzerTestOneInput(), after LLVMFuzzerInitialize() when
 * the harness has one. It prints "PASS NAME PATH: N inputs" per path, or
 * with -each "PASS NAME FILE" per file (regression inputs, one test each).
 * With -mutate it then runs a bounded random search of its own for
 * SECONDS (or N runs, whichever ends first): each run takes an input of
 * the corpus and applies 1 to 8 mutations (bit flips, random and
 * "interesting" bytes, inserted, deleted and duplicated ranges, splices
 * with another input, words of the -dict file in libFuzzer's format),
 * from a fixed seed, so a failure reproduces. It prints "PASS NAME
 * mutations: N runs in S s".
 *
 * A finding (a sanitizer report, a fuzz_assert) ends the process with a
 * non-zero status after naming the input; a mutated input is first saved
 * to the -save file (default ./replay-crash-NAME).
 */
#define _DEFAULT_SOURCE /* DT_REG */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/common_interface_defs.h>
#define HAVE_DEATH_CALLBACK 1
#endif

/* Weak: only some harnesses define it. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

typedef struct {
    unsigned char *data;
    size_t len;
} input;

static const char *name = "harness";
static FILE *out; /* standard output as it was before the harness's set-up
                     (fuzz_cli sends stdout to /dev/null) */
static const char *save_path;
static const unsigned char *cur_data; /* the input being run, for the death callback */
static size_t cur_len;
static int cur_mutated;

static void died(void)
{
    if (fuzz_input_name) fprintf(stderr, "replay: the input was %s\n", fuzz_input_name);
    if (cur_mutated && cur_data) {
        FILE *f = fopen(save_path, "wb");
        if (f && fwrite(cur_data, 1, cur_len, f) == cur_len && fclose(f) == 0)
            fprintf(stderr, "replay: the mutated input is saved in %s\n", save_path);
    }
}

static void on_signal(int sig)
{
    died();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "replay: out of memory\n");
        exit(1);
    }
    return p;
}

static int read_file(const char *path, input *in)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 4096, len = 0, r;
    unsigned char *buf = xmalloc(cap);
    while ((r = fread(buf + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) buf = realloc(buf, cap *= 2);
        if (!buf) exit(1);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    in->data = buf;
    in->len = len;
    return 0;
}

static int run_one(const unsigned char *data, size_t len, const char *label, int mutated)
{
    /* a private copy, exactly len bytes, as libFuzzer gives: ASan sees any
     * read past the end */
    unsigned char *copy = xmalloc(len);
    memcpy(copy, data, len);
    cur_data = copy;
    cur_len = len;
    cur_mutated = mutated;
    fuzz_input_name = label;
    LLVMFuzzerTestOneInput(copy, len);
    fuzz_input_name = NULL;
    cur_data = NULL;
    free(copy);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of a directory, sorted, with the directory in front. */
static char **list_dir(const char *dir, int *n)
{
    DIR *d = opendir(dir);
    char **out = NULL;
    int cap = 0;
    *n = 0;
    if (!d) return NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *p = xmalloc(len);
        snprintf(p, len, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(p);
            continue;
        }
        if (*n == cap) out = realloc(out, (size_t)(cap = cap ? 2 * cap : 64) * sizeof *out);
        if (!out) exit(1);
        out[(*n)++] = p;
    }
    closedir(d);
    if (*n) qsort(out, (size_t)*n, sizeof *out, cmp_str);
    return out;
}

/* ---- mutations ----------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static size_t below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static input *dict;
static int n_dict;

/* Reads libFuzzer's dictionary format: lines name="value" or "value",
 * with \\, \" and \xNN escapes; '#' starts a comment. */
static void load_dict(const char *path)
{
    input file;
    if (read_file(path, &file) != 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    char *text = xmalloc(file.len + 1);
    memcpy(text, file.data, file.len);
    text[file.len] = '\0';
    free(file.data);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *q = strchr(line, '"');
        if (!q || line[strspn(line, " \t")] == '#') continue;
        unsigned char *v = xmalloc(strlen(q) + 1);
        size_t len = 0;
        for (char *p = q + 1; *p && *p != '"'; p++) {
            if (*p == '\\' && p[1] == 'x' && p[2] && p[3]) {
                char hex[3] = {p[2], p[3], 0};
                v[len++] = (unsigned char)strtol(hex, NULL, 16);
                p += 3;
            } else if (*p == '\\' && p[1]) {
                v[len++] = (unsigned char)*++p;
            } else {
                v[len++] = (unsigned char)*p;
            }
        }
        dict = realloc(dict, (size_t)(n_dict + 1) * sizeof *dict);
        if (!dict) exit(1);
        dict[n_dict++] = (input){v, len};
    }
    free(text);
}

/* One mutation of buf[*len] (capacity cap) in place. */
static void mutate_once(unsigned char *buf, size_t *len, size_t cap, const input *pool, int n_pool)
{
    static const unsigned char interesting[] = {0, 1, 0x7f, 0x80, 0xff, '0', '9', '-', '.', 'e', '"', '[',
                                                ']', '{', '}', ',', ':', '\n', ' ', '\\'};
    size_t n = *len;
    switch (below(8)) {
    case 0: /* flip a bit */
        if (n) buf[below(n)] ^= (unsigned char)(1u << below(8));
        break;
    case 1: /* a random byte */
        if (n) buf[below(n)] = (unsigned char)rnd();
        break;
    case 2: /* an interesting byte */
        if (n) buf[below(n)] = interesting[below(sizeof interesting)];
        break;
    case 3: { /* insert bytes */
        size_t k = 1 + below(8), at = below(n + 1);
        if (n + k > cap) break;
        memmove(buf + at + k, buf + at, n - at);
        for (size_t i = 0; i < k; i++) buf[at + i] = (unsigned char)rnd();
        *len = n + k;
        break;
    }
    case 4: { /* delete a range */
        if (!n) break;
        size_t at = below(n), k = 1 + below(n - at < 16 ? n - at : 16);
        memmove(buf + at, buf + at + k, n - at - k);
        *len = n - k;
        break;
    }
    case 5: { /* duplicate a range */
        if (!n) break;
        size_t at = below(n), k = 1 + below(n - at < 32 ? n - at : 32), to = below(n + 1);
        if (n + k > cap) break;
        unsigned char tmp[32];
        memcpy(tmp, buf + at, k);
        memmove(buf + to + k, buf + to, n - to);
        memcpy(buf + to, tmp, k);
        *len = n + k;
        break;
    }
    case 6: { /* splice: the tail of another input */
        const input *o = &pool[below((size_t)n_pool)];
        size_t at = below(n + 1), from = below(o->len + 1), k = o->len - from;
        if (at + k > cap) k = cap - at;
        memcpy(buf + at, o->data + from, k);
        *len = at + k;
        break;
    }
    default: { /* a dictionary word, inserted or written over */
        if (!n_dict) break;
        const input *w = &dict[below((size_t)n_dict)];
        size_t at = below(n + 1);
        if (rnd() & 1) {
            if (n + w->len > cap) break;
            memmove(buf + at + w->len, buf + at, n - at);
            *len = n + w->len;
        } else if (at + w->len > n) {
            if (at + w->len > cap) break;
            *len = at + w->len;
        }
        memcpy(buf + at, w->data, w->len);
    }
    }
}

int main(int argc, char **argv)
{
    double seconds = 0;
    long runs = -1, max_len = 65536;
    int each = 0, first = 1;
    char default_save[256];
    const char *slash = strrchr(argv[0], '/');
    name = slash ? slash + 1 : argv[0];
    if (strncmp(name, "replay-", 7) == 0) name += 7;
    snprintf(default_save, sizeof default_save, "replay-crash-%s", name);
    save_path = default_save;
    for (; first < argc && argv[first][0] == '-'; first++) {
        const char *a = argv[first];
        if (strcmp(a, "-each") == 0) each = 1;
        else if (strcmp(a, "-mutate") == 0 && first + 1 < argc) seconds = atof(argv[++first]);
        else if (strcmp(a, "-runs") == 0 && first + 1 < argc) runs = atol(argv[++first]);
        else if (strcmp(a, "-max_len") == 0 && first + 1 < argc) max_len = atol(argv[++first]);
        else if (strcmp(a, "-dict") == 0 && first + 1 < argc) load_dict(argv[++first]);
        else if (strcmp(a, "-save") == 0 && first + 1 < argc) save_path = argv[++first];
        else {
            fprintf(stderr, "replay: unknown option %s\n", a);
            return 2;
        }
    }
#ifdef HAVE_DEATH_CALLBACK
    __sanitizer_set_death_callback(died);
#endif
    signal(SIGABRT, on_signal);
    int fd = dup(STDOUT_FILENO);
    if (fd < 0 || !(out = fdopen(fd, "w"))) {
        fprintf(stderr, "replay: standard output: %s\n", strerror(errno));
        return 1;
    }
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);

    input *pool = NULL;
    int n_pool = 0;
    for (int i = first; i < argc; i++) {
        struct stat st;
        int n = 0;
        char **files = NULL, *one[1] = {argv[i]};
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            files = list_dir(argv[i], &n);
        } else {
            n = 1;
        }
        char **list = files ? files : one;
        for (int k = 0; k < n; k++) {
            input in;
            if (read_file(list[k], &in) != 0) {
                fprintf(out, "FAIL %s %s: cannot read: %s\n", name, list[k], strerror(errno));
                return 1;
            }
            run_one(in.data, in.len, list[k], 0);
            if (each) fprintf(out, "PASS %s %s\n", name, list[k]);
            fflush(out);
            pool = realloc(pool, (size_t)(n_pool + 1) * sizeof *pool);
            if (!pool) exit(1);
            pool[n_pool++] = in;
        }
        if (!each) fprintf(out, "PASS %s %s: %d input%s\n", name, argv[i], n, n == 1 ? "" : "s");
        for (int k = 0; files && k < n; k++) free(files[k]);
        free(files);
    }

    if (seconds > 0 || runs > 0) {
        if (!n_pool) {
            pool = xmalloc(sizeof *pool);
            pool[n_pool++] = (input){xmalloc(1), 0};
        }
        unsigned char *buf = xmalloc((size_t)max_len);
        struct timespec t0, t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        long done = 0;
        double el = 0;
        for (; runs < 0 || done < runs; done++) {
            if ((done & 63) == 0) {
                clock_gettime(CLOCK_MONOTONIC, &t);
                el = (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
                if (seconds > 0 && el >= seconds) break;
            }
            const input *src = &pool[below((size_t)n_pool)];
            size_t len = src->len < (size_t)max_len ? src->len : (size_t)max_len;
            memcpy(buf, src->data, len);
            for (size_t k = 1 + below(8); k > 0; k--) mutate_once(buf, &len, (size_t)max_len, pool, n_pool);
            run_one(buf, len, "a mutated input", 1);
        }
        clock_gettime(CLOCK_MONOTONIC, &t);
        el = (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
        fprintf(out, "PASS %s mutations: %ld runs in %.1f s\n", name, done, el);
        free(buf);
    }
    for (int i = 0; i < n_pool; i++) free(pool[i].data);
    free(pool);
    for (int i = 0; i < n_dict; i++) free(dict[i].data);
    free(dict);
    return fclose(out) == 0 ? 0 : 1;
}
