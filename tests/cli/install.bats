#!/usr/bin/env bats
# `meson install` with --prefix and DESTDIR puts the program, prun-sem,
# env_prun, the man pages and the completions where each is looked for.

load helpers
load complete

# One build of the source tree with --prefix=/opt/prun, installed into
# $DEST with DESTDIR, as a packager would; only what is installed is built
# (the tests' programs are not).
setup_file() {
	command -v scdoc >/dev/null || skip "scdoc is not installed"
	local build=$BATS_FILE_TMPDIR/build log=$BATS_FILE_TMPDIR/build.log
	export DEST=$BATS_FILE_TMPDIR/dest
	export PREFIX=$DEST/opt/prun
	{
		meson setup "$build" "$TOP" --prefix=/opt/prun \
			-Dman-pages=enabled -Dcli-tests=disabled &&
		meson compile -C "$build" prun prun.1 prun.5 &&
		DESTDIR=$DEST meson install -C "$build" --no-rebuild
	} >"$log" 2>&1 || {
		cat "$log" >&2
		return 1
	}
}

@test "installs the program, prun-sem, env_prun, man pages and completions, and nothing else" {
	run bash -c 'cd "$DEST" && find . ! -type d | sort'
	assert_success
	assert_output "$(printf '%s\n' \
		./opt/prun/bin/env_prun.bash \
		./opt/prun/bin/env_prun.zsh \
		./opt/prun/bin/prun \
		./opt/prun/bin/prun-sem \
		./opt/prun/share/bash-completion/completions/prun \
		./opt/prun/share/fish/vendor_completions.d/prun.fish \
		./opt/prun/share/man/man1/prun.1 \
		./opt/prun/share/man/man5/prun.5 \
		./opt/prun/share/zsh/site-functions/_prun)"
}

@test "the installed program runs" {
	run "$PREFIX/bin/prun" --version
	assert_success
	assert_output --regexp '^prun [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "the installed prun-sem is prun --semaphore" {
	run readlink "$PREFIX/bin/prun-sem"
	assert_output prun
	export XDG_RUNTIME_DIR=$BATS_TEST_TMPDIR/run
	mkdir -m 700 "$XDG_RUNTIME_DIR"
	run "$PREFIX/bin/prun-sem" --fg --id install echo a b
	assert_success
	assert_output 'a b'
}

@test "the installed env_prun.bash is found in PATH and runs prun" {
	run env PATH="$PREFIX/bin:$PATH" bash --norc -c '
		. "$(command -v env_prun.bash)"
		arr=(a "b c"); f() { echo "$1: ${arr[1]}"; }
		env_prun -k --env arr --env f f ::: x y'
	assert_success
	assert_output "$(printf 'x: b c\ny: b c')"
}

@test "man finds both installed pages under the prefix" {
	export MANPATH=$PREFIX/share/man
	run man -w prun
	assert_success
	assert_output "$PREFIX/share/man/man1/prun.1"
	run man -w 5 prun
	assert_success
	assert_output "$PREFIX/share/man/man5/prun.5"
}

@test "bash-completion loads the installed completion by itself" {
	need_bash_completion
	run env XDG_DATA_DIRS="$PREFIX/share" bash --norc -c '
		source "$1" && __load_completion prun && complete -p prun
	' bash "$BASH_COMPLETION"
	assert_success
	assert_output "complete -F _prun prun"
}

@test "zsh's compinit picks up the installed completion" {
	need_shell zsh
	run zsh -f -c '
		fpath=("$1" $fpath)
		autoload -Uz compinit && compinit -u -d "$2"
		print -r -- $_comps[prun]
	' zsh "$PREFIX/share/zsh/site-functions" "$BATS_TEST_TMPDIR/zcompdump"
	assert_success
	assert_output "_prun"
}

@test "fish loads the installed completion from vendor_completions.d" {
	need_shell fish
	run env XDG_DATA_DIRS="$PREFIX/share" PATH="$PREFIX/bin:$PATH" \
		fish -c 'complete -C "prun --keep"'
	assert_success
	assert_output --regexp $'^--keep-order\t'
}
