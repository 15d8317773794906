"""Worked example: convert your own skeleton arrays into skelviz's generic format.

Run ``python data/examples/convert_to_generic.py OUT_FOLDER`` and then load the result with
``skelviz.readers.load_dataset("generic", data_root=OUT_FOLDER)``. The arrays here are made up
(a 5-joint stick figure waving or squatting); replace them with yours. The format is described
in ``data/README.md``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def make_example_arrays(seed: int = 0) -> tuple[list[np.ndarray], list[int]]:
    """Six made-up sequences, each (T, V=5, 3) in metres, and their 0-based labels."""
    rng = np.random.default_rng(seed)
    rest = np.array([[0.0, 0.0, 1.0],    # 0 pelvis
                     [0.0, 0.0, 1.5],    # 1 neck
                     [0.0, 0.0, 1.7],    # 2 head
                     [0.3, 0.0, 1.3],    # 3 left hand
                     [-0.3, 0.0, 1.3]])  # 4 right hand  # fmt: skip
    sequences, labels = [], []
    for k in range(6):
        t = np.linspace(0, 2 * np.pi, 20 + 5 * k)[:, None]  # (T, 1)
        seq = np.repeat(rest[None], len(t), axis=0)  # (T, V, 3)
        if k % 2 == 0:  # wave: the right hand goes up and down
            seq[:, 4, 2] += 0.3 * np.sin(3 * t[:, 0])
        else:  # squat: everything above the feet moves down and up
            seq[:, :, 2] -= 0.2 * (1 - np.cos(t))
        sequences.append(seq + rng.normal(scale=0.005, size=seq.shape))
        labels.append(k % 2)
    return sequences, labels


def write_generic(folder: str | Path, sequences: list[np.ndarray], labels: list[int]) -> Path:
    """Write ``dataset.json`` + ``sequences.npz`` for the arrays (the whole conversion)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"take_{k:03d}" for k in range(len(sequences))]
    meta = {
        "name": "stick-figures",
        "joint_names": ["pelvis", "neck", "head", "left_hand", "right_hand"],
        "edges": [[1, 0], [2, 1], [3, 1], [4, 1]],  # 0-based (child, parent)
        "center": 0,  # subtracted per frame
        "spine": [0, 1],  # first-frame pelvis -> neck becomes +z
        "shoulders": [4, 3],  # [right, left]: right minus left becomes +x (here: hands)
        "left_right_pairs": [[3, 4]],
        "class_names": ["wave", "squat"],
        "samples": [{"name": n, "label": y, "subject": k % 3, "view": 0}
                    for k, (n, y) in enumerate(zip(names, labels))],  # fmt: skip
        "splits": {"by_take": {"train": names[:4], "test": names[4:]}},
    }
    (folder / "dataset.json").write_text(json.dumps(meta, indent=1))
    np.savez_compressed(folder / "sequences.npz", **dict(zip(names, sequences)))
    return folder


if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else "stick_figures"
    out = write_generic(folder, *make_example_arrays())
    print(f"wrote {out}; load it with load_dataset('generic', data_root={str(out)!r})")
