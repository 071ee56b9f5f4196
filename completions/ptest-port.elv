
use builtin;
use str;

set edit:completion:arg-completer[ptest-port] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'ptest-port'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'ptest-port'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand lease 'Lease free ports: one `port` record each, after the stream on stdin'
            cand release 'End leases, by id or port number, or the `port` records on stdin'
            cand rm 'End leases, by id or port number, or the `port` records on stdin'
            cand ls 'List leases with their state (live, owner-dead, expired)'
            cand gc 'End leases whose owner has exited or whose --ttl has passed'
            cand check 'Tell whether ports are free, leased (by whom) or bound (by which process)'
        }
        &'ptest-port;lease'= {
            cand -n 'How many ports (default: one, or one per --name)'
            cand --count 'How many ports (default: one, or one per --name)'
            cand --name 'Name a lease (repeatable): gives PTEST_PORT_<NAME>'
            cand --proto 'Protocols the port must be free for'
            cand --range 'Draw from LOW-HIGH instead of [port] range (default 20000-29999 less the ephemeral range)'
            cand --owner 'Who keeps the resource alive: `session` (the terminal, CI job or make run that called ptest), `caller` (the calling process), `none`, or a process ID. When the owner exits, `ptest gc` removes the resource'
            cand --ttl 'Remove the resource after this long, whoever owns it (e.g. 30s, 10m, 2h)'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-port;release'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-port;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-port;ls'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-port;gc'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-port;check'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
    ]
    $completions[$command]
}
