//! Loading real models: shapes, and the typed errors for a missing file, a garbage file and a
//! model that does not fit the adapter's contract.

use std::path::PathBuf;

use touchline_onnx::{Dim, ElemType, ModelContract, OnnxError, OnnxModel, SessionConfig, TensorSpec};

fn asset(rel: &str) -> PathBuf {
    let p = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/")).join(rel);
    assert!(p.exists(), "missing test asset {p:?}");
    p
}

fn yolox_contract() -> ModelContract {
    ModelContract::new(
        vec![TensorSpec::new(
            "images",
            ElemType::F32,
            [Dim::Fixed(1), Dim::Fixed(3), Dim::Fixed(416), Dim::Fixed(416)],
        )],
        vec![TensorSpec::new("output", ElemType::F32, [Dim::Any, Dim::Fixed(3549), Dim::Fixed(85)])],
    )
}

fn cfg() -> SessionConfig {
    SessionConfig::default().intra_threads(1)
}

#[test]
fn runtime_is_found_and_initialised_once() {
    let a = touchline_onnx::runtime().expect("runtime (run scripts/setup.sh)");
    let b = touchline_onnx::runtime().expect("runtime again");
    assert!(std::ptr::eq(a, b));
    assert!(a.library_path().is_file(), "{:?}", a.library_path());
    assert!(
        a.library_path().file_name().and_then(|n| n.to_str()).is_some_and(|n| n.contains("onnxruntime")),
        "{:?}",
        a.library_path()
    );
    // Asking for the same file again is fine.
    assert!(touchline_onnx::runtime_from(a.library_path()).is_ok());
}

#[test]
fn yolox_shapes_and_a_run() {
    let mut m =
        OnnxModel::load(asset("models/yolox_nano/yolox_nano.onnx"), &yolox_contract(), &cfg()).unwrap();
    assert_eq!(m.input_shapes(), vec![vec![1, 3, 416, 416]]);
    assert_eq!(m.output_shapes(), vec![vec![1, 3549, 85]]);
    assert_eq!(m.inputs()[0].name, "images");
    let x = ndarray::Array4::<f32>::from_elem((1, 3, 416, 416), 114.0);
    let out = m
        .session_mut()
        .run(touchline_onnx::ort::inputs!["images" => touchline_onnx::ort::value::TensorRef::from_array_view(&x).unwrap()])
        .unwrap();
    let y = out["output"].try_extract_array::<f32>().unwrap();
    assert_eq!(y.shape(), &[1, 3549, 85]);
    // Objectness is a sigmoid: within [0, 1]; a flat grey image has no confident object.
    let obj_max = y.slice(ndarray::s![0, .., 4]).iter().fold(0.0f32, |a, &b| a.max(b));
    assert!((0.0..0.5).contains(&obj_max), "objectness on a grey image {obj_max}");
}

#[test]
fn rtmdet_dynamic_dims_accept_fixed_expectations() {
    let c = ModelContract::new(
        vec![TensorSpec::new(
            "input",
            ElemType::F32,
            [Dim::Fixed(1), Dim::Fixed(3), Dim::Fixed(320), Dim::Fixed(320)],
        )],
        vec![
            TensorSpec::new("dets", ElemType::F32, [Dim::Any, Dim::Any, Dim::Fixed(5)]),
            TensorSpec::new("labels", ElemType::I64, [Dim::Any, Dim::Any]),
        ],
    );
    let m = OnnxModel::load(asset("models/rtmdet_nano/rtmdet_nano.onnx"), &c, &cfg()).unwrap();
    assert_eq!(m.input_shapes()[0].len(), 4);
    assert!(m.input_shapes()[0][2] < 0, "H declared dynamic: {:?}", m.input_shapes());
}

#[test]
fn missing_model_is_typed() {
    let p = PathBuf::from("/nonexistent/dir/yolox.onnx");
    match OnnxModel::load(&p, &yolox_contract(), &cfg()) {
        Err(OnnxError::ModelMissing { path }) => assert_eq!(path, p),
        other => panic!("expected ModelMissing, got {other:?}"),
    }
}

#[test]
fn garbage_file_is_invalid_model() {
    let dir = std::env::temp_dir().join(format!("touchline-onnx-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("garbage.onnx");
    std::fs::write(&p, b"this is not a protobuf \x00\xff\x13 at all").unwrap();
    let r = OnnxModel::load(&p, &yolox_contract(), &cfg());
    // Truncated real model too.
    let bytes = std::fs::read(asset("models/yolox_nano/yolox_nano.onnx")).unwrap();
    let t = dir.join("truncated.onnx");
    std::fs::write(&t, &bytes[..bytes.len() / 3]).unwrap();
    let r2 = OnnxModel::load(&t, &yolox_contract(), &cfg());
    let _ = std::fs::remove_dir_all(&dir);
    match r {
        Err(e @ OnnxError::ModelInvalid { .. }) => assert!(e.to_string().contains("garbage.onnx"), "{e}"),
        other => panic!("expected ModelInvalid, got {other:?}"),
    }
    assert!(matches!(r2, Err(OnnxError::ModelInvalid { .. })), "{r2:?}");
}

#[test]
fn wrong_model_is_contract_mismatch() {
    let p = asset("models/movenet_single/movenet_lightning.onnx");
    match OnnxModel::load(&p, &yolox_contract(), &cfg()) {
        Err(e @ OnnxError::ContractMismatch { kind: "input", .. }) => {
            let s = e.to_string();
            assert!(s.contains("movenet_lightning.onnx") && s.contains("`images` missing"), "{s}");
        }
        other => panic!("expected ContractMismatch, got {other:?}"),
    }
    // Right input name, wrong size: rtmdet's input is `input`, so craft a contract with movenet's
    // name and a wrong fixed size.
    let c = ModelContract::new(
        vec![TensorSpec::new(
            "input:0",
            ElemType::I32,
            [Dim::Fixed(1), Dim::Fixed(256), Dim::Fixed(256), Dim::Fixed(3)],
        )],
        vec![],
    );
    let e = OnnxModel::load(&p, &c, &cfg()).unwrap_err();
    assert!(matches!(e, OnnxError::ContractMismatch { .. }) && e.to_string().contains("192"), "{e}");
    // A missing output.
    let c = ModelContract::new(
        vec![TensorSpec::new("input:0", ElemType::I32, [Dim::Any; 4])],
        vec![TensorSpec::new("output", ElemType::F32, [Dim::Any; 3])],
    );
    let e = OnnxModel::load(&p, &c, &cfg()).unwrap_err();
    assert!(matches!(e, OnnxError::ContractMismatch { kind: "output", .. }), "{e}");
}
