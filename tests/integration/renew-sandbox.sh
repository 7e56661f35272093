#!/bin/bash
# renew-sandbox.sh - the renewal service's own ExecStart renews a --webroot
# certificate that is due, inside the service's sandbox (ProtectSystem=strict:
# all read-only but ReadWritePaths=, emulated by unit_sandbox.sh in a private
# mount namespace) once the drop-in `issue --webroot` prints is in place, and
# fails cleanly without it ("Read-only file system", previous certificate
# untouched, no challenge file left). The certificate is made due through
# the ARI front (a renewal window in the past), the state lives in a
# stand-in for /var/lib, and the webroot's name has a space and a '%', which
# a unit file must quote and escape. Needs root (mount namespaces).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/ari.sh"

require_root
command -v unshare >/dev/null && command -v findmnt >/dev/null || skip "needs unshare and findmnt"
resolve_acmectl
REAL_ACMECTL=$ACMECTL
SANDBOX="$(cd "$(dirname "$0")/../lib" && pwd)/unit_sandbox.sh"
# the unit as make wrote it, bindir and all
UNIT="$(dirname "$REAL_ACMECTL")/contrib/systemd/acmectl-renew.service"
[ -f "$UNIT" ] || fail "no $UNIT: run make first"

# unit_values KEY FILE...: the words of every KEY= line of the files, as
# systemd reads them (quotes removed, "%%" for "%"), one a line
# (ReadWritePaths= adds up over the unit and its drop-ins).
unit_values() {
	python3 - "$@" <<'EOF'
import shlex, sys
key, files = sys.argv[1], sys.argv[2:]
for path in files:
    for line in open(path):
        if line.startswith(key + "="):
            for word in shlex.split(line[len(key) + 1:]):
                print(word.replace("%%", "%"))
EOF
}

# as_service FILE...: makes run_acmectl run ExecStart of the unit and
# drop-ins FILE... as the service would: its argv, an empty environment but
# the Environment= lines, the file system of ProtectSystem=strict with the
# ReadWritePaths=, and $VAR_LIB as /var/lib (StateDirectory=acmectl).
as_service() {
	local exec rw=() env=() p e
	exec=$(sed -n 's/^ExecStart=//p' "$@" | tail -n 1)
	read -ra ARGV <<<"$exec"
	assert_eq acmectl "$(basename "${ARGV[0]}")" "ExecStart runs acmectl ($exec)"
	ARGV=("${ARGV[@]:1}")
	while IFS= read -r p; do
		rw+=(--rw "$p")
	done < <(unit_values ReadWritePaths "$@")
	while IFS= read -r e; do
		env+=("$e")
	done < <(unit_values Environment "$@")
	# the sanitizers' settings of a sanitizer build pass through
	for e in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
		[ -z "${!e:-}" ] || env+=("$e=${!e}")
	done
	{
		echo '#!/bin/bash'
		printf 'exec %q --var-lib %q' "$SANDBOX" "$VAR_LIB"
		printf ' %q' "${rw[@]}"
		printf ' -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin'
		printf ' %q' "${env[@]}"
		printf ' %q "$@"\n' "$REAL_ACMECTL"
	} >"$TEST_TMP/service"
	chmod +x "$TEST_TMP/service"
	ACMECTL="$TEST_TMP/service"
}

# as_root_shell: run_acmectl with the same /var/lib stand-in, unsandboxed.
as_root_shell() {
	{
		echo '#!/bin/bash'
		printf 'exec %q --var-lib %q --no-ro -- %q "$@"\n' "$SANDBOX" "$VAR_LIB" "$REAL_ACMECTL"
	} >"$TEST_TMP/shell"
	chmod +x "$TEST_TMP/shell"
	ACMECTL="$TEST_TMP/shell"
}

# make_due: the ARI front suggests a window that has passed, and the next
# ARI check is due now.
make_due() {
	ari_window -7200 -3600
	json_set "$CERT/ari.json" next_check "$(rfc3339 -10)"
}

pebble_start
WWW="$TEST_TMP/web root%d"
webroot_start "$WWW" "$PEBBLE_HTTP_PORT"
ari_start
VAR_LIB="$TEST_TMP/var-lib"
CERT="$VAR_LIB/acmectl/certs/sandbox.example"
mkdir -p "$VAR_LIB"

assert_contains "$(cat "$UNIT")" "ProtectSystem=strict" "the unit protects the system"
assert_eq "/var/lib/acmectl -/var/www" "$(unit_values ReadWritePaths "$UNIT" | tr '\n' ' ' | sed 's/ $//')" \
	"the unit may write to its state and /var/www only"

# The sandbox emulation does bite: the state stand-in is writable, the rest not
cat >"$TEST_TMP/probe" <<'EOF'
#!/bin/bash
touch /var/lib/acmectl/probe && echo state-writable
touch "$1/probe" 2>&1 || true
EOF
chmod +x "$TEST_TMP/probe"
mkdir -p "$VAR_LIB/acmectl"
PROBE=$("$SANDBOX" --var-lib "$VAR_LIB" --rw /var/lib/acmectl -- "$TEST_TMP/probe" "$WWW")
assert_contains "$PROBE" "state-writable" "sandbox: the state directory is writable"
assert_contains "$PROBE" "Read-only file system" "sandbox: the webroot is read-only"
assert_no_file "$WWW/probe" "sandbox: nothing written to the webroot"
rm -f "$VAR_LIB/acmectl/probe"
rmdir "$VAR_LIB/acmectl"

# Issued by root as usual (state in /var/lib/acmectl): told what the service needs
as_root_shell
run_acmectl --server "$ARI_DIR_URL" --ca-bundle "$PEBBLE_CA" issue --webroot "$WWW" \
	--email admin@acmectl.example --agree-tos sandbox.example
assert_rc 0 "issue --webroot with the service's state directory"
assert_file_exists "$CERT/cert.pem" "the certificate is in the /var/lib stand-in"
WWW_REAL=$(realpath "$WWW")
assert_contains "$ERR" "acmectl-renew.service may write only to /var/lib/acmectl and /var/www" \
	"issue says the service cannot write to this webroot"
assert_contains "$ERR" "/etc/systemd/system/acmectl-renew.service.d/webroot.conf" \
	"issue names the drop-in file"
DROPIN_LINES=$(printf '%s\n' "$ERR" | sed -n 's/^acmectl:     \(\[Service\]\|ReadWritePaths=.*\)$/\1/p')
assert_eq "[Service]
ReadWritePaths=\"${WWW_REAL%\%d}%%d\"" "$DROPIN_LINES" "issue prints the drop-in's lines, quoted and escaped"
run_acmectl --server "$ARI_DIR_URL" --ca-bundle "$PEBBLE_CA" -q issue --webroot "$WWW" \
	--force sandbox.example
assert_rc 0 "issue -q"
assert_eq "" "$ERR" "-q: no note"
run_acmectl --server "$ARI_DIR_URL" --ca-bundle "$PEBBLE_CA" --state-dir "$TEST_TMP/other" \
	issue --webroot "$WWW" --email admin@acmectl.example --agree-tos sandbox.example
assert_rc 0 "issue into another state directory"
assert_not_contains "$ERR" "acmectl-renew.service" "no note for state the service does not renew"

# The service's trust in Pebble, as an admin would add it in a drop-in too
printf '[Service]\nEnvironment=SSL_CERT_FILE=%s\n' "$PEBBLE_CA" >"$TEST_TMP/trust.conf"
printf '%s\n' "$DROPIN_LINES" >"$TEST_TMP/webroot.conf"

# Without the webroot drop-in: fails on the read-only webroot, loses nothing
make_due
BEFORE=$(sha_of "$CERT/cert.pem")
SNAP=$(state_snapshot "$CERT")
as_service "$UNIT" "$TEST_TMP/trust.conf"
run_acmectl "${ARGV[@]}"
assert_rc 4 "ExecStart without the drop-in fails: exit 4, the webroot cannot be written"
assert_contains "$OUT$ERR" "/.well-known: Read-only file system" "the reason is the read-only webroot"
assert_eq "$BEFORE" "$(sha_of "$CERT/cert.pem")" "the previous certificate is untouched"
assert_eq "" "$(ls -A "$WWW/.well-known/acme-challenge" 2>/dev/null)" "no challenge file left"

# With it: renewed, inside the same sandbox
make_due
ORDERS=$(ari_events '^NEWORDER replaces=[^ ]{2,} -> 201$')
as_service "$UNIT" "$TEST_TMP/trust.conf" "$TEST_TMP/webroot.conf"
run_acmectl "${ARGV[@]}"
assert_rc 0 "ExecStart with the drop-in renews"
assert_eq "" "$OUT$ERR" "renew -q says nothing when all went well"
assert_ne "$BEFORE" "$(sha_of "$CERT/cert.pem")" "a new certificate"
assert_eq $((ORDERS + 1)) "$(ari_events '^NEWORDER replaces=[^ ]{2,} -> 201$')" \
	"one order, replacing the old certificate"
assert_contains "$(openssl x509 -in "$CERT/cert.pem" -noout -checkhost sandbox.example)" \
	"does match" "the new certificate is for sandbox.example"
assert_eq "" "$(ls -A "$WWW/.well-known/acme-challenge" 2>/dev/null)" "no challenge file left"
assert_ne "$SNAP" "$(state_snapshot "$CERT")" "the state shows the renewal"

test_done
