#!/usr/bin/env bats
# The man page and the shell completions know exactly the options that
# `prun --help` lists, and which of them take a value.  When one of these
# fails, its message names each option and the file that lacks it (or has
# it wrong); the top of each file says how to add an option.

load helpers
load complete

# Prints "NAME KIND" for each option name in `prun --help`: NAME is "-x" or
# "--name", KIND is "flag", "value" or "optional" (an optional value, as in
# "--name[=VALUE]").  Option lines start with "  -x" or "      --name",
# the names separated by ", " and followed by two spaces.
help_options() {
	"$PRUN" --help | awk '
		/^  -[^- ]|^      --[^ ]/ {
			spec = $0
			sub(/^ +/, "", spec)
			sub(/  .*/, "", spec)
			kind = "flag"
			if (spec ~ /\[=/) {
				kind = "optional"
			} else if (spec ~ /=| [^-]/) {
				kind = "value"
			}
			n = split(spec, names, /, /)
			for (i = 1; i <= n; i++) {
				name = names[i]
				sub(/[[= ].*/, "", name)
				print name, kind
			}
		}' | sort -u
}

# The entries of the OPTIONS section of doc/prun.1.scd, such as
# "*-j*, *--jobs*=_N_" or "*--color*[=_WHEN_]".
man_options() {
	awk '
		/^# / { in_options = ($0 == "# OPTIONS") }
		in_options && /^\*-/ {
			kind = "flag"
			if ($0 ~ /\*\[=/) {
				kind = "optional"
			} else if ($0 ~ /\*=|\* _/) {
				kind = "value"
			}
			line = $0
			while (match(line, /\*-[^*]+\*/)) {
				print substr(line, RSTART + 1, RLENGTH - 2), kind
				line = substr(line, RSTART + RLENGTH)
			}
		}' "$TOP/doc/prun.1.scd" | sort -u
}

# What the bash completion offers after "prun -", and for each name
# whether the word after it is taken as its value: it is if the command
# position comes one word later ("prun NAME 1 ech" completes "echo").
bash_options() {
	local names name probes=() results i kind offered
	names=($(bash_complete "prun -"))
	for name in "${names[@]}"; do
		probes+=("prun ${name%=} 1 ech")
	done
	mapfile -t results < <(PATH=/usr/bin:/bin bash_complete "${probes[@]}")
	for i in "${!names[@]}"; do
		name=${names[i]}
		if [[ " ${results[i]} " == *" echo "* ]]; then
			kind=value
		else
			kind=flag
		fi
		# A long option is offered with "=" exactly when it takes a value.
		offered=flag
		if [[ $name == *= ]]; then
			offered=value
		fi
		if [[ $name == --* && $offered != "$kind" ]]; then
			kind="$kind-but-offered-as-$name"
		fi
		echo "${name%=} $kind"
	done | sort -u
}

# The specs the zsh completion gives _arguments (after its ":"), such as
# "(-j --jobs)-j+[run N jobs at once]:number of jobs:".
zsh_options() {
	zsh_with_completion '_arguments() { print -rl -- "$@" }; _prun' |
		sed -n '/^:$/,$p' | sed -E '1d; s/^\([^)]*\)//; s/^\*//' |
		sed -nE 's/^(-[-A-Za-z0-9]*[A-Za-z0-9])(=-|=|\+|-)?(\[[^]]*\])?/\1 /p' |
		awk '{
			kind = "flag"
			if ($2 ~ /^::/) {
				kind = "optional"
			} else if ($2 ~ /^:/) {
				kind = "value"
			}
			print $1, kind
		}' | sort -u
}

# The options of the fish completion's `complete` lines, read by fish.
fish_options() {
	fish --no-config -c '
		function complete
			argparse -i c/command= s/short-option=+ l/long-option=+ \
				x/exclusive r/require-parameter n/condition=+ \
				a/arguments= d/description= f/no-files F/force-files \
				-- $argv; or return
			set -l kind flag
			if set -q _flag_x; or set -q _flag_r
				set kind value
			end
			for s in $_flag_s
				printf "%s %s\n" -$s $kind
			end
			for l in $_flag_l
				printf "%s %s\n" --$l $kind
			end
		end
		source $argv[1]
	' "$TOP/completions/fish/prun.fish" | sort -u
}

# The options the fish completion's walker takes as having a value.
fish_value_options() {
	fish --no-config -c 'source $argv[1]; and __prun_value_options' \
		"$TOP/completions/fish/prun.fish" | sed 's/$/ value/' | sort -u
}

kind_words() {
	case $1 in
	flag) echo "takes no value" ;;
	value) echo "takes a value" ;;
	optional) echo "may have a value attached" ;;
	*) echo "$1" ;;
	esac
}

# Compares the "NAME KIND" lines on stdin, read from $1, with --help's and
# fails with a line for each difference.  With $2 = "values-only", only
# the options that take a value count; with $2 = "no-optional", an
# optional value counts as none (the file cannot tell them apart).
check_against_help() {
	local file=$1 mode=${2:-} want have problems
	want=$(help_options)
	have=$(cat)
	case $mode in
	no-optional) want=$(sed 's/ optional$/ flag/' <<<"$want") ;;
	values-only) want=$(grep ' value$' <<<"$want") ;;
	esac
	problems=$(join -a1 -a2 -e none -o 0,1.2,2.2 \
		<(sort <<<"$want") <(sort <<<"$have") |
		while read -r name help_kind file_kind; do
			if [ "$file_kind" = none ]; then
				echo "$name is in prun --help but missing from $file"
			elif [ "$help_kind" = none ]; then
				echo "$name is in $file but not in prun --help"
			elif [ "$help_kind" != "$file_kind" ]; then
				echo "$name $(kind_words "$help_kind") in prun --help," \
				     "but $(kind_words "$file_kind") in $file"
			fi
		done)
	if [ -n "$problems" ]; then
		fail "$problems
(the top of ${file%% *} says how to add an option)"
	fi
}

@test "reads the options of prun --help" {
	run help_options
	assert_success
	assert_line -- "-j value"
	assert_line -- "--jobs value"
	assert_line -- "--keep-order flag"
	assert_line -- "--help flag"
	refute_line --regexp '^[^-]'
}

@test "the man page documents every option of prun --help" {
	man_options | check_against_help doc/prun.1.scd
}

@test "the bash completion completes every option of prun --help" {
	need_bash_completion
	bash_options | check_against_help completions/bash/prun no-optional
}

@test "the zsh completion completes every option of prun --help" {
	need_shell zsh
	zsh_options | check_against_help completions/zsh/_prun
}

@test "the fish completion completes every option of prun --help" {
	need_shell fish
	fish_options | check_against_help completions/fish/prun.fish no-optional
}

@test "the fish completion knows which options of prun --help take a value" {
	need_shell fish
	fish_value_options | check_against_help \
		"completions/fish/prun.fish (__prun_value_options)" values-only
}
