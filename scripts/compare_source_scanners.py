"""Side-by-side timing and accuracy: preflight's source scanners vs their peers.

    python3 scripts/compare_source_scanners.py [--min-mb 520] [--runs 3]
        [--timeout 240] [--slow 60]

The corpus: target/scanner-corpus, built once (a manifest,
target/scanner-corpus.json, records it) by hard-linking (copying where a link
fails) the text files of real source trees on this machine, in this order,
until more than `--min-mb` MB are gathered: the cargo registry sources
(~/.cargo/registry/src), then the standard libraries (with their
site-packages) of the pyenv Pythons, newest first, then /usr/lib/python3*.
Text file: a regular file of at most 16 MiB without a NUL byte in its first
8 KiB. Hidden files and directories (so `.gitignore` files too), `__pycache__`
and symbolic links are left out, so that ripgrep (which skips hidden files and
honours `.gitignore` only in git checkouts) and preflight (which scans hidden
files and honours `.gitignore` everywhere) read the same files.

Markers (`code.review.no-todo-fixme`): `rg -c` with the four default markers (ripgrep,
from Debian; installed with `apt-get install -y ripgrep` when missing) and
`rg -c -w ...` (whole words, as preflight matches) vs the release `preflight`
binary running the item on the corpus. `rg -c` counts matching lines;
`rg --count-matches -w` (run once, untimed) counts occurrences, which is what
preflight counts. Each command runs once to warm the caches, then the best of
`--runs` is kept. Target: preflight within 1.5x of `rg -c`.

Secrets (`security.access.no-hardcoded-credentials`): the peers are installed
idempotently under target/secret-peers: a venv with the PyPI packages
`kingfisher-bin` and `detect-secrets`, and `secretlint` with
`@secretlint/secretlint-rule-preset-recommend` from npm. A peer that cannot be
installed or run is reported as unavailable, with the error. Each tool scans
the corpus with its default rules (kingfisher: `--no-validate --git-history
none`, no network; detect-secrets: `scan --all-files`; secretlint: the
recommended preset on `corpus/**/*`): best of `--runs` after the fixture run
(which warms kingfisher's rule cache; the corpus is already in the page cache
from ripgrep). A peer run longer than `--slow` seconds is not repeated, and a
run is killed after `--timeout` seconds (its time is then a lower bound, shown
as `>T`). Target: preflight at least 2x faster than the fastest peer.

Fixtures (/work/shared/testdata/secrets/secretlint, see its README): every case
directory named `ng.*` or `ok.*` without a `.secretlintrc.json` (those cases
depend on a secretlint option, which the other tools do not have; they are
left out for every tool). Each case's input files (everything but
`output.json`) are copied to target/secret-peers/fixtures/<rule>/<case>/ and
given to each tool as an explicit file list, default configuration.
Per-case measure: recall = share of `ng.*` cases where the tool reports at
least one finding in the case's files; false positives = number of `ok.*`
cases where it reports one or more. Target: preflight's recall >= the fastest
peer's and its false-positive cases <= that peer's.

Exits non-zero when a comparison is broken: preflight or ripgrep fails, or the
corpus is smaller than `--min-mb`.
"""

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGET = ROOT / "target"
CORPUS = TARGET / "scanner-corpus"
MANIFEST = TARGET / "scanner-corpus.json"
PEERS = TARGET / "secret-peers"
FIXTURES_SRC = pathlib.Path("/work/shared/testdata/secrets/secretlint")
FIXTURES = PEERS / "fixtures"
PREFLIGHT = TARGET / "release" / "preflight"
MARKER_ID = "code.review.no-todo-fixme"
SECRET_ID = "security.access.no-hardcoded-credentials"
PATTERN = "TODO|FIXME|XXX|HACK"  # preflight: allow(marker)
MAX_FILE = 16 << 20
MB = 1e6


# ---------------------------------------------------------------- corpus


def candidate_sources():
    home = pathlib.Path.home()
    out = [("cargo-registry", home / ".cargo" / "registry" / "src")]
    versions = sorted(
        (home / ".pyenv" / "versions").glob("*/lib/python*"),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in p.parts[-3].split(".")],
        reverse=True,
    )
    for lib in versions:
        if lib.is_dir():
            out.append((f"pyenv-{lib.parts[-3]}-stdlib", lib))
    for lib in sorted(pathlib.Path("/usr/lib").glob("python3*")):
        if lib.is_dir():
            out.append((f"usr-lib-{lib.name}", lib))
    return out


def is_text(path, size):
    if size > MAX_FILE:
        return False
    try:
        with open(path, "rb") as f:
            return b"\0" not in f.read(8192)
    except OSError:
        return False


def build_corpus(min_mb):
    if MANIFEST.exists() and CORPUS.is_dir():
        manifest = json.loads(MANIFEST.read_text())
        if manifest["bytes"] > min_mb * MB:
            return manifest
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    CORPUS.mkdir(parents=True)
    total_files = total_bytes = 0
    sources = []
    for label, src in candidate_sources():
        if total_bytes > min_mb * MB:
            break
        files = nbytes = 0
        for dirpath, dirnames, filenames in os.walk(src):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and d != "__pycache__")
            rel = pathlib.Path(dirpath).relative_to(src)
            for name in sorted(filenames):
                if name.startswith("."):
                    continue
                path = pathlib.Path(dirpath) / name
                try:
                    st = path.lstat()
                except OSError:
                    continue
                if not path.is_file() or path.is_symlink() or not is_text(path, st.st_size):
                    continue
                dest = CORPUS / label / rel / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(path, dest)
                except OSError:
                    shutil.copy2(path, dest)
                files += 1
                nbytes += st.st_size
        sources.append({"label": label, "source": str(src), "files": files, "bytes": nbytes})
        total_files += files
        total_bytes += nbytes
        print(f"  corpus: {label} <- {src}: {files} files, {nbytes / MB:.0f} MB", flush=True)
    manifest = {"sources": sources, "files": total_files, "bytes": total_bytes}
    MANIFEST.write_text(json.dumps(manifest, indent=2))
    return manifest


# ---------------------------------------------------------------- running


class Failed(Exception):
    pass


def run(cmd, timeout, cwd=None, ok=(0,)):
    """Runs `cmd`; returns (seconds, stdout); raises Failed or TimeoutError."""
    start = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired:
        raise TimeoutError(timeout)
    except OSError as e:
        raise Failed(f"{cmd[0]}: {e}")
    took = time.perf_counter() - start
    if p.returncode not in ok:
        err = (p.stderr or p.stdout).decode(errors="replace").strip().splitlines()
        raise Failed(f"exit {p.returncode}: {' | '.join(err[-3:])[:400]}")
    return took, p.stdout


def best_of(cmd, runs, timeout, slow, warm=True, cwd=None, ok=(0,)):
    """Best wall time of `runs` (after one warm-up when `warm`); (time, stdout, timed_out)."""
    if warm:
        try:
            t, _ = run(cmd, timeout, cwd, ok)
        except TimeoutError:
            return timeout, None, True
        if t > slow:
            runs = 1
    best, out = None, None
    for _ in range(runs):
        try:
            t, o = run(cmd, timeout, cwd, ok)
        except TimeoutError:
            return timeout, out, True
        if best is None or t < best:
            best, out = t, o
        if t > slow:
            break
    return best, out, False


def preflight_config(directory, item, params):
    lines = [f'[checks."{item}"]']
    for key, value in params.items():
        lines.append(f"{key} = {json.dumps(value)}")
    path = directory / "preflight.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def preflight_cmd(config, item, report):
    # exit 1 means "not ready", which is not an error here (max is set high).
    return [str(PREFLIGHT), "run", "--config", str(config), "--id", item,
            "--format", "json", "--output", str(report)]


def preflight_item(report):
    data = json.loads(pathlib.Path(report).read_text())
    item = data["items"][0]
    if item.get("status") not in ("pass", "fail"):
        raise Failed(f"preflight: status {item.get('status')}: {item.get('message')}")
    return item


# ---------------------------------------------------------------- peers


def ensure_rg():
    if shutil.which("rg"):
        return None
    p = subprocess.run(["apt-get", "install", "-y", "ripgrep"], capture_output=True, text=True)
    if p.returncode != 0 or not shutil.which("rg"):
        return f"apt-get install -y ripgrep failed: {p.stderr.strip()[-300:]}"
    print("  installed ripgrep with apt-get", flush=True)
    return None


def ensure_peers():
    """Returns {name: argv prefix or error string}."""
    tools = {}
    venv = PEERS / "venv"
    py = venv / "bin" / "python"
    err = None
    if not py.exists():
        p = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
        if p.returncode != 0:
            err = f"venv: {p.stderr.strip()[-300:]}"
    for name, package, exe in (("kingfisher", "kingfisher-bin", "kingfisher"),
                               ("detect-secrets", "detect-secrets", "detect-secrets")):
        path = venv / "bin" / exe
        if err:
            tools[name] = err
            continue
        if not path.exists():
            p = subprocess.run([str(py), "-m", "pip", "install", "-q", package],
                               capture_output=True, text=True)
            if p.returncode != 0 or not path.exists():
                tools[name] = f"pip install {package}: {p.stderr.strip()[-300:]}"
                continue
        tools[name] = [str(path)]
    npm_dir = PEERS / "npm"
    secretlint = npm_dir / "node_modules" / ".bin" / "secretlint"
    preset = npm_dir / "node_modules" / "@secretlint" / "secretlint-rule-preset-recommend"
    if not (secretlint.exists() and preset.exists()):
        if not shutil.which("npm"):
            tools["secretlint"] = "npm not found"
        else:
            p = subprocess.run(["npm", "install", "--prefix", str(npm_dir), "secretlint",
                                "@secretlint/secretlint-rule-preset-recommend"],
                               capture_output=True, text=True)
            if p.returncode != 0 or not secretlint.exists():
                tools["secretlint"] = f"npm install: {p.stderr.strip()[-300:]}"
    if "secretlint" not in tools:
        rc = npm_dir / ".secretlintrc.json"
        rc.write_text(json.dumps({"rules": [{"id": "@secretlint/secretlint-rule-preset-recommend"}]}))
        tools["secretlint"] = [str(secretlint), "--secretlintrc", str(rc), "--format", "json",
                               "--maskSecrets", "--no-color"]
    return tools


def peer_command(name, prefix, targets):
    if name == "kingfisher":
        return prefix + ["scan", *targets, "--no-validate", "--git-history", "none",
                         "--no-dedup", "-f", "jsonl", "--no-update-check"], (0, 200, 205)
    if name == "detect-secrets":
        return prefix + ["scan", "--all-files", *targets], (0,)
    if name == "secretlint":
        out = PEERS / "secretlint-out.json"
        if out.exists():
            out.unlink()
        return prefix + ["--output", str(out)] + targets, (0, 1)
    raise ValueError(name)


def peer_findings(name, out):
    """{absolute or given path: number of findings} from a peer's output."""
    counts = {}
    text = out.decode(errors="replace")
    if name == "kingfisher":
        for line in text.splitlines():
            line = line.strip()
            if not line.startswith("{"):
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            path = (obj.get("finding") or {}).get("path")
            if path:
                counts[path] = counts.get(path, 0) + 1
    elif name == "detect-secrets":
        for path, items in json.loads(text).get("results", {}).items():
            counts[path] = counts.get(path, 0) + len(items)
    elif name == "secretlint":
        out_file = PEERS / "secretlint-out.json"
        text = out_file.read_text(errors="replace") if out_file.exists() else text
        start = text.find("[")
        for result in json.loads(text[start:]) if start >= 0 else []:
            n = len(result.get("messages", []))
            if n:
                counts[result["filePath"]] = counts.get(result["filePath"], 0) + n
    return counts


def norm(path):
    return os.path.realpath(path)


# ---------------------------------------------------------------- fixtures


def build_fixtures():
    """Copies the usable cases; returns [(case name, kind, [files])]."""
    if FIXTURES.exists():
        shutil.rmtree(FIXTURES)
    cases = []
    for case in sorted(FIXTURES_SRC.glob("*/*")):
        kind = case.name.split(".")[0]
        if not case.is_dir() or kind not in ("ng", "ok") or (case / ".secretlintrc.json").exists():
            continue
        files = []
        for f in sorted(case.rglob("*")):
            if f.is_file() and f.name != "output.json":
                dest = FIXTURES / case.relative_to(FIXTURES_SRC) / f.relative_to(case)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(f, dest)
                files.append(dest)
        if files:
            cases.append((f"{case.parent.name}/{case.name}", kind, files))
    return cases


def score(cases, counts, base=FIXTURES):
    counts = {norm(os.path.join(base, p)): n for p, n in counts.items()}
    hit_ng = fp_ok = 0
    missed, false = [], []
    for name, kind, files in cases:
        found = sum(counts.get(norm(f), 0) for f in files)
        if kind == "ng":
            hit_ng += found > 0
            if not found:
                missed.append(name)
        elif found:
            fp_ok += 1
            false.append(name)
    return hit_ng, fp_ok, missed, false


def preflight_fixture_counts(cases, timeout):
    """One run per case (the JSON report lists the first 50 findings only): {file: count}."""
    counts = {}
    report = PEERS / "preflight-fixtures.json"
    for _, _, files in cases:
        rel = [str(f.relative_to(FIXTURES)) for f in files]
        config = preflight_config(FIXTURES, SECRET_ID, {"paths": rel, "max": 1000000})
        run(preflight_cmd(config, SECRET_ID, report), timeout, ok=(0, 1))
        counts[str(files[0])] = preflight_item(report)["evidence"]["values"]["count"]
        config.unlink()
    return counts, None


# ---------------------------------------------------------------- main


def fmt_time(t, timed_out):
    return f">{t:.0f}" if timed_out else f"{t:.2f}"


def fmt_rate(mb, t, timed_out):
    return f"<{mb / t:.1f}" if timed_out else f"{mb / t:.1f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-mb", type=float, default=520)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=240, help="seconds per peer run")
    ap.add_argument("--slow", type=float, default=60, help="a run longer than this is not repeated")
    args = ap.parse_args()
    broken = []

    if not PREFLIGHT.exists():
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "preflight-probes",
                        "--bin", "preflight"], cwd=ROOT, check=True)

    print("Corpus:", flush=True)
    manifest = build_corpus(args.min_mb)
    mb = manifest["bytes"] / MB
    print(f"  {CORPUS}: {manifest['files']} text files, {mb:.1f} MB, from:")
    for s in manifest["sources"]:
        print(f"    {s['label']:<28} {s['files']:>7} files {s['bytes'] / MB:>8.1f} MB  ({s['source']})")
    if manifest["bytes"] <= args.min_mb * MB:
        broken.append(f"corpus only {mb:.0f} MB")
    labels = [s["label"] for s in manifest["sources"]]

    # ------------------------------------------------------------ markers
    print("\nMarkers:", flush=True)
    rg_error = ensure_rg()
    rows = []
    rg_best = None
    if rg_error:
        print(f"  ripgrep unavailable: {rg_error}")
        broken.append("ripgrep unavailable")
    else:
        version = subprocess.run(["rg", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        print(f"  {version}")
        for label, extra in (("rg -c", []), ("rg -c -w", ["-w"])):
            cmd = ["rg", "-c", *extra, PATTERN, str(CORPUS)]
            try:
                t, out, _ = best_of(cmd, args.runs, 600, 1e9)
            except (Failed, TimeoutError) as e:
                broken.append(f"{label}: {e}")
                continue
            count = sum(int(line.rsplit(b":", 1)[1]) for line in out.splitlines() if line)
            rows.append((f"{label} (lines)", t, count, len(out.splitlines())))
            if label == "rg -c":
                rg_best = t
        _, out = run(["rg", "--count-matches", "-w", PATTERN, str(CORPUS)], 600, ok=(0, 1))
        occurrences = sum(int(line.rsplit(b":", 1)[1]) for line in out.splitlines() if line)
    config = preflight_config(CORPUS, MARKER_ID, {"paths": labels, "max": 1000000})
    report = TARGET / "scanner-markers-report.json"
    pf_markers = None
    try:
        t, _, _ = best_of(preflight_cmd(config, MARKER_ID, report), args.runs, 600, 1e9, ok=(0, 1))
        values = preflight_item(report)["evidence"]["values"]
        pf_markers = t
        rows.append(("preflight (occurrences)", t, values["count"], values["files_scanned"]))
        print(f"  preflight: {values['files_scanned']} files, {values['bytes_scanned'] / MB:.1f} MB scanned, "
              f"{values['files_skipped']} skipped")
    except (Failed, TimeoutError, KeyError) as e:
        broken.append(f"preflight markers: {e}")
    print(f"\n  {'tool':<26} {'time s':>8} {'MB/s':>8} {'count':>9} {'files':>8}")
    for name, t, count, files in rows:
        print(f"  {name:<26} {t:>8.3f} {mb / t:>8.1f} {count:>9} {files:>8}")
    if not rg_error:
        print(f"  (rg --count-matches -w, untimed: {occurrences} occurrences; "
              "'files' is files with a match for rg, files scanned for preflight)")
    marker_ok = None
    if rg_best and pf_markers:
        ratio = pf_markers / rg_best
        marker_ok = ratio <= 1.5
        print(f"\n  preflight / rg -c = {ratio:.2f}x  (target <= 1.50x): {'MET' if marker_ok else 'NOT MET'}")

    # ------------------------------------------------------------ secrets
    print("\nSecrets:", flush=True)
    cases = build_fixtures()
    n_ng = sum(1 for c in cases if c[1] == "ng")
    n_ok = len(cases) - n_ng
    print(f"  fixtures: {n_ng} ng cases, {n_ok} ok cases (cases with a .secretlintrc.json left out)")
    tools = ensure_peers()
    table = []  # (tool, time, timed_out, findings, recall, fp, note)
    unavailable = {}
    details = {}
    try:
        counts, _ = preflight_fixture_counts(cases, 120)
        hit, fp, missed, false = score(cases, counts)
        details["preflight"] = (missed, false)
        config = preflight_config(CORPUS, SECRET_ID, {"paths": labels, "max": 1000000})
        report = TARGET / "scanner-secrets-report.json"
        t, _, _ = best_of(preflight_cmd(config, SECRET_ID, report), args.runs, 600, 1e9, ok=(0, 1))
        values = preflight_item(report)["evidence"]["values"]
        table.append(("preflight", t, False, values["count"], hit, fp, ""))
    except (Failed, TimeoutError, KeyError) as e:
        broken.append(f"preflight secrets: {e}")
    for name in ("kingfisher", "detect-secrets", "secretlint"):
        prefix = tools.get(name)
        if isinstance(prefix, str):
            unavailable[name] = prefix
            continue
        try:
            cmd, ok = peer_command(name, prefix, [str(f) for _, _, fs in cases for f in fs])
            _, out = run(cmd, args.timeout, cwd=FIXTURES, ok=ok)
            hit, fp, missed, false = score(cases, peer_findings(name, out))
            details[name] = (missed, false)
            target = [f"{CORPUS}/**/*"] if name == "secretlint" else [str(CORPUS)]
            cmd, ok = peer_command(name, prefix, target)
            print(f"  timing {name} on the corpus ...", flush=True)
            t, out, timed_out = best_of(cmd, args.runs, args.timeout, args.slow, warm=False,
                                        cwd=CORPUS, ok=ok)
            findings = "-" if out is None else sum(peer_findings(name, out).values())
            table.append((name, t, timed_out, findings, hit, fp,
                          f"killed after {args.timeout:.0f} s" if timed_out else ""))
        except (Failed, TimeoutError, ValueError, KeyError) as e:
            unavailable[name] = f"run failed: {e}"

    print(f"\n  {'tool':<16} {'time s':>8} {'MB/s':>8} {'findings':>9} {'recall (ng)':>14} {'FP cases (ok)':>14}  note")
    for name, t, timed_out, findings, hit, fp, note in table:
        print(f"  {name:<16} {fmt_time(t, timed_out):>8} {fmt_rate(mb, t, timed_out):>8} {findings!s:>9} "
              f"{hit:>3}/{n_ng} {100 * hit / n_ng:>5.1f}% {fp:>7}/{n_ok:<6}  {note}")
    for name, err in unavailable.items():
        print(f"  {name:<16} unavailable: {err}")
    for name, (missed, false) in details.items():
        print(f"  {name}: missed {len(missed)} ng cases: {', '.join(missed) or '-'}")
        print(f"  {name}: flagged {len(false)} ok cases: {', '.join(false) or '-'}")

    secret_ok = None
    pf = next((r for r in table if r[0] == "preflight"), None)
    peers = [r for r in table if r[0] != "preflight"]
    if pf and peers:
        fastest = min(peers, key=lambda r: r[1])
        speedup = fastest[1] / pf[1]
        speed_ok = speedup >= 2
        quality_ok = pf[4] >= fastest[4] and pf[5] <= fastest[5]
        secret_ok = speed_ok and quality_ok
        bound = " (at least: the peer was killed)" if fastest[2] else ""
        print(f"\n  fastest peer: {fastest[0]}; speed-up of preflight = {speedup:.2f}x{bound} "
              f"(target >= 2x): {'MET' if speed_ok else 'NOT MET'}")
        print(f"  recall {pf[4]}/{n_ng} vs {fastest[4]}/{n_ng}, FP cases {pf[5]} vs {fastest[5]}: "
              f"{'MET' if quality_ok else 'NOT MET'}")
        for r in peers:
            print(f"    vs {r[0]}: {r[1] / pf[1]:.2f}x{'+' if r[2] else ''}, recall {r[4]} vs {pf[4]}, "
                  f"FP {r[5]} vs {pf[5]}")
    elif not peers:
        print("\n  no peer could be run: the secret-scan comparison is incomplete")
        broken.append("no secret peer available")

    print("\nTargets: markers", {True: "MET", False: "NOT MET", None: "n/a"}[marker_ok],
          "| secrets", {True: "MET", False: "NOT MET", None: "n/a"}[secret_ok])
    if broken:
        print("Broken comparison:", "; ".join(broken))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
