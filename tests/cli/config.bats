#!/usr/bin/env bats
# The config files (prun(5)): the system file, the user file or
# $PRUN_CONFIG, [defaults] and [profile NAME], --show-config, and the
# errors, each naming its file and line.

load helpers

setup() {
	prun_setup
	SYS=$PRUN_SYSCONFDIR/prun/config
	USR=$XDG_CONFIG_HOME/prun/config
	mkdir -p "${SYS%/*}" "${USR%/*}"
}

# Writes the lines given as arguments to the file $1.
file() {
	local f=$1
	shift
	printf '%s\n' "$@" >"$f"
}

@test "runs without config files" {
	run prun echo ::: x
	assert_success
	assert_output x
}

@test "a flag set in [defaults] of the user file takes effect" {
	file "$USR" '[defaults]' 'tag = true'
	run prun echo ::: x
	assert_success
	assert_output $'x\tx'
}

@test "a value set in [defaults] goes through the option's parser" {
	file "$USR" '[defaults]' 'tagstring = <{}>'
	run prun echo ::: x
	assert_success
	assert_output $'<x>\tx'
}

@test "the user file wins over the system file" {
	file "$SYS" '[defaults]' 'jobs = 3' 'delay = 1'
	file "$USR" '[defaults]' 'jobs = 5'
	run prun --show-config
	assert_success
	assert_line "$USR:2	jobs = 5"
	assert_line "$SYS:3	delay = 1"
}

@test "a profile wins over both files' [defaults], the user's over the system's" {
	file "$SYS" '[defaults]' 'jobs = 3' '[profile p]' 'jobs = 4' \
		'delay = 2' 'nice = 5'
	file "$USR" '[defaults]' 'jobs = 5' 'nice = 1' '[profile p]' 'delay = 6'
	run prun --profile p --show-config
	assert_success
	assert_line "command line	profile = p"
	assert_line "$SYS:4	jobs = 4"
	assert_line "$USR:5	delay = 6"
	assert_line "$SYS:6	nice = 5"
}

@test "the command line wins over the files and their profiles" {
	file "$SYS" '[defaults]' 'jobs = 3'
	file "$USR" '[defaults]' 'jobs = 5' '[profile p]' 'jobs = 7'
	run prun -J p -j 9 --show-config
	assert_success
	assert_line "command line	jobs = 9"
	run prun -j 2 -J p 'echo $PARALLEL_JOBSLOT' ::: a b c d
	assert_success
	refute_line 3
}

@test "-J picks a profile; a profile that is not chosen does nothing" {
	file "$USR" '[defaults]' '[profile t]' 'tag = true' '[profile u]' \
		'tagstring = u'
	run prun echo ::: x
	assert_output x
	run prun -J t echo ::: x
	assert_output $'x\tx'
	run prun --profile=u echo ::: x
	assert_output $'u\tx'
}

@test "several -J apply in order, the later winning" {
	file "$USR" '[profile a]' 'jobs = 1' 'delay = 1' '[profile b]' 'jobs = 2'
	run prun -J a -J b --show-config
	assert_success
	assert_line "command line	profile = a"
	assert_line "command line	profile = b"
	assert_line "$USR:5	jobs = 2"
	assert_line "$USR:3	delay = 1"
}

@test "profile in [defaults] picks a profile unless -J picks one" {
	file "$USR" '[defaults]' 'profile = a' '[profile a]' 'jobs = 1' \
		'[profile b]' 'jobs = 2'
	run prun --show-config
	assert_line "$USR:2	profile = a"
	assert_line "$USR:4	jobs = 1"
	run prun -J b --show-config
	assert_line "command line	profile = b"
	assert_line "$USR:6	jobs = 2"
}

@test "PRUN_CONFIG is read instead of both files" {
	file "$SYS" '[defaults]' 'jobs = 3' 'delay = 1'
	file "$USR" '[defaults]' 'jobs = 5'
	file "$BATS_TEST_TMPDIR/mine" '# mine' '[defaults]' 'jobs = 8'
	PRUN_CONFIG=$BATS_TEST_TMPDIR/mine run prun --show-config
	assert_success
	assert_line "$BATS_TEST_TMPDIR/mine:3	jobs = 8"
	assert_line "default	delay = 0"
}

@test "PRUN_CONFIG=/dev/null ignores every config file" {
	file "$SYS" '[defaults]' 'tag = true'
	PRUN_CONFIG=/dev/null run prun echo ::: x
	assert_success
	assert_output x
}

@test "without XDG_CONFIG_HOME the user file is ~/.config/prun/config" {
	unset XDG_CONFIG_HOME
	file "$HOME/.config/prun/config" '[defaults]' 'jobs = 6'
	run prun --show-config
	assert_line "$HOME/.config/prun/config:2	jobs = 6"
}

@test "false unsets a flag that an earlier file or section set" {
	file "$SYS" '[defaults]' 'tag = true' 'keep-order = yes'
	file "$USR" '[defaults]' 'tag = false'
	run prun echo ::: x
	assert_output x
	run prun --show-config
	assert_line "$USR:2	tag = false"
	assert_line "$SYS:3	keep-order = true"
	for v in no 0 off FALSE; do
		file "$USR" '[defaults]' "tag = $v"
		run prun echo ::: x
		assert_output x
	done
}

@test "takes the other names of an option, and a flag as yes or 1" {
	file "$USR" '[defaults]' 'lb = yes' 'er = {e}' 'halt-on-error = 1' \
		'dry-run = 1'
	run prun --show-config
	assert_line "$USR:2	line-buffer = true"
	assert_line "$USR:3	extensionreplace = {e}"
	assert_line "$USR:4	halt = soon,fail=1"
}

@test "skips comments and blank lines; indentation means nothing" {
	file "$USR" '# comment' '; comment' '' '[defaults]' \
		'   jobs = 4   ; a comment after a value' '	tag = true'
	run prun --show-config
	assert_success
	assert_line "$USR:5	jobs = 4"
	assert_line "$USR:6	tag = true"
}

@test "reads a file that starts with a UTF-8 byte order mark" {
	printf '\357\273\277[defaults]\njobs = 3\n' >"$USR"
	run prun --show-config
	assert_success
	assert_line "$USR:2	jobs = 3"
}

@test "arg-file lines add up; a later layer's list replaces the earlier" {
	printf 'a\n' >"$BATS_TEST_TMPDIR/a"
	printf 'b\n' >"$BATS_TEST_TMPDIR/b"
	printf 'c\n' >"$BATS_TEST_TMPDIR/c"
	file "$SYS" '[defaults]' "arg-file = $BATS_TEST_TMPDIR/a"
	file "$USR" '[profile two]' "arg-file = $BATS_TEST_TMPDIR/a" \
		"arg-file = $BATS_TEST_TMPDIR/b"
	run prun -k echo
	assert_output a
	run prun -k -J two echo
	assert_output "a b"
	run prun -k -J two -a "$BATS_TEST_TMPDIR/c" echo
	assert_output c
	run prun -J two --show-config
	assert_line "$USR:2	arg-file = $BATS_TEST_TMPDIR/a"
	assert_line "$USR:3	arg-file = $BATS_TEST_TMPDIR/b"
	refute_line --partial "$SYS"
}

@test "--show-config shows defaults, file lines and the command line, and exits 0" {
	file "$USR" '[defaults]' 'keep-order = true' 'timeout = 150%'
	run prun --tag --show-config echo ::: x
	assert_success
	assert_line "default	profile ="
	assert_line "default	jobs = 100%"
	assert_line "$USR:2	keep-order = true"
	assert_line "$USR:3	timeout = 150%"
	assert_line "command line	tag = true"
	assert_line "default	termseq = TERM,200,TERM,100,TERM,50,KILL,25"
	assert_line "default	delimiter = \\n"
	assert_line "default	arg-file ="
	refute_line x
}

@test "--show-config: options that share a setting show its origin" {
	run prun -u -0 --show-config
	assert_line "command line	ungroup = true"
	assert_line "command line	group = false"
	assert_line "command line	line-buffer = false"
	assert_line "command line	null = true"
	assert_line "command line	delimiter = \\0"
}

@test "--show-config shows a newline in a value as \\n" {
	run prun --tagstring $'a\nb' --show-config
	assert_line "command line	tagstring = a\\nb"
}

@test "--show-config has a line for every option of --help" {
	names=$(prun --show-config | cut -f2 | cut -d' ' -f1)
	while read -r line; do
		found=
		for n in $(grep -oE -- '--[a-z][-a-z]*' <<<"${line%%  *}"); do
			grep -qx -- "${n#--}" <<<"$names" && found=1
		done
		[ -n "$found" ] || fail "--show-config lacks: $line"
	done < <(prun --help | grep -E '^  (-., )?--' |
		grep -vE -- '--(help|version|show-config)')
}

@test "--help and --version work whatever the config file holds" {
	file "$USR" 'nonsense'
	run prun --help
	assert_success
	run prun --version
	assert_success
}

# Errors: one line, the file and line first, exit 255, no job run.

config_error() {
	run prun echo started ::: x
	assert_failure 255
	assert_output "$1"
}

@test "rejects an unknown key" {
	file "$USR" '[defaults]' 'jobs = 2' 'job = 4'
	config_error "prun: $USR:3: unknown option 'job'"
}

@test "rejects a bad value, with the option's own message" {
	file "$SYS" '[defaults]' 'jobs = many'
	config_error "prun: $SYS:2: bad value for --jobs: 'many' (want N, +N, -N, N% or 0)"
}

@test "rejects a bad value in a profile that is not chosen" {
	file "$USR" '[profile p]' 'halt = sometimes'
	run prun echo started ::: x
	assert_failure 255
	assert_output --regexp "^prun: $USR:2: bad value for --halt: 'sometimes'"
}

@test "rejects a flag that is not true or false" {
	file "$USR" '[defaults]' 'keep-order = maybe'
	config_error "prun: $USR:2: bad value for --keep-order: 'maybe' (want true or false)"
}

@test "rejects a flag without a value" {
	file "$USR" '[defaults]' 'keep-order'
	config_error "prun: $USR:2: 'keep-order' needs a value: write 'keep-order = true'"
}

@test "rejects a line that is not a setting" {
	file "$USR" '[defaults]' 'jobs 4'
	config_error "prun: $USR:2: want 'key = value', [defaults] or [profile NAME]"
}

@test "rejects an unknown section" {
	file "$USR" '[defaults]' '' '[default]' 'jobs = 1'
	config_error "prun: $USR:3: unknown section '[default]' (want [defaults] or [profile NAME])"
}

@test "rejects a section header without its bracket" {
	file "$USR" '[profile x'
	config_error "prun: $USR:1: a section header without ']'"
}

@test "rejects a setting outside a section" {
	file "$USR" 'jobs = 4'
	config_error "prun: $USR:1: 'jobs' is outside a section (start with [defaults] or [profile NAME])"
}

@test "rejects options that belong on the command line" {
	for key in help version show-config; do
		file "$USR" '[defaults]' "$key = true"
		config_error "prun: $USR:2: '$key' is only allowed on the command line"
	done
}

@test "rejects a profile that picks a profile" {
	file "$USR" '[profile a]' 'profile = b'
	config_error "prun: $USR:2: 'profile' is only allowed in [defaults]"
}

@test "rejects an unknown profile on the command line" {
	file "$USR" '[profile a]' 'jobs = 1'
	run prun -J b echo started ::: x
	assert_failure 255
	assert_output "prun: no [profile b] in $SYS or $USR"
}

@test "rejects an unknown profile picked by [defaults]" {
	file "$SYS" '[defaults]' 'profile = b'
	config_error "prun: $SYS:2: no [profile b] in $SYS or $USR"
}

@test "rejects a line too long to read whole" {
	file "$USR" '[defaults]' "tagstring = $(printf '%0300d' 0)"
	run prun echo started ::: x
	assert_failure 255
	assert_output --regexp "^prun: $USR:2: line longer than [0-9]+ bytes$"
}

@test "rejects a PRUN_CONFIG that cannot be read" {
	PRUN_CONFIG=$BATS_TEST_TMPDIR/none run prun echo started ::: x
	assert_failure 255
	assert_output "prun: cannot read '$BATS_TEST_TMPDIR/none': No such file or directory"
}

@test "reports the first of several errors" {
	file "$USR" '[defaults]' 'jobs = x' 'nonsense' 'job = 1'
	config_error "prun: $USR:2: bad value for --jobs: 'x' (want N, +N, -N, N% or 0)"
	file "$USR" '[defaults]' 'nonsense' 'jobs = x'
	config_error "prun: $USR:2: want 'key = value', [defaults] or [profile NAME]"
}

@test "reports a bad command-line value before the files' errors" {
	file "$USR" '[defaults]' 'job = 1'
	run prun -j x echo ::: x
	assert_failure 255
	assert_output --partial "bad value for --jobs: 'x'"
}
