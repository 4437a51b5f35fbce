#!/usr/bin/env bash
# bench-erasure.sh -- issue 6 item 3: Glacier's erasure code (src/Storage/Glacier/Erasure) side by
# side with Intel ISA-L from Debian, one thread each, in ONE run: rounds alternate ISA-L's own
# anchor (shared/bench/isal/ec_bench.c) and our harness (tests/Benchmarks mode "erasure"), and
# the table shows medians over the rounds (only ratios from one interleaved run mean anything on
# a shared machine). Not part of CI.
#
#   scripts/bench-erasure.sh            (root, or libisal-dev and build-essential installed)
#
# Cases, fragment 65536 B, MB/s = 1e6 bytes of ORIGINAL data per second (m x fragment per
# stripe), Cauchy generator on both sides (our parity is checked equal to ISA-L's):
#   (n=48, m=5) Glacier's code in ePOST; (n=10, m=4).
#   encode; decode "all data lost" (all m data rows computed: ISA-L mode=all, ours from m parity
#   survivors); decode "random survivors" (only missing data rows computed: ISA-L mode=missing,
#   zero-copy; ours Decode(), which also copies the surviving data shards out).
# ec_bench has (48,5), (14,10), (15,5) built in and no option for (10,4), so ISA-L's (10,4) is
# timed by our harness through P/Invoke to libisal.so.2 (ec_init_tables, ec_encode_data,
# gf_gen_cauchy1_matrix, gf_invert_matrix), which also times (48,5) as a check against ec_bench.
# Goal: ours >= 0.5x ISA-L on x64.
#
# Settings (environment):
#   EPOSTEDGE_BENCH_TOOLS  folder holding isal/ec_bench.c (default ../shared/bench from the repo root)
#   BENCH_ROUNDS=3         interleaved rounds
#   BENCH_SECONDS=1        timed seconds per figure (ec_bench -t and our --seconds)
#   BENCH_KERNELS=best     our kernels: best, all, or a list such as Gfni512,Nibble512,Nibble256
#   BENCH_UNALIGNED=1      our shards as plain byte[] instead of 64-byte aligned (ec_bench aligns)
#   BENCH_OUT=DIR          keep raw outputs there (default: a temporary folder, removed)
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
tools=${EPOSTEDGE_BENCH_TOOLS:-$top/../shared/bench}
[ -f "$tools/isal/ec_bench.c" ] || tools=/work/shared/bench
rounds=${BENCH_ROUNDS:-3}
seconds=${BENCH_SECONDS:-1}
kernels=${BENCH_KERNELS:-best}
unaligned=()
[ "${BENCH_UNALIGNED:-0}" = 1 ] && unaligned=(--unaligned)

if [ ! -f "$tools/isal/ec_bench.c" ]; then
  echo "bench-erasure: no isal/ec_bench.c under $tools (set EPOSTEDGE_BENCH_TOOLS)" >&2
  exit 2
fi

if ! dpkg -s libisal-dev build-essential >/dev/null 2>&1; then
  echo "bench-erasure: installing libisal-dev build-essential" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libisal-dev build-essential >/dev/null
fi

if [ -n "${BENCH_OUT:-}" ]; then
  out=$BENCH_OUT
  mkdir -p "$out"
else
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi

gcc -O2 -Wall -o "$out/ec_bench" "$tools/isal/ec_bench.c" -lisal -ldl
dotnet build tests/Benchmarks -c Release -nologo -v q -o "$out/bench" >/dev/null
: >"$out/isal.txt"
: >"$out/ours.txt"
for round in $(seq 1 "$rounds"); do
  echo "round $round/$rounds: ISA-L ec_bench" >&2
  "$out/ec_bench" -t "$seconds" >>"$out/isal.txt"
  echo "round $round/$rounds: ours (+ ISA-L (10,4) through P/Invoke)" >&2
  dotnet "$out/bench/EPostEdge.Benchmarks.dll" erasure --seconds "$seconds" --kernel "$kernels" "${unaligned[@]}" >>"$out/ours.txt"
done

python3 - "$out/isal.txt" "$out/ours.txt" <<'PY'
import statistics, sys

def parse(path):
    rows = []
    for line in open(path):
        parts = line.split()
        if len(parts) < 3:
            continue
        fields = dict(p.split("=", 1) for p in parts[2:] if "=" in p)
        rows.append((parts[0], parts[1], fields))
    return rows

isal, ours = parse(sys.argv[1]), parse(sys.argv[2])

def figures(rows, who, what, n, k, **match):
    return [float(f["MBps"]) for w, t, f in rows
            if w == who and t == what and f.get("n") == str(n) and f.get("k") == str(k)
            and f.get("frag") == "65536" and all(f.get(key) == value for key, value in match.items())]

def median(values):
    return statistics.median(values) if values else 0.0

def ratio(a, b):
    return f"{a / b:5.2f}" if a and b else "    -"

info = [l.strip() for l in open(sys.argv[1]) if l.startswith("isal info")]
if info:
    print(info[0])
kernels = sorted({f["kernel"] for w, t, f in ours if w == "ours" and "kernel" in f})
cases = [
    ("(48,5) encode", 48, 5, "encode", {}, "isal", {}),
    ("(48,5) decode, all data lost", 48, 5, "decode", {"mode": "all"}, "isal", {"mode": "all"}),
    ("(48,5) decode, random survivors", 48, 5, "decode", {"mode": "random"}, "isal", {"mode": "missing"}),
    ("(10,4) encode", 10, 4, "encode", {}, "isal-pinvoke", {}),
    ("(10,4) decode, all data lost", 10, 4, "decode", {"mode": "all"}, "isal-pinvoke", {"mode": "all"}),
    ("(10,4) decode, random survivors", 10, 4, "decode", {"mode": "random"}, "isal-pinvoke", {"mode": "missing"}),
]
for kernel in kernels:
    print()
    print(f"ours: kernel {kernel}. MB/s of original data, fragment 65536 B, one thread; median and best of the rounds")
    print(f"{'case':33} {'ours med':>9} {'ISA-L med':>9} {'ratio':>5}   {'ours best':>9} {'ISA-L best':>10} {'ratio':>5}  ISA-L timed by")
    for name, n, k, what, our_match, isal_who, isal_match in cases:
        o = figures(ours, "ours", what, n, k, kernel=kernel, **our_match)
        i = figures(isal if isal_who == "isal" else ours, isal_who, what, n, k, **isal_match)
        source = "ec_bench" if isal_who == "isal" else "P/Invoke"
        print(f"{name:33} {median(o):9.0f} {median(i):9.0f} {ratio(median(o), median(i))}   "
              f"{max(o, default=0):9.0f} {max(i, default=0):10.0f} {ratio(max(o, default=0), max(i, default=0))}  {source} ({len(o)} rounds)")

print()
print("check: ISA-L (48,5) timed by ec_bench and by our P/Invoke harness (medians; the latter runs in")
print("the same process and minute as ours, so a noisy neighbour hits both alike)")
for label, what, match in [("encode", "encode", {}), ("decode all", "decode", {"mode": "all"}),
                           ("decode missing", "decode", {"mode": "missing"})]:
    e = median(figures(isal, "isal", what, 48, 5, **match))
    p = median(figures(ours, "isal-pinvoke", what, 48, 5, **match))
    print(f"  {label:16} ec_bench {e:8.0f}  P/Invoke {p:8.0f}")
bad = [l for l in open(sys.argv[2]) if "parity_equals_ours=NO" in l or "verify=FAIL" in l]
bad += [l for l in open(sys.argv[1]) if "verify=FAIL" in l]
print("parity equal to ISA-L's, decodes verified:", "NO" if bad else "yes")
PY
