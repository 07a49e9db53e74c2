//! Plots (cargo feature `plot`): a football pitch or basketball court drawn
//! to scale, with trajectories, heatmaps, Voronoi cells or a pitch-control
//! surface on top; PNG or SVG by the file extension.
//!
//! Markings follow the IFAB Laws of the Game (105 x 68 m pitch: penalty area
//! 16.5 m, goal area 5.5 m, penalty mark 11 m, circle and arcs 9.15 m, corner
//! arcs 1 m, goal 7.32 m) and the NBA rule book (94 x 50 ft court: lane
//! 16 ft wide and 19 ft deep, free-throw circle 6 ft, rim centre 5.25 ft
//! from the baseline, three-point arc 23.75 ft with straight corners 22 ft
//! from the rim up to 14 ft from the baseline, restricted arc 4 ft, centre
//! circle 6 ft), each scaled to the data's own pitch size.
//!
//! Plots carry no text (no font is bundled): colours say what is what, as
//! listed on each function.
//!
//! ```no_run
//! use touchline_analytics::plot::{Court, Plot};
//! let data = touchline_io::open("tracking_wide.csv".as_ref(), None)?;
//! let pitch = data.pitch().unwrap_or(touchline_core::Pitch::FOOTBALL);
//! let mut plot = Plot::new(Court::Football, pitch);
//! plot.trajectories(&data, &[1, 2], 0..data.n_frames());
//! plot.save("trajectories.png".as_ref())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::ops::Range;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use touchline_core::{Pitch, Team, TrackingData};

use crate::error::{AnalyticsError, Result};
use crate::geometry::Point;
use crate::{Heatmap, PitchControlModel, PitchControlSurface, VoronoiCell};

/// Which markings to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Court {
    /// IFAB football pitch markings.
    Football,
    /// NBA basketball court markings.
    Basketball,
}

impl Court {
    /// Basketball when the pitch is within 10% of an NBA court, else football.
    pub fn guess(pitch: Pitch) -> Court {
        let nba = Pitch::NBA;
        if (pitch.length / nba.length - 1.0).abs() < 0.1 && (pitch.width / nba.width - 1.0).abs() < 0.1 {
            Court::Basketball
        } else {
            Court::Football
        }
    }
}

/// Home, away and imputed colours.
pub const HOME: RGBColor = RGBColor(214, 39, 40);
/// Away team colour.
pub const AWAY: RGBColor = RGBColor(31, 119, 180);
/// Imputed (unobserved but finite) stretches of a trajectory.
pub const IMPUTED: RGBColor = RGBColor(255, 165, 0);
const GRASS: RGBColor = RGBColor(58, 125, 68);
const WOOD: RGBColor = RGBColor(222, 184, 135);
const LINE: RGBColor = RGBColor(250, 250, 250);

fn team_colour(t: Team) -> RGBColor {
    match t {
        Team::Home => HOME,
        Team::Away => AWAY,
        Team::Ball => BLACK,
        _ => RGBColor(120, 120, 120),
    }
}

#[derive(Debug, Clone)]
enum Shape {
    Line { pts: Vec<Point>, colour: RGBAColor, width: u32 },
    Polygon { pts: Vec<Point>, colour: RGBAColor },
    Dot { at: Point, radius: i32, fill: RGBAColor, edge: RGBAColor },
}

/// A drawing in pitch coordinates (metres, centre origin), rendered when saved.
#[derive(Debug, Clone)]
pub struct Plot {
    court: Court,
    pitch: Pitch,
    background: Vec<Shape>,
    layers: Vec<Shape>,
    /// Pixels per metre (default 10 for football, 30 for basketball).
    pub scale: f64,
}

fn arc(c: Point, r: Point, a0: f64, a1: f64, n: usize) -> Vec<Point> {
    (0..=n)
        .map(|i| {
            let a = a0 + (a1 - a0) * i as f64 / n as f64;
            [c[0] + r[0] * a.cos(), c[1] + r[1] * a.sin()]
        })
        .collect()
}

impl Plot {
    /// An empty court of the given kind and size.
    pub fn new(court: Court, pitch: Pitch) -> Plot {
        let scale = match court {
            Court::Football => 10.0,
            Court::Basketball => 30.0,
        };
        let mut p = Plot { court, pitch, background: Vec::new(), layers: Vec::new(), scale };
        p.markings();
        p
    }

    fn line(&mut self, pts: Vec<Point>) {
        self.background.push(Shape::Line { pts, colour: LINE.to_rgba(), width: 2 });
    }

    fn markings(&mut self) {
        let (l, w) = (self.pitch.length, self.pitch.width);
        // Markings are laid out on the standard size and scaled to the data's.
        let (std_l, std_w) = match self.court {
            Court::Football => (105.0, 68.0),
            Court::Basketball => (94.0, 50.0),
        };
        let (sx, sy) = (l / std_l, w / std_w);
        let s = |pts: Vec<Point>| -> Vec<Point> { pts.into_iter().map(|[x, y]| [x * sx, y * sy]).collect() };
        let (hx, hy) = (0.5 * std_l, 0.5 * std_w);
        let outline = vec![[-hx, -hy], [hx, -hy], [hx, hy], [-hx, hy], [-hx, -hy]];
        self.background.push(Shape::Polygon {
            pts: s(outline.clone()),
            colour: match self.court {
                Court::Football => GRASS,
                Court::Basketball => WOOD,
            }
            .to_rgba(),
        });
        self.line(s(outline));
        self.line(s(vec![[0.0, -hy], [0.0, hy]]));
        let pi = std::f64::consts::PI;
        match self.court {
            Court::Football => {
                self.line(s(arc([0.0, 0.0], [9.15, 9.15], 0.0, 2.0 * pi, 96)));
                self.background.push(Shape::Dot {
                    at: [0.0, 0.0],
                    radius: 2,
                    fill: LINE.to_rgba(),
                    edge: LINE.to_rgba(),
                });
                for side in [-1.0, 1.0] {
                    let g = side * hx;
                    let pa_y = 20.16;
                    let ga_y = 9.16;
                    self.line(s(vec![
                        [g, -pa_y],
                        [g - side * 16.5, -pa_y],
                        [g - side * 16.5, pa_y],
                        [g, pa_y],
                    ]));
                    self.line(s(vec![
                        [g, -ga_y],
                        [g - side * 5.5, -ga_y],
                        [g - side * 5.5, ga_y],
                        [g, ga_y],
                    ]));
                    self.line(s(vec![
                        [g, -3.66],
                        [g + side * 2.0, -3.66],
                        [g + side * 2.0, 3.66],
                        [g, 3.66],
                    ]));
                    let spot = [g - side * 11.0, 0.0];
                    self.background.push(Shape::Dot {
                        at: [spot[0] * sx, 0.0],
                        radius: 2,
                        fill: LINE.to_rgba(),
                        edge: LINE.to_rgba(),
                    });
                    // Penalty arc: the part of the 9.15 m circle outside the area.
                    let a = ((16.5 - 11.0) / 9.15f64).acos();
                    let (a0, a1) = if side > 0.0 { (pi - a, pi + a) } else { (-a, a) };
                    self.line(s(arc(spot, [9.15, 9.15], a0, a1, 32)));
                    for yc in [-1.0f64, 1.0] {
                        // Quarter circle from the goal line into the pitch.
                        let mut a0 = 0.0f64.atan2(-side);
                        let mut a1 = (-yc).atan2(0.0);
                        if (a1 - a0).abs() > pi {
                            if a1 < a0 {
                                a1 += 2.0 * pi;
                            } else {
                                a0 += 2.0 * pi;
                            }
                        }
                        self.line(s(arc([g, yc * hy], [1.0, 1.0], a0, a1, 12)));
                    }
                }
            }
            Court::Basketball => {
                self.line(s(arc([0.0, 0.0], [6.0, 6.0], 0.0, 2.0 * pi, 64)));
                for side in [-1.0, 1.0] {
                    let b = side * hx;
                    let ft = b - side * 19.0;
                    self.line(s(vec![[b, -8.0], [ft, -8.0], [ft, 8.0], [b, 8.0]]));
                    self.line(s(arc([ft, 0.0], [6.0, 6.0], 0.0, 2.0 * pi, 64)));
                    let rim = [b - side * 5.25, 0.0];
                    self.line(s(arc(rim, [0.75, 0.75], 0.0, 2.0 * pi, 24)));
                    self.line(s(vec![[b - side * 4.0, -3.0], [b - side * 4.0, 3.0]]));
                    let (r0, r1) = if side > 0.0 { (pi / 2.0, 1.5 * pi) } else { (-pi / 2.0, pi / 2.0) };
                    self.line(s(arc(rim, [4.0, 4.0], r0, r1, 32)));
                    // Three-point line: straight 22 ft from the rim up to 14 ft from the
                    // baseline, then the 23.75 ft arc round the rim.
                    let dir = -side; // towards mid-court
                    let corner_x = b - side * 14.0;
                    let mut pts = vec![[b, -22.0], [corner_x, -22.0]];
                    let n = 64;
                    let th = (22.0f64 / 23.75).asin();
                    for i in 0..=n {
                        let ang = -th + 2.0 * th * i as f64 / n as f64;
                        let q = [rim[0] + dir * 23.75 * ang.cos(), 23.75 * ang.sin()];
                        if dir * (q[0] - corner_x) >= 0.0 {
                            pts.push(q);
                        }
                    }
                    pts.push([corner_x, 22.0]);
                    pts.push([b, 22.0]);
                    self.line(s(pts));
                }
            }
        }
    }

    /// Trajectories of `agents` over `frames`: observed stretches as solid
    /// lines in the team colour (home red, away blue, ball black), imputed
    /// stretches (unobserved but finite) as orange lines with orange dots,
    /// nothing across missing (`NaN`) frames or period boundaries. The last
    /// position gets a dot in the team colour.
    pub fn trajectories(&mut self, data: &TrackingData, agents: &[usize], frames: Range<usize>) -> &mut Self {
        let p = data.positions();
        let obs = data.observed();
        let frames = frames.start.min(data.n_frames())..frames.end.min(data.n_frames());
        let period_of = |f: usize| data.periods().iter().position(|pr| pr.frames().contains(&f));
        for &a in agents.iter().filter(|&&a| a < data.n_agents()) {
            let colour = team_colour(data.agents()[a].team);
            // Polylines of consecutive segments of one kind; a segment is imputed when either
            // end is unobserved.
            let mut cur: Vec<Point> = Vec::new();
            let mut cur_imputed = false;
            let mut prev: Option<(Point, bool)> = None;
            let mut last: Option<Point> = None;
            let flush = |pts: &mut Vec<Point>, imputed: bool, layers: &mut Vec<Shape>| {
                if pts.len() >= 2 {
                    let c = if imputed { IMPUTED } else { colour };
                    layers.push(Shape::Line { pts: std::mem::take(pts), colour: c.to_rgba(), width: 2 });
                }
                pts.clear();
            };
            for f in frames.clone() {
                let q = [p[[f, a, 0]], p[[f, a, 1]]];
                let ok = q[0].is_finite() && q[1].is_finite();
                let same_period = f > frames.start && period_of(f) == period_of(f - 1);
                if !ok || !same_period {
                    flush(&mut cur, cur_imputed, &mut self.layers);
                    prev = None;
                }
                if !ok {
                    continue;
                }
                let seen = obs[[f, a]];
                if !seen {
                    self.layers.push(Shape::Dot {
                        at: q,
                        radius: 1,
                        fill: IMPUTED.to_rgba(),
                        edge: IMPUTED.to_rgba(),
                    });
                }
                if let Some((pq, pseen)) = prev {
                    let imputed = !(pseen && seen);
                    if cur.is_empty() || imputed != cur_imputed {
                        flush(&mut cur, cur_imputed, &mut self.layers);
                        cur.push(pq);
                        cur_imputed = imputed;
                    }
                    cur.push(q);
                }
                prev = Some((q, seen));
                last = Some(q);
            }
            flush(&mut cur, cur_imputed, &mut self.layers);
            if let Some(q) = last {
                self.layers.push(Shape::Dot {
                    at: q,
                    radius: 5,
                    fill: colour.to_rgba(),
                    edge: WHITE.to_rgba(),
                });
            }
        }
        self
    }

    /// Heatmap cells shaded from transparent (never) to yellow-red (most time).
    pub fn heatmap(&mut self, h: &Heatmap) -> &mut Self {
        let (ny, nx) = h.seconds.dim();
        let max = h.seconds.iter().copied().fold(0.0, f64::max);
        let (dx, dy) = (h.pitch.length / nx as f64, h.pitch.width / ny as f64);
        for j in 0..ny {
            for i in 0..nx {
                let v = h.seconds[[j, i]];
                if v <= 0.0 || max <= 0.0 {
                    continue;
                }
                let u = (v / max).sqrt();
                // Opaque blend over the grass (alpha on touching cells leaves seams).
                let c = blend(GRASS, ramp(u), 0.35 + 0.65 * u);
                let x0 = -0.5 * h.pitch.length + i as f64 * dx;
                let y0 = -0.5 * h.pitch.width + j as f64 * dy;
                self.layers.push(Shape::Polygon {
                    pts: vec![[x0, y0], [x0 + dx, y0], [x0 + dx, y0 + dy], [x0, y0 + dy]],
                    colour: c.to_rgba(),
                });
            }
        }
        self.put_lines_on_top();
        self
    }

    /// Voronoi cells filled in the team colour, outlined in white, with the
    /// players as dots.
    pub fn voronoi(&mut self, data: &TrackingData, frame: usize, cells: &[VoronoiCell]) -> &mut Self {
        for c in cells {
            let col = pale(team_colour(data.agents()[c.agent].team), 0.55);
            self.layers.push(Shape::Polygon { pts: c.polygon.clone(), colour: col.to_rgba() });
            let mut ring = c.polygon.clone();
            if let Some(&first) = ring.first() {
                ring.push(first);
            }
            self.layers.push(Shape::Line { pts: ring, colour: RGBColor(60, 60, 60).to_rgba(), width: 1 });
        }
        self.put_lines_on_top();
        self.players(data, frame);
        self
    }

    /// Pitch-control surface: attacking team's colour where it controls the
    /// ball, the defending team's where it does not, white at 50%; players
    /// as dots with a line for their velocity (1 s ahead), the ball in black.
    pub fn pitch_control(
        &mut self,
        data: &TrackingData,
        model: &PitchControlModel,
        s: &PitchControlSurface,
        velocity: Option<&ndarray::Array3<f64>>,
    ) -> &mut Self {
        let g = model.grid();
        let (att, def) = if s.attacking == Team::Home { (HOME, AWAY) } else { (AWAY, HOME) };
        let (nx, ny) = (g.xs.len(), g.ys.len());
        let (dx, dy) = (self.pitch.length / nx as f64, self.pitch.width / ny as f64);
        for j in 0..ny {
            for i in 0..nx {
                let v = s.attack[[j, i]].clamp(0.0, 1.0);
                let (c, u) = if v >= 0.5 { (att, 2.0 * v - 1.0) } else { (def, 1.0 - 2.0 * v) };
                let mix = |a: u8, b: u8| {
                    (f64::from(a) * (1.0 - u) + f64::from(b) * u).round().clamp(0.0, 255.0) as u8
                };
                let col = RGBColor(mix(255, c.0), mix(255, c.1), mix(255, c.2));
                let (x0, y0) = (g.xs[i] - 0.5 * dx, g.ys[j] - 0.5 * dy);
                self.layers.push(Shape::Polygon {
                    pts: vec![[x0, y0], [x0 + dx, y0], [x0 + dx, y0 + dy], [x0, y0 + dy]],
                    colour: col.to_rgba(),
                });
            }
        }
        self.put_lines_on_top();
        if let Some(v) = velocity {
            let p = data.positions();
            let f = s.frame;
            for a in crate::players(data) {
                let (x, y, vx, vy) = (p[[f, a, 0]], p[[f, a, 1]], v[[f, a, 0]], v[[f, a, 1]]);
                if [x, y, vx, vy].iter().all(|q| q.is_finite()) {
                    self.layers.push(Shape::Line {
                        pts: vec![[x, y], [x + vx, y + vy]],
                        colour: BLACK.to_rgba(),
                        width: 2,
                    });
                }
            }
        }
        self.players(data, s.frame);
        self
    }

    /// Players of one frame as dots in their team colour (imputed ones ringed
    /// in orange), the ball as a small black dot.
    pub fn players(&mut self, data: &TrackingData, frame: usize) -> &mut Self {
        if frame >= data.n_frames() {
            return self;
        }
        let p = data.positions();
        for (a, ag) in data.agents().iter().enumerate() {
            let q = [p[[frame, a, 0]], p[[frame, a, 1]]];
            if !(q[0].is_finite() && q[1].is_finite()) || ag.team == Team::Officials {
                continue;
            }
            let edge = if data.observed()[[frame, a]] { WHITE } else { IMPUTED };
            let radius = if ag.team == Team::Ball { 4 } else { 7 };
            self.layers.push(Shape::Dot {
                at: q,
                radius,
                fill: team_colour(ag.team).to_rgba(),
                edge: edge.to_rgba(),
            });
        }
        self
    }

    fn put_lines_on_top(&mut self) {
        let lines: Vec<Shape> = self
            .background
            .iter()
            .filter(|s| matches!(s, Shape::Line { .. } | Shape::Dot { .. }))
            .cloned()
            .collect();
        self.layers.extend(lines);
    }

    fn size(&self) -> (u32, u32, f64) {
        let margin = 3.0;
        let w = ((self.pitch.length + 2.0 * margin) * self.scale).round().clamp(16.0, 8000.0) as u32;
        let h = ((self.pitch.width + 2.0 * margin) * self.scale).round().clamp(16.0, 8000.0) as u32;
        (w, h, margin)
    }

    fn render<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> std::result::Result<(), String> {
        let (_, h, margin) = self.size();
        let sc = self.scale;
        let (hx, hy) = (0.5 * self.pitch.length, 0.5 * self.pitch.width);
        let px = |q: Point| -> (i32, i32) {
            let x = ((q[0] + hx + margin) * sc).round().clamp(-1e6, 1e6) as i32;
            let y = (f64::from(h) - (q[1] + hy + margin) * sc).round().clamp(-1e6, 1e6) as i32;
            (x, y)
        };
        let e = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        root.fill(&RGBColor(40, 90, 50)).map_err(e)?;
        for s in self.background.iter().chain(&self.layers) {
            match s {
                Shape::Line { pts, colour, width } => {
                    let pts: Vec<(i32, i32)> = pts.iter().map(|&q| px(q)).collect();
                    root.draw(&PathElement::new(pts, colour.stroke_width(*width))).map_err(e)?;
                }
                Shape::Polygon { pts, colour } => {
                    let pts: Vec<(i32, i32)> = pts.iter().map(|&q| px(q)).collect();
                    root.draw(&Polygon::new(pts, colour.filled())).map_err(e)?;
                }
                Shape::Dot { at, radius, fill, edge } => {
                    root.draw(&Circle::new(px(*at), *radius, fill.filled())).map_err(e)?;
                    root.draw(&Circle::new(px(*at), *radius, edge.stroke_width(1))).map_err(e)?;
                }
            }
        }
        root.present().map_err(e)?;
        Ok(())
    }

    /// Writes the plot: SVG when the extension is `.svg`, else PNG.
    pub fn save(&self, path: &Path) -> Result<()> {
        let err = |reason: String| AnalyticsError::Plot { path: path.display().to_string(), reason };
        let (w, h, _) = self.size();
        let svg = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("svg"));
        if svg {
            let root = SVGBackend::new(path, (w, h)).into_drawing_area();
            self.render(&root).map_err(err)?;
        } else {
            let mut buf = vec![0u8; w as usize * h as usize * 3];
            {
                let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
                self.render(&root).map_err(err)?;
            }
            let img = image::RgbImage::from_raw(w, h, buf).ok_or_else(|| err("image buffer size".into()))?;
            img.save_with_format(path, image::ImageFormat::Png).map_err(|e| err(e.to_string()))?;
        }
        Ok(())
    }
}

/// `a * (1 - w) + b * w` per channel.
fn blend(a: RGBColor, b: RGBColor, w: f64) -> RGBColor {
    let m = |x: u8, y: u8| (f64::from(x) * (1.0 - w) + f64::from(y) * w).round().clamp(0.0, 255.0) as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

/// `c` blended with white, `w` the share of white.
fn pale(c: RGBColor, w: f64) -> RGBColor {
    let m = |v: u8| (f64::from(v) * (1.0 - w) + 255.0 * w).round().clamp(0.0, 255.0) as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// Yellow to red ramp for `u` in [0, 1].
fn ramp(u: f64) -> RGBColor {
    let u = u.clamp(0.0, 1.0);
    let g = (230.0 * (1.0 - u) + 20.0 * u).round() as u8;
    RGBColor(255, g, (60.0 * (1.0 - u)).round() as u8)
}
