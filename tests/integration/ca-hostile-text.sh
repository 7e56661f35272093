#!/bin/bash
# ca-hostile-text.sh - a CA's words are data, not terminal output
# (fault_ca.py before Pebble): problem documents whose detail and
# subproblems carry ANSI escapes, CR, BEL and newlines that forge an
# "acmectl:" line, one that is not valid UTF-8, one with 1 MB of detail,
# and a Retry-After header with escapes. stderr gets one line per error
# (plus one per subproblem), with every control character and invalid byte
# escaped, valid UTF-8 throughout, each server text cut to 300 bytes and
# "…"; renew --json stays valid JSON; exit 1, nothing written. An account
# object with control characters is shown escaped by account show.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/fault_ca.sh"

fault_ca_begin text.example
ERRFILE="$TEST_TMP/acmectl.err"

# no_controls FILE: FILE has no control byte but newline, and no DEL.
no_controls() {
	! LC_ALL=C grep -q "$(printf '[\001-\011\013-\037\177]')" "$1"
}

# valid_utf8 FILE: FILE is valid UTF-8.
valid_utf8() {
	python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$1" 2>/dev/null
}

# is_json_array TEXT
is_json_array() {
	python3 -c 'import json,sys; sys.exit(0 if isinstance(json.loads(sys.argv[1]), list) else 1)' "$1" 2>/dev/null
}

# json_error_clean TEXT: the "error" of the first certificate in renew's
# --json TEXT is there and holds no control character.
json_error_clean() {
	python3 -c 'import json, sys
e = json.loads(sys.argv[1])[0].get("error") or ""
sys.exit(0 if e and all(ord(c) >= 0x20 and not 0x7f <= ord(c) < 0xa0 for c in e) else 1)' "$1"
}

# check_text FAULT EXPECTED: issue and then renew --force --json through the
# front breaking FAULT; issue's stderr is EXPECTED (lines), none forged,
# all escaped; renew's JSON is valid; nothing written.
check_text() {
	local fault=$1 expected=$2 snap start
	fault_ca_start "$fault" "$PORT"
	snap=$(state_snapshot "$STATE")
	start=$(date +%s)
	fault_acme issue --webroot "$WWW" other.example
	assert_rc 1 "$fault: issue fails with the CA's problem"
	assert_eq "$expected" "$ERR" "$fault: stderr is the escaped error, one line (+ subproblems)"
	assert_eq 0 "$(grep -c '^acmectl: \(issued\|forged\)' "$ERRFILE")" "$fault: no forged acmectl line"
	assert_true "$fault: no control character reaches the terminal" no_controls "$ERRFILE"
	assert_true "$fault: stderr is valid UTF-8" valid_utf8 "$ERRFILE"
	assert_true "$fault: stderr stays short ($(wc -c <"$ERRFILE") bytes)" \
		test "$(wc -c <"$ERRFILE")" -le 1000
	assert_true "$fault: issue ends within 60 s" test $(($(date +%s) - start)) -le 60
	assert_state_unchanged "$snap" "$STATE" "$fault: issue wrote nothing"

	fault_acme renew --force --json
	assert_rc 1 "$fault: renew --json fails with it"
	assert_true "$fault: renew --json prints valid JSON" is_json_array "$OUT"
	assert_true "$fault: its error is there, without control characters" json_error_clean "$OUT"
	assert_true "$fault: renew's stderr has no control character" no_controls "$ERRFILE"
	assert_true "$fault: renew's stderr is valid UTF-8" valid_utf8 "$ERRFILE"
	assert_state_unchanged "$snap" "$STATE" "$fault: renew wrote nothing"
	fault_ca_stop
}

check_text problem-control-chars "$(printf '%s\n' \
	'acmectl: new order: rejectedIdentifier: policy says no\x1b[2J\x1b[31m\r\nacmectl: issued ok.example, valid until 2099\x07\x1b]0;title\x07 end' \
	'  a\x1b[1mb.example: rejectedIdentifier: sub\nacmectl: forged sub line\x1b[0m')"
check_text problem-invalid-utf8 \
	'acmectl: new order: about:blank: HTTP 400: {"type":"urn:ietf:params:acme:error:malformed","status":400,"detail":"bad \xff\xfe bytes \xc3( and\nacmectl: forged"}'
# the 1 MB detail: "start " and A up to 300 bytes, then "…"
check_text problem-huge "acmectl: new order: rejectedIdentifier: start $(printf 'A%.0s' $(seq 294))…"
# a header value with control characters, quoted in the error line
check_text header-control-chars \
	'acmectl: rate limited until Retry-After \x1b[31msoon\x07\x1b[0m: new order: rateLimited: too many orders'

# an account object with control characters in its contact and status:
# account show prints them escaped, in text and in --json
fault_ca_start account-control-chars "$PORT"
fault_acme account show
assert_rc 0 "account-control-chars: account show"
assert_contains "$OUT" 'contact: mailto:admin@acmectl.example\x1b[8m\nacmectl: forged' \
	"account-control-chars: the contact is shown escaped"
assert_contains "$OUT" 'status:  valid\x1b]0;title\x07\r' "account-control-chars: so is the status"
printf '%s\n' "$OUT" >"$TEST_TMP/show.out"
assert_true "account-control-chars: no control character on stdout" no_controls "$TEST_TMP/show.out"
fault_acme --json account show
assert_rc 0 "account-control-chars: account show --json"
assert_eq 'mailto:admin@acmectl.example\x1b[8m\nacmectl: forged' "$(json_field "$OUT" contact)" \
	"account-control-chars: the JSON contact is the escaped text"
assert_eq 2 "$(fault_events '^FAULT account-control-chars ')" "account-control-chars: the front sent it to both"
fault_ca_stop
test_done
