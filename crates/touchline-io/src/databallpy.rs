//! PLACEHOLDER: the databallpy loader is being written; this file is replaced by it.

use std::path::Path;

use crate::{IoError, Result, TrackingData};

/// Placeholder.
pub fn sniff(_path: &Path, _head: &str) -> bool {
    false
}

/// Placeholder.
pub fn open(path: &Path) -> Result<TrackingData> {
    Err(IoError::UnknownFormat { path: path.to_path_buf(), reason: "loader not written yet".into() })
}
