//! A virtual broadcast camera: which ground points a main-camera shot
//! aimed at the ball would show.
//!
//! The camera of the MIDAS `camera` mask (Choi et al. 2025, code
//! `models/utils.py::compute_camera_coverage`): 20 m behind the near
//! touchline at the halfway line, 20 m up, 30 degree horizontal field of
//! view, a 16:9 image, aimed at the ball every frame. MIDAS approximates the
//! view on the ground by a trapezoid; here it is an ideal pinhole camera,
//! so a ground point is visible exactly when it projects inside the image.
//!
//! Coordinates are Touchline's: metres, pitch-centre origin, `y` up, so the
//! near touchline is `y = -width / 2` and the camera stands at
//! `(0, -width / 2 - distance, height)`.
//!
//! ```
//! use touchline_impute::eval::BroadcastCamera;
//! let cam = BroadcastCamera::football(68.0);
//! let aim = [10.0, 5.0];
//! assert!(cam.sees(aim, aim));                 // the aim point is the image centre
//! assert!(!cam.sees(aim, [45.0, 5.0]));        // 35 m to the side: out of shot
//! assert!(cam.sees([0.0, 0.0], [0.0, 30.0]));  // far side of the pitch behind the centre spot
//! assert!(!cam.sees([0.0, -30.0], [0.0, 20.0])); // far behind a point near the camera
//! ```

use serde::{Deserialize, Serialize};

/// A pinhole camera on a pole beside the pitch, aimed at a ground point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BroadcastCamera {
    /// Camera position along the touchline (`x`, metres; 0 = halfway line).
    pub x: f64,
    /// Camera position across the pitch (`y`, metres; negative = behind the near touchline).
    pub y: f64,
    /// Height above the ground (metres, > 0).
    pub height: f64,
    /// Horizontal field of view (degrees, in `(0, 180)`).
    pub hfov_deg: f64,
    /// Image width / height (16 / 9 for broadcast).
    pub aspect: f64,
}

impl BroadcastCamera {
    /// MIDAS's camera for a pitch `width` metres wide: at the halfway line,
    /// 20 m behind the near touchline, 20 m high, 30 degrees, 16:9.
    pub fn football(width: f64) -> BroadcastCamera {
        BroadcastCamera { x: 0.0, y: -width / 2.0 - 20.0, height: 20.0, hfov_deg: 30.0, aspect: 16.0 / 9.0 }
    }

    /// Whether the camera, aimed at the ground point `aim`, shows the ground
    /// point `p`: `p` is in front of the camera and its projection lies
    /// inside the image (`|u| <= tan(hfov/2)`, `|v| <= tan(hfov/2) / aspect`
    /// in normalised image coordinates; the image is not rolled). Non-finite
    /// input is never visible.
    pub fn sees(&self, aim: [f64; 2], p: [f64; 2]) -> bool {
        match self.project(aim, p) {
            Some([u, v]) => {
                let half_w = (self.hfov_deg.to_radians() / 2.0).tan();
                let half_h = half_w / self.aspect;
                u.abs() <= half_w && v.abs() <= half_h
            }
            None => false,
        }
    }

    /// Normalised image coordinates `[u, v]` (right, up; the aim point is
    /// `[0, 0]`) of the ground point `p`, or `None` if it is behind the
    /// camera, the aim is straight down or any input is not finite.
    pub fn project(&self, aim: [f64; 2], p: [f64; 2]) -> Option<[f64; 2]> {
        if !(aim.iter().chain(p.iter()).all(|v| v.is_finite())) {
            return None;
        }
        let c = [self.x, self.y, self.height];
        let f = normalize(sub([aim[0], aim[1], 0.0], c))?;
        let r = normalize(cross(f, [0.0, 0.0, 1.0]))?;
        let up = cross(r, f);
        let d = sub([p[0], p[1], 0.0], c);
        let z = dot(d, f);
        if z <= 1e-9 {
            return None;
        }
        Some([dot(d, r) / z, dot(d, up) / z])
    }
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

fn normalize(a: [f64; 3]) -> Option<[f64; 3]> {
    let n = dot(a, a).sqrt();
    (n > 1e-12 && n.is_finite()).then(|| [a[0] / n, a[1] / n, a[2] / n])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_by_hand() {
        // camera at (0, -54, 20) aimed at the centre spot: distance 54, depression atan(20/54)
        let cam = BroadcastCamera::football(68.0);
        let aim = [0.0, 0.0];
        assert_eq!(cam.project(aim, aim), Some([0.0, 0.0]));
        // horizontal half-width at the aim: |C - aim| * tan(15 deg), |C - aim| = sqrt(54^2 + 20^2)
        let half = (54.0f64.powi(2) + 20.0f64.powi(2)).sqrt() * 15f64.to_radians().tan();
        assert!(cam.sees(aim, [half - 0.05, 0.0]));
        assert!(!cam.sees(aim, [half + 0.05, 0.0]));
        assert!(!cam.sees(aim, [-half - 0.05, 0.0]));
        // near and far edges along the view: angles depression +- atan(tan(15)/aspect*...)
        let dep = (20.0f64 / 54.0).atan();
        let half_v = (15f64.to_radians().tan() * 9.0 / 16.0).atan();
        let near = 20.0 / (dep + half_v).tan() - 54.0; // y of the bottom edge
        let far = 20.0 / (dep - half_v).tan() - 54.0; // y of the top edge
        assert!(cam.sees(aim, [0.0, near + 0.05]) && !cam.sees(aim, [0.0, near - 0.05]));
        assert!(cam.sees(aim, [0.0, far - 0.05]) && !cam.sees(aim, [0.0, far + 0.05]));
        // behind the camera and non-finite input
        assert!(!cam.sees(aim, [0.0, -80.0]));
        assert!(!cam.sees([f64::NAN, 0.0], [0.0, 0.0]));
        assert!(!cam.sees(aim, [0.0, f64::INFINITY]));
    }
}
