# shellcheck shell=bash
# fault_ca.sh - a CA that answers wrongly on purpose: the fault_ca.py front
# relaying to this test's Pebble and rewriting one kind of answer (sourced,
# bash; sources pebble.sh). Call pebble_start (or pebble_start_webroot) first.
#
# fault_ca_start FAULT exports:
#   FAULT_DIR_URL   https://localhost:PORT/dir of the front
#   FAULT_LOG       its event log (REQUEST METHOD PATH, FAULT NAME METHOD PATH)
#   FAULT_CA_PEM    the certificate of the front's own CA (what forged
#                   certificates chain to)
# The front serves Pebble's server certificate, so --ca-bundle "$PEBBLE_CA"
# trusts it. fault_ca_stop stops it; another fault_ca_start may follow.

# shellcheck source=pebble.sh
. "$(dirname "${BASH_SOURCE[0]}")/pebble.sh"

FAULT_PID=

# fault_ca_start FAULT [PORT]: starts the front with --fault FAULT on PORT,
# by default a free port (give the port of an earlier front to keep the
# directory URL, so certificates issued through it can be renewed).
fault_ca_start() {
	local port=${2:-} pebble_hostport=${PEBBLE_DIR_URL#https://} work
	[ -z "$FAULT_PID" ] || fail "fault_ca_start: a front is already running"
	pebble_hostport=${pebble_hostport%%/*}
	[ -n "$port" ] || pebble_free_port port
	work="$TEST_TMP/fault-$1"
	mkdir -p "$work"
	FAULT_LOG="$work/events.log"
	spawn FAULT_PID "$work/server.log" python3 "$(dirname "${BASH_SOURCE[0]}")/fault_ca.py" \
		--fault "$1" --port "$port" --workdir "$work" \
		--cert "$TEST_TMP/pebble/server.pem" --key "$TEST_TMP/pebble/server.key" \
		--upstream "$pebble_hostport" --upstream-ca "$PEBBLE_CA" --log "$FAULT_LOG"
	wait_for_port "$port" 20 || fail "fault_ca.py did not start: $(cat "$work/server.log")"
	FAULT_DIR_URL="https://localhost:$port/dir"
	FAULT_CA_PEM="$work/fault-ca.pem"
	FAULT_PORT=$port
	export FAULT_DIR_URL FAULT_LOG FAULT_CA_PEM
	echo "# fault front ($1): $FAULT_DIR_URL"
}

# fault_ca_stop: stops the front of fault_ca_start.
fault_ca_stop() {
	[ -n "$FAULT_PID" ] || return 0
	stop_pid "$FAULT_PID"
	FAULT_PID=
	wait_port_free "$FAULT_PORT" 5 || fail "fault front port $FAULT_PORT still in use"
}

# fault_acme ARGS...: run_acmectl against the front, state in $STATE.
fault_acme() {
	run_acmectl --server "$FAULT_DIR_URL" --ca-bundle "$PEBBLE_CA" \
		--state-dir "${STATE:-$TEST_TMP/state}" "$@"
}

# fault_events PATTERN: how many lines of the front's log match the ERE PATTERN.
fault_events() {
	grep -cE -- "$1" "$FAULT_LOG" || true
}

# fault_ca_begin NAME...: what every CA-fault test starts from: Pebble with
# a webroot, an account and a live certificate for NAME... issued through
# the front without a fault (the account first, so the issuance keeps the
# front's directory in the state, as any run after the first does; and
# renew with nothing due, which makes the state's lock file), the front
# stopped again. Sets PORT (give it to fault_ca_start
# to keep the directory URL the certificate renews from) and URL (that
# directory URL). A failed run may then change only its failure record
# (SNAPSHOT_BUT_FAILURE_RECORD, common.sh).
fault_ca_begin() {
	pebble_start_webroot
	fault_ca_start none
	PORT=$FAULT_PORT
	URL=$FAULT_DIR_URL
	SNAPSHOT_BUT_FAILURE_RECORD=1
	fault_acme account register --email admin@acmectl.example --agree-tos
	assert_rc 0 "an account first, through the front without a fault"
	fault_acme issue --webroot "$WWW" "$@"
	assert_rc 0 "a live certificate first, through the front without a fault"
	fault_acme renew
	assert_rc 0 "renew when nothing is due (makes the state's lock file)"
	fault_ca_stop
}
