#!/bin/bash
# trust-store.sh - where the anchors for the ACME server come from: the
# system store as Go reads it (SSL_CERT_FILE replaces the default bundle,
# SSL_CERT_DIR the default directory) plus --ca-bundle. An SSL_CERT_FILE
# that names the default bundle itself, as container and CI images export
# it, is the default store: anchors are looked up by hash in the directory
# and the bundle's ~150 certificates are never parsed. strace shows which
# files each run opens (LeakSanitizer cannot run under ptrace, so those runs
# leave leak checking to the others).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

command -v strace >/dev/null 2>&1 || fail "strace not found (contrib/install-deps.sh installs it)"
bundle=$(curl-config --ca)
[ -f "$bundle" ] || fail "libcurl's default bundle $bundle does not exist"
pebble_start
resolve_acmectl
REAL_ACMECTL=$ACMECTL
# The wrapper runs acmectl under strace in an environment without
# SSL_CERT_FILE and SSL_CERT_DIR, plus the VAR=VALUE words in $TRUST_VARS.
cat >"$TEST_TMP/traced" <<EOF
#!/bin/sh
# shellcheck disable=SC2086
exec env -u SSL_CERT_FILE -u SSL_CERT_DIR \$TRUST_VARS \
	ASAN_OPTIONS=\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}detect_leaks=0 \
	strace -f -qq -e trace=open,openat -o "$TEST_TMP/trace" "$REAL_ACMECTL" "\$@"
EOF
chmod +x "$TEST_TMP/traced"
mkdir -p "$TEST_TMP/certdir"
cp "$PEBBLE_CA" "$TEST_TMP/certdir/"
openssl rehash "$TEST_TMP/certdir" >/dev/null 2>&1 || fail "openssl rehash failed"

# traced [VAR=VALUE...] -- ARGS...: acmectl -v ARGS against this Pebble
# through the wrapper, with those variables.
traced() {
	TRUST_VARS=
	while [ "$1" != -- ]; do
		TRUST_VARS="$TRUST_VARS $1"
		shift
	done
	shift
	export TRUST_VARS
	rm -f "$TEST_TMP/trace"
	ACMECTL="$TEST_TMP/traced" run_acmectl --server "$PEBBLE_DIR_URL" \
		--state-dir "$TEST_TMP/state" -v "$@"
}
# opened FILE: the last traced run opened FILE.
opened() { grep -F "\"$1\"" "$TEST_TMP/trace" | grep -qE ' = [0-9]+$'; }

traced -- account register --email admin@acmectl.example --agree-tos
assert_rc 3 "Pebble's CA is in no store: the handshake fails"
assert_contains "$ERR" "trust: system anchors from " "-v says where the anchors come from"

traced -- --ca-bundle "$PEBBLE_CA" account register --email admin@acmectl.example --agree-tos
assert_rc 0 "register with Pebble's CA from --ca-bundle"
assert_false "the default bundle is not read when the directory is hashed" opened "$bundle"

traced "SSL_CERT_FILE=$bundle" -- --ca-bundle "$PEBBLE_CA" account show
assert_rc 0 "account show with SSL_CERT_FILE naming the default bundle"
assert_contains "$ERR" "(SSL_CERT_FILE names the default bundle" "-v says the bundle is the directory's"
assert_false "SSL_CERT_FILE naming the default bundle: not read either" opened "$bundle"

cp "$bundle" "$TEST_TMP/bundle-copy.pem"
traced "SSL_CERT_FILE=$TEST_TMP/bundle-copy.pem" -- --ca-bundle "$PEBBLE_CA" account show
assert_rc 0 "account show with SSL_CERT_FILE naming another file"
assert_true "another SSL_CERT_FILE is read" opened "$TEST_TMP/bundle-copy.pem"

traced "SSL_CERT_FILE=$PEBBLE_CA" -- account show
assert_rc 0 "Pebble's CA from SSL_CERT_FILE alone"
assert_contains "$ERR" "trust: system anchors from $PEBBLE_CA and " "-v names SSL_CERT_FILE"

traced "SSL_CERT_DIR=$TEST_TMP/certdir" -- account show
assert_rc 0 "Pebble's CA from SSL_CERT_DIR (hashed) alone"
assert_contains "$ERR" "trust: system anchors from $bundle and $TEST_TMP/certdir" \
	"SSL_CERT_DIR replaces the directory; the default bundle stays, as in Go"
assert_true "so the default bundle is read" opened "$bundle"

test_done
