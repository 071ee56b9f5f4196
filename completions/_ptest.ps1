
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ptest' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ptest'
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
        'ptest' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List built-in commands, tools and plugins (with -v, their paths)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'With --list, show where each tool was found')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'With --list, show where each tool was found')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the live resources of every tool (the registry)')
            [CompletionResult]::new('gc', 'gc', [CompletionResultType]::ParameterValue, 'Remove resources whose owner has exited or whose lease has expired')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Tear down every resource of a record stream on stdin, newest first')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Print the effective configuration and where each value came from')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check what this machine offers the suite (Python, uv, Docker, cgroups, namespaces)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions for ptest')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Show help for a command or tool (`ptest help port` runs `ptest-port --help`)')
            [CompletionResult]::new('registry', 'registry', [CompletionResultType]::ParameterValue, 'Record resources in the registry, or forget them (for plugins)')
            [CompletionResult]::new('port', 'port', [CompletionResultType]::ParameterValue, 'Conflict-free port leases across concurrent processes')
            [CompletionResult]::new('proc', 'proc', [CompletionResultType]::ParameterValue, 'Run and supervise commands with limits and no orphans')
            [CompletionResult]::new('venv', 'venv', [CompletionResultType]::ParameterValue, 'Python virtual environments in milliseconds, cached, cloned and checked')
            [CompletionResult]::new('docker', 'docker', [CompletionResultType]::ParameterValue, 'Isolated container environments that are ready fast and never leak')
            [CompletionResult]::new('mon', 'mon', [CompletionResultType]::ParameterValue, 'What a test run really cost: samples, thresholds and summaries')
            [CompletionResult]::new('snap', 'snap', [CompletionResultType]::ParameterValue, 'Snapshots of directories, venvs and containers: stored once, restored atomically, reset by what changed')
            break
        }
        'ptest;ls' {
            [CompletionResult]::new('--kind', '--kind', [CompletionResultType]::ParameterName, 'Only resources of this kind (port, venv, container, …)')
            [CompletionResult]::new('--tool', '--tool', [CompletionResultType]::ParameterName, 'Only resources managed by this tool (port or ptest-port)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--stale', '--stale', [CompletionResultType]::ParameterName, 'Only resources `ptest gc` would remove (owner dead or expired)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;gc' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the registered resources that would be removed, remove nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;down' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;config' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;doctor' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long each tool may take to check before it is a finding')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;completions' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;help' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;registry' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Record the resources of a stream on stdin (passed through to stdout)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Forget resources by ID (does not remove the resources themselves)')
            break
        }
        'ptest;registry;add' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;registry;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;port' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('lease', 'lease', [CompletionResultType]::ParameterValue, 'Lease free ports: one `port` record each, after the stream on stdin')
            [CompletionResult]::new('release', 'release', [CompletionResultType]::ParameterValue, 'End leases, by id or port number, or the `port` records on stdin')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'End leases, by id or port number, or the `port` records on stdin')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List leases with their state (live, owner-dead, expired)')
            [CompletionResult]::new('gc', 'gc', [CompletionResultType]::ParameterValue, 'End leases whose owner has exited or whose --ttl has passed')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Tell whether ports are free, leased (by whom) or bound (by which process)')
            break
        }
        'ptest;port;lease' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many ports (default: one, or one per --name)')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many ports (default: one, or one per --name)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Name a lease (repeatable): gives PTEST_PORT_<NAME>')
            [CompletionResult]::new('--proto', '--proto', [CompletionResultType]::ParameterName, 'Protocols the port must be free for')
            [CompletionResult]::new('--range', '--range', [CompletionResultType]::ParameterName, 'Draw from LOW-HIGH instead of [port] range (default 20000-29999 less the ephemeral range)')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;port;release' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;port;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;port;ls' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;port;gc' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;port;check' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;proc' {
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
        'ptest;proc;run' {
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
        'ptest;proc;start' {
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
        'ptest;proc;stop' {
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'grace')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;proc;status' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;proc;ls' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;proc;logs' {
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
        'ptest;proc;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;proc;gc' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;proc;doctor' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;proc;__supervise' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;venv' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Make an environment; with packages, a clone of a cached template')
            [CompletionResult]::new('sync', 'sync', [CompletionResultType]::ParameterValue, 'Bring an environment to its requirements, installing only the difference')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install packages into an environment (only those not yet satisfied)')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove distributions from an environment')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Find conflicts: among requirement lines, or among what is installed')
            [CompletionResult]::new('freeze', 'freeze', [CompletionResultType]::ParameterValue, 'Print what is installed, as `name==version` lines (`package` records with --json)')
            [CompletionResult]::new('info', 'info', [CompletionResultType]::ParameterValue, 'Show an environment: interpreter, backend, template, packages')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the environments ptest made')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove environments (by id, name or path, or the `venv` records on stdin)')
            [CompletionResult]::new('gc', 'gc', [CompletionResultType]::ParameterValue, 'Remove environments whose owner has exited or whose --ttl has passed, and empty the trash')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the interpreter `create` uses (venv.python), its pip, and uv (venv.uv)')
            [CompletionResult]::new('cache', 'cache', [CompletionResultType]::ParameterValue, 'The template cache: list or prune')
            [CompletionResult]::new('__purge', '__purge', [CompletionResultType]::ParameterValue, 'Deletes directories in the background (internal)')
            break
        }
        'ptest;venv;create' {
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'Interpreter: a name on PATH (python3.12), a version (3.12) or a path [default: [venv] python]')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'A requirements file (repeatable); `-r`/`-c` includes inside are followed')
            [CompletionResult]::new('--requirement', '--requirement', [CompletionResultType]::ParameterName, 'A requirements file (repeatable); `-r`/`-c` includes inside are followed')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'A constraints file (repeatable): versions to hold to, not installed by themselves')
            [CompletionResult]::new('--constraint', '--constraint', [CompletionResultType]::ParameterName, 'A constraints file (repeatable): versions to hold to, not installed by themselves')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Installer [default: [venv] backend]')
            [CompletionResult]::new('--index-url', '--index-url', [CompletionResultType]::ParameterName, 'Base URL of the package index (PEP 503)')
            [CompletionResult]::new('--extra-index-url', '--extra-index-url', [CompletionResultType]::ParameterName, 'A further index to search (repeatable)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A directory of wheels or an HTML page of links to search (repeatable)')
            [CompletionResult]::new('--find-links', '--find-links', [CompletionResultType]::ParameterName, 'A directory of wheels or an HTML page of links to search (repeatable)')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Where to make it (must not exist, or be empty) [default: the state directory''s venvs/ID]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name to refer to it by (ls, sync, rm…)')
            [CompletionResult]::new('--link-mode', '--link-mode', [CompletionResultType]::ParameterName, 'How files come from the template [default: [venv] link-mode]')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--no-index', '--no-index', [CompletionResultType]::ParameterName, 'Use no index: only --find-links')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Install straight into the environment: no template is used or made')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;venv;sync' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'A requirements file (repeatable); `-r`/`-c` includes inside are followed')
            [CompletionResult]::new('--requirement', '--requirement', [CompletionResultType]::ParameterName, 'A requirements file (repeatable); `-r`/`-c` includes inside are followed')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'A constraints file (repeatable): versions to hold to, not installed by themselves')
            [CompletionResult]::new('--constraint', '--constraint', [CompletionResultType]::ParameterName, 'A constraints file (repeatable): versions to hold to, not installed by themselves')
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'Interpreter to rebuild with when it differs [default: the environment''s]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'backend')
            [CompletionResult]::new('--index-url', '--index-url', [CompletionResultType]::ParameterName, 'Base URL of the package index (PEP 503)')
            [CompletionResult]::new('--extra-index-url', '--extra-index-url', [CompletionResultType]::ParameterName, 'A further index to search (repeatable)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A directory of wheels or an HTML page of links to search (repeatable)')
            [CompletionResult]::new('--find-links', '--find-links', [CompletionResultType]::ParameterName, 'A directory of wheels or an HTML page of links to search (repeatable)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--exact', '--exact', [CompletionResultType]::ParameterName, 'Also remove distributions the requirements do not need')
            [CompletionResult]::new('--no-index', '--no-index', [CompletionResultType]::ParameterName, 'Use no index: only --find-links')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;venv;install' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'A requirements file (repeatable); `-r`/`-c` includes inside are followed')
            [CompletionResult]::new('--requirement', '--requirement', [CompletionResultType]::ParameterName, 'A requirements file (repeatable); `-r`/`-c` includes inside are followed')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'A constraints file (repeatable): versions to hold to, not installed by themselves')
            [CompletionResult]::new('--constraint', '--constraint', [CompletionResultType]::ParameterName, 'A constraints file (repeatable): versions to hold to, not installed by themselves')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'backend')
            [CompletionResult]::new('--index-url', '--index-url', [CompletionResultType]::ParameterName, 'Base URL of the package index (PEP 503)')
            [CompletionResult]::new('--extra-index-url', '--extra-index-url', [CompletionResultType]::ParameterName, 'A further index to search (repeatable)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A directory of wheels or an HTML page of links to search (repeatable)')
            [CompletionResult]::new('--find-links', '--find-links', [CompletionResultType]::ParameterName, 'A directory of wheels or an HTML page of links to search (repeatable)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--no-index', '--no-index', [CompletionResultType]::ParameterName, 'Use no index: only --find-links')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;venv;uninstall' {
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'backend')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;venv;check' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Requirement files to check before installing (repeatable)')
            [CompletionResult]::new('--requirement', '--requirement', [CompletionResultType]::ParameterName, 'Requirement files to check before installing (repeatable)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Constraints files to check with them (repeatable)')
            [CompletionResult]::new('--constraint', '--constraint', [CompletionResultType]::ParameterName, 'Constraints files to check with them (repeatable)')
            [CompletionResult]::new('--python', '--python', [CompletionResultType]::ParameterName, 'Interpreter whose markers apply to -r [default: [venv] python]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;venv;freeze' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;venv;info' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;venv;ls' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;venv;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;venv;gc' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;venv;doctor' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;venv;cache' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List templates: key, interpreter, requirements, size, last use')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Remove templates not used lately (environments cloned from them stay whole)')
            break
        }
        'ptest;venv;cache;ls' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;venv;cache;prune' {
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Remove those not used for this long')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Remove every template')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;venv;__purge' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create containers, start them and return when they are ready')
            [CompletionResult]::new('pool', 'pool', [CompletionResultType]::ParameterValue, 'Pools of ready containers that creates take from')
            [CompletionResult]::new('network', 'network', [CompletionResultType]::ParameterValue, 'Networks from ptest''s own subnet pool')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command in a container; its exit code is ours')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Print a container''s logs')
            [CompletionResult]::new('cp', 'cp', [CompletionResultType]::ParameterValue, 'Copy files into or out of a container: SRC DST, one of them CONTAINER:PATH')
            [CompletionResult]::new('stop', 'stop', [CompletionResultType]::ParameterValue, 'Stop containers (SIGTERM, then SIGKILL after --grace)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove containers and networks (by id or name, or the records on stdin)')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the containers and networks ptest made, with their state')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show what the engine says of a container or network')
            [CompletionResult]::new('gc', 'gc', [CompletionResultType]::ParameterValue, 'Remove labelled objects whose owner has exited or whose --ttl passed')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check whether a Docker engine answers, which, and its API version')
            [CompletionResult]::new('commit', 'commit', [CompletionResultType]::ParameterValue, 'Commit a container''s filesystem to an image (labelled for ptest)')
            [CompletionResult]::new('image', 'image', [CompletionResultType]::ParameterValue, 'Images: import a root filesystem tarball')
            [CompletionResult]::new('__keep', '__keep', [CompletionResultType]::ParameterValue, 'Keeps a pool full (internal)')
            [CompletionResult]::new('__guard', '__guard', [CompletionResultType]::ParameterValue, 'Watches an owner and removes its objects when it dies (internal)')
            break
        }
        'ptest;docker;create' {
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The image (imported or committed locally: nothing is pulled)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name: env variables are PTEST_<NAME>_HOST and PTEST_<NAME>_PORT_<CPORT> [default: the image''s]')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'An environment variable of the container (repeatable)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'An environment variable of the container (repeatable)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Publish a container port on 127.0.0.1: CPORT[/tcp|udp][=LEASE] takes the host port from the `port` record named LEASE on stdin (repeatable)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Publish a container port on 127.0.0.1: CPORT[/tcp|udp][=LEASE] takes the host port from the `port` record named LEASE on stdin (repeatable)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Mount a host path or named volume: SRC:DST[:ro] (repeatable)')
            [CompletionResult]::new('--volume', '--volume', [CompletionResultType]::ParameterName, 'Mount a host path or named volume: SRC:DST[:ro] (repeatable)')
            [CompletionResult]::new('--tmpfs', '--tmpfs', [CompletionResultType]::ParameterName, 'Mount a tmpfs at DST (repeatable)')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Memory limit (512M, 1G)')
            [CompletionResult]::new('--cpus', '--cpus', [CompletionResultType]::ParameterName, 'CPU limit, in CPUs (0.5, 2)')
            [CompletionResult]::new('--pids', '--pids', [CompletionResultType]::ParameterName, 'Process limit')
            [CompletionResult]::new('--network', '--network', [CompletionResultType]::ParameterName, 'none (no network), isolated (a private internal network: no egress, host unreachable), bridge, or a network name or id')
            [CompletionResult]::new('--ready-port', '--ready-port', [CompletionResultType]::ParameterName, 'Ready when the service accepts TCP connections on PORT (the port it listens on) or on the port lease NAME of the stream')
            [CompletionResult]::new('--ready-log', '--ready-log', [CompletionResultType]::ParameterName, 'Ready when a complete line of the service''s output matches REGEX')
            [CompletionResult]::new('--ready-http', '--ready-http', [CompletionResultType]::ParameterName, 'Ready when GET answers 2xx or 3xx: a URL (http://127.0.0.1:8080/health), or [PORT|NAME:]PATH on the service''s port')
            [CompletionResult]::new('--ready-cmd', '--ready-cmd', [CompletionResultType]::ParameterName, 'Ready when `sh -c CMD`, run where the service runs, exits 0')
            [CompletionResult]::new('--ready-timeout', '--ready-timeout', [CompletionResultType]::ParameterName, 'Give up (exit 124, with the log''s tail) when not ready after this long')
            [CompletionResult]::new('--security', '--security', [CompletionResultType]::ParameterName, 'strict: all capabilities dropped, no-new-privileges, read-only root with a tmpfs /tmp, user 65534, a pids limit')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many containers, created in parallel')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many containers, created in parallel')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)')
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'Take only from this pool (its spec must be this create''s); an empty pool still means a cold create [default: any live pool of exactly this spec]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--no-pool', '--no-pool', [CompletionResultType]::ParameterName, 'Never take from a pool: always make the container now')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;pool' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Keep N containers of one spec started and ready for creates to take')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List pools: size, ready containers, keeper, spec hash')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove pools (by name or id, or the records on stdin) and their ready containers')
            break
        }
        'ptest;docker;pool;create' {
            [CompletionResult]::new('--pool', '--pool', [CompletionResultType]::ParameterName, 'The pool''s name (`create --pool NAME` takes from it alone)')
            [CompletionResult]::new('--size', '--size', [CompletionResultType]::ParameterName, 'How many ready containers to keep (1-64)')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The image (imported or committed locally: nothing is pulled)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name: env variables are PTEST_<NAME>_HOST and PTEST_<NAME>_PORT_<CPORT> [default: the image''s]')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'An environment variable of the container (repeatable)')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'An environment variable of the container (repeatable)')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Publish a container port on 127.0.0.1: CPORT[/tcp|udp][=LEASE] takes the host port from the `port` record named LEASE on stdin (repeatable)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Publish a container port on 127.0.0.1: CPORT[/tcp|udp][=LEASE] takes the host port from the `port` record named LEASE on stdin (repeatable)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Mount a host path or named volume: SRC:DST[:ro] (repeatable)')
            [CompletionResult]::new('--volume', '--volume', [CompletionResultType]::ParameterName, 'Mount a host path or named volume: SRC:DST[:ro] (repeatable)')
            [CompletionResult]::new('--tmpfs', '--tmpfs', [CompletionResultType]::ParameterName, 'Mount a tmpfs at DST (repeatable)')
            [CompletionResult]::new('--memory', '--memory', [CompletionResultType]::ParameterName, 'Memory limit (512M, 1G)')
            [CompletionResult]::new('--cpus', '--cpus', [CompletionResultType]::ParameterName, 'CPU limit, in CPUs (0.5, 2)')
            [CompletionResult]::new('--pids', '--pids', [CompletionResultType]::ParameterName, 'Process limit')
            [CompletionResult]::new('--network', '--network', [CompletionResultType]::ParameterName, 'none (no network), isolated (a private internal network: no egress, host unreachable), bridge, or a network name or id')
            [CompletionResult]::new('--ready-port', '--ready-port', [CompletionResultType]::ParameterName, 'Ready when the service accepts TCP connections on PORT (the port it listens on) or on the port lease NAME of the stream')
            [CompletionResult]::new('--ready-log', '--ready-log', [CompletionResultType]::ParameterName, 'Ready when a complete line of the service''s output matches REGEX')
            [CompletionResult]::new('--ready-http', '--ready-http', [CompletionResultType]::ParameterName, 'Ready when GET answers 2xx or 3xx: a URL (http://127.0.0.1:8080/health), or [PORT|NAME:]PATH on the service''s port')
            [CompletionResult]::new('--ready-cmd', '--ready-cmd', [CompletionResultType]::ParameterName, 'Ready when `sh -c CMD`, run where the service runs, exits 0')
            [CompletionResult]::new('--ready-timeout', '--ready-timeout', [CompletionResultType]::ParameterName, 'Give up (exit 124, with the log''s tail) when not ready after this long')
            [CompletionResult]::new('--security', '--security', [CompletionResultType]::ParameterName, 'strict: all capabilities dropped, no-new-privileges, read-only root with a tmpfs /tmp, user 65534, a pids limit')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'How many containers, created in parallel')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'How many containers, created in parallel')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return at once, while the pool fills (creates meanwhile are cold)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;pool;ls' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;pool;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;network' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a network with a small subnet from ptest''s pool')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove networks (by id or name, or the records on stdin)')
            break
        }
        'ptest;docker;network;create' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name [default: ptest-<id>]')
            [CompletionResult]::new('--subnet', '--subnet', [CompletionResultType]::ParameterName, 'auto (from [docker] subnet-pool) or a CIDR')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--internal', '--internal', [CompletionResultType]::ParameterName, 'No route out of the network')
            [CompletionResult]::new('--isolated', '--isolated', [CompletionResultType]::ParameterName, 'Internal, and the host''s own services are unreachable from it too')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;network;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;exec' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;logs' {
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Only the last N lines')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep printing new lines until the container stops')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep printing new lines until the container stops')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;cp' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;stop' {
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'grace')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;ls' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;inspect' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;gc' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;doctor' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;commit' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'REPOSITORY[:TAG] for the image [default: ptest/<name>:<short id>]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;image' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import a root filesystem tarball as an image')
            break
        }
        'ptest;docker;image;import' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'REPOSITORY[:TAG]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;__keep' {
            [CompletionResult]::new('--lock-fd', '--lock-fd', [CompletionResultType]::ParameterName, 'An inherited descriptor already holding the keeper''s lock')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;docker;__guard' {
            [CompletionResult]::new('--lock-fd', '--lock-fd', [CompletionResultType]::ParameterName, 'An inherited descriptor already holding the guardian''s lock')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;mon' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('run', 'run', [CompletionResultType]::ParameterValue, 'Run a command and measure its whole process tree, like `time -v`')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Sample the resources named on stdin (services, containers), pids and the host')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Summarise sample files: tables, an SVG timeline, growth against a baseline')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List monitored runs (running, or keeping logs) with their state')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Forget monitored runs: remove their cgroup and logs (ids, or `mon` records on stdin)')
            [CompletionResult]::new('gc', 'gc', [CompletionResultType]::ParameterValue, 'Clean up after runs whose monitor died (cgroups, logs)')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check what can be measured here: cgroups, /proc, PSI, the engine')
            break
        }
        'ptest;mon;run' {
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'How often to sample')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the records (samples, thresholds, summary) to FILE as well')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'Set a variable (repeatable); applied after the stream''s')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Set a variable (repeatable); applied after the stream''s')
            [CompletionResult]::new('--cwd', '--cwd', [CompletionResultType]::ParameterName, 'Working directory of the command')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'Memory the tree may reach, e.g. 512M, 2G')
            [CompletionResult]::new('--max-cpu', '--max-cpu', [CompletionResultType]::ParameterName, 'CPU the tree may use, in percent of one CPU (150: one and a half), averaged over --cpu-window')
            [CompletionResult]::new('--cpu-window', '--cpu-window', [CompletionResultType]::ParameterName, 'The window --max-cpu averages over')
            [CompletionResult]::new('--max-procs', '--max-procs', [CompletionResultType]::ParameterName, 'Processes the tree may hold at once')
            [CompletionResult]::new('--max-duration', '--max-duration', [CompletionResultType]::ParameterName, 'How long it may run')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--no-cgroup', '--no-cgroup', [CompletionResultType]::ParameterName, 'Follow the tree through /proc even where a cgroup could be made')
            [CompletionResult]::new('--kill', '--kill', [CompletionResultType]::ParameterName, 'End what crossed a threshold (exit 125, naming the threshold on stderr), not only report it')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;mon;watch' {
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'How often to sample')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long')
            [CompletionResult]::new('--pid', '--pid', [CompletionResultType]::ParameterName, 'Watch this process and its descendants too (repeatable)')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Write the records to FILE as well')
            [CompletionResult]::new('--max-memory', '--max-memory', [CompletionResultType]::ParameterName, 'Memory the tree may reach, e.g. 512M, 2G')
            [CompletionResult]::new('--max-cpu', '--max-cpu', [CompletionResultType]::ParameterName, 'CPU the tree may use, in percent of one CPU (150: one and a half), averaged over --cpu-window')
            [CompletionResult]::new('--cpu-window', '--cpu-window', [CompletionResultType]::ParameterName, 'The window --max-cpu averages over')
            [CompletionResult]::new('--max-procs', '--max-procs', [CompletionResultType]::ParameterName, 'Processes the tree may hold at once')
            [CompletionResult]::new('--max-duration', '--max-duration', [CompletionResultType]::ParameterName, 'How long it may run')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--until-exit', '--until-exit', [CompletionResultType]::ParameterName, 'Stop when every watched resource is gone')
            [CompletionResult]::new('--no-host', '--no-host', [CompletionResultType]::ParameterName, 'Leave the host out')
            [CompletionResult]::new('--kill', '--kill', [CompletionResultType]::ParameterName, 'End what crossed a threshold (exit 125, naming the threshold on stderr), not only report it')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;mon;report' {
            [CompletionResult]::new('--svg', '--svg', [CompletionResultType]::ParameterName, 'Draw the timeline as SVG into OUT')
            [CompletionResult]::new('--baseline', '--baseline', [CompletionResultType]::ParameterName, 'Compare with this earlier run''s sample file')
            [CompletionResult]::new('--grow', '--grow', [CompletionResultType]::ParameterName, 'List metrics that grew by more than RATIO against the baseline')
            [CompletionResult]::new('--fail-over', '--fail-over', [CompletionResultType]::ParameterName, 'Exit 1 when a metric grew by more than RATIO against the baseline')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;mon;ls' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;mon;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;mon;gc' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;mon;doctor' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;snap' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Snapshot a directory, a venv or a container: a `snapshot` record, after the stream on stdin')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Put a snapshot''s exact tree at its source, or at --to, atomically')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Put the snapshot''s source back, touching only what changed')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Paths added, removed and changed between two snapshots, or a snapshot and a directory')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List snapshots and overlay mounts')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove snapshots and overlay mounts by id, or their records on stdin')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show a snapshot''s record and what it holds')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Rehash every object of a snapshot; 65 naming the first corrupt one')
            [CompletionResult]::new('gc', 'gc', [CompletionResultType]::ParameterValue, 'Remove snapshots whose owner died or whose --ttl passed, then unreferenced objects')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check what snapshots need from this machine')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a snapshot as one zstd-compressed archive to stdout')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Read an archive from stdin, verify it whole, and register its snapshot')
            break
        }
        'ptest;snap;create' {
            [CompletionResult]::new('--venv', '--venv', [CompletionResultType]::ParameterName, 'A ptest venv, by id: restored in place or as a new venv elsewhere')
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'A ptest container, by id: its filesystem and every volume''s data')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name for people (shown by ls)')
            [CompletionResult]::new('--exclude', '--exclude', [CompletionResultType]::ParameterName, 'Leave out paths matching GLOB (repeatable): `*.pyc`, `build/**`')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every venv and container of the record stream on stdin')
            [CompletionResult]::new('--overlay', '--overlay', [CompletionResultType]::ParameterName, 'Also make the read-only lower layer `--mode overlay` mounts, now rather than at first use')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;snap;restore' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Where to restore it (default: where it was taken)')
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'copy: an independent tree; overlay: a mount over the snapshot, the same cost for any size')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;snap;reset' {
            [CompletionResult]::new('--mode', '--mode', [CompletionResultType]::ParameterName, 'copy: rewrite what changed; overlay: a fresh upper layer over the snapshot')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;snap;diff' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;snap;ls' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;snap;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;snap;inspect' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--entries', '--entries', [CompletionResultType]::ParameterName, 'Every entry of the tree, too')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;snap;verify' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Report every corrupt object, not only the first')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;snap;gc' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;snap;doctor' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;snap;export' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest;snap;import' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name for people')
            [CompletionResult]::new('--owner', '--owner', [CompletionResultType]::ParameterName, 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource')
            [CompletionResult]::new('--ttl', '--ttl', [CompletionResultType]::ParameterName, 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)')
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
