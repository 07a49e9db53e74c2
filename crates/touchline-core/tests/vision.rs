//! Boxes, masks, keypoints.

use touchline_core::{BBox, CocoJoint, CoreError, Keypoints, Mask};

#[test]
fn bbox_rejects_bad_corners() {
    assert!(matches!(BBox::new(1.0, 0.0, 0.0, 1.0), Err(CoreError::InvalidParameter { .. })));
    assert!(BBox::new(f32::NAN, 0.0, 1.0, 1.0).is_err());
    assert!(BBox::from_xywh(0.0, 0.0, -1.0, 1.0).is_err());
}

#[test]
fn bbox_geometry() {
    let a = BBox::from_xywh(10.0, 20.0, 30.0, 40.0).unwrap();
    assert_eq!(a.area(), 1200.0);
    assert_eq!(a.center(), [25.0, 40.0]);
    assert_eq!(a.bottom_center(), [25.0, 60.0]);
    let far = BBox::new(100.0, 100.0, 110.0, 110.0).unwrap();
    assert_eq!(a.iou(&far), 0.0);
    assert_eq!(a.iou(&a), 1.0);
    let c = BBox::new(-5.0, -5.0, 50.0, 500.0).unwrap().clamp(40, 100);
    assert_eq!((c.x1, c.y1, c.x2, c.y2), (0.0, 0.0, 40.0, 100.0));
    let empty = BBox::new(1.0, 1.0, 1.0, 1.0).unwrap();
    assert_eq!(empty.iou(&empty), 0.0);
}

#[test]
fn mask_shape_and_bbox() {
    assert!(matches!(Mask::new(3, 2, vec![false; 5]), Err(CoreError::ShapeMismatch { .. })));
    let mut data = vec![false; 12];
    data[4 + 1] = true; // (1, 1)
    data[2 * 4 + 3] = true; // (3, 2)
    let m = Mask::new(4, 3, data).unwrap();
    assert_eq!(m.area(), 2);
    assert!(m.get(1, 1) && !m.get(0, 0) && !m.get(10, 10));
    let b = m.bbox().unwrap();
    assert_eq!((b.x1, b.y1, b.x2, b.y2), (1.0, 1.0, 4.0, 3.0));
    assert!(Mask::new(2, 2, vec![false; 4]).unwrap().bbox().is_none());
}

#[test]
fn coco_names_round_trip() {
    for (i, j) in CocoJoint::ALL.into_iter().enumerate() {
        assert_eq!(j.index(), i);
        assert_eq!(CocoJoint::from_name(j.name()), Some(j));
    }
    assert_eq!(CocoJoint::from_name("tail"), None);
    assert_eq!(CocoJoint::RightAnkle.name(), "right_ankle");
    let mut k = Keypoints::default();
    k.set(CocoJoint::LeftHip, touchline_core::Joint { x: f32::NAN, y: 1.0, score: 1.0 });
    assert_eq!(k.confident(CocoJoint::LeftHip, 0.1), None);
}
