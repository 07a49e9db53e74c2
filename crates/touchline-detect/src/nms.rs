//! Greedy non-maximum suppression.

use touchline_core::{BBox, Detection};

/// Keeps, within each group given by `key`, the highest-scoring boxes and drops any box whose
/// IoU with an already kept box of the same group exceeds `iou`. Output sorted by score,
/// descending; NaN scores sort last and are kept only if nothing overlaps them.
///
/// ```
/// use touchline_core::{BBox, Detection, Label};
/// use touchline_detect::nms;
/// let d = |s, x| Detection::new(Label::Ball, s, BBox::new(x, 0.0, x + 10.0, 10.0).unwrap());
/// let kept = nms(vec![d(0.5, 1.0), d(0.9, 0.0), d(0.8, 50.0)], 0.5, |d| d.label.clone());
/// assert_eq!(kept.iter().map(|d| d.score).collect::<Vec<_>>(), vec![0.9, 0.8]);
/// ```
pub fn nms<K: PartialEq>(
    mut dets: Vec<Detection>,
    iou: f32,
    key: impl Fn(&Detection) -> K,
) -> Vec<Detection> {
    dets.sort_by(|a, b| b.score.total_cmp(&a.score));
    let keys: Vec<K> = dets.iter().map(&key).collect();
    let mut keep = vec![true; dets.len()];
    for i in 0..dets.len() {
        if !keep[i] {
            continue;
        }
        for j in i + 1..dets.len() {
            if keep[j] && keys[j] == keys[i] && dets[i].bbox.iou(&dets[j].bbox) > iou {
                keep[j] = false;
            }
        }
    }
    dets.into_iter().zip(keep).filter_map(|(d, k)| k.then_some(d)).collect()
}

/// A raw candidate from a model, before mapping to labels: class id, score, box corners in
/// model-input pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Raw {
    pub class: usize,
    pub score: f32,
    pub bbox: [f32; 4],
}

fn iou4(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let i = w * h;
    let area = |r: &[f32; 4]| (r[2] - r[0]).max(0.0) * (r[3] - r[1]).max(0.0);
    let u = area(a) + area(b) - i;
    if u > 0.0 { i / u } else { 0.0 }
}

/// Per-class NMS over raw candidates, at most `max_out` kept.
pub(crate) fn nms_raw(mut raw: Vec<Raw>, iou: f32, max_out: usize) -> Vec<Raw> {
    raw.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Raw> = Vec::new();
    for r in raw {
        if kept.len() >= max_out {
            break;
        }
        if kept.iter().all(|k| k.class != r.class || iou4(&k.bbox, &r.bbox) <= iou) {
            kept.push(r);
        }
    }
    kept
}

/// A box from raw corners, clamped into `width` x `height`; `None` if not finite or empty
/// after clamping.
pub(crate) fn clamp_box(b: [f32; 4], width: u32, height: u32) -> Option<BBox> {
    if !b.iter().all(|v| v.is_finite()) {
        return None;
    }
    let (w, h) = (width as f32, height as f32);
    let x1 = b[0].clamp(0.0, w);
    let y1 = b[1].clamp(0.0, h);
    let x2 = b[2].clamp(0.0, w);
    let y2 = b[3].clamp(0.0, h);
    if x2 > x1 && y2 > y1 { BBox::new(x1, y1, x2, y2).ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use touchline_core::Label;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn kept_boxes_never_overlap_beyond_threshold(
            boxes in proptest::collection::vec((0f32..100.0, 0f32..100.0, 1f32..40.0, 1f32..40.0, 0f32..1.0, 0usize..2), 0..40),
            iou in 0.1f32..0.9,
        ) {
            let dets: Vec<Detection> = boxes.iter().map(|&(x, y, w, h, s, c)| {
                let l = if c == 0 { Label::Ball } else { Label::Player };
                Detection::new(l, s, BBox::from_xywh(x, y, w, h).unwrap())
            }).collect();
            let n = dets.len();
            let kept = nms(dets.clone(), iou, |d| d.label.clone());
            prop_assert!(kept.len() <= n);
            prop_assert!(n == 0 || !kept.is_empty());
            for (i, a) in kept.iter().enumerate() {
                for b in &kept[i + 1..] {
                    prop_assert!(a.label != b.label || a.bbox.iou(&b.bbox) <= iou);
                    prop_assert!(a.score >= b.score);
                }
            }
            // The best box always survives.
            if let Some(best) = dets.iter().map(|d| d.score).reduce(f32::max) {
                prop_assert_eq!(kept[0].score, best);
            }
            // Raw NMS agrees with Detection NMS.
            let raw: Vec<Raw> = dets.iter().map(|d| Raw {
                class: usize::from(d.label == Label::Player),
                score: d.score,
                bbox: [d.bbox.x1, d.bbox.y1, d.bbox.x2, d.bbox.y2],
            }).collect();
            prop_assert_eq!(nms_raw(raw, iou, usize::MAX).len(), kept.len());
        }
    }

    #[test]
    fn clamp_rejects_bad_boxes() {
        assert!(clamp_box([f32::NAN, 0.0, 1.0, 1.0], 10, 10).is_none());
        assert!(clamp_box([20.0, 0.0, 30.0, 5.0], 10, 10).is_none());
        assert_eq!(clamp_box([-5.0, 2.0, 5.0, 20.0], 10, 10), BBox::new(0.0, 2.0, 5.0, 10.0).ok());
    }
}
