#!/usr/bin/env bash
# Boots the linux-arm64 Native AOT node in a 512 MB qemu-system-aarch64 `virt` machine (the Pi
# Zero 2 W's memory) with Debian's arm64 kernel and an initramfs, runs it with the pi-zero-2w
# profile for a while and prints its memory, /health, `status` and its exit code after SIGTERM.
# A manual/soak command, not run in CI. See DEVELOPERS.md, "Running the arm64 binary".
#
#   sudo scripts/run-arm64-vm.sh            (root: it installs qemu-system-arm and cpio)
#
# Settings (environment):
#   ARM64_VM_SECONDS   how long the node runs before it is measured (default 40)
#   ARM64_VM_TIMEOUT   timeout of the whole VM run in seconds (default 300)
#
# Idempotent: packages are installed only when missing; the .debs are cached in
# artifacts/arm64-vm/ (delete the folder to fetch them again); the initramfs is rebuilt on every
# run from the binary in artifacts/publish/linux-arm64/ (published first if it is missing).
# qemu-user (`qemu-aarch64`) is not used: a .NET binary hangs under it; a real kernel is needed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/artifacts/arm64-vm"
app="$root/artifacts/publish/linux-arm64"
seconds="${ARM64_VM_SECONDS:-40}"
timeout_seconds="${ARM64_VM_TIMEOUT:-300}"

if [ "$(id -u)" -ne 0 ]; then echo "run as root (it installs qemu-system-arm and cpio)" >&2; exit 2; fi

# 1. Host tools. qemu-system-arm is the Debian package that provides qemu-system-aarch64.
if ! command -v qemu-system-aarch64 >/dev/null || ! command -v cpio >/dev/null; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends qemu-system-arm cpio
fi

# 2. The binary (cross-published on an x64 host; needs scripts/install-aot-deps.sh --arm64).
if [ ! -x "$app/epost-edge" ] || [ ! -f "$app/libsodium.so" ]; then
  bash "$root/scripts/publish.sh" linux-arm64
fi

# 3. Debian arm64 packages: kernel, libc (ld.so, libc, libm), libssl3 (.NET's crypto opens
#    libssl.so.3 on first use), busybox-static (the guest's shell and tools).
mkdir -p "$work/debs"
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  apt-get update
fi
if ! apt-cache show busybox-static:arm64 >/dev/null 2>&1; then apt-get update; fi
# linux-image-arm64 is a meta package; it depends on the current versioned kernel package.
kernel_package="$(apt-cache depends linux-image-arm64:arm64 | sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n 1)"
if [ -z "$kernel_package" ]; then echo "cannot find the arm64 kernel package (apt-cache depends linux-image-arm64:arm64)" >&2; exit 1; fi
for package in "$kernel_package" libc6 libssl3 busybox-static; do
  if ! compgen -G "$work/debs/${package}_*_arm64.deb" >/dev/null; then
    (cd "$work/debs" && apt-get download "$package:arm64")
  fi
done

# 4. The initramfs tree.
rm -rf "$work/extract" "$work/root"
mkdir -p "$work/extract" "$work/root"
for deb in "$work/debs/"*.deb; do dpkg-deb -x "$deb" "$work/extract/$(basename "$deb" .deb)"; done
kernel="$(ls "$work"/extract/"$kernel_package"_*/boot/vmlinuz-* | head -n 1)"
tree="$work/root"
mkdir -p "$tree"/{bin,sbin,usr/bin,usr/sbin,lib,usr/lib,proc,sys,dev,tmp,data,app}
# libc6 and libssl3 trees as they are, merged into one root (ld.so at /lib/ld-linux-aarch64.so.1).
for package in libc6 libssl3; do cp -a "$work"/extract/"$package"_*/. "$tree"/; done
rm -rf "$tree/usr/share" "$tree/usr/lib/aarch64-linux-gnu/gconv"
cp "$work"/extract/busybox-static_*/bin/busybox "$tree/bin/busybox"
cp "$app/epost-edge" "$app/libsodium.so" "$tree/app/"

cat > "$tree/init" <<EOF
#!/bin/busybox sh
# PID 1 of the guest. Lines starting with @@ are read by scripts/run-arm64-vm.sh on the host.
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tmpfs data /data
ip link set lo up
export HOME=/root PATH=/bin:/sbin:/usr/bin:/usr/sbin
echo "@@ kernel \$(uname -r) \$(uname -m), /init at uptime \$(cut -d" " -f1 /proc/uptime), \$(grep -c ^processor /proc/cpuinfo) cpus, MemTotal \$(awk '/MemTotal/ {print \$2}' /proc/meminfo) kB"
echo "@@ /proc/self/exe of readlink: \$(readlink /proc/self/exe)"
/app/epost-edge init --data /data --domain home.lan
echo "@@ init exit \$?"
start=\$(cut -d' ' -f1 /proc/uptime)
/app/epost-edge run --data /data --profile pi-zero-2w &
pid=\$!
echo "@@ run pid \$pid started at uptime \$start"
ready=""
# Until /health answers 200, poll it every 0.2 s (the boot-to-ready time); then idle until the
# node has run $seconds s.
while [ -z "\$ready" ] && awk -v u="\$(cut -d' ' -f1 /proc/uptime)" -v s="\$start" 'BEGIN { exit !(u - s < $seconds) }'; do
  if ! kill -0 \$pid 2>/dev/null; then echo "@@ node exited early"; break; fi
  if wget -q -O /dev/null http://127.0.0.1:8031/health 2>/dev/null; then
    ready=\$(cut -d' ' -f1 /proc/uptime)
    echo "@@ ready at uptime \$ready (started \$start)"
  else
    usleep 200000
  fi
done
while kill -0 \$pid 2>/dev/null && awk -v u="\$(cut -d' ' -f1 /proc/uptime)" -v s="\$start" 'BEGIN { exit !(u - s < $seconds) }'; do
  sleep 1
done
echo "@@ exe \$(readlink /proc/\$pid/exe)"
echo "@@ environ-heap-limit \$(tr '\0' '\n' < /proc/\$pid/environ | grep DOTNET_GCHeapHardLimit)"
grep -E '^(VmRSS|VmHWM|Threads):' /proc/\$pid/status | sed 's/^/@@ status /'
echo "@@ guest MemAvailable \$(awk '/MemAvailable/ {print \$2}' /proc/meminfo) kB"
echo "@@ health-begin"
wget -q -O - http://127.0.0.1:8031/health
code=\$?
echo
echo "@@ health-end wget exit \$code"
echo "@@ status-begin"
/app/epost-edge status --data /data
echo "@@ status-end exit \$?"
kill -TERM \$pid
wait \$pid
echo "@@ run exit \$?"
sync
poweroff -f
EOF
chmod +x "$tree/init"
(cd "$tree" && find . | cpio -o -H newc --quiet | gzip -1 > "$work/initrd.gz")
echo "initramfs: $(du -h "$work/initrd.gz" | cut -f1), kernel: $(basename "$kernel")"

# 5. Boot. panic=-1 with -no-reboot: if /init dies the kernel panics and qemu exits at once.
log="$work/console.log"
set +e
timeout "$timeout_seconds" qemu-system-aarch64 -M virt -cpu cortex-a53 -smp 2 -m 512 \
  -nographic -no-reboot -nic none -kernel "$kernel" -initrd "$work/initrd.gz" \
  -append "console=ttyAMA0 rdinit=/init quiet panic=-1" < /dev/null | tr -d '\r' | tee "$log"
vm_exit="${PIPESTATUS[0]}"
set -e

# 6. Summary from the guest's @@ lines.
rss_kib="$(sed -n 's/^@@ status VmRSS:[[:space:]]*\([0-9]*\) kB.*/\1/p' "$log" | head -n 1)"
hwm_kib="$(sed -n 's/^@@ status VmHWM:[[:space:]]*\([0-9]*\) kB.*/\1/p' "$log" | head -n 1)"
threads="$(sed -n 's/^@@ status Threads:[[:space:]]*\([0-9]*\).*/\1/p' "$log" | head -n 1)"
condition="$(sed -n '/^@@ health-begin/,/^@@ health-end/p' "$log" | sed -n 's/^ *"condition": *"\([^"]*\)".*/\1/p' | head -n 1)"
run_exit="$(sed -n 's/^@@ run exit \([0-9]*\).*/\1/p' "$log" | head -n 1)"
ready="$(sed -n 's/^@@ ready at uptime \([0-9.]*\) (started \([0-9.]*\)).*/\1 \2/p' "$log" | head -n 1)"
if [ -z "$rss_kib" ] || [ -z "$run_exit" ]; then
  echo "arm64 vm: node did not complete its run (qemu exit $vm_exit; see $log)" >&2
  exit 1
fi
ready_text="never ready"
if [ -n "$ready" ]; then
  ready_text="ready $(awk -v r="${ready% *}" -v s="${ready#* }" 'BEGIN { printf "%.1f s after start, at %.1f s uptime", r - s, r }')"
fi
printf 'arm64 vm: node ran, idle RSS %s MiB (peak %s MiB, %s threads), %s, /health condition %s, exit %s\n' \
  "$(awk -v k="$rss_kib" 'BEGIN { printf "%.1f", k / 1024 }')" \
  "$(awk -v k="$hwm_kib" 'BEGIN { printf "%.1f", k / 1024 }')" "$threads" "$ready_text" "${condition:-none}" "$run_exit"
[ "$run_exit" = 0 ] && [ -n "$condition" ]
