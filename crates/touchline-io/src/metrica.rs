//! PLACEHOLDER: the metrica loader is being written; this file is replaced by it.

use std::path::Path;

use crate::{IoError, Result, TrackingData};

/// Placeholder.
pub fn sniff_csv(_path: &Path, _head: &str) -> bool {
    false
}

/// Placeholder.
pub fn open_csv(path: &Path) -> Result<TrackingData> {
    Err(IoError::UnknownFormat { path: path.to_path_buf(), reason: "loader not written yet".into() })
}

/// Placeholder.
pub fn sniff_epts(_path: &Path, _head: &str) -> bool {
    false
}

/// Placeholder.
pub fn open_epts(path: &Path) -> Result<TrackingData> {
    Err(IoError::UnknownFormat { path: path.to_path_buf(), reason: "loader not written yet".into() })
}
