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

# The backtest's end-of-day positions (within the desk's risk.toml limits),
# the book now, and the held instruments' daily returns.
prices = {"AAPL": 130.0, "MSFT": 240.0, "NVDA": 150.0}
common = [rng.gauss(0, 0.009) for _ in dates]
with open(HERE / "position_history.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["date", "symbol", "position", "price", "order_quantity"])
    held = {s: 0 for s in prices}
    for i, d in enumerate(dates):
        for j, symbol in enumerate(prices):
            prices[symbol] *= 1 + 0.6 * common[i] + rng.gauss(0.0003, 0.012)
            cap = 4_500 if symbol == "NVDA" else 8_000
            target = int(cap * (0.5 + 0.45 * ((i // 20 + j) % 3 - 1)))
            order = max(-1_000, min(1_000, target - held[symbol]))
            held[symbol] += order
            w.writerow([d, symbol, held[symbol], f"{prices[symbol]:.2f}", abs(order)])

with open(HERE / "positions.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["symbol", "position"])
    for symbol, quantity in held.items():
        w.writerow([symbol, quantity])

with open(HERE / "instrument_returns.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["date", "AAPL", "MSFT", "NVDA"])
    for i, d in enumerate(dates[-252:]):
        c = common[len(dates) - 252 + i]
        w.writerow([d] + [f"{0.6 * c + rng.gauss(0.0003, 0.012):.6f}" for _ in range(3)])

# The live order log of the last week: a risk decision before each order,
# then its fills (or a cancel of the rest).
with open(HERE / "orders.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["time", "event", "client_order_id", "quantity", "decision"])
    at = datetime.datetime(2025, 1, 27, 14, 30)
    for n in range(400):
        oid = f"DESK-{n:05d}"
        quantity = rng.randint(1, 20) * 100
        stamp = lambda: at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        w.writerow([stamp(), "risk", oid, "", "approve"])
        at += datetime.timedelta(milliseconds=2)
        w.writerow([stamp(), "order", oid, quantity, ""])
        left = quantity
        while left > 0:
            at += datetime.timedelta(milliseconds=rng.randint(5, 400))
            if rng.random() < 0.05:
                w.writerow([stamp(), "cancel", oid, "", ""])
                break
            part = min(left, rng.randint(1, 10) * 100)
            w.writerow([stamp(), "fill", oid, part, ""])
            left -= part
        at += datetime.timedelta(seconds=rng.randint(20, 900))

# End-of-day positions, ours and the broker's, for the last two sessions
# before the demo's day (2026-11-24): they agree.
book = [(symbol, quantity, round(prices[symbol] * (1 + rng.gauss(0, 0.01)), 4)) for symbol, quantity in held.items()]
for name in ["internal_positions.csv", "broker_statement.csv"]:
    with open(HERE / name, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["date", "symbol", "quantity", "avg_price"])
        for day in ["2026-11-20", "2026-11-23"]:
            for symbol, quantity, price in book:
                w.writerow([day, symbol, quantity, f"{price:.4f}"])

# A year of daily bars of the three held instruments on the NYSE's sessions
# before the demo's day, with four planted defects the market-data probes
# find: a high below the close (AAPL 2026-03-12), a session without a bar
# (NVDA 2026-05-14), a bar on a holiday (MSFT 2026-07-03, Independence Day
# observed) and a bar without volume (AAPL 2026-08-21). A second vendor's
# bars (bars_vendor_b.csv) agree within a few hundredths of a percent,
# except for one close (MSFT 2026-10-15).
bars_rng = random.Random(20261125)
# The NYSE's closed weekdays of the year, as `preflight calendar XNYS
# --from 2025-11-24 --to 2026-11-23` lists them.
holidays = {
    "2025-11-27", "2025-12-25", "2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03",
    "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07",
}
sessions = []
day = datetime.date(2025, 11, 24)
while day <= datetime.date(2026, 11, 23):
    if day.weekday() < 5 and day.isoformat() not in holidays:
        sessions.append(day.isoformat())
    day += datetime.timedelta(days=1)
closes = {"AAPL": 228.0, "MSFT": 415.0, "NVDA": 138.0}
bars = []
for d in sessions + ["2026-07-03"]:
    for symbol in ["AAPL", "MSFT", "NVDA"]:
        if (d, symbol) == ("2026-05-14", "NVDA"):
            continue
        if d == "2026-07-03" and symbol != "MSFT":
            continue
        open_ = closes[symbol]
        close = round(open_ * (1 + bars_rng.gauss(0.0004, 0.015)), 2)
        high = round(max(open_, close) * (1 + abs(bars_rng.gauss(0, 0.004))), 2)
        low = round(min(open_, close) * (1 - abs(bars_rng.gauss(0, 0.004))), 2)
        volume = bars_rng.randint(2_000_000, 9_000_000)
        if (d, symbol) == ("2026-03-12", "AAPL"):
            high = round(close - 0.35, 2)
        if (d, symbol) == ("2026-08-21", "AAPL"):
            volume = 0
        bars.append([d, symbol, f"{open_:.2f}", f"{high:.2f}", f"{low:.2f}", f"{close:.2f}", volume])
        closes[symbol] = close
bars.sort(key=lambda b: b[0])
with open(HERE / "bars.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["date", "symbol", "open", "high", "low", "close", "volume"])
    w.writerows(bars)
with open(HERE / "bars_vendor_b.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["date", "symbol", "open", "high", "low", "close", "volume"])
    for d, symbol, *values in bars:
        if d == "2026-07-03":
            continue
        o, h, l, c = (float(v) * (1 + bars_rng.uniform(-0.0002, 0.0002)) for v in values[:4])
        if (d, symbol) == ("2026-10-15", "MSFT"):
            c *= 1.02
        w.writerow([d, symbol, f"{o:.2f}", f"{h:.2f}", f"{l:.2f}", f"{c:.2f}", values[4] + 1000])
print(f"bars: {len(sessions)} sessions")

# A short capture of the market-data feed at the close of the session before
# the demo's day: two channels (multicast groups A and B) numbering their
# messages on their own, latencies of about a millisecond with a tail, and
# one planted gap (channel B loses three messages).
feed_rng = random.Random(20261126)
with open(HERE / "feed.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["exchange_time", "receive_time", "channel", "sequence", "symbol"])
    start = datetime.datetime(2026, 11, 23, 20, 59, 30, tzinfo=datetime.timezone.utc)
    sequence = {"A": 1_000_000, "B": 2_000_000}
    received = start
    messages = []
    for n in range(4000):
        sent = start + datetime.timedelta(microseconds=n * 7_500 + feed_rng.randint(0, 2_000))
        latency = feed_rng.lognormvariate(-7.0, 0.45)  # seconds: about 0.9 ms
        received = max(received, sent + datetime.timedelta(seconds=latency))
        channel = "A" if n % 3 else "B"
        sequence[channel] += 1
        if channel == "B" and 2_000_700 <= sequence[channel] < 2_000_703:
            continue
        messages.append([
            sent.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            received.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            channel,
            sequence[channel],
            ["AAPL", "MSFT", "NVDA"][n % 3],
        ])
    w.writerows(messages)
