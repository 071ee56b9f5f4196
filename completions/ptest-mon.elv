
use builtin;
use str;

set edit:completion:arg-completer[ptest-mon] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'ptest-mon'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'ptest-mon'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand run 'Run a command and measure its whole process tree, like `time -v`'
            cand watch 'Sample the resources named on stdin (services, containers), pids and the host'
            cand report 'Summarise sample files: tables, an SVG timeline, growth against a baseline'
            cand ls 'List monitored runs (running, or keeping logs) with their state'
            cand rm 'Forget monitored runs: remove their cgroup and logs (ids, or `mon` records on stdin)'
            cand gc 'Clean up after runs whose monitor died (cgroups, logs)'
            cand doctor 'Check what can be measured here: cgroups, /proc, PSI, the engine'
        }
        &'ptest-mon;run'= {
            cand --interval 'How often to sample'
            cand --out 'Write the records (samples, thresholds, summary) to FILE as well'
            cand -e 'Set a variable (repeatable); applied after the stream''s'
            cand --env 'Set a variable (repeatable); applied after the stream''s'
            cand --cwd 'Working directory of the command'
            cand --max-memory 'Memory the tree may reach, e.g. 512M, 2G'
            cand --max-cpu 'CPU the tree may use, in percent of one CPU (150: one and a half), averaged over --cpu-window'
            cand --cpu-window 'The window --max-cpu averages over'
            cand --max-procs 'Processes the tree may hold at once'
            cand --max-duration 'How long it may run'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --no-cgroup 'Follow the tree through /proc even where a cgroup could be made'
            cand --kill 'End what crossed a threshold (exit 125, naming the threshold on stderr), not only report it'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-mon;watch'= {
            cand --interval 'How often to sample'
            cand --duration 'Stop after this long'
            cand --pid 'Watch this process and its descendants too (repeatable)'
            cand --out 'Write the records to FILE as well'
            cand --max-memory 'Memory the tree may reach, e.g. 512M, 2G'
            cand --max-cpu 'CPU the tree may use, in percent of one CPU (150: one and a half), averaged over --cpu-window'
            cand --cpu-window 'The window --max-cpu averages over'
            cand --max-procs 'Processes the tree may hold at once'
            cand --max-duration 'How long it may run'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --until-exit 'Stop when every watched resource is gone'
            cand --no-host 'Leave the host out'
            cand --kill 'End what crossed a threshold (exit 125, naming the threshold on stderr), not only report it'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-mon;report'= {
            cand --svg 'Draw the timeline as SVG into OUT'
            cand --baseline 'Compare with this earlier run''s sample file'
            cand --grow 'List metrics that grew by more than RATIO against the baseline'
            cand --fail-over 'Exit 1 when a metric grew by more than RATIO against the baseline'
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-mon;ls'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-mon;rm'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-mon;gc'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'ptest-mon;doctor'= {
            cand --format 'Output format: auto (a readable view on a terminal, JSON records when piped), human, or json'
            cand --config 'Override a configuration key for this run (repeatable), e.g. --config hooks.timeout=5s'
            cand --json 'Write JSON records, and a failure as an `error` record at the end; same as --format json'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
    ]
    $completions[$command]
}
