#!/usr/bin/env bats
# --compress, --compress-program, --decompress-program: output that spills
# to disk goes through a compressor and comes back byte for byte.

load helpers

setup() {
	prun_setup
	log=$BATS_TEST_TMPDIR/zip.log
	copies=$BATS_TEST_TMPDIR/copies
	mkdir -p "$copies"
	# A compressor that says it ran and keeps a copy of what it wrote;
	# called with -dc (prun's default for it), it decompresses.
	zipper=$BATS_TEST_TMPDIR/zipper
	cat >"$zipper" <<-EOF
		#!/bin/sh
		if [ "\$1" = -dc ]; then
			echo unzip >>"$log"
			exec gzip -dc
		fi
		echo zip >>"$log"
		gzip -c -1 | tee "\$(mktemp "$copies/z.XXXXXX")"
	EOF
	chmod +x "$zipper"
}

# The bytes that `seq N` prints, for N in "$@", one job after another.
seqs() {
	local n
	for n in "$@"; do
		seq "$n"
	done
}

@test "--compress prints several MB per job byte for byte" {
	run bash -c '"$PRUN" -j3 --compress "seq {}" ::: 900000 600000 300000 |
		sort -n | md5sum'
	assert_success
	assert_output "$(seqs 900000 600000 300000 | sort -n | md5sum)"
}

@test "--compress -k keeps input order, stdout before stderr" {
	run bash -c '"$PRUN" -j3 -k --compress "seq {}; seq 5 >&2" \
		::: 900000 300000 600000 2>&1 | md5sum'
	assert_success
	assert_output "$( (seq 900000; seq 5; seq 300000; seq 5; seq 600000;
		seq 5) | md5sum)"
}

@test "--compress with --tag tags every line of a spilled spool" {
	run bash -c '"$PRUN" -j2 -k --tag --compress "seq {}" ::: 400000 300000 |
		md5sum'
	assert_success
	assert_output "$( (seq 400000 | sed 's/^/400000\t/';
		seq 300000 | sed 's/^/300000\t/') | md5sum)"
}

@test "--compress with --line-buffer keeps a line longer than the budget whole" {
	run bash -c '"$PRUN" -j2 --line-buffer --compress-program "$0" \
		"seq {} | tr -d \"\\n\"; echo" ::: 400000 300000 | sort | md5sum' \
		"$zipper"
	assert_success
	assert_output "$( (seq 400000 | tr -d '\n'; echo;
		seq 300000 | tr -d '\n'; echo) | sort | md5sum)"
	run cat "$log"
	assert_line zip
	assert_line unzip
}

@test "--compress leaves -u alone" {
	run bash -c '"$PRUN" -u -j1 --compress "seq {}" ::: 300000 2 | md5sum'
	assert_success
	assert_output "$(seqs 300000 2 | md5sum)"
}

@test "the spool file holds the compressor's output, much smaller" {
	run bash -c '"$PRUN" -k --compress-program "$0" \
		"yes {} | head -c 5000000" ::: abc def | md5sum' "$zipper"
	assert_success
	assert_output "$( (yes abc | head -c 5000000;
		yes def | head -c 5000000) | md5sum)"
	run sort "$log"
	assert_output "$(printf '%s\n' unzip unzip zip zip)"
	for f in "$copies"/z.*; do
		size=$(stat -c %s "$f")
		[ "$size" -gt 0 ] && [ "$size" -lt 500000 ]
		run sh -c 'gzip -dc <"$0" | head -c 4' "$f"
		assert_output --regexp '^(abc|def)'
	done
	# Nothing is left in the temp dir.
	run ls -A "$TMPDIR"
	assert_output ""
}

@test "output that stays in memory never starts a compressor" {
	run prun -k --compress-program "$zipper" 'seq {}' ::: 3 2
	assert_success
	assert_output "$(seqs 3 2)"
	assert [ ! -e "$log" ]
}

@test "--compress-program PRG decompresses with PRG -dc" {
	run bash -c '"$PRUN" --compress-program gzip "seq {}" ::: 500000 | md5sum'
	assert_success
	assert_output "$(seq 500000 | md5sum)"
}

@test "--decompress-program is used as given" {
	run bash -c '"$PRUN" --compress-program "xz -0 -c" \
		--decompress-program "xz -dc" "seq {}" ::: 500000 | md5sum'
	assert_success
	assert_output "$(seq 500000 | md5sum)"
}

@test "--compress picks the first compressor of GNU parallel's list" {
	bin=$BATS_TEST_TMPDIR/bin
	mkdir "$bin"
	ln -s "$(command -v seq)" "$bin/seq"
	# lz4, first on the list, need not be installed: gzip takes the
	# same -c -1 and -dc.
	printf '#!/bin/sh\necho "lz4 $*" >>"%s"\nexec %s "$@"\n' \
		"$log" "$(command -v gzip)" >"$bin/lz4"
	printf '#!/bin/sh\necho "gzip $*" >>"%s"\nexec %s "$@"\n' \
		"$log" "$(command -v gzip)" >"$bin/gzip"
	chmod +x "$bin/lz4" "$bin/gzip"
	run env PATH="$bin" "$PRUN" --compress 'seq {}' ::: 500000
	assert_success
	assert_equal "$(printf '%s\n' "$output" | md5sum)" \
		"$(seq 500000 | md5sum)"
	run cat "$log"
	assert_output "$(printf '%s\n' 'lz4 -c -1' 'lz4 -dc')"
}

@test "--compress with no compressor installed keeps the output as it is" {
	bin=$BATS_TEST_TMPDIR/bin
	mkdir "$bin"
	ln -s "$(command -v seq)" "$bin/seq"
	run env PATH="$bin" "$PRUN" -k --compress 'seq {}' ::: 500000 3
	assert_success
	assert_equal "$(printf '%s\n' "$output" | md5sum)" \
		"$(seqs 500000 3 | md5sum)"
}

@test "--decompress-program alone compresses nothing, as GNU parallel" {
	run bash -c '"$PRUN" --decompress-program false "seq {}" ::: 500000 |
		md5sum'
	assert_success
	assert_output "$(seq 500000 | md5sum)"
}

@test "a failing compressor is reported with the job, exit 255" {
	run bash -c '"$PRUN" --compress-program false "seq {}" ::: 500000 \
		2>&1 >/dev/null'
	assert_failure 255
	assert_output "prun: output of job 1 is incomplete: compress program false failed"
}

@test "a compressor that fails at the end is reported" {
	run bash -c '"$PRUN" --compress-program "gzip -c; exit 3" \
		--decompress-program "gzip -dc" "seq {}" ::: 500000 \
		2>&1 >/dev/null'
	assert_failure 255
	assert_output "prun: output of job 1 is incomplete: compress program gzip -c; exit 3 failed"
}

@test "a missing compressor is reported with the job, exit 255" {
	run bash -c '"$PRUN" --compress-program no-such-zip "seq {}" ::: 500000 \
		2>&1 >/dev/null'
	assert_failure 255
	assert_line --index 0 --partial "no-such-zip: not found"
	assert_line --index 1 "prun: output of job 1 is incomplete: compress program no-such-zip failed"
	assert_equal "${#lines[@]}" 2
}

@test "a failing decompressor is reported with the job, exit 255" {
	run bash -c '"$PRUN" -k --compress --decompress-program false \
		"seq {}" ::: 3 500000 2>&1 >/dev/null'
	assert_failure 255
	assert_output "prun: output of job 2 is incomplete: decompress program false failed"
}

@test "a decompressor that gives other bytes is reported" {
	run bash -c '"$PRUN" --compress-program gzip --decompress-program cat \
		"seq {}" ::: 500000 2>&1 >/dev/null'
	assert_failure 255
	assert_output "prun: output of job 1 is incomplete: decompress program cat failed"
}

@test "--files and --results files stay uncompressed" {
	run prun --compress --files 'seq {}' ::: 500000
	assert_success
	assert_equal "$(md5sum <"$output")" "$(seq 500000 | md5sum)"
	run prun --compress --results "$BATS_TEST_TMPDIR/res" 'seq {}' ::: 500000
	assert_success
	assert_equal "$(md5sum <"$BATS_TEST_TMPDIR/res/1/500000/stdout")" \
		"$(seq 500000 | md5sum)"
}

@test "no compressor is left running after SIGINT, and no temp file" {
	marker=prun-zip-$$-$RANDOM
	zip=$BATS_TEST_TMPDIR/$marker
	# A compressor touches the file zipping as it starts.
	printf '#!/bin/sh\n[ "$1" = -dc ] && exec gzip -dc\ntouch "%s/zipping"\ngzip -c -1\n' \
		"$BATS_TEST_TMPDIR" >"$zip"
	chmod +x "$zip"
	"$PRUN" -j2 --compress-program "$zip" 'seq 500000; sleep 30' ::: 1 2 \
		>/dev/null 2>&1 &
	pid=$!
	# prun has set its signal handlers before it starts a job, so the
	# SIGINT cannot come too early once a compressor runs.
	wait_until test -e "$BATS_TEST_TMPDIR/zipping"
	kill -INT "$pid"
	wait "$pid" || true
	assert_no_process "$marker"
	run ls -A "$TMPDIR"
	assert_output ""
}

@test "no compressor is left running after --halt now" {
	marker=prun-zip-$$-$RANDOM
	zip=$BATS_TEST_TMPDIR/$marker
	printf '#!/bin/sh\n[ "$1" = -dc ] && exec gzip -dc\ngzip -c -1\n' \
		>"$zip"
	chmod +x "$zip"
	run "$PRUN" -j2 --halt now,fail=1 --compress-program "$zip" \
		'seq 500000; sleep {}; exit 1' ::: 1 30
	assert_failure 1
	assert_no_process "$marker"
}

@test "--compress --color-failed: a failed job's spilled output is coloured too" {
	run bash -c '"$PRUN" --compress --cf --tag -k "head -c 3000000 /dev/zero | tr \"\\0\" a | fold -w 100; echo; exit {}" ::: 0 1 | md5sum'
	assert_success
	assert_output "bc57dbbf3afe828fa73ac4e5d9dec987  -"
}
