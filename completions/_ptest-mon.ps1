
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ptest-mon' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ptest-mon'
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
        'ptest-mon' {
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
        'ptest-mon;run' {
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
        'ptest-mon;watch' {
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
        'ptest-mon;report' {
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
        'ptest-mon;ls' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-mon;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-mon;gc' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-mon;doctor' {
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
