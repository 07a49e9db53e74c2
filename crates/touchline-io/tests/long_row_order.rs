//! Long CSV rows may come in any order: by frame, by agent, shuffled.

use std::path::Path;

use proptest::prelude::*;
use touchline_io::{IoError, long, synthetic::SyntheticMatch};

fn rows_of(data: &touchline_core::TrackingData) -> (String, Vec<String>) {
    let mut buf = Vec::new();
    long::write_csv(data, &mut buf).unwrap();
    let text = String::from_utf8(buf).unwrap();
    let mut head = String::new();
    let mut rows = Vec::new();
    for l in text.lines() {
        if l.starts_with('#') || l.starts_with("frame") || head.is_empty() && !l.starts_with(char::is_numeric) {
            head.push_str(l);
            head.push('\n');
        } else {
            rows.push(l.to_string());
        }
    }
    (head, rows)
}

#[test]
fn rows_grouped_by_agent_read_back_the_same() {
    let d = SyntheticMatch { seconds: 2.0, ..Default::default() }.generate().unwrap();
    let (head, mut rows) = rows_of(&d);
    assert_eq!(rows.len(), 50 * 23);
    // sort by agent column (third field), keeping frame order within an agent
    rows.sort_by_key(|r| r.split(',').nth(2).unwrap_or("").to_string());
    let text = head + &rows.join("\n") + "\n";
    let back = long::parse_csv(text.as_bytes(), Path::new("by_agent.csv")).unwrap();
    assert_eq!(back.positions(), d.positions());
    assert_eq!(back.timestamps(), d.timestamps());
    assert_eq!(back.frame_ids(), d.frame_ids());
}

#[test]
fn frames_follow_time_and_one_time_cannot_hold_two_frames() {
    let head = "frame,time_s,agent,team,x,y,observed\n";
    let parse = |body: &str| long::parse_csv((head.to_string() + body).as_bytes(), Path::new("t.csv"));
    // frame 2 stamped before frame 1: frames follow time, ids are kept as labels
    let d = parse("1,1,a,home,1,2,1\n2,0.5,a,home,3,4,1\n").unwrap();
    assert_eq!(d.frame_ids(), &[2, 1]);
    assert_eq!(d.timestamps().to_vec(), vec![0.5, 1.0]);
    assert_eq!(d.positions()[[0, 0, 0]], 3.0);
    // two frames with one time: a typed error naming the later row's frame
    match parse("5,1,a,home,1,2,1\n6,1,b,home,1,2,1\n").unwrap_err() {
        IoError::Frame { path, frame, message } => {
            assert_eq!(path, Path::new("t.csv"));
            assert_eq!(frame, 6);
            assert!(message.contains("line 3"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// Any permutation of the rows reads back to the same dataset.
    #[test]
    fn any_row_order_reads_back_the_same(seed in any::<u64>(), perm_seed in any::<u64>()) {
        let d = SyntheticMatch { seed, seconds: 0.4, ..Default::default() }.generate().unwrap();
        let (head, mut rows) = rows_of(&d);
        // a seeded Fisher-Yates shuffle, keeping the first row so agent order is kept
        let mut s = perm_seed | 1;
        for i in (2..rows.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            let j = 1 + (s % i as u64) as usize;
            rows.swap(i, j);
        }
        let text = head + &rows.join("\n") + "\n";
        let back = long::parse_csv(text.as_bytes(), Path::new("shuffled.csv")).unwrap();
        prop_assert_eq!(back.positions(), d.positions());
        prop_assert_eq!(back.frame_ids(), d.frame_ids());
    }
}
