#!/usr/bin/env bash
# Installs the native toolchain that Native AOT publishing needs on Debian 12 (bookworm).
# See DEVELOPERS.md, "Native AOT and cross-compiling for arm64".
#
#   scripts/install-aot-deps.sh            linux-x64 on an x64 host (or linux-arm64 on an arm64 host)
#   scripts/install-aot-deps.sh --arm64    also the cross toolchain for linux-arm64 on an x64 host
#   scripts/install-aot-deps.sh --qemu     also qemu-user, to run the arm64 binary on an x64 host
#
# Idempotent: apt-get install skips what is already there; the arm64 foreign architecture is
# added only once. Needs root (or sudo).
set -euo pipefail

arm64=false
qemu=false
for arg in "$@"; do
  case "$arg" in
    --arm64) arm64=true ;;
    --qemu) arm64=true; qemu=true ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

# clang: the compiler driver ILC's targets call to link the native binary (gcc would do for x64).
# zlib1g-dev: listed by Microsoft's prerequisites; .NET 10 links its own libz.a unless UseSystemZlib=true.
packages=(clang zlib1g-dev)

host_arch="$(dpkg --print-architecture)"
if $arm64 && [ "$host_arch" != "arm64" ]; then
  # lld: links for a foreign target without a cross ld (LinkerFlavor=lld).
  # llvm: llvm-objcopy, which ILC uses with clang to split debug symbols into the .dbg file.
  # gcc-aarch64-linux-gnu / binutils-aarch64-linux-gnu: the arm64 crt*.o files and libgcc that clang links against.
  # zlib1g-dev:arm64 (pulls libc6-dev:arm64): arm64 libc headers and libraries under / (SysRoot=/).
  packages+=(lld llvm binutils-aarch64-linux-gnu gcc-aarch64-linux-gnu zlib1g-dev:arm64)
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
  fi
fi
if $qemu && [ "$host_arch" != "arm64" ]; then
  # qemu-user: runs a linux-arm64 binary on x64 (with the arm64 libc installed above).
  packages+=(qemu-user)
fi

$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${packages[@]}"
echo "installed: ${packages[*]}"
