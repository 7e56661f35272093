#!/bin/bash
# signals-dns.sh - SIGTERM, SIGINT or SIGHUP while dns-01 challenges are
# pending: acmectl runs the hook's remove for every record it added before
# it dies (exit 128+signal), writes no certificate; a signal during an add
# still gets that record removed; a remove that hangs is killed within the
# bound and takes no longer than that; the same in diagnose --certificate's
# flow, which writes no Secret.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

# Pebble's VA asks a DNS server that never answers: validation (and so
# acmectl's polling) stays pending while the records are published.
pebble_free_port MUTE_PORT
dns_stub_start MUTE_PID silent "$MUTE_PORT"
PEBBLE_AUTHZREUSE=0 PEBBLE_DNS_SERVER="127.0.0.1:$MUTE_PORT" pebble_start
STATE="$TEST_TMP/state"
acme account register --email admin@acmectl.example --agree-tos
assert_rc 0 "account register"
resolve_acmectl

# the hooks as installed: root's, mode 0755, in a directory of the same
mkdir -m 0755 "$TEST_TMP/hooks"
CALLS="$TEST_TMP/calls"
# hook NAME ADD_LINE REMOVE_LINE: a dns hook noting each call in $CALLS
# ("add|remove RECORD VALUE"), then running the line for its action.
hook() {
	printf '#!/bin/sh\necho "$1 $2 $3" >>%s\ncase "$1" in\nadd) %s ;;\nremove) %s ;;\nesac\nexit 0\n' \
		"$CALLS" "$2" "$3" >"$TEST_TMP/hooks/$1"
	chmod 0755 "$TEST_TMP/hooks/$1"
}
# marker: a sleep argument no other process on this machine has
marker() {
	echo "$((100000 + RANDOM)).$$$RANDOM"
}
sleeping() {
	pgrep -f -- "^sleep $1\$" >/dev/null
}
count() { # ACTION
	grep -c "^$1 " "$CALLS" 2>/dev/null || true
}

# wait_adds WANT: waits up to 20 s until the hook was called for WANT adds.
wait_adds() {
	local i
	for ((i = 0; i < 400; i++)); do
		[ "$(count add)" -lt "$1" ] || return 0
		sleep 0.05
	done
	return 1
}

# run_until NAME HOOK WANT_ADDS: starts `issue --dns-hook HOOK` for NAME and
# its wildcard in the background (PID), waiting until the hook was called
# for WANT_ADDS adds.
run_until() {
	: >"$CALLS"
	# env restores the default disposition: bash ignores SIGINT in background jobs
	env --default-signal=INT "$ACMECTL" --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" \
		--state-dir "$STATE" issue --dns-hook "$TEST_TMP/hooks/$2" "$1" "*.$1" \
		>"$TEST_TMP/$1.out" 2>"$TEST_TMP/$1.err" </dev/null &
	PID=$!
	wait_adds "$3" || fail "$1: the hook was not called for $3 adds: $(cat "$TEST_TMP/$1.err")"
}

# stop_with SIG SECONDS: sends SIG to PID, waits up to SECONDS for it to end
# (then SIGKILL and a failure); RC gets its status, TOOK_MS how long it took.
stop_with() {
	local i start=$(date +%s%3N)
	kill -"$1" "$PID"
	for ((i = 0; i < $2 * 20; i++)); do
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	TOOK_MS=$(($(date +%s%3N) - start))
	if kill -0 "$PID" 2>/dev/null; then
		kill -KILL "$PID"
		fail_ "acmectl stops within $2 s of SIG$1"
	else
		pass_ "acmectl stops within $2 s of SIG$1 (${TOOK_MS} ms)"
	fi
	RC=0
	wait "$PID" || RC=$?
	sed 's/^/#   err: /' "$TEST_TMP/$NAME.err"
}

# every add matched by a remove of the same record and value
assert_all_removed() { # WHAT
	assert_eq "$(grep '^add ' "$CALLS" | cut -d' ' -f2- | sort)" \
		"$(grep '^remove ' "$CALLS" | cut -d' ' -f2- | sort)" "$1: every add removed"
}

hook plain ':' ':'
for sig in TERM INT HUP; do
	NAME="sig$(echo "$sig" | tr 'A-Z' 'a-z').example"
	run_until "$NAME" plain 2
	sleep 0.3
	assert_eq 0 "$(count remove)" "SIG$sig: nothing removed before the signal"
	stop_with "$sig" 10
	assert_eq "$((128 + $(kill -l "$sig")))" "$RC" "SIG$sig: exit 128+SIG$sig"
	assert_eq 2 "$(count add)" "SIG$sig: two records added"
	assert_all_removed "SIG$sig"
	assert_no_file "$STATE/certs/$NAME" "SIG$sig: no certificate written"
done

# a signal while an add runs: the add is ended first, then its record, and
# the one added before it, are removed
M=$(marker)
# (the second add: the wildcard's record has the same name, another value)
hook slowadd "[ \$(grep -c '^add ' $CALLS) -lt 2 ] || sleep $M" ':'
NAME=mid.example
run_until "$NAME" slowadd 2
for ((i = 0; i < 100; i++)); do
	sleeping "$M" && break
	sleep 0.05
done
sleeping "$M" || fail "the second add did not start"
stop_with TERM 20
assert_eq 143 "$RC" "SIGTERM during an add: exit 143"
assert_false "SIGTERM during an add: the add's process is gone" sleeping "$M"
assert_eq 2 "$(count remove)" "SIGTERM during an add: both records removed"
assert_all_removed "SIGTERM during an add"
assert_no_file "$STATE/certs/$NAME" "SIGTERM during an add: no certificate written"

# a remove that hangs ignoring SIGTERM: killed after the bound (5 s, plus 1 s
# between SIGTERM and SIGKILL), each in turn; both removes still run
M=$(marker)
hook hang ':' "trap '' TERM; sleep $M"
NAME=hang.example
run_until "$NAME" hang 2
sleep 0.3
stop_with TERM 40
assert_eq 143 "$RC" "hung remove: exit 143"
assert_eq 2 "$(count remove)" "hung remove: both removes run"
assert_false "hung remove: its sleep is killed" sleeping "$M"
assert_true "hung remove: each remove had its 5 s (${TOOK_MS} ms)" test "$TOOK_MS" -ge 10000
assert_no_file "$STATE/certs/$NAME" "hung remove: no certificate written"

# --hook-timeout shorter than the bound bounds the emergency removes too
M=$(marker)
hook hang2 ':' "trap '' TERM; sleep $M"
NAME=short.example
: >"$CALLS"
"$ACMECTL" --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$STATE" \
	issue --hook-timeout 1 --dns-hook "$TEST_TMP/hooks/hang2" "$NAME" \
	>"$TEST_TMP/$NAME.out" 2>"$TEST_TMP/$NAME.err" </dev/null &
PID=$!
wait_adds 1 || fail "--hook-timeout 1: no add: $(cat "$TEST_TMP/$NAME.err")"
sleep 0.3
stop_with HUP 20
assert_eq 129 "$RC" "--hook-timeout 1: exit 129"
assert_eq 1 "$(count remove)" "--hook-timeout 1: the remove runs"
assert_false "--hook-timeout 1: its sleep is killed" sleeping "$M"
assert_true "--hook-timeout 1: the remove had 1 s, not 5 (${TOOK_MS} ms)" test "$TOOK_MS" -lt 5000

# diagnose --certificate's flow: SIGTERM during cert-manager's check of the
# record, which a DNS server that has no records at all never finds (so it
# is repeated until --deadline): removed, no Secret
pebble_free_port EMPTY_PORT
dns_stub_start EMPTY_PID empty "$EMPTY_PORT"
mkdir -m 0700 "$TEST_TMP/m"
cat >"$TEST_TMP/m/issuer.yaml" <<YAML
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata: {name: dns-acme}
spec:
  acme:
    server: $PEBBLE_DIR_URL
    privateKeySecretRef: {name: dns-acme-account-key}
    solvers:
    - dns01:
        rfc2136: {nameserver: "127.0.0.1:$MUTE_PORT"}
YAML
printf 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: flow, namespace: default}
spec:\n  secretName: flow-tls\n  issuerRef: {name: dns-acme, kind: ClusterIssuer}\n  dnsNames: [flow.example]\n' \
	>"$TEST_TMP/m/cert.yaml"
NAME=flow.example
: >"$CALLS"
"$ACMECTL" --state-dir "$STATE" --ca-bundle "$PEBBLE_CA" diagnose \
	--certificate "$TEST_TMP/m/cert.yaml" --from-issuer "$TEST_TMP/m/issuer.yaml" \
	--dns-hook "$TEST_TMP/hooks/plain" --dns01-recursive-nameservers "127.0.0.1:$EMPTY_PORT" \
	--dns01-recursive-nameservers-only -o "$TEST_TMP/m/secret.yaml" \
	>"$TEST_TMP/$NAME.out" 2>"$TEST_TMP/$NAME.err" </dev/null &
PID=$!
wait_adds 1 || true
[ "$(count add)" = 1 ] || fail "diagnose --certificate: no add: $(cat "$TEST_TMP/$NAME.err" "$TEST_TMP/$NAME.out")"
sleep 0.3
stop_with TERM 20
assert_eq 143 "$RC" "diagnose --certificate: exit 143"
assert_all_removed "diagnose --certificate"
assert_eq 1 "$(count remove)" "diagnose --certificate: the record removed"
assert_no_file "$TEST_TMP/m/secret.yaml" "diagnose --certificate: no Secret written"

stop_pid "$EMPTY_PID"
stop_pid "$MUTE_PID"
test_done
