#!/usr/bin/env python3
"""gen_cases.py - proxy settings and request URLs for the differential check.

Usage: gen_cases.py SEED COUNT CASES RESOLVE

Writes COUNT cases to CASES, one per line: "ID<TAB>URL<TAB>NAME=VALUE..."
(every variable not listed is unset; "NAME=" sets it empty), and to RESOLVE
one "NAME:PORT:ADDR" line per host name and port the cases use, each name
on its own loopback address, so that curl_route never asks a DNS server.
The same SEED always gives the same cases.
"""
import random
import sys

# Hosts a request goes to: names (ASCII, Unicode, upper case, trailing
# dot, look-alikes), IPv4, IPv6 (as written differently), IPv4-mapped.
TARGET_HOSTS = [
    "acme.example", "www.acme.example", "a.b.acme.example", "notacme.example",
    "acme.example.evil.test", "ACME.Example", "acme.example.", "www.acme.example.",
    "bücher.example", "www.bücher.example", "BÜCHER.example", "日本.example",
    "straße.example", "www.STRASSE.example",
    "xn--bcher-kva.example", "localhost", "sub.localhost", "localhost.",
    "10.1.2.3", "10.200.0.1", "192.168.1.5", "127.0.0.1", "127.1.2.3",
    "[2001:db8::1]", "[2001:DB8::1]", "[2001:db8:0:0::1]", "[2001:db9::1]",
    "[::1]", "[::ffff:10.1.2.3]", "[::ffff:127.0.0.1]", "[fd00::5]",
]
TARGET_PORTS = ["", "", "", ":443", ":80", ":8443", ":14000", ":0443"]

PROXIES = [
    "http://proxy.corp:3128", "proxy.corp:3128", "proxy.corp", "http://proxy.corp",
    "https://proxy.corp", "https://proxy.corp:8443", "HTTP://PROXY.corp:3128",
    "http://proxy.corp:3128/", "http://other.corp:8080", "other.corp:8080",
    "socks5://proxy.corp:1080", "socks5://proxy.corp", "socks5h://proxy.corp:1080",
    "socks5h://proxy.corp", "socks4://proxy.corp:1080", "socks4a://proxy.corp:1080",
    "socks://proxy.corp:1080", "socks://proxy.corp", "ftp://proxy.corp:2121",
    "http://u:p@proxy.corp:3128", "http://u:p#w@proxy.corp:3128",
    "http://u:p/w@proxy.corp:3128", "http://u:p?w@proxy.corp:3128",
    "http://u:p//w@proxy.corp:3128", "http://a@b@proxy.corp:3128",
    "http://u:p%40w@proxy.corp:3128", "http://[2001:db8::9]:3128",
    "[2001:db8::9]:3128", "http://10.9.9.9:3128", "10.9.9.9:3128",
    "http://прокси.corp:3128", "http://proxy.corp:99999", "http://proxy.corp:0",
    "http://:3128", " http://proxy.corp:3128", "http://pro xy.corp:3128",
    "HTTPS://proxy.corp:8443", "http://proxy.corp:03128", "socks5h://u:p@proxy.corp:1080",
    "http://proxy.corp:", "http://[2001:db8::9]", "http://u:p@[2001:db8::9]:3128",
    "http://proxy.corp:3128/path?x#y", "http://proxy%2ecorp:3128", "http://u:p%zz@proxy.corp:3128",
    "http://straße.corp:3128", "socks5://[2001:db8::9]", "http://u@proxy.corp:3128",
]

NO_PROXY_ENTRIES = [
    "acme.example", ".acme.example", "*.acme.example", "ACME.EXAMPLE", "acme.example.",
    "acme.example:443", "acme.example:8443", "example", "notacme.example",
    "bücher.example", ".bücher.example", "*.bücher.example", "xn--bcher-kva.example",
    "BÜCHER.example", "日本.example", "localhost", "*", "2.3",
    "10.1.2.3", "10.0.0.0/8", "10.1.2.3/32", "10.1.2.0/33", "10.1.2.3:443",
    "192.168.0.0/16", "10.0.0.0/0", "2001:db8::1", "2001:DB8::1", "2001:db8::/32",
    "[2001:db8::1]", "[2001:db8::1]:443", "2001:db8:0:0::1", "::ffff:10.0.0.0/104",
    "::ffff:10.1.2.3", "::ffff:0:0/96", "::ffff:10.0.0.0/80", "fd00::/8",
    "127.0.0.0/8", "proxy.corp", "evil.test", "*,acme.example", ".", "..",
    "acme.example:0443", "acme.example:https", "2001:db8::1/128", "::ffff:10.1.2.3/128",
    "10.1.2.3/0", "straße.example", "strasse.example", "xn--strae-oqa.example",
    "ACME.example:443", "acme.example/", "[2001:db8::1]:0443",
]
SEPARATORS = [",", ",", ", ", " ", " , "]

PROXY_VARS = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
              "ALL_PROXY", "all_proxy"]
LIST_VARS = ["NO_PROXY", "no_proxy"]

# Names a case may connect to, under every port a case may name.
PROXY_NAMES = ["proxy.corp", "other.corp", "прокси.corp", "straße.corp", "socks5h", "http",
               "u", "a", "ftp", "socks", "socks4", "socks4a", "socks5"]
PORTS = [80, 443, 1080, 2121, 3128, 8080, 8443, 14000]


def ascii_name(name):
    """The name as the resolver sees it: lower case, IDNA labels. Lower
    case and Punycode is all UTS #46 non-transitional processing (Go's
    idna.Lookup, libidn2) does to the names used here; Python's "idna"
    codec is IDNA 2003, which would turn "ß" into "ss"."""
    labels = name.rstrip(".").lower().split(".")
    return ".".join(l if l.isascii() else "xn--" + l.encode("punycode").decode("ascii")
                    for l in labels)


def no_proxy_list(rng):
    entries = rng.sample(NO_PROXY_ENTRIES, rng.randint(1, 3))
    return rng.choice(SEPARATORS).join(entries)


def one_case(rng):
    url = "%s://%s%s/dir" % (rng.choice(["https", "https", "http"]),
                             rng.choice(TARGET_HOSTS), rng.choice(TARGET_PORTS))
    env = {}
    for name in PROXY_VARS:
        roll = rng.random()
        if roll < 0.30:
            env[name] = rng.choice(PROXIES)
        elif roll < 0.36:
            env[name] = ""
    for name in LIST_VARS:
        roll = rng.random()
        if roll < 0.45:
            env[name] = no_proxy_list(rng)
        elif roll < 0.52:
            env[name] = ""
    if rng.random() < 0.04:
        env["REQUEST_METHOD"] = "GET"
    return url, env


def main():
    seed, count, cases_path, resolve_path = int(sys.argv[1]), int(sys.argv[2]), \
        sys.argv[3], sys.argv[4]
    rng = random.Random(seed)
    with open(cases_path, "w", encoding="utf-8") as out:
        for i in range(count):
            url, env = one_case(rng)
            fields = [str(i + 1), url] + ["%s=%s" % kv for kv in sorted(env.items())]
            out.write("\t".join(fields) + "\n")
    names = []
    for host in TARGET_HOSTS + PROXY_NAMES:
        if host.startswith("[") or host.replace(".", "").isdigit():
            continue
        if ascii_name(host) not in names:
            names.append(ascii_name(host))
    with open(resolve_path, "w", encoding="ascii") as out:
        for n, name in enumerate(names):
            for spelling in (name, name + "."):
                for port in PORTS:
                    out.write("%s:%d:127.0.%d.%d\n" % (spelling, port, 100 + n // 200,
                                                       1 + n % 200))


if __name__ == "__main__":
    main()
