
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ptest-port' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ptest-port'
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
        'ptest-port' {
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
        'ptest-port;lease' {
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
        'ptest-port;release' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-port;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-port;ls' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-port;gc' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-port;check' {
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
