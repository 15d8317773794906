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
# # 04 · Intra-skeleton MoCo
#
# > Momentum contrast on one skeleton representation: two augmented views of a sequence should embed
# > close together, other sequences far apart.
#
# **Learning goals**
# - Compute one MoCo step by hand: query and key embeddings, InfoNCE logits with the positive at
#   index 0, the loss of Eq. 5.
# - Explain the two MoCo mechanics: the momentum (EMA) key encoder and the FIFO queue of negatives.
# - Read the library's whole training step (`moco_step`, about 20 lines), then pretrain with one
#   call, `ctx.run("pretrain", ...)`, and read its loss and contrastive-accuracy curves (the paper's
#   Figure 6).
# - Judge features with a cosine 1-NN classifier, always beside the **untrained** encoder and raw
#   coordinates.
#
# **Prerequisites**: 01 (augmentations), 02 (representations), 03 (encoders).
#
# **Runtime** (2-core CPU): `ci` about 25 s (tiny encoders, synthetic data, 4 epochs, one thread)
# · `default` 55 s on the synthetic set (the `small` SEQ encoder, 16 frames, 240 epochs, both
# cores of a 2-core Intel Xeon VM; about twice that on the AMD EPYC VM of earlier runs); on
# N-UCLA (240 epochs, one thread) SEQ about 6.5 CPU min on the EPYC (0.027 CPU min an epoch), STG
# not timed at this preset · `full` is the paper's NTU
# schedule (451 epochs) and needs a GPU (days). A finished run with the same configuration and data
# is reused instead of retrained.
#
# **Paper**: Section 3.2 (intra-skeleton contrast, Eq. 5), Section 4.2 (pretraining settings);
# released code `moco/builder_intra.py` ([docs/released-code.md](../docs/released-code.md)).

# %% tags=["parameters"]
PROFILE = "ci"  # ci | default | full: encoder size, data and training length
DATASET = "synthetic"  # synthetic | nw-ucla | ntu60 | ntu120 | pku-mmd | generic
DATA_ROOT = ""  # dataset folder; empty means the default search path
DEVICE = "auto"  # auto | cpu | cuda | cuda:N
SEED = 0  # seeds initialisation, batch order and augmentations
OUTPUT_DIR = "outputs"  # figures/, metrics/ and runs/ go here
REPRESENTATION = "seq"  # seq | img | stg: the encoder to pretrain
PROTOCOL = "cross_view"  # split: pretrain on its train part, 1-NN queries from its test part
EPOCHS = 0  # 0 means the number of epochs of the profile

# %%
import copy
import inspect

import torch
import torch.nn.functional as F
from torch import nn

from skelviz.augment import TwoViewAugment
from skelviz.evaluate import extract_features, knn_accuracy, knn_monitor
from skelviz.moco import IntraMoCo, info_nce_logits, info_nce_loss
from skelviz.notebook import setup_notebook
from skelviz.runs.api import load_run
from skelviz.runs.config import resolve_config
from skelviz.runs.data import load_run_data
from skelviz.runs.tasks.pretrain import adjust, augment_config, build_moco, embedding_net, moco_step
from skelviz.train_plots import plot_knn_before_after, plot_training_curves

ctx = setup_notebook(
    PROFILE, DATASET, DATA_ROOT, DEVICE, SEED, OUTPUT_DIR, notebook="04_intra_skeleton_moco"
)
overrides = {
    "representations": REPRESENTATION,
    "protocol": PROTOCOL,
    **({"epochs": EPOCHS} if EPOCHS else {}),
}
cfg = resolve_config(PROFILE, dataset=DATASET, seed=SEED, device=str(ctx.device), **overrides)
data = load_run_data(
    cfg, ctx.data_root
)  # the train and test parts of PROTOCOL (cached for ctx.run)
cfg, adjusted = adjust(cfg, data)  # what the run will change to fit this data, and why
train_set, test_set = data.train, data.test
print(
    f"pretrain on {train_set.name}: {len(train_set)} sequences; "
    f"1-NN queries: {test_set.name}: {len(test_set)}"
)
print(
    f"preset={cfg.encoder.preset}, K={cfg.moco.queue_size}, m={cfg.moco.momentum}, "
    f"tau={cfg.moco.temperature}, batch={cfg.optim.batch_size}, "
    f"{cfg.optim.optimizer} lr={cfg.optim.lr}, epochs={cfg.optim.epochs}, T={cfg.data.frames}"
)
print("adjusted:", adjusted or "nothing")
assert cfg.mode == "intra" and cfg.moco.queue_size % cfg.optim.batch_size == 0

# %% [markdown]
# ## 1 · One MoCo step by hand
#
# Each sequence $X$ is augmented twice (notebook 01): the **query** view $X_q$ and the **key** view
# $X_k$. The query encoder $f_q$ (encoder + MLP head, L2-normalised output) embeds the query,
# $Z_q = f_q(X_q)$; the key encoder $f_k$ embeds the key, $Z_k = f_k(X_k)$. The negatives
# $\mathcal{N}$ are the $K$ keys of earlier batches, kept in a queue. Eq. 5 is a $(1+K)$-way softmax
# classification whose correct class is the positive:
#
# $$\mathcal{L}(X) = -\log \frac{\exp(Z_q\cdot Z_k/\tau)}
# {\exp(Z_q\cdot Z_k/\tau) + \sum_{Z_n\in\mathcal{N}} \exp(Z_q\cdot Z_n/\tau)}$$
#
# We build the logits by hand for a batch of 8 and a queue of 16 random unit vectors, then check
# them against `skelviz.moco.info_nce_logits` / `info_nce_loss`.

# %%
torch_gen, _ = ctx.generators(offset=1)
x, lengths = (
    torch.from_numpy(a).to(ctx.device) for a in train_set.batch(range(8))
)  # (8, M, T, V, C), (8,)
view_q, view_k = TwoViewAugment(augment_config(cfg))(x, lengths, torch_gen)  # 2 x (8, M, T', V, C)

f_q = embedding_net(cfg, REPRESENTATION, train_set.layout, train_set.num_persons).to(ctx.device)
f_k = copy.deepcopy(f_q)  # theta_k starts as a copy of theta_q
queue = F.normalize(
    torch.randn(16, cfg.encoder.embed_dim, generator=torch.Generator().manual_seed(SEED)), dim=1
).to(ctx.device)

z_q = f_q(view_q)  # (8, 128), unit length
with torch.no_grad():
    z_k = f_k(view_k)  # (8, 128), no gradient flows into the key encoder
l_pos = (z_q * z_k).sum(dim=1, keepdim=True)  # (8, 1): Z_q . Z_k
l_neg = z_q @ queue.T  # (8, 16): Z_q . Z_n for every queued key
logits = (
    torch.cat([l_pos, l_neg], dim=1) / cfg.moco.temperature
)  # (8, 17): the positive is column 0
loss_by_hand = -torch.log_softmax(logits, dim=1)[:, 0].mean()

print(
    "views",
    tuple(view_q.shape),
    "-> embeddings",
    tuple(z_q.shape),
    "-> logits",
    tuple(logits.shape),
)
print(
    f"InfoNCE by hand: {loss_by_hand.item():.4f}   "
    f"(chance level log(1+K) = {torch.log(torch.tensor(17.0)).item():.4f})"
)
assert torch.allclose(z_q.norm(dim=1), torch.ones(8, device=ctx.device), atol=1e-5)
assert torch.allclose(logits, info_nce_logits(z_q, z_k, queue, cfg.moco.temperature), atol=1e-5)
assert torch.allclose(loss_by_hand, info_nce_loss(logits), atol=1e-5)

# %% [markdown]
# Two more pieces complete the step, both in `skelviz.moco`:
#
# * **Momentum update** `momentum_update(f_q, f_k, m)`:
#   $\theta_k \leftarrow m\,\theta_k + (1-m)\,\theta_q$, run *before* the keys are computed (as
#   released). $m$ close to 1 keeps the keys consistent across batches.
# * **Enqueue**: the batch's keys replace the oldest $N$ queue rows and the pointer moves by $N$
#   (mod $K$; hence $K$ must be a multiple of the batch size).
#
# `IntraMoCo` bundles the query net, key net and queue. Two steps with $K = 16$ and batches of 8
# move the pointer 0 → 8 → 0 (the queue wrapped once).

# %%
moco = IntraMoCo(
    lambda: copy.deepcopy(f_q),
    queue_size=16,
    momentum=cfg.moco.momentum,
    temperature=cfg.moco.temperature,
    representation=REPRESENTATION,
    dim=cfg.encoder.embed_dim,
    generator=torch.Generator().manual_seed(SEED),
).to(ctx.device)
pointers = [int(moco.queues[REPRESENTATION].ptr)]
for _ in range(2):
    out = moco(view_q, view_k)
    pointers.append(int(moco.queues[REPRESENTATION].ptr))
print("logits per step:", tuple(out.logits[REPRESENTATION].shape), " queue pointer:", pointers)
print(f"loss {out.loss.item():.4f}, contrastive top-1 {out.accuracy[REPRESENTATION]:.2f}")
assert pointers == [0, 8, 0]
assert not any(p.requires_grad for p in moco.key_nets.parameters())

# %% [markdown]
# ## 2 · The library's training step
#
# This is the whole step the library trains with (`skelviz.runs.tasks.pretrain.moco_step`): encode
# the queries, update the key encoder, encode the keys, build the logits of every loss term, the
# InfoNCE loss, backward, optimiser step, enqueue. (The augmentation happens just before it; with
# several processes the query networks arrive wrapped in `DistributedDataParallel`, which averages
# their gradients during `backward`.)

# %%
print(inspect.getsource(moco_step))

# %% [markdown]
# Check it against the by-hand computation: one `moco_step` on a fresh copy of the two-step module
# above gives the same loss as the module's own forward pass, and it changes the query weights (an
# optimiser step) while the key weights only move by the EMA.

# %%
moco_a, moco_b = copy.deepcopy(moco), copy.deepcopy(moco)
loss_forward = moco_a(view_q, view_k).loss
optimizer = torch.optim.SGD(moco_b.query_nets.parameters(), lr=0.1)
before = [p.clone() for p in moco_b.query_nets.parameters()]
loss_step, _ = moco_step(
    moco_b,
    dict(moco_b.query_nets),
    optimizer,
    (view_q, view_k),
    torch.autocast("cpu", enabled=False),
)
moved = sum(not torch.equal(a, b) for a, b in zip(before, moco_b.query_nets.parameters()))
print(
    f"loss: forward {loss_forward.item():.5f}, moco_step {loss_step.item():.5f}; "
    f"query tensors changed: {moved}/{len(before)}"
)
assert torch.allclose(loss_forward, loss_step, atol=1e-5) and moved > 0
assert torch.equal(
    moco_a.queues[REPRESENTATION].keys, moco_b.queues[REPRESENTATION].keys
)  # same keys enqueued

# %% [markdown]
# ## 3 · Pretrain with one call
#
# `ctx.run("pretrain", ...)` runs that step over shuffled batches of the training split (labels are
# never used), with the optimiser and schedule of the profile, through the run engine: a progress
# bar, a history, and a run folder `runs/pretrain/<name>-<key>/` holding `config.json`,
# `history.json`, `metrics.json` and `weights.pt`. The key is a hash of the configuration and of the
# data's content: re-running the notebook with nothing changed reuses the finished run in a second,
# and an interrupted run resumes where it stopped. Every few epochs the run measures a **cosine 1-NN
# monitor**: encoder features (head removed) of the train split are the labelled gallery, the test
# split is classified by its nearest gallery feature. Epoch 0 of the monitor is the untrained
# encoder.

# %%
result = ctx.run("pretrain", **overrides)
history, m = result.history, result.metrics
steps_per_epoch = len(train_set) // cfg.optim.batch_size
print(
    f"{m['steps']} steps ({m['epochs']} epochs x {steps_per_epoch}) "
    f"in {m['train_seconds']:.1f} s of training"
)
print(
    "run folder:",
    result.folder.root.relative_to(ctx.paths.root),
    sorted(p.name for p in result.folder.root.iterdir()),
)
assert result.config == cfg  # the run used exactly the configuration printed above
assert len(history["steps"]["loss"]) == cfg.optim.epochs * steps_per_epoch
assert all(torch.isfinite(torch.tensor(history["steps"]["loss"])))

# %% [markdown]
# ## 4 · Loss and contrastive accuracy (paper Figure 6)
#
# The contrastive accuracy is the fraction of queries whose largest logit is the positive among
# $1+K$ candidates. In the first epoch the loss *rises*: the queue starts as random unit vectors,
# which are easy negatives, and fills with real keys, which are hard ones; from epoch 2 on the queue
# holds only real keys, so compare later epochs with epoch 2. The paper's Figure 6 shows that strong
# augmentations keep the task from saturating; with weak augmentations accuracy would climb to 100 %
# quickly and features stay poor.

# %%
fig = plot_training_curves(
    history,
    title=f"intra-skeleton MoCo, {REPRESENTATION.upper()} ({PROFILE} profile, {train_set.name})",
)
ctx.save_figure(fig, f"04_training_curves_{REPRESENTATION}")
print(
    f"mean loss: epoch 1 {m['loss_epoch_1']:.3f}, epoch 2 {m['loss_epoch_2']:.3f}, "
    f"last {m['loss_last_epoch']:.3f}"
)
fig

# %% [markdown]
# *Figure: left, the InfoNCE loss per step (grey) and its moving average; middle, the contrastive
# top-1 accuracy (chance is 1/(1+K)); right, the 1-NN monitor per epoch. Look for the jump after
# epoch 1 (the queue filling with real keys) and whether the 1-NN curve is still rising at the end.*
#
# ## 5 · 1-NN before versus after pretraining
#
# A randomly initialised encoder already separates actions to some degree (its features are a random
# but structured function of the motion), and raw coordinates are a floor too. Pretraining counts
# only where it beats both. The untrained encoder is rebuilt here from the same seed, so its number
# must equal the monitor's epoch 0. In the `ci` profile these numbers show that the pipeline runs;
# they are not the paper's.

# %%
untrained = build_moco(cfg, train_set.layout, train_set.num_persons).to(ctx.device)
untrained_knn = knn_monitor(
    untrained.query_nets[REPRESENTATION].encoder,
    train_set,
    test_set,
    cfg.data.frames,
    device=ctx.device,
)
raw_train = extract_features(
    nn.Flatten(), train_set, frames=cfg.data.frames
)  # centre-cropped coordinates, (N, M*T*V*C)
raw_test = extract_features(nn.Flatten(), test_set, frames=cfg.data.frames)
raw_knn = knn_accuracy(raw_train, train_set.labels, raw_test, test_set.labels)
summary = m["knn"]
chance = 1 / train_set.num_classes
print(f"1-NN accuracy on {test_set.name} (chance {100 * chance:.1f} %)")
print(f"  raw coordinates         {100 * raw_knn:5.1f} %")
print(f"  untrained {REPRESENTATION} encoder   {100 * summary[REPRESENTATION]['untrained']:5.1f} %")
print(
    f"  pretrained {REPRESENTATION} encoder  "
    f"{100 * summary[REPRESENTATION]['pretrained']:5.1f} %  "
    f"(after epoch {summary[REPRESENTATION]['epoch']})"
)
gain_untrained = summary[REPRESENTATION]["pretrained"] - summary[REPRESENTATION]["untrained"]
gain_raw = summary[REPRESENTATION]["pretrained"] - raw_knn
print(
    f"pretrained minus untrained {100 * gain_untrained:+.1f} points, minus raw coordinates "
    f"{100 * gain_raw:+.1f} points (one test sequence is {100 / len(test_set):.2f} points)"
)
assert abs(untrained_knn - summary[REPRESENTATION]["untrained"]) < 1e-6
assert all(0.0 <= v <= 1.0 for v in (raw_knn, untrained_knn, summary[REPRESENTATION]["pretrained"]))
fig = plot_knn_before_after(
    {REPRESENTATION: summary[REPRESENTATION]}, chance=chance, title=f"cosine 1-NN, {test_set.name}"
)
ctx.save_figure(fig, f"04_knn_before_after_{REPRESENTATION}")
fig

# %% [markdown]
# *Figure: 1-NN accuracy of the untrained and the pretrained encoder (dashed: chance). Pretraining
# helps only where the right bar clears the left one and the raw-coordinate number printed above.*
#
# ## 6 · The run, read back
#
# `load_run(folder)` reads a run's configuration, history and metrics without touching its weights
# (that is how later notebooks and reports collect numbers); `.encoders()` then loads the weights
# (tensors only, never code) and gives every representation's **encoder without its head**, in eval
# mode. The reloaded encoder gives the same features as the one just trained.

# %%
loaded = load_run(result.folder)
encoders = loaded.encoders(ctx.device)
probe_x = view_q[:4]
with torch.no_grad():
    same = torch.allclose(
        encoders[REPRESENTATION](probe_x),
        result.encoders(ctx.device)[REPRESENTATION](probe_x),
        atol=1e-6,
    )
size = result.folder.file("weights.pt").stat().st_size / 1e6
print(f"{result.name}: weights {size:.2f} MB, encoders {sorted(encoders)}, same features: {same}")
assert loaded.config == cfg and loaded.metrics == m and same

# %% [markdown]
# ## Takeaways
#
# - MoCo turns self-supervision into a $(1+K)$-way classification: find your own other view among
#   the queued keys.
# - The key encoder is an exponential moving average of the query encoder; only the query encoder
#   gets gradients.
# - Contrastive accuracy says how hard the pretext task is, not how good the features are; a
#   downstream probe (here cosine 1-NN) does, and it must be compared with the untrained encoder.
#
# **Exercises**: set `EPOCHS` higher and watch the 1-NN curve; try `REPRESENTATION = "stg"` and
# `"img"`; pass `spatial="none"` to `ctx.run` (any configuration field works) and compare the
# accuracy curve with Figure 6. The same run from a terminal:
# `python -m skelviz pretrain --profile ci --set representations=seq`.
#
# **Next**: `05_inter_skeleton_moco`: contrast *across* representations.

# %%
metrics = {
    "representation": REPRESENTATION,
    "run": result.name,
    "epochs": m["epochs"],
    "steps": m["steps"],
    "train_seconds": m["train_seconds"],
    "loss_epoch_2": m["loss_epoch_2"],
    "loss_last_epoch": m["loss_last_epoch"],
    "contrastive_top1_last_epoch": m["contrastive_top1_last_epoch"][REPRESENTATION],
    "contrastive_chance": m["contrastive_chance"],
    "knn_1nn_untrained": summary[REPRESENTATION]["untrained"],
    "knn_1nn_pretrained": summary[REPRESENTATION]["pretrained"],
    "knn_1nn_raw_coordinates": raw_knn,
    "chance": chance,
}
print(ctx.record_metrics(metrics))
