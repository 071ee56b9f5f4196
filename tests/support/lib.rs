//! Helpers of the cross-tool tests in `tests/`: the generator of man pages
//! and shell completions from each binary's clap definition.

use clap_complete::Shell;

/// Every binary of the suite, its clap definition and its page in docs/.
/// Each tool adds itself here.
pub fn binaries() -> Vec<(&'static str, clap::Command, &'static str)> {
    vec![
        ("ptest", ptest::command(), "ptest.md"),
        ("ptest-port", ptest_port::command(), "port.md"),
        ("ptest-proc", ptest_proc::command(), "proc.md"),
        ("ptest-venv", ptest_venv::command(), "venv.md"),
        ("ptest-docker", ptest_docker::command(), "docker.md"),
        ("ptest-mon", ptest_mon::command(), "mon.md"),
        ("ptest-snap", ptest_snap::command(), "snap.md"),
    ]
}

/// A man page: the command's own sections, then each subcommand as a
/// subsection of COMMANDS (synopsis, description, options), then the exit
/// status table from `after_long_help`.
pub fn man_page(cmd: &clap::Command) -> Vec<u8> {
    let name = cmd.get_name().to_owned();
    let cmd = cmd.clone().subcommand_help_heading("COMMANDS");
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out).unwrap();
    man.render_name_section(&mut out).unwrap();
    man.render_synopsis_section(&mut out).unwrap();
    man.render_description_section(&mut out).unwrap();
    man.render_options_section(&mut out).unwrap();
    let subs: Vec<&clap::Command> = cmd.get_subcommands().filter(|s| !s.is_hide_set()).collect();
    if !subs.is_empty() {
        out.extend_from_slice(b".SH COMMANDS\n");
        for sub in subs {
            let full = format!("{name} {}", sub.get_name());
            out.extend_from_slice(format!(".SS \"{full}\"\n").as_bytes());
            let sub = sub.clone().name(full.clone()).bin_name(full);
            let m = clap_mangen::Man::new(sub);
            let mut body = Vec::new();
            m.render_synopsis_section(&mut body).unwrap();
            m.render_description_section(&mut body).unwrap();
            m.render_options_section(&mut body).unwrap();
            // Nested inside COMMANDS: the sub-page's section headings become
            // paragraph breaks.
            for line in String::from_utf8(body).unwrap().lines() {
                let line = if line.starts_with(".SH ") {
                    ".PP"
                } else {
                    line
                };
                out.extend_from_slice(line.as_bytes());
                out.push(b'\n');
            }
        }
    }
    if cmd.get_after_long_help().is_some() {
        out.extend_from_slice(b".SH \"EXIT STATUS\"\n");
        let text = cmd.get_after_long_help().unwrap().to_string();
        out.extend_from_slice(b".nf\n");
        for line in text.lines().skip_while(|l| l.starts_with("Exit status")) {
            out.extend_from_slice(line.replace('\\', "\\\\").as_bytes());
            out.push(b'\n');
        }
        out.extend_from_slice(b".fi\n");
    }
    man.render_version_section(&mut out).unwrap();
    out
}

/// What a binary's completions complete: for the dispatcher, its own
/// commands and, under their short names, every built-in tool's whole
/// command line (`ptest po<TAB>`, `ptest port le<TAB>`).
pub fn completion_command(name: &str, cmd: &clap::Command) -> clap::Command {
    if name != "ptest" {
        return cmd.clone();
    }
    let mut c = cmd.clone();
    for (bin, tool, _) in binaries() {
        if let Some(short) = bin.strip_prefix("ptest-") {
            c = c.subcommand(
                tool.name(short.to_owned())
                    .bin_name(format!("ptest {short}")),
            );
        }
    }
    c
}

/// Plugins are found when completing, not when generating: for bash and
/// fish, the first word also completes to every `ptest-<name>` on PATH
/// (`ptest --list`).
fn plugin_completion(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => {
            "
# Plugins (any ptest-<name> on PATH) complete as the first word too, found
# when completing.
_ptest_with_plugins() {
    _ptest \"$@\"
    if [[ ${COMP_CWORD} -eq 1 && ${COMP_WORDS[1]} != -* ]]; then
        local found
        found=$(ptest --list --json 2>/dev/null | sed -n 's/.*\"name\":\"\\([^\"]*\\)\".*/\\1/p')
        COMPREPLY+=( $(compgen -W \"${found}\" -- \"${COMP_WORDS[1]}\") )
        COMPREPLY=( $(printf '%s\\n' \"${COMPREPLY[@]}\" | sort -u) )
    fi
}
complete -F _ptest_with_plugins -o bashdefault -o default ptest
"
        }
        Shell::Fish => {
            "
# Plugins (any ptest-<name> on PATH) complete as the first word too, found
# when completing.
complete -c ptest -n \"__fish_use_subcommand\" -f -a \"(ptest --list --json 2>/dev/null | string match -rg '\\\"name\\\":\\\"([^\\\"]*)\\\"')\"
"
        }
        _ => "",
    }
}

/// Completion scripts for every supported shell: `(file name, contents)`.
pub fn completions(name: &str, cmd: &clap::Command) -> Vec<(String, Vec<u8>)> {
    [
        (Shell::Bash, format!("{name}.bash")),
        (Shell::Zsh, format!("_{name}")),
        (Shell::Fish, format!("{name}.fish")),
        (Shell::Elvish, format!("{name}.elv")),
        (Shell::PowerShell, format!("_{name}.ps1")),
    ]
    .into_iter()
    .map(|(shell, file)| {
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut completion_command(name, cmd), name, &mut out);
        if name == "ptest" {
            out.extend_from_slice(plugin_completion(shell).as_bytes());
        }
        (file, out)
    })
    .collect()
}
