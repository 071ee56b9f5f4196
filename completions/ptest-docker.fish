# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ptest_docker_global_optspecs
    string join \n format= json config= h/help V/version
end

function __fish_ptest_docker_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ptest_docker_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ptest_docker_using_subcommand
    set -l cmd (__fish_ptest_docker_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -s V -l version -d 'Print version'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "create" -d 'Create containers, start them and return when they are ready'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "pool" -d 'Pools of ready containers that creates take from'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "network" -d 'Networks from ptest\'s own subnet pool'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "exec" -d 'Run a command in a container; its exit code is ours'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "logs" -d 'Print a container\'s logs'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "cp" -d 'Copy files into or out of a container: SRC DST, one of them CONTAINER:PATH'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "stop" -d 'Stop containers (SIGTERM, then SIGKILL after --grace)'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "rm" -d 'Remove containers and networks (by id or name, or the records on stdin)'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "ls" -d 'List the containers and networks ptest made, with their state'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "inspect" -d 'Show what the engine says of a container or network'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "gc" -d 'Remove labelled objects whose owner has exited or whose --ttl passed'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "doctor" -d 'Check whether a Docker engine answers, which, and its API version'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "commit" -d 'Commit a container\'s filesystem to an image (labelled for ptest)'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "image" -d 'Images: import a root filesystem tarball'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "__keep" -d 'Keeps a pool full (internal)'
complete -c ptest-docker -n "__fish_ptest_docker_needs_command" -f -a "__guard" -d 'Watches an owner and removes its objects when it dies (internal)'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l image -d 'The image (imported or committed locally: nothing is pulled)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l name -d 'A name: env variables are PTEST_<NAME>_HOST and PTEST_<NAME>_PORT_<CPORT> [default: the image\'s]' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -s e -l env -d 'An environment variable of the container (repeatable)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -s p -l port -d 'Publish a container port on 127.0.0.1: CPORT[/tcp|udp][=LEASE] takes the host port from the `port` record named LEASE on stdin (repeatable)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -s v -l volume -d 'Mount a host path or named volume: SRC:DST[:ro] (repeatable)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l tmpfs -d 'Mount a tmpfs at DST (repeatable)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l memory -d 'Memory limit (512M, 1G)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l cpus -d 'CPU limit, in CPUs (0.5, 2)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l pids -d 'Process limit' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l network -d 'none (no network), isolated (a private internal network: no egress, host unreachable), bridge, or a network name or id' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l ready-port -d 'Ready when the service accepts TCP connections on PORT (the port it listens on) or on the port lease NAME of the stream' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l ready-log -d 'Ready when a complete line of the service\'s output matches REGEX' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l ready-http -d 'Ready when GET answers 2xx or 3xx: a URL (http://127.0.0.1:8080/health), or [PORT|NAME:]PATH on the service\'s port' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l ready-cmd -d 'Ready when `sh -c CMD`, run where the service runs, exits 0' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l ready-timeout -d 'Give up (exit 124, with the log\'s tail) when not ready after this long' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l security -d 'strict: all capabilities dropped, no-new-privileges, read-only root with a tmpfs /tmp, user 65534, a pids limit' -r -f -a "default\t''
strict\t''"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -s n -l count -d 'How many containers, created in parallel' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l pool -d 'Take only from this pool (its spec must be this create\'s); an empty pool still means a cold create [default: any live pool of exactly this spec]' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l no-pool -d 'Never take from a pool: always make the container now'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and not __fish_seen_subcommand_from create ls rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and not __fish_seen_subcommand_from create ls rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and not __fish_seen_subcommand_from create ls rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and not __fish_seen_subcommand_from create ls rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and not __fish_seen_subcommand_from create ls rm" -f -a "create" -d 'Keep N containers of one spec started and ready for creates to take'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and not __fish_seen_subcommand_from create ls rm" -f -a "ls" -d 'List pools: size, ready containers, keeper, spec hash'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and not __fish_seen_subcommand_from create ls rm" -f -a "rm" -d 'Remove pools (by name or id, or the records on stdin) and their ready containers'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l pool -d 'The pool\'s name (`create --pool NAME` takes from it alone)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l size -d 'How many ready containers to keep (1-64)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l image -d 'The image (imported or committed locally: nothing is pulled)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l name -d 'A name: env variables are PTEST_<NAME>_HOST and PTEST_<NAME>_PORT_<CPORT> [default: the image\'s]' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -s e -l env -d 'An environment variable of the container (repeatable)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -s p -l port -d 'Publish a container port on 127.0.0.1: CPORT[/tcp|udp][=LEASE] takes the host port from the `port` record named LEASE on stdin (repeatable)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -s v -l volume -d 'Mount a host path or named volume: SRC:DST[:ro] (repeatable)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l tmpfs -d 'Mount a tmpfs at DST (repeatable)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l memory -d 'Memory limit (512M, 1G)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l cpus -d 'CPU limit, in CPUs (0.5, 2)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l pids -d 'Process limit' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l network -d 'none (no network), isolated (a private internal network: no egress, host unreachable), bridge, or a network name or id' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l ready-port -d 'Ready when the service accepts TCP connections on PORT (the port it listens on) or on the port lease NAME of the stream' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l ready-log -d 'Ready when a complete line of the service\'s output matches REGEX' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l ready-http -d 'Ready when GET answers 2xx or 3xx: a URL (http://127.0.0.1:8080/health), or [PORT|NAME:]PATH on the service\'s port' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l ready-cmd -d 'Ready when `sh -c CMD`, run where the service runs, exits 0' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l ready-timeout -d 'Give up (exit 124, with the log\'s tail) when not ready after this long' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l security -d 'strict: all capabilities dropped, no-new-privileges, read-only root with a tmpfs /tmp, user 65534, a pids limit' -r -f -a "default\t''
strict\t''"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -s n -l count -d 'How many containers, created in parallel' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l no-wait -d 'Return at once, while the pool fills (creates meanwhile are cold)'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from ls" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from ls" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from ls" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand pool; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and not __fish_seen_subcommand_from create rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and not __fish_seen_subcommand_from create rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and not __fish_seen_subcommand_from create rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and not __fish_seen_subcommand_from create rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and not __fish_seen_subcommand_from create rm" -f -a "create" -d 'Create a network with a small subnet from ptest\'s pool'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and not __fish_seen_subcommand_from create rm" -f -a "rm" -d 'Remove networks (by id or name, or the records on stdin)'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and __fish_seen_subcommand_from create" -l name -d 'A name [default: ptest-<id>]' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and __fish_seen_subcommand_from create" -l subnet -d 'auto (from [docker] subnet-pool) or a CIDR' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and __fish_seen_subcommand_from create" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and __fish_seen_subcommand_from create" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and __fish_seen_subcommand_from create" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and __fish_seen_subcommand_from create" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and __fish_seen_subcommand_from create" -l internal -d 'No route out of the network'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and __fish_seen_subcommand_from create" -l isolated -d 'Internal, and the host\'s own services are unreachable from it too'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and __fish_seen_subcommand_from create" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and __fish_seen_subcommand_from rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and __fish_seen_subcommand_from rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and __fish_seen_subcommand_from rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand network; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand exec" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand exec" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand exec" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand exec" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand logs" -l tail -d 'Only the last N lines' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand logs" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand logs" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand logs" -s f -l follow -d 'Keep printing new lines until the container stops'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand logs" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand logs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand cp" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand cp" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand cp" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand cp" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand stop" -l grace -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand stop" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand stop" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand stop" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand stop" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand ls" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand ls" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand ls" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand inspect" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand inspect" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand inspect" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand gc" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand gc" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand gc" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand gc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand doctor" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand doctor" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand doctor" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand commit" -l tag -d 'REPOSITORY[:TAG] for the image [default: ptest/<name>:<short id>]' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand commit" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand commit" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand commit" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand commit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand image; and not __fish_seen_subcommand_from import" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand image; and not __fish_seen_subcommand_from import" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand image; and not __fish_seen_subcommand_from import" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand image; and not __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand image; and not __fish_seen_subcommand_from import" -f -a "import" -d 'Import a root filesystem tarball as an image'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand image; and __fish_seen_subcommand_from import" -l tag -d 'REPOSITORY[:TAG]' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand image; and __fish_seen_subcommand_from import" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand image; and __fish_seen_subcommand_from import" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand image; and __fish_seen_subcommand_from import" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand image; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand __keep" -l lock-fd -d 'An inherited descriptor already holding the keeper\'s lock' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand __keep" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand __keep" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand __keep" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand __keep" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand __guard" -l lock-fd -d 'An inherited descriptor already holding the guardian\'s lock' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand __guard" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand __guard" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand __guard" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-docker -n "__fish_ptest_docker_using_subcommand __guard" -s h -l help -d 'Print help (see more with \'--help\')'
