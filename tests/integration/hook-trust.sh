#!/bin/bash
# hook-trust.sh - acmectl never runs a program another user could have
# planted or replaced: a dns, deploy, pre or post hook owned by someone else
# (nobody), writable by group or others, in a directory someone else may
# write to, or reached through a symlink to such a file, is refused before
# anything is ordered (exit 4, one line naming path, owner and mode; no
# certificate, nothing run). A CA asking to validate a name that was not
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

# --deadline before --hook-timeout: the hook is stopped at the deadline
challtest_dns_hook "$H/dns-hang" "exec sleep 120"
t0=$(date +%s)
acme issue --dns-hook "$H/dns-hang" --deadline 3 --hook-timeout 300 hang.example
t1=$(date +%s)
assert_rc 2 "a hung dns hook under --deadline 3"
assert_contains "$ERR" "when --deadline ran out: $H/dns-hang add _acme-challenge.hang.example" \
	"the line says the deadline stopped it"
# generous: the hook would otherwise run 120 s, or 300
assert_true "stopped well before the hook timeout ($((t1 - t0)) s)" test $((t1 - t0)) -lt 60
assert_no_file "$STATE/certs/hang.example" "no certificate"

test_done
