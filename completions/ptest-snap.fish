# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ptest_snap_global_optspecs
    string join \n format= json config= h/help V/version
end

function __fish_ptest_snap_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ptest_snap_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ptest_snap_using_subcommand
    set -l cmd (__fish_ptest_snap_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -s V -l version -d 'Print version'
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -f -a "create" -d 'Snapshot a directory, a venv or a container: a `snapshot` record, after the stream on stdin'
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -f -a "restore" -d 'Put a snapshot\'s exact tree at its source, or at --to, atomically'
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -f -a "reset" -d 'Put the snapshot\'s source back, touching only what changed'
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -f -a "diff" -d 'Paths added, removed and changed between two snapshots, or a snapshot and a directory'
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -f -a "ls" -d 'List snapshots and overlay mounts'
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -f -a "rm" -d 'Remove snapshots and overlay mounts by id, or their records on stdin'
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -f -a "inspect" -d 'Show a snapshot\'s record and what it holds'
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -f -a "verify" -d 'Rehash every object of a snapshot; 65 naming the first corrupt one'
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -f -a "gc" -d 'Remove snapshots whose owner died or whose --ttl passed, then unreferenced objects'
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -f -a "doctor" -d 'Check what snapshots need from this machine'
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -f -a "export" -d 'Write a snapshot as one zstd-compressed archive to stdout'
complete -c ptest-snap -n "__fish_ptest_snap_needs_command" -f -a "import" -d 'Read an archive from stdin, verify it whole, and register its snapshot'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand create" -l venv -d 'A ptest venv, by id: restored in place or as a new venv elsewhere' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand create" -l container -d 'A ptest container, by id: its filesystem and every volume\'s data' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand create" -l name -d 'A name for people (shown by ls)' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand create" -l exclude -d 'Leave out paths matching GLOB (repeatable): `*.pyc`, `build/**`' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand create" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand create" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand create" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand create" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand create" -l all -d 'Every venv and container of the record stream on stdin'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand create" -l overlay -d 'Also make the read-only lower layer `--mode overlay` mounts, now rather than at first use'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand create" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand restore" -l to -d 'Where to restore it (default: where it was taken)' -r -F
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand restore" -l mode -d 'copy: an independent tree; overlay: a mount over the snapshot, the same cost for any size' -r -f -a "copy\t'Files copied from the store (reflinks where the filesystem has them)'
overlay\t'An overlay mount: the snapshot\'s read-only tree below, a fresh writable layer above'"
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand restore" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand restore" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand restore" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand restore" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand restore" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand reset" -l mode -d 'copy: rewrite what changed; overlay: a fresh upper layer over the snapshot' -r -f -a "copy\t'Files copied from the store (reflinks where the filesystem has them)'
overlay\t'An overlay mount: the snapshot\'s read-only tree below, a fresh writable layer above'"
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand reset" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand reset" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand reset" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand reset" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand reset" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand reset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand diff" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand diff" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand diff" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand ls" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand ls" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand ls" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand rm" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand rm" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand rm" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand inspect" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand inspect" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand inspect" -l entries -d 'Every entry of the tree, too'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand inspect" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand verify" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand verify" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand verify" -l all -d 'Report every corrupt object, not only the first'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand verify" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand gc" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand gc" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand gc" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand gc" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand doctor" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand doctor" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand doctor" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand export" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand export" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand export" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand import" -l name -d 'A name for people' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand import" -l owner -d 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand import" -l ttl -d 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand import" -l format -d 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json' -r -f -a "auto\t'Human view on a terminal, JSON records otherwise'
human\t'Always the human view'
json\t'Always JSON records, one per line'"
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand import" -l config -d 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s' -r
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand import" -l json -d 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
complete -c ptest-snap -n "__fish_ptest_snap_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
