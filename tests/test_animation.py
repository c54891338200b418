"""A saved run as an animated GIF (library/animation.py): one frame per saved step, the size asked for,
each model's colour in its panel, the frames the GIF decodes to equal the frames drawn (gif.py's
oracle), and bad options refused with one line."""
import io

import numpy as np
import pytest
from PIL import Image, ImageColor, ImageSequence

from repcore.cli import main
from repcore.library import Library, LibraryError, canvas
from repcore.library import animation
from repcore.library.gif import GifWriter
from repcore.library.runfile import SavedRun
from repcore.library.sideview import View
from repcore.palette import TARGET, color
from helpers import TINY, trained


@pytest.fixture(scope="module")
def run():
    cfg = TINY.replace(target="sin(2*pi*x) + 0.5*sin(2*pi*6*x)", steps=40, every=5)
    return SavedRun("two models", [trained(cfg.replace(model="vanilla")), trained(cfg.replace(model="repnet"))])


def decode(data: bytes) -> tuple[list[np.ndarray], list[int], dict]:
    gif = Image.open(io.BytesIO(data))
    frames = [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(gif)]
    return frames, [f.info["duration"] for f in ImageSequence.Iterator(Image.open(io.BytesIO(data)))], gif.info


def test_one_frame_per_saved_step_at_the_size_and_pace_asked(run):
    data = animation.render(run, fps=20, size=(640, 360), hold=1.5)
    frames, durations, info = decode(data)
    assert len(frames) == len(run.steps()) == 9 and frames[0].shape == (360, 640, 3)
    assert durations == [50] * 8 + [50 + 1500] and info["loop"] == 0
    assert len(decode(animation.render(run, size=(640, 360), frames=4))[0]) == 4
    assert animation.timeline(run, 4) == [0, 15, 25, 40]                  # first and last kept, evenly spread


def test_the_gif_decodes_to_the_frames_drawn(run):
    """gif.py writes only what changed, the rest transparent: decoding must give back every drawn frame."""
    data = animation.render(run, size=(640, 360))
    view = View(run, (640, 360), animation.SUPERSAMPLE)
    palette = animation._palette(view.frame(run.steps()[-1]), [m.label for m in run.models])
    for step, got in zip(run.steps(), decode(data)[0]):
        drawn = np.asarray(view.frame(step).quantize(palette=palette, dither=Image.Dither.NONE).convert("RGB"))
        assert np.array_equal(got, drawn), step


def test_each_model_shows_in_its_colour_in_its_own_panel(run):
    last = decode(animation.render(run, size=(1280, 720)))[0][-1]
    def count(region, ink):
        return int(np.all(region == ImageColor.getrgb(ink), axis=-1).sum())
    left, middle = last[:, :400], last[:, 420:800]                 # the two model panels (spectrum from x ~ 830)
    assert count(left, color("vanilla")) > 500 and count(left, color("repnet")) == 0
    assert count(middle, color("repnet")) > 500 and count(middle, color("vanilla")) == 0
    assert count(left, TARGET) > 500 and count(middle, TARGET) > 500
    assert count(last[:, 830:], color("vanilla")) > 50 and count(last[:, 830:], color("repnet")) > 50     # the spectrum
    assert count(last, "#ffffff") > 0.5 * last.shape[0] * last.shape[1]              # white stays white (palette snapped)


def test_writer_merges_identical_frames_and_keeps_changes():
    out = io.BytesIO()
    a = Image.new("P", (40, 30), 1)
    a.putpalette([255, 255, 255, 0, 0, 0, 200, 0, 0] + [0] * 759)
    b = a.copy()
    b.putpixel((5, 7), 2)
    gif = GifWriter(out, (40, 30), transparent=63)
    for frame, delay in ((a, 10), (a, 20), (b, 5)):
        gif.add(frame, delay)
    gif.close()
    frames, durations, _ = decode(out.getvalue())
    assert durations == [300, 50] and frames[1][7, 5].tolist() == [200, 0, 0] and frames[1][0, 0].tolist() == [0, 0, 0]


def test_other_runs_render():
    """A picture target draws the predicted picture; a diverged model and four models lay out."""
    pic = TINY.replace(target="image:zoneplate@16", width=8, steps=10, every=5)
    diverged = SavedRun("diverged", [trained(TINY.replace(model="vanilla")),
                                     trained(TINY.replace(lr=1.0, optimizer="sgd", slope_scale=5000.0))])
    assert diverged.models[1].snapshots[-1].status == "diverged"
    for r in (SavedRun("picture", [trained(pic)]), diverged,
              SavedRun("four", [trained(TINY.replace(model=m, seed=s), f"{m} s{s}") for s in (0, 1) for m in ("vanilla", "repnet")])):
        frames = decode(animation.render(r, size=(960, 540)))[0]
        assert len(frames) == len(r.steps()) and frames[0].shape == (540, 960, 3)


def test_a_missing_font_falls_back_to_pillows_own(monkeypatch, run):
    monkeypatch.setattr(canvas, "FONTS", {False: ("no-such-font.ttf",), True: ("no-such-font.ttf",)})
    canvas.font.cache_clear()
    try:
        assert canvas.font(20).size == 20
        assert len(decode(animation.render(run, size=(640, 360)))[0]) == len(run.steps())
    finally:
        canvas.font.cache_clear()


@pytest.mark.parametrize("args, message", [
    (["--fps", "0"], "fps: 0.0 is outside [1, 50]"),
    (["--fps", "x"], "invalid float value"),
    (["--size", "100x100"], "size: 100x100 is not WIDTHxHEIGHT"),
    (["--size", "wide"], "size: 'wide' is not WIDTHxHEIGHT"),
    (["--hold", "-1"], "hold: -1.0 is outside [0, 60]"),
    (["--frames", "1"], "frames: 1 is not a whole number of at least 2"),
    (["--animation", "out.png"], "an animation is written as a .gif file"),
    (["--animation", "/no/such/folder/out.gif"], "no folder /no/such/folder"),
    ([], "give a FILE to write the run to (.zip), or --animation FILE.gif"),
])
def test_cli_bad_options_exit_2_with_one_line(run, tmp_path, capsys, args, message):
    lib = str(tmp_path / "lib.sqlite3")
    with Library(lib) as store:
        store.save(run)
    argv = ["runs", "export", "two models", "--library", lib]
    if "--animation" not in args and args:
        argv += ["--animation", str(tmp_path / "out.gif")]
    assert main(argv + args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "out.gif").exists()


def test_cli_writes_the_animation_and_the_run_file(run, tmp_path, capsys):
    lib = str(tmp_path / "lib.sqlite3")
    with Library(lib) as store:
        store.save(run)
    gif, zipped = tmp_path / "run.gif", tmp_path / "run.zip"
    assert main(["runs", "export", "two models", str(zipped), "--animation", str(gif), "--size", "960x540",
                 "--fps", "5", "--library", lib]) == 0
    out = capsys.readouterr().out
    assert "9 frames" in out and zipped.exists()
    frames, durations, _ = decode(gif.read_bytes())
    assert len(frames) == 9 and frames[0].shape == (540, 960, 3) and durations[0] == 200


def test_check_rejects_what_a_gif_cannot_show():
    for bad in (dict(fps=51), dict(fps=float("inf")), dict(hold=61), dict(size=(4000, 2000)), dict(size=(1280, 100)),
                dict(frames=0), dict(frames=2.5)):
        with pytest.raises(LibraryError):
            animation.check(**bad)
    assert animation.parse_size(" 960 × 540 ") == (960, 540)
