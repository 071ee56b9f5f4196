//! The files of a virtual environment, written natively: `pyvenv.cfg`,
//! interpreter links, site-packages and activation scripts — what
//! `python -m venv --without-pip` makes, in about a millisecond instead of
//! seconds, since no Python runs.
//!
//! Everything is relocatable: nothing in the environment names its own
//! path. `pyvenv.cfg` names only the base interpreter; the activation
//! scripts find the environment from their own location; and
//! `relocatable = true` makes uv write console scripts that find their
//! interpreter beside them (pip's absolute shebangs are rewritten by
//! [`make_scripts_relocatable`]). So a clone of an environment works at any
//! path with no rewriting.

use crate::python::Interpreter;
use ptest_shared::error::IoContext;
use ptest_shared::{Error, Result};
use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

/// The `bin/` entries that point at the interpreter.
pub fn python_names(interp: &Interpreter) -> [String; 3] {
    [
        "python".to_owned(),
        "python3".to_owned(),
        format!("python{}", interp.short_version),
    ]
}

/// Writes a new environment at `dir` (which must not exist, or be empty).
pub fn create(dir: &Path, interp: &Interpreter) -> Result<()> {
    let cant = |what: &Path, e: std::io::Error| {
        Error::from_io(format!("cannot create {}", what.display()), &e)
    };
    match fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            if fs::read_dir(dir)
                .map(|mut d| d.next().is_some())
                .unwrap_or(true)
            {
                return Err(Error::cant_create(format!(
                    "{} exists and is not empty",
                    dir.display()
                ))
                .hint("choose another --dir, or remove it first"));
            }
        }
        Err(e) => return Err(cant(dir, e)),
    }
    let bin = dir.join("bin");
    let site = dir.join(&interp.purelib);
    fs::create_dir_all(&bin).map_err(|e| cant(&bin, e))?;
    fs::create_dir_all(&site).map_err(|e| cant(&site, e))?;
    if interp.lib64 && !dir.join("lib64").exists() {
        symlink("lib", dir.join("lib64")).map_err(|e| cant(&dir.join("lib64"), e))?;
    }
    let [python, python3, pythonxy] = python_names(interp);
    symlink(&interp.executable, bin.join(&python)).map_err(|e| cant(&bin.join(&python), e))?;
    for name in [python3, pythonxy] {
        if name != python {
            symlink(&python, bin.join(&name)).map_err(|e| cant(&bin.join(&name), e))?;
        }
    }
    let home = interp
        .executable
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("/"));
    let cfg = format!(
        "home = {}\ninclude-system-site-packages = false\nversion = {}\nexecutable = {}\nrelocatable = true\nptest-venv = {}\n",
        home.display(),
        interp.version,
        interp.executable.display(),
        env!("CARGO_PKG_VERSION"),
    );
    write(&dir.join("pyvenv.cfg"), &cfg, 0o644)?;
    write(&bin.join("activate"), ACTIVATE_SH, 0o644)?;
    write(&bin.join("activate.fish"), ACTIVATE_FISH, 0o644)?;
    write(&bin.join("activate.csh"), ACTIVATE_CSH, 0o644)?;
    // Keep environments out of version control and backups, as uv does.
    write(&dir.join(".gitignore"), "*\n", 0o644)?;
    write(
        &dir.join("CACHEDIR.TAG"),
        "Signature: 8a477f597d28d172789f06886806bc55\n",
        0o644,
    )?;
    Ok(())
}

fn write(path: &Path, text: &str, mode: u32) -> Result<()> {
    fs::write(path, text).io_context(|| format!("cannot write {}", path.display()))?;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .io_context(|| format!("cannot chmod {}", path.display()))
}

/// bash, zsh and ksh: the environment is the directory above this script,
/// found from the script's own path when sourced; the prompt is its name.
const ACTIVATE_SH: &str = r#"# Source this file from bash, zsh or ksh: `. bin/activate`. It finds its
# environment from its own location, so a copied or cloned environment
# activates where it is.
if [ -n "${BASH_VERSION:-}" ]; then
    _ptest_script="${BASH_SOURCE[0]}"
elif [ -n "${ZSH_VERSION:-}" ]; then
    _ptest_script="${(%):-%x}"
elif [ -n "${KSH_VERSION:-}" ]; then
    _ptest_script="${.sh.file}"
else
    _ptest_script=""
fi
if [ -z "$_ptest_script" ]; then
    echo "activate: source this from bash, zsh or ksh (a plain sh cannot tell where a sourced file is); or set VIRTUAL_ENV and PATH yourself" >&2
    unset _ptest_script
    return 1 2>/dev/null || exit 1
fi

deactivate () {
    if [ -n "${_OLD_VIRTUAL_PATH:-}" ]; then
        PATH="$_OLD_VIRTUAL_PATH"
        export PATH
        unset _OLD_VIRTUAL_PATH
    fi
    if [ -n "${_OLD_VIRTUAL_PYTHONHOME:-}" ]; then
        PYTHONHOME="$_OLD_VIRTUAL_PYTHONHOME"
        export PYTHONHOME
        unset _OLD_VIRTUAL_PYTHONHOME
    fi
    if [ -n "${_OLD_VIRTUAL_PS1-}" ]; then
        PS1="$_OLD_VIRTUAL_PS1"
        export PS1
        unset _OLD_VIRTUAL_PS1
    fi
    hash -r 2>/dev/null
    unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT
    if [ "${1:-}" != "nondestructive" ]; then
        unset -f deactivate
    fi
}

deactivate nondestructive

VIRTUAL_ENV="$(cd "$(dirname -- "$_ptest_script")/.." && pwd)"
unset _ptest_script
export VIRTUAL_ENV
VIRTUAL_ENV_PROMPT="$(basename -- "$VIRTUAL_ENV")"
export VIRTUAL_ENV_PROMPT

_OLD_VIRTUAL_PATH="$PATH"
PATH="$VIRTUAL_ENV/bin:$PATH"
export PATH

if [ -n "${PYTHONHOME:-}" ]; then
    _OLD_VIRTUAL_PYTHONHOME="$PYTHONHOME"
    unset PYTHONHOME
fi

if [ -z "${VIRTUAL_ENV_DISABLE_PROMPT:-}" ]; then
    _OLD_VIRTUAL_PS1="${PS1-}"
    PS1="($VIRTUAL_ENV_PROMPT) ${PS1-}"
    export PS1
fi

hash -r 2>/dev/null
"#;

const ACTIVATE_FISH: &str = r#"# Source this file from fish: `source bin/activate.fish`. It finds its
# environment from its own location.
function deactivate -d "Leave the virtual environment"
    if set -q _OLD_VIRTUAL_PATH
        set -gx PATH $_OLD_VIRTUAL_PATH
        set -e _OLD_VIRTUAL_PATH
    end
    if set -q _OLD_VIRTUAL_PYTHONHOME
        set -gx PYTHONHOME $_OLD_VIRTUAL_PYTHONHOME
        set -e _OLD_VIRTUAL_PYTHONHOME
    end
    if test -n "$_OLD_FISH_PROMPT_OVERRIDE"
        set -e _OLD_FISH_PROMPT_OVERRIDE
        if functions -q _old_fish_prompt
            functions -e fish_prompt
            functions -c _old_fish_prompt fish_prompt
            functions -e _old_fish_prompt
        end
    end
    set -e VIRTUAL_ENV
    set -e VIRTUAL_ENV_PROMPT
    if test "$argv[1]" != "nondestructive"
        functions -e deactivate
    end
end

deactivate nondestructive

set -gx VIRTUAL_ENV (builtin realpath (dirname (status --current-filename))/..)
set -gx VIRTUAL_ENV_PROMPT (basename "$VIRTUAL_ENV")
set -gx _OLD_VIRTUAL_PATH $PATH
set -gx PATH "$VIRTUAL_ENV/bin" $PATH

if set -q PYTHONHOME
    set -gx _OLD_VIRTUAL_PYTHONHOME $PYTHONHOME
    set -e PYTHONHOME
end

if test -z "$VIRTUAL_ENV_DISABLE_PROMPT"
    functions -c fish_prompt _old_fish_prompt
    function fish_prompt
        set -l old_status $status
        printf "(%s) " $VIRTUAL_ENV_PROMPT
        echo "exit $old_status" | .
        _old_fish_prompt
    end
    set -gx _OLD_FISH_PROMPT_OVERRIDE "$VIRTUAL_ENV"
end
"#;

const ACTIVATE_CSH: &str = r#"# Source this file from csh or tcsh: `source bin/activate.csh`. It finds
# its environment from its own location (tcsh's $_ when sourced).
set _ptest_args = ($_)
if ("$_ptest_args" == "") then
    echo "activate.csh: source this file from an interactive csh or tcsh"
    exit 1
endif
set _ptest_script = "$_ptest_args[2]"
alias deactivate 'test $?_OLD_VIRTUAL_PATH != 0 && setenv PATH "$_OLD_VIRTUAL_PATH" && unset _OLD_VIRTUAL_PATH; rehash; test $?_OLD_VIRTUAL_PROMPT != 0 && set prompt="$_OLD_VIRTUAL_PROMPT" && unset _OLD_VIRTUAL_PROMPT; unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; test "\!:*" != "nondestructive" && unalias deactivate'
deactivate nondestructive
setenv VIRTUAL_ENV `cd "$_ptest_script:h/.." && pwd`
unset _ptest_args _ptest_script
setenv VIRTUAL_ENV_PROMPT `basename "$VIRTUAL_ENV"`
set _OLD_VIRTUAL_PATH="$PATH"
setenv PATH "$VIRTUAL_ENV/bin:$PATH"
if (! $?VIRTUAL_ENV_DISABLE_PROMPT) then
    set _OLD_VIRTUAL_PROMPT="$prompt"
    set prompt = "($VIRTUAL_ENV_PROMPT) $prompt"
endif
rehash
"#;

pub use ptest_shared::venv::{make_scripts_relocatable, read_cfg};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::python;
    use ptest_shared::state::StateDir;
    use std::process::Command;

    fn interp() -> Interpreter {
        let home = tempfile::tempdir().unwrap();
        let state = StateDir::at(home.path().to_path_buf()).unwrap();
        python::find("python3", &state).unwrap()
    }

    #[test]
    fn a_native_environment_is_one_python_recognises_at_any_path() {
        let i = interp();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("env");
        create(&dir, &i).unwrap();
        // Moved: nothing inside names the old path.
        let moved = tmp.path().join("moved");
        fs::rename(&dir, &moved).unwrap();
        let out = Command::new(moved.join("bin/python"))
            .args(["-c", "import sys, site; print(sys.prefix); print(sys.base_prefix); print(site.getsitepackages()[0])"])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], moved.to_str().unwrap(), "{text}");
        assert_eq!(lines[1], i.base_prefix.to_str().unwrap());
        assert_eq!(lines[2], moved.join(&i.purelib).to_str().unwrap());
        // bash activation finds the moved environment.
        let out = Command::new("bash")
            .arg("-c")
            .arg(format!(
                ". {}/bin/activate && echo $VIRTUAL_ENV && command -v python && deactivate && echo ${{VIRTUAL_ENV:-gone}}",
                moved.display()
            ))
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            text,
            format!("{0}\n{0}/bin/python\ngone\n", moved.display()),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn pip_style_scripts_become_relocatable() {
        let i = interp();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("env");
        create(&dir, &i).unwrap();
        let script = dir.join("bin/hello");
        fs::write(
            &script,
            format!(
                "#!{}/bin/python{}\nimport sys\nprint(sys.prefix)\n",
                dir.display(),
                i.short_version
            ),
        )
        .unwrap();
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
        fs::write(dir.join("bin/other"), "#!/bin/sh\necho hi\n").unwrap();
        assert_eq!(make_scripts_relocatable(&dir, &[]).unwrap(), 1);
        let moved = tmp.path().join("moved");
        fs::rename(&dir, &moved).unwrap();
        let out = Command::new(moved.join("bin/hello")).output().unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap().trim(),
            moved.to_str().unwrap(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            fs::read_to_string(moved.join("bin/other")).unwrap(),
            "#!/bin/sh\necho hi\n"
        );
    }

    #[test]
    fn an_existing_non_empty_directory_is_refused() {
        let i = interp();
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("keep"), "x").unwrap();
        let e = create(tmp.path(), &i).unwrap_err();
        assert_eq!(e.exit.code(), 73);
        assert!(tmp.path().join("keep").exists());
    }
}
