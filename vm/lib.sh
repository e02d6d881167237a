# Shared helpers for the test bed scripts: paths, logging, stage timing.
# Sourced, never run.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${TESTBED_CACHE:-$TOP/vm/cache}
NPROC=$(nproc)

# Where each cached piece lives.
KERNEL_TREE=$CACHE/linux
KERNEL_PRISTINE_TREE=$CACHE/linux-pristine
KERNEL_META=$CACHE/kernel-meta
APT_DIR=$CACHE/apt

# ccache for every kernel build (vm/kernel-build, vm/check). Depend mode
# hashes the dependency list the compiler writes anyway (the kernel passes
# -Wp,-MMD) instead of running the preprocessor a second time: that extra
# pass made a build with an empty cache 43% slower (drivers/acpi/, release
# config, 3 jobs: 91 s against 64 s, 2026-11-22). Warm rebuilds still hit.
export CCACHE_DIR=${CCACHE_DIR:-$CACHE/ccache}
export CCACHE_BASEDIR=$CACHE
export CCACHE_SLOPPINESS=time_macros
export CCACHE_DEPEND=1

log() { printf '==> %s\n' "$*" >&2; }
note() { printf '    %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# fmt_secs 75 -> "1m15s"
fmt_secs() {
	local s=$1
	if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

# stage NAME CMD...: run CMD, print its wall time, and append it to
# $STAGE_TIMES (one "name seconds status" line per stage) when that is set.
stage() {
	local name=$1 start rc=0
	shift
	log "$name"
	start=$(date +%s)
	"$@" || rc=$?
	local took=$(($(date +%s) - start))
	if [ "$rc" -eq 0 ]; then
		log "$name: done in $(fmt_secs "$took")"
	else
		log "$name: FAILED (exit $rc) after $(fmt_secs "$took")"
	fi
	if [ -n "${STAGE_TIMES:-}" ]; then
		printf '%s\t%s\t%s\n' "$name" "$took" "$rc" >>"$STAGE_TIMES"
	fi
	return "$rc"
}

need_root() {
	[ "$(id -u)" -eq 0 ] || die "$1 needs root (run it with sudo)"
}

# The Debian mirror that the host's apt already uses; DEBIAN_MIRROR overrides.
debian_mirror() {
	if [ -n "${DEBIAN_MIRROR:-}" ]; then
		echo "$DEBIAN_MIRROR"
		return
	fi
	local uri
	# deb lines of sources.list and URIs: fields of deb822 .sources files.
	uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
		sed -n -E 's,^(deb(\s+\[[^]]*\])?|URIs:)\s+(https?://[^ ]+/debian)/?(\s.*)?$,\3,p' | head -n 1 || true)
	echo "${uri:-http://deb.debian.org/debian}"
}

# Content digest of the patch series, so builds and results name it.
series_digest() {
	(cd "$TOP/drm/patches" && cat series $(grep -v -E '^\s*(#|$)' series 2>/dev/null) 2>/dev/null) |
		sha256sum | cut -c1-12
}

series_patches() {
	grep -v -E '^\s*(#|$)' "$TOP/drm/patches/series" 2>/dev/null || true
}

# vm_accel BZIMAGE: "kvm" when a KVM guest really boots here, else "tcg".
# /dev/kvm can exist and still fail (nested hypervisors), so try a boot that
# must end in a root-mount panic within seconds. The verdict is cached per
# host kernel and QEMU version; TESTBED_ACCEL=tcg|kvm overrides.
vm_accel() {
	local key verdict=tcg cache=$CACHE/accel-verdict
	if [ -n "${TESTBED_ACCEL:-}" ]; then
		echo "$TESTBED_ACCEL"
		return
	fi
	[ -w /dev/kvm ] || { echo tcg; return; }
	key="$(uname -r) $(qemu-system-x86_64 --version | head -n 1)"
	if [ -f "$cache" ] && [ "$(head -n 1 "$cache")" = "$key" ]; then
		tail -n 1 "$cache"
		return
	fi
	if timeout 60 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nodefaults -display none \
		-no-reboot -serial stdio -kernel "$1" -append "console=ttyS0 panic=-1 root=/dev/none" \
		</dev/null 2>/dev/null | grep -q 'Kernel panic'; then
		verdict=kvm
	fi
	mkdir -p "$CACHE"
	printf '%s\n%s\n' "$key" "$verdict" >"$cache"
	echo "$verdict"
}
