
use builtin;
use str;

set edit:completion:arg-completer[ptest] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'ptest'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'ptest'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --list 'List built-in commands, tools and plugins (with -v, their paths)'
            cand -v 'With --list, show where each tool was found'
            cand --verbose 'With --list, show where each tool was found'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand ls 'List the live resources of every tool (the registry)'
            cand gc 'Remove resources whose owner has exited or whose lease has expired'
            cand down 'Tear down every resource of a record stream on stdin, newest first'
            cand config 'Print the effective configuration and where each value came from'
            cand doctor 'Check what this machine offers the suite (Python, uv, Docker, cgroups, namespaces)'
            cand completions 'Print shell completions for ptest'
            cand help 'Show help for a command or tool (`ptest help port` runs `ptest-port --help`)'
            cand registry 'Record resources in the registry, or forget them (for plugins)'
            cand port 'Conflict-free port leases across concurrent processes'
            cand proc 'Run and supervise commands with limits and no orphans'
            cand venv 'Python virtual environments in milliseconds, cached, cloned and checked'
            cand docker 'Isolated container environments that are ready fast and never leak'
            cand mon 'What a test run really cost: samples, thresholds and summaries'
            cand snap 'Snapshots of directories, venvs and containers: stored once, restored atomically, reset by what changed'
        }
        &'ptest;ls'= {
            cand --kind 'Only resources of this kind (port, venv, container, …)'
            cand --tool 'Only resources managed by this tool (port or ptest-port)'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --stale 'Only resources `ptest gc` would remove (owner dead or expired)'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;gc'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --dry-run 'Show the registered resources that would be removed, remove nothing'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;down'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;config'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;doctor'= {
            cand --timeout 'How long each tool may take to check before it is a finding'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;completions'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;help'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;registry'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand add 'Record the resources of a stream on stdin (passed through to stdout)'
            cand rm 'Forget resources by ID (does not remove the resources themselves)'
        }
        &'ptest;registry;add'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;registry;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;port'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand lease 'Lease free ports: one `port` record each, after the stream on stdin'
            cand release 'End leases, by id or port number, or the `port` records on stdin'
            cand rm 'End leases, by id or port number, or the `port` records on stdin'
            cand ls 'List leases with their state (live, owner-dead, expired)'
            cand gc 'End leases whose owner has exited or whose --ttl has passed'
            cand check 'Tell whether ports are free, leased (by whom) or bound (by which process)'
        }
        &'ptest;port;lease'= {
            cand -n 'How many ports (default: one, or one per --name)'
            cand --count 'How many ports (default: one, or one per --name)'
            cand --name 'Name a lease (repeatable): gives PTEST_PORT_<NAME>'
            cand --proto 'Protocols the port must be free for'
            cand --range 'Draw from LOW-HIGH instead of [port] range (default 20000-29999 less the ephemeral range)'
            cand --owner 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource'
            cand --ttl 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;port;release'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;port;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;port;ls'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;port;gc'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;port;check'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;proc'= {
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
        &'ptest;proc;run'= {
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
        &'ptest;proc;start'= {
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
        &'ptest;proc;stop'= {
            cand --grace 'grace'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;proc;status'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;proc;ls'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;proc;logs'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand -f 'Keep printing what the service writes, until it is gone'
            cand --follow 'Keep printing what the service writes, until it is gone'
            cand --stderr 'stderr'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;proc;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;proc;gc'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;proc;doctor'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;proc;__supervise'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;venv'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Make an environment; with packages, a clone of a cached template'
            cand sync 'Bring an environment to its requirements, installing only the difference'
            cand install 'Install packages into an environment (only those not yet satisfied)'
            cand uninstall 'Remove distributions from an environment'
            cand check 'Find conflicts: among requirement lines, or among what is installed'
            cand freeze 'Print what is installed, as `name==version` lines (`package` records with --json)'
            cand info 'Show an environment: interpreter, backend, template, packages'
            cand ls 'List the environments ptest made'
            cand rm 'Remove environments (by id, name or path, or the `venv` records on stdin)'
            cand gc 'Remove environments whose owner has exited or whose --ttl has passed, and empty the trash'
            cand doctor 'Check the interpreter `create` uses (venv.python), its pip, and uv (venv.uv)'
            cand cache 'The template cache: list or prune'
            cand __purge 'Deletes directories in the background (internal)'
        }
        &'ptest;venv;create'= {
            cand --python 'Interpreter: a name on PATH (python3.12), a version (3.12) or a path [default: [venv] python]'
            cand -r 'A requirements file (repeatable); `-r`/`-c` includes inside are followed'
            cand --requirement 'A requirements file (repeatable); `-r`/`-c` includes inside are followed'
            cand -c 'A constraints file (repeatable): versions to hold to, not installed by themselves'
            cand --constraint 'A constraints file (repeatable): versions to hold to, not installed by themselves'
            cand --backend 'Installer [default: [venv] backend]'
            cand --index-url 'Base URL of the package index (PEP 503)'
            cand --extra-index-url 'A further index to search (repeatable)'
            cand -f 'A directory of wheels or an HTML page of links to search (repeatable)'
            cand --find-links 'A directory of wheels or an HTML page of links to search (repeatable)'
            cand --dir 'Where to make it (must not exist, or be empty) [default: the state directory''s venvs/ID]'
            cand --name 'A name to refer to it by (ls, sync, rm…)'
            cand --link-mode 'How files come from the template [default: [venv] link-mode]'
            cand --owner 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource'
            cand --ttl 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --no-index 'Use no index: only --find-links'
            cand --no-cache 'Install straight into the environment: no template is used or made'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;venv;sync'= {
            cand -r 'A requirements file (repeatable); `-r`/`-c` includes inside are followed'
            cand --requirement 'A requirements file (repeatable); `-r`/`-c` includes inside are followed'
            cand -c 'A constraints file (repeatable): versions to hold to, not installed by themselves'
            cand --constraint 'A constraints file (repeatable): versions to hold to, not installed by themselves'
            cand --python 'Interpreter to rebuild with when it differs [default: the environment''s]'
            cand --backend 'backend'
            cand --index-url 'Base URL of the package index (PEP 503)'
            cand --extra-index-url 'A further index to search (repeatable)'
            cand -f 'A directory of wheels or an HTML page of links to search (repeatable)'
            cand --find-links 'A directory of wheels or an HTML page of links to search (repeatable)'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --exact 'Also remove distributions the requirements do not need'
            cand --no-index 'Use no index: only --find-links'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;venv;install'= {
            cand -r 'A requirements file (repeatable); `-r`/`-c` includes inside are followed'
            cand --requirement 'A requirements file (repeatable); `-r`/`-c` includes inside are followed'
            cand -c 'A constraints file (repeatable): versions to hold to, not installed by themselves'
            cand --constraint 'A constraints file (repeatable): versions to hold to, not installed by themselves'
            cand --backend 'backend'
            cand --index-url 'Base URL of the package index (PEP 503)'
            cand --extra-index-url 'A further index to search (repeatable)'
            cand -f 'A directory of wheels or an HTML page of links to search (repeatable)'
            cand --find-links 'A directory of wheels or an HTML page of links to search (repeatable)'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --no-index 'Use no index: only --find-links'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;venv;uninstall'= {
            cand --backend 'backend'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;venv;check'= {
            cand -r 'Requirement files to check before installing (repeatable)'
            cand --requirement 'Requirement files to check before installing (repeatable)'
            cand -c 'Constraints files to check with them (repeatable)'
            cand --constraint 'Constraints files to check with them (repeatable)'
            cand --python 'Interpreter whose markers apply to -r [default: [venv] python]'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;venv;freeze'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;venv;info'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;venv;ls'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;venv;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;venv;gc'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;venv;doctor'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;venv;cache'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand ls 'List templates: key, interpreter, requirements, size, last use'
            cand prune 'Remove templates not used lately (environments cloned from them stay whole)'
        }
        &'ptest;venv;cache;ls'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;venv;cache;prune'= {
            cand --older-than 'Remove those not used for this long'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --all 'Remove every template'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;venv;__purge'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker'= {
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
        &'ptest;docker;create'= {
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
        &'ptest;docker;pool'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand create 'Keep N containers of one spec started and ready for creates to take'
            cand ls 'List pools: size, ready containers, keeper, spec hash'
            cand rm 'Remove pools (by name or id, or the records on stdin) and their ready containers'
        }
        &'ptest;docker;pool;create'= {
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
        &'ptest;docker;pool;ls'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker;pool;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker;network'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand create 'Create a network with a small subnet from ptest''s pool'
            cand rm 'Remove networks (by id or name, or the records on stdin)'
        }
        &'ptest;docker;network;create'= {
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
        &'ptest;docker;network;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker;exec'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker;logs'= {
            cand --tail 'Only the last N lines'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand -f 'Keep printing new lines until the container stops'
            cand --follow 'Keep printing new lines until the container stops'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker;cp'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker;stop'= {
            cand --grace 'grace'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker;ls'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker;inspect'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker;gc'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker;doctor'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker;commit'= {
            cand --tag 'REPOSITORY[:TAG] for the image [default: ptest/<name>:<short id>]'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker;image'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand import 'Import a root filesystem tarball as an image'
        }
        &'ptest;docker;image;import'= {
            cand --tag 'REPOSITORY[:TAG]'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker;__keep'= {
            cand --lock-fd 'An inherited descriptor already holding the keeper''s lock'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;docker;__guard'= {
            cand --lock-fd 'An inherited descriptor already holding the guardian''s lock'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;mon'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand run 'Run a command and measure its whole process tree, like `time -v`'
            cand watch 'Sample the resources named on stdin (services, containers), pids and the host'
            cand report 'Summarise sample files: tables, an SVG timeline, growth against a baseline'
            cand ls 'List monitored runs (running, or keeping logs) with their state'
            cand rm 'Forget monitored runs: remove their cgroup and logs (ids, or `mon` records on stdin)'
            cand gc 'Clean up after runs whose monitor died (cgroups, logs)'
            cand doctor 'Check what can be measured here: cgroups, /proc, PSI, the engine'
        }
        &'ptest;mon;run'= {
            cand --interval 'How often to sample'
            cand --out 'Write the records (samples, thresholds, summary) to FILE as well'
            cand -e 'Set a variable (repeatable); applied after the stream''s'
            cand --env 'Set a variable (repeatable); applied after the stream''s'
            cand --cwd 'Working directory of the command'
            cand --max-memory 'Memory the tree may reach, e.g. 512M, 2G'
            cand --max-cpu 'CPU the tree may use, in percent of one CPU (150: one and a half), averaged over --cpu-window'
            cand --cpu-window 'The window --max-cpu averages over'
            cand --max-procs 'Processes the tree may hold at once'
            cand --max-duration 'How long it may run'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --no-cgroup 'Follow the tree through /proc even where a cgroup could be made'
            cand --kill 'End what crossed a threshold (exit 125, naming the threshold on stderr), not only report it'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;mon;watch'= {
            cand --interval 'How often to sample'
            cand --duration 'Stop after this long'
            cand --pid 'Watch this process and its descendants too (repeatable)'
            cand --out 'Write the records to FILE as well'
            cand --max-memory 'Memory the tree may reach, e.g. 512M, 2G'
            cand --max-cpu 'CPU the tree may use, in percent of one CPU (150: one and a half), averaged over --cpu-window'
            cand --cpu-window 'The window --max-cpu averages over'
            cand --max-procs 'Processes the tree may hold at once'
            cand --max-duration 'How long it may run'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --until-exit 'Stop when every watched resource is gone'
            cand --no-host 'Leave the host out'
            cand --kill 'End what crossed a threshold (exit 125, naming the threshold on stderr), not only report it'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;mon;report'= {
            cand --svg 'Draw the timeline as SVG into OUT'
            cand --baseline 'Compare with this earlier run''s sample file'
            cand --grow 'List metrics that grew by more than RATIO against the baseline'
            cand --fail-over 'Exit 1 when a metric grew by more than RATIO against the baseline'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;mon;ls'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;mon;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;mon;gc'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;mon;doctor'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;snap'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Snapshot a directory, a venv or a container: a `snapshot` record, after the stream on stdin'
            cand restore 'Put a snapshot''s exact tree at its source, or at --to, atomically'
            cand reset 'Put the snapshot''s source back, touching only what changed'
            cand diff 'Paths added, removed and changed between two snapshots, or a snapshot and a directory'
            cand ls 'List snapshots and overlay mounts'
            cand rm 'Remove snapshots and overlay mounts by id, or their records on stdin'
            cand inspect 'Show a snapshot''s record and what it holds'
            cand verify 'Rehash every object of a snapshot; 65 naming the first corrupt one'
            cand gc 'Remove snapshots whose owner died or whose --ttl passed, then unreferenced objects'
            cand doctor 'Check what snapshots need from this machine'
            cand export 'Write a snapshot as one zstd-compressed archive to stdout'
            cand import 'Read an archive from stdin, verify it whole, and register its snapshot'
        }
        &'ptest;snap;create'= {
            cand --venv 'A ptest venv, by id: restored in place or as a new venv elsewhere'
            cand --container 'A ptest container, by id: its filesystem and every volume''s data'
            cand --name 'A name for people (shown by ls)'
            cand --exclude 'Leave out paths matching GLOB (repeatable): `*.pyc`, `build/**`'
            cand --owner 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource'
            cand --ttl 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --all 'Every venv and container of the record stream on stdin'
            cand --overlay 'Also make the read-only lower layer `--mode overlay` mounts, now rather than at first use'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;snap;restore'= {
            cand --to 'Where to restore it (default: where it was taken)'
            cand --mode 'copy: an independent tree; overlay: a mount over the snapshot, the same cost for any size'
            cand --owner 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource'
            cand --ttl 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;snap;reset'= {
            cand --mode 'copy: rewrite what changed; overlay: a fresh upper layer over the snapshot'
            cand --owner 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource'
            cand --ttl 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;snap;diff'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;snap;ls'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;snap;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;snap;inspect'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --entries 'Every entry of the tree, too'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;snap;verify'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --all 'Report every corrupt object, not only the first'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;snap;gc'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;snap;doctor'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;snap;export'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest;snap;import'= {
            cand --name 'A name for people'
            cand --owner 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource'
            cand --ttl 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
    ]
    $completions[$command]
}
