#!/usr/bin/env bash
# The project's one test command (README, .ci/run): installs what the tests need, builds with
# warnings as errors, publishes the native AOT node, runs every test project (the node's
# process tests run against the AOT binary), and ends with one line "N passed, N failed".
#
# Soak runs stay out of it; see README "Soak and benchmarks".
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
results="$top/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

# install-aot-deps.sh runs `apt-get update` first; the installs below use that package index.
export DEBIAN_FRONTEND=noninteractive
echo "== install: native AOT toolchain"
bash scripts/install-aot-deps.sh

# The end-to-end tests run tests/EndToEnd/python/mail_flow.py (standard library only) with
# python3, which also sums the results below; MailKit comes from NuGet with the build.
if ! command -v python3 >/dev/null; then
  echo "== install: python3"
  apt-get install -y -q python3
fi
python3 --version

# tests/EdgeNode.Tests/Systemd: systemd-analyze (verify, security --offline) checks the unit files;
# the sd_notify test starts the node under unshare(1) and mount(8) (util-linux, mount: in every
# Debian install).
if ! command -v systemd-analyze >/dev/null; then
  echo "== install: systemd (for systemd-analyze)"
  apt-get install -y -q systemd
fi
systemd-analyze --version | head -1

# The web health page's browser test (EndToEnd/HealthPageBrowserTests) drives Debian's chromium
# through Microsoft.Playwright's own driver (node, shipped in the NuGet package): no browser is
# downloaded.
if [ ! -x /usr/bin/chromium ]; then
  echo "== install: chromium"
  apt-get install -y -q chromium
fi
/usr/bin/chromium --version 2>/dev/null || true

# The NAT tests (tests/EdgeNode.Tests/Nat/Igd) run a real IGD, Debian's miniupnpd (NAT-PMP, PCP
# and UPnP-IGD; nftables backend), in network namespaces they make as root (ip, nft).
if ! [ -x /usr/sbin/miniupnpd ] || ! command -v nft >/dev/null || ! command -v ip >/dev/null; then
  echo "== install: miniupnpd, nftables, iproute2 (NAT tests)"
  apt-get install -y -q --no-install-recommends miniupnpd miniupnpd-nftables nftables iproute2
fi

echo "== build (Release, warnings are errors)"
dotnet build EPostEdge.sln -c Release -nologo -v:q

echo "== publish: native AOT linux-x64"
bash scripts/publish.sh linux-x64
binary="$top/artifacts/publish/linux-x64/epost-edge"
"$binary" --help >/dev/null
ls -l "$binary"

echo "== test"
export EPOSTEDGE_BINARY="$binary"
set +e
dotnet test EPostEdge.sln -c Release --no-build -nologo --blame-hang-timeout 15m \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" 2>&1 | tee "$results/test.log"
status=${PIPESTATUS[0]}
set -e

# Totals over every test assembly, from the TRX files (one per assembly).
python3 - "$results" "$status" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
results, status = sys.argv[1], int(sys.argv[2])
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
files = glob.glob(f"{results}/**/*.trx", recursive=True)
for f in files:
    c = ET.parse(f).getroot().find("t:ResultSummary/t:Counters", ns)
    passed += int(c.get("passed", 0))
    failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
    # xunit's skipped tests show only as total - executed (its TRX leaves notExecuted at 0).
    skipped += max(int(c.get("total", 0)) - int(c.get("executed", 0)), int(c.get("notExecuted", 0))) + int(c.get("inconclusive", 0))
# The failures again, last, so a CI log cut to its tail still names them (name, first lines).
for f in files:
    root = ET.parse(f).getroot()
    for r in root.iter(f"{{{ns['t']}}}UnitTestResult"):
        if r.get("outcome") in ("Failed", "Error", "Timeout", "Aborted"):
            msg = r.find("t:Output/t:ErrorInfo/t:Message", ns)
            text = (msg.text or "").strip().splitlines() if msg is not None else []
            print(f"FAILED {r.get('testName')} [{r.get('duration')}]")
            for l in text[:12]:
                print(f"    {l[:300]}")
if status != 0 and failed == 0:
    print(f"the test run failed (exit {status}) without a failing test: see {results}/test.log")
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
sys.exit(0 if status == 0 and failed == 0 and passed > 0 else 1)
PY
