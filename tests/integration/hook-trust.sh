#!/bin/bash
# hook-trust.sh - acmectl never runs a program another user could have
# planted or replaced: a dns, deploy, pre or post hook owned by someone else
# (nobody), writable by group or others, in a directory someone else may
# write to, or reached through a symlink to such a file, is refused before
# anything is ordered (exit 4, one line naming path, owner and mode; no
# certificate, nothing run); a deploy hook planted later, during the order,
# is refused when it would run (exit 4 too, the new certificate kept with
# its deployment pending). A CA asking to validate a name that was not
# ordered gets no record published (exit 1, the hook never runs). A hung
# dns hook is stopped at --deadline when that comes before --hook-timeout.
# Needs root (to plant files as nobody).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/fault_ca.sh"
require_root

export PEBBLE_AUTHZREUSE=0
pebble_start
STATE="$TEST_TMP/state"
H="$TEST_TMP/hooks"
mkdir -m 0755 "$H"
RAN="$TEST_TMP/ran"

# a dns hook that notes each run in $RAN, then publishes in challtestsrv
challtest_dns_hook "$H/dns" "echo \"\$1 \$2\" >>'$RAN'"
acme issue --dns-hook "$H/dns" --email admin@acmectl.example --agree-tos good.example
assert_rc 0 "a hook of root's, mode 0755, in root's 0755 directories runs"
assert_cert_issued "$STATE/certs/good.example" good.example
SNAP=$(state_snapshot "$STATE")

# refused: exit 4, one line naming what, whose and which mode; nothing run,
# nothing ordered, the state as it was
refused() { # DESC PATTERN ARGS...
	local desc=$1 pattern=$2 orders
	shift 2
	rm -f "$RAN"
	orders=$(pebble_request_count 'POST /order-plz')
	acme issue "$@" planted.example
	assert_rc 4 "$desc"
	assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "$desc: one line"
	assert_contains "$ERR" "$pattern" "$desc: the line names path, owner and mode"
	assert_no_file "$RAN" "$desc: the hook did not run"
	assert_eq "$orders" "$(pebble_request_count 'POST /order-plz')" "$desc: nothing ordered"
	assert_state_unchanged "$SNAP" "$STATE" "$desc: the state is unchanged"
}

cp -p "$H/dns" "$H/dns-nobody"
chown nobody "$H/dns-nobody"
refused "a dns hook owned by nobody" \
	"acmectl: dns hook: refusing to use $H/dns-nobody: it is owned by nobody (uid $(id -u nobody)) with mode 0755" \
	--dns-hook "$H/dns-nobody"

cp -p "$H/dns" "$H/dns-g+w"
chmod 0775 "$H/dns-g+w"
refused "a group-writable dns hook" "refusing to use $H/dns-g+w: it is owned by root (uid 0) with mode 0775" \
	--dns-hook "$H/dns-g+w"

mkdir -m 0777 "$TEST_TMP/open"
cp -p "$H/dns" "$TEST_TMP/open/dns"
refused "a dns hook in a world-writable directory" \
	"refusing to use $TEST_TMP/open: it is owned by root (uid 0) with mode 0777" \
	--dns-hook "$TEST_TMP/open/dns"

mkdir -m 0755 "$TEST_TMP/theirs"
cp -p "$H/dns" "$TEST_TMP/theirs/dns"
chown nobody "$TEST_TMP/theirs"
refused "a dns hook in a directory owned by nobody" \
	"refusing to use $TEST_TMP/theirs: it is owned by nobody" --dns-hook "$TEST_TMP/theirs/dns"

ln -s "$H/dns-nobody" "$H/dns-link"
refused "a symlink of root's to a hook owned by nobody" \
	"refusing to use $H/dns-nobody: it is owned by nobody" --dns-hook "$H/dns-link"

# by name through PATH: the file PATH finds is the one checked
mkdir -m 0755 "$TEST_TMP/bin"
cp -p "$H/dns" "$TEST_TMP/bin/acmectl-test-dns"
chmod 0757 "$TEST_TMP/bin/acmectl-test-dns"
PATH="$TEST_TMP/bin:$PATH" refused "a dns hook found in PATH, world-writable" \
	"refusing to use $TEST_TMP/bin/acmectl-test-dns: it is owned by root (uid 0) with mode 0757" \
	--dns-hook acmectl-test-dns

# deploy, pre and post hooks: the program their command starts
printf '#!/bin/sh\necho deployed >>"%s"\n' "$RAN" >"$H/deploy-nobody"
chmod 755 "$H/deploy-nobody"
chown nobody "$H/deploy-nobody"
for kind in deploy pre post; do
	refused "a $kind hook owned by nobody" \
		"$kind hook: refusing to use $H/deploy-nobody: it is owned by nobody" \
		--dns-hook "$H/dns" "--$kind-hook" "$H/deploy-nobody --flag"
done
# a command the shell must read first (quoting, expansions) is not guessed at
acme issue --dns-hook "$H/dns" --deploy-hook "\"$H/deploy-nobody\"" quoted.example
assert_rc 0 "a quoted deploy command is left to the shell"
rm -rf "$STATE/certs/quoted.example" "$STATE/archive/quoted.example"
SNAP=$(state_snapshot "$STATE")

# renew re-checks the remembered dns hook: planted since, it is refused
chown nobody "$H/dns"
rm -f "$RAN"
acme renew --force good.example
# every failure a trust refusal: renew exits with its kind, 4, as issue does
assert_rc 4 "renew refuses a remembered dns hook that now belongs to nobody"
assert_contains "$ERR" "good.example: dns hook: refusing to use $H/dns: it is owned by nobody" \
	"renew names the certificate and the hook"
assert_no_file "$RAN" "renew did not run it"
chown root "$H/dns"

# A deploy hook planted after the check before ordering, while the order
# runs (here by the dns hook itself), is refused when its turn comes: exit 4
# as before ordering, not the 1 of a hook that ran and failed; the new
# certificate is kept and its deployment stays pending.
printf '#!/bin/sh\necho deployed >>"%s"\n' "$RAN" >"$H/deploy-late"
chmod 0755 "$H/deploy-late"
challtest_dns_hook "$H/dns-plants" "[ \"\$1\" = add ] && chmod 0775 '$H/deploy-late'"
LATE="$STATE/certs/late.example"
late_refusal="deploy hook: refusing to use $H/deploy-late: it is owned by root (uid 0) with mode 0775"
rm -f "$RAN"
acme issue --dns-hook "$H/dns-plants" --deploy-hook "$H/deploy-late" late.example
assert_rc 4 "issue: a deploy hook planted during the order"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "issue: one line"
assert_contains "$ERR" "acmectl: certificate late.example was issued: $late_refusal" \
	"issue: the line names the certificate, the hook, its owner and mode"
assert_no_file "$RAN" "issue: the planted deploy hook did not run"
assert_cert_issued "$LATE" late.example
assert_eq true "$(json_field "$LATE/issuance.json" deploy_pending)" "issue: the deployment stays pending"

# renew --force: checked before ordering (passes), planted during the order
chmod 0755 "$H/deploy-late"
OLD_GEN=$(readlink "$LATE")
OLD_CERT=$(sha_of "$LATE/cert.pem")
pebble_new_account  # new authorizations, so the dns hook runs again
acme renew --force late.example
assert_rc 4 "renew --force: a deploy hook planted during the order"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c "refusing")" "renew --force: one refusal"
assert_contains "$ERR" "late.example: $late_refusal" "renew --force: the line names the certificate and the hook"
assert_no_file "$RAN" "renew --force: the planted deploy hook did not run"
assert_ne "$OLD_GEN" "$(readlink "$LATE")" "renew --force: the new certificate is kept"
assert_eq "$OLD_CERT" "$(sha_of "$STATE/certs/$OLD_GEN/cert.pem")" "renew --force: the previous one is untouched"
assert_cert_issued "$LATE" late.example
assert_eq true "$(json_field "$LATE/issuance.json" deploy_pending)" "renew --force: the deployment stays pending"

# renew, nothing due: the pending deployment meets the planted hook
SNAP=$(SNAPSHOT_BUT_FAILURE_RECORD=1 state_snapshot "$STATE")
acme renew late.example
assert_rc 4 "renew: a pending deployment's hook planted since"
assert_contains "$ERR" "late.example: $late_refusal" "renew: the line names the certificate and the hook"
assert_no_file "$RAN" "renew: the planted deploy hook did not run"
assert_eq "$SNAP" "$(SNAPSHOT_BUT_FAILURE_RECORD=1 state_snapshot "$STATE")" \
	"renew: only the failure is recorded"
assert_contains "$(json_field "$LATE/issuance.json" last_error)" "$late_refusal" "renew: last_error says why"

# trusted again: the pending deployment runs; a hook that runs and fails is 1
chmod 0755 "$H/deploy-late"
acme renew late.example
assert_rc 0 "renew: the pending deployment runs once the hook is trusted"
assert_eq deployed "$(cat "$RAN")" "renew: the deploy hook ran"
assert_eq false "$(json_field "$LATE/issuance.json" deploy_pending)" "renew: nothing pending"
acme issue --dns-hook "$H/dns" --deploy-hook "exit 3" failing.example
assert_rc 1 "issue: a deploy hook that ran and failed"
assert_contains "$ERR" "acmectl: certificate failing.example was issued: deploy hook \`exit 3\` failed with exit status 3" \
	"issue: the line says how the hook failed"

# a CA asking to validate another name: nothing published, exit 1
fault_ca_start authz-other-identifier
rm -f "$RAN"
fault_acme issue --dns-hook "$H/dns" --email admin@acmectl.example --agree-tos asked.example
assert_rc 1 "an authorization for a name not ordered"
assert_eq 1 "$(printf '%s\n' "$ERR" | grep -c .)" "one line"
assert_contains "$ERR" "the CA asks to validate evil.example.net, which was not ordered; nothing was published for it" \
	"the line names the name not ordered"
assert_no_file "$RAN" "the dns hook never ran"
assert_no_file "$STATE/certs/asked.example" "no certificate"
fault_ca_stop

# --deadline before --hook-timeout: the hook's add is stopped at the
# deadline, and its remove runs (bounded by --hook-timeout alone) all the same
challtest_dns_hook "$H/dns-hang" "echo \"\$1 \$2\" >>'$TEST_TMP/hang.calls'
[ \"\$1\" = add ] && exec sleep 120"
t0=$(date +%s)
acme issue --dns-hook "$H/dns-hang" --deadline 3 --hook-timeout 300 hang.example
t1=$(date +%s)
assert_rc 2 "a hung dns hook under --deadline 3"
assert_contains "$ERR" "when --deadline ran out: $H/dns-hang add _acme-challenge.hang.example" \
	"the line says the deadline stopped it"
# generous: the hook would otherwise run 120 s, or 300
assert_true "stopped well before the hook timeout ($((t1 - t0)) s)" test $((t1 - t0)) -lt 60
assert_eq 1 "$(grep -cx 'remove _acme-challenge.hang.example' "$TEST_TMP/hang.calls")" \
	"the stopped add's record is removed, once"
assert_no_file "$STATE/certs/hang.example" "no certificate"

test_done
