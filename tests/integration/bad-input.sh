#!/bin/bash
# bad-input.sh - bad input is exit 2 with one line on stderr and nothing
# written; storage failures exit 4; network failures exit 3; a URL that is
# not an ACME directory is refused; --help documents the exit codes.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

pebble_start
STATE="$TEST_TMP/state"
WWW="$TEST_TMP/www"
mkdir -p "$WWW"
acme account register --email admin@acmectl.example --agree-tos
assert_rc 0 "account register"

# --help
run_acmectl --help
assert_rc 0 "--help"
for word in "account register" "account show" issue --webroot --standalone --state-dir; do
	assert_contains "$OUT" "$word" "--help mentions $word"
done
assert_icontains "$OUT" "exit" "--help documents exit codes"

# usage errors and invalid names: exit 2, one line, nothing written, no request
SNAP=$(state_snapshot "$STATE")
BEFORE=$(pebble_request_count)
check_usage() {
	local desc=$1
	shift
	acme "$@"
	assert_rc 2 "$desc"
	assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "$desc: one line on stderr"
	assert_eq "$SNAP" "$(state_snapshot "$STATE")" "$desc: nothing written"
}
LONG_LABEL=$(printf 'a%.0s' $(seq 64))
LONG_NAME=$(printf 'abcdefghi.%.0s' $(seq 26))example
check_usage "unknown option" issue --webroot "$WWW" --bogus-option x.example
assert_contains "$ERR" "--bogus-option" "names the unknown option"
check_usage "unknown command" frobnicate
assert_contains "$ERR" "frobnicate" "names the unknown command"
check_usage "issue without a name" issue --webroot "$WWW"
check_usage "--webroot with --standalone" issue --webroot "$WWW" --standalone 127.0.0.1:1 x.example
check_usage "issue without a challenge method" issue x.example
check_usage "unknown key type" issue --webroot "$WWW" --key-type dsa1024 x.example
assert_contains "$ERR" "dsa1024" "names the bad key type"
check_usage "non-numeric --timeout" --timeout soon issue --webroot "$WWW" x.example
check_usage "register without --agree-tos" account register --email a@acmectl.example
check_usage "empty label" issue --webroot "$WWW" a..example
assert_contains "$ERR" "a..example" "names the name with an empty label"
check_usage "label longer than 63" issue --webroot "$WWW" "$LONG_LABEL.example"
check_usage "name longer than 253 (${#LONG_NAME})" issue --webroot "$WWW" "$LONG_NAME"
check_usage "bad character" issue --webroot "$WWW" 'bad!name.example'
assert_contains "$ERR" 'bad!name.example' "names the name with a bad character"
check_usage "space in a name" issue --webroot "$WWW" 'bad name.example'
check_usage "wildcard not leftmost" issue --webroot "$WWW" 'a.*.example'
check_usage "empty name" issue --webroot "$WWW" ''
check_usage "bad name after a good one" issue --webroot "$WWW" good.example 'bad..example'
assert_contains "$ERR" "bad..example" "names the bad name, not the good one"
# a Unicode name or server host: the same refusal in every locale (acmectl
# reads none), naming what to give instead
for loc in C C.UTF-8; do
	LC_ALL=$loc check_usage "Unicode name ($loc)" issue --webroot "$WWW" 'bücher.example'
	assert_contains "$ERR" "xn--" "Unicode name ($loc): asks for the A-label"
	LC_ALL=$loc run_acmectl --state-dir "$STATE" --server 'https://bücher.example/dir' \
		issue --webroot "$WWW" x.example
	assert_rc 2 "Unicode server host ($loc)"
	assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "Unicode server host ($loc): one line"
	assert_contains "$ERR" "give it as its A-label, xn--bcher-kva.example" \
		"Unicode server host ($loc): names its A-label"
	assert_eq "$SNAP" "$(state_snapshot "$STATE")" "Unicode server host ($loc): nothing written"
done
assert_eq "$BEFORE" "$(pebble_request_count)" "no request was sent for any usage error"

# a server URL that is not https
run_acmectl --server "http://localhost:${PEBBLE_DIR_URL#https://localhost:}" --ca-bundle "$PEBBLE_CA" \
	--state-dir "$TEST_TMP/plain" account register --email a@acmectl.example --agree-tos
assert_rc 2 "http:// server URL"
assert_contains "$ERR" "https" "says https is needed"
assert_no_file "$TEST_TMP/plain" "nothing written for an http:// server"
run_acmectl --server ftp.example --state-dir "$TEST_TMP/plain" account show
assert_rc 2 "server neither URL nor known name"
assert_eq "$BEFORE" "$(pebble_request_count)" "no request for a non-https server"

# storage: state dir or webroot under a regular file (fails for root too)
touch "$TEST_TMP/file"
run_acmectl --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$TEST_TMP/file/state" \
	account register --email a@acmectl.example --agree-tos
assert_rc 4 "account register with an unwritable state dir"
assert_contains "$ERR" "$TEST_TMP/file/state" "names the state path"
run_acmectl --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$TEST_TMP/file/state" \
	issue --webroot "$WWW" --email a@acmectl.example --agree-tos x.example
assert_rc 4 "issue with an unwritable state dir"
acme issue --webroot "$TEST_TMP/file/www" x.example
assert_rc 4 "issue with an unwritable webroot"
assert_contains "$ERR" "$TEST_TMP/file/www" "names the webroot"
assert_no_file "$STATE/certs/x.example" "no certificate with an unwritable webroot"

# not an ACME directory: Pebble's management root (PEM), a JSON object
# without newNonce/newAccount/newOrder, a 404
run_acmectl --server "$PEBBLE_MGMT/roots/0" --ca-bundle "$PEBBLE_CA" --state-dir "$TEST_TMP/notacme" \
	account register --email a@acmectl.example --agree-tos
assert_rc 2 "a PEM file as the directory URL"
assert_contains "$ERR" "not an ACME directory" "says: not an ACME directory (PEM)"
assert_no_file "$TEST_TMP/notacme/accounts" "no account written for a non-ACME URL"

pebble_free_port JSON_PORT
mkdir -p "$TEST_TMP/fake"
printf '{"meta":{"termsOfService":"x"},"keyChange":"https://localhost/x"}\n' >"$TEST_TMP/fake/dir"
spawn FAKE_PID "$TEST_TMP/fake.log" sh -c "cd '$TEST_TMP/fake' && exec openssl s_server -quiet -WWW \
	-accept 127.0.0.1:$JSON_PORT -cert '$TEST_TMP/pebble/server.pem' -key '$TEST_TMP/pebble/server.key'"
wait_for_port "$JSON_PORT" 10 || fail "openssl s_server did not start: $(cat "$TEST_TMP/fake.log")"
run_acmectl --server "https://localhost:$JSON_PORT/dir" --ca-bundle "$PEBBLE_CA" \
	--state-dir "$TEST_TMP/notacme" account register --email a@acmectl.example --agree-tos
assert_rc 2 "a JSON object without the ACME resources"
assert_contains "$ERR" "not an ACME directory" "says: not an ACME directory (JSON)"
assert_no_file "$TEST_TMP/notacme/accounts" "no account written for a JSON non-directory"
stop_pid "$FAKE_PID"

run_acmectl --server "${PEBBLE_DIR_URL%/dir}/no-such-path" --ca-bundle "$PEBBLE_CA" \
	--state-dir "$TEST_TMP/notacme" account register --email a@acmectl.example --agree-tos
assert_rc_in "1 2" "a directory URL that is a 404"
assert_contains "$ERR" "404" "says the server answered 404"
assert_no_file "$TEST_TMP/notacme/accounts" "no account written for a 404"

# network: a closed port, an untrusted certificate, a server that never answers
pebble_free_port CLOSED_PORT
SECONDS=0
run_acmectl --server "https://127.0.0.1:$CLOSED_PORT/dir" --state-dir "$TEST_TMP/net" \
	account register --email a@acmectl.example --agree-tos
assert_rc 3 "closed port"
assert_contains "$ERR" "$CLOSED_PORT" "names the unreachable address"
run_acmectl --server "$PEBBLE_DIR_URL" --state-dir "$TEST_TMP/net" \
	account register --email a@acmectl.example --agree-tos
assert_rc 3 "server certificate not trusted (no --ca-bundle)"
assert_no_file "$TEST_TMP/net/accounts" "no account written after network failures"

pebble_free_port SILENT_PORT
spawn SILENT_PID "$TEST_TMP/silent.log" python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
held = []
while True:
    held.append(s.accept()[0])
' "$SILENT_PORT"
wait_for_port "$SILENT_PORT" 10 || fail "silent server did not start"
SECONDS=0
run_acmectl --timeout 2 --server "https://127.0.0.1:$SILENT_PORT/dir" --state-dir "$TEST_TMP/net" \
	account register --email a@acmectl.example --agree-tos
assert_rc 3 "server that never answers, --timeout 2"
assert_true "gave up within 10 s (took ${SECONDS} s)" test "$SECONDS" -le 10
stop_pid "$SILENT_PID"

test_done
