//! Copy-on-write copies of files: the `FICLONE` ioctl, which btrfs, XFS and
//! bcachefs answer by sharing the source's extents (nearly free, and the
//! copy is independent: a write to either makes its own blocks). ptest-venv
//! clones templates with it, ptest-snap restores files out of its store.

use std::fs::File;
use std::os::fd::AsRawFd;

nix::ioctl_write_int!(
    /// FICLONE (`_IOW(0x94, 9, int)`): the destination shares the source's
    /// extents, copy-on-write.
    ficlone,
    0x94,
    9
);

/// Makes `dst` (open for writing) a copy-on-write copy of all of `src`.
/// Fails (`EOPNOTSUPP`, `EXDEV`, `EINVAL`…) where the filesystem cannot,
/// and the caller copies instead.
pub fn reflink(src: &File, dst: &File) -> std::io::Result<()> {
    // SAFETY: FICLONE takes the source descriptor by value; both
    // descriptors are open for the duration of the call and no memory is
    // shared with the kernel.
    unsafe {
        ficlone(
            dst.as_raw_fd(),
            src.as_raw_fd() as nix::sys::ioctl::ioctl_param_type,
        )
    }
    .map(drop)
    .map_err(std::io::Error::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Seek, Write};

    #[test]
    fn a_reflink_copies_all_or_fails_leaving_the_destination_empty() {
        let t = tempfile::tempdir().unwrap();
        let mut src = File::create_new(t.path().join("a")).unwrap();
        src.write_all(b"contents\n").unwrap();
        let src = File::open(t.path().join("a")).unwrap();
        let mut dst = File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(t.path().join("b"))
            .unwrap();
        let mut got = String::new();
        match reflink(&src, &dst) {
            Ok(()) => {
                dst.rewind().unwrap();
                dst.read_to_string(&mut got).unwrap();
                assert_eq!(got, "contents\n");
            }
            Err(e) => {
                // This filesystem cannot: nothing was written.
                assert!(e.raw_os_error().is_some(), "{e}");
                assert_eq!(dst.metadata().unwrap().len(), 0);
            }
        }
    }
}
