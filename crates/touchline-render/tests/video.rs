//! MP4 and PNG-sequence output, checked by decoding with ffmpeg.

use std::path::{Path, PathBuf};
use std::process::Command;

use image::{Rgb, RgbImage};
use touchline_render::{FrameSink, Mp4Options, Mp4Writer, PngSequenceWriter, RenderError};

const FFMPEG: &str = "/usr/bin/ffmpeg";
const FFPROBE: &str = "/usr/bin/ffprobe";

fn tool(path: &str) -> &str {
    assert!(Path::new(path).exists(), "missing {path}: install ffmpeg (scripts/setup.sh does)");
    path
}

fn tmp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("touchline-render-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Large coloured shapes that move with `t`.
fn synthetic(w: u32, h: u32, t: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let cx = (w / 4 + 2 * t) as i64;
        let cy = (h / 2) as i64;
        let (dx, dy) = (x as i64 - cx, y as i64 - cy);
        if dx * dx + dy * dy < (h as i64 / 4).pow(2) {
            Rgb([230, 40, 40])
        } else if x > w / 2 && y > h / 3 {
            Rgb([30, 90, 220])
        } else if y < h / 6 {
            Rgb([250, 220, 30])
        } else {
            Rgb([40, 140, 60])
        }
    })
}

/// `(frames, width, height, r_frame_rate)` as ffprobe reports them.
fn probe(path: &Path) -> (u64, u32, u32, String) {
    let out = Command::new(tool(FFPROBE))
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries"])
        .args(["stream=nb_read_frames,width,height,r_frame_rate", "-of", "default=noprint_wrappers=1"])
        .arg(path)
        .output()
        .unwrap();
    assert!(out.status.success(), "ffprobe failed on {path:?}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap_or_else(|| panic!("no {k} in ffprobe output {text}"))
            .to_string()
    };
    (
        get("nb_read_frames").parse().unwrap(),
        get("width").parse().unwrap(),
        get("height").parse().unwrap(),
        get("r_frame_rate"),
    )
}

/// Frame `n` decoded by ffmpeg as RGB.
fn decode_frame(path: &Path, n: u32, w: u32, h: u32) -> RgbImage {
    let out = Command::new(tool(FFMPEG))
        .args(["-v", "error", "-i"])
        .arg(path)
        .args([
            "-vf",
            &format!("select=eq(n\\,{n})"),
            "-vframes",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "ffmpeg failed on {path:?}: {}", String::from_utf8_lossy(&out.stderr));
    RgbImage::from_raw(w, h, out.stdout).expect("decoded frame has the probed size")
}

/// PSNR in dB over the top-left `w x h` of both images.
fn psnr(a: &RgbImage, b: &RgbImage, w: u32, h: u32) -> f64 {
    let mut se = 0.0;
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                let d = f64::from(a.get_pixel(x, y)[c]) - f64::from(b.get_pixel(x, y)[c]);
                se += d * d;
            }
        }
    }
    let mse = se / f64::from(w * h * 3);
    10.0 * (255.0f64 * 255.0 / mse.max(1e-12)).log10()
}

#[test]
fn mp4_round_trips_through_ffmpeg() {
    let dir = tmp_dir("rt");
    let path = dir.join("out.mp4");
    let (w, h) = (640, 360);
    let mut out = Mp4Writer::create(&path, w, h, 25.0).unwrap();
    let frames: Vec<RgbImage> = (0..30).map(|t| synthetic(w, h, t)).collect();
    for f in &frames {
        out.write_frame(f).unwrap();
    }
    assert_eq!(out.frames_written(), 30);
    let summary = out.finish().unwrap();
    assert_eq!((summary.frames, summary.width, summary.height), (30, w, h));
    assert_eq!(summary.bytes, std::fs::metadata(&path).unwrap().len());
    assert_eq!(probe(&path), (30, w, h, "25/1".to_string()));
    for n in [0, 17, 29] {
        let decoded = decode_frame(&path, n, w, h);
        let p = psnr(&decoded, &frames[n as usize], w, h);
        assert!(p > 30.0, "frame {n}: PSNR {p:.1} dB");
        // Flat areas keep their colour (BT.601 conversion both ways agrees).
        for (x, y) in [(5, 180), (600, 340), (5, 5)] {
            let (a, b) = (decoded.get_pixel(x, y).0, frames[n as usize].get_pixel(x, y).0);
            assert!(a.iter().zip(b).all(|(p, q)| p.abs_diff(q) <= 6), "frame {n} ({x},{y}): {a:?} vs {b:?}");
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn odd_size_is_padded_and_fractional_fps_kept() {
    let dir = tmp_dir("odd");
    let path = dir.join("odd.mp4");
    let (w, h) = (321, 181);
    let opts = Mp4Options { keyframe_interval: 4, threads: 1, ..Default::default() };
    let mut out = Mp4Writer::with_options(&path, w, h, 29.97, opts).unwrap();
    assert_eq!(out.encoded_size(), (322, 182));
    let frames: Vec<RgbImage> = (0..9).map(|t| synthetic(w, h, t)).collect();
    for f in &frames {
        out.write_frame(f).unwrap();
    }
    let s = out.finish().unwrap();
    assert!((s.fps - 29.97).abs() < 1e-9, "{}", s.fps);
    assert_eq!(probe(&path), (9, 322, 182, "2997/100".to_string()));
    let decoded = decode_frame(&path, 8, 322, 182);
    let p = psnr(&decoded, &frames[8], w, h);
    assert!(p > 30.0, "PSNR {p:.1} dB");
    // The padding column repeats the last real one.
    let d =
        decoded.get_pixel(321, 100).0.iter().zip(decoded.get_pixel(320, 100).0).map(|(a, b)| a.abs_diff(b));
    assert!(d.max().unwrap() < 30);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn parallel_encoders_write_the_same_video() {
    // 23 frames, a key frame every 5: intervals 0, 2, 4 go to encoder 0, 1 and 3 to encoder 1.
    let dir = tmp_dir("parallel");
    let (w, h) = (161, 90);
    let frames: Vec<RgbImage> = (0..23).map(|t| synthetic(w, h, t)).collect();
    let write = |name: &str, encoders: usize| {
        let path = dir.join(name);
        let opts = Mp4Options { keyframe_interval: 5, threads: 1, encoders, ..Default::default() };
        let mut out = Mp4Writer::with_options(&path, w, h, 25.0, opts).unwrap();
        for f in &frames {
            out.write_frame(f).unwrap();
        }
        let s = out.finish().unwrap();
        assert_eq!(s.frames, 23);
        path
    };
    let one = write("one.mp4", 1);
    for encoders in [2, 3] {
        let par = write(&format!("par{encoders}.mp4"), encoders);
        assert_eq!(probe(&par), (23, 162, 90, "25/1".to_string()), "{encoders} encoders");
        // Every interval is encoded alone from an IDR picture in both files, so the pictures
        // decode alike: compare a key frame, a frame inside an interval, and the last one.
        for n in [0u32, 5, 13, 22] {
            let a = decode_frame(&one, n, 162, 90);
            let b = decode_frame(&par, n, 162, 90);
            let (p, p1) = (psnr(&b, &frames[n as usize], w, h), psnr(&a, &frames[n as usize], w, h));
            assert!(
                p > p1 - 1.0,
                "{encoders} encoders, frame {n}: {p:.1} dB against the source, one encoder {p1:.1}"
            );
            let q = psnr(&a, &b, w, h);
            assert!(q > 35.0, "{encoders} encoders, frame {n}: PSNR {q:.1} dB against one encoder");
        }
    }
    // Bad settings name the parameter.
    for (encoders, keyframe_interval) in [(0, 5), (2, 0), (99, 5)] {
        let opts = Mp4Options { keyframe_interval, encoders, ..Default::default() };
        let e = Mp4Writer::with_options(dir.join("bad.mp4"), w, h, 25.0, opts).unwrap_err();
        assert!(matches!(e, RenderError::InvalidParameter { name: "encoders", .. }), "{e:?}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn bad_input_gives_typed_errors_naming_file_and_frame() {
    let dir = tmp_dir("err");
    let path = dir.join("e.mp4");
    let mut out = Mp4Writer::create(&path, 64, 48, 25.0).unwrap();
    out.write_frame(&synthetic(64, 48, 0)).unwrap();
    let err = out.write_frame(&RgbImage::new(48, 64)).unwrap_err();
    assert!(matches!(err, RenderError::FrameSize { frame: 1, found_w: 48, .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("e.mp4") && msg.contains("frame 1"), "{msg}");
    // The good frame is still written.
    out.finish().unwrap();
    assert_eq!(probe(&path).0, 1);

    let empty = dir.join("empty.mp4");
    let err = Mp4Writer::create(&empty, 64, 48, 25.0).unwrap().finish().unwrap_err();
    assert!(matches!(err, RenderError::NoFrames { .. }) && err.to_string().contains("empty.mp4"), "{err}");
    assert!(!empty.exists(), "empty file left behind");

    let missing = dir.join("no/such/dir/x.mp4");
    let err = Mp4Writer::create(&missing, 64, 48, 25.0).unwrap_err();
    assert!(matches!(err, RenderError::Io { .. }) && err.to_string().contains("no/such/dir"), "{err}");

    for fps in [f64::NAN, 0.0, -25.0, f64::INFINITY, 5000.0] {
        let err = Mp4Writer::create(dir.join("f.mp4"), 64, 48, fps).unwrap_err();
        assert!(matches!(err, RenderError::InvalidParameter { name: "fps", .. }), "{fps}: {err}");
    }
    for (w, h) in [(0, 10), (10, 0), (4000, 100), (3000, 3000)] {
        let err = Mp4Writer::create(dir.join("s.mp4"), w, h, 25.0).unwrap_err();
        assert!(matches!(err, RenderError::InvalidParameter { name: "size", .. }), "{w}x{h}: {err}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn png_sequence_round_trips_exactly() {
    let dir = tmp_dir("png");
    let mut out = PngSequenceWriter::create(dir.join("frames")).unwrap();
    let frames: Vec<RgbImage> = (0..3).map(|t| synthetic(33, 17, t)).collect();
    for f in &frames {
        FrameSink::write_frame(&mut out, f).unwrap();
    }
    assert_eq!(out.frames_written(), 3);
    for (i, f) in frames.iter().enumerate() {
        let p = dir.join("frames").join(format!("frame_{i:06}.png"));
        assert_eq!(&image::open(&p).unwrap().to_rgb8(), f, "{p:?}");
    }
    assert!(!dir.join("frames/frame_000003.png").exists());
    // A file where the directory should be.
    let blocker = dir.join("blocker");
    std::fs::write(&blocker, b"x").unwrap();
    let err = PngSequenceWriter::create(blocker.join("sub")).unwrap_err();
    assert!(err.to_string().contains("blocker"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
#[ignore = "measurement: encode speed and quality on real footage; run with --ignored --nocapture"]
fn measure_encode_on_real_clip() {
    let clip = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/videos/soccer_dfl_wideangle_08fd33_4.mp4"
    ));
    assert!(clip.exists(), "missing test asset {clip:?}");
    let (w, h) = (848u32, 478u32);
    let out = Command::new(tool(FFMPEG))
        .args(["-v", "error", "-i"])
        .arg(clip)
        .args(["-vframes", "100", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .unwrap();
    let frames: Vec<RgbImage> = out
        .stdout
        .chunks_exact((w * h * 3) as usize)
        .map(|c| RgbImage::from_raw(w, h, c.to_vec()).unwrap())
        .collect();
    assert_eq!(frames.len(), 100);
    let dir = tmp_dir("measure");
    for bitrate_bps in [None, Some(1_500_000), Some(6_000_000)] {
        let path = dir.join("m.mp4");
        let t = std::time::Instant::now();
        let mut out =
            Mp4Writer::with_options(&path, w, h, 25.0, Mp4Options { bitrate_bps, ..Default::default() })
                .unwrap();
        for f in &frames {
            out.write_frame(f).unwrap();
        }
        let s = out.finish().unwrap();
        let fps = frames.len() as f64 / t.elapsed().as_secs_f64();
        let p = psnr(&decode_frame(&path, 60, w, h), &frames[60], w, h);
        let mbps = s.bytes as f64 * 8.0 / (frames.len() as f64 / 25.0) / 1e6;
        println!("{bitrate_bps:?}: {fps:.0} frames/s encoded, {mbps:.2} Mbit/s, frame 60 PSNR {p:.1} dB");
    }
    std::fs::remove_dir_all(dir).unwrap();
}
