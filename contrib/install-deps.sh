#!/bin/bash
# install-deps.sh - installs the Debian packages acmectl needs to build and
# test, only those missing (apt-get update at most once); sudo when not root.
set -euo pipefail

PACKAGES=(
	build-essential autoconf automake pkg-config
	libssl-dev libcurl4-openssl-dev libjansson-dev libyaml-dev
	pebble openssl curl python3 iproute2 tinyproxy squid dnsmasq-base stunnel4 strace
	knot bind9-dnsutils nginx-light golang-go golang-golang-x-net-dev libidn2-dev util-linux clang libclang-rt-14-dev
	# named (tests/integration/diagnose-certificate-dns01.sh: the recursive
	# resolver that follows a CNAME from one Knot's zone into another's)
	bind9
	# nft (tests/integration/diagnose-dns-slow.sh drops DNS queries with it)
	nftables
	# promtool (tests/integration/metrics.sh checks --metrics files with it)
	prometheus
	# the Debian package test (tests/package/deb.sh): build, lint, verify units
	debhelper dpkg-dev fakeroot lintian systemd man-db
)

missing=()
for pkg in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PACKAGES[@]} packages present"
	exit 0
fi

if [ "$(id -u)" = 0 ]; then
	as_root=()
elif command -v sudo >/dev/null 2>&1; then
	as_root=(sudo)
else
	echo "install-deps: missing ${missing[*]}; run as root or install sudo" >&2
	exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends "${missing[@]}"
