"""Regenerates the demo desk's research artifacts from returns.csv, deterministically.

    python3 examples/trading_desk/data/generate.py

- trials.csv: the 24 configurations tried during research, one column each
  (cfg_07 is the one deployed, i.e. returns.csv), for overfitting statistics.
- trades.csv: the backtest's round trips with their fees and slippage.
- paper_trading.csv: daily equity of the paper-trading account after the backtest.

Only the standard library is used; the seed fixes every value.
"""

import csv
import datetime
import pathlib
import random

HERE = pathlib.Path(__file__).parent
rng = random.Random(20261124)

with open(HERE / "returns.csv", newline="") as f:
    rows = list(csv.DictReader(f))
dates = [r["date"] for r in rows]
returns = [float(r["return"]) for r in rows]

with open(HERE / "trials.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["date"] + [f"cfg_{i:02d}" for i in range(1, 25)])
    # Neighbouring lookbacks and thresholds: the same exposure, scaled, with
    # their own noise; the further from the deployed rule, the weaker the edge.
    params = [(0.7 + 0.02 * i, -0.00004 * abs(i - 6), 0.0015 + 0.0001 * i) for i in range(24)]
    for d, r in zip(dates, returns):
        cells = []
        for i, (beta, edge, noise) in enumerate(params):
            if i == 6:
                cells.append(f"{r:.6f}")
            else:
                cells.append(f"{beta * r + edge + rng.gauss(0, noise):.6f}")
        w.writerow([d] + cells)

with open(HERE / "trades.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["date", "symbol", "notional", "pnl", "fee", "slippage"])
    symbols = ["AAPL", "MSFT", "NVDA"]
    for i, d in enumerate(dates):
        if i % 3 != 0:
            continue
        notional = round(rng.uniform(50_000, 250_000), 2)
        pnl = round(notional * (returns[i] * 4 + rng.gauss(0, 0.002)), 2)
        fee = round(notional * 0.00005 + 1.0, 2)
        slippage = round(notional * abs(rng.gauss(0.0001, 0.00005)), 2)
        w.writerow([d, symbols[i % 3], f"{notional:.2f}", f"{pnl:.2f}", f"{fee:.2f}", f"{slippage:.2f}"])

with open(HERE / "paper_trading.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["date", "equity"])
    day = datetime.date(2024, 12, 9)
    equity = 1_000_000.0
    while day <= datetime.date(2025, 1, 31):
        if day.weekday() < 5:
            equity *= 1 + rng.gauss(0.0005, 0.006)
            w.writerow([day.isoformat(), f"{equity:.2f}"])
        day += datetime.timedelta(days=1)
