"""Picture: coordinate MLPs fit a grayscale picture side by side, the blur of spectral bias in plain sight
(Tancik et al. 2020, fig. 1). Network settings come from the sidebar; `?present=1` hides the chrome."""
import streamlit as st

from dashboard import charts, playback, status, svg, upload
from dashboard import picture_charts as pc
from dashboard.resolution import LIVE_SIDES, live_side
from dashboard.settings import new_live_session
from repcore.errors import UserError
from repcore.models import mlp_names
from repcore.targets import resolve
from repcore.targets.images import IMAGES

REFRESH_S, UPLOADED = 0.7, "your upload"
MIN_EPOCHS_S = 10          # auto resolution: below this (every model, over 6 s) the picture gets smaller
HIDE_CHROME = ("<style>[data-testid=stSidebar], [data-testid=stSidebarCollapsedControl], [data-testid=stExpandSidebarButton],"
               " [data-testid=stHeader] {display: none !important} [data-testid=stMainBlockContainer] {padding-top: 1.5rem}</style>")
DEFAULT_MODELS = ["vanilla", "repnet"]
ss = st.session_state
for key in ("w_picture", "w_picture_models", "w_picture_side"):      # page widgets forget their value when the page is left
    if key in ss:
        ss[key] = ss[key]
present = ss.get("present", st.query_params.get("present") == "1")
if present:
    st.markdown(HIDE_CHROME, unsafe_allow_html=True)
base = ss.cfg                                    # the sidebar's network settings
net = (base.width, base.depth, base.device)
auto = ss.setdefault("picture_auto", {}).setdefault(net, live_side(base.width, base.depth, device=base.device))   # lowered if slow


def choose():
    """The controls; presentation mode hides them and keeps the last choices."""
    names = IMAGES.names() + ([UPLOADED] if ss.get("upload_image") else [])
    if present:
        return ss.get("w_picture", names[0]), ss.get("w_picture_models", DEFAULT_MODELS), ss.get("w_picture_side", "auto")
    c = st.columns([1, 2, 2, 1], vertical_alignment="bottom")
    name = c[0].selectbox("Picture", names, key="w_picture", format_func=str.capitalize)
    upload.image_upload(c[1])
    ss.setdefault("w_picture_models", DEFAULT_MODELS)      # not default=: with the state kept above, Streamlit warns each run
    models = c[2].multiselect("Models side by side", mlp_names(), key="w_picture_models",
                              help="vanilla and RepNet by default; the peers are other remedies for spectral bias")
    side = c[3].selectbox("Resolution (px)", ["auto", *LIVE_SIDES], key="w_picture_side", format_func=lambda s: f"auto ({auto})" if s == "auto" else str(s),
                          help=f"auto: the largest picture a CPU core trains at about 30 epochs/s with this width and depth, lowered "
                               f"while training runs under {MIN_EPOCHS_S} epochs/s")
    return name, models, side


st.title("Spectral bias in a picture")
name, models, choice = choose()
side = auto if choice == "auto" else choice
models = models or DEFAULT_MODELS
spec = f"{ss.upload_image[1] if name == UPLOADED else 'image:' + name}@{side}"
try:
    target = resolve(spec)
except UserError as err:
    st.error(f"{err}. Choose another picture.")
    playback.stop()
cfg = base.replace(problem="fit", target=spec, freq=None, domain=(), points=len(target.y), resample=None)
true = target.y.reshape(target.shape)
if "picture_live" not in ss:
    ss.picture_live = new_live_session()
live = ss.picture_live
live.configure({m: cfg.replace(model=m) for m in models})

st.caption(f"{target.text} · {base.act} · width {base.width} × {base.depth} hidden · Adam lr {base.lr:g} · seed {base.seed} · "
           "every pixel is a training point and the error is over every pixel · network settings from the sidebar")
buttons = st.columns([1, 1, 1, 1, 3])
playback.buttons(buttons[:3], live, "picture_")
if buttons[3].button("Exit" if present else "Present", icon=":material/slideshow:", key="picture_present"):
    ss.present = not present
    st.rerun()
status.say(live)


def board():
    lanes = live.lanes
    if choice == "auto" and live.playing and side > LIVE_SIDES[1] and _too_slow(lanes):
        ss.picture_auto[net] = LIVE_SIDES[LIVE_SIDES.index(side) - 1]      # stay live on a busy CPU: a smaller picture
        st.toast(f"Under {MIN_EPOCHS_S} epochs/s: resolution lowered to {ss.picture_auto[net]} px")
        st.rerun()
    head = st.columns([1] + [2] * len(lanes))
    head[0].subheader("picture", divider="gray")
    head[0].metric("Pixels", f"{true.shape[1]}×{true.shape[0]}")
    pics = st.columns([1] + [1, 1] * len(lanes))
    pics[0].image(pc.gray(true), caption="the target · errors: red too bright, blue too dark", width="stretch")
    for i, (label, lane) in enumerate(lanes.items()):
        s = lane.latest
        with head[1 + i]:
            st.subheader(label, divider="gray")
            if s is None or s.image.shape != true.shape:
                if not lane.error:           # else status.say tells why
                    st.info("starting the training process…")
                continue
            m = st.columns(3)
            m[0].metric("Epoch", f"{s.step:,}")
            m[1].metric("Epochs/s", f"{live.epochs_per_s(label) if live.playing else 0:,.0f}")
            m[2].metric("PSNR (dB)", f"{s.extra.get('psnr', float('nan')):.1f}", help=f"rel. L2 error {s.rel_l2:.3f}")
        pics[1 + 2 * i].image(pc.gray(s.image), caption=f"{label}, epoch {s.step:,}", width="stretch")
        pics[2 + 2 * i].image(pc.error_rgb(s.image - true), caption=f"{label}: error", width="stretch")
    if present:             # one screen: the pictures are the lesson; the charts stay in normal mode
        return
    latest = {label: lane.latest for label, lane in lanes.items()}
    histories = {label: lane.history for label, lane in lanes.items()}
    left, right = st.columns(2)
    if live.playing:        # drawn for a half of the 820 px main column at 1280 px, text at 14 px there
        left.image(pc.radial_svg(latest, 410, 14), width="stretch")
        right.image(svg.curves(histories, 410, 260, 14), width="stretch")
        for col, (label, hist) in zip(st.columns(max(len(lanes), 2)), histories.items()):
            col.image(pc.spectrum_map(hist), caption=f"{label}: relative error, radial frequency (up) × epoch (right)", width="stretch")
    else:
        left.plotly_chart(pc.radial(latest), key="picture-radial")
        right.plotly_chart(charts.curves(histories), key="picture-curves")
        some = next((s for s in latest.values() if s is not None and len(s.freqs)), None)
        for col, (label, hist) in zip(st.columns(max(len(lanes), 2)), histories.items()):
            if some is not None:
                col.plotly_chart(charts.heatmap(hist, some.freqs, some.spec_true, label, cfg.steps), key=f"picture-heat-{label}")


def _too_slow(lanes) -> bool:
    """Every model measured over at least 6 s, and the fastest under MIN_EPOCHS_S."""
    spans = [lane.rate[-1][0] - lane.rate[0][0] for lane in lanes.values() if len(lane.rate) > 1]
    return len(spans) == len(lanes) and min(spans) >= 6 and max(live.epochs_per_s(label) for label in lanes) < MIN_EPOCHS_S


playback.show(live, board, REFRESH_S)
playback.keep_alive(live)

if not present:
    with st.expander("Why does RepNet barely help here?", expanded=False):
        st.markdown(
            "**In one sentence:** a RepNet neuron draws one straight step across the whole picture, while a zone plate's rings "
            "turn through every angle, so no slope scale, partition-point law or direction law rescues it (a 1000-step "
            "probe: rel. L2 0.843 at the default, 0.826 at best, with axis-aligned steps; Fourier features reach 0.02 in "
            "the stored benchmark; docs/method.md). "
            "Each first-layer neuron of vanilla and RepNet is a **ridge function** tanh(ν w·(x + B)): it varies along one "
            "direction only. In 1-D, RepNet spreads the partition points −B evenly and steepens them (ν), so fine detail is "
            "in reach. In 2-D a ridge resolves detail across its direction only, and rings or texture in every direction need "
            "many directions: RepNet helps less. Fourier features (Tancik et al. 2020) and SIREN (Sitzmann et al. 2020) use "
            "sinusoids of random directions and frequencies. Measured on sin 2πx₁ sin 2πx₂ + 0.2 sin 20πx₁ sin 20πx₂ "
            "(4096 points, 1500 steps, tanh): vanilla 0.197, RepNet 0.175, Fourier 0.393, SIREN 0.035 (rel. L2).")
