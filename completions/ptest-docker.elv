
use builtin;
use str;

set edit:completion:arg-completer[ptest-docker] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'ptest-docker'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'ptest-docker'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create containers, start them and return when they are ready'
            cand pool 'Pools of ready containers that creates take from'
            cand network 'Networks from ptest''s own subnet pool'
            cand exec 'Run a command in a container; its exit code is ours'
            cand logs 'Print a container''s logs'
            cand cp 'Copy files into or out of a container: SRC DST, one of them CONTAINER:PATH'
            cand stop 'Stop containers (SIGTERM, then SIGKILL after --grace)'
            cand rm 'Remove containers and networks (by id or name, or the records on stdin)'
            cand ls 'List the containers and networks ptest made, with their state'
            cand inspect 'Show what the engine says of a container or network'
            cand gc 'Remove labelled objects whose owner has exited or whose --ttl passed'
            cand doctor 'Check whether a Docker engine answers, which, and its API version'
            cand commit 'Commit a container''s filesystem to an image (labelled for ptest)'
            cand image 'Images: import a root filesystem tarball'
            cand __keep 'Keeps a pool full (internal)'
            cand __guard 'Watches an owner and removes its objects when it dies (internal)'
        }
        &'ptest-docker;create'= {
            cand --image 'The image (imported or committed locally: nothing is pulled)'
            cand --name 'A name: env variables are PTEST_<NAME>_HOST and PTEST_<NAME>_PORT_<CPORT> [default: the image''s]'
            cand -e 'An environment variable of the container (repeatable)'
            cand --env 'An environment variable of the container (repeatable)'
            cand -p 'Publish a container port on 127.0.0.1: CPORT[/tcp|udp][=LEASE] takes the host port from the `port` record named LEASE on stdin (repeatable)'
            cand --port 'Publish a container port on 127.0.0.1: CPORT[/tcp|udp][=LEASE] takes the host port from the `port` record named LEASE on stdin (repeatable)'
            cand -v 'Mount a host path or named volume: SRC:DST[:ro] (repeatable)'
            cand --volume 'Mount a host path or named volume: SRC:DST[:ro] (repeatable)'
            cand --tmpfs 'Mount a tmpfs at DST (repeatable)'
            cand --memory 'Memory limit (512M, 1G)'
            cand --cpus 'CPU limit, in CPUs (0.5, 2)'
            cand --pids 'Process limit'
            cand --network 'none (no network), isolated (a private internal network: no egress, host unreachable), bridge, or a network name or id'
            cand --ready-port 'Ready when the service accepts TCP connections on PORT (the port it listens on) or on the port lease NAME of the stream'
            cand --ready-log 'Ready when a complete line of the service''s output matches REGEX'
            cand --ready-http 'Ready when GET answers 2xx or 3xx: a URL (http://127.0.0.1:8080/health), or [PORT|NAME:]PATH on the service''s port'
            cand --ready-cmd 'Ready when `sh -c CMD`, run where the service runs, exits 0'
            cand --ready-timeout 'Give up (exit 124, with the log''s tail) when not ready after this long'
            cand --security 'strict: all capabilities dropped, no-new-privileges, read-only root with a tmpfs /tmp, user 65534, a pids limit'
            cand -n 'How many containers, created in parallel'
            cand --count 'How many containers, created in parallel'
            cand --owner 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource'
            cand --ttl 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)'
            cand --pool 'Take only from this pool (its spec must be this create''s); an empty pool still means a cold create [default: any live pool of exactly this spec]'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --no-pool 'Never take from a pool: always make the container now'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;pool'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand create 'Keep N containers of one spec started and ready for creates to take'
            cand ls 'List pools: size, ready containers, keeper, spec hash'
            cand rm 'Remove pools (by name or id, or the records on stdin) and their ready containers'
        }
        &'ptest-docker;pool;create'= {
            cand --pool 'The pool''s name (`create --pool NAME` takes from it alone)'
            cand --size 'How many ready containers to keep (1-64)'
            cand --image 'The image (imported or committed locally: nothing is pulled)'
            cand --name 'A name: env variables are PTEST_<NAME>_HOST and PTEST_<NAME>_PORT_<CPORT> [default: the image''s]'
            cand -e 'An environment variable of the container (repeatable)'
            cand --env 'An environment variable of the container (repeatable)'
            cand -p 'Publish a container port on 127.0.0.1: CPORT[/tcp|udp][=LEASE] takes the host port from the `port` record named LEASE on stdin (repeatable)'
            cand --port 'Publish a container port on 127.0.0.1: CPORT[/tcp|udp][=LEASE] takes the host port from the `port` record named LEASE on stdin (repeatable)'
            cand -v 'Mount a host path or named volume: SRC:DST[:ro] (repeatable)'
            cand --volume 'Mount a host path or named volume: SRC:DST[:ro] (repeatable)'
            cand --tmpfs 'Mount a tmpfs at DST (repeatable)'
            cand --memory 'Memory limit (512M, 1G)'
            cand --cpus 'CPU limit, in CPUs (0.5, 2)'
            cand --pids 'Process limit'
            cand --network 'none (no network), isolated (a private internal network: no egress, host unreachable), bridge, or a network name or id'
            cand --ready-port 'Ready when the service accepts TCP connections on PORT (the port it listens on) or on the port lease NAME of the stream'
            cand --ready-log 'Ready when a complete line of the service''s output matches REGEX'
            cand --ready-http 'Ready when GET answers 2xx or 3xx: a URL (http://127.0.0.1:8080/health), or [PORT|NAME:]PATH on the service''s port'
            cand --ready-cmd 'Ready when `sh -c CMD`, run where the service runs, exits 0'
            cand --ready-timeout 'Give up (exit 124, with the log''s tail) when not ready after this long'
            cand --security 'strict: all capabilities dropped, no-new-privileges, read-only root with a tmpfs /tmp, user 65534, a pids limit'
            cand -n 'How many containers, created in parallel'
            cand --count 'How many containers, created in parallel'
            cand --owner 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource'
            cand --ttl 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --no-wait 'Return at once, while the pool fills (creates meanwhile are cold)'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;pool;ls'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;pool;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;network'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand create 'Create a network with a small subnet from ptest''s pool'
            cand rm 'Remove networks (by id or name, or the records on stdin)'
        }
        &'ptest-docker;network;create'= {
            cand --name 'A name [default: ptest-<id>]'
            cand --subnet 'auto (from [docker] subnet-pool) or a CIDR'
            cand --owner 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource'
            cand --ttl 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --internal 'No route out of the network'
            cand --isolated 'Internal, and the host''s own services are unreachable from it too'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;network;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;exec'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;logs'= {
            cand --tail 'Only the last N lines'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand -f 'Keep printing new lines until the container stops'
            cand --follow 'Keep printing new lines until the container stops'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;cp'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;stop'= {
            cand --grace 'grace'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;ls'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;inspect'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;gc'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;doctor'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;commit'= {
            cand --tag 'REPOSITORY[:TAG] for the image [default: ptest/<name>:<short id>]'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;image'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand import 'Import a root filesystem tarball as an image'
        }
        &'ptest-docker;image;import'= {
            cand --tag 'REPOSITORY[:TAG]'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;__keep'= {
            cand --lock-fd 'An inherited descriptor already holding the keeper''s lock'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-docker;__guard'= {
            cand --lock-fd 'An inherited descriptor already holding the guardian''s lock'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
    ]
    $completions[$command]
}
