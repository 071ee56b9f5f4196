# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ptest_proc_global_optspecs
    string join \n format= json config= h/help V/version
end

function __fish_ptest_proc_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ptest_proc_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ptest_proc_using_subcommand
    set -l cmd (__fish_ptest_proc_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ptest-proc -n "__fish_ptest_proc_needs_command" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-proc -n "__fish_ptest_proc_needs_command" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-proc -n "__fish_ptest_proc_needs_command" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-proc -n "__fish_ptest_proc_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-proc -n "__fish_ptest_proc_needs_command" -s V -l version -d 'Print version'
complete -c ptest-proc -n "__fish_ptest_proc_needs_command" -f -a "run" -d 'Run a command in the foreground inside the stream\'s environment'
complete -c ptest-proc -n "__fish_ptest_proc_needs_command" -f -a "start" -d 'Start a supervised background service; return when it is ready'
complete -c ptest-proc -n "__fish_ptest_proc_needs_command" -f -a "stop" -d 'Stop services: SIGTERM to the whole tree, then SIGKILL after --grace'
complete -c ptest-proc -n "__fish_ptest_proc_needs_command" -f -a "status" -d 'Show a service\'s state (exit 0 when running, 3 when not)'
complete -c ptest-proc -n "__fish_ptest_proc_needs_command" -f -a "ls" -d 'List services and running commands'
complete -c ptest-proc -n "__fish_ptest_proc_needs_command" -f -a "logs" -d 'Print a service\'s output (stdout, or stderr with --stderr)'
complete -c ptest-proc -n "__fish_ptest_proc_needs_command" -f -a "rm" -d 'Stop and forget services (IDs, or `proc` records on stdin, as `ptest down` calls it)'
complete -c ptest-proc -n "__fish_ptest_proc_needs_command" -f -a "gc" -d 'Stop services whose owner exited or whose --ttl passed; clean up after killed supervisors'
complete -c ptest-proc -n "__fish_ptest_proc_needs_command" -f -a "doctor" -d 'Check cgroups (each controller ptest uses) and network and user namespaces'
complete -c ptest-proc -n "__fish_ptest_proc_needs_command" -f -a "__supervise" -d 'The supervisor of a service (started by `start`)'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -s e -l env -d 'Set a variable (repeatable); applied after the stream\'s and --env-file\'s' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l env-file -d 'Read variables from a file of KEY=VALUE lines (repeatable)' -r -F
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l cwd -d 'Working directory of the command' -r -F
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l timeout -d 'Stop the whole tree after this long (SIGTERM, then SIGKILL after --kill-after); exit 124' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l kill-after -d 'Grace between SIGTERM and SIGKILL when stopping the tree' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l memory -d 'Memory limit of the whole tree, e.g. 512M, 2G (a cgroup; else RLIMIT_AS per process)' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l cpus -d 'CPU limit of the whole tree, in CPUs, e.g. 0.5 or 2 (needs a cgroup)' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l pids -d 'Limit on the number of processes and threads of the tree (a cgroup; else RLIMIT_NPROC)' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l rlimit -d 'Set a resource limit, NAME=VALUE or NAME=SOFT:HARD (NOFILE, NPROC, CORE, AS, CPU, FSIZE, DATA, STACK, MEMLOCK…; `unlimited`)' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l net -d 'Network: the host\'s, or none (a fresh namespace with only loopback)' -r -f -a "host\t'The host\'s network'
none\t'A fresh network namespace with only loopback, brought up'"
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l user -d 'Run as this user: NAME, UID or UID:GID (needs root)' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l listen -d 'Bind 127.0.0.1:PORT here and pass the listening socket to the command (systemd socket activation: LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES); NAME alone takes the port of the lease named NAME in the stream' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l report -d 'Write the `proc` record to FILE, whatever the output mode' -r -F
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l private-tmp -d 'A private temporary directory as TMPDIR (and as /tmp in the mount namespace), removed afterwards'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l pid-namespace -d 'Run in fresh PID and mount namespaces with an own /proc (as root, or as any user through a user namespace where the kernel allows): the kernel itself ends the whole tree with ptest-proc. Costs about 0.6 ms more per run; without it the tree is tracked and killed all the same'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l no-new-privileges -d 'Forbid gaining privileges through set-user-ID programs or file capabilities'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l rm -d 'Afterwards, tear down every resource of the stream on stdin (newest first), whatever the outcome'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -s e -l env -d 'Set a variable (repeatable); applied after the stream\'s and --env-file\'s' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l env-file -d 'Read variables from a file of KEY=VALUE lines (repeatable)' -r -F
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l cwd -d 'Working directory of the command' -r -F
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l timeout -d 'Stop the whole tree after this long (SIGTERM, then SIGKILL after --kill-after); exit 124' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l kill-after -d 'Grace between SIGTERM and SIGKILL when stopping the tree' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l memory -d 'Memory limit of the whole tree, e.g. 512M, 2G (a cgroup; else RLIMIT_AS per process)' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l cpus -d 'CPU limit of the whole tree, in CPUs, e.g. 0.5 or 2 (needs a cgroup)' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l pids -d 'Limit on the number of processes and threads of the tree (a cgroup; else RLIMIT_NPROC)' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l rlimit -d 'Set a resource limit, NAME=VALUE or NAME=SOFT:HARD (NOFILE, NPROC, CORE, AS, CPU, FSIZE, DATA, STACK, MEMLOCK…; `unlimited`)' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l net -d 'Network: the host\'s, or none (a fresh namespace with only loopback)' -r -f -a "host\t'The host\'s network'
none\t'A fresh network namespace with only loopback, brought up'"
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l user -d 'Run as this user: NAME, UID or UID:GID (needs root)' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l listen -d 'Bind 127.0.0.1:PORT here and pass the listening socket to the command (systemd socket activation: LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES); NAME alone takes the port of the lease named NAME in the stream' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l ready-port -d 'Ready when the service accepts TCP connections on PORT (the port it listens on) or on the port lease NAME of the stream' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l ready-log -d 'Ready when a complete line of the service\'s output matches REGEX' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l ready-http -d 'Ready when GET answers 2xx or 3xx: a URL (http://127.0.0.1:8080/health), or [PORT|NAME:]PATH on the service\'s port' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l ready-cmd -d 'Ready when `sh -c CMD`, run where the service runs, exits 0' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l ready-timeout -d 'Give up (exit 124, with the log\'s tail) when not ready after this long' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l restart -d 'When to restart the command after it exits' -r -f -a "no\t'Never restart'
on-failure\t'Restart when the command exits non-zero or is killed'
always\t'Restart whenever the command exits'"
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l restart-limit -d 'Give up after this many restarts in a row (with backoff 0.1 s, 0.2 s, … up to 10 s)' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l name -d 'A name for the service (shown by ls; usable instead of the ID)' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l private-tmp -d 'A private temporary directory as TMPDIR (and as /tmp in the mount namespace), removed afterwards'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l pid-namespace -d 'Run in fresh PID and mount namespaces with an own /proc (as root, or as any user through a user namespace where the kernel allows): the kernel itself ends the whole tree with ptest-proc. Costs about 0.6 ms more per run; without it the tree is tracked and killed all the same'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l no-new-privileges -d 'Forbid gaining privileges through set-user-ID programs or file capabilities'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand start" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand stop" -l grace -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand stop" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand stop" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand stop" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand stop" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand status" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand status" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand status" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand ls" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand ls" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand ls" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand logs" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand logs" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand logs" -s f -l follow -d 'Keep printing what the service writes, until it is gone'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand logs" -l stderr
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand logs" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand gc" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand gc" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand gc" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand gc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand doctor" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand doctor" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand doctor" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand __supervise" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand __supervise" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand __supervise" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-proc -n "__fish_ptest_proc_using_subcommand __supervise" -s h -l help -d 'Print help (see more with \'--help\')'
