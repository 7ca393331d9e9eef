# shellcheck shell=bash
# sm_netns_enter SCRIPT ARGS...: run SCRIPT again inside a private network namespace whose only
# interface is its own loopback, then exit with its status; inside one already, bring lo up
# and return. Servers that bind every interface (hostapd's RADIUS server) are then reachable
# from nothing but the test's own processes. Needs CAP_SYS_ADMIN (root, as ./test.sh is).
sm_netns_enter() {
    if [[ -z ${SM_NETNS:-} ]]; then
        command -v unshare >/dev/null && command -v ip >/dev/null ||
            { echo "netns: unshare (util-linux) and ip (iproute2) are needed"; exit 1; }
        SM_NETNS=1 exec unshare --net -- "$@"
        echo "netns: cannot enter a private network namespace (unshare --net)"
        exit 1
    fi
    ip link set lo up || { echo "netns: cannot bring up lo in the namespace"; exit 1; }
    [[ $(ip -o link show | grep -cv ': lo:') -eq 0 ]] ||
        { echo "netns: the namespace has interfaces other than lo"; exit 1; }
}
