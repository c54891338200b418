"""The registered experiments (stage 1, what): the paper's experiment families and the leaderboard,
each a named list of cases. Full sizes are what the results docs report; --quick sizes make each a
smoke test of a few seconds. A new experiment is one EXPERIMENTS.add here (its methods: methods.py).

fit1d: full size = the CLI defaults with --steps 5000, so each row is what `python -m repcore compare
--target T --act A --seeds 0,1,2 --steps 5000` prints."""
from ..config import RunConfig
from .experiment import EXPERIMENTS, Experiment
from ..methods import EVERY, EVERY_1D

TARGETS_1D = ("multiscale", "sines", "chirp", "sine")
TINY = dict(width=16, depth=2, grid=64, test_points=256, every=10)


def _sized(cfg: RunConfig, quick: bool, **quick_changes) -> RunConfig:
    return cfg.replace(**TINY, **quick_changes) if quick else cfg


def fit1d(quick: bool):
    base = RunConfig(steps=5000, every=250)
    if quick:
        base = base.replace(steps=60, every=20, width=16, depth=2, points=200, grid=128, test_points=512)
    return [(f"{t} ({act})", base.replace(target=t, act=act)) for act in ("relu", "tanh") for t in TARGETS_1D]


def fit1d_methods(quick: bool):
    """fit1d's multiscale (tanh) case, for every method."""
    return [case for case in fit1d(quick) if case[0] == "multiscale (tanh)"]


FIT4D = RunConfig(target="multiscale4d", act="tanh", points=4000, steps=4000, every=250, test_points=4096)


def fit4d(quick: bool):
    """Fresh random points every step (resample 1): the training loss is an error on unseen points, so a
    low error is approximation, not memorization."""
    return [("multiscale4d (tanh)", _sized(FIT4D.replace(resample=1), quick, steps=20, points=200))]


def fit4d_few(quick: bool):
    """The first 4-D protocol, 4000 fixed points: every method but vanilla memorizes them."""
    return [("multiscale4d (tanh)", _sized(FIT4D, quick, steps=20, points=200))]


def pinn1d(quick: bool):
    base = RunConfig(problem="poisson", target="multiscale", act="tanh", points=1000, steps=10000, every=500)
    return [("Poisson 1-D, u = sin 2πx + 0.1 sin 50πx", _sized(base, quick, steps=20, points=64))]


def pinn2d(quick: bool):
    base = RunConfig(problem="poisson", target="multiscale2d", act="tanh", points=2000, steps=4000, every=250, test_points=4096,
                     hard_bc=True)
    return [("Poisson 2-D, k = 8, exact boundary values", _sized(base, quick, steps=10, points=64))]


def inverse1d(quick: bool):
    base = RunConfig(problem="inverse", target="multiscale", act="tanh", points=1000, steps=4000, every=250)
    return [("inverse 1-D, k Δu = f, k = 2", _sized(base, quick, steps=20, points=64))]


def operator(quick: bool):
    """The paper author's earthquake records (run --data PATH; --quick: synthetic records), the author's
    split, the CLI defaults: 2000 steps of 10 records (222 epochs), cosine lr."""
    base = RunConfig(problem="operator", steps=2000, every=200)
    return [("earthquake records, the author's split", _sized(base, quick, steps=20))]


def image2d(quick: bool):
    """Pictures fitted pixel by pixel (every pixel trained on, error over every pixel), 64 px a side."""
    base = RunConfig(act="tanh", points=64 * 64, steps=2000, every=250)
    side = 16 if quick else 64
    return [(f"{name} {side}x{side} px", _sized(base.replace(target=f"image:{name}@{side}", points=side * side), quick, steps=20))
            for name in ("zoneplate", "hopper")]


EXPERIMENTS.add("fit1d", Experiment(
    "1-D multiscale approximation", fit1d, models=("vanilla", "repnet", "repnet-direct"),
    note="CLI defaults (width 100, depth 3, Adam lr 1e-3, 1000 random points, zero head, auto slope scale), 5000 steps; "
         "repnet-direct (the first releases' RepNet, the default until it lost to today's on every benchmark) on every target too."),
    "1-D targets: multiscale sin(2 pi x) + 0.1 sin(50 pi x), four sines up to 24 cycles, a chirp, a single sine")
EXPERIMENTS.add("fit1d-methods", Experiment(
    "1-D multiscale approximation, every method", fit1d_methods, models=EVERY_1D,
    note="fit1d's multiscale (tanh) case for every method (each peer at its default knob, every RepNet variant), 5000 steps."),
    "fit1d's multiscale (tanh) case for every method: RepNet's variants and the peers")
EXPERIMENTS.add("fit4d", Experiment("4-D multiscale approximation", fit4d, models=EVERY,
                note="tanh, 4000 new random training points every step (resample 1: the training error is an error on unseen "
                     "points, so this measures approximation), error on 4096 random test points, 4000 steps; every method at its default knob."),
                "4-D target mixing a smooth wave over all axes with k-cycle oscillations; fresh training points every step")
EXPERIMENTS.add("fit4d-few", Experiment("4-D fit from few samples (generalization)", fit4d_few, models=EVERY,
                note="fit4d's first protocol: 4000 FIXED random training points, 4000 steps. Every method but vanilla memorizes "
                     "them (a 1000-step probe: Fourier features' training error 0.005, test error 1.29; with fresh points both 1.00), "
                     "so this measures generalization from few samples in 4-D, not approximation: vanilla wins by staying smooth."),
                "fit4d's target from 4000 fixed points: generalization, not approximation")
EXPERIMENTS.add("pinn1d", Experiment("PINN forward, 1-D Poisson", pinn1d, errors=("rel_l2", "final_pde"), models=EVERY_1D,
                note="u'' = f on [0, 1] with Dirichlet data, tanh, 10000 steps, the PINN protocol: 1000 collocation points redrawn every step, cosine lr decay, unweighted loss terms."),
                "PINN: u'' = f with u = sin(2 pi x) + 0.1 sin(50 pi x) and Dirichlet data")
EXPERIMENTS.add("pinn2d", Experiment("PINN forward, 2-D Poisson", pinn2d, errors=("rel_l2", "final_pde"),
                models=("vanilla", "repnet", "msffn", "fourier"),
                note="Δu = f on the unit square, u = 0 on the boundary built into the network (hard_bc: u = D N), tanh, 4000 steps, "
                     "the PINN protocol otherwise: 2000 collocation points redrawn every step, cosine lr decay. With the boundary as an "
                     "unweighted loss term nothing learned (a 1000-step probe: MsFFN's PDE residual fell 1800x but the boundary term "
                     "stayed at 0.48 and the error at 0.78: a harmonic error; vanilla 1.6; annealed weights grew to 1e9, error 1.0)."),
                "PINN: Δu = f on the unit square, multiscale solution (k = 8)")
EXPERIMENTS.add("inverse1d", Experiment("PINN inverse, unknown coefficient", inverse1d, errors=("rel_l2", "k_rel_error"), models=EVERY_1D,
                note="k u'' = f, k unknown (true 2, start 1), 100 observations with 1% noise, 4000 steps, tanh."),
                "PINN inverse: recover k in k u'' = f from 100 noisy observations of a multiscale solution")
EXPERIMENTS.add("operator", Experiment(
    "Operator learning: the paper author's earthquake records", operator, models=("fno", "vanilla", "repnet", "repnet-direct", "fir"),
    reads_data=True,
    note="Ground motion -> structural response, 100 records of 2500 samples (50 s at 50 Hz), the author's split (90 train, "
         "10 test) and metric (mean of each test record's relative L2). CLI defaults: Adam lr 1e-3, cosine decay, batches of "
         "10 records, 2000 steps (222 epochs). fno: our Fourier neural operator (4 layers, 300 modes, width 32; the author's, "
         "width 128 and 500 epochs, reaches 3.61 %). vanilla, repnet: a causal impulse-response operator whose kernel h(lag), "
         "16 s of lag, is the model's MLP (width 100, depth 3, tanh), so the first layer reads the lag. fir: the same operator "
         "with 800 free kernel taps, no network: the control."),
    "the author's earthquake records (--data PATH): our FNO (the anchor), impulse-response operators with a vanilla or RepNet kernel net, free taps")
EXPERIMENTS.add("image2d", Experiment("Pictures: a coordinate MLP fits a grayscale image", image2d,
                models=("vanilla", "repnet", "repnet-direct", "fourier", "siren", "mscale", "laaf"),
                note="Every pixel is a training point, the error is over every pixel (values 2 g - 1 in [-1, 1]); "
                     "CLI defaults otherwise (width 100, depth 3, Adam lr 1e-3), tanh, 2000 steps. PSNR in the runs table."),
                "2-D pictures (zone-plate test pattern, a photograph): vanilla, RepNet and every peer, per pixel")


LEADERBOARD = RunConfig(act="tanh", steps=3000, every=500)
LEADERBOARD_CASES = (("multiscale 1-D", LEADERBOARD.replace(target="multiscale")),
                     ("sines 1-D", LEADERBOARD.replace(target="sines")),
                     ("multiscale 4-D", LEADERBOARD.replace(target="multiscale4d", points=4000, steps=2000, test_points=4096)),
                     ("PINN Poisson 1-D", LEADERBOARD.replace(problem="poisson", target="multiscale")))


def leaderboard(quick: bool):
    return [(name, _sized(cfg, quick, steps=20, points=100)) for name, cfg in LEADERBOARD_CASES]


EXPERIMENTS.add("leaderboard", Experiment(
    "Every method, each at its tuned knob", leaderboard, models=EVERY, tuned=True,
    note="Equal parameter count (within 2%, tests/test_peers.py), steps, data and optimizer (Adam, lr 1e-3), width 100 x 3 "
         "hidden layers, tanh wherever the method does not fix its own activation. Each method's knob grid (methods.KNOBS) is "
         "swept on the first case (1-D multiscale) with the first seed (tune.py; sweep.csv and sweep.md), then every case "
         "is trained with each method at its best knob on every seed."),
    "every method (vanilla, RepNet's variants, Fourier features, SIREN, MscaleDNN, LAAF, MsFFN), knob sweep + seeds")
