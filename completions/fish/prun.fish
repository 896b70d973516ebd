# fish completion for prun(1)
#
# Completes prun's options and their values up to the command, then the
# command itself with its own completion, and file names after ::: and
# ::::.
#
# Adding an option: add a `complete` line below (-x if it takes a value,
# -r if that value is a file name, -a for a fixed set of values), and list
# it in __prun_value_options if it takes a value.
# tests/cli/docs-in-sync.bats checks both against `prun --help`.

# The options that take a value (in the same word after '=', or in the
# next word).
function __prun_value_options
    printf '%s\n' -j -P --jobs --max-procs --shell --jobserver-style --env \
        -a --arg-file -d --delimiter -E --eof -C --colsep --header --trim \
        --arg-sep --argsep --arg-file-sep --argfilesep \
        --block --block-size --recend --recstart --block-timeout --bt \
        --shard --bin --group-by --groupby \
        -n --max-args -N --max-replace-args -L --max-lines -s --max-chars \
        -I --replace --er --extensionreplace --bnr --basenamereplace \
        --dnr --dirnamereplace --bner --basenameextensionreplace \
        --seqreplace --slotreplace --rpl --parens --filter \
        --timeout --termseq --term-seq --halt --retries --delay --load --memfree --memsuspend --limit --nice \
        --joblog --jl --tagstring --tmpdir -J --profile \
        -S --sshlogin --sshloginfile --slf --ssh --ssh-delay \
        --compress-program --decompress-program \
        --results --res --total-jobs --total \
        --process-slot-var --workdir --wd --tmpl --template --ctagstring --minversion --shell-completion \
        --transferfile --tf --return --trc --basefile --bf --rsync-opts \
        --cpus-per-job \
        --semaphore-name --semaphorename --id --semaphore-timeout \
        --semaphoretimeout --st
end

# The profiles of the config files that prun reads.
function __prun_profiles
    set -l files $PRUN_CONFIG
    if test -z "$PRUN_CONFIG"
        set -l etc /etc
        set -q PRUN_SYSCONFDIR[1]; and test -n "$PRUN_SYSCONFDIR"; and set etc $PRUN_SYSCONFDIR
        set -l user $HOME/.config
        set -q XDG_CONFIG_HOME[1]; and test -n "$XDG_CONFIG_HOME"; and set user $XDG_CONFIG_HOME
        set files $etc/prun/config $user/prun/config
    end
    for f in $files
        test -r $f; or continue
        string replace -rf '^\s*\[\s*profile\s+(.*?)\s*\].*' '$1' <$f
    end
end

# Succeeds if the cursor is in one of the given parts of the command line:
# "options" (an option, an option's value, or the first word of the
# command), "command" (a later word of the command) or "sources" (after
# ::: or ::::).
function __prun_is
    contains -- (__prun_part)[1] $argv
end

# Prints the part of the command line the cursor is in (see __prun_is),
# then, for "command", the words of the command before the cursor.
function __prun_part
    set -l words (commandline -opc)
    set -e words[1]
    set -l value_options (__prun_value_options)
    set -l arg_sep :::
    set -l file_sep ::::
    set -l pending
    set -l ended
    # Walk the options as getopt_long does, up to the first word that is
    # not one.
    while set -q words[1]
        set -l w $words[1]
        if test -n "$pending"
            switch $pending
                case --arg-sep
                    set arg_sep $w
                case --arg-file-sep
                    set file_sep $w
            end
            set pending
        else
            switch $w
                case --
                    set -e words[1]
                    set ended 1
                    break
                case '--arg-sep=*'
                    set arg_sep (string replace -- --arg-sep= '' $w)
                case '--arg-file-sep=*'
                    set file_sep (string replace -- --arg-file-sep= '' $w)
                case '--*=*'
                case '--?*'
                    if contains -- $w $value_options
                        set pending $w
                    end
                case '-?*'
                    # Bundled short options: one that takes a value ends
                    # the bundle, with the value attached or in the next
                    # word.
                    set -l chars (string split '' -- (string sub -s 2 -- $w))
                    for i in (seq (count $chars))
                        if contains -- -$chars[$i] $value_options
                            if test $i -eq (count $chars)
                                set pending -$chars[$i]
                            end
                            break
                        end
                    end
                case '*'
                    break
            end
        end
        set -e words[1]
    end
    if not set -q words[1]
        if test -n "$ended"
            echo command
        else
            echo options
        end
        return
    end
    for w in $words
        if contains -- $w $arg_sep $arg_sep+ $file_sep $file_sep+
            echo sources
            return
        end
    end
    echo command
    printf '%s\n' $words
end

# Prints the separators that the current word begins, if it is not empty.
function __prun_separators
    set -l cur (commandline -ct)
    test -n "$cur"; or return
    set -l words (commandline -opc)
    set -l arg_sep (string replace -rf -- '^--arg-sep=' '' $words)[-1]
    set -l file_sep (string replace -rf -- '^--arg-file-sep=' '' $words)[-1]
    set -l i (contains -i -- --arg-sep $words); and set arg_sep $words[(math $i + 1)]
    set -l i (contains -i -- --arg-file-sep $words); and set file_sep $words[(math $i + 1)]
    test -n "$arg_sep"; or set arg_sep :::
    test -n "$file_sep"; or set file_sep ::::
    for sep in $arg_sep\tArguments $arg_sep+\t'Arguments, linked' \
        $file_sep\t'Files of arguments' $file_sep+\t'Files of arguments, linked'
        string match -q -- "$cur*" $sep; and echo $sep
    end
end

# Completes the command and its arguments with the command's own completion.
function __prun_command
    set -l words (__prun_part)
    set -l cur (commandline -ct)
    if test "$words[1]" = options; and string match -q -- '-*' $cur
        return
    end
    set -l seps (__prun_separators)
    if set -q seps[1]
        return
    end
    set -e words[1]
    __fish_complete_subcommand --commandline $words $cur
end

set -l options "__prun_is options"

# Jobs
complete -c prun -n $options -s j -s P -l jobs -l max-procs -x -d 'Run N jobs at once (N, +N, -N, N%, 0)'
complete -c prun -n $options -l use-cores-instead-of-threads -l use-cpus-instead-of-cores -d 'Count physical cores for -j N%'
complete -c prun -n $options -l use-sockets-instead-of-threads -d 'Count filled CPU sockets for -j N%'
complete -c prun -n $options -l process-slot-var -x -d 'Set NAME to the job slot minus one'
complete -c prun -n $options -l tmpl -l template -r -d 'Before each job, write FILE to REPL, strings replaced'
complete -c prun -n $options -l workdir -l wd -x -a '(__fish_complete_directories)' -d 'Run each job in DIR'
complete -c prun -n $options -l shell -x -a '(string match -r "^/.*" </etc/shells)' -d 'Run commands that need a shell with PATH'
complete -c prun -n $options -l no-jobserver -d "Inside make -jN, run -j jobs; give jobs no jobserver"
complete -c prun -n $options -l jobserver-style -x -a 'pipe\tmake\ 4.3 fifo\tmake\ 4.4,\ ninja' -d 'The jobserver jobs get'
complete -c prun -n $options -l tty -d 'Jobs read the terminal, one at a time'
complete -c prun -n $options -s o -l open-tty -d 'Jobs read the terminal'
complete -c prun -n $options -s p -l interactive -d 'Ask on the terminal before each job'
complete -c prun -n $options -l tmux -d 'Run each job in a window of a tmux session'
complete -c prun -n $options -l tmuxpane -d 'Run each job in a pane of a tmux window'
complete -c prun -n $options -l env -x -a '(set -nx)' -d 'Copy VAR to the jobs'
complete -c prun -n $options -l record-env -l recordenv -d 'Record the names of the environment for --env _'
complete -c prun -n $options -l session -d 'For env_parallel; no effect'
# Input
complete -c prun -n $options -s a -l arg-file -r -d 'Read arguments from FILE'
complete -c prun -n $options -s d -l delimiter -x -d 'Arguments end at CHAR, not newline'
complete -c prun -n $options -s 0 -l null -d 'Arguments end at NUL'
complete -c prun -n $options -s E -l eof -x -d 'Stop reading input at a line that is STR'
complete -c prun -n $options -s C -l colsep -x -d 'Split each line into columns {1} {2}...'
complete -c prun -n $options -l csv -d 'The columns are CSV fields'
complete -c prun -n $options -l header -x -a : -d 'The first line names the columns'
complete -c prun -n $options -l trim -x -a 'n\tNeither l\tLeft r\tRight lr\tBoth rl\tBoth' -d 'Remove white space around arguments'
complete -c prun -n $options -s r -l no-run-if-empty -d 'Skip empty arguments'
complete -c prun -n $options -l shuf -d 'Run the jobs in random order'
complete -c prun -n $options -l pipe -l spreadstdin -d 'Cut stdin into chunks of whole records, one per job'
complete -c prun -n $options -l pipepart -l pipe-part -d 'The same for the file of -a, each job reading its own range'
complete -c prun -n $options -l block -l block-size -x -d 'About SIZE bytes a chunk (default: 1M)'
complete -c prun -n $options -l recend -x -d 'Records end with STR'
complete -c prun -n $options -l recstart -x -d 'Records start with STR'
complete -c prun -n $options -l regexp -l regex -d '--recstart and --recend are Perl regexes'
complete -c prun -n $options -l remove-rec-sep -l rrs -d 'Leave out --recend and --recstart'
complete -c prun -n $options -l cat -d 'The chunk in a temp file named by {}'
complete -c prun -n $options -l block-timeout -l bt -x -d 'Cut a chunk from what came in SECS'
complete -c prun -n $options -l shard -x -d 'Each line to one of -j jobs by a column'
complete -c prun -n $options -l bin -x -d 'Each line to the job that a column names'
complete -c prun -n $options -l group-by -l groupby -x -d 'Chunks end only where a value changes'
complete -c prun -n $options -l tee -d 'All of the data to a job for each argument'
complete -c prun -n $options -l fifo -d 'The chunk through a named pipe named by {}'
complete -c prun -n $options -l round-robin -l round -d 'Chunks to at most -j jobs, whichever is ready'
complete -c prun -n $options -l skip-first-line -l skipfirstline -d 'Leave out the first line of the first source'
complete -c prun -n $options -l link -l xapply -d 'One argument from each source, the shorter wrapping'
complete -c prun -n $options -l arg-sep -l argsep -x -d 'Use SEP instead of :::'
complete -c prun -n $options -l arg-file-sep -l argfilesep -x -d 'Use SEP instead of ::::'
# Arguments per job
complete -c prun -n $options -s n -l max-args -x -d 'Give each job up to N arguments'
complete -c prun -n $options -s N -l max-replace-args -x -d 'The same; {1}..{N} name them'
complete -c prun -n $options -s L -l max-lines -x -d 'The same, counting input lines'
complete -c prun -n $options -s m -l multi -d 'As many arguments as fit, spread over the job slots'
complete -c prun -n $options -l xargs -d 'As many arguments as fit, not spread'
complete -c prun -n $options -s X -l context-replace -d 'As -m, repeating the word around {} for each'
complete -c prun -n $options -s s -l max-chars -x -d 'Command lines shorter than N characters'
# Command
complete -c prun -n $options -s I -l replace -x -d 'Use STR instead of {} for the arguments'
complete -c prun -n $options -l er -l extensionreplace -x -d 'Use STR instead of {.}'
complete -c prun -n $options -l bnr -l basenamereplace -x -d 'Use STR instead of {/}'
complete -c prun -n $options -l dnr -l dirnamereplace -x -d 'Use STR instead of {//}'
complete -c prun -n $options -l bner -l basenameextensionreplace -x -d 'Use STR instead of {/.}'
complete -c prun -n $options -l seqreplace -x -d 'Use STR instead of {#}'
complete -c prun -n $options -l slotreplace -x -d 'Use STR instead of {%}'
complete -c prun -n $options -l plus -d 'Also replace {+/} {+.} {..} {...} {/..} {/...} {##} and GNU parallel\'s tags'
complete -c prun -n $options -l shell-quote -d 'Print each command quoted instead of running it'
complete -c prun -n $options -s q -l quote -d 'Quote the command, so it runs without a shell reading it again'
complete -c prun -n $options -l rpl -x -d 'TAG stands for a perl expression'
complete -c prun -n $options -l parens -x -a '{==}' -d 'Write perl expressions between the halves of LR'
complete -c prun -n $options -l filter -x -d 'Run only the jobs for which a perl expression is true'
# Supervision
complete -c prun -n $options -l timeout -x -d 'Kill a job that runs longer than SECS (or N% of the median)'
complete -c prun -n $options -l termseq -l term-seq -x -a 'TERM,200,TERM,100,TERM,50,KILL,25\tThe\ default' -d 'How to kill a job\'s process group'
complete -c prun -n $options -l halt -x -a 'never\tRun\ every\ job soon\tStart\ no\ more\ jobs now\tKill\ the\ running\ jobs\ too soon,fail=1 soon,success=1 soon,done=1 now,fail=1 now,success=1 now,done=1' -d 'Stop after failures'
complete -c prun -n $options -l retries -x -d 'Try a failing job up to N times'
complete -c prun -n $options -l delay -x -d 'Wait SECS between job starts'
complete -c prun -n $options -l load -x -d 'Start jobs only while the load is below MAX'
complete -c prun -n $options -l limit -x -d 'Start a job only if CMD exits 0'
complete -c prun -n $options -l memfree -x -d 'Start jobs only while SIZE memory is free'
complete -c prun -n $options -l memsuspend -x -d 'Below SIZE free memory, stop the newest jobs'
complete -c prun -n $options -l noswap -d 'Start no job while the machine swaps'
complete -c prun -n $options -l nice -x -d 'Run the jobs at niceness N'
complete -c prun -n $options -l joblog -l jl -r -d 'Log each job to FILE (+FILE appends, - for stdout)'
complete -c prun -n $options -l resume -d 'Run only jobs not in the job log'
complete -c prun -n $options -l resume-failed -d 'Also run again the jobs the log says failed'
complete -c prun -n $options -l retry-failed -d 'Run the failed commands of the job log again'
complete -c prun -n $options -s S -l sshlogin -x -a '(__fish_print_hostnames)' -d 'Run jobs on these hosts over ssh'
complete -c prun -n $options -l sshloginfile -l slf -r -d 'The hosts of -S, one a line'
complete -c prun -n $options -l ssh -x -a '(__fish_complete_command)' -d 'Reach hosts with CMD instead of ssh'
complete -c prun -n $options -l ssh-delay -x -d 'Wait SECS between new ssh connections'
complete -c prun -n $options -s M -l controlmaster -d 'Accepted: one connection per host is always shared'
complete -c prun -n $options -l filter-hosts -d 'Drop a host that does not answer at once'
complete -c prun -n $options -l slurm -d 'Inside a Slurm allocation, run each job as a job step'
complete -c prun -n $options -l slurm-auto -d '--slurm inside a Slurm allocation, else nothing'
complete -c prun -n $options -l cpus-per-job -x -d 'The CPUs of each Slurm job step'
complete -c prun -n $options -l nonall -d 'Run the command, without arguments, once on each host'
complete -c prun -n $options -l onall -d 'Run every job on each host'
complete -c prun -n $options -l hostgroups -l hgrp -d 'ARG@GRP runs on a host of group GRP'
complete -c prun -n $options -l transferfile -l tf -r -d 'Copy FILE to the host before the job'
complete -c prun -n $options -l transfer -d 'Copy {} to the host before the job'
complete -c prun -n $options -l return -r -d 'Copy FILE back from the host after the job'
complete -c prun -n $options -l cleanup -d 'Remove the copied files from the host'
complete -c prun -n $options -l trc -r -d '--transfer --return FILE --cleanup'
complete -c prun -n $options -l basefile -l bf -r -d 'Copy FILE to each host before its first job'
complete -c prun -n $options -l rsync-opts -x -d 'The options of rsync'
# Semaphores
complete -c prun -n $options -l semaphore -d 'Run the command once in a slot of a semaphore'
complete -c prun -n $options -l semaphore-name -l semaphorename -l id -x -d 'The name of the semaphore'
complete -c prun -n $options -l semaphore-timeout -l semaphoretimeout -l st -x -d 'After SECS run anyway; -SECS: give up'
complete -c prun -n $options -l bg -d 'Return once the command has a slot'
complete -c prun -n $options -l fg -d 'Wait for the command and exit with its status'
complete -c prun -n $options -l wait -d 'Wait until every command of the semaphore is done'
# Output
complete -c prun -n $options -l group -d 'Print each job\'s output whole when it ends'
complete -c prun -n $options -s k -l keep-order -d 'Print outputs in the order of the input'
complete -c prun -n $options -l no-keep-order -l nok -d 'Undo -k'
complete -c prun -n $options -l ctag -d 'Tag with --color'
complete -c prun -n $options -l color-failed -l cf -d 'Print the lines of failed jobs white on red'
complete -c prun -n $options -l ctagstring -x -d 'Tagstring with --color'
complete -c prun -n $options -l line-buffer -l lb -l linebuffer -d 'Print whole lines as jobs write them'
complete -c prun -n $options -s u -l ungroup -d 'Let jobs write straight to the output'
complete -c prun -n $options -l latest-line -l ll -d 'Show one line per job: its latest output line'
complete -c prun -n $options -l tag -d 'Start each line with the job\'s arguments'
complete -c prun -n $options -l tagstring -x -d 'Start each line with STR'
complete -c prun -n $options -l color -l colour -d 'Colour the tags on a terminal'
complete -c prun -n $options -l files -l output-as-files -l outputasfiles -d 'Print the names of files that hold the output'
complete -c prun -n $options -l tmpdir -x -a '(__fish_complete_directories (commandline -ct))' -d 'Keep spooled output in DIR'
complete -c prun -n $options -l compress -d 'Compress held output that goes to disk'
complete -c prun -n $options -l compress-program -x -a '(__fish_complete_command)' -d 'Compress it with PRG (implies --compress)'
complete -c prun -n $options -l decompress-program -x -a '(__fish_complete_command)' -d 'Read it back with PRG'
complete -c prun -n $options -s v -l print-commands -d 'Print each command before its output'
complete -c prun -n $options -s t -l verbose -d 'Print each command on standard error'
complete -c prun -n $options -l silent -d 'Undo -v'
complete -c prun -n $options -l dry-run -l dryrun -d 'Print the commands instead of running them'
complete -c prun -n $options -l results -l res -r -d 'Save each job\'s output in a directory, or one table'
# Progress
complete -c prun -n $options -l bar -d 'Show a progress bar'
complete -c prun -n $options -l eta -d 'Show the estimated time left'
complete -c prun -n $options -l progress -d 'Show jobs running and done'
complete -c prun -n $options -l total-jobs -l total -x -d 'The number of jobs, for input read as it comes'
# Configuration
complete -c prun -n $options -s J -l profile -x -a '(__prun_profiles)' -d 'Apply a profile of the config files'
complete -c prun -n $options -l shebang -l hashbang -d 'On a #! line: run the command once per line of the script'
complete -c prun -n $options -l shebang-wrap -l shebangwrap -d 'On a #! line: run the script once per argument'
complete -c prun -n $options -l show-config -d 'Show the settings in effect and exit'
complete -c prun -n $options -l plain -d 'Read no config file, profile file or $PARALLEL'
# Other
complete -c prun -n $options -l help -d 'Show the help and exit'
complete -c prun -n $options -l version -d 'Show the version and exit'
complete -c prun -n $options -l show-limits -d 'Print the longest command lines, then run'
complete -c prun -n $options -l max-line-length-allowed -d 'Print the longest command line and exit'
complete -c prun -n $options -l minversion -x -d 'Print the GNU parallel version prun follows'
complete -c prun -n $options -l number-of-threads -d 'Print the number of CPU threads and exit'
complete -c prun -n $options -l number-of-cores -l number-of-cpus -d 'Print the number of physical cores and exit'
complete -c prun -n $options -l number-of-sockets -d 'Print the number of filled sockets and exit'
complete -c prun -n $options -l shell-completion -x -a 'bash zsh fish auto' -d 'Print the completion code for SHELL and exit'
complete -c prun -n $options -l gnu -d 'Accepted for GNU parallel; does nothing'

# The command, its arguments, and the input sources.
complete -c prun -n '__prun_is options command' -f -a '(__prun_command)'
complete -c prun -n '__prun_is sources' -F
complete -c prun -n '__prun_is command sources' -f -a '(__prun_separators)'
