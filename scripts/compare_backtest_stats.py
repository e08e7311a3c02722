"""Side-by-side timing: preflight's backtest statistics vs pandas + empyrical-reloaded.

    python3 scripts/compare_backtest_stats.py [--rows 10000000]

Installs the Python peer (pandas, empyrical-reloaded) into a virtual environment
under target/peer-venv (once), writes a `date,return` CSV of N rows under
target/peer-data, then times, on the same file:

- the peer: `pandas.read_csv` (timestamps parsed) and empyrical's sharpe_ratio,
  sortino_ratio, annual_return, annual_volatility, max_drawdown, calmar_ratio,
  scipy's skew and kurtosis, and the win rate;
- preflight: the release `preflight` binary running every backtest item
  (`--id 'strategy.backtest.*' --id code.testing.backtest-history`) on that file,
  which parses the CSV, hashes it and computes every statistic those items report.

Each side runs `--runs` times (default 5), alternating, after one untimed
run of each to warm the page cache: one run of a 0.4 s program varies by
±10 % on a shared machine, so the ratio is taken of the medians, and the
fastest and slowest runs are printed too. Prints both wall times, their ratio
and preflight's peak memory (from `/usr/bin/time -v` when available) against
the in-memory size of the returns (8 bytes each; the dates are kept as runs
of equal dates, a few hundred kilobytes).
"""

import argparse
import datetime
import json
import statistics
import pathlib
import random
import subprocess
import sys
import time

from timing import timed

ROOT = pathlib.Path(__file__).resolve().parent.parent
VENV = ROOT / "target" / "peer-venv"
DATA = ROOT / "target" / "peer-data"


def ensure_venv():
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run(
        [str(python), "-c", "import pandas, empyrical"], capture_output=True
    )
    if probe.returncode != 0:
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "pandas", "empyrical-reloaded"],
            check=True,
        )
    return python


def write_csv(rows):
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"returns-{rows}.csv"
    if path.exists():
        return path
    # One-minute returns (10 million days would not fit in the calendar).
    rng = random.Random(7)
    at = datetime.datetime(2000, 1, 3, 14, 30)
    one = datetime.timedelta(minutes=1)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as f:
        f.write("date,return\n")
        chunk = []
        for _ in range(rows):
            chunk.append(f"{at:%Y-%m-%dT%H:%M:%SZ},{rng.gauss(0.00001, 0.0005):.7f}\n")
            at += one
            if len(chunk) == 100_000:
                f.write("".join(chunk))
                chunk.clear()
        f.write("".join(chunk))
    tmp.rename(path)
    return path


PEER = r"""
import json, sys, time
t0 = time.perf_counter()
import pandas as pd, numpy as np, empyrical as ep, scipy.stats as st
df = pd.read_csv(sys.argv[1], parse_dates=["date"], index_col="date")
r = df["return"]
ppy = 98280
stats = {
    "sharpe": ep.sharpe_ratio(r, annualization=ppy),
    "sortino": ep.sortino_ratio(r, annualization=ppy),
    "annual_return": ep.annual_return(r, annualization=ppy),
    "annual_volatility": ep.annual_volatility(r, annualization=ppy),
    "max_drawdown": ep.max_drawdown(r),
    "calmar": ep.calmar_ratio(r, annualization=ppy),
    "skew": st.skew(r.values),
    "kurtosis": st.kurtosis(r.values, fisher=False),
    "win_rate": float((r > 0).sum() / (r != 0).sum()),
}
print(time.perf_counter() - t0)
print(json.dumps({k: float(v) for k, v in stats.items()}))
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each side")
    args = parser.parse_args()
    python = ensure_venv()
    csv_path = write_csv(args.rows)
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "preflight-probes", "--bin", "preflight"],
        cwd=ROOT,
        check=True,
    )
    config = DATA / "preflight.toml"
    config.write_text(
        "[project]\nname = \"peer-comparison\"\n\n"
        f"[inputs.backtest]\npath = \"{csv_path.name}\"\n"
        # Minutes of a 6.5-hour session, 252 days a year.
        "periods_per_year = 98280\n"
    )

    def run_peer():
        t0 = time.perf_counter()
        done = subprocess.run([str(python), "-c", PEER, str(csv_path)], capture_output=True, text=True, check=True)
        return time.perf_counter() - t0, done

    command = [
        str(ROOT / "target" / "release" / "preflight"), "run", "--config", str(config),
        "--id", "strategy.backtest.sharpe-ratio", "--id", "strategy.backtest.max-drawdown",
        "--id", "strategy.backtest.win-rate", "--id", "strategy.backtest.market-regimes",
        "--id", "code.testing.backtest-history", "--format", "json", "--output", str(DATA / "report.json"),
    ]
    def run_ours():
        return timed(command)

    # Untimed: the file into the page cache, the binaries into memory.
    run_peer()
    run_ours()
    peer_walls, ours_walls, peaks = [], [], []
    for _ in range(args.runs):
        wall, peer = run_peer()
        peer_walls.append(wall)
        wall, kib = run_ours()
        ours_walls.append(wall)
        if kib is not None:
            peaks.append(kib)
    peer_wall, ours_wall = statistics.median(peer_walls), statistics.median(ours_walls)
    peer_inner = float(peer.stdout.splitlines()[0])
    peak_kib = max(peaks) if peaks else None

    returns_mib = args.rows * 8 / 2**20
    print(f"rows: {args.rows}, file: {csv_path.stat().st_size / 2**20:.0f} MiB")
    print(f"runs of each:                {args.runs} (median, fastest-slowest)")
    print(f"pandas + empyrical-reloaded: {peer_wall:.2f} s ({min(peer_walls):.2f}-{max(peer_walls):.2f}; "
          f"in-process {peer_inner:.2f} s in the last run)")
    print(f"preflight:                   {ours_wall:.3f} s ({min(ours_walls):.3f}-{max(ours_walls):.3f})")
    print(f"ratio of the medians:        {peer_wall / ours_wall:.1f}x "
          f"(worst pairing {min(peer_walls) / max(ours_walls):.1f}x)")
    if peak_kib is not None:
        print(f"preflight peak memory:       {peak_kib / 1024:.0f} MiB "
              f"({peak_kib / 1024 / returns_mib:.2f}x the returns' {returns_mib:.0f} MiB)")
    # The same numbers, or the comparison would mean nothing.
    theirs = json.loads(peer.stdout.splitlines()[1])
    report = json.loads((DATA / "report.json").read_text())
    values = {i["id"]: i["evidence"]["values"] for i in report["items"] if "evidence" in i}
    sharpe = values["strategy.backtest.sharpe-ratio"]
    ours = {
        "sharpe": sharpe["sharpe_ratio"],
        "sortino": sharpe["sortino_ratio"],
        "annual_return": sharpe["cagr"],
        "annual_volatility": sharpe["annual_volatility"],
        "max_drawdown": -values["strategy.backtest.max-drawdown"]["max_drawdown"],
        "skew": sharpe["skewness"],
        "kurtosis": sharpe["kurtosis"],
        "win_rate": values["strategy.backtest.win-rate"]["win_rate"],
    }
    worst = max(abs(ours[k] - theirs[k]) / max(abs(theirs[k]), 1e-12) for k in ours)
    print(f"largest relative difference of {len(ours)} statistics: {worst:.1e}")
    if worst > 1e-9:
        for k in ours:
            print(f"  {k}: preflight {ours[k]!r}, peer {theirs[k]!r}")
        sys.exit("the statistics differ")


if __name__ == "__main__":
    main()
