//! Constant-velocity Kalman filter on box state `[cx, cy, w, h, vcx, vcy, vw, vh]`.
//!
//! The time step is one frame. Process and measurement noise scale with the
//! box size as in SORT/DeepSORT/ByteTrack (standard deviation weights 1/20 for
//! position and 1/160 for velocity), with width and height in the state
//! (instead of aspect ratio) as in BoT-SORT, and a floor of one pixel so that
//! zero-size boxes keep a well-conditioned filter.

use nalgebra::{SMatrix, SVector};

type V8 = SVector<f64, 8>;
type M8 = SMatrix<f64, 8, 8>;
type V4 = SVector<f64, 4>;
type M4 = SMatrix<f64, 4, 4>;
type M48 = SMatrix<f64, 4, 8>;

/// Weight of the position standard deviation relative to the box size.
pub const STD_WEIGHT_POSITION: f64 = 1.0 / 20.0;
/// Weight of the velocity standard deviation relative to the box size.
pub const STD_WEIGHT_VELOCITY: f64 = 1.0 / 160.0;

/// Filter state: mean and covariance.
#[derive(Debug, Clone, PartialEq)]
pub struct KalmanBox {
    mean: V8,
    cov: M8,
}

fn size_scale(w: f64, h: f64) -> [f64; 4] {
    let (w, h) = (w.abs().max(1.0), h.abs().max(1.0));
    [w, h, w, h]
}

impl KalmanBox {
    /// A filter started at a measured box `[cx, cy, w, h]` with zero velocity.
    pub fn new(z: [f64; 4]) -> Self {
        let mut mean = V8::zeros();
        for i in 0..4 {
            mean[i] = z[i];
        }
        let s = size_scale(z[2], z[3]);
        let mut cov = M8::zeros();
        for i in 0..4 {
            let p = 2.0 * STD_WEIGHT_POSITION * s[i];
            let v = 10.0 * STD_WEIGHT_VELOCITY * s[i];
            cov[(i, i)] = p * p;
            cov[(i + 4, i + 4)] = v * v;
        }
        KalmanBox { mean, cov }
    }

    /// Current box `[cx, cy, w, h]` (width and height floored at 0).
    pub fn cxcywh(&self) -> [f64; 4] {
        [self.mean[0], self.mean[1], self.mean[2].max(0.0), self.mean[3].max(0.0)]
    }

    /// Current velocity of the centre, pixels per frame.
    pub fn velocity(&self) -> [f64; 2] {
        [self.mean[4], self.mean[5]]
    }

    /// Advances one frame.
    pub fn predict(&mut self) {
        let mut f = M8::identity();
        for i in 0..4 {
            f[(i, i + 4)] = 1.0;
        }
        let s = size_scale(self.mean[2], self.mean[3]);
        let mut q = M8::zeros();
        for i in 0..4 {
            let p = STD_WEIGHT_POSITION * s[i];
            let v = STD_WEIGHT_VELOCITY * s[i];
            q[(i, i)] = p * p;
            q[(i + 4, i + 4)] = v * v;
        }
        self.mean = f * self.mean;
        self.cov = f * self.cov * f.transpose() + q;
    }

    /// Corrects with a measured box `[cx, cy, w, h]`. If the innovation
    /// covariance cannot be inverted or the result is not finite, the filter
    /// restarts at the measurement.
    pub fn update(&mut self, z: [f64; 4]) {
        let mut h = M48::zeros();
        for i in 0..4 {
            h[(i, i)] = 1.0;
        }
        let s = size_scale(self.mean[2], self.mean[3]);
        let mut r = M4::zeros();
        for i in 0..4 {
            let p = STD_WEIGHT_POSITION * s[i];
            r[(i, i)] = p * p;
        }
        let innov_cov = h * self.cov * h.transpose() + r;
        let Some(chol) = innov_cov.cholesky() else {
            *self = KalmanBox::new(z);
            return;
        };
        let pht = self.cov * h.transpose(); // 8x4
        // K = P H^T S^-1, computed as (S^-1 (P H^T)^T)^T since S is symmetric.
        let gain = chol.solve(&pht.transpose()).transpose();
        let y = V4::from_column_slice(&z) - h * self.mean;
        let mean = self.mean + gain * y;
        let cov = (M8::identity() - gain * h) * self.cov;
        if mean.iter().chain(cov.iter()).all(|v| v.is_finite()) {
            self.mean = mean;
            // keep it symmetric against round-off
            self.cov = (cov + cov.transpose()) * 0.5;
        } else {
            *self = KalmanBox::new(z);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_constant_velocity() {
        let mut k = KalmanBox::new([0.0, 0.0, 20.0, 40.0]);
        for t in 1..40 {
            k.predict();
            k.update([3.0 * t as f64, -(t as f64), 20.0, 40.0]);
        }
        let [vx, vy] = k.velocity();
        assert!((vx - 3.0).abs() < 0.05 && (vy + 1.0).abs() < 0.05, "{vx} {vy}");
        k.predict();
        let [cx, cy, w, h] = k.cxcywh();
        assert!(
            (cx - 120.0).abs() < 0.5
                && (cy + 40.0).abs() < 0.5
                && (w - 20.0).abs() < 0.1
                && (h - 40.0).abs() < 0.1
        );
    }

    #[test]
    fn zero_size_and_huge_boxes_stay_finite() {
        let mut k = KalmanBox::new([5.0, 5.0, 0.0, 0.0]);
        for _ in 0..5 {
            k.predict();
            k.update([5.0, 5.0, 0.0, 0.0]);
        }
        assert!(k.cxcywh().iter().all(|v| v.is_finite()));
        let mut k = KalmanBox::new([1e30, -1e30, 3e38, 3e38]);
        k.predict();
        k.update([-1e30, 1e30, 0.0, 1e38]);
        assert!(k.cxcywh().iter().all(|v| v.is_finite()));
    }
}
