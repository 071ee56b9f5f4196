
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ptest-proc' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ptest-proc'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'ptest-proc' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a command in the foreground inside the stream''s environment')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Start a supervised background service; return when it is ready')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop services: SIGTERM to the whole tree, then SIGKILL after --grace')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show a service''s state (exit 0 when running, 3 when not)')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List services and running commands')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print a service''s output (stdout, or stderr with --stderr)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Stop and forget services (IDs, or `proc` records on stdin, as `ptest down` calls it)')
            [CompletionResult]::new('gc', 'gc', [CompletionResultType]::ParameterValue, 'Stop services whose owner exited or whose --ttl passed; clean up after killed supervisors')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check cgroups (each controller ptest uses) and network and user namespaces')
            [CompletionResult]::new('__supervise', '__supervise', [CompletionResultType]::ParameterValue, 'The supervisor of a service (started by `start`)')
            break
        }
        'ptest-proc;run' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Set a variable (repeatable); applied after the stream''s and --env-file''s')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Set a variable (repeatable); applied after the stream''s and --env-file''s')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read variables from a file of KEY=VALUE lines (repeatable)')
            [CompletionResult]::new('--cwd', '--cwd', [CompletionResultType]::ParameterName, 'Working directory of the command')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop the whole tree after this long (SIGTERM, then SIGKILL after --kill-after); exit 124')
            [CompletionResult]::new('--kill-after', '--kill-after', [CompletionResultType]::ParameterName, 'Grace between SIGTERM and SIGKILL when stopping the tree')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Memory limit of the whole tree, e.g. 512M, 2G (a cgroup; else RLIMIT_AS per process)')
            [CompletionResult]::new('--cpus', '--cpus', [CompletionResultType]::ParameterName, 'CPU limit of the whole tree, in CPUs, e.g. 0.5 or 2 (needs a cgroup)')
            [CompletionResult]::new('--pids', '--pids', [CompletionResultType]::ParameterName, 'Limit on the number of processes and threads of the tree (a cgroup; else RLIMIT_NPROC)')
            [CompletionResult]::new('--rlimit', '--rlimit', [CompletionResultType]::ParameterName, 'Set a resource limit, NAME=VALUE or NAME=SOFT:HARD (NOFILE, NPROC, CORE, AS, CPU, FSIZE, DATA, STACK, MEMLOCK…; `unlimited`)')
            [CompletionResult]::new('--net', '--net', [CompletionResultType]::ParameterName, 'Network: the host''s, or none (a fresh namespace with only loopback)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Run as this user: NAME, UID or UID:GID (needs root)')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Bind 127.0.0.1:PORT here and pass the listening socket to the command (systemd socket activation: LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES); NAME alone takes the port of the lease named NAME in the stream')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Write the `proc` record to FILE, whatever the output mode')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--private-tmp', '--private-tmp', [CompletionResultType]::ParameterName, 'A private temporary directory as TMPDIR (and as /tmp in the mount namespace), removed afterwards')
            [CompletionResult]::new('--pid-namespace', '--pid-namespace', [CompletionResultType]::ParameterName, 'Run in fresh PID and mount namespaces with an own /proc (as root, or as any user through a user namespace where the kernel allows): the kernel itself ends the whole tree with ptest-proc. Costs about 0.6 ms more per run; without it the tree is tracked and killed all the same')
            [CompletionResult]::new('--no-new-privileges', '--no-new-privileges', [CompletionResultType]::ParameterName, 'Forbid gaining privileges through set-user-ID programs or file capabilities')
            [CompletionResult]::new('--rm', '--rm', [CompletionResultType]::ParameterName, 'Afterwards, tear down every resource of the stream on stdin (newest first), whatever the outcome')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-proc;start' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Set a variable (repeatable); applied after the stream''s and --env-file''s')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Set a variable (repeatable); applied after the stream''s and --env-file''s')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read variables from a file of KEY=VALUE lines (repeatable)')
            [CompletionResult]::new('--cwd', '--cwd', [CompletionResultType]::ParameterName, 'Working directory of the command')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Stop the whole tree after this long (SIGTERM, then SIGKILL after --kill-after); exit 124')
            [CompletionResult]::new('--kill-after', '--kill-after', [CompletionResultType]::ParameterName, 'Grace between SIGTERM and SIGKILL when stopping the tree')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Memory limit of the whole tree, e.g. 512M, 2G (a cgroup; else RLIMIT_AS per process)')
            [CompletionResult]::new('--cpus', '--cpus', [CompletionResultType]::ParameterName, 'CPU limit of the whole tree, in CPUs, e.g. 0.5 or 2 (needs a cgroup)')
            [CompletionResult]::new('--pids', '--pids', [CompletionResultType]::ParameterName, 'Limit on the number of processes and threads of the tree (a cgroup; else RLIMIT_NPROC)')
            [CompletionResult]::new('--rlimit', '--rlimit', [CompletionResultType]::ParameterName, 'Set a resource limit, NAME=VALUE or NAME=SOFT:HARD (NOFILE, NPROC, CORE, AS, CPU, FSIZE, DATA, STACK, MEMLOCK…; `unlimited`)')
            [CompletionResult]::new('--net', '--net', [CompletionResultType]::ParameterName, 'Network: the host''s, or none (a fresh namespace with only loopback)')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'Run as this user: NAME, UID or UID:GID (needs root)')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Bind 127.0.0.1:PORT here and pass the listening socket to the command (systemd socket activation: LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES); NAME alone takes the port of the lease named NAME in the stream')
            [CompletionResult]::new('--ready-port', '--ready-port', [CompletionResultType]::ParameterName, 'Ready when the service accepts TCP connections on PORT (the port it listens on) or on the port lease NAME of the stream')
            [CompletionResult]::new('--ready-log', '--ready-log', [CompletionResultType]::ParameterName, 'Ready when a complete line of the service''s output matches REGEX')
            [CompletionResult]::new('--ready-http', '--ready-http', [CompletionResultType]::ParameterName, 'Ready when GET answers 2xx or 3xx: a URL (http://127.0.0.1:8080/health), or [PORT|NAME:]PATH on the service''s port')
            [CompletionResult]::new('--ready-cmd', '--ready-cmd', [CompletionResultType]::ParameterName, 'Ready when `sh -c CMD`, run where the service runs, exits 0')
            [CompletionResult]::new('--ready-timeout', '--ready-timeout', [CompletionResultType]::ParameterName, 'Give up (exit 124, with the log''s tail) when not ready after this long')
            [CompletionResult]::new('--restart', '--restart', [CompletionResultType]::ParameterName, 'When to restart the command after it exits')
            [CompletionResult]::new('--restart-limit', '--restart-limit', [CompletionResultType]::ParameterName, 'Give up after this many restarts in a row (with backoff 0.1 s, 0.2 s, … up to 10 s)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name for the service (shown by ls; usable instead of the ID)')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--private-tmp', '--private-tmp', [CompletionResultType]::ParameterName, 'A private temporary directory as TMPDIR (and as /tmp in the mount namespace), removed afterwards')
            [CompletionResult]::new('--pid-namespace', '--pid-namespace', [CompletionResultType]::ParameterName, 'Run in fresh PID and mount namespaces with an own /proc (as root, or as any user through a user namespace where the kernel allows): the kernel itself ends the whole tree with ptest-proc. Costs about 0.6 ms more per run; without it the tree is tracked and killed all the same')
            [CompletionResult]::new('--no-new-privileges', '--no-new-privileges', [CompletionResultType]::ParameterName, 'Forbid gaining privileges through set-user-ID programs or file capabilities')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-proc;stop' {
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'grace')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-proc;status' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-proc;ls' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-proc;logs' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep printing what the service writes, until it is gone')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing what the service writes, until it is gone')
            [CompletionResult]::new('--stderr', '--stderr', [CompletionResultType]::ParameterName, 'stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-proc;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-proc;gc' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-proc;doctor' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-proc;__supervise' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
