#!/bin/bash
# signals.sh - SIGTERM or SIGINT while a challenge is pending: acmectl stops,
# removes its webroot challenge file and writes no certificate.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

PEBBLE_AUTHZREUSE=0 pebble_start
STATE="$TEST_TMP/state"
WWW="$TEST_TMP/www"
mkdir -p "$WWW"
acme account register --email admin@acmectl.example --agree-tos
assert_rc 0 "account register"

# An HTTP server that never answers GET keeps Pebble's validation (and so
# acmectl's polling) pending while the challenge file exists.
spawn STALL_PID "$TEST_TMP/stall.log" python3 -c '
import http.server, sys, time
class Stall(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(60)
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Stall).serve_forever()
' "$PEBBLE_HTTP_PORT"
wait_for_port "$PEBBLE_HTTP_PORT" 10 || fail "stalling server did not start"

resolve_acmectl
for sig in TERM INT; do
	name="sig$(echo "$sig" | tr 'A-Z' 'a-z').example"
	# env restores the default disposition: bash ignores SIGINT in background jobs
	env --default-signal=INT "$ACMECTL" --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" \
		--state-dir "$STATE" issue --webroot "$WWW" "$name" \
		>"$TEST_TMP/$sig.out" 2>"$TEST_TMP/$sig.err" </dev/null &
	pid=$!
	for ((i = 0; i < 200; i++)); do
		[ -z "$(challenge_files "$WWW")" ] || break
		sleep 0.05
	done
	assert_ne "" "$(challenge_files "$WWW")" "challenge file written while $name is pending"
	sleep 0.3
	kill -"$sig" "$pid"
	rc=0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		fail_ "acmectl stops within 5 s of SIG$sig"
	else
		pass_ "acmectl stops within 5 s of SIG$sig"
	fi
	wait "$pid" || rc=$?
	sed 's/^/#   err: /' "$TEST_TMP/$sig.err"
	assert_ne 0 "$rc" "SIG$sig: non-zero exit ($rc)"
	assert_eq "" "$(challenge_files "$WWW")" "SIG$sig: challenge file removed"
	assert_no_file "$STATE/certs/$name" "SIG$sig: no certificate written"
done
stop_pid "$STALL_PID"

test_done
