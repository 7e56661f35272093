#!/bin/bash
# deb.sh - the Debian package, end to end: dpkg-buildpackage -us -uc -b on a
# copy of the tree in a temp dir (nothing is written beside the checkout),
# lintian, dpkg -i, then the installed files and their modes, the conffile,
# acmectl --version, systemd-analyze verify on the installed units, the timer
# enabled, the service's ExecStart harmless with no certificate (run in the
# service's sandbox), and dpkg -r / dpkg -P leaving the machine as it was.
# tests/run-all.sh runs it once, outside make check. Needs root (exit 77)
# and refuses to run where acmectl is already installed or
# /var/lib/acmectl or /etc/acmectl exist (it would change them).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/common.sh"

require_root
for tool in dpkg-buildpackage dh lintian fakeroot systemd-analyze unshare; do
	command -v "$tool" >/dev/null || skip "needs $tool (contrib/install-deps.sh)"
done
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SANDBOX=$SRC/tests/lib/unit_sandbox.sh
VERSION=$(sed -n 's/^AC_INIT(\[acmectl\], \[\([^]]*\)\].*/\1/p' "$SRC/configure.ac")
ARCH=$(dpkg --print-architecture)
UNITS=/lib/systemd/system
status=$(dpkg-query -W -f='${db:Status-Status}' acmectl 2>/dev/null || true)
[ -z "$status" ] || [ "$status" = not-installed ] ||
	skip "acmectl is installed here ($status): the test would remove it"
[ ! -e /var/lib/acmectl ] && [ ! -e /etc/acmectl ] ||
	skip "/var/lib/acmectl or /etc/acmectl exist: the test would change them"
at_exit 'dpkg -P acmectl >/dev/null 2>&1 || true'

# A copy of the tree: the files git knows (tracked, or new and not ignored),
# else (a release tarball) everything but build directories.
WORK=$TEST_TMP/work
TREE=$WORK/acmectl-$VERSION
mkdir -p "$TREE"
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) | tar -C "$TREE" -xf -
else
	tar -C "$SRC" --exclude='./build*' --exclude=./autom4te.cache -cf - . | tar -C "$TREE" -xf -
fi
BESIDE=$(ls -A "$SRC/..")

# Build
t0=$SECONDS
# nocheck: the unit tests run in both builds of tests/run-all.sh already
if (cd "$TREE" && DEB_BUILD_OPTIONS="parallel=2 nocheck" dpkg-buildpackage -us -uc -b) \
	>"$TEST_TMP/build.log" 2>&1; then
	pass_ "dpkg-buildpackage -us -uc -b builds ($((SECONDS - t0)) s)"
else
	tail -n 40 "$TEST_TMP/build.log" | sed 's/^/#   /'
	fail "dpkg-buildpackage failed"
fi
DEB=$WORK/acmectl_${VERSION}_$ARCH.deb
assert_file_exists "$DEB" "acmectl_${VERSION}_$ARCH.deb, the version of configure.ac"
assert_eq "$BESIDE" "$(ls -A "$SRC/..")" "nothing written beside the checkout"
assert_contains "$(dpkg-deb -f "$DEB" Version)" "$VERSION" "debian/changelog has configure.ac's version"

# lintian: clean but for the overrides, each explained in
# debian/acmectl.lintian-overrides
t0=$SECONDS
LINT=$(lintian --fail-on error,warning --tag-display-limit 0 "$DEB" 2>&1) && rc=0 || rc=$?
echo "# lintian took $((SECONDS - t0)) s"
[ -z "$LINT" ] || printf '%s\n' "$LINT" | sed 's/^/#   /' 
assert_eq "0" "$rc" "lintian passes the package"
assert_eq "" "$(printf '%s\n' "$LINT" | grep -E '^[EW]: ' || true)" "lintian: no error or warning"

# Install
if dpkg -i "$DEB" >"$TEST_TMP/dpkg.log" 2>&1; then
	pass_ "dpkg -i"
else
	sed 's/^/#   /' "$TEST_TMP/dpkg.log"
	fail "dpkg -i failed"
fi
assert_eq "acmectl $VERSION" "$(/usr/bin/acmectl --version)" "acmectl --version"
assert_contains "$(/usr/bin/acmectl help issue)" "usage: acmectl issue" "acmectl help issue"
FILES=$(dpkg -L acmectl)
missing=''
for f in /usr/bin/acmectl /usr/share/man/man1/acmectl.1.gz \
	/usr/share/bash-completion/completions/acmectl "$UNITS/acmectl-renew.service" \
	"$UNITS/acmectl-renew.timer" /usr/share/doc/acmectl/examples/cron/acmectl \
	/usr/share/doc/acmectl/examples/nginx/acmectl-webroot.conf \
	/etc/acmectl/acmectl.conf /var/lib/acmectl /usr/share/doc/acmectl/copyright \
	/usr/libexec/acmectl/dns-hooks/nsupdate; do
	printf '%s\n' "$FILES" | grep -qxF "$f" && [ -e "$f" ] || missing="$missing $f"
done
assert_eq "" "$missing" "the package installs every file"
assert_eq "700 root:root" "$(stat -c '%a %U:%G' /var/lib/acmectl)" "/var/lib/acmectl is 0700 root"
assert_eq "755" "$(stat -c '%a' /usr/bin/acmectl)" "/usr/bin/acmectl is 0755"
assert_eq "755" "$(stat -c '%a' /usr/libexec/acmectl/dns-hooks/nsupdate)" \
	"the nsupdate dns hook is 0755"
assert_contains "$(dpkg-query -W -f='${Conffiles}' acmectl)" "/etc/acmectl/acmectl.conf" \
	"/etc/acmectl/acmectl.conf is a conffile"
assert_eq /usr/share/man/man1/acmectl.1.gz "$(man -w acmectl 2>/dev/null)" "man finds the manual page"
assert_contains "$(bash -c '. /usr/share/bash-completion/completions/acmectl; complete -p acmectl')" \
	"-F _acmectl" "the completion loads"

# The units: valid, ExecStart the packaged binary, the timer enabled
verify=$(systemd-analyze verify "$UNITS/acmectl-renew.service" "$UNITS/acmectl-renew.timer" 2>&1) &&
	rc=0 || rc=$?
assert_eq "0" "$rc" "systemd-analyze verify passes the installed units"
assert_eq "" "$verify" "systemd-analyze verify says nothing"
assert_eq "/usr/bin/acmectl renew -q" "$(sed -n 's/^ExecStart=//p' "$UNITS/acmectl-renew.service")" \
	"ExecStart runs the packaged acmectl"
assert_eq "$UNITS/acmectl-renew.timer" \
	"$(readlink /etc/systemd/system/timers.target.wants/acmectl-renew.timer || true)" \
	"the timer is enabled (timers.target wants it)"

# Harmless with no certificate: the service's ExecStart in its sandbox
# (the machine's /var/lib/acmectl, just installed), with the shipped config
out=$("$SANDBOX" --rw /var/lib/acmectl --rw -/var/www -- /usr/bin/acmectl renew -q 2>&1) &&
	rc=0 || rc=$?
assert_eq "0" "$rc" "renew -q with no certificate exits 0 in the service's sandbox"
assert_eq "" "$out" "and says nothing"

# Remove, then purge: nothing left
dpkg -r acmectl >"$TEST_TMP/dpkg.log" 2>&1 && pass_ "dpkg -r" || fail_ "dpkg -r" "$(cat "$TEST_TMP/dpkg.log")"
assert_no_file /usr/bin/acmectl "dpkg -r removes the binary"
assert_file_exists /etc/acmectl/acmectl.conf "dpkg -r keeps the conffile"
dpkg -P acmectl >"$TEST_TMP/dpkg.log" 2>&1 && pass_ "dpkg -P" || fail_ "dpkg -P" "$(cat "$TEST_TMP/dpkg.log")"
assert_not_contains "$(cat "$TEST_TMP/dpkg.log")" "warning" "dpkg -P warns about nothing left behind"
left=''
for f in /etc/acmectl /var/lib/acmectl /etc/systemd/system/timers.target.wants/acmectl-renew.timer \
	"$UNITS/acmectl-renew.service" /usr/share/doc/acmectl; do
	[ ! -e "$f" ] && [ ! -L "$f" ] || left="$left $f"
done
assert_eq "" "$left" "dpkg -P leaves nothing behind"
status=$(dpkg-query -W -f='${db:Status-Status}' acmectl 2>/dev/null || true)
assert_true "dpkg knows acmectl no more (status \"$status\")" test -z "$status" -o "$status" = not-installed

test_done
