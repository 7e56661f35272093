#!/bin/bash
# hook-timeout.sh - --hook-timeout bounds every hook: a hung deploy, pre,
# post or dns-01 hook is stopped (SIGTERM to its process group, SIGKILL
# later) within seconds, with a one-line error and the documented exit code;
# nothing it started is left running; the renew lock is given up, so a run
# waiting for it goes on; a hung dns hook leaves the previous certificate
# untouched, and a dns hook's add that failed or timed out gets its remove,
# once, as do the names added before it. acmectl killed while a hook runs takes the hook with it. Bad
# values are exit 2 with one line.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

# every order needs fresh authorizations, so every renewal calls the dns hook
# (and a new account where a step depends on it, see pebble_new_account)
export PEBBLE_AUTHZREUSE=0
pebble_start_webroot
resolve_acmectl

# marker: a sleep argument no other process on this machine has, so pgrep
# finds exactly the sleep a hook started
marker() {
	echo "$((100000 + RANDOM)).$$$RANDOM"
}

# gone MARK: no live process is "sleep MARK" (acmectl's own command line,
# which holds the hook, does not count; nor does a zombie, which has none).
gone() {
	! pgrep -f -- "^sleep $1\$" >/dev/null
}

# until_running MARK: waits (up to 10 s) until "sleep MARK" runs.
until_running() {
	local i
	for ((i = 0; i < 200; i++)); do
		gone "$1" || return 0
		sleep 0.05
	done
}

# now_ms: milliseconds since the epoch.
now_ms() {
	date +%s%3N
}

acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos web.example
assert_rc 0 "issue web.example"

# A hung deploy hook: the renewal is kept, the hook is stopped after 1 s,
# its line and the exit status say so
M=$(marker)
T0=$(now_ms)
acme renew --days 2000 --hook-timeout 1 --deploy-hook "sleep $M" web.example
T=$(($(now_ms) - T0))
assert_rc 1 "a hung deploy hook"
assert_contains "$OUT" "web.example: renewed" "the renewal itself is reported"
assert_contains "$OUT" "deploy hook timed out after 1 s: \`sleep $M\`" \
	"the certificate's line says the deploy hook timed out"
assert_contains "$ERR" "1 of 1 certificates failed to renew or deploy" "summary error"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "one line on stderr"
assert_true "stopped within 1-7 s of starting (${T} ms)" test "$T" -ge 1000 -a "$T" -lt 7000
assert_true "nothing of the deploy hook is left running" gone "$M"
assert_cert_issued "$STATE/certs/web.example" web.example

# ... and with --json the error is in the certificate's entry
acme renew --json --days 2000 --hook-timeout 1 web.example
assert_rc 1 "a hung (remembered) deploy hook with --json"
assert_eq "renewed:deploy hook timed out after 1 s: \`sleep $M\`" "$(python3 -c '
import json, sys
e = json.loads(sys.argv[1])[0]
print("%s:%s" % (e["action"], e.get("error")))' "$OUT")" "--json: renewed, with the timeout as error"
assert_true "nothing of the remembered deploy hook is left running" gone "$M"

# Hung pre and post hooks: each stopped, both reported, the renewal done
PRE=$(marker)
POST=$(marker)
OLD_CERT=$(sha_of "$STATE/certs/web.example/cert.pem")
T0=$(now_ms)
acme renew --days 2000 --hook-timeout 1 --deploy-hook '' --pre-hook "sleep $PRE" \
	--post-hook "sleep $POST & wait" web.example
T=$(($(now_ms) - T0))
assert_rc 1 "hung pre and post hooks"
assert_contains "$ERR" "pre hook timed out after 1 s: \`sleep $PRE\`" "the pre hook timed out"
assert_contains "$ERR" "post hook timed out after 1 s: \`sleep $POST & wait\`" "the post hook timed out"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "one line on stderr"
assert_contains "$OUT" "web.example: renewed" "the renewal ran between them"
assert_ne "$OLD_CERT" "$(sha_of "$STATE/certs/web.example/cert.pem")" "a new certificate"
assert_true "both stopped within 2-12 s (${T} ms)" test "$T" -ge 2000 -a "$T" -lt 12000
assert_true "nothing of the pre hook is left running" gone "$PRE"
assert_true "nothing of the post hook (a child of its shell) is left running" gone "$POST"
acme renew --pre-hook '' --post-hook '' web.example
assert_rc 0 "hooks forgotten"

# A hook that ignores SIGTERM, with a child that does too: SIGKILL 5 s later
M=$(marker)
T0=$(now_ms)
acme renew --days 2000 --hook-timeout 1 --deploy-hook "trap '' TERM; sleep $M & wait" web.example
T=$(($(now_ms) - T0))
assert_rc 1 "a deploy hook that ignores SIGTERM"
assert_contains "$OUT" "deploy hook timed out after 1 s" "it timed out"
assert_true "killed 5 s after SIGTERM (${T} ms)" test "$T" -ge 6000 -a "$T" -lt 12000
assert_true "nothing of it is left running" gone "$M"

# The lock: a run that waits for it goes on once the hung hook of the run
# holding it is stopped
M=$(marker)
"$ACMECTL" --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$STATE" \
	renew --days 2000 --hook-timeout 3 --deploy-hook "sleep $M" web.example \
	>"$TEST_TMP/first.out" 2>&1 </dev/null &
FIRST=$!
until_running "$M"
assert_false "the first run's deploy hook runs (holding the lock)" gone "$M"
T0=$(now_ms)
acme renew --deploy-hook '' web.example
T=$(($(now_ms) - T0))
assert_rc 0 "the second run, which waited for the lock"
assert_contains "$OUT" "1 certificate checked, none due (next: web.example on" "it ran after the first had renewed"
assert_true "it waited for the hook timeout, no longer (${T} ms)" test "$T" -ge 1500 -a "$T" -lt 10000
RC1=0
wait "$FIRST" || RC1=$?
assert_eq 1 "$RC1" "the first run exits 1"
assert_contains "$(cat "$TEST_TMP/first.out")" "deploy hook timed out after 3 s" "the first run says why"
assert_no_sanitizer_report "$TEST_TMP/first.out" "the run whose hook timed out"
assert_true "nothing of the first run's hook is left running" gone "$M"

# acmectl stopped by SIGTERM while a hook runs (no timeout): the hook's
# process group gets the signal too
M=$(marker)
"$ACMECTL" --server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$STATE" \
	renew --days 2000 --hook-timeout 0 --deploy-hook "sleep $M & wait" web.example \
	>"$TEST_TMP/killed.out" 2>&1 </dev/null &
PID=$!
until_running "$M"
assert_false "a hook without a time limit runs" gone "$M"
kill -TERM "$PID"
RC=0
wait "$PID" || RC=$?
assert_eq 143 "$RC" "acmectl died of SIGTERM"
for ((i = 0; i < 40; i++)); do
	gone "$M" && break
	sleep 0.05
done
assert_true "its hook (and the hook's child) died with it" gone "$M"
acme renew --deploy-hook '' web.example
assert_rc 0 "deploy hook forgotten"

# A hung dns hook: issue and renew fail, the previous certificate stays
# (its add hangs; the remove that follows answers at once)
challtest_dns_hook "$TEST_TMP/dnshook" "if [ \"\$1\" = add ] && [ -e '$TEST_TMP/hang' ]; then
	sleep \"\$(cat '$TEST_TMP/hang')\" &
	wait
fi"
acme issue --dns-hook "$TEST_TMP/dnshook" dns.example
assert_rc 0 "issue dns.example through the dns hook"
OLD_CERT=$(sha_of "$STATE/certs/dns.example/cert.pem")
# the record keeps the outcome of the last attempt: all else stays
record_but_outcome() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
for k in ("last_attempt", "last_error"):
    d.pop(k, None)
print(json.dumps(d, sort_keys=True))' "$STATE/certs/dns.example/issuance.json"
}
SNAP=$(state_snapshot "$STATE/archive/dns.example" | grep -v issuance.json)
RECORD=$(record_but_outcome)
pebble_new_account

M=$(marker)
echo "$M" >"$TEST_TMP/hang"
T0=$(now_ms)
acme issue --force --hook-timeout 1 --dns-hook "$TEST_TMP/dnshook" dns.example
T=$(($(now_ms) - T0))
assert_rc 2 "issue with a hung dns hook"
assert_contains "$ERR" "dns hook timed out after 1 s: $TEST_TMP/dnshook add _acme-challenge.dns.example" \
	"the error names the hook and what it was doing"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "one line on stderr"
assert_true "stopped within 1-7 s (${T} ms)" test "$T" -ge 1000 -a "$T" -lt 7000
assert_true "nothing of the dns hook is left running" gone "$M"
assert_eq "$OLD_CERT" "$(sha_of "$STATE/certs/dns.example/cert.pem")" "the previous certificate is untouched"

M=$(marker)
echo "$M" >"$TEST_TMP/hang"
acme renew --days 2000 --hook-timeout 1 dns.example
assert_rc 1 "renew with a hung dns hook"
assert_contains "$OUT" "dns.example: failed: dns hook timed out after 1 s: $TEST_TMP/dnshook add" \
	"the certificate's line says the dns hook timed out"
assert_true "nothing of the dns hook is left running" gone "$M"
assert_eq "$SNAP" "$(state_snapshot "$STATE/archive/dns.example" | grep -v issuance.json)" \
	"the previous certificate is untouched"
assert_eq "$RECORD" "$(record_but_outcome)" "its record is untouched but for the last attempt"
assert_contains "$(json_field "$STATE/certs/dns.example/issuance.json" last_error)" \
	"dns hook timed out after 1 s" "the record keeps why the last attempt failed"
rm "$TEST_TMP/hang"
acme renew --days 2000 --hook-timeout 10 dns.example
assert_rc 0 "renew once the dns hook answers again"
assert_ne "$OLD_CERT" "$(sha_of "$STATE/certs/dns.example/cert.pem")" "renewed"

# A dns hook's add that fails, or is stopped at the timeout, may have added
# its record already: its remove runs all the same, once, and so does that
# of every name added before it; a remove that fails is a warning, the exit
# status and the error line stay those of the add. The hook logs each call
# and fails (or hangs, with ./add-hangs) from the add numbered ./fail-at on.
LOG="$TEST_TMP/dnsmark.log"
challtest_dns_hook "$TEST_TMP/dnsmark" "$(cat <<EOF
echo "\$1 \$2" >>'$LOG'
if [ "\$1" = add ] && [ "\$(grep -c '^add ' '$LOG')" -ge "\$(cat '$TEST_TMP/fail-at')" ]; then
	[ -e '$TEST_TMP/add-hangs' ] && exec sleep "\$(cat '$TEST_TMP/add-hangs')"
	exit 1
fi
[ "\$1" = remove ] && [ -e '$TEST_TMP/remove-fails' ] && exit 1
EOF
)"
# added_and_removed N DESC: the log has N adds, and one remove for each
added_and_removed() {
	local name
	assert_eq "$1" "$(grep -c '^add ' "$LOG")" "$2: $1 adds ran"
	for name in $(sed -n 's/^add //p' "$LOG"); do
		assert_eq 1 "$(grep -cx "remove $name" "$LOG")" "$2: $name removed once"
	done
}
echo 2 >"$TEST_TMP/fail-at"
rm -f "$LOG"
acme issue --hook-timeout 10 --dns-hook "$TEST_TMP/dnsmark" a.fails.example b.fails.example
assert_rc 2 "issue: the second name's dns hook add fails"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "issue, add failed: one line on stderr"
assert_contains "$ERR" "acmectl: dns hook $TEST_TMP/dnsmark add $(sed -n '2s/^add //p' "$LOG") failed with exit status 1" \
	"issue, add failed: the line names the hook and the add"
added_and_removed 2 "issue, add failed"
assert_no_file "$STATE/certs/a.fails.example" "issue, add failed: no certificate"

M=$(marker)
echo "$M" >"$TEST_TMP/add-hangs"
rm -f "$LOG"
acme issue --hook-timeout 1 --dns-hook "$TEST_TMP/dnsmark" a.hangs.example b.hangs.example
assert_rc 2 "issue: the second name's dns hook add hangs"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "issue, add stopped: one line on stderr"
assert_contains "$ERR" "acmectl: dns hook timed out after 1 s: $TEST_TMP/dnsmark add $(sed -n '2s/^add //p' "$LOG")" \
	"issue, add stopped: the line says the add timed out"
added_and_removed 2 "issue, add stopped"
assert_true "issue, add stopped: nothing of it is left running" gone "$M"
rm "$TEST_TMP/add-hangs"

touch "$TEST_TMP/remove-fails"
rm -f "$LOG"
acme issue --hook-timeout 10 --dns-hook "$TEST_TMP/dnsmark" a.rmfails.example b.rmfails.example
assert_rc 2 "issue: the add fails, and so do the removes"
assert_eq 2 "$(printf '%s\n' "$ERR" | grep -c 'warning: dns hook .* remove .* failed with exit status 1$')" \
	"issue, removes failed: a warning each"
assert_contains "$ERR" "acmectl: dns hook $TEST_TMP/dnsmark add $(sed -n '2s/^add //p' "$LOG") failed with exit status 1" \
	"issue, removes failed: the error is still the add's"
added_and_removed 2 "issue, removes failed"
rm "$TEST_TMP/remove-fails"

# renew: its one name's add fails, then one is stopped; exit 1 as documented
echo 99 >"$TEST_TMP/fail-at"
acme issue --dns-hook "$TEST_TMP/dnsmark" renewed.fails.example
assert_rc 0 "issue renewed.fails.example through the logging hook"
pebble_new_account
echo 1 >"$TEST_TMP/fail-at"
for how in fails hangs; do
	M=$(marker)
	[ "$how" = fails ] || echo "$M" >"$TEST_TMP/add-hangs"
	rm -f "$LOG"
	acme renew --force --hook-timeout 1 renewed.fails.example
	assert_rc 1 "renew: the dns hook add $how"
	assert_contains "$OUT" "renewed.fails.example: failed: dns hook" "renew, add $how: the certificate's line says so"
	added_and_removed 1 "renew, add $how"
	[ "$how" = fails ] || assert_true "renew, add stopped: nothing of it is left running" gone "$M"
	rm -f "$TEST_TMP/add-hangs"
done

# Bad values: exit 2, one line, before anything runs
SNAP=$(state_snapshot "$STATE")
for bad in -1 86401 1.5 5s '' ' 5' 0x10 99999999999; do
	acme renew --hook-timeout="$bad"
	assert_rc 2 "--hook-timeout='$bad'"
	assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "--hook-timeout='$bad': one line on stderr"
	assert_contains "$ERR" "--hook-timeout" "--hook-timeout='$bad': the error names the option"
done
acme list --hook-timeout 5
assert_rc 2 "--hook-timeout with list"
assert_contains "$ERR" "option --hook-timeout is not valid for list" "says where it is valid"
assert_eq "$SNAP" "$(state_snapshot "$STATE")" "nothing written for bad values"

test_done
