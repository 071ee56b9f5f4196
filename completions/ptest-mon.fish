# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ptest_mon_global_optspecs
    string join \n format= json config= h/help V/version
end

function __fish_ptest_mon_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ptest_mon_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ptest_mon_using_subcommand
    set -l cmd (__fish_ptest_mon_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ptest-mon -n "__fish_ptest_mon_needs_command" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-mon -n "__fish_ptest_mon_needs_command" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-mon -n "__fish_ptest_mon_needs_command" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-mon -n "__fish_ptest_mon_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-mon -n "__fish_ptest_mon_needs_command" -s V -l version -d 'Print version'
complete -c ptest-mon -n "__fish_ptest_mon_needs_command" -f -a "run" -d 'Run a command and measure its whole process tree, like `time -v`'
complete -c ptest-mon -n "__fish_ptest_mon_needs_command" -f -a "watch" -d 'Sample the resources named on stdin (services, containers), pids and the host'
complete -c ptest-mon -n "__fish_ptest_mon_needs_command" -f -a "report" -d 'Summarise sample files: tables, an SVG timeline, growth against a baseline'
complete -c ptest-mon -n "__fish_ptest_mon_needs_command" -f -a "ls" -d 'List monitored runs (running, or keeping logs) with their state'
complete -c ptest-mon -n "__fish_ptest_mon_needs_command" -f -a "rm" -d 'Forget monitored runs: remove their cgroup and logs (ids, or `mon` records on stdin)'
complete -c ptest-mon -n "__fish_ptest_mon_needs_command" -f -a "gc" -d 'Clean up after runs whose monitor died (cgroups, logs)'
complete -c ptest-mon -n "__fish_ptest_mon_needs_command" -f -a "doctor" -d 'Check what can be measured here: cgroups, /proc, PSI, the engine'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand run" -l interval -d 'How often to sample' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand run" -l out -d 'Write the records (samples, thresholds, summary) to FILE as well' -r -F
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand run" -s e -l env -d 'Set a variable (repeatable); applied after the stream\'s' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand run" -l cwd -d 'Working directory of the command' -r -F
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand run" -l max-memory -d 'Memory the tree may reach, e.g. 512M, 2G' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand run" -l max-cpu -d 'CPU the tree may use, in percent of one CPU (150: one and a half), averaged over --cpu-window' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand run" -l cpu-window -d 'The window --max-cpu averages over' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand run" -l max-procs -d 'Processes the tree may hold at once' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand run" -l max-duration -d 'How long it may run' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand run" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand run" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand run" -l no-cgroup -d 'Follow the tree through /proc even where a cgroup could be made'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand run" -l kill -d 'End what crossed a threshold (exit 125, naming the threshold on stderr), not only report it'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand run" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -l interval -d 'How often to sample' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -l duration -d 'Stop after this long' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -l pid -d 'Watch this process and its descendants too (repeatable)' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -l out -d 'Write the records to FILE as well' -r -F
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -l max-memory -d 'Memory the tree may reach, e.g. 512M, 2G' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -l max-cpu -d 'CPU the tree may use, in percent of one CPU (150: one and a half), averaged over --cpu-window' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -l cpu-window -d 'The window --max-cpu averages over' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -l max-procs -d 'Processes the tree may hold at once' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -l max-duration -d 'How long it may run' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -l until-exit -d 'Stop when every watched resource is gone'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -l no-host -d 'Leave the host out'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -l kill -d 'End what crossed a threshold (exit 125, naming the threshold on stderr), not only report it'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand report" -l svg -d 'Draw the timeline as SVG into OUT' -r -F
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand report" -l baseline -d 'Compare with this earlier run\'s sample file' -r -F
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand report" -l grow -d 'List metrics that grew by more than RATIO against the baseline' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand report" -l fail-over -d 'Exit 1 when a metric grew by more than RATIO against the baseline' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand report" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand report" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand report" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand ls" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand ls" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand ls" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand gc" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand gc" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand gc" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand gc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand doctor" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand doctor" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand doctor" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-mon -n "__fish_ptest_mon_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
