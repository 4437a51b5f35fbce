#!/usr/bin/env bash
# bench-mail.sh -- issue 3 mail benchmark: the AOT node side by side with Postfix and Dovecot
# from Debian, all on 127.0.0.1, in ONE run (only ratios from one interleaved run mean anything
# on a shared machine). Not part of CI (README "Soak and benchmarks").
#
#   sudo scripts/bench-mail.sh              (root: installs and starts Postfix and Dovecot)
#
# Figures (targets of issue 3):
#   SMTP   accepted msgs/s, 5 KiB messages, 20 concurrent connections (smtp-source; a message
#          counts only after 250 to DATA, which both servers send after fsync)   target >= 3x Postfix
#   IMAP   mixed-load ops/s, 10 clients over 1 000 messages (imap-load.py; SELECT, UID FETCH
#          1:* (FLAGS RFC822.SIZE), body FETCH, STORE +FLAGS, SEARCH UNSEEN), plaintext LOGIN on
#          both (Dovecot's bench config allows it; the node gets Imap:AllowPlaintextAuth)
#                                                                                target >= 1.2x Dovecot
#   RSS    idle resident memory of the node holding 10 000 messages, after a settle time,
#          next to Postfix + Dovecot idle                                        target <= 32 MiB
#
# The load tools are the workplace's shared ones (bench README), used in place, by path:
#   EPOSTEDGE_BENCH_TOOLS  folder with setup-anchors.sh, run-bench.py, smtp-load.sh,
#                          imap-load.py, rss.sh (default: ../shared/bench from the repo root)
# Other settings (environment):
#   EPOSTEDGE_BINARY       node binary (default artifacts/publish/linux-x64/epost-edge; published
#                          with scripts/publish.sh linux-x64 when missing)
#   BENCH_RUNS=3           interleaved runs per server and protocol (run-bench.py --runs)
#   BENCH_SMTP_N=2000      messages per SMTP run
#   BENCH_IMAP_SECONDS=20  seconds per IMAP run
#   BENCH_RSS_MESSAGES=10000  messages the node holds for the RSS figure
#   BENCH_SETTLE=120       seconds before the idle RSS sample (Postfix's idle daemons exit after 100 s)
#   BENCH_SKIP_SETUP=1     do not (re)run setup-anchors.sh (anchors already up)
#   BENCH_SKIP=smtp,imap   figures to leave out (run-bench.py --skip; "rss" skips the idle RSS part)
#   BENCH_OUT=DIR          results folder (default artifacts/bench/mail-<UTC time>)
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
tools=${EPOSTEDGE_BENCH_TOOLS:-$top/../shared/bench}
binary=${EPOSTEDGE_BINARY:-$top/artifacts/publish/linux-x64/epost-edge}
runs=${BENCH_RUNS:-3}
smtp_n=${BENCH_SMTP_N:-2000}
imap_seconds=${BENCH_IMAP_SECONDS:-20}
rss_messages=${BENCH_RSS_MESSAGES:-10000}
settle=${BENCH_SETTLE:-120}
skip=${BENCH_SKIP:-}
out=${BENCH_OUT:-$top/artifacts/bench/mail-$(date -u +%Y%m%d-%H%M%SZ)}

log() { printf '[bench-mail] %s\n' "$*"; }
[ "$(id -u)" = 0 ] || { echo "bench-mail.sh: run as root (setup-anchors.sh installs Postfix and Dovecot)" >&2; exit 1; }
for f in setup-anchors.sh run-bench.py smtp-load.sh imap-load.py rss.sh; do
  [ -e "$tools/$f" ] || { echo "bench-mail.sh: $tools/$f is missing (set EPOSTEDGE_BENCH_TOOLS)" >&2; exit 1; }
done
tools=$(cd "$tools" && pwd)
mkdir -p "$out"

if [ ! -x "$binary" ]; then
  log "no AOT binary at $binary: publishing"
  bash scripts/publish.sh linux-x64
fi

if [ "${BENCH_SKIP_SETUP:-0}" != 1 ]; then
  log "starting the anchors (Postfix 127.0.0.1:2526, Dovecot 127.0.0.1:1143)"
  bash "$tools/setup-anchors.sh"
fi
postfix_pid=$(tr -d ' ' < /var/spool/postfix/pid/master.pid)
dovecot_pid=$(cat /run/dovecot-bench/master.pid)

# The tools folder may be read-only and run-bench.py finds its helpers next to itself, so run a
# private copy. smtp-load.sh's delivery deadline prints a 10-digit time with awk's default %.6g,
# which ends the wait at once (delivered=NA and exit 3); the copy prints it with %.3f.
work=$(mktemp -d /tmp/epost-edge-bench-mail.XXXXXX)
cp "$tools"/run-bench.py "$tools"/smtp-load.sh "$tools"/imap-load.py "$tools"/rss.sh "$work/"
sed -i "s/'BEGIN{print a+t}'/'BEGIN{printf \"%.3f\", a+t}'/" "$work/smtp-load.sh"
chmod +x "$work"/*.sh "$work"/*.py

# ------------------------------------------------------------------ the node --
data="$work/node"
read -r smtp_port submission_port imap_port < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
PY
)
"$binary" init --data "$data" --domain bench.test --hostname edge.bench.test >"$out/node-init.log" 2>&1
echo benchpass | "$binary" user add bench --address bench@bench.test --password-stdin --data "$data" >>"$out/node-init.log" 2>&1

node_pid=
stop_node() {
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill -TERM "$node_pid"
    wait "$node_pid" || true
  fi
  rm -rf "$work"
}
trap stop_node EXIT

# setsid: the node leads its own process group, which is what rss.sh and run-bench.py sum over.
EPOSTEDGE_Mail__ListenAddress=127.0.0.1 \
EPOSTEDGE_Smtp__Port=$smtp_port \
EPOSTEDGE_Smtp__SubmissionPort=$submission_port \
EPOSTEDGE_Smtp__ImplicitTlsPort=0 \
EPOSTEDGE_Imap__Port=$imap_port \
EPOSTEDGE_Imap__ImplicitTlsPort=0 \
EPOSTEDGE_Imap__AllowPlaintextAuth=true \
  setsid "$binary" run --data "$data" >"$out/node.log" 2>&1 &
node_pid=$!
for port in "$smtp_port" "$imap_port"; do
  for ((i = 0; ; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$node_pid" 2>/dev/null || { echo "the node exited; see $out/node.log" >&2; tail -20 "$out/node.log" >&2; exit 1; }
    ((i < 300)) || { echo "port $port did not open within 30 s" >&2; exit 1; }
    sleep 0.1
  done
done
log "node pid $node_pid: SMTP 127.0.0.1:$smtp_port, IMAP 127.0.0.1:$imap_port ($binary)"
log "anchors: Postfix master $postfix_pid, Dovecot master $dovecot_pid"

# ------------------------------------------------------------- SMTP and IMAP --
python3 "$work/run-bench.py" --with-anchors --runs "$runs" --smtp-n "$smtp_n" --imap-duration "$imap_seconds" \
  --smtp "edge=127.0.0.1:$smtp_port,rcpt=bench@bench.test,pid=$node_pid" \
  --imap "edge=127.0.0.1:$imap_port,user=bench,pass=benchpass,tls=none,pid=$node_pid" \
  --skip "rss${skip:+,$skip}" --out "$out" | tee "$out/run-bench.log"

# ------------------------------------------------------------------- idle RSS --
if [[ ",$skip," == *,rss,* ]]; then
  log "idle RSS skipped; results in $out"
  exit 0
fi
# Filled over SMTP with 20 connections (one APPEND connection waits for each fsync in turn).
log "filling the node's INBOX with $rss_messages more messages over SMTP for the idle RSS figure"
bash "$work/smtp-load.sh" 127.0.0.1 "$smtp_port" "$rss_messages" 20 5 bench@bench.test | tee "$out/rss-fill.log"
python3 - "$imap_port" <<'PY' | tee -a "$out/rss-fill.log"
import imaplib, sys
c = imaplib.IMAP4("127.0.0.1", int(sys.argv[1]))
c.login("bench", "benchpass")
print("node INBOX holds", int(c.select("INBOX", readonly=True)[1][0]), "messages")
c.logout()
PY
log "waiting ${settle}s for every server to go idle"
sleep "$settle"
rss_of() { "$work/rss.sh" "$@" | tail -1; }
edge_rss=$(rss_of "$node_pid"); postfix_rss=$(rss_of "$postfix_pid"); dovecot_rss=$(rss_of "$dovecot_pid")
anchors_rss=$(rss_of "$postfix_pid" "$dovecot_pid")
{
  echo "edge ($(grep -o 'holds [0-9]*' "$out/rss-fill.log" | tail -1) messages): $edge_rss"
  echo "postfix: $postfix_rss"
  echo "dovecot: $dovecot_rss"
  echo "postfix+dovecot: $anchors_rss"
} | tee "$out/rss-idle.txt"

# ------------------------------------------------------------------- verdicts --
python3 - "$out/summary.md" "$out/rss-idle.txt" <<'PY'
import re, sys
summary, rss = open(sys.argv[1]).read(), open(sys.argv[2]).read()
def median(proto, server, metric):
    m = re.search(rf"^\| {proto} \| {server} \| {metric} [^|]*\| [\d.]+ / ([\d.]+) / [\d.]+ \|", summary, re.M)
    return float(m.group(1)) if m else None
def mib(label):
    m = re.search(rf"^{re.escape(label)}[^:]*: .*rss_mib=([\d.]+)", rss, re.M)
    return float(m.group(1)) if m else None
print()
print("issue 3 targets (medians of one interleaved run)")
rows = [("SMTP accepted msgs/s", median("smtp", "edge", "accepted"), median("smtp", "postfix", "accepted"), 3.0, "Postfix"),
        ("IMAP mixed ops/s", median("imap", "edge", "total"), median("imap", "dovecot", "total"), 1.2, "Dovecot")]
for name, edge, anchor, target, who in rows:
    if edge is None or anchor is None:
        print(f"  {name:22} edge={edge} {who}={anchor}: no figure (see the logs)")
        continue
    ratio = edge / anchor
    print(f"  {name:22} edge {edge:9.1f}  {who} {anchor:9.1f}  ratio {ratio:5.2f}x  target >= {target}x  "
          f"{'MET' if ratio >= target else f'MISSED by {target / ratio:.2f}x'}")
edge, anchors = mib("edge"), mib("postfix+dovecot")
if edge is not None:
    print(f"  {'idle RSS MiB':22} edge {edge:9.1f}  Postfix+Dovecot {anchors}  target <= 32 MiB  "
          f"{'MET' if edge <= 32 else f'MISSED by {edge - 32:.1f} MiB'}")
PY
log "results in $out"
