#!/usr/bin/env python3
"""mail_flow.py -- the issue 3 mail flow with Python's standard smtplib and imaplib only.

Against a running server (EPostEdge, or Postfix + Dovecot to check the script itself):

  1. submission: SMTP on --submission-port, STARTTLS, AUTH (LOGIN/PLAIN via smtplib.login),
     a message from the sender to the recipient (skipped with --submission-port 0);
  2. receiving: SMTP on --smtp-port, no TLS, no AUTH, a message to the recipient;
  3. relay check: on --smtp-port, RCPT TO:<x@example.org> without AUTH must get 5xx with
     5.7.1 (--no-relay-check skips it: a stock Postfix trusts loopback as mynetworks);
  4. IMAP on --imap-port with STARTTLS (--imap-tls none for plaintext), LOGIN as the recipient:
     each message reads back byte-identical (BODY.PEEK[]; the server may prepend whole trace
     header fields, RFC 5321 section 4.4 -- --trace-fields names them), STORE +FLAGS (\\Flagged)
     and read back, SEARCH SUBJECT / UNSEEN, MOVE (or COPY + \\Deleted + EXPUNGE when MOVE is not
     advertised) to --archive, and APPEND of a message read back identical.

Exit status 0 when every step passed, 1 at the first failure (the reason is printed).
Certificates are not verified: a loopback test of a self-signed node.
"""
import argparse
import imaplib
import re
import smtplib
import ssl
import sys
import time
import uuid

STEP = [0]


def step(text):
    STEP[0] += 1
    print(f"[{STEP[0]:02d}] {text}", flush=True)


class FlowError(Exception):
    pass


def expect(condition, text):
    if not condition:
        raise FlowError(text)


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def make_message(sender, recipient, subject):
    """Exact bytes: CRLF lines, lines that need dot-stuffing (RFC 5321 section 4.5.2)."""
    mid = f"{uuid.uuid4().hex}@python.test"
    lines = [
        f"From: <{sender}>",
        f"To: <{recipient}>",
        f"Subject: {subject}",
        "Date: Wed, 02 Dec 2026 01:00:00 +0000",
        f"Message-ID: <{mid}>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "Hello from mail_flow.py.",
        ".",
        "..two dots",
        ".one dot",
        "",
    ] + [f"line {i}: the quick brown fox jumps over the lazy dog" for i in range(50)]
    return mid, ("\r\n".join(lines) + "\r\n").encode("ascii")


def check_trace_prefix(sent, stored, trace_fields, what):
    expect(stored.endswith(sent),
           f"{what}: the stored message does not end with the sent bytes "
           f"(sent {len(sent)}, stored {len(stored)}); stored begins:\n{stored[:800]!r}")
    prefix = stored[:len(stored) - len(sent)]
    expect(prefix == b"" or prefix.endswith(b"\r\n"), f"{what}: prepended fields do not end in CRLF: {prefix!r}")
    allowed = {f.lower() for f in trace_fields}
    for line in prefix.split(b"\r\n"):
        if not line or line[:1] in (b" ", b"\t"):
            continue
        name = line.split(b":", 1)[0].decode("ascii", "replace").lower()
        expect(name in allowed, f"{what}: the server added a non-trace field at the top: {line!r}")


def smtp_send(host, port, sender, recipient, raw, starttls=False, login=None):
    s = smtplib.SMTP(host, port, local_hostname="python.home.lan", timeout=60)
    try:
        s.ehlo()
        if starttls:
            expect(s.has_extn("starttls"), f"port {port} does not offer STARTTLS")
            s.starttls(context=tls_context())
            s.ehlo()
        if login:
            expect(s.has_extn("auth"), f"port {port} offers no AUTH after STARTTLS")
            s.login(*login)
        refused = s.sendmail(sender, [recipient], raw)
        expect(not refused, f"recipients refused: {refused}")
    finally:
        try:
            s.quit()
        except smtplib.SMTPException:
            pass


def relay_check(host, port):
    s = smtplib.SMTP(host, port, local_hostname="python.home.lan", timeout=60)
    try:
        s.ehlo()
        code, text = s.mail("someone@example.net")
        expect(code == 250, f"MAIL FROM got {code} {text!r}")
        code, text = s.rcpt("x@example.org")
        print(f"     RCPT TO:<x@example.org> -> {code} {text.decode(errors='replace')}")
        expect(550 <= code <= 554, f"relay without AUTH was not refused with 55x: {code} {text!r}")
        expect(b"5.7.1" in text, f"relay refusal lacks the enhanced status code 5.7.1: {text!r}")
        code, _ = s.rset()
        expect(code == 250, "the session did not go on after the refusal (RSET)")
    finally:
        try:
            s.quit()
        except smtplib.SMTPException:
            pass


def ok(result, what):
    typ, data = result
    expect(typ == "OK", f"{what}: {typ} {data!r}")
    return data


def uids_by_message_id(imap):
    data = ok(imap.uid("FETCH", "1:*", "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"), "UID FETCH Message-IDs")
    found = {}
    for item in data:
        if isinstance(item, tuple):
            uid = re.search(rb"UID (\d+)", item[0])
            mid = re.search(rb"<([^>]+)>", item[1])
            if uid and mid:
                found.setdefault(mid.group(1).decode(), []).append(int(uid.group(1)))
    return found


def wait_for(imap, message_ids, timeout=10.0):
    end = time.time() + timeout
    while True:
        typ, data = imap.select("INBOX")
        expect(typ == "OK", f"SELECT INBOX: {typ} {data!r}")
        found = uids_by_message_id(imap) if int(data[0] or 0) else {}
        missing = [m for m in message_ids if m not in found]
        if not missing:
            for m in message_ids:
                expect(len(found[m]) == 1, f"<{m}> is in INBOX {len(found[m])} times")
            return {m: found[m][0] for m in message_ids}
        if time.time() > end:
            raise FlowError(f"not in INBOX {timeout:.0f} s after DATA got 250: {missing}")
        time.sleep(0.1)


def fetch_raw(imap, uid):
    data = ok(imap.uid("FETCH", str(uid), "(BODY.PEEK[])"), f"UID FETCH {uid} BODY.PEEK[]")
    for item in data:
        if isinstance(item, tuple):
            return item[1]
    raise FlowError(f"UID FETCH {uid} returned no body: {data!r}")


def fetch_flags(imap, uid):
    data = ok(imap.uid("FETCH", str(uid), "(FLAGS)"), f"UID FETCH {uid} FLAGS")
    text = b" ".join(x if isinstance(x, bytes) else x[0] for x in data if x)
    m = re.search(rb"FLAGS \(([^)]*)\)", text)
    expect(m is not None, f"no FLAGS in {data!r}")
    return set(m.group(1).decode().split())


def search(imap, *criteria):
    data = ok(imap.uid("SEARCH", *criteria), f"UID SEARCH {' '.join(criteria)}")
    return {int(x) for x in (data[0] or b"").split()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--smtp-port", type=int, required=True, help="receiving SMTP (no AUTH)")
    ap.add_argument("--submission-port", type=int, default=0, help="submission SMTP (STARTTLS + AUTH); 0 skips")
    ap.add_argument("--imap-port", type=int, required=True)
    ap.add_argument("--imap-tls", choices=["starttls", "none"], default="starttls")
    ap.add_argument("--sender", required=True, help="USER:PASSWORD:ADDRESS (logs in to submission)")
    ap.add_argument("--recipient", required=True, help="USER:PASSWORD:ADDRESS (receives, logs in to IMAP)")
    ap.add_argument("--archive", default="Archive", help="folder to move a message to")
    ap.add_argument("--create-archive", action="store_true", help="CREATE the folder first if missing")
    ap.add_argument("--trace-fields", default="Received,Return-Path",
                    help="header fields the server may prepend on delivery (comma list)")
    ap.add_argument("--no-relay-check", action="store_true")
    a = ap.parse_args()
    s_user, s_pass, s_addr = a.sender.split(":", 2)
    r_user, r_pass, r_addr = a.recipient.split(":", 2)
    trace = [f.strip() for f in a.trace_fields.split(",") if f.strip()]
    token = uuid.uuid4().hex[:12]
    sent = {}

    try:
        if a.submission_port:
            step(f"submission {a.host}:{a.submission_port}: STARTTLS, AUTH as {s_user}, {s_addr} -> {r_addr}")
            mid, raw = make_message(s_addr, r_addr, f"submitted {token}")
            smtp_send(a.host, a.submission_port, s_addr, r_addr, raw, starttls=True, login=(s_user, s_pass))
            sent[mid] = raw
        step(f"receiving {a.host}:{a.smtp_port}: no AUTH, someone@example.net -> {r_addr}")
        mid, raw = make_message("someone@example.net", r_addr, f"received {token}")
        smtp_send(a.host, a.smtp_port, "someone@example.net", r_addr, raw)
        sent[mid] = raw
        if not a.no_relay_check:
            step(f"relay attempt on {a.host}:{a.smtp_port} without AUTH")
            relay_check(a.host, a.smtp_port)

        step(f"IMAP {a.host}:{a.imap_port} ({a.imap_tls}), LOGIN as {r_user}")
        imap = imaplib.IMAP4(a.host, a.imap_port, timeout=60)
        if a.imap_tls == "starttls":
            ok(imap.starttls(ssl_context=tls_context()), "STARTTLS")
        ok(imap.login(r_user, r_pass), "LOGIN")
        # Capabilities change after LOGIN (RFC 9051 section 7.2.2): ask again.
        caps = set(ok(imap.capability(), "CAPABILITY")[0].decode().upper().split())

        step("read back byte-identical (BODY.PEEK[])")
        uids = wait_for(imap, list(sent))
        for m, raw in sent.items():
            check_trace_prefix(raw, fetch_raw(imap, uids[m]), trace, f"<{m}>")
        first, last = uids[list(sent)[0]], uids[list(sent)[-1]]

        step("flags: STORE +FLAGS (\\Flagged), read back")
        ok(imap.uid("STORE", str(first), "+FLAGS", r"(\Flagged)"), "UID STORE +FLAGS")
        expect("\\Flagged" in fetch_flags(imap, first), "\\Flagged did not stick")

        step("search: SUBJECT, FLAGGED, UNSEEN")
        mine = search(imap, "SUBJECT", token)
        expect(mine == set(uids.values()), f"SEARCH SUBJECT {token} gave {mine}, expected {set(uids.values())}")
        expect(first in search(imap, "FLAGGED"), "SEARCH FLAGGED misses the flagged message")
        expect(set(uids.values()) <= search(imap, "UNSEEN"), "a message nobody read is not UNSEEN (BODY.PEEK must not set \\Seen)")
        ok(imap.uid("STORE", str(last), "+FLAGS.SILENT", r"(\Seen)"), "UID STORE \\Seen")
        expect(last not in search(imap, "UNSEEN"), "a \\Seen message is still UNSEEN")

        step(f"move <{list(sent)[0]}> to {a.archive} ({'MOVE' if 'MOVE' in caps else 'COPY + EXPUNGE'})")
        if a.create_archive:
            typ, listed = imap.list('""', a.archive)
            if typ == "OK" and not any(x for x in listed if x):
                ok(imap.create(a.archive), f"CREATE {a.archive}")
        if "MOVE" in caps:
            ok(imap.uid("MOVE", str(first), a.archive), "UID MOVE")
        else:
            ok(imap.uid("COPY", str(first), a.archive), "UID COPY")
            ok(imap.uid("STORE", str(first), "+FLAGS.SILENT", r"(\Deleted)"), "UID STORE \\Deleted")
            ok(imap.expunge(), "EXPUNGE")
        expect(first not in search(imap, "ALL"), "the moved message is still in INBOX")
        ok(imap.select(a.archive), f"SELECT {a.archive}")
        moved = uids_by_message_id(imap).get(list(sent)[0], [])
        expect(len(moved) == 1, f"the moved message is in {a.archive} {len(moved)} times")
        check_trace_prefix(sent[list(sent)[0]], fetch_raw(imap, moved[0]), trace, f"{a.archive} copy")
        expect("\\Flagged" in fetch_flags(imap, moved[0]), "the move lost \\Flagged")

        step("APPEND to INBOX, read back identical")
        mid, raw = make_message(r_addr, r_addr, f"appended {token}")
        ok(imap.append("INBOX", r"(\Seen)", None, raw), "APPEND")
        appended = wait_for(imap, [mid])
        stored = fetch_raw(imap, appended[mid])
        expect(stored == raw, f"APPEND read back differs (sent {len(raw)}, stored {len(stored)})")

        imap.logout()
    except (FlowError, smtplib.SMTPException, imaplib.IMAP4.error, OSError) as e:
        print(f"FAIL: {type(e).__name__}: {e}", flush=True)
        return 1
    print("mail_flow: all steps passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
