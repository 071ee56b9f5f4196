# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ptest_venv_global_optspecs
    string join \n format= json config= h/help V/version
end

function __fish_ptest_venv_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ptest_venv_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ptest_venv_using_subcommand
    set -l cmd (__fish_ptest_venv_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -s V -l version -d 'Print version'
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -f -a "create" -d 'Make an environment; with packages, a clone of a cached template'
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -f -a "sync" -d 'Bring an environment to its requirements, installing only the difference'
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -f -a "install" -d 'Install packages into an environment (only those not yet satisfied)'
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -f -a "uninstall" -d 'Remove distributions from an environment'
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -f -a "check" -d 'Find conflicts: among requirement lines, or among what is installed'
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -f -a "freeze" -d 'Print what is installed, as `name==version` lines (`package` records with --json)'
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -f -a "info" -d 'Show an environment: interpreter, backend, template, packages'
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -f -a "ls" -d 'List the environments ptest made'
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -f -a "rm" -d 'Remove environments (by id, name or path, or the `venv` records on stdin)'
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -f -a "gc" -d 'Remove environments whose owner has exited or whose --ttl has passed, and empty the trash'
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -f -a "doctor" -d 'Check the interpreter `create` uses (venv.python), its pip, and uv (venv.uv)'
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -f -a "cache" -d 'The template cache: list or prune'
complete -c ptest-venv -n "__fish_ptest_venv_needs_command" -f -a "__purge" -d 'Deletes directories in the background (internal)'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -l python -d 'Interpreter: a name on PATH (python3.12), a version (3.12) or a path [default: [venv] python]' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -s r -l requirement -d 'A requirements file (repeatable); `-r`/`-c` includes inside are followed' -r -F
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -s c -l constraint -d 'A constraints file (repeatable): versions to hold to, not installed by themselves' -r -F
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -l backend -d 'Installer [default: [venv] backend]' -r -f -a "auto\t'uv when found, else pip'
uv\t''
pip\t''"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -l index-url -d 'Base URL of the package index (PEP 503)' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -l extra-index-url -d 'A further index to search (repeatable)' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -s f -l find-links -d 'A directory of wheels or an HTML page of links to search (repeatable)' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -l dir -d 'Where to make it (must not exist, or be empty) [default: the state directory\'s venvs/ID]' -r -F
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -l name -d 'A name to refer to it by (ls, sync, rm…)' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -l link-mode -d 'How files come from the template [default: [venv] link-mode]' -r -f -a "clone\t'Reflink (copy-on-write) where the filesystem can, else hard links'
hardlink\t'Hard links: fastest; files are shared (and read-only)'
copy\t'Full copies: independent, writable, slowest'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -l no-index -d 'Use no index: only --find-links'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -l no-cache -d 'Install straight into the environment: no template is used or made'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand sync" -s r -l requirement -d 'A requirements file (repeatable); `-r`/`-c` includes inside are followed' -r -F
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand sync" -s c -l constraint -d 'A constraints file (repeatable): versions to hold to, not installed by themselves' -r -F
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand sync" -l python -d 'Interpreter to rebuild with when it differs [default: the environment\'s]' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand sync" -l backend -r -f -a "auto\t'uv when found, else pip'
uv\t''
pip\t''"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand sync" -l index-url -d 'Base URL of the package index (PEP 503)' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand sync" -l extra-index-url -d 'A further index to search (repeatable)' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand sync" -s f -l find-links -d 'A directory of wheels or an HTML page of links to search (repeatable)' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand sync" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand sync" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand sync" -l exact -d 'Also remove distributions the requirements do not need'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand sync" -l no-index -d 'Use no index: only --find-links'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand sync" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand sync" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand install" -s r -l requirement -d 'A requirements file (repeatable); `-r`/`-c` includes inside are followed' -r -F
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand install" -s c -l constraint -d 'A constraints file (repeatable): versions to hold to, not installed by themselves' -r -F
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand install" -l backend -r -f -a "auto\t'uv when found, else pip'
uv\t''
pip\t''"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand install" -l index-url -d 'Base URL of the package index (PEP 503)' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand install" -l extra-index-url -d 'A further index to search (repeatable)' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand install" -s f -l find-links -d 'A directory of wheels or an HTML page of links to search (repeatable)' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand install" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand install" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand install" -l no-index -d 'Use no index: only --find-links'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand install" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand uninstall" -l backend -r -f -a "auto\t'uv when found, else pip'
uv\t''
pip\t''"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand uninstall" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand uninstall" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand uninstall" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand uninstall" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand check" -s r -l requirement -d 'Requirement files to check before installing (repeatable)' -r -F
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand check" -s c -l constraint -d 'Constraints files to check with them (repeatable)' -r -F
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand check" -l python -d 'Interpreter whose markers apply to -r [default: [venv] python]' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand check" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand check" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand check" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand freeze" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand freeze" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand freeze" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand freeze" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand info" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand info" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand info" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand info" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand ls" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand ls" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand ls" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand gc" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand gc" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand gc" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand gc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand doctor" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand doctor" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand doctor" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and not __fish_seen_subcommand_from ls prune" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and not __fish_seen_subcommand_from ls prune" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and not __fish_seen_subcommand_from ls prune" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and not __fish_seen_subcommand_from ls prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and not __fish_seen_subcommand_from ls prune" -f -a "ls" -d 'List templates: key, interpreter, requirements, size, last use'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and not __fish_seen_subcommand_from ls prune" -f -a "prune" -d 'Remove templates not used lately (environments cloned from them stay whole)'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and __fish_seen_subcommand_from ls" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and __fish_seen_subcommand_from ls" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and __fish_seen_subcommand_from ls" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and __fish_seen_subcommand_from prune" -l older-than -d 'Remove those not used for this long' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and __fish_seen_subcommand_from prune" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and __fish_seen_subcommand_from prune" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and __fish_seen_subcommand_from prune" -l all -d 'Remove every template'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and __fish_seen_subcommand_from prune" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand cache; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand __purge" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand __purge" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand __purge" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-venv -n "__fish_ptest_venv_using_subcommand __purge" -s h -l help -d 'Print help (see more with \'--help\')'
