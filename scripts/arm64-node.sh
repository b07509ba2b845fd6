#!/bin/sh
# An "emulated Pi": Debian bookworm's arm64 Node 18 (what Raspberry Pi OS 64-bit ships) run through qemu user-mode
# emulation, so the device runner and the deploy tests can prove they work on arm64 without a Pi.
#
#   scripts/arm64-node.sh [ROOT]        ROOT defaults to /opt/kindling/arm64-node; needs root (apt, dpkg)
#
# Leaves ROOT/node, a wrapper that runs the arm64 node with ROOT as its filesystem prefix. Idempotent: a ROOT whose
# node already answers as arm64 is left alone. The packages are unpacked (dpkg -x), never installed, so the host's
# own packages are untouched apart from qemu-user-static and the added foreign architecture.
set -eu

ROOT=${1:-/opt/kindling/arm64-node}
case "$ROOT" in
  *\'*) echo "arm64-node.sh: ROOT may not contain a quote: $ROOT" >&2; exit 2 ;;
  /*) ;;
  *) echo "arm64-node.sh: ROOT must be an absolute path, not '$ROOT'" >&2; exit 2 ;;
esac

works() {
  [ -x "$ROOT/node" ] && [ -f "$ROOT/proc/cpuinfo" ] && [ "$("$ROOT/node" -p process.arch 2>/dev/null)" = arm64 ]
}

if works; then
  echo "arm64-node.sh: $ROOT/node is already an arm64 node ($("$ROOT/node" --version))"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
mkdir -p "$(dirname "$ROOT")"
# Two engineers (or a test and CI) may run this at once; the second waits and then finds the work done.
exec 9>"$(dirname "$ROOT")/.$(basename "$ROOT").lock"
flock 9
if works; then
  echo "arm64-node.sh: $ROOT/node is already an arm64 node ($("$ROOT/node" --version))"
  exit 0
fi

if ! dpkg --print-foreign-architectures | grep -qx arm64 || ! command -v qemu-aarch64-static >/dev/null 2>&1; then
  dpkg --add-architecture arm64
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends qemu-user-static
fi

# Node's shared library and everything it links against, plus the JS modules Debian unbundles from node
# (architecture-independent, read by node at run time from /usr/share/nodejs).
PACKAGES="nodejs:arm64 libnode108:arm64 libc6:arm64 libuv1:arm64 libssl3:arm64 libicu72:arm64 libbrotli1:arm64
  libc-ares2:arm64 zlib1g:arm64 libstdc++6:arm64 libgcc-s1:arm64 libnghttp2-14:arm64
  node-acorn node-cjs-module-lexer node-undici"

WORK=$(mktemp -d)
# apt downloads as the unprivileged _apt user, which must be able to write here (else it warns and downloads as root).
chown _apt "$WORK" 2>/dev/null || true
# Build beside ROOT and rename at the end: an interrupted run never leaves a half-unpacked ROOT that looks usable.
STAGE="$ROOT.partial"
trap 'rm -rf "$WORK" "$STAGE"' EXIT
rm -rf "$STAGE"
mkdir -p "$STAGE"
download() (
  cd "$WORK"
  # shellcheck disable=SC2086 # the list is split into package names on purpose
  apt-get download -qq $PACKAGES
)
# The arm64 package lists may be missing or stale (arm64 added by someone else, a point release since): refresh once.
if ! download; then
  apt-get update -qq
  download
fi
for deb in "$WORK"/*.deb; do
  dpkg -x "$deb" "$STAGE"
done

# A Pi 4's processors (four Cortex-A72 cores), where arm64 code looks for them. qemu user mode passes the host's
# /proc/cpuinfo and /sys through, which describe x86 cores; ONNX Runtime's cpuinfo finds no ARM processor in them and
# crashes. qemu -L resolves these absolute paths inside ROOT first, so the guest sees these instead. No "Model" line:
# this is not a Pi, and the runner reports a Pi model only on a real one.
mkdir -p "$STAGE/proc" "$STAGE/sys/devices/system/cpu"
for i in 0 1 2 3; do
  printf 'processor\t: %s\nBogoMIPS\t: 108.00\nFeatures\t: fp asimd evtstrm crc32 cpuid\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n' "$i"
done >"$STAGE/proc/cpuinfo"
for f in possible present online; do echo 0-3 >"$STAGE/sys/devices/system/cpu/$f"; done

QEMU=$(command -v qemu-aarch64-static)
# An absolute qemu path: the wrapper may run with a bare PATH (a command over SSH).
# qemu -L makes the guest's absolute paths (the dynamic loader, /usr/lib/aarch64-linux-gnu, /usr/share/nodejs)
# resolve inside ROOT first.
cat >"$STAGE/node" <<EOF
#!/bin/sh
exec '$QEMU' -L '$ROOT' '$ROOT/usr/bin/node' "\$@"
EOF
chmod 755 "$STAGE/node"

rm -rf "$ROOT"
mv "$STAGE" "$ROOT"
if ! works; then
  echo "arm64-node.sh: built $ROOT but '$ROOT/node -p process.arch' does not answer arm64" >&2
  exit 1
fi
echo "arm64-node.sh: $ROOT/node is $("$ROOT/node" --version) on $("$ROOT/node" -p process.arch)"
