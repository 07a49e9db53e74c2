//! From a model's class ids to sports [`Label`]s, and per-label score thresholds.

use std::collections::HashMap;

use touchline_core::Label;

/// The 80 COCO class names in the order of COCO-80 detectors (YOLOX, YOLOv5/8, ...):
/// index = model class id. Person is 0, sports ball is 32.
pub const COCO80: [&str; 80] = [
    "person",
    "bicycle",
    "car",
    "motorcycle",
    "airplane",
    "bus",
    "train",
    "truck",
    "boat",
    "traffic light",
    "fire hydrant",
    "stop sign",
    "parking meter",
    "bench",
    "bird",
    "cat",
    "dog",
    "horse",
    "sheep",
    "cow",
    "elephant",
    "bear",
    "zebra",
    "giraffe",
    "backpack",
    "umbrella",
    "handbag",
    "tie",
    "suitcase",
    "frisbee",
    "skis",
    "snowboard",
    "sports ball",
    "kite",
    "baseball bat",
    "baseball glove",
    "skateboard",
    "surfboard",
    "tennis racket",
    "bottle",
    "wine glass",
    "cup",
    "fork",
    "knife",
    "spoon",
    "bowl",
    "banana",
    "apple",
    "sandwich",
    "orange",
    "broccoli",
    "carrot",
    "hot dog",
    "pizza",
    "donut",
    "cake",
    "chair",
    "couch",
    "potted plant",
    "bed",
    "dining table",
    "toilet",
    "tv",
    "laptop",
    "mouse",
    "remote",
    "keyboard",
    "cell phone",
    "microwave",
    "oven",
    "toaster",
    "sink",
    "refrigerator",
    "book",
    "clock",
    "vase",
    "scissors",
    "teddy bear",
    "hair drier",
    "toothbrush",
];

/// What each model class id becomes: a [`Label`], or `None` to drop it.
///
/// ```
/// use touchline_core::Label;
/// use touchline_detect::ClassMap;
/// let m = ClassMap::coco_sports();
/// assert_eq!(m.label(0), Some(&Label::Player));
/// assert_eq!(m.label(32), Some(&Label::Ball));
/// assert_eq!(m.label(2), None); // car: dropped
/// let all = ClassMap::coco_sports().keep_others();
/// assert_eq!(all.label(2), Some(&Label::Other("car".into())));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ClassMap {
    names: Vec<String>,
    labels: Vec<Option<Label>>,
}

impl ClassMap {
    /// COCO-80: person -> [`Label::Player`], sports ball -> [`Label::Ball`], the rest dropped.
    pub fn coco_sports() -> ClassMap {
        let mut labels = vec![None; COCO80.len()];
        labels[0] = Some(Label::Player);
        labels[32] = Some(Label::Ball);
        ClassMap { names: COCO80.iter().map(|s| s.to_string()).collect(), labels }
    }

    /// One class, person (RTMDet person detectors): -> [`Label::Player`].
    pub fn person_only() -> ClassMap {
        ClassMap { names: vec!["person".into()], labels: vec![Some(Label::Player)] }
    }

    /// A map from class names (index = class id), all dropped until set with [`with`](Self::with).
    pub fn from_names<S: Into<String>>(names: impl IntoIterator<Item = S>) -> ClassMap {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        let labels = vec![None; names.len()];
        ClassMap { names, labels }
    }

    /// Keeps every dropped class as [`Label::Other`] with its class name.
    pub fn keep_others(mut self) -> ClassMap {
        for (l, n) in self.labels.iter_mut().zip(&self.names) {
            if l.is_none() {
                *l = Some(Label::Other(n.clone()));
            }
        }
        self
    }

    /// Sets what class `id` becomes (`None` drops it); ids past the end are ignored.
    pub fn with(mut self, id: usize, label: Option<Label>) -> ClassMap {
        if let Some(l) = self.labels.get_mut(id) {
            *l = label;
        }
        self
    }

    /// Number of model classes.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the map has no classes.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The label of class `id`, `None` if dropped or out of range.
    pub fn label(&self, id: usize) -> Option<&Label> {
        self.labels.get(id).and_then(Option::as_ref)
    }

    /// The model's name of class `id`.
    pub fn name(&self, id: usize) -> Option<&str> {
        self.names.get(id).map(String::as_str)
    }
}

/// Minimum score per label, with a default for labels not listed.
///
/// ```
/// use touchline_core::Label;
/// use touchline_detect::Thresholds;
/// let t = Thresholds::new(0.4).with(Label::Ball, 0.2);
/// assert_eq!(t.get(&Label::Ball), 0.2);
/// assert_eq!(t.get(&Label::Player), 0.4);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    default: f32,
    per_label: HashMap<Label, f32>,
}

impl Thresholds {
    /// Every label at `default`.
    pub fn new(default: f32) -> Thresholds {
        Thresholds { default, per_label: HashMap::new() }
    }

    /// Sets the threshold of one label.
    pub fn with(mut self, label: Label, min_score: f32) -> Thresholds {
        self.per_label.insert(label, min_score);
        self
    }

    /// The threshold of `label`.
    pub fn get(&self, label: &Label) -> f32 {
        self.per_label.get(label).copied().unwrap_or(self.default)
    }

    /// Every threshold is finite and in `0..=1`.
    pub(crate) fn validate(&self) -> Result<(), String> {
        let bad = |v: f32| !(0.0..=1.0).contains(&v);
        if bad(self.default) {
            return Err(format!("default threshold {} outside 0..=1", self.default));
        }
        for (l, &v) in &self.per_label {
            if bad(v) {
                return Err(format!("threshold {v} for {l:?} outside 0..=1"));
            }
        }
        Ok(())
    }
}

impl Default for Thresholds {
    /// 0.3 for players, 0.25 for the ball (small, low-scoring), 0.3 otherwise.
    fn default() -> Self {
        Thresholds::new(0.3).with(Label::Ball, 0.25)
    }
}
