#!/usr/bin/env python3
"""compare.py - acmectl's routes against Go's and libcurl's.

Usage: compare.py CASES RESOLVE GO_RESULTS CURL_RESULTS ACMECTL_RESULTS MIN_PERCENT

Every route is reduced to where the first connection goes, "HOST:PORT"
(host names in lower-case IDNA form, IP addresses in one spelling), or
"error" when the request is not made: Go's and curl's from the address
their dialer was handed (curl's pinned loopback addresses mapped back to
the names of RESOLVE), acmectl's "direct" as the URL's host and port,
"via PROXY" as the proxy's, "refused" as "error". Prints the agreement of
each column and every disagreeing case; exits 1 when a column agrees on
fewer than MIN_PERCENT of the cases.
"""
import ipaddress
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_cases import ascii_name  # noqa: E402


def read_results(path, columns):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) == columns + 1:
                out[fields[0]] = fields[1:]
    return out


def norm_host(host):
    host = host.strip("[]")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    return ascii_name(host)


def split_host_port(hostport):
    host, _, port = hostport.rpartition(":")
    return host, port


def where(host, port):
    # Go's dialer takes an empty host for the local system, as connect(2)
    # takes 0.0.0.0; a port is a number, however many zeros lead it.
    host = norm_host(host) or "0.0.0.0"
    return "%s:%s" % (host, int(port) if port.isdigit() else port)


def from_dial(result, names):
    if not result.startswith("dial "):
        return "error"
    addr = result[5:]
    if addr in names:
        return names[addr]
    return where(*split_host_port(addr))


def url_target(url):
    scheme, rest = url.split("://", 1)
    authority = rest.split("/", 1)[0]
    if authority.startswith("["):
        host, _, port = authority[1:].partition("]")
        port = port[1:]
    else:
        host, _, port = authority.partition(":")
    return where(host, port or ("443" if scheme == "https" else "80"))


def from_acmectl(result, url):
    if result == "direct":
        return url_target(url)
    if result.startswith("via "):
        authority = result[4:].split("://", 1)[-1].rsplit("@", 1)[-1].split("/")[0]
        return where(*split_host_port(authority))
    return "error"


def main():
    cases_path, resolve_path, go_path, curl_path, acmectl_path, minimum = sys.argv[1:7]
    names = {}
    with open(resolve_path, encoding="ascii") as f:
        for line in f:
            name, port, addr = line.strip().split(":")
            names.setdefault("%s:%s" % (addr, port), where(name, port))
    go, curl = read_results(go_path, 1), read_results(curl_path, 1)
    acmectl = read_results(acmectl_path, 2)
    agree = {"go": 0, "curl": 0}
    total = 0
    bad = []
    with open(cases_path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            case_id, url, env = fields[0], fields[1], fields[2:]
            total += 1
            mine = acmectl.get(case_id, ["missing", "missing"])
            for col, real, own in (("go", go.get(case_id, ["missing"])[0], mine[0]),
                                   ("curl", curl.get(case_id, ["missing"])[0], mine[1])):
                want = from_dial(real, names)
                got = from_acmectl(own, url)
                if want == got:
                    agree[col] += 1
                else:
                    bad.append("%s %s: %s %s\n    %s says %s (%s), acmectl %s (%s)" % (
                        col, case_id, url, " ".join(repr(e) for e in env), col, want,
                        real, got, own))
    for line in bad:
        print(line)
    ok = True
    for col in ("go", "curl"):
        percent = 100.0 * agree[col] / total if total else 0.0
        print("%s: %d of %d cases agree (%.2f %%)" % (col, agree[col], total, percent))
        ok = ok and total > 0 and percent >= float(minimum)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
