
use builtin;
use str;

set edit:completion:arg-completer[ptest-venv] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'ptest-venv'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'ptest-venv'= {
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
        &'ptest-venv;create'= {
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
        &'ptest-venv;sync'= {
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
        &'ptest-venv;install'= {
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
        &'ptest-venv;uninstall'= {
            cand --backend 'backend'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-venv;check'= {
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
        &'ptest-venv;freeze'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-venv;info'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-venv;ls'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-venv;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-venv;gc'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-venv;doctor'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-venv;cache'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand ls 'List templates: key, interpreter, requirements, size, last use'
            cand prune 'Remove templates not used lately (environments cloned from them stay whole)'
        }
        &'ptest-venv;cache;ls'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-venv;cache;prune'= {
            cand --older-than 'Remove those not used for this long'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --all 'Remove every template'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-venv;__purge'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
    ]
    $completions[$command]
}
