"""What a person sees on the whole screen of the app, read in Chromium (Playwright): the checks a lecture's
journeys assert after every move (tools/journey.py, tests/test_journeys.py).

`problems(page, present)` lists what is wrong with the screen as shown: an exception or error box, Python
object text (a value Streamlit's magic displayed: "Creator of Delta protobuf messages", a repr), text that
overflows its chart, a ν drawn in the sans-serif font (it reads as a v), and in presentation mode anything
below or beside the viewport, a tooltip or a chart's toolbar left over the screen and chart text under 16 px
(13 px in normal mode). `shown(page)` reads the values on the screen (epochs, the slope scale on the RepNet
lane, the formula and activation trained, the labelled target frequencies), and `popover_values(page)` /
`sidebar_values(page)` those of the lecture controls, so a journey can compare them with the settings it
asked for.
"""
from __future__ import annotations

import re

from tools.browser import epochs, image_charts, scrolls

OBJECT_TEXT = re.compile(r"Traceback \(most recent|DeltaGenerator|Creator of Delta protobuf|object at 0x[0-9a-f]+|"
                         r"\b\w+Error: |<module>")
# Each SVG chart (an <img> of a data URI) drawn into the page once, so its text can be measured as laid out.
SVG_OVERFLOW = """() => [...document.querySelectorAll('[data-testid=stImage] img')]
    .filter(img => img.src.startsWith('data:image/svg+xml;base64,')).flatMap(img => {
        const holder = document.createElement('div');
        holder.style.cssText = 'position:absolute;left:-10000px;top:0';
        holder.innerHTML = atob(img.src.split(',')[1]);
        document.body.appendChild(holder);
        const box = holder.querySelector('svg').getBoundingClientRect();
        const out = [...holder.querySelectorAll('text')].filter(t => {
            const b = t.getBoundingClientRect();
            return b.left < box.left - 1 || b.top < box.top - 1 || b.right > box.right + 1 || b.bottom > box.bottom + 1;
        }).map(t => t.textContent);
        holder.remove();
        return out;
    })"""
SCREEN = """() => ({
    exceptions: [...document.querySelectorAll('[data-testid=stException]')].map(e => e.innerText.slice(0, 200)),
    errors: [...document.querySelectorAll('[data-testid=stAlertContentError]')].map(e => e.innerText.slice(0, 200)),
    help: document.querySelectorAll('[data-testid=stHelp], [data-testid=stHelpDoc]').length,
    text: document.querySelector('[data-testid=stApp]').innerText,
    clipped: [...document.querySelectorAll('[data-testid=stMetricValue]')].filter(e => e.scrollWidth > e.clientWidth + 1)
             .map(e => e.innerText),
    tooltips: [...document.querySelectorAll('[data-testid=stTooltipContent], [data-testid=stElementToolbar]')]
              .filter(e => e.getBoundingClientRect().width > 0 && Number(getComputedStyle(e).opacity) > 0)
              .map(e => e.innerText.slice(0, 80) || e.getAttribute('data-testid')),
    sans_nu: [...document.querySelectorAll('[data-testid=stApp] *:not(code, code *, svg, svg *)')]
             .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.includes('ν')))
             .filter(e => !getComputedStyle(e).fontFamily.includes('RepNet nu')).map(e => e.textContent.slice(0, 60)),
    wide: (() => { const m = document.querySelector('[data-testid=stMain]'); return m.scrollWidth > m.clientWidth + 1; })(),
})"""
CONTROLS = """(where) => {
    const body = document.querySelector(where);
    if (!body) return null;
    const range = label => body.querySelector(`input[type=range][aria-label^="${label}"]`);
    const nu = range('Slope scale');
    return {
        target: body.querySelector('input[role=combobox][aria-label=Target]')?.value ?? null,
        k: range('Target frequency') ? Number(range('Target frequency').value) : null,
        nu_auto: body.querySelector('input[role=switch][aria-label^="Slope scale"]')?.checked ?? null,
        nu: nu ? Number(nu.getAttribute('aria-valuetext')) : null,
        act: [...body.querySelectorAll('[role=radiogroup][aria-label=Activation] [role=radio]')]
             .filter(b => b.getAttribute('aria-checked') === 'true').map(b => b.innerText.trim())[0] ?? null,
    };
}"""
TRAINED = r"""() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stCaptionContainer]')]
    .map(c => [c.querySelector('code')?.innerText, (c.innerText.match(/ · (relu|tanh)\b/) || [])[1]])
    .find(([code, act]) => code && act) || [null, null]"""
# The rendered font size of every text of the plotly charts in view (ticks, legends, titles).
PLOTLY_TEXT_PX = """() => [...document.querySelectorAll('.js-plotly-plot svg text')].filter(t => t.textContent.trim())
    .filter(t => { const b = t.getBoundingClientRect(); return b.height > 0 && b.top < innerHeight && b.bottom > 0; })
    .map(t => parseFloat(getComputedStyle(t).fontSize))"""
CHART_TEXT = """() => [
    ...[...document.querySelectorAll('.js-plotly-plot')].flatMap(e => (e.layout?.annotations || []).map(a => a.text)),
]"""


def problems(page, present: bool, width: int = 1280, height: int = 720) -> list[str]:
    """What is wrong with the whole screen now (empty: a clean screen)."""
    seen = page.evaluate(SCREEN)
    found = [f"exception: {e}" for e in seen["exceptions"]] + [f"error box: {e}" for e in seen["errors"]]
    found += [f"metric value cut: {v!r}" for v in seen["clipped"]]
    found += [f"ν in the sans-serif font (reads as v): {t!r}" for t in seen["sans_nu"]][:3]
    if seen["help"]:
        found.append("an object's documentation (st.help, Streamlit magic) is on the page")
    found += [f"object text on the page: {m.group(0)!r}" for m in OBJECT_TEXT.finditer(seen["text"])][:3]
    found += [f"chart text overflows its chart: {t!r}" for t in page.evaluate(SVG_OVERFLOW)]
    charts = image_charts(page)
    smallest = min([*(px for c in charts for px in c["text_px"]), *page.evaluate(PLOTLY_TEXT_PX)], default=99)
    if smallest < (16 if present else 13):
        found.append(f"chart text renders at {smallest:.1f} px")
    if present:
        if scrolls(page) or seen["wide"]:
            found.append("presentation mode scrolls (content past the viewport)")
        found += [f"a tooltip or toolbar stays over the screen: {t!r}" for t in seen["tooltips"]]
        found += [f"chart outside the viewport: {c['text'][:40]!r}" for c in charts
                  if c["top"] < 0 or c["left"] < 0 or c["bottom"] > height + 1 or c["right"] > width + 1]
    return found


def shown(page) -> dict:
    """The values on the screen: epochs per model, RepNet's slope scale as written on its lane ('12.6 (auto)'),
    the formula and activation of the caption, and the target frequencies labelled on the error chart."""
    text = page.inner_text("[data-testid=stMain]")
    nu = re.search(r"ν = ([\d.]+)( \(auto\))?", text)
    formula, act = page.evaluate(TRAINED)
    labels = " ".join([*(c["text"] for c in image_charts(page)), *page.evaluate(CHART_TEXT)])
    return {"epochs": epochs(page), "nu": nu and nu.group(1) + (nu.group(2) or ""),
            "formula": formula, "act": act,
            "ks": sorted({float(k) for k in re.findall(r"k = ([\d.]+)", labels)})}


def popover_values(page) -> dict | None:
    """The open Settings popover's values (None when it is closed)."""
    return page.evaluate(CONTROLS, "[data-testid=stPopoverBody]")


def sidebar_values(page) -> dict | None:
    """The sidebar's lecture controls (target, k, ν, activation), as popover_values."""
    return page.evaluate(CONTROLS, "[data-testid=stSidebar]")
