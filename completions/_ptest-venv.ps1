
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ptest-venv' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ptest-venv'
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
        'ptest-venv' {
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
        'ptest-venv;create' {
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
        'ptest-venv;sync' {
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
        'ptest-venv;install' {
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
        'ptest-venv;uninstall' {
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'backend')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-venv;check' {
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
        'ptest-venv;freeze' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-venv;info' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-venv;ls' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-venv;rm' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-venv;gc' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-venv;doctor' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-venv;cache' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List templates: key, interpreter, requirements, size, last use')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Remove templates not used lately (environments cloned from them stay whole)')
            break
        }
        'ptest-venv;cache;ls' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-venv;cache;prune' {
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Remove those not used for this long')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Remove every template')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Write JSON records, and a failure as an `error` record at the end; same as --format json')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'ptest-venv;__purge' {
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
