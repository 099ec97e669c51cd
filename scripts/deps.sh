#!/usr/bin/env bash
# Installs the Debian 12 packages that whyslow's build, tests and benchmarks need.
# Does nothing (and touches no package list) when every package is already present.
set -euo pipefail

# build: compiler for BPF, bpftool for vmlinux.h and skeletons, libbpf/libelf/libdw headers
# (and the lzma/bz2 archives libdw needs when it is linked in statically, see Makefile)
build_pkgs="make gcc clang llvm bpftool libbpf-dev libelf-dev libdw-dev zlib1g-dev liblzma-dev libbz2-dev pkg-config"
# run time: syscall names come from the kernel headers (asm/unistd_64.h)
run_pkgs="linux-libc-dev"
# tests: jq reads --json output; sysstat/procps are the reference for `check`; iproute2,
# iptables and util-linux (losetup) build the test workloads; libxml2-utils checks SVG;
# chromium (headless) runs the flame graph viewer in tests/integration/render_browser.sh;
# bc does the test runner's arithmetic; libclang-rt-14-dev is libFuzzer (fuzz_smoke.sh)
test_pkgs="jq bc sysstat procps iproute2 iptables util-linux ethtool libxml2-utils linux-perf e2fsprogs chromium libclang-rt-14-dev"
# peers measured side by side in bench/ (never required by the product); iftop is the
# libpcap tool of case C9 that bench/net.sh sets against tcptop
bench_pkgs="libbpf-tools bpftrace time iftop"

want="$build_pkgs $run_pkgs $test_pkgs"
[ "${WHYSLOW_BENCH_DEPS:-0}" = 1 ] && want="$want $bench_pkgs"
[ "${1:-}" = "--bench" ] && want="$want $bench_pkgs"

missing=()
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: missing packages: ${missing[*]}: run as root (sudo $0) to install them" >&2
  exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
