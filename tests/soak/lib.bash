# Shared by the soak scripts (tests/soak/README.md): finding prun, timing,
# and reading a process's memory from /proc.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${PRUN:=$top/build/prun}"

# Prints "soak: MESSAGE" on stderr and exits 2 (a broken set-up, not a
# failed check).
soak_die() {
	echo "soak: $*" >&2
	exit 2
}

# Milliseconds since the epoch.
now_ms() {
	date +%s%3N
}

# Prints "VmRSS VmHWM" of process $1 in KiB; fails once it has exited (a
# zombie's status has no memory lines).
proc_mem() {
	local rss hwm
	read -r rss hwm < <(awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 }
		END { if (r != "" && h != "") { print r, h } }' \
		"/proc/$1/status" 2>/dev/null) || return 1
	[[ -n $rss ]] || return 1
	echo "$rss $hwm"
}

# KiB as MiB with one decimal.
mib() {
	awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'
}

# Seconds from a number of milliseconds, with one decimal.
secs() {
	awk -v m="$1" 'BEGIN { printf "%.1f s", m / 1000 }'
}

[[ -x $PRUN ]] ||
	soak_die "no prun at $PRUN (meson compile -C build, or set PRUN)"
