# env_prun for zsh: prun with the shell's own variables, arrays, functions
# and aliases, exported or not, as GNU parallel's env_parallel.zsh.
#
# Source it (from ~/.zshrc, say):  . "$(whence -p env_prun.zsh)"
# then run env_prun as prun:       env_prun --env arr --env f f ::: a b
#
# The names --env gives (all names without it; "_" all but those of
# "env_prun --record-env" and of "env_prun --session") are written as zsh
# code (alias, typeset -f, typeset -p) into $PARALLEL_ENV, which prun runs
# in zsh before each command, on this machine and on remote hosts alike.
# Every name used here starts with _env_prun, so that none of them is
# copied.

# The file that --record-env writes and "--env _" reads: GNU parallel's
# ignored_vars, in the first of its config dirs that exists, as prun finds it.
_env_prun_record() {
	local _env_prun_d
	if [[ -n $PARALLEL_HOME && -d $PARALLEL_HOME ]]; then
		print -r -- "$PARALLEL_HOME/ignored_vars"
		return
	fi
	if [[ -n $XDG_CONFIG_HOME && -d $XDG_CONFIG_HOME/parallel ]]; then
		print -r -- "$XDG_CONFIG_HOME/parallel/ignored_vars"
		return
	fi
	for _env_prun_d in ${(s.:.)XDG_CONFIG_DIRS}; do
		if [[ -d $_env_prun_d/parallel ]]; then
			print -r -- "$_env_prun_d/parallel/ignored_vars"
			return
		fi
	done
	print -r -- "$HOME/.parallel/ignored_vars"
}

# The names of the shell's aliases, functions and variables, one a line.
_env_prun_names() {
	print -rl -- ${(k)aliases} ${(k)functions} ${(k)parameters}
}

env_prun() {
	local _env_prun_arg _env_prun_next= _env_prun_under=
	local _env_prun_n _env_prun_text _env_prun_file _env_prun_shell
	local -a _env_prun_want _env_prun_aliases _env_prun_funcs
	local -a _env_prun_vars
	local -A _env_prun_only _env_prun_skip

	if ! whence -p prun >/dev/null; then
		print -u2 'env_prun: prun must be in $PATH'
		return 255
	fi
	for _env_prun_arg in "$@"; do
		case $_env_prun_arg in
		(--record-env)
			# The names of a clean shell, for "--env _" later.
			_env_prun_file=$(_env_prun_record)
			mkdir -p "${_env_prun_file:h}" &&
				_env_prun_names >"$_env_prun_file"
			return
			;;
		(--session)
			# From now on, the names set until now are not copied.
			PARALLEL_IGNORED_NAMES=$(
				print -r -- "$PARALLEL_IGNORED_NAMES"
				print -r -- :::
				_env_prun_names
			)
			export PARALLEL_IGNORED_NAMES
			return 0
			;;
		(--end-session)
			PARALLEL_IGNORED_NAMES=${PARALLEL_IGNORED_NAMES%$'\n:::\n'*}
			[[ -n $PARALLEL_IGNORED_NAMES ]] ||
				unset PARALLEL_IGNORED_NAMES
			return 0
			;;
		esac
	done
	for _env_prun_arg in "$@"; do
		if [[ -n $_env_prun_next ]]; then
			_env_prun_want+=("$_env_prun_arg")
			_env_prun_next=
		elif [[ $_env_prun_arg == --env ]]; then
			_env_prun_next=1
		elif [[ $_env_prun_arg == --env=* ]]; then
			_env_prun_want+=("${_env_prun_arg#--env=}")
		fi
	done
	for _env_prun_n in ${(s.,.)${(j.,.)_env_prun_want}}; do
		if [[ $_env_prun_n == _ ]]; then
			_env_prun_under=1
		else
			_env_prun_only[$_env_prun_n]=1
		fi
	done
	if [[ -n $_env_prun_under ]]; then
		_env_prun_file=$(_env_prun_record)
		if [[ ! -r $_env_prun_file ]]; then
			print -u2 "env_prun: run 'env_prun --record-env' in a" \
				"clean environment first"
			return 255
		fi
		for _env_prun_n in "${(@f)$(<$_env_prun_file)}"; do
			_env_prun_skip[$_env_prun_n]=1
		done
	fi
	for _env_prun_n in "${(@f)PARALLEL_IGNORED_NAMES}"; do
		[[ -n $_env_prun_n ]] && _env_prun_skip[$_env_prun_n]=1
	done

	# True if the name $1 is to be copied.
	_env_prun_wanted() {
		(( ${#_env_prun_only} == 0 || ${+_env_prun_only[$1]} )) &&
			(( ! ${+_env_prun_skip[$1]} )) &&
			[[ $1 != _env_prun* && $1 != env_prun &&
			   $1 != PARALLEL_ENV && $1 != PARALLEL_TMP ]] &&
			# What zsh sets by itself, and what cannot be set
			# again (argv would set the job's "$@", and zsh/watch
			# autoloads watch and WATCH).
			[[ $1 != ([-?#!\$*@_0]|zsh_eval_context|ZSH_EVAL_CONTEXT|LINENO|IFS|commands|functions|options|aliases|EUID|EGID|UID|GID|dis_patchars|patchars|terminfo|galiases|keymaps|parameters|jobdirs|dirstack|functrace|funcsourcetrace|zsh_scheduled_events|dis_aliases|dis_reswords|dis_saliases|modules|reswords|saliases|widgets|userdirs|historywords|nameddirs|termcap|dis_builtins|dis_functions|jobtexts|funcfiletrace|dis_galiases|builtins|history|jobstates|funcstack|run-help|argv|watch|WATCH) ]]
	}
	for _env_prun_n in ${(k)aliases}; do
		_env_prun_wanted "$_env_prun_n" &&
			_env_prun_aliases+=("$_env_prun_n")
	done
	for _env_prun_n in ${(k)functions}; do
		_env_prun_wanted "$_env_prun_n" &&
			_env_prun_funcs+=("$_env_prun_n")
	done
	for _env_prun_n in ${(k)parameters}; do
		# Read-only, and this function's own.
		[[ ${parameters[$_env_prun_n]} == *(readonly|local)* ]] &&
			continue
		_env_prun_wanted "$_env_prun_n" &&
			_env_prun_vars+=("$_env_prun_n")
	done
	unfunction _env_prun_wanted

	_env_prun_text=$(
		for _env_prun_n in $_env_prun_aliases; do
			print -r -- "alias $(alias -- $_env_prun_n)"
		done
		(( ${#_env_prun_funcs} )) && typeset -f -- $_env_prun_funcs
		(( ${#_env_prun_vars} )) && typeset -p -- $_env_prun_vars
	)
	_env_prun_shell=${PARALLEL_SHELL:-$(whence -p zsh)}
	PARALLEL_ENV=$_env_prun_text PARALLEL_SHELL=$_env_prun_shell \
		prun "$@"
}
