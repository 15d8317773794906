"""The one atomic writer: a file appears whole or not at all, and errors name the path."""

import errno
import json

import pytest
import torch

from skelviz.atomic import save_tensors, write_atomic, write_json


def test_a_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path):
    target = tmp_path / "m.json"
    write_json(target, {"a": 1})

    def broken(handle):
        handle.write(b'{"half')
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError, match="interrupted"):
        write_atomic(target, broken)
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_an_os_error_names_the_path(tmp_path, monkeypatch):
    target = tmp_path / "runs" / "x" / "weights.pt"

    def full_disk(handle):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match=r"cannot write .*weights\.pt: No space left on device"):
        write_atomic(target, full_disk)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OSError, match="cannot write .*file/out.json"):
        write_json(blocker / "out.json", {})


def test_tensors_read_back_with_weights_only(tmp_path):
    path = save_tensors(tmp_path / "w.pt", {"w": torch.ones(2), "epoch": 3})
    state = torch.load(path, weights_only=True)
    assert torch.equal(state["w"], torch.ones(2)) and state["epoch"] == 3
    assert oct(path.stat().st_mode & 0o777) == "0o644"
