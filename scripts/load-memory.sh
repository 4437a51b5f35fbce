#!/usr/bin/env bash
# The memory load of issue 7 at full size (README, "Soak and benchmarks"): the AOT node under a
# hw-profile (pi-zero-2w unless EPOSTEDGE_LOAD_PROFILE says otherwise), N IMAP clients logged in
# (SELECT, then FETCH / IDLE / NOOP) and an SMTP flood at once; the node's RSS is sampled every
# 100 ms from /proc/PID/status and its VmHWM read at the end; every message that got 250 is looked
# for over IMAP by Message-ID. Prints idle and peak RSS, mails accepted / refused (421, 452), IMAP
# connections refused with BYE. It is the CI test MemoryLoadTests run longer and bigger.
#
#   scripts/load-memory.sh [seconds=120] [imap-clients=200] [smtp-sessions=20] [users=8]
#
# More SMTP sessions than the profile's Smtp:MaxSessions (20 on pi-zero-2w) get 421 4.3.2 and
# retry, as real senders do. REBUILD=1 publishes the binary again first.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-120}"
imap="${2:-200}"
smtp="${3:-20}"
users="${4:-8}"
binary="$PWD/artifacts/publish/linux-x64/epost-edge"
if [ ! -x "$binary" ] || [ "${REBUILD:-0}" = 1 ]; then
  bash scripts/publish.sh linux-x64
fi

dotnet build tests/EdgeNode.Tests -c Release -nologo -v:q
export EPOSTEDGE_BINARY="$binary"
export EPOSTEDGE_LOAD_SECONDS="$seconds" EPOSTEDGE_LOAD_IMAP="$imap" EPOSTEDGE_LOAD_SMTP="$smtp" EPOSTEDGE_LOAD_USERS="$users"
dotnet test tests/EdgeNode.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~MemoryLoadTests.Under_the_pi_zero_2w_profile" \
  --logger "console;verbosity=detailed"
