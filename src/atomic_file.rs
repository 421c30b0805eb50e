//! Replace a file in one step: write a temporary file of a unique name in the
//! same folder, then rename it over the target. Readers in other processes see
//! the old content or the new one, never half of it, and two writers never
//! share a temporary file.

use std::io::{self, Write};
use std::path::Path;

/// Write `bytes` to `path` atomically. With `durable`, the data and the
/// rename reach the disk before this returns (for what must survive a crash,
/// like the learner's progress).
pub fn write(path: &Path, bytes: &[u8], durable: bool) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}-"))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    if durable {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    if durable && let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::write;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("state.json");
        write(&file, b"one", false).unwrap();
        write(&file, b"two", true).unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("state.json")]);
    }

    #[test]
    fn writers_in_parallel_never_leave_a_torn_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("snap.json");
        std::thread::scope(|s| {
            for i in 0..8u8 {
                let file = &file;
                s.spawn(move || {
                    let body = vec![b'a' + i; 64 * 1024];
                    for _ in 0..20 {
                        write(file, &body, false).unwrap();
                    }
                });
            }
        });
        let got = std::fs::read(&file).unwrap();
        assert_eq!(got.len(), 64 * 1024);
        assert!(got.iter().all(|b| *b == got[0]));
    }
}
