//! Synthetic scenes shared by the tracker tests.
#![allow(dead_code)]

use touchline_core::{BBox, Detection, Label, SplitMix64};

/// One ground-truth object moving linearly.
#[derive(Debug, Clone)]
pub struct Mover {
    pub start: [f32; 2],
    pub vel: [f32; 2],
    pub size: [f32; 2],
    pub label: Label,
}

impl Mover {
    pub fn player(x: f32, y: f32, vx: f32, vy: f32) -> Self {
        Mover { start: [x, y], vel: [vx, vy], size: [20.0, 50.0], label: Label::Player }
    }

    pub fn bbox(&self, f: usize, noise: &mut SplitMix64, sigma: f32) -> BBox {
        let cx = self.start[0] + self.vel[0] * f as f32 + sigma * noise.normal() as f32;
        let cy = self.start[1] + self.vel[1] * f as f32 + sigma * noise.normal() as f32;
        let (w, h) = (self.size[0], self.size[1]);
        BBox::new(cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0).unwrap()
    }
}

/// Detections of `movers` over `n` frames; `score(obj, frame)` gives the
/// score or `None` for a missed detection. Returns per frame the
/// detections and, aligned, the object index of each.
pub fn scene(
    movers: &[Mover],
    n: usize,
    seed: u64,
    sigma: f32,
    score: impl Fn(usize, usize) -> Option<f32>,
) -> (Vec<Vec<Detection>>, Vec<Vec<usize>>) {
    let mut rng = SplitMix64::new(seed);
    let mut dets = Vec::new();
    let mut truth = Vec::new();
    for f in 0..n {
        let mut d = Vec::new();
        let mut t = Vec::new();
        for (i, m) in movers.iter().enumerate() {
            let b = m.bbox(f, &mut rng, sigma);
            if let Some(s) = score(i, f) {
                d.push(Detection::new(m.label.clone(), s, b));
                t.push(i);
            }
        }
        dets.push(d);
        truth.push(t);
    }
    (dets, truth)
}

pub fn times(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64 / 25.0).collect()
}

/// ID switches: for each object, how often its assigned id changes between
/// two frames where it has one; plus the ids each object had.
pub fn id_switches(out: &[Vec<Detection>], truth: &[Vec<usize>], n_obj: usize) -> (usize, Vec<Vec<u64>>) {
    let mut last: Vec<Option<u64>> = vec![None; n_obj];
    let mut ids: Vec<Vec<u64>> = vec![Vec::new(); n_obj];
    let mut switches = 0;
    for (d, t) in out.iter().zip(truth) {
        for (det, &obj) in d.iter().zip(t) {
            if let Some(id) = det.track_id {
                if let Some(prev) = last[obj]
                    && prev != id
                {
                    switches += 1;
                }
                last[obj] = Some(id);
                if !ids[obj].contains(&id) {
                    ids[obj].push(id);
                }
            }
        }
    }
    (switches, ids)
}
