//! The shared ONNX Runtime backend of Touchline's model crates (`touchline-detect`,
//! `touchline-pose`).
//!
//! It does three things and nothing model-specific:
//!
//! 1. **Finds the runtime library** ([`find_runtime`]): `ORT_DYLIB_PATH` if set; else the
//!    project's `.venv/lib/python3*/site-packages/onnxruntime/capi/libonnxruntime.so*`, looked for
//!    in the current directory and its ancestors and in the workspace this crate was built in;
//!    else the `onnxruntime` package of the `python3` on `PATH`. Nothing found is a typed
//!    [`OnnxError::RuntimeNotFound`] telling you to run `scripts/setup.sh` (which installs the
//!    pinned `onnxruntime==1.31.1` wheel into `.venv/`) or to set `ORT_DYLIB_PATH`.
//! 2. **Initialises it once** per process ([`runtime`]); every later call returns the same
//!    [`Runtime`].
//! 3. **Loads sessions against a contract** ([`OnnxModel::load`]): a missing file, a file that
//!    is not an ONNX model, and a model whose input/output names, element types or shapes differ
//!    from what the adapter expects ([`ModelContract`]) each give their own error naming the file.
//!
//! Model adapters then run the [`ort`] session (re-exported) themselves:
//!
//! ```
//! use touchline_onnx::{Dim, ElemType, ModelContract, OnnxModel, SessionConfig, TensorSpec};
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/models/yolox_nano/yolox_nano.onnx");
//! let contract = ModelContract::new(
//!     vec![TensorSpec::new("images", ElemType::F32, [Dim::Fixed(1), Dim::Fixed(3), Dim::Fixed(416), Dim::Fixed(416)])],
//!     vec![TensorSpec::new("output", ElemType::F32, [Dim::Any, Dim::Fixed(3549), Dim::Fixed(85)])],
//! );
//! let mut model = OnnxModel::load(path, &contract, &SessionConfig::default().intra_threads(1))?;
//! assert_eq!(model.input_shapes()[0], vec![1, 3, 416, 416]);
//!
//! let input = ndarray::Array4::<f32>::zeros((1, 3, 416, 416));
//! let outputs = model
//!     .session_mut()
//!     .run(touchline_onnx::ort::inputs!["images" => touchline_onnx::ort::value::TensorRef::from_array_view(&input)?])?;
//! let out = outputs["output"].try_extract_array::<f32>()?;
//! assert_eq!(out.shape(), &[1, 3549, 85]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

pub use ort;
use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::{TensorElementType, ValueType};

/// Errors of runtime discovery, initialisation and session loading.
#[derive(Debug, thiserror::Error)]
pub enum OnnxError {
    /// No ONNX Runtime library was found anywhere we looked.
    #[error(
        "ONNX Runtime library not found (looked in: {}); run scripts/setup.sh (installs onnxruntime==1.31.1 \
         into .venv/) or set ORT_DYLIB_PATH to libonnxruntime.so",
        list_paths(searched)
    )]
    RuntimeNotFound {
        /// Every place looked at, in order.
        searched: Vec<PathBuf>,
    },
    /// `ORT_DYLIB_PATH` names a file that does not exist.
    #[error("ORT_DYLIB_PATH={} does not exist; unset it or point it at libonnxruntime.so", path.display())]
    DylibPathMissing {
        /// The value of `ORT_DYLIB_PATH`.
        path: PathBuf,
    },
    /// The library was found but could not be loaded or is too old.
    #[error("cannot load ONNX Runtime from {}: {reason}", path.display())]
    RuntimeLoad {
        /// The library file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The runtime was already initialised from another library file.
    #[error("ONNX Runtime already initialised from {}, cannot switch to {}", loaded.display(), requested.display())]
    AlreadyInitialised {
        /// The library in use.
        loaded: PathBuf,
        /// The library asked for.
        requested: PathBuf,
    },
    /// The model file does not exist.
    #[error("model file {} not found", path.display())]
    ModelMissing {
        /// The model path.
        path: PathBuf,
    },
    /// The file exists but ONNX Runtime cannot load it as a model.
    #[error("{} is not a loadable ONNX model: {reason}", path.display())]
    ModelInvalid {
        /// The model path.
        path: PathBuf,
        /// The runtime's message.
        reason: String,
    },
    /// The model's inputs or outputs do not match the adapter's contract.
    #[error("{} does not fit this adapter: {kind} {detail}", path.display())]
    ContractMismatch {
        /// The model path.
        path: PathBuf,
        /// `"input"` or `"output"`.
        kind: &'static str,
        /// What differs (expected vs found).
        detail: String,
    },
    /// A session option could not be applied.
    #[error("session option {option} for {}: {reason}", path.display())]
    SessionOption {
        /// The model path.
        path: PathBuf,
        /// The option.
        option: &'static str,
        /// The runtime's message.
        reason: String,
    },
}

fn list_paths(p: &[PathBuf]) -> String {
    if p.is_empty() {
        return "nowhere".into();
    }
    p.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, OnnxError>;

// ---------------------------------------------------------------------------------------------
// Runtime discovery
// ---------------------------------------------------------------------------------------------

/// Library file names ONNX Runtime ships under on this platform (prefix match).
fn is_runtime_file(name: &str) -> bool {
    if cfg!(target_os = "windows") {
        name.eq_ignore_ascii_case("onnxruntime.dll")
    } else if cfg!(target_os = "macos") {
        name.starts_with("libonnxruntime") && name.ends_with(".dylib") && !name.contains("providers")
    } else {
        name.starts_with("libonnxruntime.so")
    }
}

/// The runtime library inside an `onnxruntime` Python package directory (`.../onnxruntime`).
fn runtime_in_package(pkg: &Path) -> Option<PathBuf> {
    let capi = pkg.join("capi");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&capi)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_str().is_some_and(is_runtime_file))
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    // The longest name is the fully versioned file (libonnxruntime.so.1.31.1).
    found.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
    found.into_iter().next()
}

/// `onnxruntime` package directories inside a virtual environment directory.
fn packages_in_venv(venv: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    // Windows layout.
    out.push(venv.join("Lib").join("site-packages").join("onnxruntime"));
    if let Ok(rd) = std::fs::read_dir(venv.join("lib")) {
        let mut pys: Vec<PathBuf> = rd
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_str().is_some_and(|n| n.starts_with("python3")))
            .map(|e| e.path().join("site-packages").join("onnxruntime"))
            .collect();
        pys.sort();
        out.extend(pys);
    }
    out
}

/// Where [`find_runtime`] looks for a project `.venv`, in order: the current directory and its
/// ancestors, then the workspace this crate was compiled in and its ancestors.
fn venv_candidates(cwd: Option<&Path>, workspace: &Path) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Some(cwd) = cwd {
        roots.extend(cwd.ancestors().map(Path::to_path_buf));
    }
    roots.extend(workspace.ancestors().map(Path::to_path_buf));
    let mut seen = Vec::new();
    for r in roots {
        let v = r.join(".venv");
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    seen
}

/// Locates the ONNX Runtime shared library (see the crate docs for the order).
///
/// Does not load it. Errors: [`OnnxError::DylibPathMissing`] when `ORT_DYLIB_PATH` is set to a
/// missing file, [`OnnxError::RuntimeNotFound`] listing every place looked at.
pub fn find_runtime() -> Result<PathBuf> {
    let cwd = std::env::current_dir().ok();
    let python = if cfg!(target_os = "windows") { "python" } else { "python3" };
    discover(
        std::env::var_os("ORT_DYLIB_PATH"),
        cwd.as_deref(),
        Path::new(env!("CARGO_MANIFEST_DIR")),
        python,
    )
}

/// [`find_runtime`] with its inputs explicit (testable without touching the environment).
fn discover(
    dylib_var: Option<std::ffi::OsString>,
    cwd: Option<&Path>,
    workspace: &Path,
    python: &str,
) -> Result<PathBuf> {
    if let Some(p) = dylib_var.filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if p.is_file() { Ok(p) } else { Err(OnnxError::DylibPathMissing { path: p }) };
    }
    let mut searched = Vec::new();
    for venv in venv_candidates(cwd, workspace) {
        if !venv.is_dir() {
            continue;
        }
        for pkg in packages_in_venv(&venv) {
            if let Some(lib) = runtime_in_package(&pkg) {
                return Ok(lib);
            }
            if pkg.parent().is_some_and(Path::is_dir) {
                searched.push(pkg.join("capi"));
            }
        }
    }
    searched.push(PathBuf::from(".venv (current directory, its ancestors, the Touchline workspace)"));
    let out = Command::new(python)
        .args(["-c", "import onnxruntime,os; print(os.path.dirname(onnxruntime.__file__))"])
        .output();
    if let Ok(out) = out
        && out.status.success()
    {
        let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
        if !dir.is_empty() {
            let pkg = PathBuf::from(dir);
            if let Some(lib) = runtime_in_package(&pkg) {
                return Ok(lib);
            }
            searched.push(pkg.join("capi"));
        }
    } else {
        searched.push(PathBuf::from(format!("{python} on PATH (no onnxruntime module)")));
    }
    Err(OnnxError::RuntimeNotFound { searched })
}

// ---------------------------------------------------------------------------------------------
// One-time initialisation
// ---------------------------------------------------------------------------------------------

/// The process-wide ONNX Runtime: the library in use and its environment.
pub struct Runtime {
    path: PathBuf,
    env: ort::environment::Environment,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Runtime {
    /// The shared library the runtime was loaded from.
    pub fn library_path(&self) -> &Path {
        &self.path
    }

    /// The `ort` environment sessions are built in.
    pub fn environment(&self) -> &ort::environment::Environment {
        &self.env
    }
}

static RUNTIME: OnceLock<Runtime> = OnceLock::new();
static INIT: Mutex<()> = Mutex::new(());

/// The process-wide runtime, found with [`find_runtime`] and initialised on the first call.
///
/// Thread-safe; later calls return the same runtime. A failed initialisation is retried on
/// the next call.
pub fn runtime() -> Result<&'static Runtime> {
    if let Some(r) = RUNTIME.get() {
        return Ok(r);
    }
    let path = find_runtime()?;
    runtime_from(&path)
}

/// Initialises the runtime from an explicit library file (or returns it if it was already
/// initialised from that same file).
///
/// Errors: [`OnnxError::RuntimeLoad`] when the file cannot be loaded or is older than the
/// runtime API `ort` needs; [`OnnxError::AlreadyInitialised`] when another file is in use.
pub fn runtime_from(path: &Path) -> Result<&'static Runtime> {
    let guard = INIT.lock().unwrap_or_else(|e| e.into_inner());
    let requested = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if let Some(r) = RUNTIME.get() {
        return if r.path == requested {
            Ok(r)
        } else {
            Err(OnnxError::AlreadyInitialised { loaded: r.path.clone(), requested })
        };
    }
    if !requested.is_file() {
        return Err(OnnxError::RuntimeNotFound { searched: vec![requested] });
    }
    let load_err = |reason: String| OnnxError::RuntimeLoad { path: requested.clone(), reason };
    let builder = ort::init_from(&requested).map_err(|e| load_err(e.to_string()))?;
    let env = builder.with_name("touchline").build().map_err(|e| load_err(e.to_string()))?;
    let rt = RUNTIME.get_or_init(|| Runtime { path: requested.clone(), env });
    drop(guard);
    Ok(rt)
}

// ---------------------------------------------------------------------------------------------
// Contracts and sessions
// ---------------------------------------------------------------------------------------------

/// Element type of a tensor in a [`TensorSpec`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElemType {
    /// `float32`.
    F32,
    /// `int32`.
    I32,
    /// `int64`.
    I64,
    /// `uint8`.
    U8,
    /// Any element type.
    Any,
}

impl ElemType {
    fn matches(self, t: TensorElementType) -> bool {
        match self {
            ElemType::F32 => t == TensorElementType::Float32,
            ElemType::I32 => t == TensorElementType::Int32,
            ElemType::I64 => t == TensorElementType::Int64,
            ElemType::U8 => t == TensorElementType::Uint8,
            ElemType::Any => true,
        }
    }
}

/// One dimension of an expected shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    /// Must be exactly this size, or dynamic in the model (the adapter will feed this size).
    Fixed(i64),
    /// Any size, fixed or dynamic.
    Any,
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dim::Fixed(n) => write!(f, "{n}"),
            Dim::Any => f.write_str("?"),
        }
    }
}

/// What an adapter expects of one model input or output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorSpec {
    /// Tensor name in the graph.
    pub name: String,
    /// Element type.
    pub elem: ElemType,
    /// Expected shape (its length is the rank).
    pub shape: Vec<Dim>,
}

impl TensorSpec {
    /// A spec from its parts.
    pub fn new(name: impl Into<String>, elem: ElemType, shape: impl IntoIterator<Item = Dim>) -> Self {
        TensorSpec { name: name.into(), elem, shape: shape.into_iter().collect() }
    }

    fn shape_text(&self) -> String {
        let d: Vec<String> = self.shape.iter().map(Dim::to_string).collect();
        format!("[{}]", d.join(","))
    }
}

/// The inputs and outputs an adapter needs. Extra graph outputs are allowed (they are simply
/// not read); the graph's inputs must be exactly the contract's inputs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelContract {
    /// Expected inputs, in graph order.
    pub inputs: Vec<TensorSpec>,
    /// Outputs the adapter reads.
    pub outputs: Vec<TensorSpec>,
}

impl ModelContract {
    /// A contract from its inputs and outputs.
    pub fn new(inputs: Vec<TensorSpec>, outputs: Vec<TensorSpec>) -> Self {
        ModelContract { inputs, outputs }
    }
}

/// Session options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// Threads for one operator (`0` = ONNX Runtime's default: one per physical core).
    pub intra_threads: usize,
    /// Graph optimisations on (default) or off.
    pub optimize: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig { intra_threads: 0, optimize: true }
    }
}

impl SessionConfig {
    /// Sets the intra-op thread count (`0` = runtime default).
    pub fn intra_threads(mut self, n: usize) -> Self {
        self.intra_threads = n;
        self
    }
}

/// Name, element type and declared shape (`-1` = dynamic) of a session input or output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo {
    /// Tensor name.
    pub name: String,
    /// Element type, `None` for non-tensor values.
    pub elem: Option<TensorElementType>,
    /// Declared shape, `-1` for a dynamic dimension.
    pub shape: Vec<i64>,
}

impl TensorInfo {
    fn from_outlet(o: &ort::value::Outlet) -> Self {
        match o.dtype() {
            ValueType::Tensor { ty, shape, .. } => {
                TensorInfo { name: o.name().to_string(), elem: Some(*ty), shape: shape.to_vec() }
            }
            _ => TensorInfo { name: o.name().to_string(), elem: None, shape: Vec::new() },
        }
    }

    fn describe(&self) -> String {
        let ty = self.elem.map_or_else(|| "non-tensor".to_string(), |t| format!("{t:?}"));
        let d: Vec<String> =
            self.shape.iter().map(|&d| if d < 0 { "?".to_string() } else { d.to_string() }).collect();
        format!("`{}` {ty} [{}]", self.name, d.join(","))
    }
}

/// Checks declared tensors against specs; `exact` requires the same set of names.
fn check(
    path: &Path,
    kind: &'static str,
    found: &[TensorInfo],
    want: &[TensorSpec],
    exact: bool,
) -> Result<()> {
    let mismatch = |detail: String| OnnxError::ContractMismatch { path: path.to_path_buf(), kind, detail };
    let listing = || found.iter().map(TensorInfo::describe).collect::<Vec<_>>().join(", ");
    if exact && found.len() != want.len() {
        return Err(mismatch(format!(
            "count: expected {} ({}), model has {} ({})",
            want.len(),
            want.iter().map(|s| format!("`{}`", s.name)).collect::<Vec<_>>().join(", "),
            found.len(),
            listing()
        )));
    }
    for spec in want {
        let Some(t) = found.iter().find(|t| t.name == spec.name) else {
            return Err(mismatch(format!("`{}` missing; model has {}", spec.name, listing())));
        };
        let elem_ok = t.elem.is_some_and(|e| spec.elem.matches(e));
        let rank_ok = t.shape.len() == spec.shape.len();
        let dims_ok = rank_ok
            && spec.shape.iter().zip(&t.shape).all(|(d, &n)| match d {
                Dim::Any => true,
                Dim::Fixed(want) => n < 0 || n == *want,
            });
        if !(elem_ok && dims_ok) {
            return Err(mismatch(format!(
                "`{}`: expected {:?} {}, model declares {}",
                spec.name,
                spec.elem,
                spec.shape_text(),
                t.describe()
            )));
        }
    }
    Ok(())
}

/// A loaded, contract-checked ONNX model.
pub struct OnnxModel {
    session: Session,
    path: PathBuf,
    inputs: Vec<TensorInfo>,
    outputs: Vec<TensorInfo>,
}

impl fmt::Debug for OnnxModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnnxModel")
            .field("path", &self.path)
            .field("inputs", &self.inputs)
            .field("outputs", &self.outputs)
            .finish_non_exhaustive()
    }
}

impl OnnxModel {
    /// Loads `path` in the process-wide [`runtime`] and checks it against `contract`.
    ///
    /// Errors, each naming the file: [`OnnxError::ModelMissing`], [`OnnxError::ModelInvalid`]
    /// (not ONNX, truncated, unsupported operator), [`OnnxError::ContractMismatch`], plus the
    /// runtime errors of [`runtime`].
    pub fn load(
        path: impl AsRef<Path>,
        contract: &ModelContract,
        config: &SessionConfig,
    ) -> Result<OnnxModel> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(OnnxError::ModelMissing { path: path.to_path_buf() });
        }
        let rt = runtime()?;
        let opt = |option: &'static str, reason: String| OnnxError::SessionOption {
            path: path.to_path_buf(),
            option,
            reason,
        };
        let mut builder = Session::builder(rt.environment()).map_err(|e| opt("builder", e.to_string()))?;
        if config.intra_threads > 0 {
            builder = builder
                .with_intra_threads(config.intra_threads)
                .map_err(|e| opt("intra_threads", e.to_string()))?;
        }
        let level =
            if config.optimize { GraphOptimizationLevel::All } else { GraphOptimizationLevel::Disable };
        builder = builder.with_optimization_level(level).map_err(|e| opt("optimization", e.to_string()))?;
        let session = builder
            .commit_from_file(path)
            .map_err(|e| OnnxError::ModelInvalid { path: path.to_path_buf(), reason: e.to_string() })?;
        let inputs: Vec<TensorInfo> = session.inputs().iter().map(TensorInfo::from_outlet).collect();
        let outputs: Vec<TensorInfo> = session.outputs().iter().map(TensorInfo::from_outlet).collect();
        check(path, "input", &inputs, &contract.inputs, true)?;
        check(path, "output", &outputs, &contract.outputs, false)?;
        Ok(OnnxModel { session, path: path.to_path_buf(), inputs, outputs })
    }

    /// The model file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Declared inputs, in graph order.
    pub fn inputs(&self) -> &[TensorInfo] {
        &self.inputs
    }

    /// Declared outputs, in graph order.
    pub fn outputs(&self) -> &[TensorInfo] {
        &self.outputs
    }

    /// Declared input shapes (`-1` = dynamic), in graph order.
    pub fn input_shapes(&self) -> Vec<Vec<i64>> {
        self.inputs.iter().map(|t| t.shape.clone()).collect()
    }

    /// Declared output shapes (`-1` = dynamic), in graph order.
    pub fn output_shapes(&self) -> Vec<Vec<i64>> {
        self.outputs.iter().map(|t| t.shape.clone()).collect()
    }

    /// The session, to run.
    pub fn session_mut(&mut self) -> &mut Session {
        &mut self.session
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_file_names() {
        if cfg!(target_os = "linux") {
            assert!(is_runtime_file("libonnxruntime.so.1.31.1"));
            assert!(is_runtime_file("libonnxruntime.so"));
            assert!(!is_runtime_file("libonnxruntime_providers_shared.so"));
        }
    }

    #[test]
    fn discovery_order_and_errors() {
        let empty = std::env::temp_dir().join(format!("touchline-onnx-empty-{}", std::process::id()));
        std::fs::create_dir_all(&empty).unwrap();
        // ORT_DYLIB_PATH wins, and a missing file there is its own error.
        let e = discover(Some("/nonexistent/libonnxruntime.so".into()), None, &empty, "python3").unwrap_err();
        assert!(matches!(e, OnnxError::DylibPathMissing { .. }), "{e}");
        // Nothing anywhere: the error says what to do.
        let e = discover(None, Some(&empty), &empty, "touchline-no-such-python").unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, OnnxError::RuntimeNotFound { .. }), "{msg}");
        assert!(msg.contains("scripts/setup.sh") && msg.contains("ORT_DYLIB_PATH"), "{msg}");
        // The workspace's own .venv is found from an unrelated directory.
        let ws = Path::new(env!("CARGO_MANIFEST_DIR"));
        let found = discover(None, Some(&empty), ws, "touchline-no-such-python").unwrap();
        assert!(found.to_string_lossy().contains("onnxruntime"), "{found:?}");
        // An explicit, existing ORT_DYLIB_PATH is returned as is.
        let again = discover(Some(found.clone().into_os_string()), None, &empty, "x").unwrap();
        assert_eq!(again, found);
        let _ = std::fs::remove_dir_all(&empty);
    }

    #[test]
    fn contract_check_reports_differences() {
        let found = vec![TensorInfo {
            name: "images".into(),
            elem: Some(TensorElementType::Float32),
            shape: vec![1, 3, -1, -1],
        }];
        let p = Path::new("m.onnx");
        let ok = TensorSpec::new(
            "images",
            ElemType::F32,
            [Dim::Any, Dim::Fixed(3), Dim::Fixed(416), Dim::Fixed(416)],
        );
        assert!(check(p, "input", &found, std::slice::from_ref(&ok), true).is_ok());
        let bad_c = TensorSpec::new("images", ElemType::F32, [Dim::Any, Dim::Fixed(4), Dim::Any, Dim::Any]);
        let e = check(p, "input", &found, &[bad_c], true).unwrap_err();
        assert!(e.to_string().contains("[?,4,?,?]"), "{e}");
        let bad_t = TensorSpec::new("images", ElemType::I32, [Dim::Any; 4]);
        assert!(check(p, "input", &found, &[bad_t], true).is_err());
        let bad_rank = TensorSpec::new("images", ElemType::F32, [Dim::Any; 3]);
        assert!(check(p, "input", &found, &[bad_rank], true).is_err());
        let other = TensorSpec::new("input", ElemType::F32, [Dim::Any; 4]);
        let e = check(p, "input", &found, &[other], true).unwrap_err();
        assert!(e.to_string().contains("`input` missing"), "{e}");
        assert!(check(p, "input", &found, &[ok.clone(), ok], true).is_err());
    }
}
