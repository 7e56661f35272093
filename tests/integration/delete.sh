#!/bin/bash
# delete.sh - `acmectl delete NAME`: asks on a terminal (typing NAME),
# refuses without one unless --yes, names the nearest kept certificate for a
# typo; afterwards list no longer shows it, renew ignores it, the account
# works as before, and a symlink planted in its archive is not followed out
# of the state directory.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/pebble.sh"

pebble_start_webroot
ACCT=$(pebble_account_dir "$STATE")

# on_tty ANSWER ARGS...: acmectl ARGS on a pseudo-terminal, ANSWER typed at
# its prompt; sets RC and OUT (both streams, as a terminal shows them).
on_tty() {
	local answer=$1
	shift
	resolve_acmectl
	RC=0
	OUT=$(timeout -k 5 60 python3 - "$answer" "$ACMECTL" --server "$PEBBLE_DIR_URL" \
		--ca-bundle "$PEBBLE_CA" --state-dir "$STATE" "$@" <<'PY'
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
out = b""
sent = False
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if not sent and b"to confirm: " in out:
        os.write(fd, sys.argv[1].encode() + b"\n")
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
PY
) || RC=$?
	echo "# tty: acmectl $* (typed '$answer') -> exit $RC" >&2
	printf '%s\n' "$OUT" | sed 's/^/#   tty: /' >&2
}

acme issue --webroot "$WWW" --email admin@acmectl.example --agree-tos a.example
assert_rc 0 "issue a.example"
acme issue --webroot "$WWW" b.example
assert_rc 0 "issue b.example"
acme issue --webroot "$WWW" --force b.example
assert_rc 0 "b.example's second generation"
acme issue --webroot "$WWW" c.example
assert_rc 0 "issue c.example"
ACCOUNT_BEFORE=$(state_snapshot "$ACCT")

# refused without a terminal, for a typo, and when not confirmed: nothing
# is removed
BEFORE=$(state_snapshot "$STATE")
acme delete b.example
assert_rc 2 "delete without a terminal and without --yes"
assert_contains "$ERR" "give --yes" "the error names --yes"
acme delete b.exmple --yes
assert_rc 2 "delete of an unknown name"
assert_contains "$ERR" "no certificate \"b.exmple\"" "the error names what was asked"
assert_contains "$ERR" "did you mean b.example?" "and the nearest kept name"
acme delete --yes
assert_rc 2 "delete without a NAME"
acme delete a.example b.example --yes
assert_rc 2 "delete of two NAMEs"
on_tty "a.example" delete b.example
assert_eq 2 "$RC" "typing another name does not confirm"
assert_contains "$OUT" "Type 'b.example' to confirm" "the prompt says what to type"
assert_contains "$OUT" "not confirmed" "and that nothing happened"
assert_state_unchanged "$BEFORE" "$STATE" "nothing was removed by the refusals"

# a link planted in the archive is removed as a link, never followed
mkdir -p "$TEST_TMP/outside"
echo keep >"$TEST_TMP/outside/privkey.pem"
ln -s "$TEST_TMP/outside/privkey.pem" "$STATE/archive/b.example/1/planted.pem"
ln -s "$TEST_TMP/outside" "$STATE/archive/b.example/99"

on_tty "b.example" delete b.example
assert_eq 0 "$RC" "typing the name confirms"
assert_contains "$OUT" "deleted certificate b.example" "delete says what it did"
assert_no_file "$STATE/certs/b.example" "the live link is gone"
assert_no_file "$STATE/archive/b.example" "every generation is gone"
assert_eq keep "$(cat "$TEST_TMP/outside/privkey.pem" 2>/dev/null)" \
	"the file behind a planted link is untouched"
assert_file_exists "$TEST_TMP/outside" "the directory behind a planted link is kept"

acme delete a.example --yes --json
assert_rc 0 "delete --yes --json"
assert_eq a.example "$(json_field "$OUT" name)" "--json name"
assert_eq true "$(json_field "$OUT" deleted)" "--json deleted"
acme delete a.example --yes
assert_rc 2 "a deleted certificate is unknown"

acme list --json
assert_rc 0 "list after delete"
assert_eq c.example "$(json_field "$OUT" 0.name)" "list shows the one left"
assert_eq "" "$(json_field "$OUT" 1.name)" "and nothing else"

acme renew --force
assert_rc 0 "renew --force after delete"
assert_not_contains "$OUT$ERR" "a.example" "renew ignores a deleted certificate"
assert_not_contains "$OUT$ERR" "b.example" "renew ignores the other"
assert_eq 2 "$(find "$STATE/archive/c.example" -mindepth 1 -maxdepth 1 | wc -l)" \
	"the one left was renewed"

assert_state_unchanged "$ACCOUNT_BEFORE" "$ACCT" "the account is untouched"
acme account show
assert_rc 0 "the account still works"
acme issue --webroot "$WWW" a.example
assert_rc 0 "a deleted name can be issued again"
assert_eq ../archive/a.example/1 "$(readlink "$STATE/certs/a.example")" \
	"as a new certificate"

# a renew holding the lock: delete waits for it (seconds, not an instant
# refusal), then deletes
spawn HOLDER "$TEST_TMP/holder.log" flock "$STATE/lock" sleep 2
sleep 0.3
START=$SECONDS
acme delete a.example --yes
assert_rc 0 "delete waits for a run holding the lock"
assert_true "it waited for the holder ($((SECONDS - START)) s)" test $((SECONDS - START)) -ge 1
assert_no_file "$STATE/certs/a.example" "then deleted"
stop_pid "$HOLDER"

test_done
