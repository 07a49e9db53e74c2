//! Image-to-pitch homography by the normalised direct linear transform.

use nalgebra::{DMatrix, Matrix3, Vector3};
use serde::{Deserialize, Serialize};

use crate::error::{Result, TrackError};

/// A plane-to-plane projective map `p' ~ H p` (for example image pixels to
/// pitch metres).
///
/// ```
/// use touchline_track::Homography;
/// // Four pitch corners seen in the image.
/// let img = [[100.0, 400.0], [700.0, 400.0], [600.0, 100.0], [200.0, 100.0]];
/// let pitch = [[-52.5, -34.0], [52.5, -34.0], [52.5, 34.0], [-52.5, 34.0]];
/// let h = Homography::from_points(&img, &pitch)?;
/// let [x, y] = h.apply([700.0, 400.0]).unwrap();
/// assert!((x - 52.5).abs() < 1e-9 && (y + 34.0).abs() < 1e-9);
/// # Ok::<(), touchline_track::TrackError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Homography {
    /// Row-major 3x3 matrix, scaled so that its Frobenius norm is 1 and
    /// `h[2][2] >= 0`.
    pub h: [[f64; 3]; 3],
}

/// Hartley normalisation: translate the centroid to the origin and scale
/// so the mean distance from it is sqrt(2).
fn normaliser(pts: &[[f64; 2]], which: &str) -> Result<Matrix3<f64>> {
    let n = pts.len() as f64;
    let (mx, my) = pts.iter().fold((0.0, 0.0), |(a, b), p| (a + p[0] / n, b + p[1] / n));
    let mean_d = pts.iter().map(|p| (p[0] - mx).hypot(p[1] - my)).sum::<f64>() / n;
    if !(mean_d > 0.0 && mean_d.is_finite()) {
        return Err(TrackError::Homography(format!("{which} points all coincide or are not finite")));
    }
    // Collinearity: the smaller principal axis of the centred points vanishes.
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for p in pts {
        let (dx, dy) = ((p[0] - mx) / mean_d, (p[1] - my) / mean_d);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    let (tr, det) = (sxx + syy, sxx * syy - sxy * sxy);
    let small = tr / 2.0 - ((tr / 2.0).powi(2) - det).max(0.0).sqrt();
    if small / tr < 1e-10 {
        return Err(TrackError::Homography(format!("{which} points are collinear")));
    }
    let s = std::f64::consts::SQRT_2 / mean_d;
    Ok(Matrix3::new(s, 0.0, -s * mx, 0.0, s, -s * my, 0.0, 0.0, 1.0))
}

impl Homography {
    /// Estimates the map taking `from[i]` to `to[i]` from at least four
    /// pairs by the normalised DLT (Hartley and Zisserman, *Multiple View
    /// Geometry*, 2nd ed., algorithm 4.2): both point sets normalised, the
    /// null vector of the `2n x 9` system from an SVD, then denormalised.
    /// With more than four pairs it is the algebraic least-squares fit.
    ///
    /// Errors: fewer than 4 pairs, lengths differ, non-finite values,
    /// coincident or collinear points, or a rank-deficient system (three of
    /// four points on a line).
    pub fn from_points(from: &[[f64; 2]], to: &[[f64; 2]]) -> Result<Homography> {
        if from.len() != to.len() {
            return Err(TrackError::LengthMismatch {
                what: "homography point pairs",
                left: from.len(),
                right: to.len(),
            });
        }
        let n = from.len();
        if n < 4 {
            return Err(TrackError::Homography(format!("need at least 4 point pairs, got {n}")));
        }
        if let Some(i) = (0..n).find(|&i| !from[i].iter().chain(&to[i]).all(|v| v.is_finite())) {
            return Err(TrackError::Homography(format!("pair {i} is not finite")));
        }
        let ta = normaliser(from, "source")?;
        let tb = normaliser(to, "target")?;
        let rows = (2 * n).max(9); // pad with zero rows so the SVD yields all of V
        let mut a = DMatrix::<f64>::zeros(rows, 9);
        for i in 0..n {
            let p = ta * Vector3::new(from[i][0], from[i][1], 1.0);
            let q = tb * Vector3::new(to[i][0], to[i][1], 1.0);
            let (x, y, u, v) = (p[0], p[1], q[0], q[1]);
            let r = 2 * i;
            for (j, val) in [-x, -y, -1.0, 0.0, 0.0, 0.0, u * x, u * y, u].into_iter().enumerate() {
                a[(r, j)] = val;
            }
            for (j, val) in [0.0, 0.0, 0.0, -x, -y, -1.0, v * x, v * y, v].into_iter().enumerate() {
                a[(r + 1, j)] = val;
            }
        }
        let svd = a.svd(false, true);
        let Some(vt) = svd.v_t else {
            return Err(TrackError::Homography("SVD did not converge".into()));
        };
        let sv = &svd.singular_values; // sorted in decreasing order
        let (largest, second_smallest) = (sv[0], sv[7]);
        if second_smallest.is_nan() || second_smallest <= 1e-9 * largest {
            return Err(TrackError::Homography(
                "degenerate configuration (the point pairs do not fix a unique homography)".into(),
            ));
        }
        let hv = vt.row(8);
        let hn = Matrix3::new(hv[0], hv[1], hv[2], hv[3], hv[4], hv[5], hv[6], hv[7], hv[8]);
        let Some(tb_inv) = tb.try_inverse() else {
            return Err(TrackError::Homography("target normalisation not invertible".into()));
        };
        let h = tb_inv * hn * ta;
        Homography::from_matrix(h)
    }

    fn from_matrix(h: Matrix3<f64>) -> Result<Homography> {
        let norm = h.norm();
        let det = h.determinant();
        let det_ok = det.abs() > 1e-12 * norm.powi(3);
        if !(norm > 0.0 && norm.is_finite() && det_ok) {
            return Err(TrackError::Homography("estimated matrix is singular".into()));
        }
        let s = if h[(2, 2)] < 0.0 { -1.0 / norm } else { 1.0 / norm };
        let m = h * s;
        Ok(Homography {
            h: [
                [m[(0, 0)], m[(0, 1)], m[(0, 2)]],
                [m[(1, 0)], m[(1, 1)], m[(1, 2)]],
                [m[(2, 0)], m[(2, 1)], m[(2, 2)]],
            ],
        })
    }

    /// From a row-major matrix; errors if it is singular or not finite.
    pub fn from_rows(h: [[f64; 3]; 3]) -> Result<Homography> {
        Homography::from_matrix(Matrix3::from_fn(|r, c| h[r][c]))
    }

    /// The matrix.
    pub fn matrix(&self) -> Matrix3<f64> {
        Matrix3::from_fn(|r, c| self.h[r][c])
    }

    /// Maps a point; `None` on the line at infinity or for non-finite results.
    pub fn apply(&self, p: [f64; 2]) -> Option<[f64; 2]> {
        let q = self.matrix() * Vector3::new(p[0], p[1], 1.0);
        let w = q[2];
        if w.abs() < 1e-300 {
            return None;
        }
        let out = [q[0] / w, q[1] / w];
        (out[0].is_finite() && out[1].is_finite()).then_some(out)
    }

    /// The inverse map.
    pub fn inverse(&self) -> Result<Homography> {
        let inv =
            self.matrix().try_inverse().ok_or_else(|| TrackError::Homography("not invertible".into()))?;
        Homography::from_matrix(inv)
    }

    /// Root-mean-square distance between `apply(from[i])` and `to[i]`
    /// (units of `to`); infinite if a point cannot be mapped.
    pub fn reprojection_rms(&self, from: &[[f64; 2]], to: &[[f64; 2]]) -> f64 {
        let n = from.len().min(to.len());
        if n == 0 {
            return 0.0;
        }
        let mut s = 0.0;
        for i in 0..n {
            match self.apply(from[i]) {
                Some(q) => s += (q[0] - to[i][0]).powi(2) + (q[1] - to[i][1]).powi(2),
                None => return f64::INFINITY,
            }
        }
        (s / n as f64).sqrt()
    }
}
