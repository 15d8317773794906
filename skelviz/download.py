"""Download the public skeleton datasets and verify every file against a shipped sha256 manifest.

``download_dataset("nw-ucla", "data/nw-ucla")`` fetches the archive (streamed, with a progress
bar, resumed with an HTTP Range request when a previous attempt left a ``.part`` file), extracts
it into a staging folder, finds every file the manifest (``skelviz/manifests/<name>.sha256``, the
hashes of the recorded copies CI reads from ``../shared/data``) lists, checks its sha256 and only
then moves the files into place. A mismatch or a missing file raises
:class:`DownloadVerificationError` listing them, and nothing in the destination is touched.
NTU RGB+D and PKU-MMD need a registration, so for them a clear error says where to ask.

Introduced in ``notebooks/00_skeleton_data``.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

__all__ = ["RemoteFile", "SOURCES", "REGISTRATION", "DownloadError", "DownloadVerificationError",
           "download_dataset", "fetch", "read_manifest", "verify_files"]  # fmt: skip

MANIFEST_DIR = Path(__file__).parent / "manifests"
STAGING = ".skelviz-download"
_MIRROR = ("https://raw.githubusercontent.com/JeslieHCI/UTKinect_3/"
           "590aede4d94d2f2f90b633bb4cefb5a50bb2996d/data/UTKinect/")  # fmt: skip


@dataclass(frozen=True)
class RemoteFile:
    """One URL: a zip archive to extract (``target=None``) or a file saved at ``target``."""

    url: str
    target: str | None = None


_UTK_EXTRAS = tuple(
    RemoteFile(_MIRROR + p, p)
    for p in ("joints/actionLabel_modified.txt", "joints/frame_indices.mat", "tr_te_splits.mat")
)
SOURCES: dict[str, dict[str, tuple[RemoteFile, ...]]] = {
    "nw-ucla": {"original": (
        RemoteFile("https://www.dropbox.com/s/10pcm4pksjy6mkq/all_sqe.zip?dl=1"),)},
    "utkinect": {
        "original": (RemoteFile("http://cvrc.ece.utexas.edu/KinectDatasets/joints.zip"),
                     RemoteFile("http://cvrc.ece.utexas.edu/KinectDatasets/actionLabel.txt",
                                "joints/actionLabel.txt"), *_UTK_EXTRAS),
        "mirror": tuple(RemoteFile(_MIRROR + p, p) for p in (
            [f"joints/joints_s{s:02d}_e{e:02d}.txt" for s in range(1, 11) for e in (1, 2)]
            + ["joints/actionLabel.txt"])) + _UTK_EXTRAS,
    },
}  # fmt: skip
MANIFESTS = {"nw-ucla": "nw-ucla.sha256", "utkinect": "utkinect-action3d.sha256"}
REGISTRATION = {
    "ntu60": "NTU RGB+D needs a signed request: https://rose1.ntu.edu.sg/dataset/actionRecognition/"
             " (download nturgbd_skeletons_s001_to_s017.zip; data/README.md lists the layout)",
    "ntu120": "NTU RGB+D 120 needs a signed request: https://rose1.ntu.edu.sg/dataset/"
              "actionRecognition/ (skeletons s001-s017 and s018-s032; see data/README.md)",
    "pku-mmd": "PKU-MMD needs a signed agreement: https://www.icst.pku.edu.cn/struct/Projects/"
               "PKUMMD.html (Skeleton, Label and Split files; see data/README.md)",
}  # fmt: skip


class DownloadError(RuntimeError):
    """A download failed (network error, truncated transfer, bad archive)."""


class DownloadVerificationError(DownloadError):
    """Downloaded files are missing or do not match the sha256 manifest."""


# ---------------------------------------------------------------------------------------------
def read_manifest(path: str | Path) -> dict[str, str]:
    """``{relative path: sha256}`` from a ``sha256sum`` style file (``HASH  ./path``)."""
    entries = {}
    for line in Path(path).read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            entries[name.strip().lstrip("*").removeprefix("./")] = digest.lower()
    return entries


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_files(root: str | Path, manifest: dict[str, str]) -> tuple[list[str], list[str]]:
    """``(missing, mismatching)`` manifest paths under ``root``; both empty when all is well."""
    root = Path(root)
    missing = [p for p in manifest if not (root / p).is_file()]
    bad = [p for p in manifest if p not in missing and sha256_of(root / p) != manifest[p]]
    return missing, bad


# ---------------------------------------------------------------------------------------------
def fetch(url: str, target: Path, progress: bool = True, timeout: float = 60.0) -> Path:
    """Stream ``url`` to ``target`` via ``target.part``, resuming a previous partial download.

    The part file is renamed to ``target`` only once the byte count matches the announced size;
    a truncated transfer raises :class:`DownloadError` and keeps the part file for a resume.
    """
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": "skelviz-download"} | ({"Range": f"bytes={have}-"} if have else {})
    total: int | None = None  # bytes the server announced for the whole file
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                    timeout=timeout) as response:  # fmt: skip
            resumed = have > 0 and response.status == 206
            length = response.headers.get("Content-Length")
            total = (have if resumed else 0) + int(length) if length is not None else None
            with part.open("ab" if resumed else "wb") as out, tqdm(
                total=total, initial=have if resumed else 0, unit="B", unit_scale=True,
                desc=target.name, disable=not progress,
            ) as bar:  # fmt: skip
                while block := response.read(1 << 16):
                    out.write(block)
                    bar.update(len(block))
    except urllib.error.HTTPError as err:
        if err.code == 416 and have:  # the part file is stale or complete: start over once
            part.unlink()
            return fetch(url, target, progress, timeout)
        raise DownloadError(f"{url}: HTTP {err.code} {err.reason}") from None
    except urllib.error.URLError as err:
        raise DownloadError(f"{url}: cannot connect ({err.reason})") from None
    except (http.client.IncompleteRead, ConnectionError, TimeoutError):
        pass  # the connection dropped mid-transfer: reported below as a truncated download
    got = part.stat().st_size if part.exists() else 0
    if total is None and got == 0 or total is not None and got != total:
        raise DownloadError(
            f"{url}: truncated download: got {got} of {total or 'unknown'} bytes; the partial "
            f"file {part} is kept, run again to resume"
        )
    os.replace(part, target)
    return target


def _extract(archive: Path, into: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            for member in zf.namelist():
                dest = (into / member).resolve()
                if not dest.is_relative_to(into.resolve()):
                    raise DownloadError(f"{archive}: refusing member outside the folder: {member}")
            zf.extractall(into)
    except zipfile.BadZipFile as err:
        archive.unlink()  # a corrupt archive would be reused by the next attempt otherwise
        raise DownloadError(f"{archive}: not a valid zip archive ({err})") from None


def _locate(extracted: Path, manifest: dict[str, str]) -> dict[str, Path]:
    """Manifest path -> extracted file: the same relative path, else a unique same-named file
    (archives differ in their top folder: ``all_sqe/x.json`` vs ``x.json``)."""
    by_name: dict[str, list[Path]] = {}
    for path in extracted.rglob("*"):
        if path.is_file() and "__MACOSX" not in path.parts:
            by_name.setdefault(path.name, []).append(path)
    found = {}
    for rel in manifest:
        candidates = by_name.get(Path(rel).name, [])
        exact = extracted / rel
        if exact.is_file():
            found[rel] = exact
        elif len(candidates) == 1:
            found[rel] = candidates[0]
    return found


# ---------------------------------------------------------------------------------------------
def download_dataset(
    name: str,
    dest: str | Path,
    url: str | None = None,
    source: str = "original",
    manifest: str | Path | None = None,
    progress: bool | None = None,
    timeout: float = 60.0,
) -> Path:
    """Download, extract and verify ``name`` (``"nw-ucla"`` or ``"utkinect"``) into ``dest``.

    ``dest`` becomes the dataset folder the reader expects (``dest/all_sqe/...`` or
    ``dest/joints/...``). ``url`` replaces the first URL of the chosen ``source`` (UTKinect:
    ``"original"`` = the authors' joints.zip + actionLabel.txt, ``"mirror"`` = every file from
    the pinned GitHub copy the manifest was made from; both take the corrected label file and
    the split file from that copy). ``manifest`` overrides the shipped hash list. Files already
    in ``dest`` are replaced only after every file verified.

    Introduced in ``notebooks/00_skeleton_data``.
    """
    if name in REGISTRATION:
        raise DownloadError(f"{name} cannot be downloaded automatically. {REGISTRATION[name]}")
    if name not in SOURCES:
        raise ValueError(f"unknown dataset {name!r}; downloadable: {sorted(SOURCES)}")
    if source not in SOURCES[name]:
        raise ValueError(f"{name}: unknown source {source!r}; known: {sorted(SOURCES[name])}")
    files = list(SOURCES[name][source])
    if url is not None:
        files[0] = RemoteFile(url, files[0].target)
    expected = read_manifest(manifest or MANIFEST_DIR / MANIFESTS[name])
    if progress is None:
        progress = not (os.environ.get("CI") or os.environ.get("TQDM_DISABLE"))

    dest = Path(dest)
    staging = dest / STAGING
    extracted = staging / "extracted"
    shutil.rmtree(extracted, ignore_errors=True)
    extracted.mkdir(parents=True)
    for k, remote in enumerate(files):
        saved = staging / f"{k:02d}_{Path(remote.target or 'archive.zip').name}"
        if not saved.exists():
            fetch(remote.url, saved, progress, timeout)
        if remote.target is None:
            _extract(saved, extracted)
        else:
            (extracted / remote.target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(saved, extracted / remote.target)

    found = _locate(extracted, expected)
    missing = sorted(set(expected) - set(found))
    bad = sorted(rel for rel, path in found.items() if sha256_of(path) != expected[rel])
    if missing or bad:
        for k, remote in enumerate(files):  # do not reuse downloads that gave wrong files
            (staging / f"{k:02d}_{Path(remote.target or 'archive.zip').name}").unlink(True)
        listing = "\n".join([f"  missing:  {p}" for p in missing[:20]]
                            + [f"  mismatch: {p}" for p in bad[:20]])  # fmt: skip
        raise DownloadVerificationError(
            f"{name}: {len(missing)} missing and {len(bad)} mismatching files (sha256) after "
            f"downloading into {staging}; nothing was moved into {dest}:\n{listing}"
        )
    for rel, path in found.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, dest / rel)
    shutil.rmtree(staging)
    return dest
