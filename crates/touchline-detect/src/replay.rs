//! [`ReplayDetector`]: detections read from a file, so results of external models (any
//! framework, any language) flow through the same pipeline as live ones.
//!
//! Two formats:
//!
//! * **Touchline detections JSON** (written by [`write_touchline_json`]):
//!   ```json
//!   {"format": "touchline-detections", "version": 1,
//!    "frames": [{"frame": 0, "detections": [
//!        {"label": "ball", "score": 0.91, "bbox": [612.0, 301.5, 624.0, 313.0]}]}]}
//!   ```
//!   `bbox` is `[x1, y1, x2, y2]` in frame pixels; `label` is one of `person`, `player`,
//!   `goalkeeper`, `referee`, `ball`, `goal`, `hoop`, or any other name (kept as
//!   [`Label::Other`]); an optional `track_id` is kept. A listed frame with no detections
//!   means "looked, found nothing".
//! * **COCO results** (`[{"image_id", "category_id", "bbox": [x, y, w, h], "score"}]`, what
//!   `pycocotools`, Detectron2, MMDetection and Ultralytics export), with a category -> label
//!   map ([`CocoOptions`]) and `frame = image_id - frame_offset`.
//!
//! Every entry is checked: scores finite in `0..=1`, boxes finite with non-negative size,
//! frames listed once; an error names the file and the entry.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use touchline_core::{BBox, Detection, Detector, Frame, Label};

use crate::DetectError;

/// The name a [`Label`] has in Touchline detections JSON.
pub fn label_name(label: &Label) -> &str {
    match label {
        Label::Person => "person",
        Label::Player => "player",
        Label::Goalkeeper => "goalkeeper",
        Label::Referee => "referee",
        Label::Ball => "ball",
        Label::Goal => "goal",
        Label::Hoop => "hoop",
        Label::Other(s) => s,
    }
}

/// The [`Label`] of a name in Touchline detections JSON (unknown names become
/// [`Label::Other`]).
pub fn label_from_name(name: &str) -> Label {
    match name {
        "person" => Label::Person,
        "player" => Label::Player,
        "goalkeeper" => Label::Goalkeeper,
        "referee" => Label::Referee,
        "ball" => Label::Ball,
        "goal" => Label::Goal,
        "hoop" => Label::Hoop,
        other => Label::Other(other.to_string()),
    }
}

#[derive(Deserialize)]
struct TlFile {
    #[serde(default)]
    version: Option<u32>,
    frames: Vec<TlFrame>,
}

#[derive(Deserialize, Serialize)]
struct TlFrame {
    frame: usize,
    detections: Vec<TlDet>,
}

#[derive(Deserialize, Serialize)]
struct TlDet {
    label: String,
    score: f32,
    bbox: [f32; 4],
    #[serde(default, skip_serializing_if = "Option::is_none")]
    track_id: Option<u64>,
}

#[derive(Serialize)]
struct TlOut<'a> {
    format: &'a str,
    version: u32,
    frames: Vec<TlFrame>,
}

#[derive(Deserialize)]
struct CocoEntry {
    image_id: i64,
    category_id: i64,
    bbox: [f32; 4],
    score: f32,
}

/// How COCO results map to frames and labels.
#[derive(Debug, Clone, PartialEq)]
pub struct CocoOptions {
    /// Category id -> label; entries of other categories are dropped.
    pub categories: HashMap<i64, Label>,
    /// `frame = image_id - frame_offset` (e.g. 1 when images were numbered from 1).
    pub frame_offset: i64,
}

impl Default for CocoOptions {
    /// COCO category ids: 1 (person) -> player, 37 (sports ball) -> ball; offset 0.
    fn default() -> Self {
        CocoOptions { categories: HashMap::from([(1, Label::Player), (37, Label::Ball)]), frame_offset: 0 }
    }
}

fn check_det(score: f32, b: [f32; 4]) -> Result<BBox, String> {
    if !(score.is_finite() && (0.0..=1.0).contains(&score)) {
        return Err(format!("score {score} not in 0..=1"));
    }
    BBox::new(b[0], b[1], b[2], b[3]).map_err(|e| e.to_string())
}

/// Detections replayed from a file, looked up by [`Frame::index`].
///
/// ```
/// use touchline_core::{BBox, Detection, Detector, Frame, Label};
/// use touchline_detect::{write_touchline_json, ReplayDetector};
/// let ball = Detection::new(Label::Ball, 0.8, BBox::new(10.0, 10.0, 20.0, 20.0)?);
/// let mut json = Vec::new();
/// write_touchline_json([(3, vec![ball.clone()])], &mut json)?;
/// let mut replay = ReplayDetector::from_touchline_json(&json, "mem.json".as_ref())?;
/// let frame = Frame::new(3, 0.1, image::RgbImage::new(32, 32));
/// assert_eq!(replay.detect(&frame)?, vec![ball]);
/// // Frames not in the file: nothing (or an error with `.strict(true)`).
/// assert!(replay.detect(&Frame::new(4, 0.13, image::RgbImage::new(32, 32)))?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayDetector {
    source: PathBuf,
    frames: BTreeMap<usize, Vec<Detection>>,
    strict: bool,
}

impl ReplayDetector {
    /// Reads a file, Touchline JSON (an object) or COCO results (an array, with
    /// [`CocoOptions::default`]).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DetectError> {
        let path = path.as_ref();
        let bytes = read(path)?;
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
        if first == Some(b'[') {
            Self::from_coco_json(&bytes, path, &CocoOptions::default())
        } else {
            Self::from_touchline_json(&bytes, path)
        }
    }

    /// Reads COCO results from a file.
    pub fn open_coco(path: impl AsRef<Path>, options: &CocoOptions) -> Result<Self, DetectError> {
        let path = path.as_ref();
        Self::from_coco_json(&read(path)?, path, options)
    }

    /// Parses Touchline detections JSON; `path` names the source in errors.
    pub fn from_touchline_json(bytes: &[u8], path: &Path) -> Result<Self, DetectError> {
        let file: TlFile = serde_json::from_slice(bytes)
            .map_err(|e| DetectError::ReplayParse { path: path.to_path_buf(), reason: e.to_string() })?;
        let entry_err = |entry: String, reason: String| DetectError::ReplayEntry {
            path: path.to_path_buf(),
            entry,
            reason,
        };
        if let Some(v) = file.version
            && v != 1
        {
            return Err(entry_err("version".into(), format!("version {v} not supported (1 is)")));
        }
        let mut frames = BTreeMap::new();
        let mut first_seen: HashMap<usize, usize> = HashMap::new();
        for (i, f) in file.frames.into_iter().enumerate() {
            if let Some(j) = first_seen.insert(f.frame, i) {
                return Err(entry_err(
                    format!("frames[{i}]"),
                    format!("frame {} already listed in frames[{j}]", f.frame),
                ));
            }
            let mut dets = Vec::with_capacity(f.detections.len());
            for (k, d) in f.detections.into_iter().enumerate() {
                let bbox = check_det(d.score, d.bbox)
                    .map_err(|r| entry_err(format!("frames[{i}].detections[{k}] (frame {})", f.frame), r))?;
                let mut det = Detection::new(label_from_name(&d.label), d.score, bbox);
                det.track_id = d.track_id;
                dets.push(det);
            }
            frames.insert(f.frame, dets);
        }
        Ok(ReplayDetector { source: path.to_path_buf(), frames, strict: false })
    }

    /// Parses COCO results JSON; `path` names the source in errors.
    pub fn from_coco_json(bytes: &[u8], path: &Path, options: &CocoOptions) -> Result<Self, DetectError> {
        let entries: Vec<CocoEntry> = serde_json::from_slice(bytes)
            .map_err(|e| DetectError::ReplayParse { path: path.to_path_buf(), reason: e.to_string() })?;
        let mut frames: BTreeMap<usize, Vec<Detection>> = BTreeMap::new();
        for (i, e) in entries.into_iter().enumerate() {
            let entry_err = |reason: String| DetectError::ReplayEntry {
                path: path.to_path_buf(),
                entry: format!("entry {i} (image_id {})", e.image_id),
                reason,
            };
            let frame = e
                .image_id
                .checked_sub(options.frame_offset)
                .and_then(|f| usize::try_from(f).ok())
                .ok_or_else(|| {
                    entry_err(format!(
                        "image_id - frame_offset ({}) is not a frame index",
                        options.frame_offset
                    ))
                })?;
            let [x, y, w, h] = e.bbox;
            if !(w >= 0.0 && h >= 0.0) {
                return Err(entry_err(format!("bbox width/height {w} x {h} negative or NaN")));
            }
            let bbox = check_det(e.score, [x, y, x + w, y + h]).map_err(entry_err)?;
            let Some(label) = options.categories.get(&e.category_id) else { continue };
            frames.entry(frame).or_default().push(Detection::new(label.clone(), e.score, bbox));
        }
        for dets in frames.values_mut() {
            dets.sort_by(|a, b| b.score.total_cmp(&a.score));
        }
        Ok(ReplayDetector { source: path.to_path_buf(), frames, strict: false })
    }

    /// With `true`, a frame absent from the file is an error instead of "no detections".
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// All replayed detections by frame index.
    pub fn frames(&self) -> &BTreeMap<usize, Vec<Detection>> {
        &self.frames
    }

    /// The file they came from.
    pub fn source(&self) -> &Path {
        &self.source
    }
}

fn read(path: &Path) -> Result<Vec<u8>, DetectError> {
    std::fs::read(path).map_err(|source| DetectError::Io { path: path.to_path_buf(), source })
}

impl Detector for ReplayDetector {
    type Error = DetectError;

    fn detect(&mut self, frame: &Frame) -> Result<Vec<Detection>, DetectError> {
        match self.frames.get(&frame.index) {
            Some(d) => Ok(d.clone()),
            None if self.strict => {
                Err(DetectError::ReplayMissingFrame { path: self.source.clone(), frame: frame.index })
            }
            None => Ok(Vec::new()),
        }
    }
}

/// Writes detections per frame as Touchline detections JSON (readable by
/// [`ReplayDetector::from_touchline_json`]). Masks are not written.
///
/// Errors: a non-finite or out-of-range score or box ([`DetectError::ReplayEntry`], path
/// `<output>`), or a write failure.
pub fn write_touchline_json<I, D>(frames: I, mut out: impl Write) -> Result<(), DetectError>
where
    I: IntoIterator<Item = (usize, D)>,
    D: AsRef<[Detection]>,
{
    let target = PathBuf::from("<output>");
    let mut list = Vec::new();
    for (frame, dets) in frames {
        let mut v = Vec::new();
        for (k, d) in dets.as_ref().iter().enumerate() {
            let b = [d.bbox.x1, d.bbox.y1, d.bbox.x2, d.bbox.y2];
            check_det(d.score, b).map_err(|reason| DetectError::ReplayEntry {
                path: target.clone(),
                entry: format!("frame {frame} detection {k}"),
                reason,
            })?;
            v.push(TlDet {
                label: label_name(&d.label).to_string(),
                score: d.score,
                bbox: b,
                track_id: d.track_id,
            });
        }
        list.push(TlFrame { frame, detections: v });
    }
    let doc = TlOut { format: "touchline-detections", version: 1, frames: list };
    serde_json::to_writer(&mut out, &doc)
        .map_err(|e| DetectError::Io { path: target, source: std::io::Error::other(e) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p() -> &'static Path {
        Path::new("t.json")
    }

    #[test]
    fn malformed_inputs_name_file_and_entry() {
        let e = ReplayDetector::from_touchline_json(b"{\"frames\": [", p()).unwrap_err();
        assert!(matches!(e, DetectError::ReplayParse { .. }) && e.to_string().contains("t.json"), "{e}");
        let j = br#"{"frames":[{"frame":2,"detections":[{"label":"ball","score":0.5,"bbox":[5,5,1,9]}]}]}"#;
        let e = ReplayDetector::from_touchline_json(j, p()).unwrap_err();
        assert!(e.to_string().contains("frames[0].detections[0] (frame 2)"), "{e}");
        let j = br#"{"frames":[{"frame":2,"detections":[{"label":"ball","score":1.5,"bbox":[1,1,2,2]}]}]}"#;
        assert!(ReplayDetector::from_touchline_json(j, p()).is_err());
        let j = br#"{"frames":[{"frame":2,"detections":[]},{"frame":2,"detections":[]}]}"#;
        let e = ReplayDetector::from_touchline_json(j, p()).unwrap_err();
        assert!(e.to_string().contains("already listed"), "{e}");
        let j = br#"{"version":2,"frames":[]}"#;
        assert!(ReplayDetector::from_touchline_json(j, p()).is_err());
        let j = br#"{"frames":[{"frame":-1,"detections":[]}]}"#;
        assert!(matches!(ReplayDetector::from_touchline_json(j, p()), Err(DetectError::ReplayParse { .. })));
        let j =
            br#"{"frames":[{"frame":0,"detections":[{"label":"ball","score":0.5,"bbox":[1e39,0,1e39,2]}]}]}"#;
        assert!(ReplayDetector::from_touchline_json(j, p()).is_err(), "overflow to inf must be rejected");

        let c = br#"[{"image_id":1,"category_id":37,"bbox":[1,2,-3,4],"score":0.4}]"#;
        let e = ReplayDetector::from_coco_json(c, p(), &CocoOptions::default()).unwrap_err();
        assert!(e.to_string().contains("entry 0 (image_id 1)"), "{e}");
        let c = br#"[{"image_id":0,"category_id":37,"bbox":[1,2,3,4],"score":0.4}]"#;
        let o = CocoOptions { frame_offset: 1, ..CocoOptions::default() };
        assert!(ReplayDetector::from_coco_json(c, p(), &o).is_err());
        let c = br#"[{"image_id":0,"category_id":37,"bbox":[1,2,3],"score":0.4}]"#;
        assert!(ReplayDetector::from_coco_json(c, p(), &o).is_err());
    }

    #[test]
    fn coco_results_map_categories_and_frames() {
        let c = br#"[
            {"image_id":1,"category_id":1,"bbox":[0,0,10,20],"score":0.6,"segmentation":[]},
            {"image_id":1,"category_id":37,"bbox":[5,5,4,4],"score":0.9},
            {"image_id":3,"category_id":3,"bbox":[0,0,1,1],"score":0.9}
        ]"#;
        let o = CocoOptions { frame_offset: 1, ..CocoOptions::default() };
        let mut r = ReplayDetector::from_coco_json(c, p(), &o).unwrap().strict(true);
        let f0 = r.detect(&Frame::new(0, 0.0, image::RgbImage::new(1, 1))).unwrap();
        assert_eq!(f0.len(), 2);
        assert_eq!(f0[0].label, Label::Ball);
        assert_eq!(f0[0].bbox, BBox::new(5.0, 5.0, 9.0, 9.0).unwrap());
        assert_eq!(f0[1].label, Label::Player);
        // Category 3 (car) is dropped; frame 2 is then absent: strict mode says so.
        let e = r.detect(&Frame::new(2, 0.0, image::RgbImage::new(1, 1))).unwrap_err();
        assert!(matches!(e, DetectError::ReplayMissingFrame { frame: 2, .. }), "{e}");
    }

    fn label_strategy() -> impl Strategy<Value = Label> {
        prop_oneof![
            Just(Label::Person),
            Just(Label::Player),
            Just(Label::Goalkeeper),
            Just(Label::Referee),
            Just(Label::Ball),
            Just(Label::Goal),
            Just(Label::Hoop),
            "[a-z ]{1,8}".prop_map(|s| label_from_name(&s)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn touchline_json_round_trips(
            frames in proptest::collection::btree_map(0usize..10_000, proptest::collection::vec(
                (label_strategy(), 0f32..=1.0, -1e4f32..1e4, -1e4f32..1e4, 0f32..500.0, 0f32..500.0, proptest::option::of(0u64..1000)),
                0..5), 0..8)
        ) {
            let frames: BTreeMap<usize, Vec<Detection>> = frames.into_iter().map(|(f, v)| {
                (f, v.into_iter().map(|(l, s, x, y, w, h, t)| {
                    let mut d = Detection::new(l, s, BBox::new(x, y, x + w, y + h).unwrap());
                    d.track_id = t;
                    d
                }).collect())
            }).collect();
            let mut buf = Vec::new();
            write_touchline_json(frames.iter().map(|(f, d)| (*f, d)), &mut buf).unwrap();
            let r = ReplayDetector::from_touchline_json(&buf, p()).unwrap();
            prop_assert_eq!(r.frames(), &frames);
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = ReplayDetector::from_touchline_json(&bytes, p());
            let _ = ReplayDetector::from_coco_json(&bytes, p(), &CocoOptions::default());
        }
    }
}
