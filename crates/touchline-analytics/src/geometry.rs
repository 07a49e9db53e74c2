//! Small planar geometry: polygon area, half-plane clipping of convex
//! polygons, convex hulls. Points are `[x, y]` in metres.

/// A point `[x, y]`.
pub type Point = [f64; 2];

/// Signed area of a simple polygon (shoelace formula); positive when the
/// vertices run counter-clockwise.
pub fn signed_area(poly: &[Point]) -> f64 {
    let n = poly.len();
    if n < 3 {
        return 0.0;
    }
    let mut s = 0.0;
    for i in 0..n {
        let [x0, y0] = poly[i];
        let [x1, y1] = poly[(i + 1) % n];
        s += x0 * y1 - x1 * y0;
    }
    0.5 * s
}

/// Area of a simple polygon (absolute shoelace area).
pub fn area(poly: &[Point]) -> f64 {
    signed_area(poly).abs()
}

/// The axis-aligned rectangle `[-length/2, length/2] x [-width/2, width/2]`,
/// counter-clockwise.
pub fn centred_rectangle(length: f64, width: f64) -> Vec<Point> {
    let (hx, hy) = (0.5 * length, 0.5 * width);
    vec![[-hx, -hy], [hx, -hy], [hx, hy], [-hx, hy]]
}

/// Clips a convex polygon to the half-plane `n . p <= c`
/// (Sutherland-Hodgman against one edge). Exact up to rounding; the result is
/// convex and keeps the orientation of the input.
pub fn clip_half_plane(poly: &[Point], n: Point, c: f64) -> Vec<Point> {
    let mut out = Vec::with_capacity(poly.len() + 1);
    let len = poly.len();
    if len == 0 {
        return out;
    }
    let side = |p: Point| n[0] * p[0] + n[1] * p[1] - c;
    for i in 0..len {
        let a = poly[i];
        let b = poly[(i + 1) % len];
        let (sa, sb) = (side(a), side(b));
        if sa <= 0.0 {
            out.push(a);
        }
        if (sa < 0.0 && sb > 0.0) || (sa > 0.0 && sb < 0.0) {
            let t = sa / (sa - sb);
            out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
        }
    }
    out
}

/// The cell of `site` in the Voronoi diagram of `others`, clipped to the
/// convex polygon `bounds`: the intersection of `bounds` with the half-planes
/// closer to `site` than to each other point. Points equal to `site` are
/// ignored (the caller shares such cells).
pub fn voronoi_cell(site: Point, others: impl IntoIterator<Item = Point>, bounds: &[Point]) -> Vec<Point> {
    let mut cell = bounds.to_vec();
    for q in others {
        if q == site {
            continue;
        }
        // |p - s|^2 <= |p - q|^2  <=>  2 (q - s) . p <= |q|^2 - |s|^2
        let n = [2.0 * (q[0] - site[0]), 2.0 * (q[1] - site[1])];
        let c = (q[0] * q[0] + q[1] * q[1]) - (site[0] * site[0] + site[1] * site[1]);
        cell = clip_half_plane(&cell, n, c);
        if cell.is_empty() {
            break;
        }
    }
    cell
}

/// Convex hull of a point set (Andrew's monotone chain), counter-clockwise,
/// without collinear points. Fewer than three distinct points give the
/// distinct points themselves (area 0).
pub fn convex_hull(points: &[Point]) -> Vec<Point> {
    let mut p: Vec<Point> = points.iter().copied().filter(|q| q[0].is_finite() && q[1].is_finite()).collect();
    p.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    p.dedup();
    if p.len() < 3 {
        return p;
    }
    let cross = |o: Point, a: Point, b: Point| (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    let mut hull: Vec<Point> = Vec::with_capacity(2 * p.len());
    for &q in &p {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0 {
            hull.pop();
        }
        hull.push(q);
    }
    let lower = hull.len() + 1;
    for &q in p.iter().rev().skip(1) {
        while hull.len() >= lower && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0 {
            hull.pop();
        }
        hull.push(q);
    }
    hull.pop();
    hull
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangle_area_and_clip() {
        let r = centred_rectangle(4.0, 2.0);
        assert!((area(&r) - 8.0).abs() < 1e-12);
        // keep x <= 1
        let c = clip_half_plane(&r, [1.0, 0.0], 1.0);
        assert!((area(&c) - 6.0).abs() < 1e-12);
        // keep x <= -5: nothing
        assert!(clip_half_plane(&r, [1.0, 0.0], -5.0).is_empty());
    }

    #[test]
    fn two_sites_split_in_half() {
        let r = centred_rectangle(10.0, 4.0);
        let a = voronoi_cell([-2.0, 0.0], [[2.0, 0.0]], &r);
        let b = voronoi_cell([2.0, 0.0], [[-2.0, 0.0]], &r);
        assert!((area(&a) - 20.0).abs() < 1e-12);
        assert!((area(&b) - 20.0).abs() < 1e-12);
    }

    #[test]
    fn hull_of_square_with_inner_point() {
        let h = convex_hull(&[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.5, 0.5], [0.5, 0.0]]);
        assert_eq!(h.len(), 4);
        assert!((signed_area(&h) - 1.0).abs() < 1e-12);
        assert_eq!(convex_hull(&[[0.0, 0.0], [0.0, 0.0]]).len(), 1);
    }
}
