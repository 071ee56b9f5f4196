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
complete -c ptest -n "__fish_ptest_needs_command" -f -a "port" -d 'Conflict-free port leases across concurrent processes'
complete -c ptest -n "__fish_ptest_needs_command" -f -a "proc" -d 'Run and supervise commands with limits and no orphans'
complete -c ptest -n "__fish_ptest_needs_command" -f -a "venv" -d 'Python virtual environments in milliseconds, cached, cloned and checked'
complete -c ptest -n "__fish_ptest_needs_command" -f -a "docker" -d 'Isolated container environments that are ready fast and never leak'
complete -c ptest -n "__fish_ptest_needs_command" -f -a "mon" -d 'What a test run really cost: samples, thresholds and summaries'
complete -c ptest -n "__fish_ptest_needs_command" -f -a "snap" -d 'Snapshots of directories, venvs and containers: stored once, restored atomically, reset by what changed'
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
complete -c ptest -n "__fish_ptest_using_subcommand doctor" -l timeout -d 'How long each tool may take to check before it is a finding' -r
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
complete -c ptest -n "__fish_ptest_using_subcommand port; and not __fish_seen_subcommand_from lease release rm ls gc check" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand port; and not __fish_seen_subcommand_from lease release rm ls gc check" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand port; and not __fish_seen_subcommand_from lease release rm ls gc check" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand port; and not __fish_seen_subcommand_from lease release rm ls gc check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand port; and not __fish_seen_subcommand_from lease release rm ls gc check" -s V -l version -d 'Print version'
complete -c ptest -n "__fish_ptest_using_subcommand port; and not __fish_seen_subcommand_from lease release rm ls gc check" -f -a "lease" -d 'Lease free ports: one `port` record each, after the stream on stdin'
complete -c ptest -n "__fish_ptest_using_subcommand port; and not __fish_seen_subcommand_from lease release rm ls gc check" -f -a "release" -d 'End leases, by id or port number, or the `port` records on stdin'
complete -c ptest -n "__fish_ptest_using_subcommand port; and not __fish_seen_subcommand_from lease release rm ls gc check" -f -a "rm" -d 'End leases, by id or port number, or the `port` records on stdin'
complete -c ptest -n "__fish_ptest_using_subcommand port; and not __fish_seen_subcommand_from lease release rm ls gc check" -f -a "ls" -d 'List leases with their state (live, owner-dead, expired)'
complete -c ptest -n "__fish_ptest_using_subcommand port; and not __fish_seen_subcommand_from lease release rm ls gc check" -f -a "gc" -d 'End leases whose owner has exited or whose --ttl has passed'
complete -c ptest -n "__fish_ptest_using_subcommand port; and not __fish_seen_subcommand_from lease release rm ls gc check" -f -a "check" -d 'Tell whether ports are free, leased (by whom) or bound (by which process)'
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from lease" -s n -l count -d 'How many ports (default: one, or one per --name)' -r
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from lease" -l name -d 'Name a lease (repeatable): gives PTEST_PORT_<NAME>' -r
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from lease" -l proto -d 'Protocols the port must be free for' -r -f -a "tcp\t''
udp\t''
both\t''"
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from lease" -l range -d 'Draw from LOW-HIGH instead of [port] range (default 20000-29999 less the ephemeral range)' -r
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from lease" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from lease" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from lease" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from lease" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from lease" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from lease" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from release" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from release" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from release" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from release" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from ls" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from ls" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from ls" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from gc" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from gc" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from gc" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from gc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from check" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from check" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from check" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand port; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and not __fish_seen_subcommand_from run start stop status ls logs rm gc doctor __supervise" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand proc; and not __fish_seen_subcommand_from run start stop status ls logs rm gc doctor __supervise" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and not __fish_seen_subcommand_from run start stop status ls logs rm gc doctor __supervise" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and not __fish_seen_subcommand_from run start stop status ls logs rm gc doctor __supervise" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and not __fish_seen_subcommand_from run start stop status ls logs rm gc doctor __supervise" -s V -l version -d 'Print version'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and not __fish_seen_subcommand_from run start stop status ls logs rm gc doctor __supervise" -f -a "run" -d 'Run a command in the foreground inside the stream\'s environment'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and not __fish_seen_subcommand_from run start stop status ls logs rm gc doctor __supervise" -f -a "start" -d 'Start a supervised background service; return when it is ready'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and not __fish_seen_subcommand_from run start stop status ls logs rm gc doctor __supervise" -f -a "stop" -d 'Stop services: SIGTERM to the whole tree, then SIGKILL after --grace'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and not __fish_seen_subcommand_from run start stop status ls logs rm gc doctor __supervise" -f -a "status" -d 'Show a service\'s state (exit 0 when running, 3 when not)'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and not __fish_seen_subcommand_from run start stop status ls logs rm gc doctor __supervise" -f -a "ls" -d 'List services and running commands'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and not __fish_seen_subcommand_from run start stop status ls logs rm gc doctor __supervise" -f -a "logs" -d 'Print a service\'s output (stdout, or stderr with --stderr)'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and not __fish_seen_subcommand_from run start stop status ls logs rm gc doctor __supervise" -f -a "rm" -d 'Stop and forget services (IDs, or `proc` records on stdin, as `ptest down` calls it)'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and not __fish_seen_subcommand_from run start stop status ls logs rm gc doctor __supervise" -f -a "gc" -d 'Stop services whose owner exited or whose --ttl passed; clean up after killed supervisors'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and not __fish_seen_subcommand_from run start stop status ls logs rm gc doctor __supervise" -f -a "doctor" -d 'Check cgroups (each controller ptest uses) and network and user namespaces'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and not __fish_seen_subcommand_from run start stop status ls logs rm gc doctor __supervise" -f -a "__supervise" -d 'The supervisor of a service (started by `start`)'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -s e -l env -d 'Set a variable (repeatable); applied after the stream\'s and --env-file\'s' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l env-file -d 'Read variables from a file of KEY=VALUE lines (repeatable)' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l cwd -d 'Working directory of the command' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l timeout -d 'Stop the whole tree after this long (SIGTERM, then SIGKILL after --kill-after); exit 124' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l kill-after -d 'Grace between SIGTERM and SIGKILL when stopping the tree' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l memory -d 'Memory limit of the whole tree, e.g. 512M, 2G (a cgroup; else RLIMIT_AS per process)' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l cpus -d 'CPU limit of the whole tree, in CPUs, e.g. 0.5 or 2 (needs a cgroup)' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l pids -d 'Limit on the number of processes and threads of the tree (a cgroup; else RLIMIT_NPROC)' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l rlimit -d 'Set a resource limit, NAME=VALUE or NAME=SOFT:HARD (NOFILE, NPROC, CORE, AS, CPU, FSIZE, DATA, STACK, MEMLOCK…; `unlimited`)' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l net -d 'Network: the host\'s, or none (a fresh namespace with only loopback)' -r -f -a "host\t'The host\'s network'
none\t'A fresh network namespace with only loopback, brought up'"
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l user -d 'Run as this user: NAME, UID or UID:GID (needs root)' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l listen -d 'Bind 127.0.0.1:PORT here and pass the listening socket to the command (systemd socket activation: LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES); NAME alone takes the port of the lease named NAME in the stream' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l report -d 'Write the `proc` record to FILE, whatever the output mode' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l private-tmp -d 'A private temporary directory as TMPDIR (and as /tmp in the mount namespace), removed afterwards'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l pid-namespace -d 'Run in fresh PID and mount namespaces with an own /proc (as root, or as any user through a user namespace where the kernel allows): the kernel itself ends the whole tree with ptest-proc. Costs about 0.6 ms more per run; without it the tree is tracked and killed all the same'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l no-new-privileges -d 'Forbid gaining privileges through set-user-ID programs or file capabilities'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l rm -d 'Afterwards, tear down every resource of the stream on stdin (newest first), whatever the outcome'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -s e -l env -d 'Set a variable (repeatable); applied after the stream\'s and --env-file\'s' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l env-file -d 'Read variables from a file of KEY=VALUE lines (repeatable)' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l cwd -d 'Working directory of the command' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l timeout -d 'Stop the whole tree after this long (SIGTERM, then SIGKILL after --kill-after); exit 124' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l kill-after -d 'Grace between SIGTERM and SIGKILL when stopping the tree' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l memory -d 'Memory limit of the whole tree, e.g. 512M, 2G (a cgroup; else RLIMIT_AS per process)' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l cpus -d 'CPU limit of the whole tree, in CPUs, e.g. 0.5 or 2 (needs a cgroup)' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l pids -d 'Limit on the number of processes and threads of the tree (a cgroup; else RLIMIT_NPROC)' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l rlimit -d 'Set a resource limit, NAME=VALUE or NAME=SOFT:HARD (NOFILE, NPROC, CORE, AS, CPU, FSIZE, DATA, STACK, MEMLOCK…; `unlimited`)' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l net -d 'Network: the host\'s, or none (a fresh namespace with only loopback)' -r -f -a "host\t'The host\'s network'
none\t'A fresh network namespace with only loopback, brought up'"
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l user -d 'Run as this user: NAME, UID or UID:GID (needs root)' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l listen -d 'Bind 127.0.0.1:PORT here and pass the listening socket to the command (systemd socket activation: LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES); NAME alone takes the port of the lease named NAME in the stream' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l ready-port -d 'Ready when the service accepts TCP connections on PORT (the port it listens on) or on the port lease NAME of the stream' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l ready-log -d 'Ready when a complete line of the service\'s output matches REGEX' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l ready-http -d 'Ready when GET answers 2xx or 3xx: a URL (http://127.0.0.1:8080/health), or [PORT|NAME:]PATH on the service\'s port' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l ready-cmd -d 'Ready when `sh -c CMD`, run where the service runs, exits 0' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l ready-timeout -d 'Give up (exit 124, with the log\'s tail) when not ready after this long' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l restart -d 'When to restart the command after it exits' -r -f -a "no\t'Never restart'
on-failure\t'Restart when the command exits non-zero or is killed'
always\t'Restart whenever the command exits'"
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l restart-limit -d 'Give up after this many restarts in a row (with backoff 0.1 s, 0.2 s, … up to 10 s)' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l name -d 'A name for the service (shown by ls; usable instead of the ID)' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l private-tmp -d 'A private temporary directory as TMPDIR (and as /tmp in the mount namespace), removed afterwards'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l pid-namespace -d 'Run in fresh PID and mount namespaces with an own /proc (as root, or as any user through a user namespace where the kernel allows): the kernel itself ends the whole tree with ptest-proc. Costs about 0.6 ms more per run; without it the tree is tracked and killed all the same'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l no-new-privileges -d 'Forbid gaining privileges through set-user-ID programs or file capabilities'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from stop" -l grace -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from stop" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from stop" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from stop" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from status" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from status" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from status" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from ls" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from ls" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from ls" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from logs" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from logs" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from logs" -s f -l follow -d 'Keep printing what the service writes, until it is gone'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from logs" -l stderr
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from logs" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from gc" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from gc" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from gc" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from gc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from doctor" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from doctor" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from doctor" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from __supervise" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from __supervise" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from __supervise" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand proc; and __fish_seen_subcommand_from __supervise" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -s V -l version -d 'Print version'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -f -a "create" -d 'Make an environment; with packages, a clone of a cached template'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -f -a "sync" -d 'Bring an environment to its requirements, installing only the difference'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -f -a "install" -d 'Install packages into an environment (only those not yet satisfied)'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -f -a "uninstall" -d 'Remove distributions from an environment'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -f -a "check" -d 'Find conflicts: among requirement lines, or among what is installed'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -f -a "freeze" -d 'Print what is installed, as `name==version` lines (`package` records with --json)'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -f -a "info" -d 'Show an environment: interpreter, backend, template, packages'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -f -a "ls" -d 'List the environments ptest made'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -f -a "rm" -d 'Remove environments (by id, name or path, or the `venv` records on stdin)'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -f -a "gc" -d 'Remove environments whose owner has exited or whose --ttl has passed, and empty the trash'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -f -a "doctor" -d 'Check the interpreter `create` uses (venv.python), its pip, and uv (venv.uv)'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -f -a "cache" -d 'The template cache: list or prune'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and not __fish_seen_subcommand_from create sync install uninstall check freeze info ls rm gc doctor cache __purge" -f -a "__purge" -d 'Deletes directories in the background (internal)'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -l python -d 'Interpreter: a name on PATH (python3.12), a version (3.12) or a path [default: [venv] python]' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -s r -l requirement -d 'A requirements file (repeatable); `-r`/`-c` includes inside are followed' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -s c -l constraint -d 'A constraints file (repeatable): versions to hold to, not installed by themselves' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -l backend -d 'Installer [default: [venv] backend]' -r -f -a "auto\t'uv when found, else pip'
uv\t''
pip\t''"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -l index-url -d 'Base URL of the package index (PEP 503)' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -l extra-index-url -d 'A further index to search (repeatable)' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -s f -l find-links -d 'A directory of wheels or an HTML page of links to search (repeatable)' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -l dir -d 'Where to make it (must not exist, or be empty) [default: the state directory\'s venvs/ID]' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -l name -d 'A name to refer to it by (ls, sync, rm…)' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -l link-mode -d 'How files come from the template [default: [venv] link-mode]' -r -f -a "clone\t'Reflink (copy-on-write) where the filesystem can, else hard links'
hardlink\t'Hard links: fastest; files are shared (and read-only)'
copy\t'Full copies: independent, writable, slowest'"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -l no-index -d 'Use no index: only --find-links'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -l no-cache -d 'Install straight into the environment: no template is used or made'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from sync" -s r -l requirement -d 'A requirements file (repeatable); `-r`/`-c` includes inside are followed' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from sync" -s c -l constraint -d 'A constraints file (repeatable): versions to hold to, not installed by themselves' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from sync" -l python -d 'Interpreter to rebuild with when it differs [default: the environment\'s]' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from sync" -l backend -r -f -a "auto\t'uv when found, else pip'
uv\t''
pip\t''"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from sync" -l index-url -d 'Base URL of the package index (PEP 503)' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from sync" -l extra-index-url -d 'A further index to search (repeatable)' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from sync" -s f -l find-links -d 'A directory of wheels or an HTML page of links to search (repeatable)' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from sync" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from sync" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from sync" -l exact -d 'Also remove distributions the requirements do not need'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from sync" -l no-index -d 'Use no index: only --find-links'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from sync" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from install" -s r -l requirement -d 'A requirements file (repeatable); `-r`/`-c` includes inside are followed' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from install" -s c -l constraint -d 'A constraints file (repeatable): versions to hold to, not installed by themselves' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from install" -l backend -r -f -a "auto\t'uv when found, else pip'
uv\t''
pip\t''"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from install" -l index-url -d 'Base URL of the package index (PEP 503)' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from install" -l extra-index-url -d 'A further index to search (repeatable)' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from install" -s f -l find-links -d 'A directory of wheels or an HTML page of links to search (repeatable)' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from install" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from install" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from install" -l no-index -d 'Use no index: only --find-links'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from install" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from uninstall" -l backend -r -f -a "auto\t'uv when found, else pip'
uv\t''
pip\t''"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from uninstall" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from uninstall" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from uninstall" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from uninstall" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from check" -s r -l requirement -d 'Requirement files to check before installing (repeatable)' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from check" -s c -l constraint -d 'Constraints files to check with them (repeatable)' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from check" -l python -d 'Interpreter whose markers apply to -r [default: [venv] python]' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from check" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from check" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from check" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from freeze" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from freeze" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from freeze" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from freeze" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from info" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from info" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from info" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from ls" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from ls" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from ls" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from gc" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from gc" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from gc" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from gc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from doctor" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from doctor" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from doctor" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from cache" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from cache" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from cache" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from cache" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from cache" -f -a "ls" -d 'List templates: key, interpreter, requirements, size, last use'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from cache" -f -a "prune" -d 'Remove templates not used lately (environments cloned from them stay whole)'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from __purge" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from __purge" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from __purge" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand venv; and __fish_seen_subcommand_from __purge" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -s V -l version -d 'Print version'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "create" -d 'Create containers, start them and return when they are ready'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "pool" -d 'Pools of ready containers that creates take from'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "network" -d 'Networks from ptest\'s own subnet pool'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "exec" -d 'Run a command in a container; its exit code is ours'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "logs" -d 'Print a container\'s logs'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "cp" -d 'Copy files into or out of a container: SRC DST, one of them CONTAINER:PATH'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "stop" -d 'Stop containers (SIGTERM, then SIGKILL after --grace)'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "rm" -d 'Remove containers and networks (by id or name, or the records on stdin)'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "ls" -d 'List the containers and networks ptest made, with their state'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "inspect" -d 'Show what the engine says of a container or network'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "gc" -d 'Remove labelled objects whose owner has exited or whose --ttl passed'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "doctor" -d 'Check whether a Docker engine answers, which, and its API version'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "commit" -d 'Commit a container\'s filesystem to an image (labelled for ptest)'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "image" -d 'Images: import a root filesystem tarball'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "__keep" -d 'Keeps a pool full (internal)'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and not __fish_seen_subcommand_from create pool network exec logs cp stop rm ls inspect gc doctor commit image __keep __guard" -f -a "__guard" -d 'Watches an owner and removes its objects when it dies (internal)'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l image -d 'The image (imported or committed locally: nothing is pulled)' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l name -d 'A name: env variables are PTEST_<NAME>_HOST and PTEST_<NAME>_PORT_<CPORT> [default: the image\'s]' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -s e -l env -d 'An environment variable of the container (repeatable)' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -s p -l port -d 'Publish a container port on 127.0.0.1: CPORT[/tcp|udp][=LEASE] takes the host port from the `port` record named LEASE on stdin (repeatable)' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -s v -l volume -d 'Mount a host path or named volume: SRC:DST[:ro] (repeatable)' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l tmpfs -d 'Mount a tmpfs at DST (repeatable)' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l memory -d 'Memory limit (512M, 1G)' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l cpus -d 'CPU limit, in CPUs (0.5, 2)' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l pids -d 'Process limit' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l network -d 'none (no network), isolated (a private internal network: no egress, host unreachable), bridge, or a network name or id' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l ready-port -d 'Ready when the service accepts TCP connections on PORT (the port it listens on) or on the port lease NAME of the stream' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l ready-log -d 'Ready when a complete line of the service\'s output matches REGEX' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l ready-http -d 'Ready when GET answers 2xx or 3xx: a URL (http://127.0.0.1:8080/health), or [PORT|NAME:]PATH on the service\'s port' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l ready-cmd -d 'Ready when `sh -c CMD`, run where the service runs, exits 0' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l ready-timeout -d 'Give up (exit 124, with the log\'s tail) when not ready after this long' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l security -d 'strict: all capabilities dropped, no-new-privileges, read-only root with a tmpfs /tmp, user 65534, a pids limit' -r -f -a "default\t''
strict\t''"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -s n -l count -d 'How many containers, created in parallel' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l pool -d 'Take only from this pool (its spec must be this create\'s); an empty pool still means a cold create [default: any live pool of exactly this spec]' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l no-pool -d 'Never take from a pool: always make the container now'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from pool" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from pool" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from pool" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from pool" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from pool" -f -a "create" -d 'Keep N containers of one spec started and ready for creates to take'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from pool" -f -a "ls" -d 'List pools: size, ready containers, keeper, spec hash'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from pool" -f -a "rm" -d 'Remove pools (by name or id, or the records on stdin) and their ready containers'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from network" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from network" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from network" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from network" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from network" -f -a "create" -d 'Create a network with a small subnet from ptest\'s pool'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from network" -f -a "rm" -d 'Remove networks (by id or name, or the records on stdin)'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from exec" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from exec" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from exec" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from logs" -l tail -d 'Only the last N lines' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from logs" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from logs" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from logs" -s f -l follow -d 'Keep printing new lines until the container stops'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from logs" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from cp" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from cp" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from cp" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from cp" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from stop" -l grace -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from stop" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from stop" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from stop" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from ls" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from ls" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from ls" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from inspect" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from inspect" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from inspect" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from gc" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from gc" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from gc" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from gc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from doctor" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from doctor" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from doctor" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from commit" -l tag -d 'REPOSITORY[:TAG] for the image [default: ptest/<name>:<short id>]' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from commit" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from commit" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from commit" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from commit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from image" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from image" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from image" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from image" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from image" -f -a "import" -d 'Import a root filesystem tarball as an image'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from __keep" -l lock-fd -d 'An inherited descriptor already holding the keeper\'s lock' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from __keep" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from __keep" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from __keep" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from __keep" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from __guard" -l lock-fd -d 'An inherited descriptor already holding the guardian\'s lock' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from __guard" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from __guard" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from __guard" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand docker; and __fish_seen_subcommand_from __guard" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and not __fish_seen_subcommand_from run watch report ls rm gc doctor" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand mon; and not __fish_seen_subcommand_from run watch report ls rm gc doctor" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and not __fish_seen_subcommand_from run watch report ls rm gc doctor" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and not __fish_seen_subcommand_from run watch report ls rm gc doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and not __fish_seen_subcommand_from run watch report ls rm gc doctor" -s V -l version -d 'Print version'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and not __fish_seen_subcommand_from run watch report ls rm gc doctor" -f -a "run" -d 'Run a command and measure its whole process tree, like `time -v`'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and not __fish_seen_subcommand_from run watch report ls rm gc doctor" -f -a "watch" -d 'Sample the resources named on stdin (services, containers), pids and the host'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and not __fish_seen_subcommand_from run watch report ls rm gc doctor" -f -a "report" -d 'Summarise sample files: tables, an SVG timeline, growth against a baseline'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and not __fish_seen_subcommand_from run watch report ls rm gc doctor" -f -a "ls" -d 'List monitored runs (running, or keeping logs) with their state'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and not __fish_seen_subcommand_from run watch report ls rm gc doctor" -f -a "rm" -d 'Forget monitored runs: remove their cgroup and logs (ids, or `mon` records on stdin)'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and not __fish_seen_subcommand_from run watch report ls rm gc doctor" -f -a "gc" -d 'Clean up after runs whose monitor died (cgroups, logs)'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and not __fish_seen_subcommand_from run watch report ls rm gc doctor" -f -a "doctor" -d 'Check what can be measured here: cgroups, /proc, PSI, the engine'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from run" -l interval -d 'How often to sample' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from run" -l out -d 'Write the records (samples, thresholds, summary) to FILE as well' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from run" -s e -l env -d 'Set a variable (repeatable); applied after the stream\'s' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from run" -l cwd -d 'Working directory of the command' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from run" -l max-memory -d 'Memory the tree may reach, e.g. 512M, 2G' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from run" -l max-cpu -d 'CPU the tree may use, in percent of one CPU (150: one and a half), averaged over --cpu-window' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from run" -l cpu-window -d 'The window --max-cpu averages over' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from run" -l max-procs -d 'Processes the tree may hold at once' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from run" -l max-duration -d 'How long it may run' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from run" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from run" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from run" -l no-cgroup -d 'Follow the tree through /proc even where a cgroup could be made'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from run" -l kill -d 'End what crossed a threshold (exit 125, naming the threshold on stderr), not only report it'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from run" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -l interval -d 'How often to sample' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -l duration -d 'Stop after this long' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -l pid -d 'Watch this process and its descendants too (repeatable)' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -l out -d 'Write the records to FILE as well' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -l max-memory -d 'Memory the tree may reach, e.g. 512M, 2G' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -l max-cpu -d 'CPU the tree may use, in percent of one CPU (150: one and a half), averaged over --cpu-window' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -l cpu-window -d 'The window --max-cpu averages over' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -l max-procs -d 'Processes the tree may hold at once' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -l max-duration -d 'How long it may run' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -l until-exit -d 'Stop when every watched resource is gone'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -l no-host -d 'Leave the host out'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -l kill -d 'End what crossed a threshold (exit 125, naming the threshold on stderr), not only report it'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from report" -l svg -d 'Draw the timeline as SVG into OUT' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from report" -l baseline -d 'Compare with this earlier run\'s sample file' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from report" -l grow -d 'List metrics that grew by more than RATIO against the baseline' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from report" -l fail-over -d 'Exit 1 when a metric grew by more than RATIO against the baseline' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from report" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from report" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from report" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from ls" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from ls" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from ls" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from gc" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from gc" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from gc" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from gc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from doctor" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from doctor" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from doctor" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand mon; and __fish_seen_subcommand_from doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -s V -l version -d 'Print version'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -f -a "create" -d 'Snapshot a directory, a venv or a container: a `snapshot` record, after the stream on stdin'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -f -a "restore" -d 'Put a snapshot\'s exact tree at its source, or at --to, atomically'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -f -a "reset" -d 'Put the snapshot\'s source back, touching only what changed'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -f -a "diff" -d 'Paths added, removed and changed between two snapshots, or a snapshot and a directory'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -f -a "ls" -d 'List snapshots and overlay mounts'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -f -a "rm" -d 'Remove snapshots and overlay mounts by id, or their records on stdin'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -f -a "inspect" -d 'Show a snapshot\'s record and what it holds'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -f -a "verify" -d 'Rehash every object of a snapshot; 65 naming the first corrupt one'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -f -a "gc" -d 'Remove snapshots whose owner died or whose --ttl passed, then unreferenced objects'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -f -a "doctor" -d 'Check what snapshots need from this machine'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -f -a "export" -d 'Write a snapshot as one zstd-compressed archive to stdout'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and not __fish_seen_subcommand_from create restore reset diff ls rm inspect verify gc doctor export import" -f -a "import" -d 'Read an archive from stdin, verify it whole, and register its snapshot'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from create" -l venv -d 'A ptest venv, by id: restored in place or as a new venv elsewhere' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from create" -l container -d 'A ptest container, by id: its filesystem and every volume\'s data' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from create" -l name -d 'A name for people (shown by ls)' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from create" -l exclude -d 'Leave out paths matching GLOB (repeatable): `*.pyc`, `build/**`' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from create" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from create" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from create" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from create" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from create" -l all -d 'Every venv and container of the record stream on stdin'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from create" -l overlay -d 'Also make the read-only lower layer `--mode overlay` mounts, now rather than at first use'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from create" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from restore" -l to -d 'Where to restore it (default: where it was taken)' -r -F
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from restore" -l mode -d 'copy: an independent tree; overlay: a mount over the snapshot, the same cost for any size' -r -f -a "copy\t'Files copied from the store (reflinks where the filesystem has them)'
overlay\t'An overlay mount: the snapshot\'s read-only tree below, a fresh writable layer above'"
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from restore" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from restore" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from restore" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from restore" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from restore" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from reset" -l mode -d 'copy: rewrite what changed; overlay: a fresh upper layer over the snapshot' -r -f -a "copy\t'Files copied from the store (reflinks where the filesystem has them)'
overlay\t'An overlay mount: the snapshot\'s read-only tree below, a fresh writable layer above'"
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from reset" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from reset" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from reset" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from reset" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from reset" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from diff" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from diff" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from diff" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from ls" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from ls" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from ls" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from inspect" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from inspect" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from inspect" -l entries -d 'Every entry of the tree, too'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from inspect" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from verify" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from verify" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from verify" -l all -d 'Report every corrupt object, not only the first'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from verify" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from gc" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from gc" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from gc" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from gc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from doctor" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from doctor" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from doctor" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from export" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from export" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from export" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from import" -l name -d 'A name for people' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from import" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from import" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from import" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from import" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from import" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest -n "__fish_ptest_using_subcommand snap; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'

# Plugins (any ptest-<name> on PATH) complete as the first word too, found
# when completing.
complete -c ptest -n "__fish_use_subcommand" -f -a "(ptest --list --json 2>/dev/null | string match -rg '\"name\":\"([^\"]*)\"')"
