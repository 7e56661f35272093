#!/bin/bash
# demo.sh - from a fresh Debian 12 machine to a real certificate: installs
# what is missing, builds acmectl in build/demo, starts a local Pebble and
# pebble-challtestsrv on loopback, registers an account, issues a
# certificate for two names once with --webroot and once with --standalone,
# prints what it got and stops Pebble. State stays in build/demo/state.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BUILD="$SRC/build/demo"
NAMES=(demo.example www.demo.example)

echo "==> installing missing packages"
./contrib/install-deps.sh

echo "==> building acmectl in build/demo"
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
	autoreconf -fi
fi
mkdir -p "$BUILD"
(cd "$BUILD" && { [ -f Makefile ] || "$SRC/configure" -q; } && make -s -j"$(nproc)" acmectl)
export ACMECTL="$BUILD/acmectl"

# pebble.sh stops Pebble and every helper server when this script exits.
. "$SRC/tests/lib/pebble.sh"
echo "==> starting Pebble"
pebble_start
STATE="$BUILD/state"
rm -rf "$STATE" "$BUILD/www"

# step ARGS...: shows and runs one acmectl command against Pebble.
step() {
	echo "==> acmectl $*"
	"$ACMECTL" --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$STATE" "$@"
}

# show NAME: what the certificate kept under NAME says.
show() {
	echo "--- $STATE/certs/$1/cert.pem"
	openssl x509 -in "$STATE/certs/$1/cert.pem" -noout -subject -ext subjectAltName -issuer -dates
}

step account register --email admin@demo.example --agree-tos

webroot_start "$BUILD/www" "$PEBBLE_HTTP_PORT"
echo "    (a web server serves $BUILD/www on 127.0.0.1:$PEBBLE_HTTP_PORT, where Pebble validates)"
step issue --webroot "$BUILD/www" --name demo-webroot "${NAMES[@]}"
webroot_stop

step issue --standalone "127.0.0.1:$PEBBLE_HTTP_PORT" --name demo-standalone "${NAMES[@]}"

show demo-webroot
show demo-standalone

echo "==> stopping Pebble"
pebble_stop
echo "==> done: certificates are under $STATE/certs"
