#!/usr/bin/env python3
"""fault_ca.py - an HTTPS ACME front for Pebble that breaks one kind of answer.

Every request is relayed to Pebble with its Host header kept (acme_relay.py),
so the client sees one ACME server, this one. One fault per run, chosen with
--fault NAME from FAULTS below, rewrites one kind of answer the way a broken
or hostile CA would; everything else passes unchanged.

A fault is a function of one Exchange (the request) returning the answer,
(status, [(header, value)...], body bytes). It calls x.relay() for Pebble's
answer (relayed once, however often it is called) and changes what it is
about. A fault that sends its answer itself (slowly) returns None. To add one, write a function with a docstring saying what it breaks
and add a row to FAULTS.

Certificates the front makes up are signed by its own CA (made with openssl
at start in --workdir; its certificate is WORKDIR/fault-ca.pem), so a forged
chain links and verifies: only what the fault is about is wrong.

The log (--log) gets one line per request and one per rewritten answer:
    REQUEST METHOD PATH
    FAULT NAME METHOD PATH

Usage: fault_ca.py --fault NAME --port PORT --cert PEM --key PEM
                   --upstream HOST:PORT --upstream-ca PEM --log FILE
                   --workdir DIR
"""

import base64
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time

from acme_relay import RelayHandler, arguments, b64url_decode, jws_payload, serve

PROBLEM = "application/problem+json"
EVIL_NAME = "evil.example.net"


class Exchange:
    """One request as the faults see it.

    method, path    the request line
    payload         the decoded JWS payload (dict; {} for POST-as-GET,
                    None when the body is not a JWS)
    state           a dict shared by all requests of this run (use under
                    state_lock)
    """

    def __init__(self, handler, body):
        self.handler = handler
        self.method = handler.command
        self.path = handler.path
        self.body = body
        self.payload = jws_payload(body) if body else None
        self.state = handler.server.state
        self.state_lock = handler.server.state_lock
        self.workdir = handler.server.workdir
        self.answer = None

    def relay(self):
        """Pebble's answer to this request (asked once)."""
        if self.answer is None:
            self.answer = self.handler.relay(self.body)
        return self.answer

    def is_post(self, prefix):
        return self.method == "POST" and self.path.startswith(prefix)

    def problem(self, status, doc):
        """An answer carrying the problem document DOC (a dict, or bytes
        sent as they are) and a fresh nonce."""
        body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        return status, [("Content-Type", PROBLEM),
                        ("Replay-Nonce", self.handler.fresh_nonce())], body


def json_answer(answer, change):
    """ANSWER with its JSON body passed through CHANGE(doc) -> doc."""
    status, headers, data = answer
    return status, headers, json.dumps(change(json.loads(data))).encode()


def with_header(answer, name, value):
    status, headers, data = answer
    headers = [(n, v) for n, v in headers if n.lower() != name.lower()]
    return status, headers + [(name, value)], data


# --- certificates ------------------------------------------------------------

def openssl(*args, stdin=None):
    """Runs openssl ARGS; returns its stdout; raises with its stderr."""
    run = subprocess.run(["openssl"] + list(args), input=stdin,
                         capture_output=True, check=False)
    if run.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (args[0], run.stderr.decode(errors="replace")))
    return run.stdout


def make_fault_ca(workdir):
    """The front's own CA: WORKDIR/fault-ca.pem and fault-ca.key."""
    openssl("req", "-x509", "-new", "-nodes", "-newkey", "ec",
            "-pkeyopt", "ec_paramgen_curve:P-256",
            "-keyout", os.path.join(workdir, "fault-ca.key"),
            "-out", os.path.join(workdir, "fault-ca.pem"), "-days", "30",
            "-subj", "/CN=fault_ca test root",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign")
    with open(os.path.join(workdir, "ca.cnf"), "w") as f:
        f.write("[ca]\ndefault_ca = fault\n[fault]\n"
                "database = %(d)s/index.txt\nnew_certs_dir = %(d)s\n"
                "serial = %(d)s/serial\ndefault_md = sha256\npolicy = any\n"
                "unique_subject = no\ncopy_extensions = copy\n[any]\ncommonName = optional\n" % {"d": workdir})
    open(os.path.join(workdir, "index.txt"), "w").close()
    with open(os.path.join(workdir, "serial"), "w") as f:
        f.write("1000\n")


def csr_pem(csr_b64url):
    der = b64url_decode(csr_b64url)
    return (b"-----BEGIN CERTIFICATE REQUEST-----\n" +
            base64.encodebytes(der) + b"-----END CERTIFICATE REQUEST-----\n")


def forge(x, csr, sans=None, pubkey=None, dates=None):
    """A leaf certificate (PEM) for the CSR's key and names, signed by the
    front's CA; SANS (e.g. "DNS:a,DNS:b") replaces the CSR's names, PUBKEY
    (a PEM public key file) its key, DATES (start, end as YYYYMMDDHHMMSSZ)
    the validity of 30 days from now."""
    d = x.workdir
    with x.state_lock:
        n = x.state.setdefault("forged", 0) + 1
        x.state["forged"] = n
    req, ext = os.path.join(d, "req%d.pem" % n), os.path.join(d, "ext%d.cnf" % n)
    with open(req, "wb") as f:
        f.write(csr)
    with open(ext, "w") as f:
        f.write("[leaf]\nbasicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
        if sans:
            f.write("subjectAltName=%s\n" % sans)
    ca = [os.path.join(d, "fault-ca.pem"), os.path.join(d, "fault-ca.key")]
    if dates:
        with x.state_lock:
            return openssl("ca", "-batch", "-notext", "-config", os.path.join(d, "ca.cnf"),
                           "-cert", ca[0], "-keyfile", ca[1], "-in", req,
                           "-subj", "/CN=fault", "-startdate", dates[0], "-enddate", dates[1],
                           "-extfile", ext, "-extensions", "leaf", "-out", "/dev/stdout")
    args = ["x509", "-req", "-in", req, "-CA", ca[0], "-CAkey", ca[1],
            "-set_serial", "0x%x" % (0x5000 + n), "-days", "30", "-extfile", ext, "-extensions", "leaf"]
    if not sans:
        args += ["-copy_extensions", "copy"]
    if pubkey:
        args += ["-force_pubkey", pubkey]
    return openssl(*args)


def fault_ca_pem(x):
    with open(os.path.join(x.workdir, "fault-ca.pem"), "rb") as f:
        return f.read()


def remember_csr(x):
    """Keeps the CSR of a finalize request and, once the order names its
    certificate URL, which CSR that certificate answers."""
    status, _, data = x.relay()
    if status >= 300:
        return
    with x.state_lock:
        if x.is_post("/finalize-order/") and x.payload and x.payload.get("csr"):
            order = x.path[len("/finalize-order/"):]
            x.state.setdefault("csr", {})[order] = csr_pem(x.payload["csr"])
        if x.is_post("/finalize-order/") or x.is_post("/my-order/"):
            order = x.path.rsplit("/", 1)[1]
            url = json.loads(data).get("certificate")
            if url and order in x.state.get("csr", {}):
                path = "/" + url.split("/", 3)[3]
                x.state.setdefault("cert_csr", {})[path] = x.state["csr"][order]


def certificate_download(x):
    """The CSR when X downloads a certificate of a finalized order, else None."""
    remember_csr(x)
    if x.method != "POST":
        return None
    return x.state.get("cert_csr", {}).get(x.path)


def replace_certificate(x, make_pem):
    """Pebble's answer, with the certificate body replaced by
    MAKE_PEM(csr, pebble_pem) on a certificate download."""
    answer = x.relay()
    csr = certificate_download(x)
    if csr is None or answer[0] != 200:
        return answer
    x.handler.event("FAULT %s %s %s" % (x.handler.server.fault, x.method, x.path))
    return answer[0], answer[1], make_pem(csr, answer[2])


def pem_blocks(pem):
    """The PEM blocks of PEM (bytes), each ending with its END line."""
    blocks, cur = [], []
    for line in pem.splitlines(keepends=True):
        if line.startswith(b"-----BEGIN"):
            cur = [line]
        elif cur:
            cur.append(line)
            if line.startswith(b"-----END"):
                blocks.append(b"".join(cur))
                cur = []
    return blocks


def cert_not_a_cert(x):
    """The certificate is PEM-shaped but its body is no certificate."""
    junk = base64.encodebytes(b"this is not DER, just text shaped like PEM " * 8)
    return replace_certificate(x, lambda csr, pem: b"-----BEGIN CERTIFICATE-----\n" + junk +
                               b"-----END CERTIFICATE-----\n" + b"".join(pem_blocks(pem)[1:]))


def cert_other_key(x):
    """The certificate names the CSR's identifiers but certifies another
    public key (a fresh one the front makes)."""
    def make(csr, pem):
        other = os.path.join(x.workdir, "other-pub.pem")
        if not os.path.exists(other):
            key = openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256")
            with open(other, "wb") as f:
                f.write(openssl("pkey", "-pubout", stdin=key))
        return forge(x, csr, pubkey=other) + fault_ca_pem(x)
    return replace_certificate(x, make)


def cert_other_names(x):
    """The certificate certifies the CSR's key for evil.example.net only."""
    return replace_certificate(x, lambda csr, pem: forge(x, csr, sans="DNS:" + EVIL_NAME) +
                               fault_ca_pem(x))


def cert_expired(x):
    """The certificate expired long ago (2020-01-01 .. 2020-04-01)."""
    return replace_certificate(x, lambda csr, pem: forge(
        x, csr, dates=("20200101000000Z", "20200401000000Z")) + fault_ca_pem(x))


def cert_not_yet_valid(x):
    """The certificate's validity starts in 2099."""
    return replace_certificate(x, lambda csr, pem: forge(
        x, csr, dates=("20990101000000Z", "20990401000000Z")) + fault_ca_pem(x))


def chain_unlinked(x):
    """Pebble's leaf followed by a chain certificate that did not issue it
    (the front's own CA)."""
    return replace_certificate(x, lambda csr, pem: pem_blocks(pem)[0] + fault_ca_pem(x))


def chain_bad_signature(x):
    """Pebble's leaf with one byte of its signature changed: the chain's
    names still link, the signature does not verify."""
    def make(csr, pem):
        blocks = pem_blocks(pem)
        der = bytearray(base64.b64decode(b"".join(blocks[0].splitlines()[1:-1])))
        der[-1] ^= 0x01
        leaf = (b"-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(bytes(der)) +
                b"-----END CERTIFICATE-----\n")
        return leaf + b"".join(blocks[1:])
    return replace_certificate(x, make)


# --- orders and authorizations -----------------------------------------------

def new_order_created(x):
    answer = x.relay()
    return x.method == "POST" and x.path == "/order-plz" and answer[0] == 201


def order_other_identifiers(x):
    """The newOrder answer lists evil.example.net in place of the last
    identifier asked for."""
    if not new_order_created(x):
        return x.relay()

    def change(order):
        order["identifiers"][-1] = {"type": "dns", "value": EVIL_NAME}
        return order
    x.handler.event("FAULT order-other-identifiers POST /order-plz")
    return json_answer(x.relay(), change)


def authz_500(x):
    """The newOrder answer lists 500 authorizations (Pebble's, then made-up
    URLs) however many identifiers were asked for."""
    if not new_order_created(x):
        return x.relay()

    def change(order):
        real = order["authorizations"]
        base = real[0].rsplit("/", 1)[0]
        order["authorizations"] = real + ["%s/fault-%d" % (base, i)
                                          for i in range(500 - len(real))]
        return order
    x.handler.event("FAULT authz-500 POST /order-plz")
    return json_answer(x.relay(), change)


def token_nul(x):
    """Every challenge token in an authorization answer has a NUL in it."""
    answer = x.relay()
    if not x.is_post("/authZ/") or answer[0] != 200:
        return answer

    def change(authz):
        for challenge in authz.get("challenges", []):
            challenge["token"] = challenge["token"][:8] + "\0" + challenge["token"][8:]
        return authz
    x.handler.event("FAULT token-nul POST " + x.path)
    return json_answer(answer, change)


def authz_other_identifier(x):
    """Every authorization answer names evil.example.net as its identifier
    (the order itself is Pebble's, for the names asked for)."""
    answer = x.relay()
    if not x.is_post("/authZ/") or answer[0] != 200:
        return answer

    def change(authz):
        authz["identifier"] = {"type": "dns", "value": EVIL_NAME}
        return authz
    x.handler.event("FAULT authz-other-identifier POST " + x.path)
    return json_answer(answer, change)


# --- problem documents -------------------------------------------------------

def refuse_new_order(x, name, body):
    """newOrder answered 400 with BODY (a problem dict, or raw bytes)."""
    if not (x.method == "POST" and x.path == "/order-plz"):
        return x.relay()
    x.handler.event("FAULT %s POST /order-plz" % name)
    return x.problem(400, body)


def problem_control_chars(x):
    """newOrder is refused with a problem whose detail and subproblem carry
    ANSI escapes, CR, BEL and newlines that forge an "acmectl:" line."""
    detail = ("policy says no\x1b[2J\x1b[31m\r\nacmectl: issued ok.example, valid until 2099\x07"
              "\x1b]0;title\x07 end")
    return refuse_new_order(x, "problem-control-chars", {
        "type": "urn:ietf:params:acme:error:rejectedIdentifier",
        "detail": detail, "status": 400,
        "subproblems": [{"type": "urn:ietf:params:acme:error:rejectedIdentifier",
                         "detail": "sub\nacmectl: forged sub line\x1b[0m",
                         "identifier": {"type": "dns", "value": "a\x1b[1mb.example"}}]})


def problem_invalid_utf8(x):
    """newOrder is refused with a problem document holding invalid UTF-8
    (raw bytes 0xff 0xfe, a truncated sequence) and a newline in its text."""
    body = (b'{"type":"urn:ietf:params:acme:error:malformed","status":400,'
            b'"detail":"bad \xff\xfe bytes \xc3( and\nacmectl: forged"}')
    return refuse_new_order(x, "problem-invalid-utf8", body)


def problem_huge(x):
    """newOrder is refused with a 1 MB detail."""
    return refuse_new_order(x, "problem-huge", {
        "type": "urn:ietf:params:acme:error:rejectedIdentifier", "status": 400,
        "detail": "start " + "A" * (1 << 20) + " END"})


def header_control_chars(x):
    """newOrder is refused with 429 rateLimited and a Retry-After header
    holding ANSI escapes and a BEL (no valid wait: not retried)."""
    if not (x.method == "POST" and x.path == "/order-plz"):
        return x.relay()
    x.handler.event("FAULT header-control-chars POST /order-plz")
    status, headers, body = x.problem(429, {
        "type": "urn:ietf:params:acme:error:rateLimited", "status": 429,
        "detail": "too many orders"})
    return status, headers + [("Retry-After", "\x1b[31msoon\x07\x1b[0m")], body


def account_control_chars(x):
    """Account objects (POST /my-account/...) carry a contact and a status
    with ANSI escapes, BEL and a newline forging an "acmectl:" line."""
    answer = x.relay()
    if not x.is_post("/my-account/") or answer[0] != 200:
        return answer

    def change(account):
        account["contact"] = ["mailto:admin@acmectl.example\x1b[8m\nacmectl: forged"]
        account["status"] = "valid\x1b]0;title\x07\r"
        return account
    x.handler.event("FAULT account-control-chars POST " + x.path)
    return json_answer(answer, change)


# --- the directory -----------------------------------------------------------

def directory_status(x, name, status, retry_after=None):
    if not (x.method == "GET" and x.path == "/dir"):
        return x.relay()
    x.handler.event("FAULT %s GET /dir" % name)
    headers = [("Content-Type", PROBLEM)]
    if retry_after is not None:
        headers.append(("Retry-After", retry_after))
    doc = {"type": "urn:ietf:params:acme:error:serverInternal", "status": status,
           "detail": "the front says %d: down for maintenance" % status}
    return status, headers, json.dumps(doc).encode()


def directory_503(x):
    """The directory always answers 503 with a problem document."""
    return directory_status(x, "directory-503", 503)


def directory_429(x):
    """The directory always answers 429 with Retry-After: 1 and a problem."""
    return directory_status(x, "directory-429", 429, "1")


def down_503(x):
    """Every request, the directory's and the rest, answers 503 with a problem."""
    x.handler.event("FAULT down-503 %s %s" % (x.method, x.path))
    doc = {"type": "urn:ietf:params:acme:error:serverInternal", "status": 503,
           "detail": "the front says 503: down for maintenance"}
    return 503, [("Content-Type", PROBLEM)], json.dumps(doc).encode()


def nonce_503(x):
    """newNonce (HEAD or GET /nonce-plz) answers 503 with a problem document
    and no Replay-Nonce; the directory is Pebble's."""
    if not (x.method in ("HEAD", "GET") and x.path == "/nonce-plz"):
        return x.relay()
    x.handler.event("FAULT nonce-503 %s /nonce-plz" % x.method)
    doc = {"type": "urn:ietf:params:acme:error:serverInternal", "status": 503,
           "detail": "the front says 503: nonces are down for maintenance"}
    return 503, [("Content-Type", PROBLEM)], json.dumps(doc).encode()


# --- waits ---------------------------------------------------------------------

HUGE_WAIT = "999999999"


def retry_after_challenge(x):
    """Every challenge answer asks the client to wait 999999999 s before it
    looks again (Retry-After)."""
    answer = x.relay()
    if not x.is_post("/chalZ/") or answer[0] != 200:
        return answer
    x.handler.event("FAULT retry-after-challenge POST " + x.path)
    return with_header(answer, "Retry-After", HUGE_WAIT)


def retry_after_processing(x):
    """Once finalized, the order stays "processing" in every answer (the
    finalize answer and each poll), and each poll asks the client to wait
    999999999 s (Retry-After)."""
    answer = x.relay()
    if answer[0] != 200:
        return answer
    if x.is_post("/finalize-order/"):
        with x.state_lock:
            x.state["finalized"] = True
        return json_answer(answer, lambda order: dict(order, status="processing"))
    with x.state_lock:
        finalized = x.state.get("finalized", False)
    if not (finalized and x.is_post("/my-order/")):
        return answer
    x.handler.event("FAULT retry-after-processing POST " + x.path)
    return with_header(json_answer(answer, lambda order: dict(order, status="processing")),
                       "Retry-After", HUGE_WAIT)


def order_pending_forever(x):
    """Every poll of an order says it is still "pending", without a
    Retry-After, however its authorizations went."""
    answer = x.relay()
    if not x.is_post("/my-order/") or answer[0] != 200:
        return answer
    x.handler.event("FAULT order-pending-forever POST " + x.path)
    return json_answer(answer, lambda order: dict(order, status="pending"))


def order_pending_retry_0(x):
    """Every poll of an order says it is still "pending" and may be asked
    again at once (Retry-After: 0)."""
    answer = x.relay()
    if not x.is_post("/my-order/") or answer[0] != 200:
        return answer
    x.handler.event("FAULT order-pending-retry-0 POST " + x.path)
    return with_header(json_answer(answer, lambda order: dict(order, status="pending")),
                       "Retry-After", "0")


def order_no_authz(x):
    """The newOrder answer is "pending" and lists no authorizations at all."""
    if not new_order_created(x):
        return x.relay()
    x.handler.event("FAULT order-no-authz POST /order-plz")
    return json_answer(x.relay(), lambda order: dict(order, status="pending",
                                                     authorizations=[]))


def body_trickle(x):
    """The certificate download (on the connection the client has used all
    along) gets its headers at once and its body at 1 byte per second."""
    answer = x.relay()
    if certificate_download(x) is None or answer[0] != 200:
        return answer
    x.handler.event("FAULT body-trickle POST " + x.path)
    status, headers, body = answer
    h = x.handler
    h.send_response(status)
    for name, value in headers:
        h.send_header(name, value)
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    try:
        for i in range(len(body)):
            h.wfile.write(body[i:i + 1])
            h.wfile.flush()
            time.sleep(1)
    except (OSError, socket.timeout):
        h.close_connection = True
    return None


def link_alternate_1000(x):
    """Each certificate answer carries 1,000 Link rel="alternate" headers,
    all naming this same certificate URL (so every alternate fetched
    carries 1,000 more)."""
    answer = x.relay()
    if certificate_download(x) is None or answer[0] != 200:
        return answer
    x.handler.event("FAULT link-alternate-1000 POST " + x.path)
    status, headers, body = answer
    host = x.handler.headers.get("Host", "localhost")
    links = [("Link", '<https://%s%s>;rel="alternate"' % (host, x.path))] * 1000
    return status, [(n, v) for n, v in headers if n.lower() != "link"] + links, body


# --- alternate chains ----------------------------------------------------------

ALTERNATE_PATH = "/fault-alternate/"


def alternate_bodies(x):
    """What each alternate-* fault serves as its one alternate chain: (
    content type, body), made from Pebble's certificate PEM last downloaded."""
    pem = x.state.get("last_certificate", b"")
    return {
        "alternate-garbage": ("application/pem-certificate-chain", os.urandom(4096)),
        "alternate-huge": ("application/pem-certificate-chain",
                           b"-----BEGIN CERTIFICATE-----\n" + b"QUFB" * 16 * 65536 +
                           b"\n-----END CERTIFICATE-----\n"),
        "alternate-not-pem": ("text/html", b"<html><body>Not here</body></html>\n"),
        # Pebble's leaf under the front's own root: its top names the
        # root "fault_ca test root", which did not issue the leaf
        "alternate-unlinked": ("application/pem-certificate-chain",
                               (pem_blocks(pem)[0] if pem else b"") + fault_ca_pem(x)),
    }


def alternate_broken(x):
    """The certificate download links one alternate chain
    (rel="alternate", at ALTERNATE_PATH on this front), which the fault
    breaks: alternate-garbage random bytes, alternate-huge a PEM block of
    4 MiB, alternate-not-pem an HTML page, alternate-unlinked a chain whose
    top certificate did not issue the one below, alternate-500 an HTTP 500
    problem document with Retry-After 0 (every time), alternate-reset a TCP reset instead of
    an answer. The default chain is Pebble's."""
    fault = x.handler.server.fault
    if x.method == "POST" and x.path.startswith(ALTERNATE_PATH):
        x.handler.event("FAULT %s POST %s" % (fault, x.path))
        if fault == "alternate-500":
            # Retry-After 0: the client's retries come at once, not in 7 s
            status, headers, body = x.problem(500, {
                "type": "urn:ietf:params:acme:error:serverInternal",
                "detail": "alternate chain store down"})
            return status, headers + [("Retry-After", "0")], body
        if fault == "alternate-reset":
            # SO_LINGER 0: closing sends a TCP RST, not a FIN, and no answer
            x.handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                            struct.pack("ii", 1, 0))
            x.handler.close_connection = True
            return None
        ctype, body = alternate_bodies(x)[fault]
        return 200, [("Content-Type", ctype),
                     ("Replay-Nonce", x.handler.fresh_nonce())], body
    answer = x.relay()
    if certificate_download(x) is None or answer[0] != 200:
        return answer
    with x.state_lock:
        x.state["last_certificate"] = answer[2]
    host = x.handler.headers.get("Host", "localhost")
    status, headers, body = answer
    return status, headers + [("Link", '<https://%s%s%s>;rel="alternate"' %
                                (host, ALTERNATE_PATH, fault))], body


def relay(x):
    """No fault: every answer is Pebble's."""
    return x.relay()


FAULTS = {
    "none": relay,
    "cert-not-a-cert": cert_not_a_cert,
    "cert-other-key": cert_other_key,
    "cert-other-names": cert_other_names,
    "cert-expired": cert_expired,
    "cert-not-yet-valid": cert_not_yet_valid,
    "chain-unlinked": chain_unlinked,
    "chain-bad-signature": chain_bad_signature,
    "order-other-identifiers": order_other_identifiers,
    "authz-500": authz_500,
    "token-nul": token_nul,
    "authz-other-identifier": authz_other_identifier,
    "problem-control-chars": problem_control_chars,
    "problem-invalid-utf8": problem_invalid_utf8,
    "problem-huge": problem_huge,
    "account-control-chars": account_control_chars,
    "header-control-chars": header_control_chars,
    "directory-503": directory_503,
    "directory-429": directory_429,
    "down-503": down_503,
    "nonce-503": nonce_503,
    "retry-after-challenge": retry_after_challenge,
    "retry-after-processing": retry_after_processing,
    "order-pending-forever": order_pending_forever,
    "order-pending-retry-0": order_pending_retry_0,
    "order-no-authz": order_no_authz,
    "body-trickle": body_trickle,
    "link-alternate-1000": link_alternate_1000,
    "alternate-garbage": alternate_broken,
    "alternate-huge": alternate_broken,
    "alternate-not-pem": alternate_broken,
    "alternate-unlinked": alternate_broken,
    "alternate-500": alternate_broken,
    "alternate-reset": alternate_broken,
}


class Handler(RelayHandler):
    server_version = "fault-ca/1"

    def handle_any(self):
        self.event("REQUEST %s %s" % (self.command, self.path))
        x = Exchange(self, self.read_body())
        answer = FAULTS[self.server.fault](x)
        if answer is not None:
            self.send(*answer)

    do_GET = do_HEAD = do_POST = handle_any


def main():
    ap = arguments("an HTTPS ACME front for Pebble that breaks one kind of answer")
    ap.add_argument("--fault", required=True, choices=sorted(FAULTS))
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    make_fault_ca(args.workdir)
    serve(Handler, args, "fault_ca (%s)" % args.fault, fault=args.fault,
          workdir=args.workdir, state={}, state_lock=threading.RLock())


if __name__ == "__main__":
    sys.exit(main())
