/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SoftSIM of the paper: a card's enabled profile as the external SIM of eapol_test /
 * wpa_supplicant (external_sim=1). On its control socket the supplicant asks
 *   <3>CTRL-REQ-SIM-<id>:UMTS-AUTH:<rand>:<autn> needed for SSID ...
 *   <3>CTRL-REQ-SIM-<id>:GSM-AUTH:<rand1>:<rand2>[:<rand3>] needed for SSID ...
 * and takes the answers
 *   CTRL-RSP-SIM-<id>:UMTS-AUTH:<ik>:<ck>:<res>   or   CTRL-RSP-SIM-<id>:UMTS-AUTS:<auts>
 *   CTRL-RSP-SIM-<id>:GSM-AUTH:<kc1>:<sres1>:<kc2>:<sres2>[:<kc3>:<sres3>]
 * (toolchain notes; hostap wpa_supplicant ctrl_iface). When the card refuses the challenge (MAC
 * failure, no enabled profile) the answer is CTRL-RSP-SIM-<id>:UMTS-FAIL / GSM-FAIL: the
 * supplicant knows neither, treats them as a failed card run and rejects the authentication
 * (EAP-AKA Authentication-Reject, as with a PC/SC card reporting 9862) instead of waiting for
 * its timeout. The card's work goes through the running
 * simulator's control socket when there is one, so its SQN state stays consistent.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "eapol.h"
#include "sm/hex.h"
#include "sm/log.h"

/* A card command with the same fall-back as the command line. */
static int card_line(struct sim_config *cfg, const char *line, char *reply, size_t size)
{
    struct sim_app a = {0};
    char why[200];
    int rc = sim_control_request(cfg->control_socket, line, reply, size);

    if (rc != -ENOENT && rc != -ECONNREFUSED)
        return rc;
    a.cfg = *cfg;
    rc = sim_app_open(&a, false, why, sizeof(why));
    if (rc)
        return rc;
    rc = sim_control_exec(&a, line, reply, size);
    sim_app_close(&a);
    return rc;
}

static const char *field(const char *reply, const char *name, char *out, size_t size)
{
    const char *p = strstr(reply, name);

    if (!p)
        return NULL;
    p += strlen(name);
    snprintf(out, size, "%.*s", (int)strcspn(p, " \n"), p);
    return out;
}

static int answer(struct sim_config *cfg, const char *eid, const char *req, char *rsp, size_t size)
{
    char id[16], kind[16], args[200], line[200], reply[512] = "";
    int n = sscanf(req, "CTRL-REQ-SIM-%15[0-9]:%15[A-Z-]:%199s", id, kind, args);

    if (n != 3)
        return -EINVAL;
    if (!strcmp(kind, "UMTS-AUTH")) {
        char rnd[40], autn[40], ik[40], ck[40], res[40], auts[40];

        if (sscanf(args, "%32[0-9a-fA-F]:%32[0-9a-fA-F]", rnd, autn) != 2)
            return -EINVAL;
        snprintf(line, sizeof(line), "aka %s %s %s", eid, rnd, autn);
        if (card_line(cfg, line, reply, sizeof(reply)))
            reply[0] = 0;
        if (field(reply, "auts=", auts, sizeof(auts)))
            snprintf(rsp, size, "CTRL-RSP-SIM-%s:UMTS-AUTS:%s", id, auts);
        else if (field(reply, "res=", res, sizeof(res)) && field(reply, "ck=", ck, sizeof(ck)) &&
                 field(reply, "ik=", ik, sizeof(ik)))
            snprintf(rsp, size, "CTRL-RSP-SIM-%s:UMTS-AUTH:%s:%s:%s", id, ik, ck, res);
        else
            snprintf(rsp, size, "CTRL-RSP-SIM-%s:UMTS-FAIL", id);
        sm_wipe(ck, sizeof(ck));
        sm_wipe(ik, sizeof(ik));
    } else if (!strcmp(kind, "GSM-AUTH")) {
        size_t used = (size_t)snprintf(rsp, size, "CTRL-RSP-SIM-%s:GSM-AUTH", id);
        char *save = NULL, *tok;

        for (tok = strtok_r(args, ":", &save); tok && used < size;
             tok = strtok_r(NULL, ":", &save)) {
            char sres[16], kc[24];

            snprintf(line, sizeof(line), "gsm %s %.32s", eid, tok);
            if (card_line(cfg, line, reply, sizeof(reply)))
                reply[0] = 0;
            if (!field(reply, "sres=", sres, sizeof(sres)) ||
                !field(reply, "kc=", kc, sizeof(kc))) {
                snprintf(rsp, size, "CTRL-RSP-SIM-%s:GSM-FAIL", id);
                break;
            }
            used += (size_t)snprintf(rsp + used, size - used, ":%s:%s", kc, sres);
        }
    } else {
        return -ENOTSUP;
    }
    sm_wipe(reply, sizeof(reply));
    return 0;
}

int sim_eapol_run(struct sim_config *cfg, const char *eid, const char *ctrl_path)
{
    struct sockaddr_un peer = {.sun_family = AF_UNIX}, me = {.sun_family = AF_UNIX};
    char buf[4096];
    int fd, rc = 0;
    unsigned answered = 0;

    if (strlen(ctrl_path) >= sizeof(peer.sun_path))
        return -ENAMETOOLONG;
    snprintf(peer.sun_path, sizeof(peer.sun_path), "%s", ctrl_path);
    snprintf(me.sun_path, sizeof(me.sun_path), "/tmp/euicc-sim-eapol-%d", (int)getpid());
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    unlink(me.sun_path);
    if (bind(fd, (struct sockaddr *)&me, sizeof(me)) ||
        connect(fd, (struct sockaddr *)&peer, sizeof(peer)) || send(fd, "ATTACH", 6, 0) != 6) {
        rc = -errno;
        fprintf(stderr, "euicc-sim eapol: %s: %s\n", ctrl_path, strerror(-rc));
        goto out;
    }
    for (unsigned quiet = 0;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        char rsp[1024];
        ssize_t n;
        const char *req, *kind;

        /* After a second of silence, PING: a supplicant that has exited (eapol_test says
         * nothing when it does) makes the send fail; one that stays silent for 30 s while
         * alive is given up on. */
        rc = poll(&p, 1, 1000);
        if (rc < 0) {
            rc = -errno;
            break;
        }
        if (rc == 0) {
            if (send(fd, "PING", 4, 0) < 0) {
                rc = 0; /* the supplicant has gone */
                break;
            }
            if (++quiet == 30) {
                rc = -ETIMEDOUT;
                break;
            }
            continue;
        }
        rc = 0;
        n = recv(fd, buf, sizeof(buf) - 1, 0);
        if (n <= 0) {
            rc = n ? -errno : 0;
            break;
        }
        buf[n] = 0;
        if (strstr(buf, "CTRL-EVENT-TERMINATING"))
            break;
        if (strncmp(buf, "PONG", 4))
            quiet = 0; /* an event: the supplicant is at work */
        req = strstr(buf, "CTRL-REQ-SIM-");
        if (!req)
            continue;
        if (answer(cfg, eid, req, rsp, sizeof(rsp)) == 0) {
            if (send(fd, rsp, strlen(rsp), 0) < 0) {
                rc = -errno;
                break;
            }
            answered++;
            /* the kind only (UMTS-AUTH, UMTS-AUTS, ...): the rest are keys */
            kind = strchr(rsp, ':') + 1;
            SM_LOGI(SM_LOG_CARD, eid, "answered %.*s", (int)strcspn(kind, ":"), kind);
        }
        sm_wipe(rsp, sizeof(rsp));
    }
out:
    close(fd);
    unlink(me.sun_path);
    printf("euicc-sim eapol: %u requests answered\n", answered);
    return rc;
}
