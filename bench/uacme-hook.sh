#!/bin/sh
# uacme-hook.sh - uacme's challenge hook for the benchmark: http-01 through
# the shared webroot $BENCH_WEBROOT, like the other clients' --webroot.
# uacme calls it as: METHOD TYPE IDENT TOKEN KEY_AUTHORIZATION
# (METHOD begin, done or failed); any other challenge type is declined.
[ "$2" = http-01 ] || exit 1
dir="$BENCH_WEBROOT/.well-known/acme-challenge"
case "$1" in
begin) mkdir -p "$dir" && printf '%s' "$5" >"$dir/$4" ;;
done | failed) rm -f "$dir/$4" ;;
*) exit 85 ;;
esac
