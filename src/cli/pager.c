/* pager.c — see pager.h. */
#define _DEFAULT_SOURCE /* TIOCGWINSZ */
#include "cli/pager.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

int pager_rows(void)
{
    if (!isatty(STDOUT_FILENO)) return 0;
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) return ws.ws_row;
    const char *lines = getenv("LINES");
    long v = lines ? strtol(lines, NULL, 10) : 0;
    return v > 0 && v < 100000 ? (int)v : 0;
}

const char *pager_command(void)
{
    const char *cmd = getenv("ATTNVIZ_PAGER");
    if (!cmd) cmd = getenv("PAGER");
    if (!cmd) cmd = "less -FRX";
    if (!cmd[strspn(cmd, " \t")] || strcmp(cmd, "cat") == 0) return NULL;
    return cmd;
}

/* Writes all of data to fd; 0, or the errno of the failure. */
static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, data, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return w < 0 ? errno : EIO;
        data += w;
        len -= (size_t)w;
    }
    return 0;
}

int pager_write(const char *cmd, const char *data, size_t len, attn_error *err)
{
    int fd[2];
    pid_t pid = -1;
    if (pipe(fd) == 0) {
        pid = fork();
        if (pid == 0) {
            dup2(fd[0], STDIN_FILENO);
            close(fd[0]);
            close(fd[1]);
            if (!getenv("LESS")) setenv("LESS", "FRX", 1);
            execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
            _exit(127);
        }
        close(fd[0]);
        if (pid < 0) close(fd[1]);
    }
    int status = 0, werr = 0;
    if (pid > 0) {
        struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe, old_int, old_quit;
        sigemptyset(&ign.sa_mask);
        sigaction(SIGPIPE, &ign, &old_pipe);
        sigaction(SIGINT, &ign, &old_int);
        sigaction(SIGQUIT, &ign, &old_quit);
        werr = write_all(fd[1], data, len);
        close(fd[1]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
        sigaction(SIGPIPE, &old_pipe, NULL);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGQUIT, &old_quit, NULL);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
        if (code != 126 && code != 127) return 0; /* shown, or quit early */
    }
    /* no pager after all: the text goes out as it would without one */
    if ((werr = write_all(STDOUT_FILENO, data, len)) != 0)
        return attn_fail(err, werr == EPIPE ? ATTN_EXIT_PIPE : ATTN_EXIT_RUNTIME, "standard output: %s",
                         strerror(werr));
    return 0;
}
