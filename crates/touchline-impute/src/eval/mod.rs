//! Benchmarking imputers on your own data: MIDAS-protocol windows and
//! masks, sports metrics and a harness that runs any
//! [`touchline_core::Imputer`] (ours or yours) next to the built-in ones.
//!
//! 1. [`make_windows`]: resample (default 10 Hz) and cut windows of `T`
//!    frames (default 200) of complete ground truth, from one recording or
//!    many (a folder of scenes pools its windows).
//! 2. [`MaskSet::generate`]: seeded masks ([`MaskKind`]: `uniform`,
//!    `playerwise`, `camera`, `forecast`, `visibility`), saved and loaded as
//!    JSON ([`MaskSet::to_json`], [`MaskSet::from_json`]) so a run can be
//!    repeated exactly, also by another tool.
//! 3. [`run`]: every [`Candidate`] imputes every scored window under every
//!    seed; [`metrics`] scores the hidden entries only (PE, RMSE, MAPE, SE,
//!    SCE, PLE, Pearson r, Cohen's d, implausible speeds and accelerations)
//!    and the results give mean and std over seeds and wall time
//!    ([`BenchResults::to_markdown`], [`BenchResults::to_csv`], JSON).
//!
//! Windows are split by time: the first 70% ([`BenchConfig`]) only serve to
//! fit methods that learn ([`Candidate::fitted`], e.g. DASE's blend); every
//! method is scored on the remaining windows.
//!
//! ```
//! use touchline_core::Imputer;
//! use touchline_impute::eval::{
//!     self, BenchConfig, Candidate, MaskKind, MaskParams, MaskSet, WindowSpec,
//! };
//! use touchline_io::synthetic::SyntheticMatch;
//!
//! let data = SyntheticMatch { seconds: 60.0, ..Default::default() }.generate()?;
//! let spec = WindowSpec { len: 50, ..WindowSpec::default() }; // 5 s windows at 10 Hz
//! let windows = eval::make_windows(&[("synthetic".into(), data)], &spec)?;
//! assert_eq!(windows.len(), 12);
//! let masks = MaskSet::generate(&windows, &spec, &MaskParams::new(MaskKind::Uniform, 0.4), &[1, 2])?;
//! assert_eq!(masks.seeds[0].windows[0].count(), 20 * windows[0].truth.n_agents());
//! let again = MaskSet::from_json(&masks.to_json()?)?;
//! assert_eq!(again, masks);
//!
//! /// A user's imputer: a straight line between the gap's ends, via our linear one.
//! struct Mine;
//! impl Imputer for Mine {
//!     type Error = touchline_impute::ImputeError;
//!     fn name(&self) -> &str { "mine" }
//!     fn impute(&self, d: &touchline_core::TrackingData) -> Result<touchline_core::TrackingData, Self::Error> {
//!         touchline_impute::Linear::default().impute(d)
//!     }
//! }
//! let methods = vec![eval::builtin("linear")?, eval::builtin("ffill")?, Candidate::new(Mine)];
//! let res = eval::run(&windows, &again, &methods, &BenchConfig::default(), &mut |_| {})?;
//! let pe = |i: usize| res.methods[i].stat("pe").unwrap().mean;
//! assert_eq!(pe(0), pe(2)); // same numbers for the same method
//! assert!(pe(0) < pe(1));   // linear beats holding the last position
//! assert!(res.to_markdown().contains("| mine |"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod camera;
pub mod harness;
pub mod mask;
pub mod metrics;
pub mod window;

pub use camera::BroadcastCamera;
pub use harness::{
    BUILTIN, BenchConfig, BenchResults, BoxedImputer, Candidate, ForwardFill, MeanStd, MethodResult,
    Progress, SeedResult, builtin, run, windows_to_json,
};
pub use mask::{EDGE_FRAMES, MaskKind, MaskParams, MaskSet, SeedMasks, VisibilityPattern, WindowMask};
pub use metrics::{Accumulator, Metrics};
pub use window::{EvalWindow, WindowSpec, concat_windows, make_windows, select_agents};
