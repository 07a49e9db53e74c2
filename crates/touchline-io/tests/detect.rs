//! Format detection and `open` on files that are not tracking data.

use std::path::PathBuf;

use touchline_io::{Format, IoError, detect, open};

fn tmp(name: &str, content: &[u8]) -> PathBuf {
    let d = std::env::temp_dir().join(format!("touchline-detect-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

#[test]
fn format_names_round_trip() {
    for f in Format::ALL {
        assert_eq!(Format::from_name(f.name()), Some(f));
        assert_eq!(Format::from_name(&f.name().to_uppercase()), Some(f));
    }
    assert_eq!(Format::from_name("kloppy"), None);
}

#[test]
fn non_tracking_files_are_unknown_format_naming_the_file() {
    for (name, content) in [
        ("notes.txt", &b"dear diary\n"[..]),
        ("table.csv", b"a,b,c\n1,2,3\n"),
        ("x.json", b"{\"hello\": 1}"),
        ("x.xml", b"<root><child/></root>"),
        ("bin.dat", &[0u8, 159, 146, 150, 255, 1, 2][..]),
    ] {
        let p = tmp(name, content);
        match detect(&p) {
            Err(IoError::UnknownFormat { path, reason }) => {
                assert_eq!(path, p);
                assert!(reason.contains("tracab"), "{reason}");
            }
            other => panic!("{name}: {other:?}"),
        }
        assert!(open(&p, None).is_err());
    }
}

#[test]
fn empty_and_missing_files() {
    let p = tmp("empty.dat", b"");
    assert!(matches!(detect(&p), Err(IoError::Empty { .. })));
    let p = tmp("blank.csv", b"  \n\n");
    assert!(matches!(detect(&p), Err(IoError::Empty { .. })));
    let missing = PathBuf::from("/no/such/dir/tracab_raw.dat");
    match open(&missing, None) {
        Err(IoError::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("{other:?}"),
    }
    for f in Format::ALL {
        assert!(open(&missing, Some(f)).is_err(), "{f} opened a missing file");
    }
}
