"""Side-by-side timing: preflight's bar quality and coverage checks vs pandas + exchange_calendars.

    python3 scripts/compare_bars_quality.py [--rows 10000000] [--runs 3]

Uses the virtual environment of the calendar oracle (target/oracle-venv, with
exchange_calendars 4.13.2 and pandas; created here as `.ci/run` does when
missing), writes under target/bars-peer a CSV of one-minute XNYS bars of four
symbols (interleaved by time, about N rows, whole sessions from 2000-01-03)
with a few planted defects of every kind, then times on the same file:

- the peer: `pandas.read_csv`, timestamps parsed, every data-quality rule of
  `data.sources.quality-checks` written with pandas (non-finite values, OHLC
  consistency, non-positive prices and negative volume, duplicate and
  out-of-order times per symbol, runs of five identical closes, bar-to-bar
  returns beyond 50 %, zero volume) and the coverage of the sessions with
  exchange_calendars' `sessions_in_range` and minute index
  (`minutes_in_range`): bars present, missing and outside the sessions;
- preflight: the release `preflight` binary running
  `data.sources.quality-checks` and `data.sources.missing-data-handling` on
  that file, which reads it once, hashes it and computes both.

Fails if the two disagree on any count. Prints both wall times (best of
`--runs`), their ratio and preflight's peak memory (`/usr/bin/time -v`).
"""

import argparse
import json
import pathlib
import subprocess
import sys
import time

from timing import timed

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV = ROOT / "target" / "oracle-venv"
DATA = ROOT / "target" / "bars-peer"
VERSION = "4.13.2"


def ensure_venv():
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run(
        [str(python), "-c",
         f"import sys, exchange_calendars; sys.exit(exchange_calendars.__version__ != '{VERSION}')"],
        capture_output=True,
    )
    if probe.returncode != 0:
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", f"exchange_calendars=={VERSION}"],
            check=True,
        )
    return python


GENERATE = r"""
import sys
import numpy as np, pandas as pd, exchange_calendars as xc
rows, out = int(sys.argv[1]), sys.argv[2]
symbols = ["AAA", "BBB", "CCC", "DDD"]
cal = xc.get_calendar("XNYS", start="1990-01-01", end="2035-12-31")
sessions = cal.sessions_in_range("2000-01-03", "2035-12-31")
per_session = ((cal.closes[sessions] - cal.opens[sessions]) // pd.Timedelta(minutes=1)).to_numpy()
take = int(np.searchsorted(np.cumsum(per_session) * len(symbols), rows)) + 1
minutes = cal.minutes_in_range(cal.session_first_minute(sessions[0]),
                               cal.session_last_minute(sessions[take - 1]))
n = len(minutes) * len(symbols)
rng = np.random.default_rng(7)
steps = rng.normal(0.0, 0.001, size=(len(minutes), len(symbols)))
close = np.round(100.0 * np.exp(np.cumsum(steps, axis=0)), 2)
open_ = np.vstack([close[:1], close[:-1]])
high = np.round(np.maximum(open_, close) * 1.0005, 2)
low = np.round(np.minimum(open_, close) * 0.9995, 2)
volume = rng.integers(1, 5000, size=close.shape).astype(float)
stamps = np.asarray(minutes.strftime("%Y-%m-%dT%H:%M:%SZ"))
df = pd.DataFrame({
    "timestamp": np.repeat(stamps, len(symbols)),
    "symbol": np.tile(symbols, len(minutes)),
    "open": open_.ravel(), "high": high.ravel(), "low": low.ravel(),
    "close": close.ravel(), "volume": volume.ravel(),
})
at = lambda k: df.index[k]
pos = lambda f, symbol=0: int(n * f) // 4 * 4 + symbol  # a row of the symbol
# Planted defects, far apart, at fractions of the file.
for f in (0.1, 0.2, 0.3):
    df.loc[at(pos(f, 3)), "close"] = np.nan
for k in range(5):
    i = at(pos(0.05 + k * 0.04, 1))
    df.loc[i, "high"] = df.loc[i, "low"] - 0.5
for f in (0.07, 0.17):
    df.loc[at(pos(f, 2)), "low"] = -1.0
for f in (0.09, 0.19, 0.29, 0.39):
    df.loc[at(pos(f, 1)), "volume"] = 0.0
c = pos(0.12, 2)  # symbol CCC: six identical bars
for j in range(6):
    i = at(c + 4 * j)
    df.loc[i, ["open", "high", "low", "close"]] = 77.0
i = at(pos(0.15, 3))  # symbol DDD: a close tripled for one bar
df.loc[i, "close"] = df.loc[i, "close"] * 3
df.loc[i, "high"] = df.loc[i, "close"] + 0.1
gaps = rng.choice(np.arange(pos(0.4), pos(0.48)), size=100, replace=False)
df = df.drop(df.index[gaps])
dupes = df.iloc[[pos(0.25), pos(0.35)]]
extra = pd.DataFrame({
    "timestamp": ["2001-01-15T15:00:00Z", "2001-01-15T15:01:00Z", "2001-01-15T15:02:00Z"],
    "symbol": ["AAA"] * 3, "open": [10.0] * 3, "high": [10.0] * 3, "low": [10.0] * 3,
    "close": [10.0] * 3, "volume": [1.0] * 3,
})
df = pd.concat([df, dupes, extra])
df = df.sort_values("timestamp", kind="stable")
df.to_csv(out, index=False, na_rep="", float_format="%.2f")
print(len(df))
"""

PEER = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np, pandas as pd, exchange_calendars as xc
df = pd.read_csv(sys.argv[1])
ts = pd.to_datetime(df["timestamp"], utc=True, format="%Y-%m-%dT%H:%M:%SZ")
o, h, l, c, v = (df[k].to_numpy() for k in ("open", "high", "low", "close", "volume"))
finite = np.isfinite(o) & np.isfinite(h) & np.isfinite(l) & np.isfinite(c) & np.isfinite(v)
t = ts.astype("int64")
prev_max = t.groupby(df["symbol"]).cummax().groupby(df["symbol"]).shift()
dup = (t == prev_max).to_numpy()
ooo = (t < prev_max).to_numpy()
ordered = ~(dup | ooo)
ohlc = finite & ((h < np.maximum(np.maximum(o, c), l)) | (l > np.minimum(o, c)))
neg = finite & ((o <= 0) | (h <= 0) | (l <= 0) | (c <= 0) | (v < 0))
zero = finite & (v == 0)
chain = df.loc[ordered & finite, ["symbol", "close"]]
prev = chain.groupby("symbol")["close"].shift()
change = chain["close"] / prev - 1
extreme = int(((prev > 0) & (change.abs() > 0.5)).sum())
new_run = (chain["close"] != prev) | prev.isna()
run_id = new_run.groupby(chain["symbol"]).cumsum()
lengths = chain.groupby([chain["symbol"], run_id]).size()
stale = int((lengths >= 5).sum())
cal = xc.get_calendar("XNYS", start="1990-01-01", end="2035-12-31")
first = ts[ordered].min().tz_convert("America/New_York").normalize().tz_localize(None)
last = ts[ordered].max().tz_convert("America/New_York").normalize().tz_localize(None)
sessions = cal.sessions_in_range(first, last)
minutes = cal.minutes_in_range(cal.session_first_minute(sessions[0]),
                               cal.session_last_minute(sessions[-1]))
inside = ts[ordered].isin(minutes)
symbols = df["symbol"].nunique()
present = int(inside.sum())
result = {
    "non_finite": int((~finite).sum()),
    "ohlc_inconsistent": int(ohlc.sum()),
    "negative_values": int(neg.sum()),
    "duplicate_timestamps": int(dup.sum()),
    "out_of_order": int(ooo.sum()),
    "stale_closes": stale,
    "extreme_returns": extreme,
    "zero_volume": int(zero.sum()),
    "sessions": len(sessions),
    "expected_bars": len(minutes) * symbols,
    "present_bars": present,
    "missing_bars": len(minutes) * symbols - present,
    "outside_count": int((~inside).sum()),
}
print(time.perf_counter() - t0)
print(json.dumps(result))
"""


def write_bars(python, rows):
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"bars-{rows}.csv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        subprocess.run([str(python), "-c", GENERATE, str(rows), str(tmp)], check=True)
        tmp.rename(path)
    return path


def run_peer(python, path):
    out = subprocess.run([str(python), "-c", PEER, str(path)], capture_output=True,
                         text=True, check=True)
    seconds, result = out.stdout.strip().splitlines()
    return float(seconds), json.loads(result)


def run_preflight(path):
    config = DATA / "preflight.toml"
    config.write_text(
        "[project]\nname = \"bars-peer\"\n\n"
        f"[inputs.bars]\npath = \"{path.name}\"\ncalendar = \"XNYS\"\ninterval = \"1m\"\n"
    )
    report = DATA / "report.json"
    command = [
        str(ROOT / "target" / "release" / "preflight"), "run", "--config", str(config),
        "--id", "data.sources.quality-checks", "--id", "data.sources.missing-data-handling",
        "--format", "json", "--output", str(report),
    ]
    wall, peak_kib = timed(command)
    peak = peak_kib / 1024 if peak_kib is not None else None
    items = {i["id"]: i for i in json.loads(report.read_text())["items"]}
    quality = items["data.sources.quality-checks"]["evidence"]["values"]
    coverage = items["data.sources.missing-data-handling"]["evidence"]["values"]
    result = {r["rule"]: r["count"] for r in quality["rules"]}
    for key in ("sessions", "expected_bars", "present_bars", "missing_bars", "outside_count"):
        result[key] = coverage[key]
    return wall, peak, result, quality["bars"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    python = ensure_venv()
    path = write_bars(python, args.rows)
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "preflight-probes", "--bin", "preflight"],
        cwd=ROOT, check=True,
    )
    peer_times, ours_times, peaks = [], [], []
    for _ in range(args.runs):
        seconds, peer = run_peer(python, path)
        peer_times.append(seconds)
        wall, peak, ours, bars = run_preflight(path)
        ours_times.append(wall)
        if peak is not None:
            peaks.append(peak)
    size = path.stat().st_size
    print(f"file: {path.name}, {bars} bars, {size / 2**20:.0f} MiB")
    print(f"pandas + exchange_calendars: best {min(peer_times):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in peer_times)})")
    print(f"preflight: best {min(ours_times):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in ours_times)})")
    print(f"speed-up: {min(peer_times) / min(ours_times):.1f}x")
    if peaks:
        print(f"preflight peak memory: {max(peaks):.0f} MiB")
    differ = {k: (peer[k], ours.get(k)) for k in peer if peer[k] != ours.get(k)}
    print("counts:", json.dumps(ours))
    if differ:
        sys.exit(f"the two disagree (peer, preflight): {differ}")


if __name__ == "__main__":
    main()
