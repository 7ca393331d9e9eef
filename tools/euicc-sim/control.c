/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control interface: one text line in, one reply out, over a UNIX stream socket of the
 * running simulator (so that its cards in memory stay consistent), or executed directly on the
 * store when no simulator runs.
 *   aka EID RAND AUTN      -> res=.. ck=.. ik=.. kc=.. | auts=.. | error: ..
 *   gsm EID RAND           -> sres=.. kc=..
 *   imsi EID               -> the enabled profile's IMSI
 *   fallback EID           -> the card loses its network and falls back
 *   show EID               -> a summary
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cardops.h"
#include "control.h"
#include "isdr.h"
#include "sm/hex.h"
#include "sm/rng.h"

int sim_control_exec(struct sim_app *a, const char *line, char *reply, size_t size)
{
    char cmd[16], eid[40], h1[80], h2[80];
    uint8_t rand[16], autn[16];
    struct sim_card *c;
    int n = sscanf(line, "%15s %39s %79s %79s", cmd, eid, h1, h2), rc;

    if (n < 2) {
        snprintf(reply, size, "error: usage: aka|gsm|imsi|fallback|show EID ...");
        return -EINVAL;
    }
    if ((!strcmp(cmd, "aka") &&
         (n != 4 || sm_hex_decode(h1, rand, 16) != 16 || sm_hex_decode(h2, autn, 16) != 16)) ||
        (!strcmp(cmd, "gsm") && (n != 3 || sm_hex_decode(h1, rand, 16) != 16))) {
        snprintf(reply, size, "error: RAND and AUTN are 32 hex digits each");
        return -EINVAL;
    }
    rc = sim_app_card_get(a, eid, &c);
    if (rc) {
        snprintf(reply, size, "error: card %s: %s", eid,
                 rc == -ENOENT ? "not found" : "state unreadable");
        return rc;
    }
    if (!strcmp(cmd, "aka")) {
        rc = sim_cardop_aka(c, rand, autn, reply, size);
    } else if (!strcmp(cmd, "gsm")) {
        uint8_t sres[4], kc[8];
        char hs[9], hk[17];

        rc = sim_cardop_gsm(c, rand, sres, kc);
        if (rc) {
            snprintf(reply, size, "error: no enabled profile with a USIM");
        } else {
            sm_hex_encode(sres, 4, hs);
            sm_hex_encode(kc, 8, hk);
            snprintf(reply, size, "sres=%s kc=%s", hs, hk);
        }
    } else if (!strcmp(cmd, "imsi")) {
        rc = sim_cardop_imsi(c, reply, size);
        if (rc)
            snprintf(reply, size, "error: no enabled profile with EF.IMSI");
    } else if (!strcmp(cmd, "fallback")) {
        struct sim_ctx x = {
            .card = c, .pol = &a->pol, .rng = &sm_rng_system, .now_ms = sim_now_ms()};

        rc = sim_card_fallback_activate(&x);
        snprintf(reply, size,
                 rc ? "error: no fall-back profile to switch to"
                    : "fell back to the fall-back profile");
    } else if (!strcmp(cmd, "show")) {
        rc = sim_cardop_show(c, reply, size);
    } else {
        snprintf(reply, size, "error: unknown command %s", cmd);
        rc = -EINVAL;
    }
    sim_app_card_put(a, c, sim_now_ms());
    return rc;
}

int sim_control_listen(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -errno;
    unlink(path); /* a socket left by an earlier run */
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, 0600) || listen(fd, 16)) {
        int e = errno;

        close(fd);
        return -e;
    }
    return fd;
}

/* Read one line (at most 511 bytes) within 2 s. */
static int read_line(int fd, char *buf, size_t size)
{
    size_t n = 0;

    while (n + 1 < size) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t r;

        if (poll(&p, 1, 2000) <= 0)
            return -ETIMEDOUT;
        r = read(fd, buf + n, 1);
        if (r <= 0)
            return r ? -errno : -ECONNRESET;
        if (buf[n] == '\n')
            break;
        n++;
    }
    buf[n] = 0;
    return 0;
}

void sim_control_serve(struct sim_app *a, int lfd)
{
    for (;;) {
        char line[512], reply[2048];
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

        if (fd < 0)
            return; /* nothing more waiting */
        /* blocking from here, bounded by poll in read_line */
        fcntl(fd, F_SETFL, 0);
        if (!read_line(fd, line, sizeof(line))) {
            sim_control_exec(a, line, reply, sizeof(reply));
            strcat(reply, "\n");
            if (write(fd, reply, strlen(reply)) < 0) {
                /* the client went away: nothing to do */
            }
        }
        sm_wipe(reply, sizeof(reply)); /* CK, IK, Kc */
        close(fd);
    }
}

int sim_control_request(const char *path, const char *line, char *reply, size_t size)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd, rc;

    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
        rc = -errno;
        close(fd);
        return rc;
    }
    rc = write(fd, line, strlen(line)) == (ssize_t)strlen(line) && write(fd, "\n", 1) == 1 ? 0
                                                                                           : -EIO;
    /* the reply (several lines for show) ends when the simulator closes the connection */
    for (size_t n = 0; !rc;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t r;

        if (poll(&p, 1, 10000) <= 0) {
            rc = -ETIMEDOUT;
            break;
        }
        r = read(fd, reply + n, size - 1 - n);
        if (r < 0) {
            rc = -errno;
            break;
        }
        n += (size_t)r;
        reply[n] = 0;
        if (r == 0 || n + 1 >= size)
            break;
    }
    if (!rc) {
        size_t n = strlen(reply);

        while (n && reply[n - 1] == '\n')
            reply[--n] = 0;
    }
    close(fd);
    return rc;
}
