"""Reference timing of YOLOX-nano with Python onnxruntime + numpy on the same PNG frames
`detect_timing` reads, split into preprocess / model / postprocess, plus agreement with
Touchline's detections.

Steps (see docs/detection.md):

    mkdir -p /tmp/detect_frames
    ffmpeg -v error -i ../shared/videos/soccer_penalty_lampard_goal.mp4 \
        -vf "select=not(mod(n\\,12))" -vsync 0 /tmp/detect_frames/f%03d.png
    target/release/detect_timing --frames /tmp/detect_frames --repeat 5 --threads 1 \
        --dets /tmp/rust_dets.json > /tmp/rust_detect_timing.json
    .venv/bin/python benches/python/detect_reference.py --frames /tmp/detect_frames \
        --repeat 5 --threads 1 --ours /tmp/rust_dets.json

No OpenCV and no PIL: frames are decoded to RGB by ffmpeg (not timed); the letterbox is the
same pixel-centre bilinear resize Touchline uses (OpenCV INTER_LINEAR semantics), written in
numpy; decoding follows the model's NOTES.md (grid decode, score = obj * cls, per-class NMS
at IoU 0.45), keeping person (0) and sports ball (32) like Touchline's default class map, with
thresholds 0.3 (person) and 0.25 (ball).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import onnxruntime as ort

SIZE = 416
STRIDES = (8, 16, 32)
CLASSES = {0: ("player", 0.3), 32: ("ball", 0.25)}
NMS_IOU = 0.45


def read_png(path: str) -> np.ndarray:
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0", path],
        check=True, capture_output=True, text=True,
    ).stdout.strip().split(",")
    w, h = int(probe[0]), int(probe[1])
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(h, w, 3)


def axis(n_out: int, n_in: int):
    sc = n_in / n_out
    f = np.maximum((np.arange(n_out, dtype=np.float32) + 0.5) * sc - 0.5, 0.0)
    i0 = np.minimum(f.astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    return i0, i1, (f - i0).astype(np.float32)


def preprocess(img: np.ndarray):
    h, w = img.shape[:2]
    r = min(SIZE / h, SIZE / w)
    nw, nh = max(1, min(SIZE, int(w * r))), max(1, min(SIZE, int(h * r)))
    x0, x1, wx = axis(nw, w)
    y0, y1, wy = axis(nh, h)
    src = img.astype(np.float32)
    top = src[y0][:, x0] * (1 - wx)[None, :, None] + src[y0][:, x1] * wx[None, :, None]
    bot = src[y1][:, x0] * (1 - wx)[None, :, None] + src[y1][:, x1] * wx[None, :, None]
    resized = top * (1 - wy)[:, None, None] + bot * wy[:, None, None]
    canvas = np.full((3, SIZE, SIZE), 114.0, dtype=np.float32)
    canvas[:, :nh, :nw] = resized[:, :, ::-1].transpose(2, 0, 1)  # RGB -> BGR, HWC -> CHW
    return canvas[None], r


GRIDS = []
for s in STRIDES:
    g = SIZE // s
    gy, gx = np.meshgrid(np.arange(g), np.arange(g), indexing="ij")
    GRIDS.append(np.stack([gx.ravel(), gy.ravel(), np.full(g * g, s)], axis=1))
GRID = np.concatenate(GRIDS).astype(np.float32)


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    order = np.argsort(-scores, kind="stable")
    keep = []
    while order.size:
        i = order[0]
        keep.append(int(i))
        rest = order[1:]
        xx1 = np.maximum(boxes[i, 0], boxes[rest, 0])
        yy1 = np.maximum(boxes[i, 1], boxes[rest, 1])
        xx2 = np.minimum(boxes[i, 2], boxes[rest, 2])
        yy2 = np.minimum(boxes[i, 3], boxes[rest, 3])
        inter = np.maximum(0, xx2 - xx1) * np.maximum(0, yy2 - yy1)
        area = lambda b: (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
        ov = inter / np.maximum(area(boxes[i]) + area(boxes[rest]) - inter, 1e-12)
        order = rest[ov <= iou]
    return keep


def postprocess(out: np.ndarray, r: float, w: int, h: int):
    p = out[0]
    cx = (p[:, 0] + GRID[:, 0]) * GRID[:, 2]
    cy = (p[:, 1] + GRID[:, 1]) * GRID[:, 2]
    bw = np.exp(p[:, 2]) * GRID[:, 2]
    bh = np.exp(p[:, 3]) * GRID[:, 2]
    boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], axis=1)
    dets = []
    for c, (label, thr) in CLASSES.items():
        score = p[:, 4] * p[:, 5 + c]
        m = score >= thr
        if not m.any():
            continue
        b, s = boxes[m], score[m]
        for i in nms(b, s, NMS_IOU):
            x1, y1, x2, y2 = np.clip(b[i] / r, 0, [w, h, w, h])
            if x2 > x1 and y2 > y1:
                dets.append({"label": label, "score": float(s[i]), "bbox": [float(x1), float(y1), float(x2), float(y2)]})
    return dets


def iou(a, b) -> float:
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / u if u > 0 else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", required=True)
    ap.add_argument("--model", default=os.path.join(os.path.dirname(__file__),
                    "../../../shared/models/yolox_nano/yolox_nano.onnx"))
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ours", help="Touchline detections JSON from detect_timing --dets")
    a = ap.parse_args()

    files = sorted(f for f in os.listdir(a.frames) if f.endswith(".png"))
    imgs = [read_png(os.path.join(a.frames, f)) for f in files]
    so = ort.SessionOptions()
    so.intra_op_num_threads = a.threads
    sess = ort.InferenceSession(a.model, so, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name

    def one(img):
        t0 = time.perf_counter()
        x, r = preprocess(img)
        t1 = time.perf_counter()
        out = sess.run(None, {name: x})[0]
        t2 = time.perf_counter()
        d = postprocess(out, r, img.shape[1], img.shape[0])
        t3 = time.perf_counter()
        return d, (t1 - t0, t2 - t1, t3 - t2)

    results = [one(img)[0] for img in imgs]  # warm-up, and the detections compared
    pre, run, post = [], [], []
    for _ in range(a.repeat):
        sums = np.zeros(3)
        for img in imgs:
            sums += one(img)[1]
        sums *= 1000.0 / len(imgs)
        pre.append(sums[0]); run.append(sums[1]); post.append(sums[2])
    p, m, q = statistics.median(pre), statistics.median(run), statistics.median(post)
    report = {
        "frames": len(imgs), "threads": a.threads, "onnxruntime": ort.__version__,
        "full_frame": {"preprocess_ms": p, "model_ms": m, "postprocess_ms": q, "total_ms": p + m + q,
                       "pre_post_over_model": (p + q) / m},
    }
    if a.ours:
        with open(a.ours) as f:
            ours = {fr["frame"]: fr["detections"] for fr in json.load(f)["frames"]}
        matched, total_ref, total_ours, max_ds = 0, 0, 0, 0.0
        for k, ref in enumerate(results):
            mine = ours.get(k, [])
            total_ref += len(ref); total_ours += len(mine)
            for d in ref:
                best = max((o for o in mine if o["label"] == d["label"]),
                           key=lambda o: iou(o["bbox"], d["bbox"]), default=None)
                if best is not None and iou(best["bbox"], d["bbox"]) > 0.9:
                    matched += 1
                    max_ds = max(max_ds, abs(best["score"] - d["score"]))
        report["agreement"] = {"reference_detections": total_ref, "touchline_detections": total_ours,
                               "matched_iou_0.9": matched, "max_score_diff": max_ds}
    json.dump(report, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
