# shellcheck shell=bash
# ari.sh - an ACME server with ARI (RFC 9773) for the renew tests: the
# ari_server.py front relaying to this test's Pebble and adding renewalInfo
# (sourced, bash; sources pebble.sh). Call pebble_start first.
#
# ari_start exports:
#   ARI_DIR_URL   https://localhost:PORT/dir of the front
#   ARI_LOG       its event log (RENEWALINFO ID, NEWORDER replaces=ID|- -> STATUS,
#                 REQUEST METHOD PATH)
#   ARI_CONTROL   the control file ari_window writes

# shellcheck source=pebble.sh
. "$(dirname "${BASH_SOURCE[0]}")/pebble.sh"

# shellcheck disable=SC2034 # set by spawn, which stops it at exit
ARI_PID=

# rfc3339 OFFSET: the time OFFSET seconds from now, as RFC 3339 UTC.
rfc3339() {
	date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ
}

# at TIME: TIME as RFC 3339: seconds from now, or an RFC 3339 time as is.
at() {
	case "$1" in
	*T*) echo "$1" ;;
	*) rfc3339 "$1" ;;
	esac
}

# ari_window START END [RETRY_AFTER] [EXTRA_JSON_MEMBERS]: the window the
# front suggests from now on, START and END in seconds from now or RFC 3339
# times; RETRY_AFTER "" sends none; EXTRA e.g. '"status": 500' or
# '"reject_replaces": true'.
ari_window() {
	local retry=${3-3600} extra=${4:-}
	{
		printf '{"start": "%s", "end": "%s"' "$(at "$1")" "$(at "$2")"
		[ -z "$retry" ] || printf ', "retry_after": "%s"' "$retry"
		[ -z "$extra" ] || printf ', %s' "$extra"
		printf '}\n'
	} >"$ARI_CONTROL.tmp"
	mv "$ARI_CONTROL.tmp" "$ARI_CONTROL"
}

# ari_start: starts the front on a free port (window 30..31 days ahead).
ari_start() {
	local port pebble_hostport=${PEBBLE_DIR_URL#https://}
	pebble_hostport=${pebble_hostport%%/*}
	pebble_free_port port
	ARI_LOG="$TEST_TMP/ari-events.log"
	ARI_CONTROL="$TEST_TMP/ari-control.json"
	ari_window $((30 * 86400)) $((31 * 86400))
	spawn ARI_PID "$TEST_TMP/ari-server.log" python3 "$(dirname "${BASH_SOURCE[0]}")/ari_server.py" \
		--port "$port" --cert "$TEST_TMP/pebble/server.pem" --key "$TEST_TMP/pebble/server.key" \
		--upstream "$pebble_hostport" --upstream-ca "$PEBBLE_CA" \
		--control "$ARI_CONTROL" --log "$ARI_LOG"
	wait_for_port "$port" 10 || fail "ari_server did not start: $(cat "$TEST_TMP/ari-server.log")"
	ARI_DIR_URL="https://localhost:$port/dir"
	curl -sf --max-time 5 --cacert "$PEBBLE_CA" "$ARI_DIR_URL" | grep -q renewalInfo ||
		fail "ari_server does not serve a directory with renewalInfo"
	export ARI_DIR_URL ARI_LOG ARI_CONTROL
	echo "# ari front: $ARI_DIR_URL"
}

# ari_acme ARGS...: run_acmectl against the front.
ari_acme() {
	run_acmectl --server "$ARI_DIR_URL" --ca-bundle "$PEBBLE_CA" \
		--state-dir "${STATE:-$TEST_TMP/state}" "$@"
}

# ari_events PATTERN: how many lines of the event log match the ERE PATTERN.
ari_events() {
	grep -cE -- "$1" "$ARI_LOG" || true
}

# ari_cert_id_of CERT: the RFC 9773 identifier of a certificate file,
# computed from openssl's text output (independently of acmectl):
# base64url(AKI keyIdentifier) "." base64url(DER content of the serial).
ari_cert_id_of() {
	local aki serial
	aki=$(openssl x509 -in "$1" -noout -ext authorityKeyIdentifier |
		sed -n 's/^ *\(keyid:\)\{0,1\}\([0-9A-Fa-f:]*\)$/\2/p' | head -n 1)
	serial=$(openssl x509 -in "$1" -noout -serial | sed 's/^serial=//')
	python3 - "$aki" "$serial" <<'EOF'
import base64, sys
aki, serial = bytes.fromhex(sys.argv[1].replace(":", "")), sys.argv[2]
if len(serial) % 2:
    serial = "0" + serial
raw = bytes.fromhex(serial)
if not raw or raw[0] & 0x80:
    raw = b"\0" + raw
enc = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
print(enc(aki) + "." + enc(raw))
EOF
}

# json_set FILE KEY VALUE: sets member KEY of the JSON object in FILE to the
# string VALUE (or removes it when VALUE is "-").
json_set() {
	python3 - "$@" <<'EOF'
import json, sys
path, key, value = sys.argv[1:4]
doc = json.load(open(path))
if value == "-":
    doc.pop(key, None)
else:
    doc[key] = value
json.dump(doc, open(path, "w"), indent=2, sort_keys=True)
EOF
}
