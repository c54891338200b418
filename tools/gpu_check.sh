#!/usr/bin/env bash
# One short GPU run (<= 8 minutes): the CUDA path measured, everything written as JSON under $OUT.
#   OUT=/some/dir tools/gpu_check.sh
# 1. python -m repcore.bench --device cuda --quick   (engine / bare, RepNet / vanilla, CPU / CUDA step time)
# 2. python -m repcore.bench --batched --device cuda  (batched / unbatched trials per second, K = 1..64)
# 3. the same batched row on this machine's CPU      (the reference for 2)
# 4. a knob sweep on CUDA, batched and unbatched      (wall seconds of each, same trials, and their errors)
# Needs only this repository and a Python; installs requirements.txt only if torch is missing.
set -uo pipefail
case "${1:-}" in
  "") ;;
  -h|--help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; echo "Environment: OUT (default gpu_check_out), GPU_CHECK_DEVICE (cuda|cpu), PYTHON."; exit 0 ;;
  *) echo "error: tools/gpu_check.sh takes no arguments (settings are environment variables; see --help)" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
OUT="${OUT:-gpu_check_out}"     # receives 4 files: summary.json, gpu_check.log, sweep_batched.csv, sweep_unbatched.csv
mkdir -p "$OUT"
WORK=$(mktemp -d)              # everything else (a lent machine sends back only a few files)
DEVICE="${GPU_CHECK_DEVICE:-cuda}"     # cpu: a dry run of this script on a machine without a GPU
PY="${PYTHON:-$(command -v python || command -v python3)}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
log() { echo "== $*" >&2; }

if ! "$PY" -c "import torch" 2>/dev/null; then
  log "torch missing: pip install -r requirements.txt"
  "$PY" -m pip install --quiet -r requirements.txt
elif ! "$PY" -c "import numpy, pandas, scipy" 2>/dev/null; then   # keep the CUDA torch that is there
  log "numpy/pandas/scipy missing: pip install requirements.txt without torch"
  grep -v '^torch' requirements.txt > "$WORK/requirements-no-torch.txt"
  "$PY" -m pip install --quiet -r "$WORK/requirements-no-torch.txt"
fi
"$PY" - > "$WORK/machine.json" <<'PY'
import json, os, platform, torch
print(json.dumps({"torch": torch.__version__, "cuda": torch.version.cuda, "cuda_available": torch.cuda.is_available(),
                  "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
                  "cpus": os.cpu_count(), "python": platform.python_version()}))
PY
cat "$WORK/machine.json" >&2
[ "$DEVICE" = cpu ] || "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" || { log "no CUDA GPU visible: stop"; exit 1; }

step() {   # step NAME SECONDS COMMAND...: run with a time limit, stdout -> $WORK/NAME.json, stderr -> $OUT/gpu_check.log
  local name=$1 limit=$2; shift 2
  log "$name: $*"
  echo "== $name: $*" >> "$OUT/gpu_check.log"
  local t0=$SECONDS
  timeout "$limit" "$@" > "$WORK/$name.json" 2> "$WORK/$name.log"
  local rc=$?
  cat "$WORK/$name.log" >> "$OUT/gpu_check.log"
  echo "{\"step\": \"$name\", \"rc\": $rc, \"seconds\": $((SECONDS - t0))}" >> "$WORK/steps.jsonl"
  [ $rc -eq 0 ] || { log "$name failed (rc $rc): $(tail -n 3 "$WORK/$name.log")"; }
}

step bench_cuda_quick 120 "$PY" -m repcore.bench --device $DEVICE --quick --json
step batched_cuda 100 "$PY" -m repcore.bench --batched --device $DEVICE --json
step batched_cpu 60 "$PY" -m repcore.bench --batched --device cpu --quick --json
SWEEP=(sweep leaderboard/multiscale-1-d --models vanilla,repnet --grid repnet.slope_scale=39.3,78.5,157,314 --grid lr=1e-3,3e-3
       --seeds 0,1,2,3 --set steps=500 --set width=32 --set every=250 --device $DEVICE --parallel no)
step sweep_cuda_batched 80 "$PY" -m repcore.experiments "${SWEEP[@]}" --batch yes --out "$WORK/batched"
step sweep_cuda_unbatched 100 "$PY" -m repcore.experiments "${SWEEP[@]}" --batch no --out "$WORK/unbatched"
for b in batched unbatched; do cp "$WORK/$b/sweep/leaderboard-multiscale-1-d/sweep.csv" "$OUT/sweep_$b.csv" 2>/dev/null; done


"$PY" - "$OUT" "$WORK" > "$OUT/summary.json" <<'PY'
import json, sys, pathlib
import pandas as pd
out, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
steps = [json.loads(line) for line in (work / "steps.jsonl").read_text().splitlines()]
summary = {"machine": json.loads((work / "machine.json").read_text()), "steps": steps}
for name in ("bench_cuda_quick", "batched_cuda", "batched_cpu"):
    try:
        summary[name] = json.loads((work / f"{name}.json").read_text())
    except (OSError, ValueError):
        summary[name] = None
try:
    a, b = (pd.read_csv(out / f"sweep_{d}.csv") for d in ("batched", "unbatched"))
    m = a.merge(b, on="key", suffixes=("_b", "_u"))
    secs = {s["step"]: s["seconds"] for s in steps}
    summary["sweep"] = {"trials": len(m), "batched_s": secs.get("sweep_cuda_batched"), "unbatched_s": secs.get("sweep_cuda_unbatched"),
                        "max_rel_diff_rel_l2": float(((m["rel_l2_b"] - m["rel_l2_u"]).abs() / m["rel_l2_u"]).max())}
except (OSError, KeyError, ValueError) as err:
    summary["sweep"] = {"error": str(err)}
print(json.dumps(summary, indent=1))
PY
"$PY" - "$OUT" <<'PY'
import json, sys, pathlib
s = json.loads((pathlib.Path(sys.argv[1]) / "summary.json").read_text())
print(f"GPU: {s['machine']['gpu']}, torch {s['machine']['torch']} (CUDA {s['machine']['cuda']}), {s['machine']['cpus']} CPUs")
for st in s["steps"]:
    print(f"  step {st['step']:<22} rc {st['rc']}  {st['seconds']} s")
b = s.get("bench_cuda_quick") or {}
if b.get("cuda"):
    c = b["cuda"]
    print(f"CUDA: engine/bare {c['engine_vs_bare']:.3f}, RepNet/vanilla {c['repnet_vs_vanilla']:.3f}")
    for r in c["rows"]:
        print(f"  width {r['width']}, {r['points']} points: CPU {r['cpu_ms']:.2f} ms/step, CUDA {r['cuda_ms']:.3f} ms/step, CPU/CUDA {r['cpu_vs_cuda']:.1f}x")
for name in ("batched_cuda", "batched_cpu"):
    for r in (s.get(name) or {}).get("batched", []):
        print(f"  {name}: width {r['width']} points {r['points']} K {r['K']:>2}: unbatched {r['unbatched_trials_per_s']:.1f}/s, "
              f"batched {r['batched_trials_per_s']:.1f}/s, speedup {r['speedup']:.2f}x (trial = {r['steps']} steps)")
print(f"sweep on CUDA: {s['sweep']}")
PY
rm -rf "$WORK"
