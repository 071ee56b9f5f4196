
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ptest-docker' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ptest-docker'
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
        'ptest-docker' {
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
        'ptest-docker;create' {
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
        'ptest-docker;pool' {
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
        'ptest-docker;pool;create' {
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
        'ptest-docker;pool;ls' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-docker;pool;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-docker;network' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a network with a small subnet from ptest''s pool')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Remove networks (by id or name, or the records on stdin)')
            break
        }
        'ptest-docker;network;create' {
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
        'ptest-docker;network;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-docker;exec' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-docker;logs' {
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
        'ptest-docker;cp' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-docker;stop' {
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'grace')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-docker;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-docker;ls' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-docker;inspect' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-docker;gc' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-docker;doctor' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-docker;commit' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'REPOSITORY[:TAG] for the image [default: ptest/<name>:<short id>]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-docker;image' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Import a root filesystem tarball as an image')
            break
        }
        'ptest-docker;image;import' {
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'REPOSITORY[:TAG]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-docker;__keep' {
            [CompletionResult]::new('--lock-fd', '--lock-fd', [CompletionResultType]::ParameterName, 'An inherited descriptor already holding the keeper''s lock')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-docker;__guard' {
            [CompletionResult]::new('--lock-fd', '--lock-fd', [CompletionResultType]::ParameterName, 'An inherited descriptor already holding the guardian''s lock')
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
