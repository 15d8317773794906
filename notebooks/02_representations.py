# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Representations
#
# > One skeleton sequence, three inputs: a time series (X^SEQ), a pseudo-image (X^IMG) and a
# > spatio-temporal graph (X^STG), built from the same tensor and checked to lose nothing.
#
# **Learning goals**
# - Build the sequence representation X^SEQ by hand in the released feature order and match it to
#   `skelviz.represent.to_sequence`.
# - Read the pseudo-image X^IMG as an RGB picture whose colours are the x, y, z coordinates of each
#   joint over time.
# - Explain the three adjacency matrices (identity, inward, outward) that A-GCN uses on the graph
#   X^STG, and trace which joints feed which.
# - Verify that every representation is an exact rearrangement of the canonical `(N, M, T, V, C)`
#   batch (round trips).
#
# **Prerequisites**: `00_skeleton_data` (the `(M, T, V, C)` layout, the joint graph),
# `01_augmentations_3d` (the 64-frame clips the encoders read).
#
# **Runtime** (2-core CPU, no GPU needed): `ci` about 10 s · `default` about 10 s · `full` about
# 15 s (N-UCLA adds about 10 s to load; the profile only changes the synthetic set's size).
#
# **Paper**: Section 3.3 (the three representations), Section 4.2 (two persons, 64 frames),
# Figure 5; the released feeders' layouts in
# [`docs/released-code.md`](../docs/released-code.md#the-three-representations).

# %% tags=["parameters"]
PROFILE = "ci"  # ci | default | full: size of the synthetic set
DATASET = "synthetic"  # synthetic | nw-ucla | utkinect | ntu60 | ntu120 | pku-mmd | generic
DATA_ROOT = ""  # dataset folder, empty for the default search; nw-ucla: the folder with all_sqe/
DEVICE = "auto"  # auto | cpu | cuda | cuda:N
SEED = 0  # seed (nothing random is drawn here; kept for the shared convention)
OUTPUT_DIR = "outputs"  # figures/ and metrics/ go here (relative to the repository root)
SAMPLE_INDEX = 0  # which sequence to represent
FRAMES = 64  # clip length after the centre crop-resize; the paper uses 64

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

from skelviz import augment, represent
from skelviz.notebook import setup_notebook

ctx = setup_notebook(
    PROFILE, DATASET, DATA_ROOT, DEVICE, SEED, OUTPUT_DIR, notebook="02_representations"
)
data = ctx.load_dataset()
layout = data.layout
if not 0 <= SAMPLE_INDEX < len(data):
    raise ValueError(f"SAMPLE_INDEX={SAMPLE_INDEX} is outside 0..{len(data) - 1}")
if FRAMES < 2:
    raise ValueError(f"FRAMES={FRAMES} must be at least 2")
print(data)

# %% [markdown]
# ## 1 · The canonical batch
#
# Every skelviz function that is not a representation works on the canonical batch `x` of shape
# `(N, M, T, V, C)`: N sequences, M persons, T frames, V joints, C = 3 coordinates. The encoders
# read fixed-length clips, so we take the deterministic evaluation crop of `01_augmentations_3d`
# (the central 95 % of the valid frames, resized to `FRAMES`). The paper always stores two persons
# (the second all zeros for one-person actions); skelviz keeps the dataset's M (N-UCLA has one), and
# every representation and encoder works for either.

# %%
seq = data.sequences[SAMPLE_INDEX]  # (M, T, V, C)
length = torch.tensor([seq.shape[1]], device=ctx.device)  # (1,)
x = augment.center_crop_resize(
    torch.from_numpy(seq).to(ctx.device)[None], length, ratio=0.95, out_frames=FRAMES
)  # (1, M, FRAMES, V, C)
N, M, T, V, C = x.shape
name = f"{data.sample_names[SAMPLE_INDEX]} ({data.class_names[data.labels[SAMPLE_INDEX]]})"
print(f"{name}: {seq.shape[1]} recorded frames -> x {tuple(x.shape)} = (N, M, T, V, C)")
assert (N, T, V, C) == (1, FRAMES, layout.num_joints, 3)
x_np = x.cpu().numpy()


# %% [markdown]
# ## 2 · X^SEQ: a multi-dimensional time series
#
# A recurrent network reads one vector per frame. The released feeder turns `(C, T, V, M)` into
# `(T, V, C, M)` and flattens the last three axes, so the `V·C·M` features of a frame are ordered
# **joint-major, then x/y/z, then person**:
# `[j0.x.p1, j0.x.p2, j0.y.p1, j0.y.p2, j0.z.p1, j0.z.p2, j1.x.p1, …]`. The two persons are
# interleaved per coordinate, not concatenated. First by hand, one index at a time:


# %%
def sequence_inline(batch):
    """(N, M, T, V, C) numpy -> (N, T, V*C*M): feature (v*C + c)*M + m holds joint v,
    coordinate c, person m."""
    n, m, t, v, c = batch.shape
    out = np.zeros((n, t, v * c * m), dtype=batch.dtype)
    for joint in range(v):
        for coord in range(c):
            for person in range(m):
                out[:, :, (joint * c + coord) * m + person] = batch[:, person, :, joint, coord]
    return out


x_seq = represent.to_sequence(x)  # (N, T, V*C*M)
assert np.array_equal(sequence_inline(x_np), x_seq.cpu().numpy()), (
    "inline order == skelviz.represent.to_sequence"
)
assert torch.equal(represent.from_sequence(x_seq, M, V), x), "round trip is exact"
feature_names = [f"j{v}.{'xyz'[c]}.p{m + 1}" for v in range(V) for c in range(C) for m in range(M)]
print(
    f"X^SEQ {tuple(x_seq.shape)} = (N, T, V*C*M = {V}*{C}*{M}); first features: {feature_names[:7]}"
)

# %% [markdown]
# As a picture, X^SEQ is a heat map: time runs left to right and each row is one feature. Rows come
# in groups of `C·M` per joint; an absent second person leaves every `M`-th row at zero.

# %%
fig, ax = plt.subplots(figsize=(11, 6), layout="constrained")
values = x_seq[0].cpu().numpy().T  # (V*C*M, T)
limit = np.abs(values).max() or 1.0
image = ax.imshow(
    values, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest"
)
step = C * M
ax.set_yticks(
    np.arange(0, V * C * M, step),
    [f"{feature_names[i]} ({layout.joint_names[i // step]})" for i in range(0, V * C * M, step)],
    fontsize=6,
)
ax.set_xlabel("frame t")
ax.set_ylabel("feature (first row of each joint's group)")
ax.set_title(f"X^SEQ of {name}: {T} steps x {V * C * M} features")
fig.colorbar(image, ax=ax, label="coordinate (normalised skeleton units)")
ctx.save_figure(fig, "02_sequence_heatmap")
fig

# %% [markdown]
# ## 3 · X^IMG: a pseudo-image with coordinates as colours
#
# The image representation lays the sequence out as a `T × V` picture per person, with the three
# coordinates as its three colour channels: `(N, C, T, V, M)`, the HCN input. Each pixel `(t, v)` is
# joint v at frame t, and its colour is where the joint is. To *see* it, map each channel to
# `[0, 1]` (red = x, green = y, blue = z): a joint that stays still is a horizontal stripe of
# constant colour, motion shows up as colour change along time.

# %%
x_img = represent.to_image(x)  # (N, C, T, V, M)
assert x_img.shape == (N, C, T, V, M)
assert torch.equal(represent.from_image(x_img), x), "round trip is exact"
t_check, v_check = T // 2, layout.center
assert torch.equal(x_img[0, :, t_check, v_check, 0], x[0, 0, t_check, v_check]), (
    "pixel colour = joint xyz"
)


def as_rgb(img):
    """(C, T, V) -> (V, T, 3) in [0, 1]: each coordinate channel min-max scaled over the picture."""
    low = img.amin(dim=(1, 2), keepdim=True)
    high = img.amax(dim=(1, 2), keepdim=True)
    scaled = (img - low) / (high - low).clamp_min(1e-6)
    return scaled.permute(2, 1, 0).cpu().numpy()  # joints as rows, frames as columns


persons = [m for m in range(M) if x[0, m].abs().sum() > 0] or [0]
fig, axes = plt.subplots(
    len(persons), 4, figsize=(14, 3.6 * len(persons)), squeeze=False, layout="constrained"
)
for row, m in zip(axes, persons):
    rgb = as_rgb(x_img[0, :, :, :, m])  # (V, T, 3)
    row[0].imshow(rgb, aspect="auto", interpolation="nearest")
    row[0].set_title(f"person {m + 1}: RGB = (x, y, z)")
    row[0].set_yticks(range(V), layout.joint_names, fontsize=5)
    for c, (ax, cmap) in enumerate(zip(row[1:], ("Reds", "Greens", "Blues"))):
        ax.imshow(rgb[:, :, c], aspect="auto", cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(f"channel {'xyz'[c]}")
        ax.set_yticks([])
    for ax in row:
        ax.set_xlabel("frame t")
fig.suptitle(f"X^IMG of {name}: a {T} x {V} image per person, coordinates as colour channels")
ctx.save_figure(fig, "02_pseudo_image")
fig

# %% [markdown]
# ## 4 · X^STG: a spatio-temporal graph
#
# The graph representation keeps the same numbers as node features, `(N, C, T, V, M)`, but says how
# the nodes are connected: joint v at frame t is linked to its bone neighbours in the same frame and
# to itself in the neighbouring frames. A-GCN splits each joint's spatial neighbourhood into three
# subsets, one `V × V` matrix each, column-normalised by in-degree (2s-AGCN `graph/tools.py`):
#
# - **identity**: the joint itself;
# - **inward**: the bones pointing towards the root (the one joint without a parent:
#   `spine_shoulder` in NTU-25, `shoulder_center` for Kinect v1); in `x · A_inward` each joint
#   receives its **parent's** features;
# - **outward**: the same bones reversed; each joint receives the average of its **children's**
#   features.
#
# A graph convolution mixes features along these matrices, `x · A_k` (joints on the last axis), then
# applies a 1×1 convolution per subset and sums (A-GCN also adds a learned offset and a
# data-dependent matrix, see `03_encoders`).

# %%
x_graph = represent.to_graph(x)  # (N, C, T, V, M)
adjacency = represent.graph_adjacency(layout)  # (3, V, V): identity, inward, outward
assert torch.equal(represent.from_graph(x_graph), x), "round trip is exact"
assert adjacency.shape == (3, V, V) and torch.equal(adjacency[0], torch.eye(V))
bones = torch.from_numpy(layout.adjacency())
assert torch.equal(((adjacency[1] > 0) | (adjacency[2] > 0)).float(), bones), (
    "inward + outward = the bones"
)
column_sums = adjacency[1:].sum(dim=1)  # (2, V)
assert torch.allclose(column_sums[column_sums > 0], torch.ones(1)), "non-empty columns sum to 1"
roots = torch.nonzero(adjacency[1].sum(dim=0) == 0).flatten().tolist()
assert len(roots) == 1, "a skeleton tree has exactly one root: the only joint without a parent"
print(f"root of {layout.name}: {layout.joint_names[roots[0]]} (joint {roots[0]})")

fig, axes = plt.subplots(1, 3, figsize=(15, 5), layout="constrained")
for ax, a, title in zip(
    axes, adjacency, ("identity", "inward (towards the root)", "outward (away from the root)")
):
    ax.imshow(a.numpy(), cmap="Greys", vmin=0, vmax=1, interpolation="nearest")
    ax.set_title(f"A_{title}: {int((a > 0).sum())} non-zeros")
    ax.set_xlabel("output joint w")
    ax.set_ylabel("input joint v")
    ax.set_xticks(range(V), range(V), fontsize=5)
    ax.set_yticks(range(V), layout.joint_names, fontsize=5)
fig.suptitle(f"The three spatial subsets of {layout.name} (column-normalised)")
ctx.save_figure(fig, "02_graph_adjacency")
fig


# %% [markdown]
# What does one graph convolution step do? The output at joint `w` is the weighted sum of the inputs
# at the joints `v` with `A_k[v, w] > 0`. Read it off the matrices for a wrist, an elbow and the
# spine, then check it with a "one-hot" signal: put 1 on a single joint and see where it lands.


# %%
def sources(a, joint):
    return [
        f"{layout.joint_names[v]} ({a[v, joint]:.2f})"
        for v in torch.nonzero(a[:, joint]).flatten().tolist()
    ]


probe = (
    [j for j in range(V) if "wrist" in layout.joint_names[j]][:1]
    + [j for j in range(V) if "elbow" in layout.joint_names[j]][:1]
    + [layout.center]
)
for joint in probe:
    print(
        f"{layout.joint_names[joint]:>16} <- inward: {sources(adjacency[1], joint)}; "
        f"outward: {sources(adjacency[2], joint)}"
    )

one_hot = torch.zeros(V)
one_hot[layout.center] = 1.0
reached = {k: torch.nonzero(one_hot @ adjacency[k]).flatten().tolist() for k in (1, 2)}
print(
    "a signal on the centre joint reaches",
    {k: [layout.joint_names[j] for j in v] for k, v in reached.items()},
)
neighbours = set(torch.nonzero(bones[layout.center]).flatten().tolist())
assert set(reached[1]) | set(reached[2]) == neighbours, (
    "one step of inward + outward reaches exactly the bone neighbours"
)

# %% [markdown]
# ## 5 · Three views of the same numbers
#
# All three representations are permutations of the same `N·M·T·V·C` numbers, so nothing is lost and
# nothing is added: what differs is the structure the encoder imposes on them. The GRU sees a time
# series of flat vectors, HCN convolves over a `T × V` grid (and later over joints as channels),
# A-GCN aggregates along the bones. That difference is what inter-skeleton contrast exploits
# (Section 3.3).

# %%
shapes = {
    "canonical": (tuple(x.shape), "(N, M, T, V, C)"),
    "seq": (tuple(x_seq.shape), "(N, T, V*C*M)"),
    "img": (tuple(x_img.shape), "(N, C, T, V, M)"),
    "stg": (tuple(x_graph.shape), "(N, C, T, V, M) + A (3, V, V)"),
}
for key, (shape, meaning) in shapes.items():
    print(f"{key:>9}: {str(shape):<22} {meaning}")
totals = {key: int(np.prod(shape)) for key, (shape, _) in shapes.items()}
assert len(set(totals.values())) == 1, (
    "every representation holds exactly the same number of values"
)
same_multiset = all(
    torch.equal(torch.sort(r.flatten()).values, torch.sort(x.flatten()).values)
    for r in (x_seq, x_img, x_graph)
)
assert same_multiset, "and exactly the same values"
print(
    f"each holds the same {totals['canonical']} values; "
    f"representations: {represent.REPRESENTATIONS}"
)

# %% [markdown]
# ## Takeaways
#
# - **X^SEQ** `(N, T, V·C·M)`: one flat vector per frame, in the released order joint → xyz → person
#   (persons interleaved). Getting this order wrong silently scrambles a pretrained GRU's input.
# - **X^IMG** `(N, C, T, V, M)`: a `T × V` image per person with x, y, z as colour channels.
# - **X^STG** `(N, C, T, V, M)` plus three `V × V` matrices (identity, inward, outward): the same
#   numbers, read along the bones.
# - All three are exact rearrangements of the canonical batch; the encoders convert at their input,
#   so the rest of skelviz only ever handles `(N, M, T, V, C)`.
#
# **Exercises**
# 1. Swap the person and coordinate axes in `sequence_inline` (person-major). Which assertion fails,
#    and why would a pretrained GRU still run without error?
# 2. In the adjacency figure, the outward column of the root has several grey entries of equal
#    value. What are they, and why do they sum to 1?
#
# **Next: `03_encoders`**: the BiGRU, HCN and A-GCN that read these three inputs.

# %%
ctx.record_metrics(
    {
        "sample": data.sample_names[SAMPLE_INDEX],
        "layout": layout.name,
        "frames": T,
        "persons": M,
        "shapes": {key: list(shape) for key, (shape, _) in shapes.items()},
        "adjacency_nonzeros": {
            name: int((a > 0).sum())
            for name, a in zip(("identity", "inward", "outward"), adjacency)
        },
        "round_trips_exact": True,
        "device": str(ctx.device),
    }
)
