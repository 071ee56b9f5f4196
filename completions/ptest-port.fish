# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ptest_port_global_optspecs
    string join \n format= json config= h/help V/version
end

function __fish_ptest_port_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ptest_port_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ptest_port_using_subcommand
    set -l cmd (__fish_ptest_port_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ptest-port -n "__fish_ptest_port_needs_command" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-port -n "__fish_ptest_port_needs_command" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-port -n "__fish_ptest_port_needs_command" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-port -n "__fish_ptest_port_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-port -n "__fish_ptest_port_needs_command" -s V -l version -d 'Print version'
complete -c ptest-port -n "__fish_ptest_port_needs_command" -f -a "lease" -d 'Lease free ports: one `port` record each, after the stream on stdin'
complete -c ptest-port -n "__fish_ptest_port_needs_command" -f -a "release" -d 'End leases, by id or port number, or the `port` records on stdin'
complete -c ptest-port -n "__fish_ptest_port_needs_command" -f -a "rm" -d 'End leases, by id or port number, or the `port` records on stdin'
complete -c ptest-port -n "__fish_ptest_port_needs_command" -f -a "ls" -d 'List leases with their state (live, owner-dead, expired)'
complete -c ptest-port -n "__fish_ptest_port_needs_command" -f -a "gc" -d 'End leases whose owner has exited or whose --ttl has passed'
complete -c ptest-port -n "__fish_ptest_port_needs_command" -f -a "check" -d 'Tell whether ports are free, leased (by whom) or bound (by which process)'
complete -c ptest-port -n "__fish_ptest_port_using_subcommand lease" -s n -l count -d 'How many ports (default: one, or one per --name)' -r
complete -c ptest-port -n "__fish_ptest_port_using_subcommand lease" -l name -d 'Name a lease (repeatable): gives PTEST_PORT_<NAME>' -r
complete -c ptest-port -n "__fish_ptest_port_using_subcommand lease" -l proto -d 'Protocols the port must be free for' -r -f -a "tcp\t''
udp\t''
both\t''"
complete -c ptest-port -n "__fish_ptest_port_using_subcommand lease" -l range -d 'Draw from LOW-HIGH instead of [port] range (default 20000-29999 less the ephemeral range)' -r
complete -c ptest-port -n "__fish_ptest_port_using_subcommand lease" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest-port -n "__fish_ptest_port_using_subcommand lease" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest-port -n "__fish_ptest_port_using_subcommand lease" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-port -n "__fish_ptest_port_using_subcommand lease" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-port -n "__fish_ptest_port_using_subcommand lease" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-port -n "__fish_ptest_port_using_subcommand lease" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-port -n "__fish_ptest_port_using_subcommand release" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-port -n "__fish_ptest_port_using_subcommand release" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-port -n "__fish_ptest_port_using_subcommand release" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-port -n "__fish_ptest_port_using_subcommand release" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-port -n "__fish_ptest_port_using_subcommand rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-port -n "__fish_ptest_port_using_subcommand rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-port -n "__fish_ptest_port_using_subcommand rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-port -n "__fish_ptest_port_using_subcommand rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-port -n "__fish_ptest_port_using_subcommand ls" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-port -n "__fish_ptest_port_using_subcommand ls" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-port -n "__fish_ptest_port_using_subcommand ls" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-port -n "__fish_ptest_port_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-port -n "__fish_ptest_port_using_subcommand gc" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-port -n "__fish_ptest_port_using_subcommand gc" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-port -n "__fish_ptest_port_using_subcommand gc" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-port -n "__fish_ptest_port_using_subcommand gc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-port -n "__fish_ptest_port_using_subcommand check" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-port -n "__fish_ptest_port_using_subcommand check" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-port -n "__fish_ptest_port_using_subcommand check" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-port -n "__fish_ptest_port_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
