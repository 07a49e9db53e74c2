//! IoU costs and gated Hungarian assignment (Jonker-Volgenant via `lsap`).

use crate::error::{Result, TrackError};

/// Intersection over union of two `[x1, y1, x2, y2]` boxes in `f64`; 0 when
/// the union is empty or not finite.
pub fn iou_xyxy(a: [f64; 4], b: [f64; 4]) -> f64 {
    let iw = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let ih = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = iw * ih;
    let area = |r: [f64; 4]| (r[2] - r[0]).max(0.0) * (r[3] - r[1]).max(0.0);
    let union = area(a) + area(b) - inter;
    let v = if union > 0.0 { inter / union } else { 0.0 };
    if v.is_finite() { v.clamp(0.0, 1.0) } else { 0.0 }
}

/// Cost given to pairs that may not be matched; finite so the solver accepts
/// the matrix, large enough that any feasible pair is preferred.
const FORBIDDEN: f64 = 1e6;

/// Minimum-cost matching of rows to columns of a row-major `rows x cols` cost
/// matrix where only pairs with `cost <= max_cost` may be matched.
///
/// Forbidden pairs get a large constant cost, so the solver first maximises
/// the number of feasible matches and then minimises their total cost; pairs
/// it was forced onto that exceed `max_cost` are dropped. Returns the matched
/// `(row, col)` pairs and the unmatched rows and columns, all in increasing
/// order.
#[allow(clippy::type_complexity)]
pub fn gated_assignment(
    rows: usize,
    cols: usize,
    cost: &[f64],
    max_cost: f64,
) -> Result<(Vec<(usize, usize)>, Vec<usize>, Vec<usize>)> {
    if cost.len() != rows * cols {
        return Err(TrackError::LengthMismatch { what: "cost matrix", left: cost.len(), right: rows * cols });
    }
    let mut matches = Vec::new();
    let mut row_used = vec![false; rows];
    let mut col_used = vec![false; cols];
    if rows > 0 && cols > 0 {
        let gated: Vec<f64> =
            cost.iter().map(|&c| if c.is_finite() && c <= max_cost { c } else { FORBIDDEN }).collect();
        let (r, c) = lsap::solve(rows, cols, &gated, false).map_err(|e| TrackError::Assignment {
            rows,
            cols,
            reason: format!("{e:?}"),
        })?;
        for (&i, &j) in r.iter().zip(&c) {
            if i < rows && j < cols && gated[i * cols + j] < FORBIDDEN {
                matches.push((i, j));
                row_used[i] = true;
                col_used[j] = true;
            }
        }
    }
    matches.sort_unstable();
    let free = |used: Vec<bool>| used.iter().enumerate().filter(|(_, u)| !**u).map(|(i, _)| i).collect();
    Ok((matches, free(row_used), free(col_used)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iou_matches_core_and_handles_empty() {
        assert!((iou_xyxy([0.0, 0.0, 10.0, 10.0], [5.0, 0.0, 15.0, 10.0]) - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(iou_xyxy([1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 1.0]), 0.0);
    }

    #[test]
    fn picks_the_global_optimum_and_gates() {
        // Greedy would take (0,0) at 0.1 and leave row 1 with 0.9; optimum is crossing.
        let cost = [0.1, 0.2, 0.15, 0.9];
        let (m, ur, uc) = gated_assignment(2, 2, &cost, 0.5).unwrap();
        assert_eq!(m, vec![(0, 1), (1, 0)]);
        assert!(ur.is_empty() && uc.is_empty());
        // Gate everything in row 1 out.
        let cost = [0.1, 0.7, 0.8, 0.9];
        let (m, ur, uc) = gated_assignment(2, 2, &cost, 0.5).unwrap();
        assert_eq!((m, ur, uc), (vec![(0, 0)], vec![1], vec![1]));
        // Rectangular, empty, NaN.
        let (m, _, uc) = gated_assignment(1, 3, &[0.4, 0.2, f64::NAN], 0.5).unwrap();
        assert_eq!((m, uc), (vec![(0, 1)], vec![0, 2]));
        let (m, ur, uc) = gated_assignment(0, 2, &[], 0.5).unwrap();
        assert!(m.is_empty() && ur.is_empty() && uc == vec![0, 1]);
        assert!(gated_assignment(2, 2, &[0.0], 0.5).is_err());
    }
}
