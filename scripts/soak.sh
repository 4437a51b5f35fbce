#!/usr/bin/env bash
# Long crash-safety runs, kept out of CI: thousands of SIGKILLs of the journal writer (against
# the native binary in artifacts/publish/linux-x64 when present: run scripts/publish.sh first so
# it matches the source) and many more torn-write seeds.
#
#   bash scripts/soak.sh [kills] [torn-seeds]        (defaults: 5000 kills, 20000 seeds)
set -euo pipefail
cd "$(dirname "$0")/.."
kills="${1:-5000}"
seeds="${2:-20000}"
binary="$PWD/artifacts/publish/linux-x64/epost-edge"
if [ -x "$binary" ]; then export EPOSTEDGE_BINARY="$binary"; fi

dotnet build EPostEdge.sln -c Release -nologo -v:q
EPOSTEDGE_POWERCUT_KILLS="$kills" dotnet test tests/EdgeNode.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~PowerCut" --logger "console;verbosity=detailed"
EPOSTEDGE_TORN_SEEDS="$seeds" dotnet test tests/Storage.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~TornWrite" --logger "console;verbosity=detailed"
