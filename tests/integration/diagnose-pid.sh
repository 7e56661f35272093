#!/bin/bash
# diagnose-pid.sh - `diagnose --pid PID` from the node reproduces what a pod
# sees. The lab: "node" reaches the server (acme.test in its hosts file, no
# proxy, a resolver of its own); "pod" is another network namespace with
# its own routes and, through `ip netns exec`, its own resolv.conf and
# hosts bind-mounted in a private mount namespace: the search domain
# corp.test with ndots:5, answered by dnsmasq with a wildcard that sends
# acme.test to an ingress (dns_search_hijack), and hosts.test, which only
# the pod's hosts file names. One pod process has
# HTTPS_PROXY/HTTP_PROXY to an address the pod has no route to
# (proxy_unreachable) and the acmesolver image of its release on its
# command line. Plain diagnose on the node says ok; --pid gives each pod
# process's verdict and names the pid as the source of each setting, for
# --challenge too. Then the refusals: no such process, a process in the
# node's own namespace, one that has exited (a zombie), no CAP_SYS_ADMIN,
# not root; and hostile pods: a FIFO as resolv.conf, a resolv.conf linking
# out of the pod's root to a file of the node, control bytes in NO_PROXY.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib/cluster.sh"
netns_lab_begin
command -v setpriv >/dev/null 2>&1 || skip "setpriv (util-linux) not installed"
netns_add node pod server
netns_link node server
netns_link pod server
SERVER_IP=$(netns_ip server node)
POD_GW=$(netns_ip server pod)
cluster_ingress_addr server pod
# the pod reaches the server's node-side address through its own link
netns_route pod "$SERVER_IP/32" "$POD_GW"
# an address no namespace has a route to: the pod's proxy
DEAD_PROXY="$NETNS_NET4.250"
netns_pebble_start server "$SERVER_IP" 14000 acme.test hosts.test
netns_cert "$TEST_TMP/lab" ca ingress ingress.local
netns_slow_https_start server "$INGRESS_IP" 14000 "$TEST_TMP/lab/ingress.pem" \
	"$TEST_TMP/lab/ingress.key" 0
netns_dnsmasq_start server "$POD_GW" --address=/corp.test/"$INGRESS_IP" \
	--address=/acme.test/"$SERVER_IP" --address=/shop.test/"$INGRESS_IP"
netns_hosts node "$SERVER_IP acme.test" "$INGRESS_IP shop.test"
netns_resolv node "nameserver 127.0.0.1" "options timeout:1 attempts:1"
netns_hosts pod "$POD_GW pod-gateway" "$SERVER_IP hosts.test"
netns_resolv pod "nameserver $POD_GW" "search corp.test" "options ndots:5 timeout:1 attempts:1"
T=2
D=(--server "$PEBBLE_DIR_URL" --ca-bundle "$PEBBLE_CA" --timeout "$T")
SOLVER=quay.io/jetstack/cert-manager-acmesolver:v1.16.2

# ns_process VAR NODE MARK CMD...: spawns CMD in NODE (its resolv.conf and
# hosts applied) and waits until CMD's final program runs: its command line
# shows MARK and it is none of the wrappers it starts through (setpriv, `ip
# netns exec`, env, unshare, a shell), whose command lines show MARK too
# before they have entered the namespace, set the environment or mounted.
ns_process() {
	local _var=$1 node=$2 mark=$3 i pid exe
	shift 3
	netns_spawn "$_var" "$TEST_TMP/$_var.log" "$node" "$@"
	pid=${!_var}
	for ((i = 0; i < 200; i++)); do
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
		case "${exe##*/}" in
		"" | setpriv | ip | env | unshare | sh | dash | bash) ;;
		*) tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$mark" && return 0 ;;
		esac
		sleep 0.05
	done
	fail "$node process $* did not start"
}

# pod_process VAR MARK CMD...: ns_process in the pod.
pod_process() {
	ns_process "$1" pod "${@:2}"
}

# a controller-like process with the cluster-wide proxy kubespray sets
pod_process PROXIED "$SOLVER" env HTTPS_PROXY="http://$DEAD_PROXY:3128" \
	HTTP_PROXY="http://$DEAD_PROXY:3128" NO_PROXY=.cluster.local,10.96.0.0/12 \
	python3 -c 'import time; time.sleep(600)' --v=2 --acme-http01-solver-image="$SOLVER"
# one without a proxy, and without a version on its command line
pod_process PLAIN 'time.sleep' python3 -c 'import time; time.sleep(600)'
RESOLV_BEFORE=$(sha256sum /etc/resolv.conf /etc/hosts "/etc/netns/$(netns_name node)/resolv.conf")

# the lab as plain clients see it
assert_eq 0 "$(netns_curl_rc node --cacert "$PEBBLE_CA" "$PEBBLE_DIR_URL")" \
	"lab check: the node reaches Pebble directly"
assert_eq "$INGRESS_IP" "$(nsx pod getent ahostsv4 acme.test | awk 'NR == 1 { print $1 }')" \
	"lab check: in the pod, acme.test resolves to the ingress (search corp.test, ndots:5)"

netns_diagnose node "${D[@]}"
assert_verdict ok "the node, as itself"

netns_diagnose node "${D[@]}" --pid "$PROXIED"
assert_verdict proxy_unreachable "--pid of the proxied pod process"
CONFIG=$(json_step "$OUT" config detail)
assert_contains "$CONFIG" "the view of pid $PROXIED (python3, net:[" "config: whose view"
assert_contains "$CONFIG" "HTTPS_PROXY, HTTP_PROXY, NO_PROXY from pid $PROXIED's environment" \
	"config: the proxy variables come from the pid's environment"
assert_contains "$CONFIG" \
	"pid $PROXIED's resolv.conf: nameserver $POD_GW, search corp.test, ndots:5" \
	"config: the resolver comes from the pid's resolv.conf"
assert_contains "$CONFIG" "pid $PROXIED's /etc/hosts: 4 entries" "config: the pid's hosts file"
assert_contains "$CONFIG" "cert-manager v1.16.2 from pid $PROXIED's --acme-http01-solver-image" \
	"config: the version its command line names"
assert_eq v1.16.2 "$(json_field "$OUT" cert_manager.version)" "the version modelled is the pod's"
assert_contains "$(json_step "$OUT" route detail)" \
	"from HTTPS_PROXY in pid $PROXIED's environment" "route: the proxy's source is the pid"
assert_contains "$OUT" "$DEAD_PROXY:3128" "the report names the pod's proxy"

netns_diagnose node "${D[@]}" --pid "$PROXIED" --cert-manager-version v1.12.0
assert_eq v1.12.0 "$(json_field "$OUT" cert_manager.version)" "--cert-manager-version wins"
assert_not_contains "$(json_step "$OUT" config detail)" "v1.16.2" "config: no other version named"

netns_diagnose node "${D[@]}" --pid "$PLAIN"
assert_verdict dns_search_hijack "--pid of the pod process without proxy"
CONFIG=$(json_step "$OUT" config detail)
assert_contains "$CONFIG" "no proxy variables in pid $PLAIN's environment" "config: no proxy"
assert_contains "$CONFIG" "pid $PLAIN does not tell its cert-manager version: modelling v1.21.1 (set --cert-manager-version)" \
	"config: which version is modelled and how to set another"
assert_contains "$OUT" "corp.test" "hijack: the report names the pod's search domain"
assert_contains "$OUT" "$INGRESS_IP" "hijack: the report names the ingress address"
# a name only the pod's hosts file knows
H=(--server https://hosts.test:14000/dir --ca-bundle "$PEBBLE_CA" --timeout "$T")
netns_diagnose node "${H[@]}"
assert_verdict dns_failure "the node does not know hosts.test"
netns_diagnose node "${H[@]}" --pid "$PLAIN"
assert_verdict ok "the pod's /etc/hosts names hosts.test"
assert_contains "$(json_step "$OUT" dns detail)" "$SERVER_IP" "dns: the address of the pod's hosts file"
assert_eq "$RESOLV_BEFORE" \
	"$(sha256sum /etc/resolv.conf /etc/hosts "/etc/netns/$(netns_name node)/resolv.conf")" \
	"the node's resolver files are untouched"
assert_eq 0 "$(grep -c ' - tmpfs acmectl ' /proc/self/mountinfo || true)" \
	"no mount of acmectl's is left in the host's mount namespace"

# --challenge: the self check runs in the pod's view as well
W="$TEST_TMP/www"
TOKEN=AbCdEf0123456789_-xyz
mkdir -p "$W/.well-known/acme-challenge"
printf '%s' "$TOKEN.thumb" >"$W/.well-known/acme-challenge/$TOKEN"
netns_spawn WEB_PID "$TEST_TMP/web.log" server python3 -m http.server --bind "$INGRESS_IP" \
	--directory "$W" 80
netns_wait_port server "$INGRESS_IP" 80 || fail "web server did not start: $(cat "$TEST_TMP/web.log")"
cat >"$TEST_TMP/challenge.yaml" <<EOF
apiVersion: acme.cert-manager.io/v1
kind: Challenge
metadata:
  name: shop-1-2345
spec:
  dnsName: shop.test
  key: $TOKEN.thumb
  token: $TOKEN
  type: HTTP-01
  url: https://acme.test/chal/1
EOF
netns_acmectl node --json diagnose --challenge "$TEST_TMP/challenge.yaml" --pid "$PROXIED"
assert_rc 1 "--challenge --pid: the pod's self check fails"
assert_contains "$(json_field "$OUT" challenges.0.reason)" "proxyconnect tcp: dial tcp $DEAD_PROXY:3128" \
	"--challenge --pid: through the pod's HTTP_PROXY"
assert_contains "$(json_field "$OUT" view)" "HTTPS_PROXY, HTTP_PROXY, NO_PROXY from pid $PROXIED's environment" \
	"--challenge --pid: the view names the pid"
assert_eq v1.16.2 "$(json_field "$OUT" cert_manager.version)" "--challenge --pid: the pod's version"

# --certificate: the account step and each name's self check in the pod's view
cluster_issuer "$TEST_TMP/issuer.yaml"
cat >"$TEST_TMP/cert.yaml" <<EOF
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: shop
  namespace: default
spec:
  secretName: shop-tls
  issuerRef:
    name: lab-acme
    kind: ClusterIssuer
  dnsNames: [shop.test]
EOF
CERT=(--certificate "$TEST_TMP/cert.yaml" --from-issuer "$TEST_TMP/issuer.yaml")
netns_acmectl node --json "${D[@]}" diagnose "${CERT[@]}"
assert_eq address_unreachable "$(json_field "$OUT" verdict)" \
	"--certificate on the node: the ingress is the pod network's, unreachable from here"
assert_not_contains "$(json_field "$OUT" challenges.0.reason)" proxyconnect \
	"--certificate on the node: no proxy in the way"
netns_acmectl node --json "${D[@]}" diagnose "${CERT[@]}" --pid "$PROXIED"
assert_rc 1 "--certificate --pid: fails in the pod's view"
assert_contains "$(json_field "$OUT" challenges.0.reason)" "proxyconnect tcp: dial tcp $DEAD_PROXY:3128" \
	"--certificate --pid: the self check goes through the pod's HTTP_PROXY"
assert_contains "$(json_field "$OUT" view)" "from pid $PROXIED's environment" \
	"--certificate --pid: the view names the pid"
assert_eq v1.16.2 "$(json_field "$OUT" cert_manager.version)" "--certificate --pid: the pod's version"
netns_acmectl node "${D[@]}" diagnose "${CERT[@]}" --pid "$PROXIED" --webroot "$W" -o "$TEST_TMP/s.yaml"
assert_rc 2 "--certificate --pid with a solver: refused"
assert_contains "$ERR" "--pid diagnoses only" "--certificate --pid with a solver: says why"
assert_no_file "$TEST_TMP/s.yaml" "--certificate --pid with a solver: no Secret written"

# the refusals: exit 2, one line
netns_acmectl node diagnose "${D[@]}" --pid "$PROXIED" --resolv-conf /etc/resolv.conf
assert_rc 2 "--pid with --resolv-conf"
assert_contains "$ERR" "give either --pid or --resolv-conf" "--pid with --resolv-conf: says so"
true & GONE=$!
wait "$GONE" || true
netns_acmectl node diagnose "${D[@]}" --pid "$GONE"
assert_rc 2 "no such process"
assert_contains "$ERR" "no process with pid $GONE" "no such process: says so"
ns_process NODE_PROC node "sleep 600" sleep 600
netns_acmectl node diagnose "${D[@]}" --pid "$NODE_PROC"
assert_rc 2 "a process in acmectl's own namespace"
assert_contains "$ERR" "is in acmectl's own network namespace (net:[" "own namespace: says so"
assert_contains "$ERR" "nothing to enter" "own namespace: nothing to enter"
pod_process REAPER 'sleep 600' bash -c 'sleep 0.1 & exec sleep 600'
for ((i = 0; i < 100; i++)); do
	ZOMBIE=$(pgrep -P "$REAPER" || true)
	[ -n "$ZOMBIE" ] && grep -q '^State:.*Z' "/proc/$ZOMBIE/status" 2>/dev/null && break
	sleep 0.05
done
netns_acmectl node diagnose "${D[@]}" --pid "$ZOMBIE"
assert_rc 2 "a process that has exited (a zombie)"
assert_contains "$ERR" "pid $ZOMBIE has exited" "exited: says so"
ACMECTL_REAL=$ACMECTL
ACMECTL=$(command -v setpriv)
run_acmectl --inh-caps=-sys_admin --bounding-set=-sys_admin -- "$ACMECTL_REAL" diagnose \
	"${D[@]}" --pid "$PROXIED"
assert_rc 2 "root without CAP_SYS_ADMIN"
assert_contains "$ERR" "needs root: entering another process's namespaces takes CAP_SYS_ADMIN" \
	"no CAP_SYS_ADMIN: names the capability"
run_acmectl --reuid=65534 --regid=65534 --clear-groups -- "$ACMECTL_REAL" diagnose \
	"${D[@]}" --pid "$PROXIED"
assert_rc 2 "not root"
assert_contains "$ERR" "CAP_SYS_ADMIN" "not root: names the capability"
ACMECTL=$ACMECTL_REAL

# hostile pods: a FIFO where resolv.conf should be (reading it would hang)
mkfifo "$TEST_TMP/fifo"
pod_process FIFO_POD 'sleep 600' unshare -m --propagation private sh -c \
	"mount --bind '$TEST_TMP/fifo' /etc/resolv.conf && exec sleep 600"
netns_timed_acmectl node diagnose "${D[@]}" --pid "$FIFO_POD"
assert_rc 2 "a FIFO as resolv.conf"
assert_contains "$ERR" "pid $FIFO_POD's /etc/resolv.conf is not a regular file" "FIFO: says so"
assert_faster 5000 "FIFO: no hang"

# a resolv.conf that links, absolutely, to a file of the node: inside the
# pod's root that path does not exist, so the pod has no resolv.conf
ROOT="$TEST_TMP/podroot"
mkdir -p "$ROOT/usr" "$ROOT/etc" "$ROOT/proc"
ln -s usr/lib "$ROOT/lib"
ln -s usr/lib64 "$ROOT/lib64"
ln -s usr/bin "$ROOT/bin"
printf 'search node-secret.example\nnameserver 192.0.2.53\n' >"$TEST_TMP/node-resolv.conf"
ln -s "$TEST_TMP/node-resolv.conf" "$ROOT/etc/resolv.conf"
pod_process CHROOTED 'sleep 600' unshare -m --propagation private sh -c \
	"mount --bind /usr '$ROOT/usr' && exec chroot '$ROOT' /usr/bin/sleep 600"
# the shell's command line already shows the mark: wait for the chroot itself
for ((i = 0; i < 100; i++)); do
	[ "$(readlink "/proc/$CHROOTED/root")" = "$ROOT" ] && break
	sleep 0.05
done
assert_eq "$ROOT" "$(readlink "/proc/$CHROOTED/root")" "lab check: the pod process runs chrooted"
netns_diagnose node "${D[@]}" --pid "$CHROOTED"
assert_contains "$(json_step "$OUT" config detail)" "pid $CHROOTED's resolv.conf (none: defaults)" \
	"a link out of the pod's root is not followed"
assert_not_contains "$OUT$ERR" "node-secret.example" "nothing of the node's file is read"

# control bytes and invalid UTF-8 in the pod's NO_PROXY reach no output raw
pod_process HOSTILE 'sleep 600' env HTTPS_PROXY="http://$DEAD_PROXY:3128" \
	NO_PROXY=$'\e[31m.evil,\xff\xfe,acme.test\x07' sleep 600
netns_acmectl node diagnose "${D[@]}" --pid "$HOSTILE"
assert_false "no escape, bell or invalid byte in the output" \
	env LC_ALL=C grep -qaP '[\x1b\x07\xff\xfe]' "$TEST_TMP/acmectl.out" "$TEST_TMP/acmectl.err"
assert_rc_in "1 2" "hostile NO_PROXY: a verdict or bad input, no crash"

test_done
