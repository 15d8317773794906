"""skelviz.paths, skelviz.runs.profiles and skelviz.notebook: the output layout, the named profiles
and the one setup call every notebook makes (validation, seeding, device, figures, runs)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from skelviz import notebook as nb
from skelviz.paths import REPO_ROOT, output_paths, resolve_output_dir
from skelviz.runs.device import resolve_device
from skelviz.runs.profiles import PROFILES, get_profile


def setup(tmp_path, **overrides):
    params = {
        "profile": "ci",
        "dataset": "synthetic",
        "data_root": "",
        "device": "cpu",
        "seed": 0,
        "output_dir": str(tmp_path),
        "quiet": True,
    }
    return nb.setup_notebook(**{**params, **overrides})


# --- output layout --------------------------------------------------------------------------------
def test_output_paths_creates_the_four_folders(tmp_path):
    paths = output_paths(tmp_path / "run")
    assert paths.root == tmp_path / "run"
    for folder, name in (
        (paths.figures, "figures"),
        (paths.metrics, "metrics"),
        (paths.runs, "runs"),
        (paths.notebooks, "notebooks"),
    ):
        assert folder == paths.root / name and folder.is_dir()
    assert (
        paths.metrics_file("00_skeleton_data") == paths.root / "metrics" / "00_skeleton_data.json"
    )
    assert output_paths(paths) is paths


def test_relative_output_dirs_hang_off_the_repository_root():
    assert resolve_output_dir("outputs/x") == REPO_ROOT / "outputs" / "x"
    assert resolve_output_dir("") == resolve_output_dir(None) == REPO_ROOT / "outputs"
    assert (REPO_ROOT / "pyproject.toml").is_file()


def test_a_file_where_a_folder_goes_is_a_clear_error(tmp_path):
    (tmp_path / "figures").write_text("not a folder")
    with pytest.raises(NotADirectoryError, match="figures"):
        output_paths(tmp_path)


# --- profiles -------------------------------------------------------------------------------------
def test_profiles_are_ordered_by_size_and_crop_to_64():
    ci, default, full = (get_profile(name) for name in ("ci", "default", "full"))
    assert tuple(PROFILES) == ("ci", "default", "full")
    for small, big in ((ci, default), (default, full)):
        assert small.synthetic_samples_per_class < big.synthetic_samples_per_class
        assert small.animation_frames < big.animation_frames
        assert small.stat_draws < big.stat_draws
    assert {p.out_frames for p in (ci, default, full)} == {64}
    assert ci.reader_options("synthetic") == {"samples_per_class": ci.synthetic_samples_per_class}
    assert ci.reader_options("nw-ucla") == {}


@pytest.mark.parametrize("name", ["CI", "fast", "", None])
def test_unknown_profile_lists_the_known_ones(name):
    with pytest.raises(ValueError, match="ci, default, full"):
        get_profile(name)


# --- setup_notebook: validation -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"profile": "tiny"}, "ci, default, full"),
        ({"dataset": "kinetics"}, "nw-ucla"),
        ({"device": "gpu"}, "'auto', 'cpu', 'cuda'"),
        ({"seed": -1}, "non-negative integer"),
        ({"seed": 1.5}, "non-negative integer"),
        ({"seed": True}, "non-negative integer"),
        ({"notebook": "skeleton data"}, "00_skeleton_data"),
    ],
)
def test_unknown_parameter_values_fail_with_the_valid_ones(tmp_path, override, message):
    with pytest.raises(ValueError, match=message):
        setup(tmp_path, **override)


def test_device_resolution_is_the_one_resolver(monkeypatch):
    assert nb.resolve_device is resolve_device  # the notebooks use the runs' resolver
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")
    with pytest.raises(ValueError, match="CUDA is not available"):
        resolve_device("cuda")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert resolve_device("auto") == torch.device("cuda")
    with pytest.raises(ValueError, match="only 1 CUDA device"):
        resolve_device("cuda:3")


def test_context_holds_resolved_values(tmp_path):
    ctx = setup(tmp_path, notebook="01_augmentations_3d", seed=7, profile="default")
    assert ctx.profile is get_profile("default") and ctx.seed == 7
    assert ctx.device == torch.device("cpu") and ctx.notebook == "01_augmentations_3d"
    assert ctx.paths.root == tmp_path and ctx.paths.figures.is_dir()
    assert ctx.data_root is None


def test_relative_data_root_resolves_against_the_repository(tmp_path):
    ctx = setup(tmp_path, dataset="nw-ucla", data_root="../shared/data/nw-ucla")
    assert ctx.data_root == str((REPO_ROOT / "../shared/data/nw-ucla").resolve())


# --- setup_notebook: randomness -------------------------------------------------------------------
def test_same_seed_same_numbers_and_no_global_numpy_reseeding(tmp_path):
    np.random.seed(123)
    state = np.random.get_state()[1].copy()
    a, b, c = setup(tmp_path, seed=5), setup(tmp_path, seed=5), setup(tmp_path, seed=6)
    assert np.array_equal(np.random.get_state()[1], state), (
        "setup must not reseed numpy's global RNG"
    )
    draw = lambda ctx: (torch.rand(4, generator=ctx.torch_generator), ctx.numpy_rng.random(4))  # noqa: E731
    (ta, na), (tb, nb_), (tc, nc) = draw(a), draw(b), draw(c)
    assert torch.equal(ta, tb) and np.array_equal(na, nb_)
    assert not torch.equal(ta, tc) and not np.array_equal(na, nc)
    g1, _ = a.generators(offset=2)
    g2, _ = nb.make_generators(7)
    assert torch.equal(torch.rand(3, generator=g1), torch.rand(3, generator=g2))


# --- setup_notebook: helpers ----------------------------------------------------------------------
def test_load_dataset_passes_the_profile_options(tmp_path, monkeypatch):
    import skelviz.readers

    calls = []
    monkeypatch.setattr(
        skelviz.readers,
        "load_dataset",
        lambda name, root=None, **options: calls.append((name, root, options)),
    )
    ctx = setup(tmp_path, dataset="nw-ucla", data_root=str(tmp_path))
    ctx.load_dataset()
    ctx.load_dataset("synthetic", samples_per_class=2)
    assert calls == [("nw-ucla", str(tmp_path), {}), ("synthetic", None, {"samples_per_class": 2})]
    setup(tmp_path, profile="full").load_dataset()
    assert calls[-1] == (
        "synthetic",
        None,
        {"samples_per_class": get_profile("full").synthetic_samples_per_class},
    )


def test_banner_names_versions_device_profile_seed_dataset(tmp_path, capsys):
    setup(tmp_path, seed=11, quiet=False)
    banner = capsys.readouterr().out
    for text in (
        "torch",
        "numpy",
        "device",
        "cpu",
        "profile",
        "ci",
        "seed",
        "11",
        "synthetic",
        str(tmp_path),
    ):
        assert text in banner, text


def test_plotly_renderer_never_embeds_plotly_js(tmp_path):
    import plotly.graph_objects as go
    import plotly.io as pio

    setup(tmp_path)
    assert pio.renderers.default == nb.PLOTLY_RENDERER == "skelviz_mimetype+skelviz_html"
    fig = go.Figure(go.Scatter3d(x=[0, 1], y=[0, 1], z=[0, 1]))
    bundle = pio.renderers._build_mime_bundle(fig.to_dict(), renderers_string=pio.renderers.default)
    size = sum(len(str(v)) for v in bundle.values())
    assert set(bundle) == {"application/vnd.plotly.v1+json", "text/html"} and size < 50_000, size
    assert "plotly.js v" not in str(bundle)


def test_notebook_figures_draw_offline_and_do_not_scroll_zoom(tmp_path):
    """JupyterLab draws the JSON with its own plotly.js (offline), whose config turns scroll zoom
    off; an HTML export next to the executed notebook loads ../figures/plotly.min.js first, the
    CDN only after it (tests/test_figures_browser.py opens such an export offline)."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from skelviz import viz

    setup(tmp_path)
    fig = go.Figure(go.Scatter3d(x=[0, 1], y=[0, 1], z=[0, 1]))
    bundle = pio.renderers._build_mime_bundle(fig.to_dict(), renderers_string=pio.renderers.default)
    assert bundle["application/vnd.plotly.v1+json"]["config"] == {"scrollZoom": False}
    html = bundle["text/html"]
    local, cdn = html.find('src="../figures/plotly.min.js"'), html.find("https://cdn.plot.ly/")
    assert 0 <= local < cdn, "the local copy is tried before the CDN"
    assert '"scrollZoom": false' in html and viz.WHEEL_SCROLLS_PAGE_JS in html
    assert "Plotly.newPlot" in html


@pytest.mark.slow
def test_inside_a_kernel_figures_are_png_only_and_plotly_js_is_not_embedded(tmp_path):
    """Execute a three-cell notebook in a real kernel and inspect what it stores."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [
        f"from skelviz.notebook import setup_notebook\n"
        f"ctx = setup_notebook('ci', 'synthetic', '', 'cpu', 0, {str(tmp_path)!r})",
        "import matplotlib.pyplot as plt\nimport matplotlib\n"
        "fig, ax = plt.subplots(figsize=(4, 3)); ax.plot([0, 1]); "
        "print(matplotlib.rcParams['figure.dpi'])",
        "import plotly.graph_objects as go\ngo.Figure(go.Scatter3d(x=[0, 1], y=[0, 1], z=[0, 1]))",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(REPO_ROOT)}},
    ).execute()
    banner = "".join(o.get("text", "") for o in notebook.cells[0].outputs)
    assert "profile" in banner and "seed" in banner
    mpl_outputs = [o for o in notebook.cells[1].outputs if o["output_type"] == "display_data"]
    assert [sorted(o["data"]) for o in mpl_outputs] == [["image/png", "text/plain"]]
    assert notebook.cells[1].outputs[0]["text"].strip() == str(float(nb.INLINE_DPI))
    text = nbformat.writes(notebook)
    assert "plotly.js v" not in text and len(text) < 100_000, len(text)
    plotly_data = [o["data"] for o in notebook.cells[2].outputs if "data" in o]
    assert any("application/vnd.plotly.v1+json" in d for d in plotly_data)


def test_ctx_run_gives_a_run_of_the_notebooks_profile_and_reuses_it(tmp_path):
    ctx = setup(tmp_path, seed=3)
    first = ctx.run("pretrain", representations="seq", epochs=1, progress=False)
    assert (
        first.complete and first.config.run.seed == 3 and first.config.data.dataset == "synthetic"
    )
    assert first.config.encoder.preset == "tiny"  # the ci profile
    assert first.folder.root.parent == tmp_path / "runs" / "pretrain"
    again = ctx.run("pretrain", representations="seq", epochs=1, progress=False)
    assert again.folder.root == first.folder.root and again.metrics == first.metrics


def test_cpu_name_is_the_model_name_runs_and_benchmarks_record(monkeypatch, tmp_path):
    import skelviz.runs.device as device

    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nvendor_id\t: X\nmodel name\t: Example CPU @ 2.0GHz\n")
    real_path = device.Path
    monkeypatch.setattr(device, "Path", lambda p: real_path(cpuinfo if p == "/proc/cpuinfo" else p))
    assert device.cpu_name() == "Example CPU @ 2.0GHz"
    monkeypatch.setattr(device, "Path", lambda p: real_path(tmp_path / "missing"))
    assert device.cpu_name() == (device.platform.processor() or device.platform.machine())
