# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ptest_global_optspecs
    string join \n list v/verbose format= json config= h/help V/version
end

function __fish_ptest_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ptest_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ptest_using_subcommand
    set -l cmd (__fish_ptest_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ptest -n "__fish_ptest_needs_command" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_needs_command" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_needs_command" -l list -d 'List built-in commands, tools and plugins (with -v, their paths)'
complete -c ptest -n "__fish_ptest_needs_command" -s v -l verbose -d 'With --list, show where each tool was found'
complete -c ptest -n "__fish_ptest_needs_command" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_needs_command" -s V -l version -d 'Print version'
complete -c ptest -n "__fish_ptest_needs_command" -f -a "ls" -d 'List the live resources of every tool (the registry)'
complete -c ptest -n "__fish_ptest_needs_command" -f -a "gc" -d 'Remove resources whose owner has exited or whose lease has expired'
complete -c ptest -n "__fish_ptest_needs_command" -f -a "down" -d 'Tear down every resource of a record stream on stdin, newest first'
complete -c ptest -n "__fish_ptest_needs_command" -f -a "config" -d 'Print the effective configuration and where each value came from'
complete -c ptest -n "__fish_ptest_needs_command" -f -a "doctor" -d 'Check what this machine offers the suite (Python, uv, Docker, cgroups, namespaces)'
complete -c ptest -n "__fish_ptest_needs_command" -f -a "completions" -d 'Print shell completions for ptest'
complete -c ptest -n "__fish_ptest_needs_command" -f -a "help" -d 'Show help for a command or tool (`ptest help port` runs `ptest-port --help`)'
complete -c ptest -n "__fish_ptest_needs_command" -f -a "registry" -d 'Record resources in the registry, or forget them (for plugins)'
complete -c ptest -n "__fish_ptest_using_subcommand ls" -l kind -d 'Only resources of this kind (port, venv, container, …)' -r
complete -c ptest -n "__fish_ptest_using_subcommand ls" -l tool -d 'Only resources managed by this tool (port or ptest-port)' -r
complete -c ptest -n "__fish_ptest_using_subcommand ls" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand ls" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand ls" -l stale -d 'Only resources `ptest gc` would remove (owner dead or expired)'
complete -c ptest -n "__fish_ptest_using_subcommand ls" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand gc" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand gc" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand gc" -l dry-run -d 'Show the registered resources that would be removed, remove nothing'
complete -c ptest -n "__fish_ptest_using_subcommand gc" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand gc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand down" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand down" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand down" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand down" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand config" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand config" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand config" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand config" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand doctor" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand doctor" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand doctor" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand completions" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand completions" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand completions" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand help" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand help" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand help" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand registry; and not __fish_seen_subcommand_from add rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand registry; and not __fish_seen_subcommand_from add rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand registry; and not __fish_seen_subcommand_from add rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand registry; and not __fish_seen_subcommand_from add rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand registry; and not __fish_seen_subcommand_from add rm" -f -a "add" -d 'Record the resources of a stream on stdin (passed through to stdout)'
complete -c ptest -n "__fish_ptest_using_subcommand registry; and not __fish_seen_subcommand_from add rm" -f -a "rm" -d 'Forget resources by ID (does not remove the resources themselves)'
complete -c ptest -n "__fish_ptest_using_subcommand registry; and __fish_seen_subcommand_from add" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand registry; and __fish_seen_subcommand_from add" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand registry; and __fish_seen_subcommand_from add" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand registry; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand registry; and __fish_seen_subcommand_from rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand registry; and __fish_seen_subcommand_from rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand registry; and __fish_seen_subcommand_from rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand registry; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
