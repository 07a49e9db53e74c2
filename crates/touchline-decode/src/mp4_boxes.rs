//! A walk over the MP4 box tree before `re_mp4` sees it.
//!
//! `re_mp4` 0.5.1 walks the children of a container box by their declared
//! sizes, and moves to the next child by seeking to `start + size`. A child
//! that declares a size of 0 (or a 64-bit size of 0) makes that seek land on
//! the same header again, so the walk never ends; children that overrun their
//! parent or a parent that ends in a few stray bytes lead it into the middle of
//! other boxes, where zeros are common. A `stsz` with a fixed sample size, or a
//! `trun` without per-sample fields, can also declare billions of samples that
//! `re_mp4` then lists one by one. A single changed byte in the DFL clip's
//! `moov` was enough for a minutes-long loop (issue 5).
//!
//! [`check_boxes`] walks every container `re_mp4` descends into, the same way it
//! does, and rejects such files with the byte offset and box name, so `re_mp4`
//! only ever sees trees whose walks advance at least 8 bytes per box and whose
//! sample counts are bounded by the file length.

use std::io::{Read, Seek, SeekFrom};

/// Byte offset and reason of a box-tree problem.
pub(crate) type BoxError = (u64, String);

/// Deepest nesting walked (`moov/trak/mdia/minf/stbl/stsd/mp4a/wave/...` is 8 deep).
const MAX_DEPTH: usize = 16;

/// Where the children of a box start, relative to its start, if `re_mp4` walks them.
enum Children {
    /// A plain container: children right after the 8-byte header.
    At(u64),
    /// `meta`: a full box (children at 12), except QuickTime's form without
    /// version and flags (children at 8), which `re_mp4` detects by a `hdlr` at 12.
    Meta,
    /// `mp4a`: children after the 28-byte sound sample entry, 16 more for version 1.
    SoundEntry,
    /// Not a container for `re_mp4`.
    Leaf,
}

fn children_of(name: &[u8; 4], parent: &[u8; 4]) -> Children {
    match name {
        b"moov" | b"trak" | b"mdia" | b"minf" | b"stbl" | b"dinf" | b"udta" | b"mvex" | b"moof" | b"traf"
        | b"edts" | b"ilst" | b"wave" => Children::At(8),
        // The ilst items `re_mp4` reads (title, year, poster, summary) hold `data` boxes.
        b"\xa9nam" | b"\xa9day" | b"covr" | b"desc" if parent == b"ilst" => Children::At(8),
        b"meta" => Children::Meta,
        // Full box header + entry_count.
        b"stsd" | b"dref" => Children::At(16),
        // Visual sample entries: 8-byte header + 78 bytes of fields, then `avcC` etc.
        b"avc1" | b"avc3" if parent == b"stsd" => Children::At(86),
        b"mp4a" if parent == b"stsd" => Children::SoundEntry,
        _ => Children::Leaf,
    }
}

fn read_exact_at<R: Read + Seek>(r: &mut R, pos: u64, buf: &mut [u8]) -> Result<(), BoxError> {
    r.seek(SeekFrom::Start(pos))
        .and_then(|_| r.read_exact(buf))
        .map_err(|e| (pos, format!("cannot read {} bytes: {e}", buf.len())))
}

fn be_u32(b: &[u8]) -> u32 {
    b.iter().take(4).fold(0u32, |acc, &x| (acc << 8) | u32::from(x))
}

fn printable(name: &[u8; 4]) -> String {
    name.iter().map(|&c| if c.is_ascii_graphic() { char::from(c) } else { '?' }).collect()
}

/// Checks the children of every top-level `moov` and `moof` box in `0..end`
/// (top-level sizes were checked by the caller); `len` is the file length,
/// the bound for sample counts.
pub(crate) fn check_boxes<R: Read + Seek>(r: &mut R, end: u64, len: u64) -> Result<(), BoxError> {
    let mut pos = 0u64;
    while pos + 8 <= end {
        let (size, name, head_len) = header(r, pos, end, b"file")?;
        if size != 0 && size < 8 {
            return Err((
                pos,
                format!("box '{}' declares an impossible size of {size} bytes", printable(&name)),
            ));
        }
        let box_end = if size == 0 { end } else { pos.saturating_add(size).min(end) };
        if matches!(&name, b"moov" | b"moof") {
            walk(r, pos, box_end, head_len, &name, len, 1)?;
        }
        pos = box_end;
    }
    Ok(())
}

/// Reads the header at `pos` of a box inside a parent ending at `parent_end`:
/// (size in bytes including the header, name, header length). Size 0 (to the
/// end of the file) is returned as 0; the caller decides if it is allowed.
fn header<R: Read + Seek>(
    r: &mut R,
    pos: u64,
    parent_end: u64,
    parent: &[u8; 4],
) -> Result<(u64, [u8; 4], u64), BoxError> {
    let mut head = [0u8; 16];
    read_exact_at(r, pos, &mut head[..8])?;
    let name = [head[4], head[5], head[6], head[7]];
    let small = u64::from(be_u32(&head[..4]));
    let (size, head_len) = if small == 1 {
        if pos + 16 > parent_end {
            return Err((
                pos,
                format!("box '{}' in '{}' has a cut 64-bit size", printable(&name), printable(parent)),
            ));
        }
        read_exact_at(r, pos + 8, &mut head[8..16])?;
        let large = head[8..16].iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
        if large < 16 {
            return Err((
                pos,
                format!(
                    "box '{}' in '{}' declares an impossible 64-bit size of {large} bytes",
                    printable(&name),
                    printable(parent)
                ),
            ));
        }
        (large, 16)
    } else {
        (small, 8)
    };
    Ok((size, name, head_len))
}

/// Walks the children of the box `name` at `start`..`end` whose first child is at `start + first`.
fn walk<R: Read + Seek>(
    r: &mut R,
    start: u64,
    end: u64,
    first: u64,
    name: &[u8; 4],
    len: u64,
    depth: usize,
) -> Result<(), BoxError> {
    if depth > MAX_DEPTH {
        return Err((start, format!("boxes nested more than {MAX_DEPTH} deep at '{}'", printable(name))));
    }
    let mut pos = start + first;
    while pos < end {
        if end - pos < 8 {
            return Err((
                pos,
                format!(
                    "{} stray bytes after the last box in '{}' (the demuxer would read a box header across its end)",
                    end - pos,
                    printable(name)
                ),
            ));
        }
        let (size, child, head_len) = header(r, pos, end, name)?;
        if size < 8 {
            return Err((
                pos,
                format!(
                    "box '{}' in '{}' declares an impossible size of {size} bytes",
                    printable(&child),
                    printable(name)
                ),
            ));
        }
        let child_end = pos.saturating_add(size);
        if child_end > end {
            return Err((
                pos,
                format!(
                    "box '{}' declares {size} bytes, past the end of its parent '{}' at byte {end}",
                    printable(&child),
                    printable(name)
                ),
            ));
        }
        check_counts(r, pos, size, &child, name, len)?;
        let first_child = match children_of(&child, name) {
            Children::At(k) => Some(k),
            Children::Meta => {
                let mut b = [0u8; 8];
                if size >= 16 {
                    read_exact_at(r, pos + 8, &mut b)?;
                }
                if be_u32(&b[..4]) == 0 {
                    Some(12)
                } else if &b[4..8] == b"hdlr" {
                    Some(8)
                } else {
                    // re_mp4 rejects it as an unsupported version.
                    None
                }
            }
            Children::SoundEntry => {
                let mut v = [0u8; 2];
                if size >= 18 {
                    read_exact_at(r, pos + 16, &mut v)?;
                }
                Some(if u16::from_be_bytes(v) == 1 { 52 } else { 36 })
            }
            Children::Leaf => None,
        };
        // re_mp4 locates the children of containers and of sample entries from where their
        // 32-bit header would end; with a 64-bit size its walk would differ from ours.
        let in_entry = matches!(name, b"stsd" | b"avc1" | b"avc3" | b"mp4a" | b"wave");
        if head_len != 8 && (first_child.is_some() || in_entry) {
            return Err((
                pos,
                format!("box '{}' in '{}' uses a 64-bit size", printable(&child), printable(name)),
            ));
        }
        if let Some(k) = first_child {
            if k > size {
                return Err((
                    pos,
                    format!(
                        "box '{}' declares {size} bytes, too small for its {k}-byte header",
                        printable(&child)
                    ),
                ));
            }
            walk(r, pos, child_end, k, &child, len, depth + 1)?;
        }
        pos = child_end;
    }
    Ok(())
}

/// Sample counts that `re_mp4` turns into one entry per sample must fit the file.
fn check_counts<R: Read + Seek>(
    r: &mut R,
    pos: u64,
    size: u64,
    name: &[u8; 4],
    parent: &[u8; 4],
    len: u64,
) -> Result<(), BoxError> {
    match (name, parent) {
        (b"stsz", b"stbl") if size >= 20 => {
            let mut b = [0u8; 8];
            read_exact_at(r, pos + 12, &mut b)?;
            let (sample_size, count) = (u64::from(be_u32(&b[..4])), u64::from(be_u32(&b[4..])));
            // With a sample size of 0 the sizes are listed, and re_mp4 checks they fit the box.
            if sample_size > 0 && count.saturating_mul(sample_size) > len {
                return Err((
                    pos,
                    format!(
                        "'stsz' declares {count} samples of {sample_size} bytes, more than the {len}-byte file holds"
                    ),
                ));
            }
        }
        (b"trun", b"traf") if size >= 16 => {
            let mut b = [0u8; 4];
            read_exact_at(r, pos + 12, &mut b)?;
            let count = u64::from(be_u32(&b));
            if count > len {
                return Err((
                    pos,
                    format!("'trun' declares {count} samples, more than the {len}-byte file has bytes"),
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_boxes;
    use std::io::Cursor;

    /// A box: 32-bit size, name, payload.
    fn bx(name: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let size = u32::try_from(payload.len() + 8).unwrap();
        [size.to_be_bytes().as_slice(), name, payload].concat()
    }

    fn check(file: &[u8]) -> Result<(), (u64, String)> {
        let len = file.len() as u64;
        check_boxes(&mut Cursor::new(file), len, len)
    }

    #[test]
    fn quicktime_meta_without_version_is_walked_from_byte_8() {
        let hdlr = bx(b"hdlr", &[0; 25]);
        let ok = bx(b"moov", &bx(b"udta", &bx(b"meta", &hdlr)));
        check(&ok).unwrap();
        let iso = bx(b"moov", &bx(b"meta", &[[0u8; 4].as_slice(), &hdlr].concat()));
        check(&iso).unwrap();
    }

    #[test]
    fn stray_bytes_and_zero_sizes_are_rejected_with_their_offset() {
        let stray = bx(b"moov", &bx(b"udta", &[bx(b"free", &[]), vec![0; 4]].concat()));
        let (byte, reason) = check(&stray).unwrap_err();
        assert_eq!(byte, 24, "{reason}");
        assert!(reason.contains("4 stray bytes") && reason.contains("'udta'"), "{reason}");
        let zero = bx(b"moov", &[0, 0, 0, 0, b'a', b'b', b'c', b'd', 0, 0, 0, 0]);
        let (byte, reason) = check(&zero).unwrap_err();
        assert_eq!(byte, 8, "{reason}");
        assert!(reason.contains("'abcd' in 'moov'") && reason.contains("size of 0"), "{reason}");
    }

    #[test]
    fn trun_sample_count_is_bounded_by_the_file_length() {
        let trun = |count: u32| bx(b"trun", &[[0u8; 4].as_slice(), &count.to_be_bytes()].concat());
        check(&bx(b"moof", &bx(b"traf", &trun(3)))).unwrap();
        let (byte, reason) = check(&bx(b"moof", &bx(b"traf", &trun(u32::MAX)))).unwrap_err();
        assert_eq!(byte, 16, "{reason}");
        assert!(reason.contains("'trun' declares 4294967295 samples"), "{reason}");
    }
}
