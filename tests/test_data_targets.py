"""Targets from data (repcore.targets: data, csvdata, images): CSV files, pictures, seismograms and uploads, through
the engine, the CLI and the dashboard's upload-only policy."""
import json
import os

import numpy as np
import pytest
import torch

from repcore import RunConfig, cli, train
from repcore.library.runfile import pack_snapshot, unpack_snapshot
from repcore.targets import DataError, TargetError, data, images, resolve, uploads

SMALL = ["--width", "16", "--depth", "2", "--steps", "20", "--every", "10", "--grid", "64"]


@pytest.fixture(autouse=True)
def cli_policy(monkeypatch, tmp_path):
    """Paths allowed (a CLI process), uploads kept in a fresh folder, whatever earlier tests did."""
    monkeypatch.setitem(uploads._POLICY, "paths", True)
    monkeypatch.setenv("REPCORE_UPLOADS", str(tmp_path / "uploads"))


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(path)


def sine_csv(tmp_path, n=200, name="sine.csv"):
    x = np.linspace(-2, 3, n)
    return write(tmp_path, name, "x,y\n" + "\n".join(f"{float(a)!r},{float(np.sin(3 * a))!r}" for a in x)), x


def test_csv_domain_is_the_bounding_box_and_the_split_is_seeded_and_disjoint(tmp_path):
    path, x = sine_csv(tmp_path)
    t = resolve(f"csv:{path}")
    assert t.dim == 1 and t.lo[0] == -2 and t.hi[0] == 3 and len(t.y) == 200
    a, b = data.split(t, 0, 1000), data.split(t, 0, 1000)
    np.testing.assert_array_equal(a.x_test, b.x_test)
    assert len(a.y_test) == 40 and len(a.y_train) == 160
    assert not set(a.x_train[:, 0]) & set(a.x_test[:, 0])
    assert not np.array_equal(data.split(t, 1, 1000).x_test, a.x_test)
    assert len(data.split(t, 0, 50).y_train) == 50                       # `points` caps the training rows
    np.testing.assert_allclose(t(x[:, None]), np.sin(3 * x))            # the interpolant passes through the samples


def test_csv_without_header_and_with_semicolons_and_columns_x1_x2(tmp_path):
    t = resolve("csv:" + write(tmp_path, "plain.csv", "0;1\n1;3\n2;2\n"))
    assert t.dim == 1 and list(t.y) == [1, 3, 2]
    t2 = resolve("csv:" + write(tmp_path, "two.csv", "# a comment\nx2,y,x1,note\n0,1,0,a\n1,2,0,b\n0,3,1,c\n1,5,1,d\n"))
    assert t2.dim == 2 and list(t2.x[1]) == [0, 1] and list(t2.y) == [1, 2, 3, 5]
    assert t2(np.array([[0.9, 0.1]]))[0] == 3                           # nearest sample in d > 1


def test_csv_domain_option_drops_rows_outside(tmp_path):
    path, _ = sine_csv(tmp_path)
    t = resolve(f"csv:{path}", domain=((0.0, 1.0),))
    assert t.lo[0] == 0 and t.hi[0] == 1 and (t.x >= 0).all() and (t.x <= 1).all()


BAD = {
    "binary": (b"\x89PNG\r\n\x1a\n\0\0\0", "not a CSV"),
    "missing_y": ("x,z\n1,2\n3,4\n", "missing column y"),
    "missing_x": ("t,y\n1,2\n3,4\n", "missing column x"),
    "text": ("x,y\n1,2\n3,abc\n", "row 3, column y: 'abc' is not a number"),
    "nan": ("x,y\n1,2\nnan,4\n", "row 3, column x: 'nan' is not finite"),
    "inf": ("x,y\n1,inf\n2,4\n", "'inf' is not finite"),
    "one_row": ("x,y\n1,2\n", "fewer than 2 data rows"),
    "ragged": ("x,y\n1,2\n3\n", "row 3 has 1 cells, expected 2"),
    "one_column": ("y\n1\n2\n", "found one column"),
    "constant": ("x,y\n1,2\n3,2\n", "column y is constant"),
    "big": ("x,y\n" + "1,2\n" * 1_300_000, "larger than the 5 MB limit"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_every_bad_csv_exits_2_with_one_line_naming_file_and_problem(tmp_path, capsys, case):
    content, expected = BAD[case]
    path = write(tmp_path, f"{case}.csv", content)
    assert cli.main(["fit", "--target", f"csv:{path}", *SMALL]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err and path in err, err


def test_missing_file_undecodable_image_and_bad_size_exit_2(tmp_path, capsys):
    cases = [("csv:" + str(tmp_path / "nope.csv"), "no such file"),
             ("image:" + write(tmp_path, "broken.png", b"\x89PNG not really"), "not an image that can be decoded"),
             ("image:zoneplate@4", "outside [8, 256]"), ("image:nothing_here", "no such file"),
             ("quake:atlantis", "unknown record"), ("image:", "no file given")]
    for spec, expected in cases:
        assert cli.main(["fit", "--target", spec, *SMALL]) == 2, spec
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and expected in err, (spec, err)


def test_a_pinn_refuses_data(tmp_path):
    path, _ = sine_csv(tmp_path)
    with pytest.raises(TargetError, match="needs a formula target"):
        next(train(RunConfig(problem="poisson", target=f"csv:{path}", width=8, depth=1, steps=1)))


@pytest.mark.parametrize("kind", ["csv", "image"])
def test_cli_compare_on_data_gives_finite_errors(tmp_path, capsys, kind):
    if kind == "csv":
        spec = "csv:" + sine_csv(tmp_path)[0]
    else:
        spec = "image:" + os.path.join(images.PICTURES, "hopper.png") + "@16"
    assert cli.main(["compare", "--target", spec, "--models", "vanilla,repnet", "--json", "--parallel", "no", *SMALL]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["model"] for r in records] == ["vanilla", "repnet"]
    assert all(np.isfinite(r["rel_l2"]) and r["steps"] == 20 for r in records)


def test_picture_pixels_values_and_interpolant():
    t = resolve("image:zoneplate@32")
    gray = images.decode(images.shipped_bytes("zoneplate"), "zoneplate", 32)
    assert t.shape == (32, 32) and t.x.shape == (1024, 2)
    np.testing.assert_allclose(t.y, 2 * gray.ravel() - 1)
    np.testing.assert_allclose(t.x[0], [1 / 64, 1 - 1 / 64])            # first pixel: the top left one
    np.testing.assert_allclose(t(t.x), t.y, atol=1e-12)                 # bilinear through every pixel centre
    s = data.split(t, 3, 100)
    assert len(s.y_test) == 1024 and len(s.y_train) == 100 and len(data.split(t, 3, 10**5).y_train) == 1024


def test_the_shipped_test_pattern_is_ours():
    from PIL import Image
    with Image.open(os.path.join(images.PICTURES, "zoneplate.png")) as im:
        shipped = np.asarray(im, dtype=float)
    np.testing.assert_array_equal(shipped, np.rint(images.zone_plate(256) * 255))


def test_radial_spectrum_finds_a_cosine_ring_and_obeys_parseval():
    n = 32
    u = (np.arange(n) + 0.5) / n
    true = np.cos(2 * np.pi * 5 * u)[None, :] * np.ones((n, 1))          # 5 cycles along x1
    noise = np.random.default_rng(0).normal(size=(n, n))
    freqs, at, err, rel = images.radial_spectra(true + noise, true)
    assert freqs[np.argmax(at)] == 5 and np.isnan(rel[[1, 2, 9]]).all() and np.isfinite(rel[5])
    h, w = true.shape
    fy, fx = np.fft.fftfreq(h) * h, np.fft.fftfreq(w) * w
    ring = np.rint(np.hypot(fy[:, None], fx[None, :])).astype(int)
    counts = np.bincount(ring[ring < len(freqs)], minlength=len(freqs))
    inside = np.abs(np.fft.fft2(noise) / noise.size)[ring < len(freqs)]
    assert np.sum(counts * err ** 2) == pytest.approx(np.sum(inside ** 2))


def test_a_picture_run_snapshots_its_image_and_reproduces(tmp_path):
    cfg = RunConfig(target="image:hopper@16", points=256, width=16, depth=2, steps=20, every=10, grid=64)
    a, b = list(train(cfg)), list(train(cfg))
    last = a[-1]
    assert last.image.shape == (16, 16) and len(last.freqs) == 9
    true = resolve(cfg.target).y.reshape(16, 16)
    assert last.rel_l2 == pytest.approx(np.linalg.norm(last.image - true) / np.linalg.norm(true), rel=1e-5)
    assert last.extra["psnr"] == pytest.approx(20 * np.log10(2 / np.sqrt(np.mean((last.image - true) ** 2))), rel=1e-4)
    np.testing.assert_array_equal(last.image, b[-1].image)
    back = unpack_snapshot(*pack_snapshot(last))                         # the run library keeps the picture
    np.testing.assert_array_equal(back.image, last.image)
    assert list(train(cfg.replace(target="multiscale")))[-1].image.size == 0


def test_uploads_resolve_in_upload_only_mode_and_paths_are_never_read(tmp_path, monkeypatch):
    path, _ = sine_csv(tmp_path)
    with open(path, "rb") as f:
        spec = uploads.store_upload(f.read(), "csv")
    assert spec.startswith("csv:@") and sorted(os.listdir(os.environ["REPCORE_UPLOADS"]))[0] == spec[5:]
    monkeypatch.setitem(uploads._POLICY, "paths", False)
    assert len(resolve(spec).y) == 200 and resolve(spec).text.startswith("the uploaded file (uploaded): 200 rows")
    opened = []
    monkeypatch.setattr("builtins.open", lambda *a, **k: opened.append(a) or pytest.fail("opened a file"))
    for named in (f"csv:{path}", "csv:/etc/passwd", "image:/etc/hostname", "csv:../../x"):
        with pytest.raises(TargetError, match="uploaded files only"):
            resolve(named)
    with pytest.raises(TargetError, match="not an upload name"):
        resolve("csv:@../../etc/passwd")
    assert not opened


def test_a_bad_upload_is_refused_before_it_is_stored():
    with pytest.raises(DataError, match="the uploaded file: missing column y"):
        uploads.store_upload(b"a,b\n1,2\n3,4\n", "csv")
    with pytest.raises(TargetError, match="the uploaded file: not an image"):
        uploads.store_upload(b"GIF89a garbage", "image")
    assert not os.path.exists(os.environ["REPCORE_UPLOADS"]) or not os.listdir(os.environ["REPCORE_UPLOADS"])


def test_quake_record_is_a_1d_signal_with_a_held_out_split():
    pytest.importorskip("obspy")
    t = resolve("quake:rjob")
    assert t.dim == 1 and t.lo[0] == 0 and np.abs(t.y).max() == pytest.approx(1.0)
    s = data.split(t, 0, 10**5)
    assert len(s.y_test) == round(data.HOLDOUT * len(t.y)) and len(s.y_train) + len(s.y_test) == len(t.y)
    run = list(train(RunConfig(target="quake:rjob", width=16, depth=2, steps=10, every=10, grid=64)))
    assert np.isfinite(run[-1].rel_l2) and torch.is_tensor(torch.as_tensor(run[-1].pred))

