"""The results tables in the docs are generated from the stored result files (docs/results/), never
typed in: they match what the stored files generate now, and stop matching when one stored number is
edited; stale and quick results say so; the PINNs page reads the same files and is never empty."""
import re
import shutil

import pytest

from helpers import app, close
from repcore.errors import UserError
from repcore.experiments import EXPERIMENTS, publish, store
from repcore.experiments.__main__ import main

RESULTS_MD, README = publish.DOCS
FIX = "python -m repcore.experiments report"
PAGE = ("pinn1d", "pinn2d", "inverse1d", "earthquake")      # the experiments the PINNs page shows


@pytest.fixture
def copied(tmp_path):
    """A copy of the stored results that a test may doctor."""
    shutil.copytree(store.ROOT, tmp_path / "results")
    return tmp_path / "results"


def edit(root, name, row, column, change):
    path = root / name / "runs.csv"
    runs = store.read_csv(path)
    runs.loc[row, column] = change(runs.loc[row, column])
    runs.to_csv(path, index=False)


def test_docs_results_tables_match_the_stored_files():
    text = RESULTS_MD.read_text()
    assert publish.render(text, publish.blocks()) == text, f"docs/results.md differs from the stored files: run `{FIX}`"


def test_readme_headline_table_matches_the_stored_files():
    text = README.read_text()
    assert "headline" in publish.markers(text)
    assert publish.render(text, publish.blocks()) == text, f"README.md's results block differs from the stored files: run `{FIX}`"


def test_every_experiment_and_the_headline_have_a_block():
    assert set(publish.markers(RESULTS_MD.read_text())) == {*EXPERIMENTS.names(), "headline", "methods", "tuned"}
    with pytest.raises(UserError, match="unknown results block 'nope'"):
        publish.render("<!-- results:nope -->\n<!-- /results -->", publish.blocks())


@pytest.mark.parametrize("column, change, shown", [
    ("rel_l2", lambda v: v * 1.5, True),                 # a number the table shows
    ("final_pde", lambda v: v * (1 + 1e-9), False),      # a number it does not show: the block's digest changes
])
def test_editing_one_stored_number_makes_the_docs_differ(copied, column, change, shown):
    text = RESULTS_MD.read_text()
    before = publish.blocks(copied)
    assert publish.render(text, before) == text
    runs = store.load("pinn1d", copied).runs
    median = (runs["rel_l2"] == runs.groupby(["case", "model"])["rel_l2"].transform("median")) & (runs["model"] == "vanilla")
    edit(copied, "pinn1d", median.idxmax(), column, change)     # vanilla's median seed: every summary shows it
    after = publish.blocks(copied)
    assert publish.render(text, after) != text
    summaries = ["headline", "methods"] if shown and not store.load("pinn1d").quick else []
    assert [k for k in before if before[k] != after[k]] == ["pinn1d", *summaries]
    old_table, new_table = (b["pinn1d"].split("| case |")[1] for b in (before, after))
    assert (old_table != new_table) == shown


def test_report_check_exits_1_and_changes_nothing_when_a_table_is_out_of_date(copied, capsys):
    edit(copied, "pinn2d", 1, "rel_l2", lambda v: v / 2)
    text = RESULTS_MD.read_text()
    assert main(["report", "--check", "--store", str(copied)]) == 1
    assert "out of date: " in capsys.readouterr().err and RESULTS_MD.read_text() == text
    assert publish.update([RESULTS_MD], check=True) == []       # the real stored files: nothing to regenerate


def test_stale_and_quick_results_are_labelled(copied):
    name = next(n for n in store.names(copied) if not store.load(n, copied).quick)
    edit(copied, name, 0, "behaviour_version", lambda v: "0123456789ab")
    blocks = publish.blocks(copied)
    assert "**Stale:** made by engine behaviour `0123456789ab`" in blocks[name] and "(stale)" in blocks["headline"]
    quick = next(n for n in store.names(copied) if store.load(n, copied).quick)
    assert "**Quick size: a smoke test" in blocks[quick]
    assert EXPERIMENTS.get(quick).title not in blocks["headline"]    # smoke tests never reach the headline


def test_a_fresh_clone_ships_stored_results_for_the_pinn_page_and_fit1d():
    for name in (*PAGE, "fit1d"):
        s = store.load(name)
        assert s is not None and len(s.runs) >= 2 and s.history is not None, name
        assert set(s.runs["model"]) <= set(EXPERIMENTS.get(name).models) and {"vanilla", "repnet"} <= set(s.runs["model"]), name


def _short(s) -> set[str]:
    """The experiment's methods stored on fewer than three seeds (in some case), counted here from the rows."""
    n = s.runs.groupby(["case", "model"])["seed"].nunique()
    return {m for m in EXPERIMENTS.get(s.name).models for c in set(s.runs["case"]) if n.get((c, m), 0) < 3}


def test_the_methods_table_is_made_of_full_size_runs_and_says_which_methods_lack_seeds():
    blocks = publish.blocks()
    for name in publish.BENCHMARKS:
        s = store.load(name)
        assert s is not None and not s.quick, name
        assert set(s.runs["model"]) <= set(EXPERIMENTS.get(name).models) and {"vanilla", "repnet"} <= set(s.runs["model"]), name
        short = _short(s)
        said = set(re.findall(r"([\w-]+) \(\d of 3 seeds\)", blocks[name]))
        assert said == short, name                   # the block names exactly the methods the rows lack seeds for
        assert ("**Incomplete:**" in blocks[name]) == bool(short), name


def test_an_incomplete_experiment_says_so(copied):
    name = next(n for n in publish.BENCHMARKS if not _short(store.load(n, copied)))
    runs = store.load(name, copied).runs
    victim = runs["model"].iloc[-1]
    (copied / name / "runs.csv").write_text(runs[~((runs["model"] == victim) & (runs["seed"] == runs["seed"].max()))].to_csv(index=False))
    block = publish.blocks(copied)[name]
    assert f"**Incomplete:** not yet stored on every seed: {victim} (2 of 3 seeds)" in block


def test_the_pinn_page_shows_the_stored_tables_and_opens_the_registrys_setups():
    at = app()
    at.run()
    at.switch_page("views/physics.py").run()
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    assert text.count("| case | model |") == len(PAGE) and "No stored results" not in "".join(c.value for c in at.caption)
    quick = [n for n in PAGE if store.load(n).quick]
    assert len([i for i in at.info if "Quick size" in i.value]) == len(quick)
    assert len(at.get("plotly_chart")) == sum(len(set(store.load(n).runs["case"])) for n in PAGE)
    [b for b in at.button if b.label == "Train live"][0].click().run()       # pinn1d: its catalog config, live
    label, want = EXPERIMENTS.get("pinn1d").cases(False)[0]
    got = at.session_state["cfg"]       # the live page keeps its own snapshot cadence and device, shows the preset's freq
    assert got.replace(every=want.every, device=want.device, freq=want.freq) == want and not at.exception
    close(at)
