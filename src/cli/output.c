/* Output files: written to a temporary in the target's directory and
 * renamed over the target only when the command succeeded, so an input
 * error never leaves a half-written or emptied file behind. The temporary
 * gets the mode the target would have: an existing file's own, else what
 * the umask leaves of 0666 (mkstemp alone would make it 0600). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static mode_t target_mode(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0) return st.st_mode & 07777;
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

int hs_output_open(hs_output *out, const char *path)
{
    memset(out, 0, sizeof *out);
    if (!path || strcmp(path, "-") == 0) {
        out->fp = stdout;
        return 0;
    }
    snprintf(out->path, sizeof out->path, "%s", path);
    snprintf(out->tmp, sizeof out->tmp, "%s.tmpXXXXXX", path);
    int fd = mkstemp(out->tmp);
    if (fd < 0) {
        hs_cli_failf("%s: cannot create output: %s", path, strerror(errno));
        return -1;
    }
    if (fchmod(fd, target_mode(path)) != 0) {
        close(fd);
        unlink(out->tmp);
        hs_cli_failf("%s: cannot set the output's mode: %s", path, strerror(errno));
        return -1;
    }
    out->fp = fdopen(fd, "w");
    if (!out->fp) {
        close(fd);
        unlink(out->tmp);
        hs_cli_failf("%s: cannot open output: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int hs_output_commit(hs_output *out)
{
    if (out->fp == stdout) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
            hs_cli_failf("<stdout>: write failed: %s", strerror(errno));
            return -1;
        }
        return 0;
    }
    int bad = ferror(out->fp);
    if (fclose(out->fp) != 0) bad = 1;
    out->fp = NULL;
    if (bad) {
        unlink(out->tmp);
        hs_cli_failf("%s: write failed: %s", out->path, strerror(errno));
        return -1;
    }
    if (rename(out->tmp, out->path) != 0) {
        unlink(out->tmp);
        hs_cli_failf("%s: cannot replace: %s", out->path, strerror(errno));
        return -1;
    }
    return 0;
}

void hs_output_abort(hs_output *out)
{
    if (!out->fp || out->fp == stdout) return;
    fclose(out->fp);
    out->fp = NULL;
    unlink(out->tmp);
}

int hs_output_finish(hs_output *out, int rc)
{
    if (rc != HS_EXIT_OK && rc != HS_EXIT_GATE) {
        hs_output_abort(out);
        return rc;
    }
    return hs_output_commit(out) ? HS_EXIT_USAGE : rc;
}
