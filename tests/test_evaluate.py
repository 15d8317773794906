"""Cosine kNN on hand-made features and feature extraction with the test crop."""

import numpy as np
import pytest
import torch
from torch import nn

from skelviz.dataset import SkeletonDataset
from skelviz.evaluate import extract_features, knn_accuracy, knn_predict
from skelviz.skeleton import KINECT_V1_20


def test_one_nn_is_cosine_not_euclidean():
    gallery = np.array([[10.0, 1.0], [0.5, 0.5]])
    labels = np.array([0, 1])
    query = np.array([[1.0, 0.1]])
    # Euclidean: |q - g1| = 0.64 < |q - g0| = 9.04, but q points exactly along g0 (cosine 1).
    assert knn_predict(gallery, labels, query).tolist() == [0]


def test_knn_accuracy_hand_checked():
    gallery = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    labels = torch.tensor([0, 1, 2, 3])
    queries = torch.tensor([[0.9, 0.2], [0.1, -3.0], [-2.0, 1.5], [0.3, 0.8]])
    # nearest by angle: class 0, 3, 2, 1; the last truth label is wrong on purpose
    truth = torch.tensor([0, 3, 2, 0])
    assert knn_accuracy(gallery, labels, queries, truth, k=1) == pytest.approx(0.75)


def test_k3_majority_vote_and_tie_break():
    angles = np.deg2rad([0, 10, 20, 90, 100])
    gallery = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    labels = np.array([1, 1, 0, 0, 0])
    query = np.array([[1.0, 0.0]])
    assert knn_predict(gallery, labels, query, k=1).tolist() == [1]
    assert knn_predict(gallery, labels, query, k=3).tolist() == [1]  # votes 1, 1, 0
    assert knn_predict(gallery, labels, query, k=5).tolist() == [0]  # votes 2 x 1, 3 x 0
    tie = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert knn_predict(tie, np.array([2, 1]), np.array([[1.0, 1.0]]), k=2).tolist() == [1]


def test_knn_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="labels"):
        knn_predict(np.ones((3, 2)), np.array([0, 1]), np.ones((1, 2)))
    with pytest.raises(ValueError, match="k=5"):
        knn_predict(np.ones((3, 2)), np.array([0, 1, 0]), np.ones((1, 2)), k=5)


class RecordingEncoder(nn.Module):
    """Features = (mean over frames of joint 0's x, number of frames seen); keeps a dropout."""

    def __init__(self):
        super().__init__()
        self.dropout = nn.Dropout(0.9)
        self.seen_modes = []

    def forward(self, x):  # (N, M, T, V, C) -> (N, 2)
        self.seen_modes.append(self.training)
        mean = self.dropout(x[:, 0, :, 0, 0]).mean(dim=1)
        return torch.stack([mean, torch.full_like(mean, x.shape[2])], dim=1)


def _ramp_dataset(lengths):
    seqs = []
    for t in lengths:
        seq = np.zeros((1, t, 20, 3), dtype=np.float32)
        seq[0, :, 0, 0] = np.arange(t)  # joint 0 x = frame index
        seqs.append(seq)
    n = len(lengths)
    return SkeletonDataset(
        "ramp",
        KINECT_V1_20,
        seqs,
        np.zeros(n),
        ("a",),
        np.zeros(n),
        np.zeros(n),
        tuple(f"s{i}" for i in range(n)),
    )


def test_extract_features_uses_centre_crop_eval_mode_and_restores_mode():
    encoder = RecordingEncoder().train()
    feats = extract_features(encoder, _ramp_dataset([40, 21, 21]), frames=16, batch_size=2)
    assert feats.shape == (3, 2) and torch.all(feats[:, 1] == 16)
    assert encoder.seen_modes == [False, False] and encoder.training
    # nf = 40, ratio 0.95: start = int(0.05 * 40 / 2) = 1, keeps frames 1..38, mean x = 19.5
    assert feats[0, 0].item() == pytest.approx(19.5, abs=1e-4)
    assert torch.equal(feats[1], feats[2])  # no dropout noise: eval mode


def test_extract_features_pads_each_chunk_and_gives_the_features_of_whole_set_padding():
    from skelviz.augment import center_crop_resize
    from skelviz.encoders import build_encoder

    rng = np.random.default_rng(0)
    lengths = [1, 40, 7, 23, 3, 64, 12, 5, 31]
    ds = _ramp_dataset(lengths)
    for seq in ds.sequences:
        seq[...] = rng.normal(size=seq.shape)
    torch.manual_seed(0)
    encoder = build_encoder("seq", "tiny", KINECT_V1_20, num_persons=1, frames=16)
    feats = extract_features(encoder, ds, frames=16, batch_size=4)
    # before: the whole set padded to its longest sequence (64 frames), then cut into chunks
    x_all, lengths_all = (torch.from_numpy(a) for a in ds.batch(range(len(ds))))
    with torch.no_grad():
        encoder.eval()
        before = torch.cat([
            encoder(center_crop_resize(x_all[i : i + 4], lengths_all[i : i + 4], 0.95, 16))
            for i in range(0, len(ds), 4)
        ])  # fmt: skip
    assert feats.shape == before.shape == (9, encoder.feature_dim)
    torch.testing.assert_close(feats, before, rtol=1e-6, atol=1e-6)
