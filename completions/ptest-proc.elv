
use builtin;
use str;

set edit:completion:arg-completer[ptest-proc] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'ptest-proc'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'ptest-proc'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand run 'Run a command in the foreground inside the stream''s environment'
            cand start 'Start a supervised background service; return when it is ready'
            cand stop 'Stop services: SIGTERM to the whole tree, then SIGKILL after --grace'
            cand status 'Show a service''s state (exit 0 when running, 3 when not)'
            cand ls 'List services and running commands'
            cand logs 'Print a service''s output (stdout, or stderr with --stderr)'
            cand rm 'Stop and forget services (IDs, or `proc` records on stdin, as `ptest down` calls it)'
            cand gc 'Stop services whose owner exited or whose --ttl passed; clean up after killed supervisors'
            cand doctor 'Check cgroups (each controller ptest uses) and network and user namespaces'
            cand __supervise 'The supervisor of a service (started by `start`)'
        }
        &'ptest-proc;run'= {
            cand -e 'Set a variable (repeatable); applied after the stream''s and --env-file''s'
            cand --env 'Set a variable (repeatable); applied after the stream''s and --env-file''s'
            cand --env-file 'Read variables from a file of KEY=VALUE lines (repeatable)'
            cand --cwd 'Working directory of the command'
            cand --timeout 'Stop the whole tree after this long (SIGTERM, then SIGKILL after --kill-after); exit 124'
            cand --kill-after 'Grace between SIGTERM and SIGKILL when stopping the tree'
            cand --memory 'Memory limit of the whole tree, e.g. 512M, 2G (a cgroup; else RLIMIT_AS per process)'
            cand --cpus 'CPU limit of the whole tree, in CPUs, e.g. 0.5 or 2 (needs a cgroup)'
            cand --pids 'Limit on the number of processes and threads of the tree (a cgroup; else RLIMIT_NPROC)'
            cand --rlimit 'Set a resource limit, NAME=VALUE or NAME=SOFT:HARD (NOFILE, NPROC, CORE, AS, CPU, FSIZE, DATA, STACK, MEMLOCK…; `unlimited`)'
            cand --net 'Network: the host''s, or none (a fresh namespace with only loopback)'
            cand --user 'Run as this user: NAME, UID or UID:GID (needs root)'
            cand --listen 'Bind 127.0.0.1:PORT here and pass the listening socket to the command (systemd socket activation: LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES); NAME alone takes the port of the lease named NAME in the stream'
            cand --report 'Write the `proc` record to FILE, whatever the output mode'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --private-tmp 'A private temporary directory as TMPDIR (and as /tmp in the mount namespace), removed afterwards'
            cand --pid-namespace 'Run in fresh PID and mount namespaces with an own /proc (as root, or as any user through a user namespace where the kernel allows): the kernel itself ends the whole tree with ptest-proc. Costs about 0.6 ms more per run; without it the tree is tracked and killed all the same'
            cand --no-new-privileges 'Forbid gaining privileges through set-user-ID programs or file capabilities'
            cand --rm 'Afterwards, tear down every resource of the stream on stdin (newest first), whatever the outcome'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-proc;start'= {
            cand -e 'Set a variable (repeatable); applied after the stream''s and --env-file''s'
            cand --env 'Set a variable (repeatable); applied after the stream''s and --env-file''s'
            cand --env-file 'Read variables from a file of KEY=VALUE lines (repeatable)'
            cand --cwd 'Working directory of the command'
            cand --timeout 'Stop the whole tree after this long (SIGTERM, then SIGKILL after --kill-after); exit 124'
            cand --kill-after 'Grace between SIGTERM and SIGKILL when stopping the tree'
            cand --memory 'Memory limit of the whole tree, e.g. 512M, 2G (a cgroup; else RLIMIT_AS per process)'
            cand --cpus 'CPU limit of the whole tree, in CPUs, e.g. 0.5 or 2 (needs a cgroup)'
            cand --pids 'Limit on the number of processes and threads of the tree (a cgroup; else RLIMIT_NPROC)'
            cand --rlimit 'Set a resource limit, NAME=VALUE or NAME=SOFT:HARD (NOFILE, NPROC, CORE, AS, CPU, FSIZE, DATA, STACK, MEMLOCK…; `unlimited`)'
            cand --net 'Network: the host''s, or none (a fresh namespace with only loopback)'
            cand --user 'Run as this user: NAME, UID or UID:GID (needs root)'
            cand --listen 'Bind 127.0.0.1:PORT here and pass the listening socket to the command (systemd socket activation: LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES); NAME alone takes the port of the lease named NAME in the stream'
            cand --ready-port 'Ready when the service accepts TCP connections on PORT (the port it listens on) or on the port lease NAME of the stream'
            cand --ready-log 'Ready when a complete line of the service''s output matches REGEX'
            cand --ready-http 'Ready when GET answers 2xx or 3xx: a URL (http://127.0.0.1:8080/health), or [PORT|NAME:]PATH on the service''s port'
            cand --ready-cmd 'Ready when `sh -c CMD`, run where the service runs, exits 0'
            cand --ready-timeout 'Give up (exit 124, with the log''s tail) when not ready after this long'
            cand --restart 'When to restart the command after it exits'
            cand --restart-limit 'Give up after this many restarts in a row (with backoff 0.1 s, 0.2 s, … up to 10 s)'
            cand --name 'A name for the service (shown by ls; usable instead of the ID)'
            cand --owner 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource'
            cand --ttl 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --private-tmp 'A private temporary directory as TMPDIR (and as /tmp in the mount namespace), removed afterwards'
            cand --pid-namespace 'Run in fresh PID and mount namespaces with an own /proc (as root, or as any user through a user namespace where the kernel allows): the kernel itself ends the whole tree with ptest-proc. Costs about 0.6 ms more per run; without it the tree is tracked and killed all the same'
            cand --no-new-privileges 'Forbid gaining privileges through set-user-ID programs or file capabilities'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-proc;stop'= {
            cand --grace 'grace'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-proc;status'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-proc;ls'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-proc;logs'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand -f 'Keep printing what the service writes, until it is gone'
            cand --follow 'Keep printing what the service writes, until it is gone'
            cand --stderr 'stderr'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-proc;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-proc;gc'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-proc;doctor'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-proc;__supervise'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
    ]
    $completions[$command]
}
