#!/bin/bash
# diagnose-http-proxy.sh - an http:// ACME server (plain_front.py before
# Pebble) through a real Squid in the netns lab (client <-> proxy <->
# server): Go sends each request to an HTTP_PROXY with the whole URL, no
# CONNECT, and takes the proxy's own answer for the CA's. Debian's Go, in
# the client's namespace with the same HTTP_PROXY, shows what it gets
# first; then diagnose must say the same:
#   - Squid relays: ok, no CONNECT, Squid logged the absolute-form GET;
#   - Squid without a route to the CA answers 503 with X-Squid-Error: Go
#     returns that page as the directory's answer, cert-manager reports it
#     as an ACME error "503 : <the page>": proxy_cannot_reach;
#   - nothing listens at the proxy's port: proxy_unreachable with Go's
#     "proxyconnect tcp: ... connection refused";
#   - tinyproxy in Squid's place: an answer it relays (Pebble's 404) is
#     the CA's, as its Via header says; without a route to the CA its own
#     500 "Unable to connect" page (Server: tinyproxy/..., no Via) is
#     proxy_cannot_reach;
#   - Squid asking for NTLM or Negotiate only: proxy_auth_unsupported.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -eu
. "$(dirname "$0")/../lib/netns.sh"
command -v go >/dev/null || fail "go is not installed (contrib/install-deps.sh installs golang-go)"
netns_lab_begin
netns_line client proxy server
PROXY_IP=$(netns_ip proxy client)
netns_hosts client "$PROXY_IP proxy.test" "$SERVER_IP acme.test"
netns_hosts proxy "$SERVER_IP acme.test"
netns_pebble_start server "$SERVER_IP" 14000 acme.test
netns_squid_start proxy "$PROXY_IP"
PROXY=http://proxy.test:$NETNS_PROXY_PORT

# the http:// front, in the server's namespace (its own port space)
PLAIN_PORT=14080
netns_spawn PLAIN_PID "$TEST_TMP/plain-front.log" server python3 \
	"$TESTS_SRCDIR/lib/plain_front.py" --listen "$SERVER_IP" --port "$PLAIN_PORT" \
	--cert "$TEST_TMP/lab/ca.pem" --key /dev/null --upstream "$SERVER_IP:14000" \
	--upstream-ca "$PEBBLE_CA" --log "$TEST_TMP/plain-events.log"
netns_wait_port server "$SERVER_IP" "$PLAIN_PORT" 20 ||
	fail "plain_front.py did not start: $(cat "$TEST_TMP/plain-front.log")"
URL="http://acme.test:$PLAIN_PORT/dir"
# --server takes only https://; an Issuer may name an http:// server
cat >"$TEST_TMP/issuer.yaml" <<YAML
apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: lab-plain
spec:
  acme:
    server: $URL
    email: admin@acmectl.example
    privateKeySecretRef:
      name: lab-plain-account-key
    solvers:
    - http01:
        ingress:
          ingressClassName: nginx
YAML
D=(--from-issuer "$TEST_TMP/issuer.yaml" --timeout 6)

env GO111MODULE=off GOPROXY=off GOFLAGS= GOCACHE="$TEST_TMP/gocache" \
	go build -o "$TEST_TMP/go_get" "$TESTS_SRCDIR/lib/go_get.go" || fail "go_get did not build"
# go_get: Go's GET of the directory from the client, HTTP_PROXY as given
go_get() {
	HTTP_PROXY=$1 nsx client "$TEST_TMP/go_get" "$URL" "$PEBBLE_CA" go1.18
}
advice() {
	json_field "$OUT" advice
}

# Squid relays the absolute-form GET
assert_contains "$(go_get "$PROXY")" "STATUS 200 none {" "lab check: Go gets the directory through Squid"
HTTP_PROXY=$PROXY netns_diagnose client "${D[@]}"
assert_verdict ok "http:// server through Squid"
assert_faster 4000 "through Squid: fast"
assert_contains "$(json_step "$OUT" proxy detail)" "no CONNECT for an http:// server" \
	"through Squid: the proxy line says no CONNECT"
assert_eq "ok ok" "$(json_step "$OUT" http status) $(json_step "$OUT" nonce status)" \
	"through Squid: directory and nonce"
assert_true "Squid logged the GET with the whole URL" grep -q "GET $URL " "$SQUID_DIR/access.log"
assert_true "Squid logged the HEAD of the nonce" grep -q "HEAD http://acme.test:$PLAIN_PORT/" \
	"$SQUID_DIR/access.log"
assert_false "Squid saw no CONNECT" grep -q CONNECT "$SQUID_DIR/access.log"

# HTTPS_PROXY alone does not apply to an http:// URL: Go goes direct, and
# the client has no route of its own to the server
HTTPS_PROXY=$PROXY netns_diagnose client "${D[@]}"
assert_contains "$(json_step "$OUT" route detail)" "direct under go rules" \
	"HTTPS_PROXY only: the route is direct"

# no_route_to_ca NAME STATUS MARK [TEXT WHAT]...: the proxy NAME running in
# proxy loses its route to the CA; its own STATUS page, holding MARK, is
# what Go reads as the directory's answer, and diagnose says so: the
# proxy line holds each TEXT (WHAT says what that shows).
no_route_to_ca() {
	local name=$1 status=$2 mark=$3
	shift 3
	ip -n "$(netns_name proxy)" route add unreachable "$SERVER_IP/32" ||
		fail "unreachable route in proxy failed"
	GOT=$(go_get "$PROXY")
	assert_contains "$GOT" "STATUS $status none" "lab check: Go returns $name's $status as the answer"
	HTTP_PROXY=$PROXY netns_diagnose client "${D[@]}"
	assert_verdict proxy_cannot_reach "$name without a route, http:// server"
	assert_faster 4000 "$name without a route: fast"
	case "$CM_MESSAGE" in
	"Failed to register ACME account: $status : "*"$mark"*)
		pass_ "$name without a route: cert-manager's ACME error quotes $name's page" ;;
	*) fail_ "$name without a route: cert-manager's ACME error quotes $name's page" \
		"message: $CM_MESSAGE" ;;
	esac
	while [ $# -ge 2 ]; do
		assert_contains "$(json_step "$OUT" proxy detail)" "$1" "$name without a route: the proxy line $2"
		shift 2
	done
	assert_contains "$(advice)" "the proxy at proxy.test:$NETNS_PROXY_PORT cannot reach acme.test:$PLAIN_PORT" \
		"$name without a route: advice names proxy and target"
	assert_contains "$(advice)" "answered the GET of the directory with $status" \
		"$name without a route: advice says which request"
	assert_contains "$(advice)" "NO_PROXY will not help" "$name without a route: NO_PROXY will not help"
	ip -n "$(netns_name proxy)" route del unreachable "$SERVER_IP/32"
}

# Squid's route to the CA is gone: its 503 page is what Go reads
no_route_to_ca Squid 503 ERR_CONNECT_FAIL "X-Squid-Error: ERR_CONNECT_FAIL 113" "quotes X-Squid-Error"

# nothing listens at the proxy's port
CLOSED=http://proxy.test:3999
GOT=$(go_get "$CLOSED")
HTTP_PROXY=$CLOSED netns_diagnose client "${D[@]}"
assert_verdict proxy_unreachable "no proxy at the port"
assert_eq "Failed to register ACME account: ${GOT#ERR }" "$CM_MESSAGE" \
	"no proxy at the port: Go's words, as Debian's Go says them"
assert_contains "$GOT" "proxyconnect tcp:" "lab check: Go wraps the dial as proxyconnect"

# tinyproxy in Squid's place
stop_pid "$SQUID_PID"
netns_tinyproxy_start proxy "$PROXY_IP"
# an answer tinyproxy relays is the CA's: Pebble's 404 for a path it has not
sed "s|$URL|http://acme.test:$PLAIN_PORT/nodir|" "$TEST_TMP/issuer.yaml" >"$TEST_TMP/nodir.yaml"
HTTP_PROXY=$PROXY netns_diagnose client --from-issuer "$TEST_TMP/nodir.yaml" --timeout 6
assert_true "lab check: tinyproxy relayed the GET" grep -q "GET http://acme.test:$PLAIN_PORT/nodir" \
	"$TINYPROXY_LOG"
assert_not_contains "$VERDICT" proxy_ "tinyproxy relays Pebble's 404: not the proxy's answer ($VERDICT)"
assert_not_contains "$(json_step "$OUT" proxy detail)" "the proxy's own answer" \
	"tinyproxy relays Pebble's 404: the proxy line does not claim it"

# tinyproxy without a route to the CA: its own page, which Go reads as the CA's
no_route_to_ca tinyproxy 500 "Unable to connect" \
	"500 Unable to connect, the proxy's own answer" "says whose answer it is" \
	"Server: tinyproxy/" "names tinyproxy"
stop_pid "$TINYPROXY_PID"

# Squid asking for NTLM or Negotiate only: Go answers the 407 with nothing
netns_squid_start proxy "$PROXY_IP" ntlm
GOT=$(go_get "$PROXY")
assert_contains "$GOT" "STATUS 407 none" "lab check: Go returns Squid's 407 as the answer"
HTTP_PROXY=$PROXY netns_diagnose client "${D[@]}"
assert_verdict proxy_auth_unsupported "Squid offering only Negotiate and NTLM, http:// server"
assert_contains "$(json_step "$OUT" proxy detail)" "Proxy-Authenticate: Negotiate, NTLM" \
	"NTLM only, http:// server: the proxy line lists the schemes offered"
assert_contains "$(advice)" "cannot do NTLM or Negotiate" "NTLM only, http:// server: advice says Go cannot"

test_done
