//! Seeded missing-data masks over evaluation windows, after the MIDAS
//! protocol (Choi et al. 2025; code `gkswns95/MIDAS`,
//! `models/utils.py::generate_mask`), saved and loaded as JSON so a run can
//! be repeated exactly.

use ndarray::Array2;
use serde::{Deserialize, Serialize};
use touchline_core::{SplitMix64, Team, TrackingData};

use super::camera::BroadcastCamera;
use super::window::{EvalWindow, rebuild};
use crate::error::{ImputeError, Result};

/// Frames kept observed at each end of a window by the `camera` and
/// `visibility` masks (MIDAS keeps the first and last five).
pub const EDGE_FRAMES: usize = 5;

/// The format tag written into mask files.
pub const MASK_FORMAT: &str = "touchline-masks/1";

/// Which entries a mask hides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaskKind {
    /// One block of `round(rate * T)` frames hidden for every masked agent,
    /// start uniform in `[1, T - miss - 1]` (first and last frame observed).
    Uniform,
    /// `round(rate * T * N)` entries split at random between the `N` masked
    /// agents (MIDAS's random breakpoints, at most `max(T - 10, ceil(0.9 T))`
    /// each, capped at `T - 2`), one contiguous gap per agent starting at
    /// frame 1 or later; frame 0 and the last frame stay observed.
    Playerwise,
    /// The virtual broadcast camera ([`BroadcastCamera`]) aimed at the ball:
    /// a player outside the image is hidden; the first and last
    /// [`EDGE_FRAMES`] frames are observed. The rate is whatever the camera
    /// produces (the requested rate does not apply).
    Camera,
    /// The last `round(rate * T)` frames hidden for every masked agent
    /// (frame 0 always observed).
    Forecast,
    /// A provider's real occlusion pattern ([`VisibilityPattern`]) laid over
    /// the window; the first and last [`EDGE_FRAMES`] frames observed. The
    /// rate is the pattern's.
    Visibility,
}

impl MaskKind {
    /// Lower-case name (`uniform`, `playerwise`, ...).
    pub fn name(self) -> &'static str {
        match self {
            MaskKind::Uniform => "uniform",
            MaskKind::Playerwise => "playerwise",
            MaskKind::Camera => "camera",
            MaskKind::Forecast => "forecast",
            MaskKind::Visibility => "visibility",
        }
    }

    /// Parses [`MaskKind::name`] (case-insensitive).
    pub fn parse(s: &str) -> Option<MaskKind> {
        [MaskKind::Uniform, MaskKind::Playerwise, MaskKind::Camera, MaskKind::Forecast, MaskKind::Visibility]
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
    }

    /// Whether the requested rate is used (not for `camera` and `visibility`).
    pub fn uses_rate(self) -> bool {
        matches!(self, MaskKind::Uniform | MaskKind::Playerwise | MaskKind::Forecast)
    }
}

/// A real occlusion pattern: which players a provider saw in each frame.
///
/// Built from data loaded with `touchline-io` (PFF `visibility`, SkillCorner
/// `is_detected`: estimated positions are not observed there). Only players
/// observed at least once are kept (others were not on the pitch).
///
/// Laid over a window of `T` frames at times `t_k` (see
/// [`MaskKind::Visibility`]): a seeded offset `o` in the pattern's duration
/// `D` (span plus one step) is drawn per window; window frame `k` takes the
/// pattern frame nearest to `(o + t_k - t_0) mod D` (so gap durations are
/// kept in seconds; a pattern shorter than the window repeats); window
/// agent `j` takes pattern player `perm[j mod P]` for a seeded permutation
/// `perm` of the `P` pattern players.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisibilityPattern {
    /// Where it came from (a file name).
    pub source: String,
    /// Pattern frame times, seconds from its first frame.
    pub times: Vec<f64>,
    /// `observed[player][frame]`.
    pub observed: Vec<Vec<bool>>,
}

impl VisibilityPattern {
    /// The pattern of `data`'s players (home, away, unknown team; not the
    /// ball or officials) that are observed at least once.
    pub fn from_tracking(source: &str, data: &TrackingData) -> Result<VisibilityPattern> {
        let t = data.timestamps_slice();
        let t0 = t[0];
        let times: Vec<f64> = t.iter().map(|v| v - t0).collect();
        let mut observed = Vec::new();
        for (a, agent) in data.agents().iter().enumerate() {
            if !matches!(agent.team, Team::Home | Team::Away | Team::Unknown) {
                continue;
            }
            let col: Vec<bool> = data.observed().column(a).to_vec();
            if col.iter().any(|&o| o) {
                observed.push(col);
            }
        }
        if observed.is_empty() || times.len() < 2 {
            return Err(ImputeError::Mask(format!(
                "visibility pattern {source}: needs 2+ frames and a player observed at least once"
            )));
        }
        Ok(VisibilityPattern { source: source.to_string(), times, observed })
    }

    /// Share of the pattern's entries that are unobserved.
    pub fn missing_rate(&self) -> f64 {
        let n: usize = self.observed.iter().map(Vec::len).sum();
        let miss: usize = self.observed.iter().map(|c| c.iter().filter(|&&o| !o).count()).sum();
        miss as f64 / n.max(1) as f64
    }

    fn duration(&self) -> f64 {
        let n = self.times.len();
        let step = (self.times[n - 1] - self.times[0]) / (n - 1) as f64;
        self.times[n - 1] + step
    }

    fn frame_at(&self, t: f64) -> usize {
        let i = self.times.partition_point(|&v| v < t);
        if i == 0 {
            0
        } else if i >= self.times.len() {
            self.times.len() - 1
        } else if t - self.times[i - 1] <= self.times[i] - t {
            i - 1
        } else {
            i
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct MaskParams {
    /// The pattern.
    pub kind: MaskKind,
    /// Share of entries to hide (`[0, 1)`; `uniform`, `playerwise`, `forecast`).
    pub rate: f64,
    /// The camera of [`MaskKind::Camera`].
    pub camera: BroadcastCamera,
    /// The pattern of [`MaskKind::Visibility`] (required for it).
    pub visibility: Option<VisibilityPattern>,
}

impl MaskParams {
    /// `kind` at `rate` with MIDAS's football camera (68 m pitch) and no pattern.
    pub fn new(kind: MaskKind, rate: f64) -> MaskParams {
        MaskParams { kind, rate, camera: BroadcastCamera::football(68.0), visibility: None }
    }
}

/// The hidden entries of one window, as runs `[agent, start, end)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowMask {
    /// The window's recording.
    pub source: String,
    /// The window's index in its recording.
    pub window: usize,
    /// The window's first timestamp (s), to check the mask fits the window.
    pub start_time: f64,
    /// Frames in the window.
    pub frames: usize,
    /// The window's agent ids, in order.
    pub agents: Vec<String>,
    /// Hidden runs `[agent index, first frame, one past the last frame]`.
    pub hidden: Vec<[usize; 3]>,
}

impl WindowMask {
    /// `hidden[[frame, agent]]` as a matrix.
    pub fn matrix(&self) -> Array2<bool> {
        let mut m = Array2::from_elem((self.frames, self.agents.len()), false);
        for &[a, s, e] in &self.hidden {
            for f in s..e.min(self.frames) {
                if a < self.agents.len() {
                    m[[f, a]] = true;
                }
            }
        }
        m
    }

    /// Number of hidden entries.
    pub fn count(&self) -> usize {
        self.hidden.iter().map(|r| r[2].saturating_sub(r[1])).sum()
    }

    fn from_matrix(win: &EvalWindow, m: &Array2<bool>) -> WindowMask {
        let (nf, na) = m.dim();
        let mut hidden = Vec::new();
        for a in 0..na {
            let mut f = 0;
            while f < nf {
                if m[[f, a]] {
                    let s = f;
                    while f < nf && m[[f, a]] {
                        f += 1;
                    }
                    hidden.push([a, s, f]);
                } else {
                    f += 1;
                }
            }
        }
        WindowMask {
            source: win.source.clone(),
            window: win.index,
            start_time: win.truth.timestamps_slice()[0],
            frames: nf,
            agents: win.truth.agents().iter().map(|a| a.id.clone()).collect(),
            hidden,
        }
    }

    /// Checks the mask was made for `win` (source, index, first time, frames, agents).
    pub fn check(&self, win: &EvalWindow) -> Result<()> {
        let same = self.source == win.source
            && self.window == win.index
            && (self.start_time - win.truth.timestamps_slice()[0]).abs() <= 1e-6
            && self.frames == win.truth.n_frames()
            && self.agents.len() == win.truth.n_agents()
            && self.agents.iter().zip(win.truth.agents()).all(|(a, b)| *a == b.id);
        let runs_ok = self.hidden.iter().all(|&[a, s, e]| a < self.agents.len() && s < e && e <= self.frames);
        if same && runs_ok {
            Ok(())
        } else {
            Err(ImputeError::Mask(format!(
                "mask for {} window {} does not fit the window (different data, --window, --hz or --ball?)",
                self.source, self.window
            )))
        }
    }

    /// The window's truth with the hidden entries unobserved (and `NaN`).
    /// Only observed entries are ever hidden.
    pub fn apply(&self, win: &EvalWindow) -> Result<TrackingData> {
        self.check(win)?;
        let truth = &win.truth;
        let mut pos = truth.positions().clone();
        let mut obs = truth.observed().clone();
        for &[a, s, e] in &self.hidden {
            for f in s..e {
                obs[[f, a]] = false;
                pos[[f, a, 0]] = f64::NAN;
                pos[[f, a, 1]] = f64::NAN;
            }
        }
        rebuild(truth, pos, obs, truth.agents().to_vec())
    }
}

/// Masks of every window for one seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedMasks {
    /// The seed.
    pub seed: u64,
    /// Hidden share of the masked (scored) entries over all windows.
    pub missing_rate: f64,
    /// One mask per window, in window order.
    pub windows: Vec<WindowMask>,
}

/// A saved set of masks: the parameters and one [`SeedMasks`] per seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MaskSet {
    /// [`MASK_FORMAT`].
    pub format: String,
    /// The pattern.
    pub kind: MaskKind,
    /// The requested rate (`None` for `camera` and `visibility`).
    pub rate: Option<f64>,
    /// Frames per window.
    pub window: usize,
    /// Resampling rate (`None`: native).
    pub hz: Option<f64>,
    /// Whether the ball was scored.
    pub include_ball: bool,
    /// The camera (for `camera`).
    pub camera: Option<BroadcastCamera>,
    /// The pattern's source (for `visibility`).
    pub visibility_source: Option<String>,
    /// Masks per seed.
    pub seeds: Vec<SeedMasks>,
}

impl MaskSet {
    /// Masks for every window and seed. Deterministic: window `w` of seed
    /// `s` draws from [`SplitMix64`] seeded with `s * 0x9E3779B97F4A7C15 + w`.
    pub fn generate(
        windows: &[EvalWindow],
        spec: &super::WindowSpec,
        params: &MaskParams,
        seeds: &[u64],
    ) -> Result<MaskSet> {
        if !(params.rate.is_finite() && (0.0..1.0).contains(&params.rate)) && params.kind.uses_rate() {
            return Err(ImputeError::InvalidParameter {
                name: "rate",
                reason: format!("must be in [0, 1), got {}", params.rate),
            });
        }
        if params.kind == MaskKind::Visibility && params.visibility.is_none() {
            return Err(ImputeError::Mask("the visibility mask needs a pattern (VisibilityPattern)".into()));
        }
        let mut out = Vec::with_capacity(seeds.len());
        for &seed in seeds {
            let mut masks = Vec::with_capacity(windows.len());
            let (mut hidden, mut total) = (0usize, 0usize);
            for (w, win) in windows.iter().enumerate() {
                let mut rng =
                    SplitMix64::new(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(w as u64));
                let m = window_mask(win, params, &mut rng);
                let wm = WindowMask::from_matrix(win, &m);
                hidden += wm.count();
                total += win.truth.n_frames() * masked_agents(win, params.kind).len();
                masks.push(wm);
            }
            out.push(SeedMasks { seed, missing_rate: hidden as f64 / total.max(1) as f64, windows: masks });
        }
        Ok(MaskSet {
            format: MASK_FORMAT.into(),
            kind: params.kind,
            rate: params.kind.uses_rate().then_some(params.rate),
            window: spec.len,
            hz: spec.hz,
            include_ball: spec.include_ball,
            camera: (params.kind == MaskKind::Camera).then_some(params.camera),
            visibility_source: params.visibility.as_ref().map(|v| v.source.clone()),
            seeds: out,
        })
    }

    /// JSON text.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| ImputeError::Mask(format!("cannot encode masks: {e}")))
    }

    /// Parses JSON written by [`MaskSet::to_json`]; checks the format tag and
    /// that every run is well formed.
    pub fn from_json(text: &str) -> Result<MaskSet> {
        let m: MaskSet =
            serde_json::from_str(text).map_err(|e| ImputeError::Mask(format!("not a mask file: {e}")))?;
        if m.format != MASK_FORMAT {
            return Err(ImputeError::Mask(format!("format {:?}, expected {MASK_FORMAT:?}", m.format)));
        }
        for s in &m.seeds {
            for w in &s.windows {
                if w.hidden.iter().any(|&[a, st, e]| a >= w.agents.len() || st >= e || e > w.frames) {
                    return Err(ImputeError::Mask(format!(
                        "seed {} window {} of {}: a hidden run is outside the window",
                        s.seed, w.window, w.source
                    )));
                }
            }
        }
        Ok(m)
    }

    /// Checks the set was made for exactly these windows and spec.
    pub fn check(&self, windows: &[EvalWindow], spec: &super::WindowSpec) -> Result<()> {
        if self.window != spec.len || self.hz != spec.hz || self.include_ball != spec.include_ball {
            return Err(ImputeError::Mask(format!(
                "masks were made with window {}, hz {:?}, ball {}; this run has window {}, hz {:?}, ball {}",
                self.window, self.hz, self.include_ball, spec.len, spec.hz, spec.include_ball
            )));
        }
        for s in &self.seeds {
            if s.windows.len() != windows.len() {
                return Err(ImputeError::Mask(format!(
                    "seed {}: {} window masks for {} windows",
                    s.seed,
                    s.windows.len(),
                    windows.len()
                )));
            }
            for (m, w) in s.windows.iter().zip(windows) {
                m.check(w)?;
            }
        }
        Ok(())
    }
}

/// Agents a mask may hide: the players, plus the ball when it is in the
/// window (it was kept only if scored), except for the camera, which always
/// shows the ball.
pub fn masked_agents(win: &EvalWindow, kind: MaskKind) -> Vec<usize> {
    (0..win.truth.n_agents())
        .filter(|&a| kind != MaskKind::Camera || win.truth.agents()[a].team != Team::Ball)
        .collect()
}

fn round_count(x: f64) -> usize {
    if x.is_finite() && x > 0.0 { x.round() as usize } else { 0 }
}

fn window_mask(win: &EvalWindow, p: &MaskParams, rng: &mut SplitMix64) -> Array2<bool> {
    let t = win.truth.n_frames();
    let agents = masked_agents(win, p.kind);
    let mut m = Array2::from_elem((t, win.truth.n_agents()), false);
    match p.kind {
        MaskKind::Uniform => {
            let miss = round_count(p.rate * t as f64).min(t.saturating_sub(2));
            if miss > 0 {
                let start = 1 + rng.below(t - miss - 1);
                for &a in &agents {
                    for f in start..start + miss {
                        m[[f, a]] = true;
                    }
                }
            }
        }
        MaskKind::Forecast => {
            let miss = round_count(p.rate * t as f64).min(t.saturating_sub(1));
            for &a in &agents {
                for f in t - miss..t {
                    m[[f, a]] = true;
                }
            }
        }
        MaskKind::Playerwise => {
            let n = agents.len();
            let cap = ((t as f64 - 10.0).max((0.9 * t as f64).ceil()) as usize).min(t.saturating_sub(2));
            let total = round_count(p.rate * (t * n) as f64).min(cap * n);
            let shares = split_shares(total, n, cap, rng);
            for (&a, &len) in agents.iter().zip(&shares) {
                if len == 0 {
                    continue;
                }
                // start in [1, cap - len + 1]: ends at cap + 1 <= t - 1 at the latest
                let start = 1 + rng.below(cap - len + 1);
                for f in start..start + len {
                    m[[f, a]] = true;
                }
            }
        }
        MaskKind::Camera => {
            for &a in &agents {
                for f in EDGE_FRAMES..t.saturating_sub(EDGE_FRAMES) {
                    let pt = [win.truth.positions()[[f, a, 0]], win.truth.positions()[[f, a, 1]]];
                    m[[f, a]] = !p.camera.sees(win.aim[f], pt);
                }
            }
        }
        MaskKind::Visibility => {
            if let Some(pat) = &p.visibility {
                let d = pat.duration();
                let offset = rng.uniform() * d;
                let np = pat.observed.len();
                let mut perm: Vec<usize> = (0..np).collect();
                for i in (1..np).rev() {
                    perm.swap(i, rng.below(i + 1));
                }
                let t0 = win.truth.timestamps_slice()[0];
                for (j, &a) in agents.iter().enumerate() {
                    let col = &pat.observed[perm[j % np]];
                    for f in EDGE_FRAMES..t.saturating_sub(EDGE_FRAMES) {
                        let tt = (offset + win.truth.timestamps_slice()[f] - t0).rem_euclid(d);
                        m[[f, a]] = !col[pat.frame_at(tt)];
                    }
                }
            }
        }
    }
    // never hide what was not observed (the truth is complete, but be safe)
    for ((f, a), h) in m.indexed_iter_mut() {
        *h = *h && win.truth.observed()[[f, a]];
    }
    m
}

/// MIDAS's split of `total` missing entries between `n` agents, each at
/// most `cap`: random breakpoints among the agents with room, overflow
/// redistributed until none is left.
fn split_shares(total: usize, n: usize, cap: usize, rng: &mut SplitMix64) -> Vec<usize> {
    let mut shares = vec![0usize; n];
    if n == 0 || cap == 0 {
        return shares;
    }
    let mut residue = total.min(cap * n);
    let mut rounds = 0;
    while residue > 0 && rounds < 1000 {
        rounds += 1;
        let open: Vec<usize> = (0..n).filter(|&i| shares[i] < cap).collect();
        if open.is_empty() {
            break;
        }
        let mut cuts: Vec<usize> = (0..open.len() - 1).map(|_| rng.below(residue + 1)).collect();
        cuts.push(0);
        cuts.push(residue);
        cuts.sort_unstable();
        for (k, &i) in open.iter().enumerate() {
            shares[i] += cuts[k + 1] - cuts[k];
        }
        residue = shares.iter().map(|&s| s.saturating_sub(cap)).sum();
        for s in &mut shares {
            *s = (*s).min(cap);
        }
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_shares_sums_and_caps() {
        let mut rng = SplitMix64::new(3);
        for (total, n, cap) in [(0, 5, 10), (17, 5, 10), (50, 5, 10), (1900, 10, 190), (1000, 22, 190)] {
            let s = split_shares(total, n, cap, &mut rng);
            assert_eq!(s.iter().sum::<usize>(), total, "{total} {n} {cap}");
            assert!(s.iter().all(|&v| v <= cap));
        }
    }
}
