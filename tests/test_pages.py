"""Page scripts (the entry script and every st.Page) as Streamlit runs them: no statement that its "magic"
would write to the page. An expression statement such as `st.caption(x) if a else st.info(y)` is shown as
its value: a DeltaGenerator's documentation, thousands of pixels of it, after every Reset (issue 21).
The oracle is Streamlit's own transform (magic.add_magic), so the check follows its rules exactly."""
import ast
import pathlib

import pytest
from streamlit.runtime.scriptrunner.magic import add_magic

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES = [ROOT / "dashboard" / "streamlit_app.py", *sorted((ROOT / "dashboard" / "views").glob("*.py"))]
# The statement the live page had, verbatim: magic displayed the value of the conditional expression.
OLD_LIVE_LINE = ('if live.notice:\n'
                 '    st.caption(f":material/restart_alt: {live.notice}") if present else st.info(live.notice, icon=":material/restart_alt:")\n')


def magic_writes(source: str, name: str = "<page>") -> list[str]:
    """The statements of a page script that Streamlit's magic would write to the page (source lines)."""
    tree = add_magic(source, name)
    return [ast.get_source_segment(source, node.value.args[0]) or ast.dump(node) for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and getattr(node.value.func, "attr", "") == "transparent_write"]


def test_the_check_catches_the_line_that_filled_the_projector_with_documentation():
    assert magic_writes(OLD_LIVE_LINE) == ['st.caption(f":material/restart_alt: {live.notice}") if present else '
                                           'st.info(live.notice, icon=":material/restart_alt:")']
    assert magic_writes("st.button('Play')\nx = 1\nif x:\n    st.write(x)\n") == []      # calls and assignments are fine


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_page_script_has_a_statement_magic_would_display(page):
    assert magic_writes(page.read_text(), str(page)) == []


def test_magic_is_off_for_the_app():
    """And should one slip in, the app does not display it (.streamlit/config.toml)."""
    assert "magicEnabled = false" in (ROOT / ".streamlit" / "config.toml").read_text()
