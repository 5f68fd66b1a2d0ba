#!/bin/sh
# Installs every system package portcullis builds, tests and fuzzes with.
# Idempotent; needs root (or sudo) on Debian 12.
set -e
PKGS="build-essential pkg-config clang llvm libclang-rt-14-dev
 libcurl4-openssl-dev libbearssl-dev libjsmn-dev libseccomp-dev
 libcap-ng-dev libsqlite3-dev libzstd-dev protobuf-c-compiler
 libprotobuf-c-dev protobuf-compiler
 sqlite3 zstd openssl python3 jose afl++ procps strace zip
 iproute2 ca-certificates python3-yaml curl jq time
 debhelper dpkg-dev fakeroot lintian"
missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && { echo "deps: all installed"; exit 0; }
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
