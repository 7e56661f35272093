#!/bin/bash
# renew-lock.sh - `acmectl renew` runs one at a time and survives being
# killed: two concurrent runs both succeed and leave a matching key and
# certificate; a run killed with SIGKILL at various moments leaves the
# previous certificate usable and the next run finishes (the lock dies with
# its holder); a run that finds the lock held longer than 60 s gives up with
# exit 4 and says why, having changed nothing and sent no request.
#
# The 60 s are acmectl's fixed bound (STORE_LOCK_WAIT_MS), so that run waits
# them out in a state of its own while the other scenarios run; its
# certificate comes from fault_ca.py's front without a fault, whose log
# shows every request sent to its directory URL, and no other run uses it.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/fault_ca.sh"

pebble_start_webroot
resolve_acmectl
CERT="$STATE/certs/lock.example"
HELD="$TEST_TMP/state-held"

# usable DIR: key and certificate match and the certificate verifies.
usable() {
	[ "$(pubkey_of "$1/privkey.pem")" = "$(pubkey_of "$1/cert.pem")" ] &&
		[ -n "$(pubkey_of "$1/cert.pem")" ] &&
		openssl verify -CAfile "$TEST_TMP/root.pem" -untrusted "$1/chain.pem" "$1/cert.pem" \
			>/dev/null 2>&1
}

# renew_bg OUT ARGS...: acmectl renew in the background; its pid in BG_PID.
renew_bg() {
	local out=$1
	shift
	"$ACMECTL" --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$STATE" \
		renew "$@" >"$out" 2>&1 </dev/null &
	BG_PID=$!
}

acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos lock.example
assert_rc 0 "issue lock.example"
pebble_root_pem >"$TEST_TMP/root.pem"

# The lock held by someone else for longer than the bound: a run in the
# state $HELD waits the 60 s out while the scenarios below run
fault_ca_start none
STATE=$HELD fault_acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos held.example
assert_rc 0 "issue held.example through the front"
SNAP=$(state_snapshot "$HELD/archive")
BEFORE=$(fault_events '^REQUEST ')
# the holder is the process with the lock, so stopping it frees the lock (a
# child of flock(1) would keep it held through the descriptor it inherits)
spawn HOLDER "$TEST_TMP/holder.log" bash -c 'exec 9>>"$0" && flock 9 && echo locked && exec sleep 180' \
	"$HELD/lock"
wait_for_line "$TEST_TMP/holder.log" locked 20 || fail "the holder did not lock: $(cat "$TEST_TMP/holder.log")"
assert_false "lab check: the holder has the lock" flock -n "$HELD/lock" true
spawn WAITER "$TEST_TMP/waiter.log" bash -c 'start=$EPOCHSECONDS
timeout -k 5 120 "$@" >"$0.out" 2>"$0.err" </dev/null
echo "exit $? after $((EPOCHSECONDS - start)) s"' "$TEST_TMP/waiter" \
	"$ACMECTL" --server "$FAULT_DIR_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$HELD" \
	renew --days 2000

# Two runs at once: the second waits for the first, both renew, and what is
# left is one complete, matching set
GEN_BEFORE=$(readlink "$CERT")
renew_bg "$TEST_TMP/run1.out" --days 2000
PID1=$BG_PID
renew_bg "$TEST_TMP/run2.out" --days 2000
PID2=$BG_PID
RC1=0
RC2=0
wait "$PID1" || RC1=$?
wait "$PID2" || RC2=$?
assert_eq "0 0" "$RC1 $RC2" "two concurrent renews both succeed"
assert_no_sanitizer_report "$TEST_TMP/run1.out" "the first renew run"
assert_no_sanitizer_report "$TEST_TMP/run2.out" "the second renew run"
assert_contains "$(cat "$TEST_TMP/run1.out")" "lock.example: renewed" "first run renewed"
assert_contains "$(cat "$TEST_TMP/run2.out")" "lock.example: renewed" "second run renewed after it"
assert_eq $((${GEN_BEFORE##*/} + 2)) "$(readlink "$CERT" | sed 's|.*/||')" \
	"two new generations, one after the other"
assert_true "key and certificate match after concurrent runs" usable "$CERT"
assert_cert_issued "$CERT" lock.example

# Killed at various moments of a run (one takes about 0.1 s here): the live
# certificate stays usable, the lock is not left behind, and the next run
# finishes
INTERRUPTED=0
for delay in 0.005 0.01 0.02 0.03 0.045 0.06 0.075 0.09 0.15; do
	LINK=$(readlink "$CERT")
	renew_bg "$TEST_TMP/killed.out" --days 2000
	sleep "$delay"
	kill -KILL "$BG_PID" 2>/dev/null || true
	wait "$BG_PID" 2>/dev/null || true
	[ "$LINK" != "$(readlink "$CERT")" ] || INTERRUPTED=$((INTERRUPTED + 1))
	assert_true "usable after SIGKILL at ${delay} s" usable "$CERT"
	START=$SECONDS
	OLD=$(sha_of "$CERT/cert.pem")
	acme renew --days 2000
	assert_rc 0 "the next run after SIGKILL at ${delay} s finishes"
	assert_true "it did not wait for the dead run's lock" test $((SECONDS - START)) -lt 30
	assert_ne "$OLD" "$(sha_of "$CERT/cert.pem")" "it renewed (SIGKILL at ${delay} s)"
	assert_true "usable after the next run (SIGKILL at ${delay} s)" usable "$CERT"
done
assert_true "some runs were killed before they finished ($INTERRUPTED of 9)" test "$INTERRUPTED" -ge 3
assert_eq 2 "$(find "$STATE/archive/lock.example" \
	-mindepth 1 -maxdepth 1 -type d -name '[0-9]*' | wc -l)" "two generations kept (partial ones pruned)"
assert_cert_issued "$CERT" lock.example

# the run that waited for the lock: exit 4 after about 60 s, nothing done
wait_for_line "$TEST_TMP/waiter.log" "exit " 120 || fail "the waiting run did not end"
assert_eq "exit 4" "$(cut -d' ' -f1-2 "$TEST_TMP/waiter.log")" "gives up on a lock held too long (exit 4)"
assert_no_sanitizer_report "$TEST_TMP/waiter.err" "the run waiting for the lock"
assert_contains "$(cat "$TEST_TMP/waiter.err")" \
	"another acmectl run holds $HELD/lock (waited 60 s); nothing was done" \
	"says another run holds the lock"
ELAPSED=$(cut -d' ' -f4 "$TEST_TMP/waiter.log")
assert_true "waited about 60 s ($ELAPSED s)" test "$ELAPSED" -ge 59 -a "$ELAPSED" -le 75
assert_eq "$SNAP" "$(state_snapshot "$HELD/archive")" "nothing changed"
assert_eq "$BEFORE" "$(fault_events '^REQUEST ')" "no request while waiting"
stop_pid "$HOLDER"
STATE=$HELD fault_acme renew --days 2000
assert_rc 0 "renews once the holder is gone"
assert_ne "$BEFORE" "$(fault_events '^REQUEST ')" "lab check: that renewal went through the front"

test_done
