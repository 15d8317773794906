"""Download helper against a local HTTP server (127.0.0.1, port 0): no real network."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import zipfile

import pytest

from skelviz.download import (
    MANIFEST_DIR,
    DownloadError,
    DownloadVerificationError,
    download_dataset,
    read_manifest,
    verify_files,
)

FILES = {"all_sqe/a01_s01_e00_v01.json": b'{"skeletons": [[[1, 2, 3]]]}',
         "all_sqe/a02_s01_e00_v01.json": b'{"skeletons": [[[4, 5, 6]]]}'}  # fmt: skip


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def write_manifest(path, files, wrong=()):
    lines = [f"{'0' * 64 if name in wrong else hashlib.sha256(data).hexdigest()}  ./{name}"
             for name, data in files.items()]  # fmt: skip
    path.write_text("\n".join(lines) + "\n")
    return path


class Server:
    """Serves ``payload`` at /data.zip; honours Range; ``truncate_at`` cuts the body short."""

    def __init__(self):
        self.payload, self.truncate_at, self.ranges = b"", None, []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server API)
                start = 0
                if self.headers.get("Range"):
                    server.ranges.append(self.headers["Range"])
                    start = int(self.headers["Range"].removeprefix("bytes=").rstrip("-"))
                body = server.payload[start:]
                self.send_response(206 if start else 200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if server.truncate_at is not None:
                    body = body[: server.truncate_at]
                    self.close_connection = True
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/data.zip"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server():
    srv = Server()
    yield srv
    srv.httpd.shutdown()
    srv.httpd.server_close()


def test_download_extracts_places_and_verifies(server, tmp_path):
    server.payload = make_zip({f"release/{k}": v for k, v in FILES.items()})  # extra top folder
    manifest = write_manifest(tmp_path / "m.sha256", FILES)
    dest = download_dataset("nw-ucla", tmp_path / "nw-ucla", url=server.url, manifest=manifest,
                            progress=False)  # fmt: skip
    for name, data in FILES.items():
        assert (dest / name).read_bytes() == data
    assert verify_files(dest, read_manifest(manifest)) == ([], [])
    assert not (dest / ".skelviz-download").exists()


def test_checksum_mismatch_lists_files_and_touches_nothing(server, tmp_path):
    server.payload = make_zip(FILES)
    bad = "all_sqe/a02_s01_e00_v01.json"
    manifest = write_manifest(tmp_path / "m.sha256", FILES, wrong={bad})
    dest = tmp_path / "nw-ucla"
    (dest / "all_sqe").mkdir(parents=True)
    (dest / "all_sqe" / "a01_s01_e00_v01.json").write_text("old copy")
    with pytest.raises(DownloadVerificationError, match=f"mismatch: {bad}") as info:
        download_dataset("nw-ucla", dest, url=server.url, manifest=manifest, progress=False)
    assert "0 missing and 1 mismatching" in str(info.value)
    assert (dest / "all_sqe" / "a01_s01_e00_v01.json").read_text() == "old copy"
    assert not (dest / bad).exists()


def test_missing_file_is_reported(server, tmp_path):
    server.payload = make_zip(dict(list(FILES.items())[:1]))
    manifest = write_manifest(tmp_path / "m.sha256", FILES)
    with pytest.raises(DownloadVerificationError, match="missing:  all_sqe/a02"):
        download_dataset("nw-ucla", tmp_path / "d", url=server.url, manifest=manifest,
                         progress=False)  # fmt: skip


def test_truncated_download_fails_then_resumes(server, tmp_path):
    server.payload = make_zip(FILES)
    manifest = write_manifest(tmp_path / "m.sha256", FILES)
    server.truncate_at = 100
    dest = tmp_path / "nw-ucla"
    size = len(server.payload)
    with pytest.raises(DownloadError, match=f"truncated download: got 100 of {size} bytes"):
        download_dataset("nw-ucla", dest, url=server.url, manifest=manifest, progress=False)
    assert not (dest / "all_sqe").exists()
    server.truncate_at = None
    download_dataset("nw-ucla", dest, url=server.url, manifest=manifest, progress=False)
    assert server.ranges == ["bytes=100-"]  # only the missing bytes were asked for
    assert (dest / "all_sqe" / "a02_s01_e00_v01.json").read_bytes() == FILES[
        "all_sqe/a02_s01_e00_v01.json"
    ]


def test_corrupt_archive_and_zip_slip_are_refused(server, tmp_path):
    manifest = write_manifest(tmp_path / "m.sha256", FILES)
    server.payload = b"this is not a zip file"
    with pytest.raises(DownloadError, match="not a valid zip archive"):
        download_dataset("nw-ucla", tmp_path / "a", url=server.url, manifest=manifest,
                         progress=False)  # fmt: skip
    server.payload = make_zip({"../evil.txt": b"x"})
    with pytest.raises(DownloadError, match="refusing member outside the folder"):
        download_dataset("nw-ucla", tmp_path / "b", url=server.url, manifest=manifest,
                         progress=False)  # fmt: skip
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize("name, where", [("ntu60", "rose1.ntu.edu.sg"),
                                         ("pku-mmd", "PKUMMD")])  # fmt: skip
def test_registration_datasets_point_to_their_pages(tmp_path, name, where):
    with pytest.raises(DownloadError, match=where):
        download_dataset(name, tmp_path)
    with pytest.raises(ValueError, match="unknown dataset"):
        download_dataset("kinetics", tmp_path)


@pytest.mark.shared_data
def test_shipped_manifests_match_the_recorded_datasets(shared_data_root):
    for manifest, folder in (("nw-ucla.sha256", "nw-ucla"),
                             ("utkinect-action3d.sha256", "utkinect-action3d")):  # fmt: skip
        entries = read_manifest(MANIFEST_DIR / manifest)
        assert len(entries) == {"nw-ucla": 1484, "utkinect-action3d": 24}[folder]
        assert verify_files(shared_data_root / folder, entries) == ([], [])
