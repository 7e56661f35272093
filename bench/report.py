#!/usr/bin/env python3
"""report.py - turn bench/run.sh's raw data into RESULTS.md.

    report.py OUT_DIR RESULTS_MD

Reads OUT_DIR/runs.tsv (one row per timed run), meta.env, the acmectl trace
timelines (trace-*.txt) and callgrind summaries, and writes RESULTS_MD: the
medians, the ratios acmectl/peer, the targets of issue 6 with how far each is
met or missed, requests by kind, and the request timeline over the delayed
link. Whatever follows the NOTES_MARKER line in an existing RESULTS_MD is
kept (hand-written reading of a run).
"""

import os
import re
import statistics
import sys

NOTES_MARKER = "<!-- hand-written notes below are kept when run.sh rewrites this file -->"
CLIENTS = ["acmectl", "uacme", "certbot", "lego"]
PEERS = CLIENTS[1:]
SCENARIOS = [
    ("one", "1 name", 1),
    ("ten", "10 names", 10),
    ("one-rtt", "1 name, 100 ms RTT", 1),
    ("ten-rtt", "10 names, 100 ms RTT", 10),
    ("renew", "renew --force, one name each", 1),
]
# acmectl only: renew at scale (no peer has a comparable run)
SCALE_SCENARIOS = [
    ("due-none", "renew, nothing due (generated certificates)"),
    ("due-none-cold", "renew, nothing due, no renew digest yet (generated certificates)"),
    ("renew-rtt-1", "renew --force, 100 ms RTT, --parallel 1"),
    ("renew-rtt-n", "renew --force, 100 ms RTT, --parallel N"),
]
KINDS = ["dir", "nonce", "account", "neworder", "authz", "chall", "order_pre",
         "finalize", "order_post", "cert", "other"]
KIND_TITLES = ["dir", "newNonce", "account", "newOrder", "authz", "challenge",
               "order polls", "finalize", "order after finalize", "cert", "other"]


def read_meta(out):
    meta = {}
    path = os.path.join(out, "meta.env")
    if os.path.exists(path):
        for line in open(path):
            key, _, value = line.rstrip("\n").partition("=")
            meta[key] = value
    return meta


def read_runs(out):
    rows = []
    with open(os.path.join(out, "runs.tsv")) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            for k in ("wall", "user", "sys"):
                row[k] = float(row[k])
            for k in ["maxrss_kib", "requests", "certs"] + KINDS:
                row[k] = int(row[k])
            row["cpu"] = row["user"] + row["sys"]
            rows.append(row)
    return rows


class Summary:
    """Medians of the successful runs of one client in one scenario, scaled
    to `target_certs` certificates when fewer were renewed."""

    def __init__(self, rows, target_certs):
        ok = [r for r in rows if r["rc"] == "0"]
        self.runs = len(rows)
        self.ok = len(ok)
        self.failed = [r for r in rows if r["rc"] != "0"]
        if not ok:
            return
        self.certs = ok[0]["certs"]
        self.scale = target_certs / self.certs if target_certs else 1.0
        self.wall = statistics.median(r["wall"] for r in ok) * self.scale
        self.cpu = statistics.median(r["cpu"] for r in ok) * self.scale
        self.rss = statistics.median(r["maxrss_kib"] for r in ok) / 1024.0
        self.requests = statistics.median(r["requests"] for r in ok) * self.scale
        self.kinds = {k: statistics.median(r[k] for r in ok) * self.scale for k in KINDS}
        self.walls = sorted(r["wall"] * self.scale for r in ok)


def fmt_num(x, digits=2):
    if x is None:
        return "–"
    if x >= 100:
        return "%.0f" % x
    return ("%%.%df" % digits) % x


def kib_mib(kib):
    try:
        return "%.1f" % (int(kib) / 1024.0)
    except (TypeError, ValueError):
        return "?"


def fmt_count(x):
    return "%d" % round(x) if abs(x - round(x)) < 0.01 else "%.1f" % x


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def summarize(rows, meta):
    renew_certs = int(meta.get("renew_certs", "100"))
    out = {}
    for scenario, _, _ in SCENARIOS:
        for client in CLIENTS:
            sel = [r for r in rows if r["scenario"] == scenario and r["client"] == client]
            if sel:
                out[(scenario, client)] = Summary(sel, renew_certs if scenario == "renew" else None)
    for scenario, _ in SCALE_SCENARIOS:
        sel = [r for r in rows if r["scenario"] == scenario and r["client"] == "acmectl"]
        if sel:
            out[(scenario, "acmectl")] = Summary(sel, None)
    return out


def scale_table(summ, meta):
    """The renew-at-scale runs and their targets (issue 16)."""
    lines = ["| scenario | certificates | runs ok | wall s | user+sys CPU s | peak RSS MiB | requests |",
             "|---|---|---|---|---|---|---|"]
    counts = {"due-none": meta.get("due_none_certs", "?"),
              "due-none-cold": meta.get("due_none_certs", "?"),
              "renew-rtt-1": meta.get("renew_rtt_certs", "?"),
              "renew-rtt-n": meta.get("renew_rtt_certs", "?")}
    for scenario, title in SCALE_SCENARIOS:
        s = summ.get((scenario, "acmectl"))
        if s is None:
            continue
        title = title.replace("N", meta.get("renew_rtt_parallel", "N"))
        if not s.ok:
            lines.append("| %s | %s | 0/%d | failed | | | |" % (title, counts[scenario], s.runs))
            continue
        lines.append("| %s | %s | %d/%d | %s | %s | %.1f | %s |" % (
            title, counts[scenario], s.ok, s.runs, fmt_num(s.wall), fmt_num(s.cpu, 3),
            s.rss, fmt_count(s.requests)))
    rows = []
    s = summ.get(("due-none", "acmectl"))
    if s is not None and s.ok:
        rows.append(("CPU ≤ 0.5 s", "renew, nothing due", "%s s" % fmt_num(s.cpu, 3), "0.5 s")
                    + verdict(s.cpu, 0.5, " s"))
        rows.append(("peak RSS ≤ 16 MiB", "renew, nothing due", "%.1f MiB" % s.rss, "16 MiB")
                    + verdict(s.rss, 16.0, " MiB"))
    one, par = summ.get(("renew-rtt-1", "acmectl")), summ.get(("renew-rtt-n", "acmectl"))
    if one is not None and par is not None and one.ok and par.ok:
        limit = 0.2 * one.wall
        rows.append(("wall ≤ 0.2 × --parallel 1", "renew --force, 100 ms RTT",
                     "%s s (%.2f ×)" % (fmt_num(par.wall, 3), par.wall / one.wall),
                     "%s s" % fmt_num(limit, 3)) + verdict(par.wall, limit, " s"))
    rtt = 2 * float(meta.get("delay_ms", "50")) / 1000.0
    for scenario, title, limit_rtt in (("one-rtt", "1 name, 100 ms RTT", 9),
                                       ("ten-rtt", "10 names, 100 ms RTT", 10)):
        s = summ.get((scenario, "acmectl"))
        if s is None or not s.ok:
            continue
        rows.append(("wall ≤ %d round trips" % limit_rtt, title,
                     "%s s = %.1f RTT" % (fmt_num(s.wall, 3), s.wall / rtt),
                     "%s s" % fmt_num(limit_rtt * rtt, 3)) + verdict(s.wall, limit_rtt * rtt, " s"))
    lines += ["", "| target | scenario | acmectl | limit | met | margin |",
              "|---|---|---|---|---|---|"]
    lines += ["| %s | %s | %s | %s | %s | %s |" % r for r in rows]
    return lines


def medians_table(summ, meta):
    renew_certs = int(meta.get("renew_certs", "100"))
    lines = ["| scenario | client | runs ok | wall s | user+sys CPU s | peak RSS MiB | requests | wall of each run, s |",
             "|---|---|---|---|---|---|---|---|"]
    for scenario, title, n in SCENARIOS:
        for client in CLIENTS:
            s = summ.get((scenario, client))
            if s is None:
                continue
            if not s.ok:
                lines.append("| %s | %s | 0/%d | failed | | | | |" % (title, client, s.runs))
                continue
            note = ""
            if scenario == "renew" and s.certs != renew_certs:
                note = " (%d certs × %g)" % (s.certs, s.scale)
            lines.append("| %s | %s%s | %d/%d | %s | %s | %.1f | %s | %s |" % (
                title if scenario != "renew" else "renew %d certs" % renew_certs,
                client, note, s.ok, s.runs, fmt_num(s.wall), fmt_num(s.cpu, 3), s.rss,
                fmt_count(s.requests), ", ".join(fmt_num(w) for w in s.walls)))
    return lines


def ratios_table(summ):
    lines = ["| scenario | acmectl / peer | wall | CPU | peak RSS | requests |",
             "|---|---|---|---|---|---|"]
    for scenario, title, _ in SCENARIOS:
        a = summ.get((scenario, "acmectl"))
        if a is None or not a.ok:
            continue
        for peer in PEERS:
            p = summ.get((scenario, peer))
            if p is None or not p.ok:
                continue
            lines.append("| %s | / %s | %s | %s | %s | %s |" % (
                title, peer,
                fmt_num(ratio(a.wall, p.wall), 3), fmt_num(ratio(a.cpu, p.cpu), 3),
                fmt_num(ratio(a.rss, p.rss), 3), fmt_num(ratio(a.requests, p.requests), 3)))
    return lines


def verdict(value, limit, unit, lower_is_better=True):
    met = value <= limit
    if met:
        how = "met, %s%s under" % (fmt_num(limit - value, 3), unit)
    else:
        how = "**missed by %s%s (%.0f %% over)**" % (
            fmt_num(value - limit, 3), unit, 100.0 * (value - limit) / limit)
    return ("yes" if met else "**no**"), how


def targets_table(summ, meta):
    rtt = 2 * float(meta.get("delay_ms", "50")) / 1000.0
    renew_certs = int(meta.get("renew_certs", "100"))
    rows = []

    def get(scenario, client):
        s = summ.get((scenario, client))
        return s if s is not None and s.ok else None

    for scenario, title, n in SCENARIOS:
        a = get(scenario, "acmectl")
        if a is None:
            continue
        if scenario == "renew":
            per = a.requests / renew_certs
            limit = 2 * 1 + 7
            rows.append(("requests ≤ 2n+7 per certificate", title,
                         "%.2f" % per, "%d" % limit) + verdict(per, limit, ""))
        else:
            limit = 2 * n + 7
            rows.append(("requests ≤ 2n+7", title, fmt_count(a.requests), "%d" % limit)
                        + verdict(a.requests, limit, ""))
    for scenario, title, _ in SCENARIOS:
        a, u = get(scenario, "acmectl"), get(scenario, "uacme")
        if a is None or u is None or scenario == "ten-rtt":
            continue
        limit = 0.5 * u.wall
        rows.append(("wall ≤ 0.5 × uacme", title, "%s s" % fmt_num(a.wall, 3),
                     "%s s" % fmt_num(limit, 3)) + verdict(a.wall, limit, " s"))
    for scenario, title, _ in SCENARIOS:
        a, u, l = get(scenario, "acmectl"), get(scenario, "uacme"), get(scenario, "lego")
        if a is None:
            continue
        if u is not None:
            limit = 0.1 * u.cpu
            rows.append(("CPU ≤ 0.1 × uacme", title, "%s s" % fmt_num(a.cpu, 3),
                         "%s s" % fmt_num(limit, 3)) + verdict(a.cpu, limit, " s"))
        if l is not None:
            rows.append(("CPU ≤ lego", title, "%s s" % fmt_num(a.cpu, 3),
                         "%s s" % fmt_num(l.cpu, 3)) + verdict(a.cpu, l.cpu, " s"))
    for scenario, title, _ in SCENARIOS:
        a = get(scenario, "acmectl")
        if a is None:
            continue
        rows.append(("peak RSS ≤ 12 MiB", title, "%.1f MiB" % a.rss, "12 MiB")
                    + verdict(a.rss, 12.0, " MiB"))
    a = get("ten-rtt", "acmectl")
    if a is not None:
        limit = 14 * rtt
        rows.append(("wall ≤ 14 round trips", "10 names, 100 ms RTT",
                     "%s s = %.1f RTT" % (fmt_num(a.wall, 3), a.wall / rtt),
                     "%s s" % fmt_num(limit, 3)) + verdict(a.wall, limit, " s"))
    lines = ["| target | scenario | acmectl | limit | met | margin |",
             "|---|---|---|---|---|---|"]
    lines += ["| %s | %s | %s | %s | %s | %s |" % r for r in rows]
    missed = [r for r in rows if r[4] != "yes"]
    return lines, missed


def kinds_table(summ):
    lines = ["| scenario | client | " + " | ".join(KIND_TITLES) + " | total |",
             "|---|---|" + "---|" * (len(KINDS) + 1)]
    for scenario, title, _ in SCENARIOS:
        if scenario == "renew":
            continue
        for client in CLIENTS:
            s = summ.get((scenario, client))
            if s is None or not s.ok:
                continue
            lines.append("| %s | %s | %s | %s |" % (
                title, client, " | ".join(fmt_count(s.kinds[k]) for k in KINDS),
                fmt_count(s.requests)))
    return lines


END_LINE = re.compile(r"^\s*([0-9.]+) acmectl: (GET|HEAD|POST) (\S+) -> (\d+) in (\d+) ms")
SUMMARY_LINE = re.compile(r"connections: (\d+), requests: (\d+)")


def kind_of(url):
    path = re.sub(r"^https?://[^/]+", "", url)
    for prefix, kind in (("/dir", "dir"), ("/nonce-plz", "newNonce"), ("/sign-me-up", "account"),
                         ("/my-account/", "account"), ("/order-plz", "newOrder"),
                         ("/authZ/", "authz"), ("/chalZ/", "challenge"), ("/my-order/", "order"),
                         ("/finalize-order/", "finalize"), ("/certZ/", "cert")):
        if path.startswith(prefix):
            return kind
    return path


def read_trace(out, where):
    """(wall, [(start, end, method, kind, status)], connections) of a trace."""
    path = os.path.join(out, "trace-%s.txt" % where)
    mpath = os.path.join(out, "trace-%s.m" % where)
    if not os.path.exists(path) or not os.path.exists(mpath):
        return None
    fields = open(mpath).read().split()
    if fields[0] != "0":
        return None
    wall = float(fields[1])
    reqs, conns = [], None
    for line in open(path):
        m = END_LINE.match(line)
        if m:
            end = float(m.group(1))
            reqs.append((end - int(m.group(5)) / 1000.0, end, m.group(2),
                         kind_of(m.group(3)), m.group(4)))
        m = SUMMARY_LINE.search(line)
        if m:
            conns = int(m.group(1))
    return wall, reqs, conns


def trace_section(out, where, title, rtt):
    t = read_trace(out, where)
    if t is None:
        return []
    wall, reqs, conns = t
    if not reqs:
        return []
    # Time with no request in flight: waiting between polls, or local work.
    events = sorted(reqs)
    idle, covered_to = 0.0, 0.0
    gaps = []
    for start, end, _, _, _ in events:
        if start > covered_to:
            idle += start - covered_to
            if start - covered_to >= 0.03:
                gaps.append((covered_to, start))
        covered_to = max(covered_to, end)
    tail = max(0.0, wall - covered_to)
    peak = 0
    for start, _, _, _, _ in events:
        peak = max(peak, sum(1 for s, e, _, _, _ in events if s <= start < e))
    busy = sum(e - s for s, e, _, _, _ in events)
    lines = [
        "### acmectl request timeline, %s (one traced run, not in the medians)" % title,
        "",
        "Wall %.3f s%s; %d requests%s; at most %d in flight at once; %.3f s with no request in"
        " flight (%.3f s before the first, %.3f s after the last); the requests' own times add"
        " up to %.3f s." % (
            wall, " = %.1f round trips of %d ms" % (wall / rtt, rtt * 1000) if rtt else "",
            len(reqs), ", %d connection(s)" % conns if conns is not None else "", peak,
            idle + tail, events[0][0], tail, busy),
        "",
    ]
    if gaps:
        lines.append("Pauses of 30 ms or more with no request in flight: " + ", ".join(
            "%.3f–%.3f s (%d ms)" % (a, b, (b - a) * 1000) for a, b in gaps) + ".")
        lines.append("")
    lines += ["| # | start s | end s | request | status |", "|---|---|---|---|---|"]
    for i, (start, end, method, kind, status) in enumerate(events, 1):
        lines.append("| %d | %.3f | %.3f | %s %s | %s |" % (i, start, end, method, kind, status))
    lines.append("")
    return lines


TOTALS = re.compile(r"^\s*([0-9,]+)\s+(?:\(100\.0%\)\s+)?PROGRAM TOTALS")
FUNC = re.compile(r"^\s*([0-9,]+)\s+\(\s*([0-9.]+)%\)\s+(\S.*)$")
LIB_FUNCS = re.compile(r":(SSL_do_handshake|X509_STORE_load_file|X509_verify_cert|EVP_DigestSign"
                       r"|EVP_PKEY_Q_keygen|EVP_PKEY_generate|curl_global_init|_dl_start) ")


def short_name(where):
    """"/x/src/src/http.c:f [/x/acmectl]" -> "src/http.c:f";
    "???:f [/usr/lib/.../libssl.so.3]" -> "f (libssl.so.3)"."""
    where = where.strip()
    m = re.match(r"^(.*?) \[(.*)\]$", where)
    func, obj = (m.group(1), m.group(2)) if m else (where, "")
    m = re.search(r"/(src/[^/]+\.c:.*)$", func)
    if m:
        return m.group(1)
    func = re.sub(r"^\?\?\?:", "", func)
    func = re.sub(r"^\S*/([^/]+:)", r"\1", func)
    return "%s (%s)" % (func, os.path.basename(obj)) if obj else func


def callgrind_section(out):
    self_path = os.path.join(out, "callgrind-self.txt")
    incl_path = os.path.join(out, "callgrind-incl.txt")
    if not os.path.exists(self_path):
        return ["Not recorded in this run (callgrind failed or was not run)."]
    total = None
    top = []
    for line in open(self_path):
        m = TOTALS.match(line)
        if m:
            total = m.group(1)
            continue
        m = FUNC.match(line)
        if m and total is not None and len(top) < 12:
            top.append((m.group(1), m.group(2), short_name(m.group(3))))
    own, lib, seen = [], [], set()
    if os.path.exists(incl_path):
        for line in open(incl_path):
            m = FUNC.match(line)
            if not m:
                continue
            where = short_name(m.group(3))
            if where in seen:
                continue
            seen.add(where)
            if where.startswith("src/") and len(own) < 12:
                own.append((m.group(1), m.group(2), where))
            elif LIB_FUNCS.search(m.group(3)):
                lib.append((m.group(1), m.group(2), where))
    lines = ["Instructions (Ir) for one 10-name `acmectl -v issue --force` on loopback,"
             " whole process (acmectl, libcurl, OpenSSL, libc): **%s**." % (total or "?"), ""]
    if top:
        lines += ["Top functions by own instructions:", "",
                  "| Ir | % | function |", "|---|---|---|"]
        lines += ["| %s | %s | `%s` |" % t for t in top]
        lines.append("")
    if lib:
        lines += ["Selected library work, inclusive (the CA bundle loaded per TLS handshake,"
                  " the handshake, JWS signing, key generation, dynamic linking):", "",
                  "| Ir | % | function |", "|---|---|---|"]
        lines += ["| %s | %s | `%s` |" % t for t in lib]
        lines.append("")
    if own:
        lines += ["acmectl's own functions by inclusive instructions:", "",
                  "| Ir | % | function |", "|---|---|---|"]
        lines += ["| %s | %s | `%s` |" % t for t in own]
        lines.append("")
    return lines


def failures_section(summ):
    lines = []
    for (scenario, client), s in sorted(summ.items()):
        for r in s.failed:
            lines.append("- %s %s run %s: %s (log: out/runs/%s-%s-%s.log)" % (
                scenario, client, r["run"],
                "too few certificates downloaded" if r["rc"] == "fewcerts" else "exit %s" % r["rc"],
                scenario, client, r["run"]))
    return lines


def main():
    out, results = sys.argv[1], sys.argv[2]
    meta = read_meta(out)
    rows = read_runs(out)
    summ = summarize(rows, meta)
    rtt = 2 * float(meta.get("delay_ms", "50")) / 1000.0

    notes = ""
    if os.path.exists(results):
        text = open(results).read()
        if NOTES_MARKER in text:
            notes = text.split(NOTES_MARKER, 1)[1].lstrip("\n")

    renew_note = {
        "native": "`acmectl renew --force` (one process for all certificates)",
        "issue-loop": "**a loop of `acmectl issue --force`, one process per certificate: "
                      "this acmectl had no working `renew` yet**",
    }.get(meta.get("acmectl_renew", ""), meta.get("acmectl_renew", "?"))

    lines = [
        "# Benchmark: acmectl, uacme, certbot, lego on one local Pebble",
        "",
        "Written by `bench/run.sh` on %s in %s s; raw data in `bench/out/` (not committed)."
        % (meta.get("date", "?"), meta.get("duration_s", "?")),
        "",
        "- acmectl %s, %s, built with CFLAGS=`%s`" % (
            meta.get("acmectl_rev", "?"), meta.get("acmectl_version", "?"),
            meta.get("acmectl_cflags", "?")),
        "- peers (Debian packages): uacme %s, certbot %s, lego %s; Pebble %s; OpenSSL %s, curl %s"
        % (meta.get("uacme"), meta.get("certbot"), meta.get("lego"), meta.get("pebble"),
           meta.get("openssl"), meta.get("libcurl")),
        "- machine: %s, %s CPUs (`nproc`), %s RAM, %s, %s" % (
            meta.get("cpu"), meta.get("nproc"), meta.get("mem"), meta.get("kernel"), meta.get("os")),
        "- Pebble with PEBBLE_VA_NOSLEEP=1, PEBBLE_AUTHZREUSE=0, PEBBLE_WFE_NONCEREJECT=0;"
        " pebble-challtestsrv as DNS (every name is 127.0.0.1); one webroot served by"
        " `python3 -m http.server` on Pebble's http-01 port, used by every client",
        "- every client: http-01 through that webroot, EC P-256 certificate key, an account"
        " registered before timing (certbot 2.1 can only make RSA-2048 account keys; the others"
        " use P-256), one untimed warm-up issuance, a forced fresh certificate each run",
        "- runs: %s per client and scenario, interleaved round-robin with the order rotating"
        " each round; lego %s (its fixed polling sleeps make a 10-name run take ~50 s);"
        " renew: %s run(s) of %s certificates (certbot %s and lego %s, scaled ×%s and ×%s to %s"
        " in the tables: time and requests grow linearly with the count for one-process-per-"
        "certificate loops, and certbot's one start-up is then counted %s times instead of once)"
        % (meta.get("runs"), meta.get("lego_runs"), meta.get("renew_runs"),
           meta.get("renew_certs"), meta.get("renew_certs_certbot"),
           meta.get("renew_certs_lego"),
           fmt_num(int(meta.get("renew_certs", "1")) / max(1, int(meta.get("renew_certs_certbot", "1"))), 1),
           fmt_num(int(meta.get("renew_certs", "1")) / max(1, int(meta.get("renew_certs_lego", "1"))), 1),
           meta.get("renew_certs"),
           fmt_num(int(meta.get("renew_certs", "1")) / max(1, int(meta.get("renew_certs_certbot", "1"))), 1)),
        "- renew equivalents: acmectl: %s; certbot: `certbot renew --force-renewal"
        " --no-random-sleep-on-renew` (one process); uacme: `uacme -f issue NAME` once per"
        " certificate (it has no multi-certificate renew); lego: `lego -d NAME renew --days"
        " 100000 --no-random-sleep` once per certificate" % renew_note,
        "- measured: wall, user+sys CPU and peak RSS from wait4(2) of the client process"
        " (children such as uacme's hook included) by `bench/measure.c`; requests = Pebble's"
        " log lines `-> calling handler()` during the run; medians over the runs. Peak RSS"
        " floors under the same measuring: `/bin/true` %s MiB, `acmectl --version` %s MiB"
        " (its shared libraries: libcurl, OpenSSL, jansson, libyaml, ...)" % (
            kib_mib(meta.get("rss_true_kib")), kib_mib(meta.get("rss_acmectl_version_kib"))),
        "- 100 ms RTT: `tests/lib/delay_relay.py` between client and Pebble delays each direction by"
        " %s ms (and a new connection's first bytes by one more round trip, as a TCP handshake"
        " would); Pebble builds its URLs from the Host header, so clients given the relay's port"
        " stay on it. Check: %s" % (meta.get("delay_ms"), meta.get("relay_check", "?")),
        "",
        "## Medians",
        "",
    ]
    lines += medians_table(summ, meta)
    lines += ["", "## Ratios acmectl / peer (medians; below 1 means acmectl uses less)", ""]
    lines += ratios_table(summ)
    target_lines, missed = targets_table(summ, meta)
    lines += ["", "## Targets of issue 6", ""]
    lines += target_lines
    lines += ["", "## Renew at scale and round trips (acmectl only; targets of issue 16)", ""]
    lines += scale_table(summ, meta)
    lines += ["", "## Requests by kind (medians)", "",
              "`order polls` are order fetches before finalize, `order after finalize` those"
              " between finalize and the certificate download.", ""]
    lines += kinds_table(summ)
    lines += ["", "## Where acmectl's time goes", ""]
    lines += trace_section(out, "relay", "10 names over the 100 ms RTT", rtt)
    lines += trace_section(out, "relay-one", "1 name over the 100 ms RTT", rtt)
    lines += trace_section(out, "direct", "10 names on loopback", 0)
    lines += ["## callgrind", ""]
    lines += callgrind_section(out)
    fails = failures_section(summ)
    if fails:
        lines += ["", "## Failed runs (left out of the medians)", ""] + fails
    lines += ["", NOTES_MARKER, ""]
    if notes:
        lines.append(notes.rstrip("\n"))
    elif missed:
        lines.append("(no notes yet on why the missed targets above are missed)")
    with open(results, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
