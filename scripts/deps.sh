#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Installs the Debian packages spillguard builds, tests and fuzzes with.
# Quick and silent when everything is present (one dpkg-query per package);
# otherwise runs apt-get update and installs only the missing ones, with sudo
# when not root. Called by `make deps`, which `make` and `make test` run first.
set -eu

PACKAGES="
	libsodium-dev
	libprotobuf-c-dev
	protobuf-c-compiler
	libzmq3-dev
	libsqlite3-dev
	libcriterion-dev
	pkg-config
	clang
	libclang-rt-dev
	valgrind
"
# libclang-rt-dev holds libFuzzer and clang's sanitizer runtimes; clang only
# recommends it, so --no-install-recommends would otherwise leave it out.

if ! command -v dpkg-query >/dev/null 2>&1; then
	# shellcheck disable=SC2086 # one line of names
	echo "deps: no dpkg here (not Debian?); install the equivalents of:" $PACKAGES >&2
	exit 1
fi

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	"install ok installed") ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

echo "deps: installing missing Debian packages:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "deps: not root and no sudo; install these Debian packages:$missing" >&2
	exit 1
fi

# env: sudo drops the caller's environment. Lock::Timeout: wait for a
# concurrent apt/dpkg run instead of failing on its lock. $SUDO and $missing
# are split into words on purpose.
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive \
	apt-get -o DPkg::Lock::Timeout=600 update -q
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive \
	apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing
