# knot.sh - authoritative Knot DNS servers for the tests (sourced, bash;
# needs common.sh). Port 53, as NS records allow no other: root only.
#
#   knot_start N ADDR ZONE ZONEFILE [NODE]
#       Knot number N, authoritative for ZONE (no trailing dot) with the
#       records of ZONEFILE (text, $ORIGIN ZONE.), listening on ADDR:53,
#       in the netns lab's NODE when given; controlled through
#       $TEST_TMP/knotN/sock (knotc -s). Stopped at exit.

knot_start() {
	local n=$1 addr=$2 zone=$3 records=$4 node=${5:-} d="$TEST_TMP/knot$1" pid i
	command -v knotd >/dev/null 2>&1 || skip "knotd (knot) not installed"
	mkdir -p "$d/db"
	cat >"$d/knot.conf" <<CONF
server:
    listen: $addr@53
    rundir: $d
control:
    listen: $d/sock
database:
    storage: $d/db
template:
  - id: default
    storage: $d
    file: "%s.zone"
    zonefile-sync: -1
zone:
  - domain: $zone
CONF
	printf '$ORIGIN %s.\n$TTL 1\n%s\n' "$zone" "$records" >"$d/$zone.zone"
	if [ -n "$node" ]; then
		netns_spawn pid "$d/knotd.log" "$node" knotd -c "$d/knot.conf"
	else
		spawn pid "$d/knotd.log" knotd -c "$d/knot.conf"
	fi
	for ((i = 0; i < 100; i++)); do
		knotc -s "$d/sock" zone-status "$zone." >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	fail "knotd $n did not start: $(cat "$d/knotd.log")"
}
