//! Helpers shared by the touchline-io integration tests (`mod common;`).
//!
//! Each test binary uses only some of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use touchline_io::{IoError, TrackingData};

/// `shared/data`, next to the workspace.
pub const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data");

/// `shared/data/<rel>`; panics naming the path when it does not exist.
pub fn shared(rel: &str) -> PathBuf {
    let p = Path::new(SHARED).join(rel);
    assert!(p.exists(), "missing test asset {p:?}");
    p
}

/// `shared/data/kloppy_samples/<rel>`; panics naming the path when it does not exist.
pub fn kloppy(rel: &str) -> PathBuf {
    shared(&format!("kloppy_samples/{rel}"))
}

/// A whole test file; panics naming the path when it cannot be read.
pub fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("cannot read test asset {p:?}: {e}"))
}

/// The first 8 KiB of a file as text, as [`touchline_io::detect`] hands it to `sniff`.
pub fn head(p: &Path) -> String {
    let b = read(p);
    String::from_utf8_lossy(&b[..b.len().min(8192)]).into_owned()
}

/// A provider's `sniff` function.
pub type Sniff = fn(&Path, &str) -> bool;

/// Asserts that none of `sniffers` (name, function) claims any of `files`.
pub fn assert_not_sniffed(sniffers: &[(&str, Sniff)], files: impl IntoIterator<Item = PathBuf>) {
    for p in files {
        let h = head(&p);
        for (name, sniff) in sniffers {
            assert!(!sniff(&p, &h), "{name} claims {p:?}");
        }
    }
}

/// A fresh directory `touchline_<tag>_<pid>` under the system temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("touchline_{tag}_{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Asserts `e` is a parse error in `path` at line `want`.
pub fn assert_parse_err(e: IoError, path: &Path, want: usize) {
    match e {
        IoError::Parse { path: p, line, message } => {
            assert_eq!(p, path);
            assert_eq!(line, want, "{message}");
        }
        other => panic!("expected a parse error at line {want}, got {other:?}"),
    }
}

/// Asserts `r` failed with a parse error in `path` at line `want`.
pub fn assert_parse_line<T>(r: Result<T, IoError>, path: &Path, want: usize) {
    match r {
        Err(e) => assert_parse_err(e, path, want),
        Ok(_) => panic!("expected a parse error at line {want}, got a result"),
    }
}

/// Asserts `e` is a missing companion of `main`, with a path ending in each of
/// `names` among the paths tried.
pub fn assert_missing_companion(e: IoError, main: &Path, names: &[&str]) {
    match e {
        IoError::MissingCompanion { path, looked_for, .. } => {
            assert_eq!(path, main);
            for name in names {
                assert!(looked_for.iter().any(|p| p.ends_with(name)), "{name} not in {looked_for:?}");
            }
        }
        other => panic!("expected MissingCompanion, got {other:?}"),
    }
}

/// Index of an agent, panicking with its id when absent.
pub fn idx(d: &TrackingData, id: &str) -> usize {
    d.agent_index(id).unwrap_or_else(|| panic!("no agent {id}"))
}

/// Position of agent index `a` in frame `f`.
pub fn pos(d: &TrackingData, f: usize, a: usize) -> [f64; 2] {
    [d.positions()[[f, a, 0]], d.positions()[[f, a, 1]]]
}

/// Position of agent `id` in frame `f`.
pub fn at(d: &TrackingData, f: usize, id: &str) -> [f64; 2] {
    pos(d, f, idx(d, id))
}

/// Provider estimate of agent index `a` in frame `f`.
pub fn est(d: &TrackingData, f: usize, a: usize) -> [f64; 2] {
    let e = d.provider_estimate().expect("estimate layer");
    [e[[f, a, 0]], e[[f, a, 1]]]
}

/// Lines joined with `\n`, ending with one.
pub fn join(lines: &[String]) -> Vec<u8> {
    let mut s = lines.join("\n");
    s.push('\n');
    s.into_bytes()
}

// ------------------------------------------------------------------------------------------------
// bounded fuzz

/// Byte edits `(op, position, value)`: `op % 4` sets, inserts, removes or truncates at
/// `position % len`; on an empty buffer the value is pushed.
pub fn byte_ops(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<(u8, usize, u8)>> {
    prop::collection::vec((any::<u8>(), any::<usize>(), any::<u8>()), n)
}

/// `ops` with every even value replaced by `charset`, to hit the format's own characters.
pub fn with_charset(ops: Vec<(u8, usize, u8)>, charset: u8) -> Vec<(u8, usize, u8)> {
    ops.into_iter().map(|(o, p, v)| (o, p, if v % 2 == 0 { charset } else { v })).collect()
}

/// Applies [`byte_ops`] edits.
pub fn mutate(mut bytes: Vec<u8>, ops: &[(u8, usize, u8)]) -> Vec<u8> {
    for &(op, pos, val) in ops {
        if bytes.is_empty() {
            bytes.push(val);
            continue;
        }
        let i = pos % bytes.len();
        match op % 4 {
            0 => bytes[i] = val,
            1 => bytes.insert(i, val),
            2 => {
                bytes.remove(i);
            }
            _ => bytes.truncate(i),
        }
    }
    bytes
}

/// Applies edits `(at, value, op)` with `at % (len + 1)`: op 0 flips bits (`^ value | 1`),
/// 1 inserts, 2 removes.
pub fn mutate_at(b: &mut Vec<u8>, edits: &[(usize, u8, u8)]) {
    for &(at, v, op) in edits {
        let i = at % (b.len() + 1);
        match op {
            0 if i < b.len() => b[i] ^= v | 1,
            1 => b.insert(i, v),
            _ if i < b.len() => {
                b.remove(i);
            }
            _ => {}
        }
    }
}

/// One edit of a byte buffer.
#[derive(Debug, Clone)]
pub enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

/// Non-zero flips, inserts of JSON characters, deletes and truncations.
pub fn json_edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1u8..).prop_map(|(i, x)| Edit::Flip(i, x)),
        (any::<usize>(), prop::sample::select(b"{}[]\":,.-0123456789eEnNaI \n".to_vec()))
            .prop_map(|(i, x)| Edit::Insert(i, x)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

/// Applies edits at `index % len`, stopping once the buffer is empty.
pub fn apply(mut b: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        if b.is_empty() {
            break;
        }
        let n = b.len();
        match *e {
            Edit::Flip(i, x) => b[i % n] ^= x,
            Edit::Insert(i, x) => b.insert(i % n, x),
            Edit::Delete(i) => {
                b.remove(i % n);
            }
            Edit::Truncate(i) => b.truncate(i % n),
        }
    }
    b
}

/// How many (frame, agent) entries are not observed.
pub fn unobserved(d: &TrackingData) -> usize {
    d.observed().iter().filter(|&&o| !o).count()
}
