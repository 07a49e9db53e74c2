//! Image folders: name order, frame rate, sizes, errors.

mod common;
use common::temp_dir;
use image::{Rgb, RgbImage};
use touchline_core::FrameSource;
use touchline_decode::{Backend, DecodeError, ImageFolderSource, OpenOptions};

fn solid(v: u8) -> RgbImage {
    RgbImage::from_pixel(16, 8, Rgb([v, 255 - v, v / 2]))
}

#[test]
fn images_come_in_name_order_with_timestamps_from_fps() {
    let dir = temp_dir("folder-order");
    // Written out of order; one JPEG; a text file and a sub-folder that must be ignored.
    for (name, v) in [("f_0002.png", 20u8), ("f_0000.png", 0), ("f_0010.PNG", 100), ("f_0001.png", 10)] {
        solid(v).save(dir.join(name)).unwrap();
    }
    solid(50).save(dir.join("f_0003.jpg")).unwrap();
    std::fs::write(dir.join("notes.txt"), "not an image").unwrap();
    std::fs::create_dir(dir.join("sub.png")).unwrap();

    let mut src = ImageFolderSource::new(&dir, 10.0).unwrap();
    let names: Vec<_> =
        src.files().iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["f_0000.png", "f_0001.png", "f_0002.png", "f_0003.jpg", "f_0010.PNG"]);
    let info = src.info().unwrap();
    assert_eq!((info.width, info.height, info.frame_count, info.fps), (16, 8, Some(5), Some(10.0)));
    assert_eq!(src.frame_count_hint(), Some(5));
    let want = [0u8, 10, 20, 50, 100];
    for (i, v) in want.iter().enumerate() {
        let f = src.next_frame().unwrap().unwrap();
        assert_eq!((f.index, f.timestamp), (i, i as f64 / 10.0));
        let px = f.image.get_pixel(3, 3).0;
        let tol = if i == 3 { 3 } else { 0 }; // JPEG is lossy
        assert!(px[0].abs_diff(*v) <= tol, "frame {i}: {px:?}");
    }
    assert!(src.next_frame().unwrap().is_none());

    // open() sees a directory as an image folder, at the rate asked for.
    let src = touchline_decode::open_with(&dir, &OpenOptions { folder_fps: 5.0 }).unwrap();
    assert_eq!((src.backend(), src.frame_rate()), (Backend::ImageFolder, Some(5.0)));
    assert_eq!(touchline_decode::probe(&dir).unwrap().frame_count, Some(5));
}

#[test]
fn folder_errors_name_the_file_and_frame() {
    let dir = temp_dir("folder-errors");
    let e = ImageFolderSource::new(&dir, 25.0).unwrap_err();
    assert!(matches!(e, DecodeError::UnknownFormat { .. }), "{e:?}");
    assert!(ImageFolderSource::new(&dir, 0.0).is_err());
    assert!(ImageFolderSource::new(&dir, f64::NAN).is_err());
    assert!(matches!(ImageFolderSource::new(dir.join("missing"), 25.0).unwrap_err(), DecodeError::Io { .. }));

    solid(1).save(dir.join("a.png")).unwrap();
    RgbImage::new(9, 9).save(dir.join("b.png")).unwrap();
    std::fs::write(dir.join("c.png"), b"\x89PNG garbage").unwrap();
    let mut src = ImageFolderSource::new(&dir, 25.0).unwrap();
    src.next_frame().unwrap().unwrap();
    match src.next_frame().unwrap_err() {
        DecodeError::Image { path, frame, reason } => {
            assert!(path.ends_with("b.png") && frame == 1, "{path:?} {frame}");
            assert!(reason.contains("first frame"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    std::fs::remove_file(dir.join("b.png")).unwrap();
    let mut src = ImageFolderSource::new(&dir, 25.0).unwrap();
    src.next_frame().unwrap().unwrap();
    let e = src.next_frame().unwrap_err();
    assert!(matches!(&e, DecodeError::Image { frame: 1, path, .. } if path.ends_with("c.png")), "{e:?}");
}
