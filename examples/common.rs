//! Helpers shared by the examples in this folder.
//!
//! Each example is a `[[example]]` of this package; run one with
//! `cargo run --release -p touchline-examples --example <name> -- [args]`.

use std::path::{Path, PathBuf};

/// The workspace root (the folder holding `crates/` and `examples/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// A path inside the read-only `../shared` assets folder beside the workspace.
///
/// Returns an error naming the full path when it is absent, so an example
/// fails loudly instead of running on nothing.
///
/// ```
/// let p = touchline_examples::shared_asset("data/tracab_databallpy/tracking_wide.csv");
/// assert!(p.is_ok(), "{p:?}");
/// let missing = touchline_examples::shared_asset("no/such/file.csv").unwrap_err();
/// assert!(missing.contains("no/such/file.csv"));
/// ```
pub fn shared_asset(relative: &str) -> Result<PathBuf, String> {
    let p = workspace_root().join("..").join("shared").join(relative);
    if p.exists() { Ok(p) } else { Err(format!("missing shared asset {}", p.display())) }
}
