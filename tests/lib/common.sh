# common.sh - helpers for acmectl's integration tests (sourced, bash).
#
# Provides: a per-test temp dir ($TEST_TMP) removed at exit, at_exit cleanup
# hooks, assertions that print one "ok"/"not ok" line each, run_acmectl
# (captures stdout, stderr and the exit code), a webroot HTTP server, and
# require_root (exit 77 = automake SKIP). Every test's log ends with its
# wall time ("# wall time: NAME N.N s"), which tests/run-all.sh ranks.
#
# A test script does:   set -eu; . lib/common.sh; . lib/pebble.sh; ...; test_done

[ -n "${COMMON_SH_LOADED:-}" ] && return 0
COMMON_SH_LOADED=1

TEST_NAME=$(basename "${0%.sh}")
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/acmectl-$TEST_NAME.XXXXXX")
ASSERT_PASSED=0
ASSERT_FAILED=0
AT_EXIT_HOOKS=()
TEST_START=$EPOCHREALTIME

# wall_time: prints how long the test has run, cleanup included, in the
# one form run-all.sh looks for.
wall_time() {
	local now=$EPOCHREALTIME
	# tenths of a second: integers only, bash has no floating point
	local tenths=$(( (${now/./} - ${TEST_START/./}) / 100000 ))
	echo "# wall time: $TEST_NAME $((tenths / 10)).$((tenths % 10)) s"
}

# Runs the cleanup hooks last-registered first, then removes $TEST_TMP
# (kept when KEEP_TMP=1, for debugging), then prints the wall time.
run_at_exit() {
	local rc=$? i
	trap - EXIT INT TERM HUP
	set +e
	for ((i = ${#AT_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
		eval "${AT_EXIT_HOOKS[i]}"
	done
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		echo "# kept $TEST_TMP"
	else
		rm -rf "$TEST_TMP"
	fi
	wall_time
	exit "$rc"
}
trap run_at_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# at_exit CMD: runs the shell command CMD when the script exits, also on
# failure or signal.
at_exit() {
	AT_EXIT_HOOKS+=("$1")
}

# fail MSG: prints MSG and exits 1 at once.
fail() {
	echo "FAIL: $TEST_NAME: $*" >&2
	echo "not ok - $*"
	exit 1
}

# skip MSG: exits 77, which automake counts as SKIP.
skip() {
	echo "SKIP: $TEST_NAME: $*"
	exit 77
}

require_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
}

pass_() {
	ASSERT_PASSED=$((ASSERT_PASSED + 1))
	echo "ok $((ASSERT_PASSED + ASSERT_FAILED)) - $1"
}

# Records a failed assertion and goes on, so one run shows every failure.
fail_() {
	ASSERT_FAILED=$((ASSERT_FAILED + 1))
	echo "not ok $((ASSERT_PASSED + ASSERT_FAILED)) - $1"
	shift
	local line
	for line in "$@"; do
		printf '#   %s\n' "$line"
	done
}

# assert_eq EXPECTED ACTUAL DESC
assert_eq() {
	if [ "$1" = "$2" ]; then
		pass_ "$3"
	else
		fail_ "$3" "expected: $1" "actual:   $2"
	fi
}

# assert_ne UNEXPECTED ACTUAL DESC
assert_ne() {
	if [ "$1" != "$2" ]; then
		pass_ "$3"
	else
		fail_ "$3" "unexpected: $2"
	fi
}

# assert_contains HAYSTACK NEEDLE DESC (fixed string, case-sensitive)
assert_contains() {
	case "$1" in
	*"$2"*) pass_ "$3" ;;
	*) fail_ "$3" "missing: $2" "in: $1" ;;
	esac
}

# assert_icontains HAYSTACK NEEDLE DESC (fixed string, case-insensitive)
assert_icontains() {
	if printf '%s' "$1" | grep -qiF -- "$2"; then
		pass_ "$3"
	else
		fail_ "$3" "missing (any case): $2" "in: $1"
	fi
}

# assert_not_contains HAYSTACK NEEDLE DESC
assert_not_contains() {
	case "$1" in
	*"$2"*) fail_ "$3" "unexpected: $2" "in: $1" ;;
	*) pass_ "$3" ;;
	esac
}

# assert_true DESC CMD...: passes when CMD exits 0.
assert_true() {
	local desc=$1
	shift
	if "$@"; then
		pass_ "$desc"
	else
		fail_ "$desc" "command failed: $*"
	fi
}

# assert_false DESC CMD...: passes when CMD exits non-zero.
assert_false() {
	local desc=$1
	shift
	if "$@"; then
		fail_ "$desc" "command succeeded: $*"
	else
		pass_ "$desc"
	fi
}

# assert_file_mode FILE MODE (octal, e.g. 600)
assert_file_mode() {
	local mode
	if mode=$(stat -L -c %a "$1" 2>/dev/null); then
		assert_eq "$2" "$mode" "mode of ${1#"$TEST_TMP"/} is $2"
	else
		fail_ "mode of ${1#"$TEST_TMP"/} is $2" "no such file: $1"
	fi
}

assert_file_exists() {
	if [ -e "$1" ]; then
		pass_ "${2:-${1#"$TEST_TMP"/} exists}"
	else
		fail_ "${2:-${1#"$TEST_TMP"/} exists}" "no such file: $1"
	fi
}

assert_no_file() {
	if [ -e "$1" ] || [ -L "$1" ]; then
		fail_ "${2:-${1#"$TEST_TMP"/} does not exist}" "exists: $1"
	else
		pass_ "${2:-${1#"$TEST_TMP"/} does not exist}"
	fi
}

# test_done: prints the tally and exits 0 only when no assertion failed and
# at least one ran.
test_done() {
	echo "# $TEST_NAME: $ASSERT_PASSED passed, $ASSERT_FAILED failed"
	[ "$ASSERT_FAILED" = 0 ] || exit 1
	[ "$ASSERT_PASSED" -gt 0 ] || fail "no assertion ran"
	exit 0
}

# resolve_acmectl: sets ACMECTL to the absolute path of the binary under
# test (make check exports it; else ../acmectl or ./acmectl) or fails.
resolve_acmectl() {
	if [ -z "${ACMECTL:-}" ]; then
		if [ -x ../acmectl ]; then
			ACMECTL=../acmectl
		else
			ACMECTL=./acmectl
		fi
	fi
	[ -x "$ACMECTL" ] || fail "acmectl binary not found at $ACMECTL (set ACMECTL)"
	case "$ACMECTL" in /*) ;; *) ACMECTL="$PWD/$ACMECTL" ;; esac
}

# assert_no_sanitizer_report FILE WHAT: a sanitizer report in FILE (the
# stderr of a run of WHAT) is a failure even when the exit code looks
# right. So is LeakSanitizer saying it could not run (under ptrace, e.g.
# strace), which would otherwise let leaks pass unseen.
assert_no_sanitizer_report() {
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|LeakSanitizer has encountered a fatal error' "$1"; then
		fail_ "no sanitizer report from: $2" "$(grep -m 3 -E 'Sanitizer|runtime error:' "$1")"
	fi
}

# run_acmectl ARGS...: runs acmectl under a deadline; sets RC, OUT and ERR
# (stdout and stderr as text) and never fails itself, so set -e is safe.
# ACMECTL_DEADLINE (seconds, default 60) bounds a hang.
run_acmectl() {
	local rc=0
	resolve_acmectl
	timeout -k 5 "${ACMECTL_DEADLINE:-60}" "$ACMECTL" "$@" \
		>"$TEST_TMP/acmectl.out" 2>"$TEST_TMP/acmectl.err" </dev/null || rc=$?
	RC=$rc
	OUT=$(cat "$TEST_TMP/acmectl.out")
	ERR=$(cat "$TEST_TMP/acmectl.err")
	assert_no_sanitizer_report "$TEST_TMP/acmectl.err" "acmectl $*"
	{
		echo "# \$ acmectl $* -> exit $RC"
		[ -z "$OUT" ] || printf '%s\n' "$OUT" | sed 's/^/#   out: /' | head -n 40
		[ -z "$ERR" ] || printf '%s\n' "$ERR" | sed 's/^/#   err: /' | head -n 40
	} >&2
}

# assert_rc EXPECTED DESC: checks $RC from the last run_acmectl.
assert_rc() {
	if [ "$RC" = "$1" ]; then
		pass_ "$2 (exit $1)"
	else
		fail_ "$2 (exit $1)" "exit code: $RC" "stderr: $ERR"
	fi
}

# assert_rc_in "1 2" DESC: $RC is one of the listed codes.
assert_rc_in() {
	case " $1 " in
	*" $RC "*) pass_ "$2 (exit $RC, allowed: $1)" ;;
	*) fail_ "$2 (exit one of: $1)" "exit code: $RC" "stderr: $ERR" ;;
	esac
}

# state_snapshot DIR: one line per entry (path, type, mode, size, link
# target) and the SHA-256 of every file, or "absent", so two snapshots
# compare equal only when nothing changed. With SNAPSHOT_BUT_FAILURE_RECORD
# set, a certificate's issuance.json counts as unchanged when only its
# last_attempt and last_error moved: a failed run records its failure
# there (so it stays visible until fixed), and must change nothing else.
state_snapshot() {
	if [ ! -e "$1" ]; then
		echo absent
		return 0
	fi
	if [ -n "${SNAPSHOT_BUT_FAILURE_RECORD:-}" ]; then
		(cd "$1" && find . ! -name issuance.json -printf '%p %y %m %s %l\n' | sort &&
			find . -name issuance.json -printf '%p %y %m\n' | sort &&
			find . -type f ! -name issuance.json -print0 | sort -z | xargs -0r sha256sum &&
			find . -type f -name issuance.json -print0 | sort -z |
			xargs -0r python3 -c '
import json, sys
for path in sys.argv[1:]:
    doc = json.load(open(path))
    for k in ("last_attempt", "last_error"):
        doc.pop(k, None)
    print(path, json.dumps(doc, sort_keys=True))')
		return 0
	fi
	(cd "$1" && find . -printf '%p %y %m %s %l\n' | sort &&
		find . -type f -print0 | sort -z | xargs -0r sha256sum)
}

# assert_state_unchanged SNAPSHOT DIR DESC: DIR is as state_snapshot saw it
# (every path, mode, size and byte); the difference is shown when not.
assert_state_unchanged() {
	local now lines
	now=$(state_snapshot "$2")
	if [ "$1" = "$now" ]; then
		pass_ "$3"
	else
		mapfile -t lines < <(diff <(printf '%s\n' "$1") <(printf '%s\n' "$now") |
			grep '^[<>]' | head -n 10)
		fail_ "$3" "${lines[@]}"
	fi
}

# sha_of FILE: the SHA-256 of FILE, or "missing".
sha_of() {
	if [ -f "$1" ]; then
		sha256sum <"$1" | cut -d' ' -f1
	else
		echo missing
	fi
}

# port_in_use PORT: something listens on 127.0.0.1:PORT (TCP).
port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_for_port PORT [SECONDS]: waits until 127.0.0.1:PORT accepts connections.
wait_for_port() {
	local i tries=$((${2:-10} * 20))
	for ((i = 0; i < tries; i++)); do
		port_in_use "$1" && return 0
		sleep 0.05
	done
	return 1
}

# wait_for_line FILE TEXT [SECONDS]: waits until FILE holds a line with TEXT
# (a server of the test's own printing that it is ready).
wait_for_line() {
	local i tries=$((${3:-10} * 20))
	for ((i = 0; i < tries; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# wait_port_free PORT [SECONDS]: waits until nothing listens on PORT.
wait_port_free() {
	local i tries=$((${2:-10} * 20))
	for ((i = 0; i < tries; i++)); do
		port_in_use "$1" || return 0
		sleep 0.05
	done
	return 1
}

# spawn PIDVAR LOG CMD...: starts CMD in the background with output to LOG
# and stores its pid in PIDVAR; it is stopped at exit unless stop_pid ran.
# Where setpriv exists the process also dies with this shell if the shell is
# killed outright (SIGKILL), so no server outlives its test.
SPAWNED_PIDS=" "
spawn() {
	local _var=$1 _log=$2
	shift 2
	if command -v setpriv >/dev/null 2>&1; then
		setpriv --pdeathsig KILL -- "$@" >"$_log" 2>&1 </dev/null &
	else
		"$@" >"$_log" 2>&1 </dev/null &
	fi
	printf -v "$_var" '%s' "$!"
	[ "$SPAWNED_PIDS" != " " ] || at_exit stop_spawned
	SPAWNED_PIDS="$SPAWNED_PIDS$! "
}

# stop_pid PID: terminates a process started by spawn (SIGKILL after 2 s)
# and reaps it. Does nothing for other pids or one already stopped.
stop_pid() {
	local i
	case "$SPAWNED_PIDS" in *" $1 "*) ;; *) return 0 ;; esac
	SPAWNED_PIDS="${SPAWNED_PIDS/ $1 / }"
	kill -TERM "$1" 2>/dev/null || true
	for ((i = 0; i < 40; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# stop_spawned: stops every process of spawn still running (at exit).
stop_spawned() {
	local pid
	for pid in $SPAWNED_PIDS; do
		stop_pid "$pid"
	done
}

# dns_stub_start PIDVAR MODE PORT: dns_stub.py on 127.0.0.1:PORT (UDP),
# MODE silent (never answers) or empty (answers at once, no record); its pid
# in PIDVAR, stopped at exit. Returns once it listens.
dns_stub_start() {
	local log="$TEST_TMP/dns-stub-$3.log"
	spawn "$1" "$log" python3 "$(dirname "${BASH_SOURCE[0]}")/dns_stub.py" --mode "$2" --port "$3"
	wait_for_line "$log" ready || fail "the $2 DNS server on port $3 did not start: $(cat "$log")"
}

# webroot_start DIR PORT: serves DIR over plain HTTP on 127.0.0.1:PORT
# (what Pebble's VA fetches http-01 tokens from; webroot.py has a backlog
# that takes Pebble's three fetches per challenge). One server at a time.
WEBROOT_PID=
webroot_start() {
	[ -z "$WEBROOT_PID" ] || fail "webroot_start: a webroot server is already running"
	mkdir -p "$1"
	spawn WEBROOT_PID "$TEST_TMP/webroot-$2.log" \
		python3 "$(dirname "${BASH_SOURCE[0]}")/webroot.py" "$1" "$2"
	wait_for_port "$2" 10 || fail "webroot server on port $2 did not start: $(cat "$TEST_TMP/webroot-$2.log")"
	WEBROOT_PORT=$2
}

# webroot_stop: stops the server of webroot_start and waits for its port.
webroot_stop() {
	[ -n "$WEBROOT_PID" ] || return 0
	stop_pid "$WEBROOT_PID"
	WEBROOT_PID=
	wait_port_free "$WEBROOT_PORT" 5 || fail "webroot port $WEBROOT_PORT still in use"
}

# json_field, json_step, json_ids, is_json_object, json_view and jv: the
# tests' one JSON reader
# shellcheck source=jsonview.sh
. "$(dirname "${BASH_SOURCE[0]}")/jsonview.sh"
