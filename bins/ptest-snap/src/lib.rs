//! `ptest-snap`: snapshots of directory trees, in a content-addressed store
//! (see [`store`]), restored atomically ([`restore`]), reset by what changed
//! ([`reset`], planned by [`compare`]), moved between machines as one
//! archive ([`archive`]).

mod archive;
mod commands;
mod compare;
mod container;
mod create;
mod files;
mod hostvol;
mod index;
mod manifest;
mod overlay;
mod reset;
mod restore;
mod scan;
mod store;
mod venv;

use clap::{CommandFactory, Parser, Subcommand};
use ptest_shared::Result;
use ptest_shared::cli::CommonArgs;
use ptest_shared::owner::LifetimeArgs;
use std::path::PathBuf;

const LONG_ABOUT: &str = "\
Snapshots of directory trees, ptest venvs and ptest containers (the
filesystem and every volume's data): taken in one pass (a second snapshot
of an unchanged tree reads only metadata), stored once per distinct content
(BLAKE3), restored atomically (built beside the target, swapped in with
renameat2) or mounted as an overlay (the same cost for any size), and reset
between tests by rewriting only what changed.

  ID=$(ptest snap create fixtures/ --json | jq -r .id)
  pytest; ptest snap reset $ID; pytest
  ptest venv create -r requirements.txt | ptest snap create --all
  ptest snap restore $ID --mode overlay --to /tmp/fixtures
  ptest snap export $ID > fixtures.snap && ptest snap import < fixtures.snap";

#[derive(Parser, Debug)]
#[command(name = "ptest-snap", version, about = "Snapshots of directories, venvs and containers: stored once, restored atomically, reset by what changed", long_about = LONG_ABOUT, after_long_help = ptest_shared::error::Exit::TABLE, disable_help_subcommand = true)]
pub struct Cli {
    #[command(flatten)]
    common: CommonArgs,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Snapshot a directory, a venv or a container: a `snapshot` record, after the stream on stdin
    #[command(
        long_about = "Snapshot the directory PATH, the ptest venv --venv ID, or the ptest container \
--container ID (its filesystem through the engine's commit, every volume's data through \
the engine's archive API); with --all, every venv and container of the stream on stdin. \
Every file's contents go into the store (once per distinct content), its tree (modes, \
mtimes, symlinks as data, hard links, empty directories, user.* xattrs) into a manifest. \
Passes the records on stdin through first, then writes one `snapshot` record per source \
(files, bytes, bytes_new to the store, bytes_hashed). Owned by nobody by default: it \
lives until removed or its --ttl.",
        group = clap::ArgGroup::new("source").required(true).args(["path", "venv", "container", "all"])
    )]
    Create {
        /// The directory to snapshot
        path: Option<PathBuf>,
        /// A ptest venv, by id: restored in place or as a new venv elsewhere
        #[arg(long, value_name = "ID")]
        venv: Option<String>,
        /// A ptest container, by id: its filesystem and every volume's data
        #[arg(long, value_name = "ID")]
        container: Option<String>,
        /// Every venv and container of the record stream on stdin
        #[arg(long)]
        all: bool,
        /// A name for people (shown by ls)
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Leave out paths matching GLOB (repeatable): `*.pyc`, `build/**`
        #[arg(long, value_name = "GLOB")]
        exclude: Vec<String>,
        /// Also make the read-only lower layer `--mode overlay` mounts, now rather than at first use
        #[arg(long)]
        overlay: bool,
        #[command(flatten)]
        lifetime: LifetimeArgs,
    },
    /// Put a snapshot's exact tree at its source, or at --to, atomically
    #[command(
        long_about = "Restore snapshot ID at its source directory, or at --to DIR: built beside \
the target and swapped in with renameat2(RENAME_EXCHANGE), so that a crash leaves \
the old tree or the new one. Copies with reflinks where the filesystem has them, \
else copy_file_range, in parallel; the `snapshot.restored` event says which. With \
--mode overlay, mounts the snapshot's read-only tree under a fresh writable layer \
instead (an `overlay` record, removed by `ptest down`). A venv's snapshot restored \
--to DIR becomes a new registered venv there; a container's snapshot becomes a new \
container with the original's settings and its volumes' data."
    )]
    Restore {
        /// The snapshot
        id: String,
        /// Where to restore it (default: where it was taken)
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        /// copy: an independent tree; overlay: a mount over the snapshot, the same cost for any size
        #[arg(long, value_enum, default_value = "copy")]
        mode: Mode,
        /// Owner of what a restore makes elsewhere (a new venv, container or overlay mount)
        #[command(flatten)]
        lifetime: LifetimeArgs,
    },
    /// Put the snapshot's source back, touching only what changed
    #[command(
        long_about = "Put the tree at snapshot ID's source back as it was, removing what was \
added, restoring what was removed and rewriting what changed. Compares metadata \
first (type, size, mode, mtime) and reads contents only where that is ambiguous, \
so its cost follows the size of the change. Writes a `snapshot.reset` event with \
its counts. With --mode overlay, remounts the overlay at the source with a fresh \
upper layer. A container's snapshot: the running container is replaced by one with \
its volumes' data put back, the same ptest id and the same host ports."
    )]
    Reset {
        /// The snapshot
        id: String,
        /// copy: rewrite what changed; overlay: a fresh upper layer over the snapshot
        #[arg(long, value_enum, default_value = "copy")]
        mode: Mode,
        /// Owner of an overlay mount reset has to make (none is mounted at the source yet)
        #[command(flatten)]
        lifetime: LifetimeArgs,
    },
    /// Paths added, removed and changed between two snapshots, or a snapshot and a directory
    Diff {
        /// A snapshot
        a: String,
        /// Another snapshot, or a directory
        b: String,
    },
    /// List snapshots and overlay mounts
    Ls,
    /// Remove snapshots and overlay mounts by id, or their records on stdin
    #[command(
        long_about = "Remove the snapshots and overlay mounts given by id or, given none, the \
`snapshot` and `overlay` records on stdin (as `ptest down` calls it), as the \
registry holds them. Their objects go at the next `gc`. An id that is not a \
registered snapshot or overlay is refused, and nothing is removed."
    )]
    Rm {
        /// Snapshot ids
        ids: Vec<String>,
    },
    /// Show a snapshot's record and what it holds
    Inspect {
        /// The snapshot
        id: String,
        /// Every entry of the tree, too
        #[arg(long)]
        entries: bool,
    },
    /// Rehash every object of a snapshot; 65 naming the first corrupt one
    Verify {
        /// The snapshot
        id: String,
        /// Report every corrupt object, not only the first
        #[arg(long)]
        all: bool,
    },
    /// Remove snapshots whose owner died or whose --ttl passed, then unreferenced objects
    Gc,
    /// Check what snapshots need from this machine
    Doctor,
    /// Write a snapshot as one zstd-compressed archive to stdout
    Export {
        /// The snapshot
        id: String,
    },
    /// Read an archive from stdin, verify it whole, and register its snapshot
    #[command(
        long_about = "Read an archive of `ptest snap export` from stdin. Every object is \
hashed before the snapshot becomes visible; absolute paths, `..`, paths through \
a symlink, hard links, devices, FIFOs and entries larger than declared are \
refused with exit 65 naming the entry, and nothing is added."
    )]
    Import {
        /// A name for people
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        #[command(flatten)]
        lifetime: LifetimeArgs,
    },
}

/// How a restore or reset puts the tree back.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Files copied from the store (reflinks where the filesystem has them)
    Copy,
    /// An overlay mount: the snapshot's read-only tree below, a fresh writable layer above
    Overlay,
}

/// The clap definition: `--help`, the man page and completions come from it.
pub fn command() -> clap::Command {
    Cli::command()
}

pub fn run(cli: Cli) -> Result<i32> {
    let c = &cli.common;
    match cli.cmd {
        Cmd::Create {
            path,
            venv,
            container,
            all,
            name,
            exclude,
            overlay,
            lifetime,
        } => {
            let source = match (path, venv, container) {
                (Some(p), _, _) => create::Source::Path(p),
                (_, Some(v), _) => create::Source::Venv(v),
                (_, _, Some(c)) => create::Source::Container(c),
                _ if all => create::Source::Stream,
                _ => unreachable!("clap requires one source"),
            };
            let how = create::How {
                name,
                exclude,
                overlay,
            };
            create::create(c, source, how, &lifetime)
        }
        Cmd::Restore {
            id,
            to,
            mode,
            lifetime,
        } => commands::restore(c, &id, to, mode, &lifetime),
        Cmd::Reset { id, mode, lifetime } => commands::reset(c, &id, mode, &lifetime),
        Cmd::Diff { a, b } => commands::diff(c, &a, &b),
        Cmd::Ls => commands::ls(c.json()),
        Cmd::Rm { ids } => commands::rm(c, ids),
        Cmd::Inspect { id, entries } => commands::inspect(c.json(), &id, entries),
        Cmd::Verify { id, all } => commands::verify(c.json(), &id, all),
        Cmd::Gc => commands::gc(c),
        Cmd::Doctor => commands::doctor(c.json()),
        Cmd::Export { id } => create::export(&id),
        Cmd::Import { name, lifetime } => create::import(c, name, &lifetime),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_valid() {
        super::command().debug_assert();
    }
}
