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
# # 03 · Encoders
#
# > The three networks that read the three representations: a BiGRU for X^SEQ, HCN for X^IMG and
# > A-GCN for X^STG, their sizes against the paper, and one surprise in the released GRU.
#
# **Learning goals**
# - Build each encoder with `skelviz.encoders.build_encoder` and trace a batch from the canonical
#   `(N, M, T, V, C)` layout to a feature vector.
# - Compare parameter counts per encoder and size preset with the paper's Table 10 and the released
#   code, and explain the SEQ mismatch.
# - Show that the released "BiGRU", which runs one frame at a time, is two causal GRUs, not a
#   bidirectional one.
# - Wrap an encoder with the projection head into the L2-normalised embedding that contrastive
#   learning compares.
#
# **Prerequisites**: `02_representations` (X^SEQ, X^IMG, X^STG and the graph's three subsets).
#
# **Runtime** (2-core CPU, no GPU needed): `ci` about 30 s · `default` about 2 min (adds forwards at
# paper size) · `full` about 2 min on a CPU, seconds on a GPU. Measured on a busy machine; an idle
# one is faster.
#
# **Paper**: Section 4.2 (network architectures), Appendix Table 10 (# inference parameters); the
# released definitions in [`docs/released-code.md`](../docs/released-code.md#encoders).

# %% tags=["parameters"]
PROFILE = "ci"  # ci | default | full: which preset is trained later (tiny / small / paper)
DATASET = "synthetic"  # synthetic | nw-ucla | utkinect | ntu60 | ntu120 | pku-mmd | generic
DATA_ROOT = ""  # dataset folder, empty for the default search; nw-ucla: the folder with all_sqe/
DEVICE = "auto"  # auto | cpu | cuda | cuda:N
SEED = 0  # seeds the encoders' initial weights
OUTPUT_DIR = "outputs"  # figures/ and metrics/ go here (relative to the repository root)
PRESET = ""  # tiny | small | paper; empty: the profile's pretraining preset
FRAMES = 0  # clip length; 0: the profile's pretraining clip length (32 in ci/default, 64 in full)
BATCH_SIZE = 8  # samples in the demo batch
TIME_ALL_PRESETS = False  # ci times the tiny preset; True: small and paper too

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from skelviz import augment, represent
from skelviz.encoders import PRESETS, BiGRUConfig, EmbeddingNet, build_encoder, count_parameters
from skelviz.notebook import setup_notebook
from skelviz.runs.config import resolve_config
from skelviz.skeleton import NTU25

ctx = setup_notebook(PROFILE, DATASET, DATA_ROOT, DEVICE, SEED, OUTPUT_DIR, notebook="03_encoders")
pretrain = resolve_config(ctx.profile.name)
preset = PRESET or pretrain.encoder.preset
frames = FRAMES or pretrain.data.frames
if preset not in PRESETS:
    raise ValueError(f"PRESET={preset!r}: known presets are {sorted(PRESETS)}")
if frames < 16:
    raise ValueError(f"FRAMES={frames}: HCN needs at least 16 frames (four 2x max-pools)")
if BATCH_SIZE < 2:
    raise ValueError(f"BATCH_SIZE={BATCH_SIZE} must be at least 2 (BatchNorm in train mode)")
data = ctx.load_dataset()
layout, M = data.layout, data.num_persons
print(f"preset {preset!r}, {frames} frames, layout {layout.name} (V={layout.num_joints}), M={M}")

# %% [markdown]
# ## 1 · A batch in the canonical layout
#
# Every encoder takes the canonical batch `(N, M, T, V, C)` and converts it itself, at its input,
# with `skelviz.represent` (`02_representations`). So the rest of the pipeline (augmentation, MoCo,
# evaluation) never needs to know which representation an encoder reads.

# %%
per_class = 2  # two samples from each of the first classes, so that same-class pairs exist
picked = [i for c in range(data.num_classes) for i in np.flatnonzero(data.labels == c)[:per_class]]
picked = np.array(picked[: max(BATCH_SIZE, 2)])
count = len(picked)
padded, lengths = data.batch(picked)  # (N, M, T_max, V, C): padded to the longest picked one
x = augment.center_crop_resize(
    torch.from_numpy(padded).to(ctx.device),
    torch.from_numpy(lengths).to(ctx.device),
    ratio=0.95,
    out_frames=frames,
)
print(f"x {tuple(x.shape)} = (N, M, T, V, C)")
assert x.shape == (count, M, frames, layout.num_joints, 3)

# %% [markdown]
# ## 2 · The three encoders
#
# | representation | encoder | feature |
# |---|---|---|
# | X^SEQ `(N, T, V·C·M)` | **BiGRU** | top layer's output at the **last** step, 2H = 2048 |
# | X^IMG `(N, C, T, V, M)` | **HCN** | element-wise **max** over persons, 256·4·4 = 4096 |
# | X^STG `(N, C, T, V, M)` | **A-GCN** | **mean** over time, joints, persons: 256 |
#
# - **BiGRU** (3 layers × 1024 per direction) reads the frames in order, in both directions.
# - **HCN** applies 1×1 and 3×1 convolutions per joint, then turns the joints into channels
#   (co-occurrence), in a position and a motion stream.
# - **A-GCN** (the 2s-AGCN joint stream) stacks 10 units, each a graph convolution over
#   `A_k + B_k + C_k` and a 9×1 temporal convolution.
#
# `A_k` is the fixed partition of `02_representations` (a buffer, so it moves with `.to(device)`),
# `B_k` a learned offset initialised to 1e-6, `C_k` a data-dependent attention between joints. The
# `small` and `tiny` presets keep the architecture and shrink widths and depth (`small-narrow`, the
# `default` profile's, is `small` with the A-GCN's widths halved to 16, 32, 64: a cheaper partner
# for the BiGRU). Here are the `tiny` ones, short enough to read:

# %%
torch.manual_seed(SEED)
for rep in represent.REPRESENTATIONS:
    module = build_encoder(rep, "tiny", layout, M, frames=frames)
    print(
        f"--- {rep}: {type(module).__name__}, {count_parameters(module):,} parameters, "
        f"feature_dim {module.feature_dim}"
    )
    for name, child in module.named_children():
        inner = child if not isinstance(child, nn.ModuleList) else child[0]
        print(
            f"  {name:<9} {str(inner).splitlines()[0][:100]}"
            f"{' x' + str(len(child)) if isinstance(child, nn.ModuleList) else ''}"
        )

# %% [markdown]
# ## 3 · How big are they? Parameter counts against Table 10
#
# Table 10 of the paper lists the inference parameters per representation: **IMG 1.0 M, STG 3.0 M,
# SEQ 10.0 M**. Below, every encoder and preset is *built and counted* (`count_parameters`), on the
# paper's setting (NTU-25, two persons, 64 frames) so that the `paper` row is comparable with the
# released code. "+ fc" adds the single `Linear(D, 128)` the released code puts on the encoder;
# "+ MLP" the two-layer projection head used in pretraining (`--mlp`), which is dropped afterwards.

# %%
TABLE10 = {
    "img": 1.0e6,
    "stg": 3.0e6,
    "seq": 10.0e6,
}  # paper, Appendix Table 10 (# inference params)
counts = {}
torch.manual_seed(SEED)
for preset_name in ("paper", "small", "small-narrow", "tiny"):
    for rep in represent.REPRESENTATIONS:
        enc = build_encoder(rep, preset_name, NTU25, num_persons=2, frames=64)
        d = enc.feature_dim
        counts[(rep, preset_name)] = {
            "backbone": count_parameters(enc),
            "fc128": count_parameters(enc) + count_parameters(nn.Linear(d, 128)),
            "mlp": count_parameters(EmbeddingNet(enc)),
            "feature_dim": d,
        }
        del enc

print(
    f"{'encoder':<8}{'preset':<13}{'feature':>8}{'backbone':>13}"
    f"{'+ fc->128':>13}{'+ MLP head':>13}{'paper T10':>11}"
)
for (rep, preset_name), c in counts.items():
    paper = f"{TABLE10[rep] / 1e6:.1f} M" if preset_name == "paper" else ""
    print(
        f"{rep:<8}{preset_name:<13}{c['feature_dim']:>8}{c['backbone']:>13,}"
        f"{c['fc128']:>13,}{c['mlp']:>13,}{paper:>11}"
    )

released = {rep: counts[(rep, "paper")] for rep in represent.REPRESENTATIONS}
assert released["img"]["fc128"] == 1_043_840 and released["stg"]["backbone"] == 3_454_090
assert released["seq"]["backbone"] == 44_998_656, "3-layer BiGRU, 1024 per direction, 150 inputs"
ratio = {rep: released[rep]["backbone"] / TABLE10[rep] for rep in TABLE10}
print({rep: f"released backbone / Table 10 = {r:.2f}" for rep, r in ratio.items()})

# %% [markdown]
# What the table says, honestly:
#
# - **IMG** matches Table 10 (1.0 M) once the 4096 → 128 fc is counted; the convolutional backbone
#   alone is 0.52 M.
# - **STG** is 3.45 M in the released 2s-AGCN, not 3.0 M: Table 10 rounds down, or counts another
#   variant.
# - **SEQ does not match**: a 3-layer BiGRU with H = 1024 per direction on 150 inputs has **45.0 M**
#   parameters, 4.5 times the 10.0 M in Table 10. No obvious configuration gives 10.0 M (a BiGRU
#   with H = 512 has 11.5 M, a one-directional 2-layer GRU with H = 1024 has 9.9 M). skelviz's
#   `paper` preset follows the released code.
#
# A bar chart on a log scale makes the presets' sizes comparable at a glance:

# %%
fig, ax = plt.subplots(figsize=(9, 4.5), layout="constrained")
width = 0.25
for i, preset_name in enumerate(("tiny", "small", "paper")):
    values = [counts[(rep, preset_name)]["backbone"] for rep in represent.REPRESENTATIONS]
    bars = ax.bar(np.arange(3) + (i - 1) * width, values, width, label=preset_name)
    ax.bar_label(
        bars, [f"{v / 1e6:.2f} M" if v >= 1e5 else f"{v / 1e3:.1f} k" for v in values], fontsize=7
    )
ax.scatter(
    np.arange(3) + width,
    [TABLE10[rep] for rep in represent.REPRESENTATIONS],
    marker="_",
    s=900,
    color="black",
    zorder=3,
    label="paper Table 10",
)
ax.set_yscale("log")
ax.set_xticks(np.arange(3), ["SEQ (BiGRU)", "IMG (HCN)", "STG (A-GCN)"])
ax.set_ylabel("parameters (backbone)")
ax.set_title("Encoder sizes per preset (NTU-25, 2 persons, 64 frames) vs the paper's Table 10")
ax.legend(fontsize=8)
ctx.save_figure(fig, "03_parameter_counts")
fig

# %% [markdown]
# ## 4 · A forward pass, and the embedding contrastive learning compares
#
# At the notebook's preset, each encoder maps the batch to `(N, D)`. `EmbeddingNet` adds the
# projection head (`Linear(D, D) → ReLU → Linear(D, 128)`) and L2-normalises, so two embeddings
# compare by a dot product in `[-1, 1]`. Downstream, the head is dropped and `embedding_net.encoder`
# is kept.
#
# The released head's last layer is the encoder's own output layer, so it keeps that layer's
# initialisation: weight std 0.030 (BiGRU), 0.022 (HCN, zero bias) and 0.125 (A-GCN) at paper size,
# where PyTorch's default gives 0.013, 0.009 and 0.036. skelviz's default head uses PyTorch's
# default for both layers; `EmbeddingNet(encoder, head_init="released")` reproduces the released one
# ([`docs/released-code.md`](../docs/released-code.md#projection-head-and-its-initialisation)).

# %%
torch.manual_seed(SEED)
encoders = {
    rep: build_encoder(rep, preset, layout, M, frames=frames).to(ctx.device)
    for rep in represent.REPRESENTATIONS
}
features, embeddings = {}, {}
with torch.no_grad():
    for rep, enc in encoders.items():
        enc.eval()
        features[rep] = enc(x)  # (N, D)
        net = EmbeddingNet(enc).to(ctx.device).eval()
        embeddings[rep] = net(x)  # (N, 128)
        assert (
            features[rep].shape == (count, enc.feature_dim) and torch.isfinite(features[rep]).all()
        )
        assert torch.allclose(
            embeddings[rep].norm(dim=1), torch.ones(count, device=ctx.device), atol=1e-5
        )
        assert net.encoder is enc
        print(
            f"{rep}: x {tuple(x.shape)} -> features {tuple(features[rep].shape)} -> embedding "
            f"{tuple(embeddings[rep].shape)}, |z| = 1"
        )

# %% [markdown]
# Before training, the embeddings of all samples point in nearly the same direction (their mean
# cosine similarity is printed below): contrastive training has to spread them over the sphere. The
# *centred* features (batch mean removed) do differ from sample to sample, but an untrained encoder
# is a random projection and need not put same-class pairs together (on real data an untrained
# encoder can still be a strong kNN baseline: always report one beside a pretrained encoder, as
# notebooks 04 and 05 do). The batch holds two samples per class, in class order; compare with the
# same picture after `04`:

# %%
labels = data.labels[picked]
off_diagonal = ~torch.eye(count, dtype=torch.bool, device=ctx.device)
raw_cosine = {rep: float((z @ z.T)[off_diagonal].mean()) for rep, z in embeddings.items()}
print(
    "mean cosine between different samples' untrained embeddings:",
    {rep: round(v, 3) for rep, v in raw_cosine.items()},
)
fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), layout="constrained")
for ax, (rep, f) in zip(axes, features.items()):
    centred = torch.nn.functional.normalize(f - f.mean(dim=0), dim=1)
    sim = (centred @ centred.T).cpu().numpy()
    image = ax.imshow(sim, cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_title(f"{rep}: cosine of centred features")
    ax.set_xticks(
        range(count), [data.class_names[label][:8] for label in labels], rotation=90, fontsize=6
    )
    ax.set_yticks(range(count), [data.class_names[label][:8] for label in labels], fontsize=6)
fig.colorbar(image, ax=axes, shrink=0.8)
fig.suptitle(f"Untrained {preset} encoders: similarity of the batch's features")
ctx.save_figure(fig, "03_untrained_similarity")
fig

# %% [markdown]
# ## 5 · The released "BiGRU" is two causal GRUs
#
# The released encoder (inherited from Predict & Cluster) does not call the GRU on the whole
# sequence: it loops over frames and calls the bidirectional GRU on **one frame at a time**,
# carrying the hidden state. With one step per call, the "reverse" direction never sees the future;
# it runs forward in time too, with its own weights. skelviz's default is the true BiGRU;
# `gru="stepwise"` reproduces the released loop. In a pretraining run, the run configuration's
# `gru` field chooses the same way: `"true"` (the default) or `"stepwise"` (and two readouts of
# the true BiGRU, `"final"` and `"mean"`, met in the exercises below).
#
# Test it with a one-layer GRU: perturb one frame `t` at a time and measure how much the
# **last-step** feature changes. A true BiGRU's reverse half has only read frame `T-1` at the last
# step (it starts there), so it must ignore every other frame; the stepwise one has read them all.

# %%
torch.manual_seed(SEED)
gru_config = BiGRUConfig(hidden_size=32, num_layers=1)
true_gru = build_encoder("seq", gru_config, layout, M).to(ctx.device).eval()
step_gru = build_encoder("seq", gru_config, layout, M, gru="stepwise").to(ctx.device).eval()
step_gru.load_state_dict(true_gru.state_dict())  # identical weights, different loops
H = gru_config.hidden_size
clip = x[:1]  # (1, M, T, V, C)
T = clip.shape[2]
perturbed = clip.repeat(T, 1, 1, 1, 1)  # (T, M, T, V, C): copy t has frame t changed
gen, _ = ctx.generators(offset=1)
noise = torch.randn(T, M, layout.num_joints, 3, generator=gen, device=ctx.device)
perturbed[torch.arange(T), :, torch.arange(T)] += noise  # copy t, all persons, frame t
with torch.no_grad():
    change = {}
    for label, enc in (("true BiGRU", true_gru), ("stepwise (released)", step_gru)):
        delta = (enc(perturbed) - enc(clip)).abs()  # (T, 2H)
        change[label] = {
            "forward": delta[:, :H].amax(dim=1).cpu().numpy(),
            "reverse": delta[:, H:].amax(dim=1).cpu().numpy(),
        }
    forward_same = torch.allclose(step_gru(clip)[:, :H], true_gru(clip)[:, :H], atol=1e-6)
true_rev, step_rev = change["true BiGRU"]["reverse"], change["stepwise (released)"]["reverse"]
assert forward_same, "the forward halves are the same network"
assert np.all(true_rev[:-1] == 0) and true_rev[-1] > 0, "true reverse half: only frame T-1 matters"
assert step_rev[-2] > 0, "stepwise reverse half: frame T-2 matters too"
print(
    f"forward halves equal: {forward_same}; frames that move the reverse half: "
    f"true {int((true_rev > 0).sum())} of {T}, stepwise {int((step_rev > 1e-7).sum())} of {T}"
)

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), sharey=True, layout="constrained")
for ax, half in zip(axes, ("forward", "reverse")):
    for label, style in (("true BiGRU", "-o"), ("stepwise (released)", "--s")):
        ax.plot(np.arange(T), change[label][half] + 1e-8, style, ms=3, label=label)
    ax.set_yscale("log")
    ax.set_xlabel("perturbed frame t")
    ax.set_title(f"{half} half of the last-step feature")
axes[0].set_ylabel("max |change| (+1e-8 to show zeros)")
axes[1].legend()
fig.suptitle("Which frames does the last-step GRU feature depend on? (1 layer, H = 32, untrained)")
ctx.save_figure(fig, "03_gru_true_vs_stepwise")
fig

# %% [markdown]
# Read the right panel: the true BiGRU's reverse half responds to the last frame only (a flat line
# at zero before it), while the released loop's "reverse" half responds most to recent frames and
# decays into the past, exactly like the forward half. With several layers the true BiGRU's top
# reverse half does see earlier frames (through the layer below's forward half), but the released
# model stays causal at every layer.
#
# Why it matters: the two models are different networks, so released checkpoints only load correctly
# into the stepwise variant, and the loop costs about twice as much (below). skelviz defaults to the
# true BiGRU; the run configuration's `gru` field chooses the GRU (`"true"`, the default, or
# `"stepwise"` for the released loop), so the choice is part of every run's configuration
# ([`docs/released-code.md`](../docs/released-code.md#the-stepwise-gru)).

# %%
causal = nn.GRU(true_gru.gru.input_size, H, batch_first=True).to(ctx.device)
causal.load_state_dict(
    {
        name: getattr(true_gru.gru, f"{name}_reverse")
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    }
)
with torch.no_grad():
    reverse_is_causal = torch.allclose(
        step_gru(clip)[:, H:], causal(represent.to_sequence(clip))[0][:, -1], atol=1e-6
    )
assert reverse_is_causal
print(
    "stepwise reverse half == a forward-in-time GRU using the reverse weights:", reverse_is_causal
)


# %% [markdown]
# ## 6 · How long does a forward take? (informative only)
#
# Wall-clock time of one forward pass (eval mode, no gradients) of a `(16, M, T, V, C)` batch per
# encoder and preset on this machine, for the true and the stepwise BiGRU too. Timings depend on the
# machine and its load; they are printed and recorded, never checked. The `ci` profile times the
# `tiny` preset only (`TIME_ALL_PRESETS = True` adds `small` and `paper`, which `default` and `full`
# always time).


# %%
def time_forward(enc, batch, repeats=2):
    with torch.no_grad():
        enc(batch[:2])  # warm-up (allocations, kernel selection)
        if ctx.device.type == "cuda":
            torch.cuda.synchronize(ctx.device)
        start = time.perf_counter()
        for _ in range(repeats):
            enc(batch)
        if ctx.device.type == "cuda":
            torch.cuda.synchronize(ctx.device)
    return (time.perf_counter() - start) / repeats


timing_batch = x[torch.arange(16) % count]  # (16, M, T, V, C)
timed_presets = (
    ["tiny", "small", "paper"] if TIME_ALL_PRESETS or ctx.profile.name != "ci" else ["tiny"]
)
timings = {}
torch.manual_seed(SEED)
for preset_name in timed_presets:
    repeats = 1 if preset_name == "paper" else 2  # paper size takes seconds per forward on a CPU
    for rep in represent.REPRESENTATIONS:
        enc = build_encoder(rep, preset_name, layout, M, frames=frames).to(ctx.device).eval()
        timings[f"{rep}/{preset_name}"] = time_forward(enc, timing_batch, repeats)
    stepwise = build_encoder("seq", preset_name, layout, M, gru="stepwise").to(ctx.device).eval()
    timings[f"seq-stepwise/{preset_name}"] = time_forward(stepwise, timing_batch, repeats)
    del enc, stepwise
for key, seconds in timings.items():
    print(f"{key:<22} {seconds * 1000:9.1f} ms per forward of {tuple(timing_batch.shape)}")

# %% [markdown]
# ## Takeaways
#
# - Each encoder takes the canonical `(N, M, T, V, C)` batch, converts it to its representation at
#   the input, and returns one vector per sample: BiGRU 2H at the last step, HCN 4096 (max over
#   persons), A-GCN 256 (mean).
# - The `paper` preset reproduces the released parameter counts exactly (HCN 0.52 M + fc = 1.04 M,
#   A-GCN 3.45 M, BiGRU 45.0 M). Table 10's 10.0 M for SEQ does not match the released code
#   (4.5× more).
# - The released "BiGRU" is two causal GRU streams (frame-by-frame loop); a true BiGRU is a
#   different model. skelviz defaults to the true one; `gru="stepwise"` (here and in a run
#   configuration) gives the released behaviour.
# - `EmbeddingNet` = encoder + projection head + L2 normalisation: the 128-d vectors MoCo compares.
#
# **Exercises**
# 1. Rebuild the sensitivity plot with `BiGRUConfig(32, num_layers=2)`. Which true-BiGRU assertion
#    now fails, and why?
# 2. Find a BiGRU configuration with about 10 M parameters on 150 inputs. Is there a natural one?
# 3. Build the true BiGRU with `gru="final"` (each direction read at its own last step, the GRU's
#    final hidden states) and with `gru="mean"` (outputs averaged over time) and redo the
#    sensitivity plot: which frames does each reverse half read now? (On N-UCLA both readouts
#    start 12 points above the last-step one, untrained, and end level with it after pretraining:
#    `docs/experiments.md`.)
#
# **Next: `04_intra_skeleton_moco`**: train one of these encoders with MoCo on one representation.

# %%
ctx.record_metrics(
    {
        "preset": preset,
        "frames": frames,
        "layout": layout.name,
        "persons": M,
        "parameters_ntu25_m2": {f"{rep}/{p}": c for (rep, p), c in counts.items()},
        "table10_params": TABLE10,
        "released_over_table10": ratio,
        "feature_dims": {rep: int(f.shape[1]) for rep, f in features.items()},
        "untrained_embedding_mean_cosine": raw_cosine,
        "gru_forward_halves_equal": bool(forward_same),
        "gru_true_reverse_frames_seen": int((true_rev > 0).sum()),
        "gru_stepwise_reverse_frames_seen": int((step_rev > 1e-7).sum()),
        "forward_seconds": timings,
        "timing_batch_shape": list(timing_batch.shape),
        "device": str(ctx.device),
    }
)
