"""CPU the parse pool adds over parsing the same documents in one warm process: its worker starts.

    .venv/bin/python -m bench.pool_start [--workers 2] [--docs 24] [--max-tasks 6] [--rounds 3]

Each measure runs in a fresh subprocess whose `__main__` is the `scrapy` script, as in `scrapy crawl`
(a spawned worker re-runs it). It parses `--docs` report pages of a generated portal (cycled) through
`ParsePool(workers, max_tasks=…, start=…)` and, for reference, in the subprocess itself after a warm-up
(imports done, jieba loaded). CPU is the subprocess's and its waited-for children's (workers, fork
server): the pool's minus the warm in-process parse, per worker start (the first `--workers` and one
per `--max-tasks` documents). "spawn" and "forkserver" alternate, the least of `--rounds` is printed;
a forkserver run without replacements splits its cost into the server's (once) and each worker's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRAPY = str(Path(sys.executable).with_name("scrapy"))


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measure(mode: str, workers: int, docs: int, max_tasks: int) -> dict:
    """In the subprocess: CPU s of parsing `docs` report pages with `mode` ("inline", "spawn", "forkserver")."""
    from bench.parse_profile import stage_documents
    from pipelines.pool import ParsePool

    pages = [d for d in stage_documents(1, 40) if d.kind == "page"]
    batch = [pages[i % len(pages)] for i in range(docs)]
    if mode == "inline":
        from pipelines.process import process

        for doc in pages:
            process(doc)  # imports, jieba and caches warm, as in a running worker
        start = _cpu()
        for doc in batch:
            process(doc)
        return {"cpu": _cpu() - start, "starts": 0, "rss": []}
    pool = ParsePool(workers=workers, timeout=120, max_tasks=max_tasks, start=mode)

    async def run() -> list[float]:
        await asyncio.gather(*(pool.submit(d) for d in batch))
        return pool.peak_rss_mb()

    start = _cpu()
    try:
        rss = asyncio.run(run())
    finally:
        pool.close()
    return {"cpu": _cpu() - start, "starts": pool.starts, "rss": rss}


def _child(mode: str, args: argparse.Namespace) -> dict:
    code = (
        "import sys\n"
        f"sys.modules['__main__'].__file__ = {SCRAPY!r}  # the crawl's main, which spawned workers re-run\n"
        "import scrapy.cmdline, json\n"
        "from bench.pool_start import measure\n"
        f"print(json.dumps(measure({mode!r}, {args.workers}, {args.docs}, {args.max_tasks})))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--docs", type=int, default=24, help="report pages parsed")
    parser.add_argument("--max-tasks", type=int, default=6, help="documents per worker before it is replaced")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    once = argparse.Namespace(**{**vars(args), "max_tasks": args.docs})  # no worker replaced
    runs = {"inline": ("inline", args), "spawn": ("spawn", args), "forkserver": ("forkserver", args),
            "forkserver, no replacement": ("forkserver", once)}
    best: dict[str, dict] = {}
    for _ in range(args.rounds):
        for name, (mode, a) in runs.items():
            r = _child(mode, a)
            if name not in best or r["cpu"] < best[name]["cpu"]:
                best[name] = r
    inline = best["inline"]["cpu"]
    print(f"{args.docs} report pages, {args.workers} workers; CPU s, least of {args.rounds} rounds")
    print(f"  in this process, warm: {inline:.2f} s")
    for name in ("spawn", "forkserver", "forkserver, no replacement"):
        r = best[name]
        extra = r["cpu"] - inline
        every = f"a worker replaced every {args.max_tasks} documents" if "no replacement" not in name else ""
        print(f"  pool, {name}{', ' + every if every else ''}: {r['cpu']:.2f} s, {r['starts']} worker starts: "
              f"{extra:+.2f} s, {extra * 1000 / max(r['starts'], 1):.0f} ms per worker start; worker peak RSS "
              + ", ".join(f"{m:.0f}" for m in r["rss"]) + " MB")
    many, few = best["forkserver"], best["forkserver, no replacement"]
    if many["starts"] > few["starts"]:
        fork = (many["cpu"] - few["cpu"]) / (many["starts"] - few["starts"])
        server = few["cpu"] - inline - few["starts"] * fork
        print(f"  forkserver: the server {server:.2f} s once, then {fork * 1000:.0f} ms per worker start "
              f"(spawn: {(best['spawn']['cpu'] - inline) * 1000 / max(best['spawn']['starts'], 1):.0f} ms)")


if __name__ == "__main__":
    main()
