# Sourced by run.sh and test.sh: install the Debian packages of cmake/debian-packages.txt that
# are missing. Idempotent; needs root (or sudo) only when something is missing.
sm_install_deps() {
    local list missing=() p
    list="$(dirname "${BASH_SOURCE[0]}")/debian-packages.txt"
    while read -r p; do
        [[ -z "$p" || "$p" == \#* ]] && continue
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done <"$list"
    [[ ${#missing[@]} -eq 0 ]] && return 0
    echo "installing: ${missing[*]}"
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}
