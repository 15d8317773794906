"""A small, short, many-class dataset in the generic format, to check that the ``default`` recipe
is not tuned to N-UCLA (paper Section 4.3 evaluation on a dataset skelviz was not developed on).

It is the synthetic generator's takes, made short (12-40 frames at 30 fps) and few (about 22
training sequences per class, one camera per take drawn from three), written with
``skelviz.readers.generic.save_generic`` so that it is read back exactly like a user's own data
(``--set dataset=generic --data-root FOLDER``; protocol ``cross_subject``).

    python benchmarks/small_dataset.py outputs/small-generic
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path


def make(folder: str | Path, samples_per_class: int = 44, seed: int = 7) -> Path:
    from skelviz.readers import load_dataset
    from skelviz.readers.generic import save_generic

    dataset = load_dataset("synthetic", None, samples_per_class=samples_per_class,
                           frames=(12, 40), seed=seed)  # fmt: skip
    small = replace(dataset, name="small-generic",
                    splits={"cross_subject": dataset.splits["cross_subject"]})  # fmt: skip
    return save_generic(small, folder)


if __name__ == "__main__":
    out = make(sys.argv[1] if len(sys.argv) > 1 else "outputs/small-generic")
    print(f"wrote {out}")
