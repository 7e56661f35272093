#!/bin/bash
# unit_sandbox.sh - runs a command in the file system a systemd service with
# ProtectSystem=strict and ProtectHome=read-only sees: every mount read-only
# but /proc, /sys, /dev and the ReadWritePaths= given, in a private mount
# namespace (unshare -m), so nothing outside changes. Needs root.
#
#   unit_sandbox.sh [--var-lib DIR] [--rw PATH]... [--no-ro] -- CMD [ARG]...
#
# --var-lib DIR: DIR stands in for /var/lib (StateDirectory= of a test
# that must not touch the machine's /var/lib). --rw PATH: a ReadWritePaths=
# entry; "-PATH" is skipped when PATH does not exist, as systemd does.
# --no-ro: only the /var/lib stand-in, nothing read-only (an unsandboxed run
# with the same state). PrivateTmp= is not copied: /tmp is read-only too,
# which is stricter for writes.
set -eu

if [ "${1:-}" != --in-namespace ]; then
	exec unshare -m --propagation private "$0" --in-namespace "$@"
fi
shift

var_lib='' ro=yes
rw=()
while [ $# -gt 0 ]; do
	case $1 in
	--var-lib) var_lib=$2; shift 2 ;;
	--rw) rw+=("$2"); shift 2 ;;
	--no-ro) ro=no; shift ;;
	--) shift; break ;;
	*) echo "unit_sandbox.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

[ -z "$var_lib" ] || mount --bind "$var_lib" /var/lib

if [ $ro = yes ]; then
	kept=()
	for p in "${rw[@]}"; do
		case $p in -*) p=${p#-}; [ -e "$p" ] || continue ;; esac
		[ -e "$p" ] || { echo "unit_sandbox.sh: ReadWritePaths $p does not exist" >&2; exit 2; }
		# a mount of its own, left writable below
		mount --bind "$p" "$p"
		kept+=("$(findmnt -rn -o TARGET -T "$p" | tail -n 1)")
	done
	findmnt -rn -o TARGET | sort -u | while read -r m; do
		case $m in /proc | /proc/* | /sys | /sys/* | /dev | /dev/*) continue ;; esac
		for k in "${kept[@]}"; do
			[ "$m" = "$k" ] && continue 2
		done
		mount -o remount,bind,ro "$m"
	done
fi
exec "$@"
