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
# # 01 · Augmentations in 3D
#
# > The paper's skeleton augmentations (pose shear, joint jittering, temporal crop-resize and their
# > composition), seen in 3D and checked against their formulas.
#
# **Learning goals**
# - Write the pose shear of Eq. 1 in plain numpy and match it to `skelviz.augment`.
# - Explain what joint jittering (Eq. 2) really does in the released code: zero-masking or a random
#   linear map.
# - Sample temporal crop windows (Eq. 3), draw them on a time axis and predict their length
#   distribution.
# - Compose the spatio-temporal augmentation (Eq. 4) into the two views that contrastive learning
#   compares.
#
# **Prerequisites**: `00_skeleton_data` (the `(M, T, V, C)` layout, view normalisation). A little
# torch.
#
# **Runtime** (no GPU needed; measured with papermill on a shared, busy 2-core CPU, so an idle
# machine is faster): `ci` about 1 min · `default` about 1.8 min · `full` about 2.4 min; N-UCLA
# about 1.2 min.
#
# **Paper**: Section 3.1 (Eqs. 1-4), Figures 2, 3 and 4, Section 4.2 ($|j| = 15$, $l_{min} = 0.1$,
# 64 frames); where the released code differs (the jitter, the hidden 64-frame crop floor), this
# notebook says so.

# %% tags=["parameters"]
PROFILE = "ci"  # ci | default | full: how many examples and random draws
DATASET = "synthetic"  # synthetic | nw-ucla | utkinect | ntu60 | ntu120 | pku-mmd | generic
DATA_ROOT = ""  # dataset folder, empty for the default search; nw-ucla: the folder with all_sqe/
DEVICE = "auto"  # auto | cpu | cuda | cuda:N
SEED = 0  # seed of every random draw in this notebook
OUTPUT_DIR = "outputs"  # figures/ and metrics/ go here (relative to the repository root)
SAMPLE_INDEX = 0  # which sequence to augment
SHEAR_AMPLITUDE = 1.0  # pose shear: off-diagonal entries drawn from U(-a, a); paper 1.0
JITTER_JOINTS = None  # joints to jitter; None: round(15 V / 25), 15 of 25 as in the paper
JITTER_P_MASK = 0.5  # jitter: P(zero the joints), else a random linear map; released 0.5
L_MIN = 0.1  # temporal crop: smallest length ratio; paper 0.1
L_MAX = 1.0  # temporal crop: largest length ratio
MIN_CROP_FRAMES = 1  # crop floor in frames; 1 follows the paper's formula, 64 the released code
P_SHEAR = 0.5  # composition: probability of shear, else jitter; released 0.5

# %%
import time

import numpy as np
import torch
from IPython.display import display

from skelviz import augment, viz
from skelviz.notebook import setup_notebook

ctx = setup_notebook(
    PROFILE, DATASET, DATA_ROOT, DEVICE, SEED, OUTPUT_DIR, notebook="01_augmentations_3d"
)
data = ctx.load_dataset()
layout = data.layout
V = layout.num_joints
if JITTER_JOINTS is not None and not 0 <= JITTER_JOINTS <= V:
    raise ValueError(f"JITTER_JOINTS={JITTER_JOINTS} must lie in 0..{V} for layout {layout.name}")
if not 0 <= SAMPLE_INDEX < len(data):
    raise ValueError(f"SAMPLE_INDEX={SAMPLE_INDEX} is outside 0..{len(data) - 1}")
config = augment.AugmentConfig(
    l_min=L_MIN,
    l_max=L_MAX,
    out_frames=ctx.profile.out_frames,
    min_crop_frames=MIN_CROP_FRAMES,
    p_shear=P_SHEAR,
    shear_amplitude=SHEAR_AMPLITUDE,
    jitter_joints=JITTER_JOINTS,
    jitter_p_mask=JITTER_P_MASK,
)
print(config)

# %% [markdown]
# ## 1 · The input batch
#
# Augmentations work on a batch `x` of shape `(N, M, T, V, C)` on the configured device, with the
# valid lengths beside it, and draw every random number from an explicit `torch.Generator`: the same
# seed gives the same augmented views. Here the batch holds `K` copies of one sequence, so each copy
# gets its own draw. `ctx.generators(offset)` hands out a fresh generator per section, so any cell
# can be re-run on its own.

# %%
seq = data.sequences[SAMPLE_INDEX]  # (M, T, V, C)
M, T = seq.shape[:2]
K = ctx.profile.num_examples
x = torch.from_numpy(seq).to(ctx.device)[None]  # (1, M, T, V, C)
xs = x.expand(K, -1, -1, -1, -1).contiguous()  # (K, M, T, V, C)
length = torch.tensor([T], device=ctx.device)  # (1,)
lengths = length.expand(K)  # (K,)
name = f"{data.sample_names[SAMPLE_INDEX]} ({data.class_names[data.labels[SAMPLE_INDEX]]})"
print(f"{name}: x {tuple(xs.shape)} on {xs.device}, {T} valid frames")


def numpy_of(batch):
    return batch.detach().cpu().numpy()


# %% [markdown]
# ## 2 · Pose augmentation: a 3D shear (Eq. 1, Figure 2)
#
# $$D_{Spatial_1}(X) = X \cdot S, \qquad S = \begin{bmatrix}
# 1 & r_{01} & r_{02} \\ r_{10} & 1 & r_{12} \\ r_{20} & r_{21} & 1
# \end{bmatrix}, \quad r_{ij} \sim U(-1, 1)$$
#
# One matrix per view, applied to every joint of every frame and both persons: the pose is kept, but
# the skeleton looks as if seen from another viewpoint and distance (it also stretches bones: a
# shear is not a rotation). The paper multiplies row vectors ($X \cdot S$); the released code
# computes $p' = S p$. The six off-diagonal entries are independent and symmetric around 0, so $S$
# and $S^T$ have the same distribution: the two are the same augmentation.
#
# First in plain numpy, then the library on the same numbers:


# %%
def shear_inline(sequence, S):
    """Eq. 1 for one (M, T, V, C) sequence: every joint p becomes S p."""
    return sequence @ S.T  # (M, T, V, C) @ (C, C)


gen_draw, _ = ctx.generators(offset=1)
gen_lib, _ = ctx.generators(offset=1)  # same seed: the library draws the same S
S = numpy_of(augment.sample_shear_matrices(1, gen_draw, SHEAR_AMPLITUDE)[0])
library = numpy_of(augment.pose_shear(x, gen_lib, SHEAR_AMPLITUDE)[0])
assert np.allclose(shear_inline(seq, S), library, atol=1e-5)
print("S =\n", S.round(3))
print("inline numpy shear == skelviz.augment.pose_shear")

assert np.allclose(np.diag(S), 1.0) and np.all(np.abs(S - np.eye(3)) <= SHEAR_AMPLITUDE)
assert torch.equal(augment.pose_shear(xs, ctx.generators(5)[0], amplitude=0.0), xs), (
    "zero off-diagonals: identity"
)
missing = (seq == 0).all(axis=-1)  # (M, T, V): absent person / lost joints
assert np.all(library[missing] == 0), "missing joints stay exactly zero"

# %%
gen, _ = ctx.generators(offset=2)
sheared = numpy_of(augment.pose_shear(xs, gen, SHEAR_AMPLITUDE))  # (K, M, T, V, C)
bones = np.array(layout.edges)


def bone_lengths(sequence):  # (M, T, V, C) -> person 0's bone lengths (T, E)
    return np.linalg.norm(sequence[0][:, bones[:, 0]] - sequence[0][:, bones[:, 1]], axis=-1)


stretch = np.stack([bone_lengths(s) / np.maximum(bone_lengths(seq), 1e-6) for s in sheared])
recorded_bones = bone_lengths(seq) > 1e-6
stretch = stretch[:, recorded_bones]
print(
    f"bone length after / before shear: median {np.median(stretch):.2f}, 5-95% range "
    f"{np.percentile(stretch, 5):.2f}..{np.percentile(stretch, 95):.2f}"
)

fig = viz.compare_strips(
    {"original": seq, **{f"shear {k + 1}": sheared[k] for k in range(K)}},
    layout,
    frames=ctx.profile.strip_frames,
    title=f"Pose augmentation (Eq. 1, Fig. 2): {name}",
)
ctx.save_figure(fig, "01_fig2_pose_shear")
fig

# %%
pair = viz.side_by_side_3d(
    {"original": seq, "shear 1": sheared[0]},
    layout,
    title="Pose shear in 3D",
    max_frames=ctx.profile.animation_frames,
)
ctx.save_figure(pair, "01_pose_shear_3d")
pair

# %% [markdown]
# ## 3 · Joint jittering (Eq. 2, Figure 3)
#
# $$D_{Spatial_2}(X) = X[:, j] \cdot R, \qquad
# R \in R^{3 \times 3}, \; r_{ij} \sim U(-1, 1), \; |j| < J$$
#
# A random subset $j$ of the joints is moved to irregular positions, the same way in every frame;
# the other joints stay where they are. The released code (`joint_courruption`) is more specific
# than the formula:
#
# - $|j| = 15$ of 25 joints, chosen uniformly without replacement (for other layouts skelviz keeps
#   the proportion: `round(15 V / 25)`, so 12 of N-UCLA's 20);
# - with probability 0.5 the chosen joints are **set to zero** (masked) in every frame and for both
#   persons;
# - otherwise they are multiplied by one random $3 \times 3$ matrix $R$ with **all nine** entries in
#   $U(-1, 1)$ (the diagonal too): $p' = R^T p$.
#
# So it is not additive noise. In the composition each view gets shear with p = 0.5, zero-masking
# with p = 0.25 and a random linear map with p = 0.25. The encoder sees zeroed joints at the origin
# (where centring put the spine); the figures treat exact zeros as missing joints and leave them
# out, so masked joints simply vanish.

# %%
gen, _ = ctx.generators(offset=3)
joint_mask, zero_mode, R = augment.sample_jitter(K, V, gen, JITTER_JOINTS, JITTER_P_MASK)
jittered = augment.apply_jitter(xs, joint_mask, zero_mode, R)  # (K, M, T, V, C)
k_joints = augment.default_jitter_joints(V) if JITTER_JOINTS is None else JITTER_JOINTS
print(
    f"|j| = {k_joints} of {V} joints; "
    f"modes: {['zero' if z else 'linear map' for z in zero_mode.tolist()]}"
)

assert torch.equal(
    augment.joint_jitter(xs, ctx.generators(3)[0], JITTER_JOINTS, JITTER_P_MASK), jittered
), "joint_jitter = sample_jitter + apply_jitter on the same draws"
assert (joint_mask.sum(dim=1) == k_joints).all()
for k in range(K):
    chosen = joint_mask[k]  # (V,)
    assert torch.equal(jittered[k][:, :, ~chosen], xs[k][:, :, ~chosen]), (
        "untouched joints untouched"
    )
    expected = torch.zeros_like(xs[k][:, :, chosen]) if zero_mode[k] else xs[k][:, :, chosen] @ R[k]
    assert torch.allclose(jittered[k][:, :, chosen], expected, atol=1e-6)
print("unchosen joints are bit-identical; chosen joints are zero or x @ R, as released")

# For the figure, show both branches whatever the coin said: even rows zeroed, odd rows mapped.
shown_modes = torch.arange(K, device=zero_mode.device) % 2 == 0
shown = augment.apply_jitter(xs, joint_mask, shown_modes, R)
labels = [f"jitter {k + 1}: {'zeroed' if shown_modes[k] else 'mapped'}" for k in range(K)]
fig = viz.compare_strips(
    {"original": seq, **dict(zip(labels, numpy_of(shown)))},
    layout,
    frames=ctx.profile.strip_frames,
    title=f"Joint jittering (Eq. 2, Fig. 3), |j| = {k_joints}",
)
ctx.save_figure(fig, "01_fig3_joint_jitter")
fig

# %% [markdown]
# Over many draws, the coin and the joint choice behave as specified: about `JITTER_P_MASK` of the
# views are masked, and every joint is chosen with probability $|j| / V$.

# %%
n = ctx.profile.stat_draws
mask_many, zero_many, _ = augment.sample_jitter(
    n, V, ctx.generators(offset=4)[0], JITTER_JOINTS, JITTER_P_MASK
)
zero_fraction = zero_many.float().mean().item()
per_joint = mask_many.float().mean(dim=0).cpu().numpy()  # (V,)
tolerance = 5 * np.sqrt(0.25 / n)  # five standard errors of a proportion, at worst
print(
    f"{n} draws: zero-masked {zero_fraction:.3f} (expected {JITTER_P_MASK}); per-joint selection "
    f"{per_joint.min():.3f}..{per_joint.max():.3f} (expected {k_joints / V:.3f})"
)
assert abs(zero_fraction - JITTER_P_MASK) < tolerance
assert np.all(np.abs(per_joint - k_joints / V) < tolerance)

# %% [markdown]
# ## 4 · Temporal crop-resize (Eq. 3, Figure 4)
#
# $$D_{Temporal}(X) = \text{Interpolate}(X[L_{start} : L_{start} + T L_{ratio}]), \quad
# L_{ratio} \sim U(l_{min}, 1)$$
#
# As implemented: $L = \min(\max(\lfloor T L_{ratio} \rfloor, \text{MIN\_CROP\_FRAMES}), T)$ valid
# frames, a start drawn uniformly from $0..T-L$, then linear interpolation in time to 64 frames
# (half-pixel centres, like `F.interpolate(..., align_corners=False)`). A crop of $L$ frames played
# as 64 frames runs at $L / 64$ times the original speed: short crops become slow motion. The
# released code hides `MIN_CROP_FRAMES = 64`, so on clips of up to 64 frames it always takes the
# whole clip; here it is a parameter (default 1, the paper's formula). Each bar below is one random
# window of this sequence.

# %%
gen, _ = ctx.generators(offset=5)
draws = ctx.profile.crop_draws
starts, crops = augment.sample_crop_windows(
    length.expand(draws), gen, L_MIN, L_MAX, MIN_CROP_FRAMES
)
starts, crops = starts.cpu().numpy(), crops.cpu().numpy()
assert np.all(starts >= 0) and np.all(starts + crops <= T), "windows stay inside the valid frames"
assert np.all(crops >= min(MIN_CROP_FRAMES, T)) and np.all(
    crops <= max(np.floor(T * L_MAX), min(MIN_CROP_FRAMES, T))
)

fig = viz.crop_windows_timeline(
    starts,
    crops,
    T,
    out_frames=config.out_frames,
    title=f"{draws} crop windows of {name}: L_ratio ~ U({L_MIN}, {L_MAX}), floor {MIN_CROP_FRAMES}",
)
ctx.save_figure(fig, "01_crop_windows")
fig

# %% [markdown]
# The interpolation, checked by hand on a ramp (every joint coordinate of frame $t$ equals $t$):
# output frame $i$ of a window $[s, s + L)$ must read position
# $s + \text{clip}((i + 0.5) L / 64 - 0.5, 0, L - 1)$, and a window of exactly 64 frames is copied
# unchanged.

# %%
out = config.out_frames
ramp = (
    torch.arange(200, dtype=torch.float32, device=ctx.device)
    .view(1, 1, 200, 1, 1)
    .expand(2, 1, 200, V, 3)
)
s = torch.tensor([10, 37], device=ctx.device)
L = torch.tensor([out, 23], device=ctx.device)
resampled = numpy_of(augment.resample_windows(ramp, s, L, out))[:, 0, :, 0, 0]  # (2, out)
i = np.arange(out)
for row, (start, size) in enumerate(zip(s.tolist(), L.tolist())):
    assert np.allclose(
        resampled[row], start + np.clip((i + 0.5) * size / out - 0.5, 0, size - 1), atol=1e-4
    )
assert np.array_equal(resampled[0], np.arange(10, 10 + out)), "a 64-frame window is copied as is"
print("linear resampling matches the half-pixel formula")

# %%
cropped = numpy_of(
    augment.resample_windows(
        xs,
        torch.from_numpy(starts[:K]).to(ctx.device),
        torch.from_numpy(crops[:K]).to(ctx.device),
        out,
    )
)  # (K, M, out, V, C)
assert cropped.shape == (K, M, out, V, 3)
labels = [f"crop {k + 1}: [{starts[k]}, {starts[k] + crops[k]})" for k in range(K)]
fig = viz.compare_strips(
    {"original": seq, **dict(zip(labels, cropped))},
    layout,
    frames=ctx.profile.strip_frames,
    title=f"Temporal crop-resize (Eq. 3, Fig. 4): every crop resampled to {out} frames",
)
ctx.save_figure(fig, "01_fig4_temporal_crop")
fig

# %%
pair = viz.side_by_side_3d(
    {"original": seq, labels[0]: cropped[0], labels[1 % K]: cropped[1 % K]},
    layout,
    title="Crops play their whole window in the time the original plays its clip",
    max_frames=ctx.profile.animation_frames,
)
ctx.save_figure(pair, "01_temporal_crop_3d")
pair


# %% [markdown]
# **How long are the crops, really?** With the released floor of 64 frames and
# $L_{ratio} \sim U(0.1, 1)$, the expected crop length can be computed exactly:
# $\lfloor T L_{ratio} \rfloor = k$ on an interval of width $1/T$, so
# $E[L] = \sum_k \min(\max(k, 64), T) \, P(k)$. The library's random draws must agree with it (and
# with the table measured on the released code in the reference notes: 71, 91, 115 and 167 frames
# for T = 100, 150, 200, 300). The floor makes the paper's $l_{min} = 0.1$ mostly inactive on
# NTU-length clips.


# %%
def expected_crop(t, l_min=0.1, l_max=1.0, floor=64):
    """Exact E[L] and P(L = floor) for L = min(max(floor(t * U(l_min, l_max)), floor), t)."""
    k = np.arange(t + 1)
    weight = np.clip(np.minimum((k + 1) / t, l_max) - np.maximum(k / t, l_min), 0, None) / (
        l_max - l_min
    )
    size = np.minimum(np.maximum(k, floor), t)
    return float(weight @ size), float(weight[size == min(floor, t)].sum())


crop_check = {}
for t in (100, 150, 200, 300):
    _, sizes = augment.sample_crop_windows(
        torch.full((n,), t, device=ctx.device),
        ctx.generators(offset=100 + t)[0],
        0.1,
        1.0,
        min_crop_frames=64,
    )
    sizes = sizes.float().cpu().numpy()
    mean, p_floor = expected_crop(t)
    crop_check[t] = {
        "expected_mean": mean,
        "measured_mean": float(sizes.mean()),
        "expected_p_floor": p_floor,
        "measured_p_floor": float(np.mean(sizes == 64)),
    }
    print(
        f"T={t}: mean crop {sizes.mean():6.1f} frames (exact {mean:6.1f}), "
        f"P(L=64) {np.mean(sizes == 64):.3f} (exact {p_floor:.3f})"
    )
    assert abs(sizes.mean() - mean) < 5 * sizes.std() / np.sqrt(n) + 0.5
    assert abs(np.mean(sizes == 64) - p_floor) < tolerance

# %% [markdown]
# And with this notebook's own settings on this dataset's lengths:

# %%
all_lengths = torch.from_numpy(data.lengths).to(ctx.device)
_, dataset_crops = augment.sample_crop_windows(
    all_lengths, ctx.generators(offset=7)[0], L_MIN, L_MAX, MIN_CROP_FRAMES
)
ratio = (dataset_crops.float() / all_lengths.float()).cpu().numpy()
speed = dataset_crops.float().cpu().numpy() / out
print(
    f"{len(ratio)} sequences: crop covers {ratio.mean():.2f} of the clip on average; "
    f"playback speed x{np.median(speed):.2f} median "
    f"({np.mean(speed < 1):.0%} slowed down, {np.mean(speed > 1):.0%} sped up)"
)

# %% [markdown]
# ## 5 · Spatio-temporal composition: two views (Eq. 4)
#
# $$D_{Spatio\text{-}Temporal}(X) = D_{Spatial_i}(D_{Temporal}(X))$$
#
# First the temporal crop-resize, then one spatial augmentation, chosen per view by a coin
# (`P_SHEAR` for the shear, else jittering: the paper's best, "randomized" variant). Two independent
# draws of this function make the query and key views $X_q, X_k$ that the contrastive loss of
# notebooks 04 and 05 pulls together.

# %%
two_views = augment.TwoViewAugment(config)
print(two_views)
view_q, view_k = two_views(x, length, ctx.generators(offset=8)[0])  # each (1, M, out, V, C)
again_q, again_k = two_views(x, length, ctx.generators(offset=8)[0])
assert view_q.shape == view_k.shape == (1, M, out, V, 3)
assert torch.equal(view_q, again_q) and torch.equal(view_k, again_k), "same seed, same views"
assert not torch.equal(view_q, view_k), "the two views differ"

views = {"original": seq, "view q": numpy_of(view_q[0]), "view k": numpy_of(view_k[0])}
fig = viz.compare_strips(
    views,
    layout,
    frames=ctx.profile.strip_frames,
    title=f"Two spatio-temporal views (Eq. 4) of {name}",
)
ctx.save_figure(fig, "01_two_views")
display(fig)
trio = viz.side_by_side_3d(
    views,
    layout,
    title="Original and its two augmented views",
    max_frames=ctx.profile.animation_frames,
)
ctx.save_figure(trio, "01_two_views_3d")
trio

# %% [markdown]
# Cost: augmenting a training batch of 64 sequences on the configured device (both views).
# `TwoViewAugment` draws every random number of the batch's 128 views in one call (a table of
# `22 + V` uniforms per view) and renders them with the two batched steps used above: the
# crop-resize as one gather over all windows, the shear or jitter maps as one block-diagonal matmul.
# One sample at a time, the same work takes 64 calls, each paying Python and dispatch overhead for a
# tiny tensor. On a CPU, a training step of the `default` profile spends a few percent of its time
# here (`benchmarks/README.md`); `benchmarks/bench_augment.py` also times the released
# one-sample-at-a-time pipeline.

# %%
batch_ids = np.arange(min(64, len(data)))
padded, valid = data.batch(
    batch_ids
)  # (N, M, T_max, V, C): padded to this batch's longest sequence
batch = torch.from_numpy(padded).to(ctx.device)
valid = torch.from_numpy(valid).to(ctx.device)


def batched(generator):
    return two_views(batch, valid, generator)


def one_at_a_time(generator):
    return [two_views(batch[i : i + 1], valid[i : i + 1], generator) for i in range(len(batch))]


def ms_per_call(pipeline, repeats=5):
    pipeline(ctx.generators(offset=9)[0])  # warm-up: caches and the allocator fill
    start = time.perf_counter()
    for _ in range(repeats):
        pipeline(ctx.generators(offset=9)[0])
    if ctx.device.type == "cuda":
        torch.cuda.synchronize(ctx.device)
    return (time.perf_counter() - start) / repeats * 1000


ms_per_batch, ms_one_at_a_time = ms_per_call(batched), ms_per_call(one_at_a_time)
print(
    f"two views of a ({', '.join(map(str, batch.shape))}) batch on {ctx.device}: "
    f"{ms_per_batch:.1f} ms batched, {ms_one_at_a_time:.1f} ms one sample at a time "
    f"({ms_one_at_a_time / ms_per_batch:.0f}x)"
)
q, k = batched(ctx.generators(offset=9)[0])
assert q.shape == k.shape == (len(batch_ids), M, out, V, 3) and torch.isfinite(q).all()

# %% [markdown]
# ## Takeaways
#
# - **Pose shear** (Eq. 1) is one random $3 \times 3$ shear for the whole sequence: viewpoint and
#   distance change, the pose does not; bones stretch, so it is harsher than a rotation.
# - **Joint jittering** (Eq. 2) as released zeroes or linearly maps about 60 % of the joints: strong
#   corruption, not small noise; the rest of the skeleton stays bit-identical.
# - **Temporal crop-resize** (Eq. 3) changes start, end and speed; the released 64-frame floor
#   decides most crop lengths on NTU-length clips, so it is an explicit parameter here.
# - The **composition** (Eq. 4) gives two views of one sequence that share only the action: that is
#   what the encoder must learn to recognise.
#
# **Next: `02_representations`**: the same views as a sequence, a pseudo-image and a graph, the
# three inputs that inter-skeleton contrast plays against each other.

# %%
ctx.record_metrics(
    {
        "sample": data.sample_names[SAMPLE_INDEX],
        "sample_frames": T,
        "config": {
            "shear_amplitude": SHEAR_AMPLITUDE,
            "jitter_joints": k_joints,
            "jitter_p_mask": JITTER_P_MASK,
            "l_min": L_MIN,
            "l_max": L_MAX,
            "min_crop_frames": MIN_CROP_FRAMES,
            "p_shear": P_SHEAR,
            "out_frames": out,
        },
        "shear_bone_stretch_median": float(np.median(stretch)),
        "jitter_zero_fraction": zero_fraction,
        "crop_length_check_floor64": {str(t): v for t, v in crop_check.items()},
        "dataset_crop_ratio_mean": float(ratio.mean()),
        "dataset_speed_median": float(np.median(speed)),
        "two_views_ms_per_batch": ms_per_batch,
        "two_views_ms_one_sample_at_a_time": ms_one_at_a_time,
        "two_views_batch_shape": list(batch.shape),
        "device": str(ctx.device),
    }
)
