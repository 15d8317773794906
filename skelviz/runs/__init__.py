"""Runs: the unit of every task (pretraining now; linear evaluation, kNN, fine-tuning next).

    config.py     Config: sections data, augment, encoder, moco, optim, eval, run; hash
    profiles.py   the one profile registry: ci, default, full
    device.py     the one device resolver
    data.py       a run's data (train/test of a protocol) and its content fingerprint
    store.py      a run folder: config.json, history.json, metrics.json, weights.pt, state.pt
    engine.py     the task-agnostic epoch loop: progress, history, resumable checkpoints
    distributed.py  torchrun: sharded batches, DDP query nets, rank 0 writes
    tasks/        one module per task (pretrain.py)
    api.py        run(task, config) -> RunResult (reuse, resume or train); load_run(folder)
    cli.py        python -m skelviz TASK --profile P --set key=value

Nothing is imported here, so ``skelviz.runs.profiles`` stays light for the notebook runner.

Introduced in ``notebooks/04_intra_skeleton_moco``.
"""
