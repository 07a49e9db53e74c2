//! Kick biomechanics at the strike frame, from COCO-17 keypoints and the ball.
//!
//! Pure 2-D geometry in image pixels (origin top-left, `y` down). Every
//! measurement carries the joints it used with their scores, the lowest of
//! those scores as its confidence, the range it is judged against (with the
//! source of that range) and a [`Flag`]. A joint whose score is below
//! [`KickConfig::min_score`] (or that is not finite) is never used: the
//! measurement is then [`Flag::Unreliable`] with `value: None` and a note
//! naming the joint.
//!
//! Definitions (see `docs/pose.md` for the sources of the default ranges):
//!
//! - **shooting foot**: the side whose ankle is nearest the ball centre.
//!   Ambiguous when the two distances differ by less than
//!   [`KickConfig::foot_ambiguity`] (ratio); a foot given in
//!   [`KickConfig::shooting_foot`] overrides the call.
//! - **knee flexion** (kicking leg): `180° - ∠(hip, knee, ankle)`, i.e. 0° for
//!   a straight leg, 90° for a right angle. The interior angle is also reported.
//! - **trunk lean**: the angle of the mid-hip → mid-shoulder segment from the
//!   image vertical, signed positive when the shoulders are displaced towards
//!   the ball's side of the hips ("over the ball") and negative when leaning
//!   back. Only meaningful for a roughly side-on camera: from the front it
//!   measures sideways lean instead.
//! - **hip drive**: the kicking-side hip flexion in the image plane, the angle
//!   between the trunk line continued downwards (mid-shoulder → mid-hip) and
//!   the kicking thigh (hip → knee), positive when the knee is carried towards
//!   the ball's side of the trunk line (thigh driven forward), negative when
//!   the thigh is still behind the trunk (hip extended). A 2-D proxy: pelvis
//!   rotation about the vertical axis is not observable from one view.
//! - **plant-foot distance**: from the non-kicking ankle to the ball centre,
//!   in ball diameters (from the ball's pixel diameter, or from
//!   [`KickConfig::metres_per_pixel`] and a 0.22 m size-5 ball), also in
//!   metres when a scale is known. Projected onto the image: depth is lost.

use serde::{Deserialize, Serialize};
use touchline_core::{CocoJoint, Keypoints};

use crate::error::{PoseError, Result};

/// Diameter of a size-5 football in metres (FIFA: circumference 68–70 cm).
pub const BALL_DIAMETER_M: f64 = 0.22;

/// Default minimum keypoint score: MoveNet's own suggested keypoint threshold
/// (`models/movenet_*/NOTES.md`: "keypoint score > ~0.3").
pub const DEFAULT_MIN_SCORE: f32 = 0.3;

/// A body side, from the player's point of view (COCO "left" is the person's left).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The player's left.
    Left,
    /// The player's right.
    Right,
}

impl Side {
    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }

    /// `(hip, knee, ankle)` of this side.
    pub fn leg(self) -> (CocoJoint, CocoJoint, CocoJoint) {
        match self {
            Side::Left => (CocoJoint::LeftHip, CocoJoint::LeftKnee, CocoJoint::LeftAnkle),
            Side::Right => (CocoJoint::RightHip, CocoJoint::RightKnee, CocoJoint::RightAnkle),
        }
    }
}

/// How a measurement compares with its good range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// Inside the range.
    Ok,
    /// Below the range.
    Low,
    /// Above the range.
    High,
    /// Not measurable with confidence (a joint below the score threshold, no
    /// scale, degenerate geometry); see the measurement's note.
    Unreliable,
}

/// Unit of a measurement's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Angle in degrees.
    Degrees,
    /// Multiples of the ball's diameter.
    BallDiameters,
}

/// The range a measurement is judged against, and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoodRange {
    /// Lower bound (inclusive).
    pub min: f64,
    /// Upper bound (inclusive).
    pub max: f64,
    /// Where the bounds come from; `heuristic: ...` when no published figure backs them.
    pub source: String,
}

impl GoodRange {
    /// A range with its source.
    pub fn new(min: f64, max: f64, source: impl Into<String>) -> GoodRange {
        GoodRange { min, max, source: source.into() }
    }

    /// `Low`, `Ok` or `High` for a finite value.
    pub fn judge(&self, v: f64) -> Flag {
        if v < self.min {
            Flag::Low
        } else if v > self.max {
            Flag::High
        } else {
            Flag::Ok
        }
    }

    fn validate(&self, what: &'static str) -> Result<()> {
        if !(self.min.is_finite() && self.max.is_finite() && self.min <= self.max) {
            return Err(PoseError::InvalidInput {
                what,
                reason: format!("range must be finite with min <= max, got [{}, {}]", self.min, self.max),
            });
        }
        Ok(())
    }
}

/// A joint used by a measurement, with its score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct JointUse {
    /// Which joint.
    pub joint: CocoJoint,
    /// Its keypoint score.
    pub score: f32,
}

/// One biomechanical measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// The value, `None` when it could not be measured reliably.
    pub value: Option<f64>,
    /// Unit of `value` and of `range`.
    pub unit: Unit,
    /// Lowest score among the joints used (0 when none could be used).
    pub confidence: f32,
    /// Verdict against `range`.
    pub flag: Flag,
    /// The range judged against.
    pub range: GoodRange,
    /// The joints this measurement needs, with their scores.
    pub joints: Vec<JointUse>,
    /// Why the measurement is unreliable, or a caveat.
    pub note: Option<String>,
}

impl Measurement {
    fn unreliable(unit: Unit, range: &GoodRange, joints: Vec<JointUse>, note: String) -> Measurement {
        let confidence = min_score(&joints);
        Measurement {
            value: None,
            unit,
            confidence,
            flag: Flag::Unreliable,
            range: range.clone(),
            joints,
            note: Some(note),
        }
    }

    fn measured(value: f64, unit: Unit, range: &GoodRange, joints: Vec<JointUse>) -> Measurement {
        let confidence = min_score(&joints);
        if !value.is_finite() {
            return Measurement::unreliable(unit, range, joints, "degenerate geometry".into());
        }
        Measurement {
            value: Some(value),
            unit,
            confidence,
            flag: range.judge(value),
            range: range.clone(),
            joints,
            note: None,
        }
    }
}

fn min_score(j: &[JointUse]) -> f32 {
    if j.is_empty() { 0.0 } else { j.iter().map(|u| u.score).fold(f32::INFINITY, f32::min) }
}

/// The ball at the strike frame, in frame pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BallObservation {
    /// Centre x.
    pub x: f64,
    /// Centre y.
    pub y: f64,
    /// Apparent diameter in pixels (e.g. the detector box width), if known.
    pub diameter_px: Option<f64>,
}

impl BallObservation {
    /// A ball at `(x, y)` of apparent diameter `diameter_px`.
    pub fn new(x: f64, y: f64, diameter_px: Option<f64>) -> BallObservation {
        BallObservation { x, y, diameter_px }
    }
}

/// Thresholds and good ranges. [`Default`] gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KickConfig {
    /// Keypoints scored below this are not used.
    pub min_score: f32,
    /// The shooting-foot call is ambiguous when `near / far` ankle-to-ball
    /// distance exceeds this ratio (both feet about as close).
    pub foot_ambiguity: f64,
    /// Force the shooting foot (when the user knows it); the ankle rule is then skipped.
    pub shooting_foot: Option<Side>,
    /// Scale of the frame near the ball, if known (e.g. from a homography).
    pub metres_per_pixel: Option<f64>,
    /// Kicking-knee flexion at contact, degrees.
    pub knee_flexion: GoodRange,
    /// Trunk lean from vertical at contact, degrees (positive = over the ball).
    pub trunk_lean: GoodRange,
    /// Kicking hip flexion (hip drive) at contact, degrees.
    pub hip_drive: GoodRange,
    /// Plant ankle to ball centre, ball diameters.
    pub plant_foot_distance: GoodRange,
}

impl Default for KickConfig {
    fn default() -> Self {
        KickConfig {
            min_score: DEFAULT_MIN_SCORE,
            foot_ambiguity: 0.85,
            shooting_foot: None,
            metres_per_pixel: None,
            knee_flexion: GoodRange::new(
                10.0,
                50.0,
                "heuristic: numeric bounds are ours; direction only from Kellis & Katis 2007 \
                 (J Sports Sci Med 6:154-165: the shank is accelerated forward by the knee extensor \
                 moment, so the knee is still extending, not yet straight, as the foot reaches the ball)",
            ),
            trunk_lean: GoodRange::new(
                -15.0,
                20.0,
                "heuristic: coaching rule of a trunk roughly upright to slightly over the ball; \
                 no published 2-D image-plane figure used",
            ),
            hip_drive: GoodRange::new(
                0.0,
                45.0,
                "heuristic: numeric bounds are ours; direction only from the proximal-to-distal \
                 sequence (Kellis & Katis 2007: angular velocity peaks in the thigh, then the shank, \
                 then the foot), so the thigh is already forward of the trunk at contact",
            ),
            plant_foot_distance: GoodRange::new(
                0.9,
                1.8,
                "Ou, Lei & Cheng, 'Effect of support foot placement on football instep kick \
                 performance': highest ball speed and accuracy with the support foot next to or \
                 slightly in front of the ball centre, side separation 27-37 cm (1.2-1.7 ball \
                 diameters); widened to 0.9-1.8 as a heuristic for ankle keypoints and 2-D projection",
            ),
        }
    }
}

impl KickConfig {
    fn validate(&self) -> Result<()> {
        if !(self.min_score.is_finite() && (0.0..=1.0).contains(&self.min_score)) {
            return Err(PoseError::InvalidInput {
                what: "min_score",
                reason: format!("must be in 0..=1, got {}", self.min_score),
            });
        }
        if !(self.foot_ambiguity.is_finite() && self.foot_ambiguity > 0.0 && self.foot_ambiguity <= 1.0) {
            return Err(PoseError::InvalidInput {
                what: "foot_ambiguity",
                reason: format!("must be in (0, 1], got {}", self.foot_ambiguity),
            });
        }
        if let Some(s) = self.metres_per_pixel
            && !(s.is_finite() && s > 0.0)
        {
            return Err(PoseError::InvalidInput {
                what: "metres_per_pixel",
                reason: format!("must be finite and > 0, got {s}"),
            });
        }
        self.knee_flexion.validate("knee_flexion range")?;
        self.trunk_lean.validate("trunk_lean range")?;
        self.hip_drive.validate("hip_drive range")?;
        self.plant_foot_distance.validate("plant_foot_distance range")
    }
}

/// Which foot struck the ball, and how sure we are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FootCall {
    /// The shooting foot, `None` when it cannot be told.
    pub foot: Option<Side>,
    /// `Ok` for a clear call, `Unreliable` when an ankle is missing or the call is ambiguous.
    pub flag: Flag,
    /// Left ankle to ball centre, pixels (when the ankle is confident).
    pub left_ankle_to_ball_px: Option<f64>,
    /// Right ankle to ball centre, pixels (when the ankle is confident).
    pub right_ankle_to_ball_px: Option<f64>,
    /// Lowest score of the ankles used.
    pub confidence: f32,
    /// `true` when the foot was given in [`KickConfig::shooting_foot`].
    pub from_config: bool,
    /// Why the call is unreliable, or how it was made.
    pub note: Option<String>,
}

/// All measurements at the strike frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KickAnalysis {
    /// Shooting foot.
    pub shooting_foot: FootCall,
    /// Kicking-knee flexion, `180 - interior angle`, degrees.
    pub knee_flexion: Measurement,
    /// Interior hip-knee-ankle angle of the kicking leg, degrees (180 = straight).
    pub knee_interior_angle: Option<f64>,
    /// Trunk lean from vertical, degrees, positive towards the ball.
    pub trunk_lean: Measurement,
    /// Kicking hip flexion in the image plane, degrees, positive = thigh forward.
    pub hip_drive: Measurement,
    /// Plant ankle to ball centre, ball diameters.
    pub plant_foot_distance: Measurement,
    /// The same distance in metres, when a scale is known.
    pub plant_foot_distance_m: Option<f64>,
    /// The score threshold used.
    pub min_score: f32,
}

struct View<'a> {
    k: &'a Keypoints,
    min: f32,
}

impl View<'_> {
    fn uses(&self, joints: &[CocoJoint]) -> Vec<JointUse> {
        joints.iter().map(|&j| JointUse { joint: j, score: self.k.get(j).score }).collect()
    }

    /// All joints' positions, or the name of the first unusable one.
    fn points<const N: usize>(&self, joints: [CocoJoint; N]) -> std::result::Result<[[f64; 2]; N], String> {
        let mut out = [[0.0; 2]; N];
        for (o, j) in out.iter_mut().zip(joints) {
            let v = self.k.get(j);
            match self.k.confident(j, self.min) {
                Some([x, y]) => *o = [f64::from(x), f64::from(y)],
                None if !(v.x.is_finite() && v.y.is_finite()) => {
                    return Err(format!("{} has a non-finite position", j.name()));
                }
                None => {
                    return Err(format!("{} score {:.2} is below {:.2}", j.name(), v.score, self.min));
                }
            }
        }
        Ok(out)
    }
}

/// Angle at `b` between `b->a` and `b->c`, degrees in `0..=180`; NaN when a
/// segment has zero length.
pub fn interior_angle(a: [f64; 2], b: [f64; 2], c: [f64; 2]) -> f64 {
    let u = [a[0] - b[0], a[1] - b[1]];
    let v = [c[0] - b[0], c[1] - b[1]];
    let (nu, nv) = (u[0].hypot(u[1]), v[0].hypot(v[1]));
    if nu == 0.0 || nv == 0.0 {
        return f64::NAN;
    }
    let cos = ((u[0] * v[0] + u[1] * v[1]) / (nu * nv)).clamp(-1.0, 1.0);
    cos.acos().to_degrees()
}

fn mid(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [(a[0] + b[0]) / 2.0, (a[1] + b[1]) / 2.0]
}

fn dist(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// `+1` when the ball is at or right of `x` in the image, else `-1`.
fn ball_side(ball: &BallObservation, x: f64) -> f64 {
    if ball.x >= x { 1.0 } else { -1.0 }
}

/// Measures the kick. `keypoints` and `ball` are in the same frame's pixels.
///
/// ```
/// use touchline_core::{CocoJoint as J, Joint, Keypoints};
/// use touchline_pose::biomech::{analyze_kick, BallObservation, Flag, KickConfig, Side};
///
/// // A right-footed strike seen side-on, ball to the right of the player.
/// let mut k = Keypoints::default();
/// let mut put = |j, x, y| k.set(j, Joint { x, y, score: 0.9 });
/// put(J::LeftShoulder, 100.0, 100.0);  put(J::RightShoulder, 100.0, 100.0);
/// put(J::LeftHip, 100.0, 200.0);       put(J::RightHip, 100.0, 200.0);
/// put(J::LeftKnee, 100.0, 300.0);      put(J::LeftAnkle, 100.0, 400.0);   // plant leg, straight
/// put(J::RightKnee, 150.0, 286.6);     put(J::RightAnkle, 150.0, 386.6);  // thigh 30° forward, shank vertical
/// let ball = BallObservation::new(160.0, 395.0, Some(25.0));
/// let a = analyze_kick(&k, &ball, &KickConfig::default())?;
/// assert_eq!(a.shooting_foot.foot, Some(Side::Right));
/// assert!((a.knee_flexion.value.unwrap() - 30.0).abs() < 0.1);
/// assert!((a.hip_drive.value.unwrap() - 30.0).abs() < 0.1);
/// assert_eq!(a.trunk_lean.value, Some(0.0));
/// assert_eq!(a.knee_flexion.flag, Flag::Ok);
/// # Ok::<(), touchline_pose::PoseError>(())
/// ```
pub fn analyze_kick(
    keypoints: &Keypoints,
    ball: &BallObservation,
    config: &KickConfig,
) -> Result<KickAnalysis> {
    config.validate()?;
    if !(ball.x.is_finite() && ball.y.is_finite()) {
        return Err(PoseError::InvalidInput {
            what: "ball",
            reason: format!("centre must be finite, got ({}, {})", ball.x, ball.y),
        });
    }
    if let Some(d) = ball.diameter_px
        && !(d.is_finite() && d > 0.0)
    {
        return Err(PoseError::InvalidInput {
            what: "ball",
            reason: format!("diameter must be finite and > 0 pixels, got {d}"),
        });
    }
    let v = View { k: keypoints, min: config.min_score };
    let shooting_foot = call_foot(&v, ball, config);
    let kick = shooting_foot.foot;

    // Knee flexion.
    let (knee_flexion, knee_interior_angle) = match kick {
        None => (
            Measurement::unreliable(
                Unit::Degrees,
                &config.knee_flexion,
                vec![],
                "shooting foot unknown".into(),
            ),
            None,
        ),
        Some(s) => {
            let (h, kn, a) = s.leg();
            let uses = v.uses(&[h, kn, a]);
            match v.points([h, kn, a]) {
                Err(e) => (Measurement::unreliable(Unit::Degrees, &config.knee_flexion, uses, e), None),
                Ok([ph, pk, pa]) => {
                    let inner = interior_angle(ph, pk, pa);
                    let m = Measurement::measured(180.0 - inner, Unit::Degrees, &config.knee_flexion, uses);
                    (m, inner.is_finite().then_some(inner))
                }
            }
        }
    };

    // Trunk: mid-hip -> mid-shoulder against the image vertical.
    let trunk_joints =
        [CocoJoint::LeftShoulder, CocoJoint::RightShoulder, CocoJoint::LeftHip, CocoJoint::RightHip];
    let trunk = v.points(trunk_joints).map(|[ls, rs, lh, rh]| (mid(ls, rs), mid(lh, rh)));
    let trunk_lean = match &trunk {
        Err(e) => {
            Measurement::unreliable(Unit::Degrees, &config.trunk_lean, v.uses(&trunk_joints), e.clone())
        }
        Ok((sh, hip)) => {
            let (dx, up) = (sh[0] - hip[0], hip[1] - sh[1]);
            let value = if dx == 0.0 && up == 0.0 {
                f64::NAN
            } else {
                dx.atan2(up).to_degrees() * ball_side(ball, hip[0])
            };
            Measurement::measured(value, Unit::Degrees, &config.trunk_lean, v.uses(&trunk_joints))
        }
    };

    // Hip drive: trunk line continued down vs the kicking thigh.
    let hip_drive = match (kick, &trunk) {
        (None, _) => {
            Measurement::unreliable(Unit::Degrees, &config.hip_drive, vec![], "shooting foot unknown".into())
        }
        (Some(s), trunk) => {
            let (h, kn, _) = s.leg();
            let mut joints = trunk_joints.to_vec();
            joints.push(kn);
            let uses = v.uses(&joints);
            match (trunk.as_ref().map_err(String::as_str), v.points([h, kn])) {
                (Err(e), _) => Measurement::unreliable(Unit::Degrees, &config.hip_drive, uses, e.to_string()),
                (_, Err(e)) => Measurement::unreliable(Unit::Degrees, &config.hip_drive, uses, e),
                (Ok((sh, hip)), Ok([ph, pk])) => {
                    let d = [hip[0] - sh[0], hip[1] - sh[1]];
                    let u = [pk[0] - ph[0], pk[1] - ph[1]];
                    let angle = interior_angle([d[0], d[1]], [0.0, 0.0], [u[0], u[1]]);
                    // Cross product sign: for a trunk pointing straight down, -cross = u.x.
                    let forward = -(d[0] * u[1] - d[1] * u[0]) * ball_side(ball, hip[0]);
                    let value = if forward < 0.0 { -angle } else { angle };
                    Measurement::measured(value, Unit::Degrees, &config.hip_drive, uses)
                }
            }
        }
    };

    // Plant foot distance.
    let scale_diam = ball.diameter_px.or(config.metres_per_pixel.map(|m| BALL_DIAMETER_M / m));
    let (plant_foot_distance, plant_foot_distance_m) = match kick {
        None => (
            Measurement::unreliable(
                Unit::BallDiameters,
                &config.plant_foot_distance,
                vec![],
                "shooting foot unknown".into(),
            ),
            None,
        ),
        Some(s) => {
            let (_, _, ankle) = s.other().leg();
            let uses = v.uses(&[ankle]);
            match (v.points([ankle]), scale_diam) {
                (Err(e), _) => {
                    (Measurement::unreliable(Unit::BallDiameters, &config.plant_foot_distance, uses, e), None)
                }
                (Ok(_), None) => (
                    Measurement::unreliable(
                        Unit::BallDiameters,
                        &config.plant_foot_distance,
                        uses,
                        "no scale: give the ball's pixel diameter or metres_per_pixel".into(),
                    ),
                    None,
                ),
                (Ok([pa]), Some(diam_px)) => {
                    let d_px = dist(pa, [ball.x, ball.y]);
                    let diam = d_px / diam_px;
                    let metres = match config.metres_per_pixel {
                        Some(m) => d_px * m,
                        None => diam * BALL_DIAMETER_M,
                    };
                    let m =
                        Measurement::measured(diam, Unit::BallDiameters, &config.plant_foot_distance, uses);
                    (m, Some(metres))
                }
            }
        }
    };

    Ok(KickAnalysis {
        shooting_foot,
        knee_flexion,
        knee_interior_angle,
        trunk_lean,
        hip_drive,
        plant_foot_distance,
        plant_foot_distance_m,
        min_score: config.min_score,
    })
}

fn call_foot(v: &View<'_>, ball: &BallObservation, config: &KickConfig) -> FootCall {
    let b = [ball.x, ball.y];
    let la = v.points([CocoJoint::LeftAnkle]).map(|[p]| dist(p, b));
    let ra = v.points([CocoJoint::RightAnkle]).map(|[p]| dist(p, b));
    let (ls, rs) = (v.k.get(CocoJoint::LeftAnkle).score, v.k.get(CocoJoint::RightAnkle).score);
    let mut call = FootCall {
        foot: None,
        flag: Flag::Unreliable,
        left_ankle_to_ball_px: la.as_ref().ok().copied(),
        right_ankle_to_ball_px: ra.as_ref().ok().copied(),
        confidence: ls.min(rs),
        from_config: false,
        note: None,
    };
    if let Some(s) = config.shooting_foot {
        call.foot = Some(s);
        call.flag = Flag::Ok;
        call.from_config = true;
        call.confidence = 1.0;
        call.note = Some("given by the caller".into());
        return call;
    }
    match (la, ra) {
        (Err(e), _) | (_, Err(e)) => call.note = Some(format!("cannot compare ankles: {e}")),
        (Ok(l), Ok(r)) => {
            let (near, far, side) = if l <= r { (l, r, Side::Left) } else { (r, l, Side::Right) };
            if far > 0.0 && near / far > config.foot_ambiguity {
                call.note = Some(format!(
                    "ambiguous: ankles {l:.1} px (left) and {r:.1} px (right) from the ball, ratio {:.2} > {:.2}",
                    near / far,
                    config.foot_ambiguity
                ));
            } else {
                call.foot = Some(side);
                call.flag = Flag::Ok;
            }
        }
    }
    call
}
