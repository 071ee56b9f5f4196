
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
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
