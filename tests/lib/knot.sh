# knot.sh - authoritative Knot DNS servers for the tests (sourced, bash;
# needs common.sh). Port 53, as NS records allow no other: root only.
#
#   knot_start N ADDR ZONE ZONEFILE [NODE]
#       Knot number N, authoritative for ZONE (no trailing dot) with the
#       records of ZONEFILE (text, $ORIGIN ZONE.), listening on ADDR:53,
#       in the netns lab's NODE when given; controlled through
#       $TEST_TMP/knotN/sock (knotc -s). Stopped at exit.
#       KNOT_PORT: another port than 53 (a server Pebble's VA asks directly
#       needs no NS record, so no root). KNOT_UPDATE_KEY=NAME:SECRET: the
#       zone takes RFC 2136 updates signed with that hmac-sha256 TSIG key
#       (SECRET base64), and only those.

knot_start() {
	local n=$1 addr=$2 zone=$3 records=$4 node=${5:-} d="$TEST_TMP/knot$1" pid i
	local key_conf="" zone_acl=""
	command -v knotd >/dev/null 2>&1 || skip "knotd (knot) not installed"
	mkdir -p "$d/db"
	if [ -n "${KNOT_UPDATE_KEY:-}" ]; then
		key_conf="key:
  - id: ${KNOT_UPDATE_KEY%%:*}
    algorithm: hmac-sha256
    secret: ${KNOT_UPDATE_KEY#*:}
acl:
  - id: update
    key: ${KNOT_UPDATE_KEY%%:*}
    action: update"
		zone_acl="    acl: update"
	fi
	cat >"$d/knot.conf" <<CONF
server:
    listen: $addr@${KNOT_PORT:-53}
    rundir: $d
control:
    listen: $d/sock
database:
    storage: $d/db
$key_conf
template:
  - id: default
    storage: $d
    file: "%s.zone"
    zonefile-sync: -1
zone:
  - domain: $zone
$zone_acl
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
