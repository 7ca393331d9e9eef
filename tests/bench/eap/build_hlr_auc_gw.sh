#!/usr/bin/env bash
# Builds hostapd's reference AuC, hlr_auc_gw, the baseline tests/bench/eap measures auc-gw
# against. Debian's hostapd package does not ship it, so it is compiled from Debian 12's `wpa`
# source package (Debian's patched source, OpenSSL crypto, no SQLite), fetched with apt from
# the same archive URIs, suites and signing key as the system's deb entries, through a private
# sources list and private lists/cache directories: the system's apt configuration and state are
# left alone. The version is the installed hostapd's source version when the archive has it,
# else the newest. Only `make hlr_auc_gw` is run, in the source's hostapd/ directory.
# Cached: if OUTDIR/hlr_auc_gw exists and answers a smoke request (command mode, no socket) and
# OUTDIR/hlr_auc_gw.version holds its source version, nothing is done. Prints one line on
# stdout, `hlr_auc_gw from wpa <Debian source version>`; build chatter goes to a log shown on
# failure.
# Build dependencies (installed with apt-get if missing): gcc make libc6-dev libssl-dev
# dpkg-dev (dpkg-source, which unpacks the .dsc and applies Debian's patches; pulls xz-utils).
# usage: build_hlr_auc_gw.sh OUTDIR
set -euo pipefail

die() { echo "build_hlr_auc_gw: $*" >&2; exit 1; }
[[ $# -eq 1 && -n $1 ]] || die "usage: build_hlr_auc_gw.sh OUTDIR"
mkdir -p "$1" || die "cannot create $1"
out=$(realpath "$1")
bin=$out/hlr_auc_gw stamp=$out/hlr_auc_gw.version

# Smoke test: one request in hlr_auc_gw's command mode (no socket) with TS 35.207 test set 1,
# and FAILURE for an IMSI it does not know.
smoke() {
    local d r
    d=$(mktemp -d /tmp/hlr_auc_gw-smoke.XXXXXX)
    echo "001010000000001 465b5ce8b199b49faa5f0a2ee238a6bc cd63cb71954a9f4e48a5994e37a02baf b9b9 ff9bb4d0b607" >"$d/m"
    r=$("$1" -m "$d/m" "AKA-REQ-AUTH 001010000000001" 2>&1) || r="exit status $?: $r"
    # (an unknown IMSI is first reported on a line of its own: keep the answer, the last line)
    r+=" / "$("$1" -m "$d/m" "AKA-REQ-AUTH 001010000000002" 2>&1 | tail -n1) || true
    rm -rf "$d"
    [[ $r =~ ^AKA-RESP-AUTH\ 001010000000001\ [0-9a-f]{32}\ [0-9a-f]{32}\ [0-9a-f]{32}\ [0-9a-f]{32}\ [0-9a-f]{16}\ /\ AKA-RESP-AUTH\ 001010000000002\ FAILURE$ ]] ||
        { echo "build_hlr_auc_gw: $1 does not answer as expected: $r" >&2; return 1; }
}

if [[ -x $bin && -s $stamp ]] && smoke "$bin" 2>/dev/null; then
    echo "hlr_auc_gw from wpa $(cat "$stamp")"
    exit 0
fi

# Build dependencies: apt-get only when something is missing.
deps=(gcc make libc6-dev libssl-dev dpkg-dev)
missing=()
for p in "${deps[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
    [[ $(id -u) -eq 0 ]] || die "missing packages ${missing[*]} (run as root, or apt-get install them)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 &&
            apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } ||
        die "apt-get install ${missing[*]} failed"
fi

work=$(mktemp -d /tmp/hlr_auc_gw-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
log=$work/build.log
fail() { echo "build_hlr_auc_gw: $* (log follows)" >&2; tail -n 40 "$log" >&2; exit 1; }

# Private apt: the system's deb entries turned into deb-src (same URIs, suites, components,
# Signed-By), in our own source list/parts, lists and cache; nothing under /etc or /var changes.
mkdir -p "$work/parts" "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
: >"$work/sources.list"
if [[ -f /etc/apt/sources.list ]]; then
    sed -nE 's/^[[:space:]]*deb([[:space:]])/deb-src\1/p' /etc/apt/sources.list >"$work/sources.list"
fi
for f in /etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] && sed -nE 's/^[[:space:]]*deb([[:space:]])/deb-src\1/p' "$f" >>"$work/sources.list"
done
for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] && sed -E 's/^Types:.*/Types: deb-src/I' "$f" >"$work/parts/$(basename "$f")"
done
if [[ ! -s $work/sources.list ]] && ! compgen -G "$work/parts/*.sources" >/dev/null; then
    # no deb entry found: Debian 12's own archive
    printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' \
        'Suites: bookworm bookworm-updates' 'Components: main' \
        'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' >"$work/parts/debian.sources"
fi
# apt downloads as the unprivileged _apt user: let it reach and write the private directories
chmod 755 "$work"
if id _apt >/dev/null 2>&1; then chown _apt "$work/lists/partial" "$work/cache/archives/partial" "$work/src"; fi
apt=(apt-get -q -o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts="$work/parts"
     -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache")
"${apt[@]}" update >"$log" 2>&1 || fail "apt-get update of the deb-src indexes failed"

# The source of the installed hostapd if the archive still has it, else the newest wpa.
want=$(dpkg-query -W -f='${source:Version}' hostapd 2>/dev/null || true)
cd "$work/src"
{ [[ -n $want ]] && "${apt[@]}" source --download-only "wpa=$want" >>"$log" 2>&1; } ||
    "${apt[@]}" source --download-only wpa >>"$log" 2>&1 || fail "apt-get source wpa failed"
dscs=(wpa_*.dsc)
[[ -f ${dscs[0]} ]] || fail "no wpa .dsc downloaded"
dsc=${dscs[0]}
version=$(sed -n 's/^Version: //p' "$dsc")
# apt verified the files against the signed InRelease; dpkg-source unpacks and applies patches
dpkg-source -x "$dsc" wpa >>"$log" 2>&1 || fail "dpkg-source -x $dsc failed"

# Only hlr_auc_gw, with OpenSSL's libcrypto (AES for MILENAGE) and no SQLite (-D unsupported).
cd wpa/hostapd
printf '%s\n' 'CONFIG_TLS=openssl' >.config
make -j"$(nproc)" hlr_auc_gw >>"$log" 2>&1 || fail "make hlr_auc_gw failed"
smoke ./hlr_auc_gw || fail "the built hlr_auc_gw does not work"
cp hlr_auc_gw "$bin.tmp" && mv -f "$bin.tmp" "$bin"
echo "$version" >"$stamp"
echo "hlr_auc_gw from wpa $version"
