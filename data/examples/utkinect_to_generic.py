"""Worked example: convert a second public Kinect dataset, UTKinect-Action3D, to the generic format.

Run ``python data/examples/utkinect_to_generic.py UTKINECT_FOLDER OUT_FOLDER`` (UTKINECT_FOLDER
holds ``joints/``; ``skelviz.download.download_dataset("utkinect", ...)`` fetches it), then
``load_dataset("generic", data_root=OUT_FOLDER)``. The result equals what the built-in
``utkinect`` reader gives (``tests/test_example_utkinect.py`` checks it), so this is a template
for any dataset stored as one text file per recording plus a file of labelled frame ranges.

What a conversion has to decide, answered here for the Kinect v1 skeleton (paper Section 4.1):

* **joints**: the order of the file's columns (Kinect SDK v1, 20 joints);
* **edges**: 0-based ``[child, parent]`` bones pointing *inward*, towards the root. The direction
  matters: the graph encoder (A-GCN, ``skelviz.skeleton.spatial_partition``) splits the bones into
  an inward and an outward adjacency, so reversing a bone changes what it computes;
* **center, spine, shoulders**: the joint subtracted per frame and the bones turned onto +z and +x
  by the view normalisation (``skelviz.preprocess``).

The arrays are saved raw (``normalized=False``), so the generic reader normalises them with the
skeleton written here, and any ``normalize=`` choice still applies when loading.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from skelviz.dataset import SkeletonDataset, split_by_mask
from skelviz.readers.generic import save_generic
from skelviz.skeleton import SkeletonLayout

# Kinect SDK v1 joint order, the order of the x y z triples on every line of the joint files.
JOINT_NAMES = (
    "hip_center", "spine", "shoulder_center", "head",                        # 0-3
    "left_shoulder", "left_elbow", "left_wrist", "left_hand",               # 4-7
    "right_shoulder", "right_elbow", "right_wrist", "right_hand",           # 8-11
    "left_hip", "left_knee", "left_ankle", "left_foot",                     # 12-15
    "right_hip", "right_knee", "right_ankle", "right_foot",                 # 16-19
)  # fmt: skip
# [child, parent], 0-based, towards the root shoulder_center (2); CTR-GCN's N-UCLA graph.
EDGES = (
    (0, 1), (1, 2), (3, 2), (4, 2), (5, 4), (6, 5), (7, 6), (8, 2), (9, 8), (10, 9), (11, 10),
    (12, 0), (13, 12), (14, 13), (15, 14), (16, 0), (17, 16), (18, 17), (19, 18),
)  # fmt: skip
CENTER = 1  # spine: subtracted in every frame
SPINE = (0, 1)  # hip_center -> spine: turned onto +z
SHOULDERS = (8, 4)  # [right, left]: right_shoulder - left_shoulder turned onto +x
LEFT_RIGHT_PAIRS = ((4, 8), (5, 9), (6, 10), (7, 11), (12, 16), (13, 17), (14, 18), (15, 19))
CLASS_NAMES = ("walk", "sitDown", "standUp", "pickUp", "carry", "throw", "push", "pull",
               "waveHands", "clapHands")  # fmt: skip


def read_recording(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """``(frame ids (F,), joints (F, 20, 3) float32)``; a repeated frame id keeps its first line."""
    table = np.loadtxt(path, ndmin=2)  # (lines, 61): frame id, then x y z of 20 joints
    _, first = np.unique(table[:, 0].astype(np.int64), return_index=True)
    table = table[np.sort(first)]
    return table[:, 0].astype(np.int64), table[:, 1:].reshape(-1, 20, 3).astype(np.float32)


def read_ranges(path: Path) -> list[tuple[str, str, int, int]]:
    """``(recording, action, first id, last id)`` per labelled segment; ``NaN NaN`` is left out."""
    ranges, recording = [], None
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("s") and "_e" in line and ":" not in line:
            recording = line  # a block header such as s01_e01
        elif line:
            action, _, span = line.partition(":")
            start, end = span.split()
            if start != "NaN":  # s10_e02's carry was never recorded
                ranges.append((recording, action.strip(), int(start), int(end)))
    return ranges


def convert(utkinect_root: str | Path, out_folder: str | Path) -> Path:
    """Read the raw UTKinect files and write them as a generic-format folder; returns it."""
    joints_dir = Path(utkinect_root) / "joints"
    recordings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    sequences, labels, subjects, names = [], [], [], []
    for recording, action, start, end in read_ranges(joints_dir / "actionLabel_modified.txt"):
        if recording not in recordings:
            recordings[recording] = read_recording(joints_dir / f"joints_{recording}.txt")
        frame_ids, joints = recordings[recording]
        keep = (frame_ids >= start) & (frame_ids <= end)  # ranges are inclusive frame ids
        sequences.append(joints[keep][None])  # (M=1, T, V=20, C=3), metres, y up
        labels.append(CLASS_NAMES.index(action))
        subjects.append(int(recording[1:3]))
        names.append(f"{recording}/{action}")
    layout = SkeletonLayout(
        name="kinect_v1_20", joint_names=JOINT_NAMES, edges=EDGES, center=CENTER, spine=SPINE,
        shoulders=SHOULDERS, left_right_pairs=LEFT_RIGHT_PAIRS,
    )  # fmt: skip
    subjects_arr = np.array(subjects, dtype=np.int64)
    dataset = SkeletonDataset(
        name="utkinect",
        layout=layout,
        sequences=sequences,
        labels=np.array(labels, dtype=np.int64),
        class_names=CLASS_NAMES,
        subjects=subjects_arr,
        views=np.zeros(len(sequences), dtype=np.int64),  # one camera
        sample_names=tuple(names),
        splits={"cross_subject": split_by_mask(subjects_arr % 2 == 1)},  # odd subjects train
    )
    return save_generic(dataset, out_folder, normalized=False)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python data/examples/utkinect_to_generic.py UTKINECT_FOLDER OUT")
    out = convert(sys.argv[1], sys.argv[2])
    print(f"wrote {out}; load it with load_dataset('generic', data_root={str(out)!r})")
