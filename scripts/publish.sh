#!/usr/bin/env bash
# Publishes the node (src/EdgeNode) as a Native AOT binary to artifacts/publish/<rid>/.
#
#   scripts/publish.sh [linux-x64|linux-arm64]      (default linux-x64)
#
# Fails if the build prints any warning (compiler, trim IL2xxx, AOT IL3xxx, NuGet) other than
# the known package warnings listed in allowed_warnings below. linux-arm64 on an x64 host is
# cross-compiled (needs scripts/install-aot-deps.sh --arm64). See DEVELOPERS.md, "Native AOT and
# cross-compiling for arm64".
set -euo pipefail

rid="${1:-linux-x64}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
project="$root/src/EdgeNode/EPostEdge.EdgeNode.csproj"
out="$root/artifacts/publish/$rid"
log="$root/artifacts/publish/$rid.log"

# Package warnings we have looked at and accept, as whole-line patterns (grep -E). Each one names
# the assembly, so the same code from one of OUR assemblies still fails the build.
#  - LiteDB 5.0.20 is not trim-annotated; ILC folds its warnings into one IL2104 and one IL3053.
#    They come from BsonMapper (the POCO mapper, which we do not use: BsonDocument only) and
#    from BsonExpressionParser's System.Linq.Expressions use, which runs interpreted under AOT
#    (checked: indexes on expressions, queries, SQL, UPDATE all work in the AOT binary).
allowed_warnings=(
  "warning IL2104: Assembly 'LiteDB' produced trim warnings"
  "warning IL3053: Assembly 'LiteDB' produced AOT analysis warnings"
)

args=(-c Release -r "$rid" -p:TreatWarningsAsErrors=true -tl:off -nologo)
host_arch="$(uname -m)"
case "$rid" in
  linux-x64)
    if [ "$host_arch" != "x86_64" ]; then echo "linux-x64 cross-compiling from $host_arch is not set up" >&2; exit 2; fi
    ;;
  linux-arm64)
    if [ "$host_arch" != "aarch64" ]; then
      # Cross-compile: clang targets aarch64, links with lld, against the arm64 libraries that
      # Debian multiarch installs under / (so the sysroot is the host's root).
      args+=(-p:CppCompilerAndLinker=clang -p:SysRoot=/ -p:LinkerFlavor=lld)
    fi
    ;;
  *)
    echo "usage: $0 [linux-x64|linux-arm64]" >&2
    exit 2
    ;;
esac

mkdir -p "$root/artifacts/publish"
rm -rf "$out"

# Clean first: an up-to-date compile or ILC step prints no warnings, and a clean log would lie.
# (clean needs the rid's restore first.)
dotnet restore "$project" -r "$rid" -tl:off -nologo >/dev/null
dotnet clean "$project" "${args[@]}" >/dev/null
rm -rf "$root/src/EdgeNode/obj/Release/net10.0/$rid/native"

set +e
dotnet publish "$project" "${args[@]}" -o "$out" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  echo "publish.sh: dotnet publish failed ($status); log in $log" >&2
  exit "$status"
fi

# MSBuild prints each warning twice (inline and in the summary); compare distinct lines.
warnings="$(grep -E 'warning [A-Z]+[0-9]+' "$log" | sed -E 's/ \[[^]]*\]$//' | sort -u || true)"
unexpected="$warnings"
for allowed in "${allowed_warnings[@]}"; do
  unexpected="$(printf '%s\n' "$unexpected" | grep -vF -- "$allowed" || true)"
done
unexpected="$(printf '%s\n' "$unexpected" | sed '/^$/d')"
if [ -n "$unexpected" ]; then
  echo "publish.sh: the build printed warnings:" >&2
  printf '%s\n' "$unexpected" >&2
  exit 1
fi
if [ -n "$warnings" ]; then
  echo "publish.sh: accepted known package warnings:"
  printf '%s\n' "$warnings" | sed 's/^/  /'
fi

binary="$out/epost-edge"
if [ ! -x "$binary" ]; then
  echo "publish.sh: $binary was not produced" >&2
  exit 1
fi
echo "publish.sh: $rid published to $out"
ls -l "$out"
if command -v file >/dev/null; then file "$binary"; fi
