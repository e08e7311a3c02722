"""Order-log throughput and memory at scale: the streaming checks on 10 million orders.

    python3 scripts/order_log_scale.py [--orders 10000000]

Writes an order log of N orders under target/order-data (once): each order is
approved by the risk engine, sent and filled in two parts, with a few orders
open at a time and the symbol, side and price columns the identical-order
check needs; then runs the release `preflight` binary on it with
`identical_window = "1s"`, checking every order-log item (reconciliation,
approval before send, duplicate IDs, identical orders) in one pass.

Prints the wall time, orders per second and the peak memory (from
`/usr/bin/time -v`), and fails if the report does not show every order and
fill, or if the memory grows with the file rather than with the orders open.

One untimed run first brings the 2.4 GB file into the page cache (a run that
reads part of it from disk measures the disk); then `--runs` timed runs
(default 3), their median and range printed. `--one-core` pins the process
to CPU 0 (`taskset`): the check then reads and hashes the file in turn with
the scan, on one thread, rather than on a reading thread of its own.
"""

import argparse
import json
import pathlib
import statistics
import subprocess
import sys

from timing import timed

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "target" / "order-data"
SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOG", "META", "TSLA", "JPM"]


def write_log(orders):
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"orders-{orders}.csv"
    if path.exists():
        return path
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as f:
        f.write("time,event,client_order_id,symbol,side,quantity,price,decision\n")
        chunk = []
        # Each order is filled two orders later, so three are open at a time.
        pending = []
        for n in range(orders):
            ms = n  # one order a millisecond
            t = f"2025-01-27T{9 + ms // 3_600_000 % 12:02}:{ms // 60_000 % 60:02}:{ms // 1000 % 60:02}.{ms % 1000:03}Z"
            sym = SYMBOLS[n % len(SYMBOLS)]
            side = "buy" if n % 2 else "sell"
            price = f"{100 + n % 97}.{n % 100:02}"
            chunk.append(f"{t},risk,O{n},{sym},{side},300,{price},approve\n")
            chunk.append(f"{t},order,O{n},{sym},{side},300,{price},\n")
            pending.append((f"O{n}", sym, side, price))
            if len(pending) > 2:
                oid, s, sd, p = pending.pop(0)
                chunk.append(f"{t},fill,{oid},{s},{sd},100,{p},\n")
                chunk.append(f"{t},fill,{oid},{s},{sd},200,{p},\n")
            if len(chunk) >= 200_000:
                f.write("".join(chunk))
                chunk.clear()
        for oid, s, sd, p in pending:
            chunk.append(f"{t},fill,{oid},{s},{sd},300,{p},\n")
        f.write("".join(chunk))
    tmp.rename(path)
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs")
    parser.add_argument("--one-core", action="store_true", help="pin the run to one CPU")
    args = parser.parse_args()
    log = write_log(args.orders)
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "preflight-probes", "--bin", "preflight"],
        cwd=ROOT,
        check=True,
    )
    config = DATA / "preflight.toml"
    # The pre-trade items also check that risk.toml sets what each of their
    # controls is tested against: the demo desk's limits set all of them.
    (DATA / "risk.toml").write_text(
        (ROOT / "examples" / "trading_desk" / "data" / "risk.toml").read_text()
    )
    config.write_text(
        "[project]\nname = \"order-log-scale\"\n\n"
        f"[inputs.order_log]\npath = \"{log.name}\"\nidentical_window = \"1s\"\n\n"
        "[inputs.risk_limits]\npath = \"risk.toml\"\n"
    )
    report_path = DATA / "report.json"
    command = [
        str(ROOT / "target" / "release" / "preflight"), "run", "--config", str(config),
        "--id", "trading.logic.order-reconciliation",
        "--id", "trading.logic.risk-checks-before-every-order",
        "--id", "trading.logic.duplicate-order-prevention",
        "--format", "json", "--output", str(report_path),
    ]
    def run_once():
        return timed(command, one_core=args.one_core)

    run_once()  # untimed: the file into the page cache
    runs = [run_once() for _ in range(args.runs)]
    walls = sorted(w for w, _ in runs)
    wall = statistics.median(walls)
    peaks = [k for _, k in runs if k is not None]
    peak_kib = max(peaks) if peaks else None
    report = json.loads(report_path.read_text())
    items = {i["id"]: i for i in report["items"]}
    recon = items["trading.logic.order-reconciliation"]
    values = recon["evidence"]["values"]
    size = log.stat().st_size
    print(f"orders: {args.orders}, rows: {values['orders'] + values['fills'] + args.orders}, "
          f"file: {size / 2**20:.0f} MiB")
    print(f"wall: {wall:.2f} s (median of {len(walls)}, {walls[0]:.2f}-{walls[-1]:.2f}){' on one core' if args.one_core else ''}, "
          f"{args.orders / wall / 1e6:.2f} million orders/s "
          f"({size / wall / 2**20:.0f} MiB/s), most open at once: {values['max_open']}")
    if peak_kib is not None:
        print(f"peak memory: {peak_kib / 1024:.0f} MiB")
    for item in report["items"]:
        print(f"  {item['id']}: {item['status']}: {item['message']}")
    if values["orders"] != args.orders:
        sys.exit(f"expected {args.orders} orders in the report, found {values['orders']}")
    if any(i["status"] != "pass" for i in report["items"]):
        sys.exit("a clean log must pass every item")


if __name__ == "__main__":
    main()
