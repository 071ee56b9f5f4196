
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
    ]
    $completions[$command]
}
