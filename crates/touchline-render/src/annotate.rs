//! The [`Annotator`]: boxes, ids, team colours, ball trail, banners, skeletons.

use std::collections::VecDeque;

use image::{Rgb, RgbImage};
use touchline_core::{BBox, CocoJoint, Detection, Keypoints, Label, Team, Track};

use crate::draw;
use crate::error::{RenderError, Result};
use crate::font;

/// Colours per [`Team`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Palette {
    /// Home players.
    pub home: Rgb<u8>,
    /// Away players.
    pub away: Rgb<u8>,
    /// The ball and its trail.
    pub ball: Rgb<u8>,
    /// Referees and other officials.
    pub officials: Rgb<u8>,
    /// Anyone not yet assigned to a team.
    pub unknown: Rgb<u8>,
}

impl Default for Palette {
    /// Red home, blue away, yellow ball, black officials, light grey unknown: all readable on grass.
    fn default() -> Self {
        Palette {
            home: Rgb([230, 40, 55]),
            away: Rgb([30, 110, 240]),
            ball: Rgb([255, 215, 0]),
            officials: Rgb([25, 25, 25]),
            unknown: Rgb([210, 210, 210]),
        }
    }
}

impl Palette {
    /// The colour of `team`.
    pub fn color(&self, team: Team) -> Rgb<u8> {
        match team {
            Team::Home => self.home,
            Team::Away => self.away,
            Team::Ball => self.ball,
            Team::Officials => self.officials,
            Team::Unknown => self.unknown,
        }
    }
}

/// How an [`Annotator`] draws.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnnotatorConfig {
    /// Team colours.
    pub palette: Palette,
    /// Width of box borders, skeleton bones and the trail, in pixels (`1..=32`).
    pub line_width: u32,
    /// Scale of the built-in 5x7 font: a glyph is `5*scale x 7*scale` pixels (`1..=8`).
    pub font_scale: u32,
    /// How many frames of ball positions a [`BallTrail`] made by [`Annotator::new_trail`] keeps.
    pub trail_length: usize,
    /// Joints scoring below this are drawn hollow and grey, and no bone is drawn to them (`0..=1`).
    pub min_joint_score: f32,
    /// Colour of confident skeleton bones and joints.
    pub skeleton: Rgb<u8>,
    /// Colour of low-confidence joints and of labels about them.
    pub low_confidence: Rgb<u8>,
}

impl Default for AnnotatorConfig {
    fn default() -> Self {
        AnnotatorConfig {
            palette: Palette::default(),
            line_width: 2,
            font_scale: 2,
            trail_length: 25,
            min_joint_score: 0.3,
            skeleton: Rgb([0, 230, 255]),
            low_confidence: Rgb([150, 150, 150]),
        }
    }
}

/// The COCO-17 bones drawn by [`Annotator::draw_skeleton`].
pub const SKELETON_BONES: [(CocoJoint, CocoJoint); 16] = {
    use CocoJoint::*;
    [
        (Nose, LeftEye),
        (Nose, RightEye),
        (LeftEye, LeftEar),
        (RightEye, RightEar),
        (LeftShoulder, RightShoulder),
        (LeftShoulder, LeftElbow),
        (LeftElbow, LeftWrist),
        (RightShoulder, RightElbow),
        (RightElbow, RightWrist),
        (LeftShoulder, LeftHip),
        (RightShoulder, RightHip),
        (LeftHip, RightHip),
        (LeftHip, LeftKnee),
        (LeftKnee, LeftAnkle),
        (RightHip, RightKnee),
        (RightKnee, RightAnkle),
    ]
};

/// The last few ball positions, one slot per frame (`None` where the ball was not seen).
#[derive(Debug, Clone, PartialEq)]
pub struct BallTrail {
    capacity: usize,
    points: VecDeque<Option<[f32; 2]>>,
}

impl BallTrail {
    /// An empty trail keeping `capacity` frames.
    pub fn new(capacity: usize) -> Self {
        BallTrail { capacity, points: VecDeque::with_capacity(capacity.min(4096)) }
    }

    /// The trail of a ball track over the `capacity` frames ending at `frame` (inclusive),
    /// from the centres of its boxes. Points must be in increasing frame order, as
    /// [`Track`] documents.
    pub fn from_track(track: &Track, frame: usize, capacity: usize) -> Self {
        let mut trail = BallTrail::new(capacity);
        let first = frame.saturating_sub(capacity.saturating_sub(1));
        let start = track.points.partition_point(|p| p.frame < first);
        let mut pts = track.points[start..].iter().take_while(|p| p.frame <= frame).peekable();
        for f in first..=frame {
            let mut here = None;
            while let Some(p) = pts.next_if(|p| p.frame <= f) {
                if p.frame == f {
                    here = Some(p.bbox.center());
                }
            }
            if capacity > 0 {
                trail.push(here);
            }
        }
        trail
    }

    /// Adds the next frame's ball position (`None`: not seen); the oldest falls off when full.
    pub fn push(&mut self, position: Option<[f32; 2]>) {
        if self.capacity == 0 {
            return;
        }
        if self.points.len() == self.capacity {
            self.points.pop_front();
        }
        self.points.push_back(position);
    }

    /// Forgets every position (e.g. at a scene cut).
    pub fn clear(&mut self) {
        self.points.clear();
    }

    /// Positions oldest first.
    pub fn points(&self) -> impl ExactSizeIterator<Item = Option<[f32; 2]>> + '_ {
        self.points.iter().copied()
    }

    /// Frames kept at most.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

/// Draws annotations onto frames. Every `draw_*` function takes plain inputs, clips to the
/// image and never panics: boxes partly or wholly outside, NaN or infinite coordinates and
/// scores simply draw less (or nothing).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Annotator {
    config: AnnotatorConfig,
}

fn invalid(name: &'static str, reason: String) -> RenderError {
    RenderError::InvalidParameter { name, reason }
}

impl Annotator {
    /// An annotator after checking `config`'s ranges.
    pub fn new(config: AnnotatorConfig) -> Result<Self> {
        if !(1..=32).contains(&config.line_width) {
            return Err(invalid("line_width", format!("must be 1..=32 pixels, got {}", config.line_width)));
        }
        if !(1..=8).contains(&config.font_scale) {
            return Err(invalid("font_scale", format!("must be 1..=8, got {}", config.font_scale)));
        }
        if !(0.0..=1.0).contains(&config.min_joint_score) {
            return Err(invalid(
                "min_joint_score",
                format!("must be in 0..=1, got {}", config.min_joint_score),
            ));
        }
        if config.trail_length > 100_000 {
            return Err(invalid(
                "trail_length",
                format!("must be at most 100000, got {}", config.trail_length),
            ));
        }
        Ok(Annotator { config })
    }

    /// The configuration in use.
    pub fn config(&self) -> &AnnotatorConfig {
        &self.config
    }

    /// An empty [`BallTrail`] of the configured length.
    pub fn new_trail(&self) -> BallTrail {
        BallTrail::new(self.config.trail_length)
    }

    fn lw(&self) -> f32 {
        self.config.line_width as f32
    }

    /// A box outline in `color` with an optional label above its top-left corner
    /// (inside the box when there is no room above).
    pub fn draw_box(&self, img: &mut RgbImage, bbox: &BBox, color: Rgb<u8>, label: Option<&str>) {
        let b = [bbox.x1, bbox.y1, bbox.x2, bbox.y2];
        if !b.iter().all(|v| v.is_finite()) || bbox.x2 < bbox.x1 || bbox.y2 < bbox.y1 {
            return;
        }
        draw::rect_outline(img, b, self.lw(), color);
        if let Some(text) = label.filter(|t| !t.is_empty()) {
            let (_, th) = font::text_size(text, self.config.font_scale);
            let lh = th as f32 + 4.0 * self.config.font_scale as f32;
            let y = if bbox.y1 - lh >= 0.0 { bbox.y1 - lh } else { bbox.y1 };
            // Only for boxes at least partly in the image; the label is then kept inside.
            if bbox.x2 > 0.0 && bbox.x1 < img.width() as f32 && bbox.y2 > 0.0 && bbox.y1 < img.height() as f32
            {
                draw::label(img, bbox.x1, y, text, self.config.font_scale, color);
            }
        }
    }

    /// A ring around the ball (radius from the box) in the palette's ball colour.
    pub fn draw_ball(&self, img: &mut RgbImage, bbox: &BBox) {
        let c = bbox.center();
        let r = bbox.width().max(bbox.height()) / 2.0 + 2.0 + self.lw();
        draw::ring(img, c, r, self.config.line_width, self.config.palette.ball);
    }

    /// One detection: a ball ring for [`Label::Ball`], otherwise a box in `team`'s colour
    /// labelled with its track id (`#7`) or, without one, its label and score.
    pub fn draw_detection(&self, img: &mut RgbImage, det: &Detection, team: Team) {
        if det.label == Label::Ball || team == Team::Ball {
            self.draw_ball(img, &det.bbox);
            return;
        }
        let text = match det.track_id {
            Some(id) => format!("#{id}"),
            None => {
                let pct =
                    if det.score.is_finite() { (det.score.clamp(0.0, 1.0) * 100.0).round() } else { 0.0 };
                format!("{} {pct:.0}%", label_name(&det.label))
            }
        };
        self.draw_box(img, &det.bbox, self.config.palette.color(team), Some(&text));
    }

    /// A track's box at `frame`, if the track has a point there; returns whether it had one.
    /// Ball tracks (label or team) are drawn as a ring, others as a box labelled `#id`.
    pub fn draw_track(&self, img: &mut RgbImage, track: &Track, frame: usize) -> bool {
        let Ok(i) = track.points.binary_search_by_key(&frame, |p| p.frame) else {
            return false;
        };
        let p = &track.points[i];
        if track.label == Label::Ball || track.team == Team::Ball {
            self.draw_ball(img, &p.bbox);
        } else {
            let text = format!("#{}", track.id);
            self.draw_box(img, &p.bbox, self.config.palette.color(track.team), Some(&text));
        }
        true
    }

    /// Every track present at `frame`; returns how many were drawn.
    pub fn draw_tracks(&self, img: &mut RgbImage, tracks: &[Track], frame: usize) -> usize {
        tracks.iter().filter(|t| self.draw_track(img, t, frame)).count()
    }

    /// A fading ball trail: older positions fainter and smaller; no line across frames
    /// where the ball was not seen.
    pub fn draw_trail(&self, img: &mut RgbImage, trail: &BallTrail) {
        let pts: Vec<Option<[f32; 2]>> = trail.points().collect();
        self.draw_trail_points(img, &pts);
    }

    /// [`draw_trail`](Self::draw_trail) from a plain slice, oldest first.
    pub fn draw_trail_points(&self, img: &mut RgbImage, points: &[Option<[f32; 2]>]) {
        let n = points.len();
        let color = self.config.palette.ball;
        let age = |i: usize| (i + 1) as f32 / n as f32;
        for i in 1..n {
            if let (Some(a), Some(b)) = (points[i - 1], points[i]) {
                let f = age(i);
                draw::segment(img, a, b, self.lw() * (0.5 + 0.5 * f), color, 0.2 + 0.7 * f);
            }
        }
        for (i, p) in points.iter().enumerate() {
            if let Some(p) = p {
                let f = age(i);
                let r = self.lw() * (0.6 + 0.9 * f);
                draw::disc(img, *p, r, color, 0.25 + 0.75 * f);
            }
        }
    }

    /// `POSSESSION HOME #7` in the top-left corner on the team's colour (`#id` only when given).
    pub fn draw_possession(&self, img: &mut RgbImage, team: Team, player: Option<u64>) {
        let mut text = format!("POSSESSION {}", team.as_str());
        if let Some(id) = player {
            text.push_str(&format!(" #{id}"));
        }
        let m = 4.0 * self.config.font_scale as f32;
        draw::label(img, m, m, &text, self.config.font_scale, self.config.palette.color(team));
    }

    /// A line of text in the bottom-left corner (frame number, time, clip name...).
    pub fn draw_caption(&self, img: &mut RgbImage, text: &str) {
        let m = 4.0 * self.config.font_scale as f32;
        draw::label(img, m, img.height() as f32, text, self.config.font_scale, Rgb([20, 20, 20]));
    }

    /// A large banner centred near the top: `text` at twice the font scale on `color`.
    pub fn draw_banner(&self, img: &mut RgbImage, text: &str, color: Rgb<u8>) {
        let scale = (self.config.font_scale * 2).min(16);
        let (tw, _) = font::text_size(text, scale);
        let bw = tw as f32 + 4.0 * scale as f32;
        let x = (img.width() as f32 - bw) / 2.0;
        let y = img.height() as f32 * 0.08;
        draw::label(img, x, y, text, scale, color);
    }

    /// The goal moment: a gold `GOAL!` banner, followed by `detail` when given (e.g. `12.4 S`).
    pub fn draw_goal_banner(&self, img: &mut RgbImage, detail: Option<&str>) {
        let text = match detail {
            Some(d) if !d.is_empty() => format!("GOAL! {d}"),
            _ => "GOAL!".to_string(),
        };
        self.draw_banner(img, &text, Rgb([255, 200, 0]));
    }

    /// A COCO-17 skeleton: bones between joints scoring at least `min_joint_score` in
    /// `skeleton` colour, confident joints as filled dots, low-confidence joints as hollow grey
    /// rings, non-finite joints not at all.
    pub fn draw_skeleton(&self, img: &mut RgbImage, kp: &Keypoints) {
        let min = self.config.min_joint_score;
        for (a, b) in SKELETON_BONES {
            if let (Some(pa), Some(pb)) = (kp.confident(a, min), kp.confident(b, min)) {
                draw::segment(img, pa, pb, self.lw(), self.config.skeleton, 1.0);
            }
        }
        let r = self.lw() + 2.0;
        for j in CocoJoint::ALL {
            let v = kp.get(j);
            if !(v.x.is_finite() && v.y.is_finite()) {
                continue;
            }
            if kp.confident(j, min).is_some() {
                draw::disc(img, [v.x, v.y], r, Rgb([20, 20, 20]), 1.0);
                draw::disc(img, [v.x, v.y], r - 1.0, self.config.skeleton, 1.0);
            } else {
                draw::ring(img, [v.x, v.y], r, 2, self.config.low_confidence);
            }
        }
    }

    /// An angle label next to `joint` (on the outer side of the body): `"{name} {degrees}°"`
    /// (e.g. `KNEE 35°`), on the
    /// skeleton colour, or grey with a `?` when the joint is below `min_joint_score` or the
    /// angle is not finite. Returns `false` (nothing drawn) when the joint's position is not finite.
    pub fn draw_joint_angle(
        &self,
        img: &mut RgbImage,
        kp: &Keypoints,
        joint: CocoJoint,
        name: &str,
        degrees: f32,
    ) -> bool {
        let v = kp.get(joint);
        if !(v.x.is_finite() && v.y.is_finite()) {
            return false;
        }
        let confident = kp.confident(joint, self.config.min_joint_score).is_some();
        let text = if degrees.is_finite() {
            format!("{name} {:.0}°{}", degrees, if confident { "" } else { "?" })
        } else {
            format!("{name} ?")
        };
        let bg =
            if confident && degrees.is_finite() { self.config.skeleton } else { self.config.low_confidence };
        let scale = self.config.font_scale;
        let (tw, th) = font::text_size(&text, scale);
        let (bw, bh) = (tw as f32 + 4.0 * scale as f32, th as f32 + 4.0 * scale as f32);
        // Put the label on the outer side of the body (away from the mean of the confident
        // joints), so it covers the other limbs as little as possible.
        let min = self.config.min_joint_score;
        let (mut sum, mut n) = (0.0f32, 0u32);
        for j in CocoJoint::ALL {
            if let Some(p) = kp.confident(j, min).filter(|_| j != joint) {
                sum += p[0] - v.x;
                n += 1;
            }
        }
        let off = self.lw() + 6.0;
        let right = !(n > 0 && sum / n as f32 > 0.5);
        let x = if right { v.x + off } else { v.x - off - bw };
        // Vertically, stay clear of bones leaving the joint towards the label's side.
        let mut dy = 0.0f32;
        for (a, b) in SKELETON_BONES {
            let other = if a == joint {
                b
            } else if b == joint {
                a
            } else {
                continue;
            };
            if let Some(p) = kp.confident(other, min).filter(|p| (p[0] > v.x) == right) {
                dy += p[1] - v.y;
            }
        }
        let y = if dy > 0.5 {
            v.y - bh
        } else if dy < -0.5 {
            v.y
        } else {
            v.y - bh / 2.0
        };
        draw::label(img, x, y, &text, scale, bg);
        true
    }

    /// Free text on a filled box with its top-left at `(x, y)`, kept inside the image;
    /// black or white text, whichever reads better on `bg`.
    pub fn draw_label(&self, img: &mut RgbImage, x: f32, y: f32, text: &str, bg: Rgb<u8>) {
        draw::label(img, x, y, text, self.config.font_scale, bg);
    }
}

/// Short upper-case name of a label for box captions.
fn label_name(label: &Label) -> String {
    match label {
        Label::Person => "PERSON".into(),
        Label::Player => "PLAYER".into(),
        Label::Goalkeeper => "GK".into(),
        Label::Referee => "REF".into(),
        Label::Ball => "BALL".into(),
        Label::Goal => "GOAL".into(),
        Label::Hoop => "HOOP".into(),
        Label::Other(s) => s.chars().take(16).collect::<String>().to_uppercase(),
    }
}
