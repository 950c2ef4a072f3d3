"""Training throughput of a 784-256-128-10 ReLU/softmax network, float32.

    python bench/train.py [--threads 1] [--rounds 3] [--quick] [--no-memory]

Samples/s of ``Network.fit`` on the native backend (C++ engine + Cython data
source) and on the numpy backend, and of PyTorch's standard loop when installed
(``pip install torch==2.13.0``), same network, same thread count, batch
1/32/128/512, plain SGD. Each round times every library once per batch (A/B
alternated); the table shows medians over rounds and the median of the per-round
ratios. Also: batch-1 forward latency and the peak memory of one epoch of fit over
60,000 x 784 float32 samples (in a subprocess). Writes bench/results/train-<t>t.json.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

from _harness import pin_threads

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--quick", action="store_true")
parser.add_argument("--no-memory", action="store_true")
parser.add_argument(
    "--memory-child", choices=["native", "numpy"], help=argparse.SUPPRESS
)
args = parser.parse_args()
pin_threads(args.threads)

import itertools
from typing import Any

import mlpcore as mc
import numpy as np
from _harness import (
    cool_down,
    core_share,
    environment,
    print_table,
    time_call,
    write_json,
)

SIZES = (784, 256, 128, 10)
#: flop per trained sample: forward + weight gradients + input gradients of layers 2..L
FLOP_PER_SAMPLE = 2 * (784 * 256 + 256 * 128 + 128 * 10) * 2 + 2 * (
    256 * 128 + 128 * 10
)
PEAK_PER_CORE = 117e9  # measured FMA peak, float32 (../shared/PEERS.md)


def make_net(backend: str) -> mc.Network:
    layers = [mc.Dense(a, b, "relu") for a, b in itertools.pairwise(SIZES[:-1])]
    layers.append(mc.Dense(SIZES[-2], SIZES[-1], "softmax"))
    return mc.Network(
        layers, loss="cross_entropy", dtype="float32", backend=backend, seed=0
    )


def data(n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, SIZES[0]), dtype=np.float32), rng.integers(0, 10, n)


def epoch_rows(batch: int) -> int:
    return {1: 256, 32: 2048}.get(batch, 4096)


def mlpcore_rate(backend: str, batch: int) -> float:
    """Samples/s of fit over one epoch (shuffle, data source, steps, bookkeeping)."""
    net = make_net(backend)
    X, y = data(epoch_rows(batch))
    opt = mc.SGD(lr=1e-3)
    seconds = time_call(
        lambda: net.fit(X, y, epochs=1, batch_size=batch, optimizer=opt),
        min_time=0.3,
        repeats=5,
    )
    return len(X) / seconds


def torch_model(torch: Any) -> Any:
    """The same network in PyTorch: Linear + ReLU per hidden layer, logits out
    (CrossEntropyLoss applies the softmax)."""
    layers: list[Any] = []
    for a, b in itertools.pairwise(SIZES):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def torch_rate(batch: int) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torch_model(torch)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    X, y = data(epoch_rows(batch))
    xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def epoch() -> None:
        for start in range(0, len(xt), batch):
            opt.zero_grad()
            loss_fn(
                model(xt[start : start + batch]), yt[start : start + batch]
            ).backward()
            opt.step()

    return len(X) / time_call(epoch, min_time=0.3, repeats=5)


def forward_latency() -> dict[str, float]:
    x1 = data(1)[0]
    out = {}
    for backend in ("native", "numpy"):
        net = make_net(backend)
        out[backend] = time_call(lambda: net.forward(x1), min_time=0.1) * 1e6
    try:
        import torch
    except ImportError:
        out["torch"] = float("nan")
        return out
    model = torch_model(torch)
    xt = torch.from_numpy(x1)

    def infer() -> None:
        with torch.inference_mode():
            model(xt)

    out["torch"] = time_call(infer, min_time=0.1) * 1e6
    return out


def _status(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field))


def memory_child(backend: str) -> None:
    """Print (RSS before fit, peak RSS during fit, dataset) in KiB (Linux): the peak
    (VmHWM) is reset just before fit, so earlier transients do not count."""
    X, y = data(60_000)
    net = make_net(backend)
    net.fit(X[:256], y[:256], epochs=1, batch_size=128)  # warm: code, engine, pools
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")  # reset the peak resident set size
    before = _status("VmRSS")
    net.fit(X, y, epochs=1, batch_size=128, optimizer=mc.SGD(1e-3))
    print(before, _status("VmHWM"), X.nbytes // 1024)


def peak_memory(runs: int = 3) -> dict[str, float]:
    """Median over ``runs`` child processes per backend (VmRSS is sampled, so one
    reading can be off)."""
    out = {}
    for backend in ("native", "numpy"):
        extra = []
        for _ in range(runs):
            result = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--threads",
                    str(args.threads),
                    "--memory-child",
                    backend,
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            before, after, dataset = map(int, result.stdout.split())
            extra.append((after - before) / 1024)
        out[f"{backend}_fit_extra_mib"] = statistics.median(extra)
        out["dataset_mib"] = dataset / 1024
    return out


def main() -> None:
    if args.memory_child:
        memory_child(args.memory_child)
        return
    env = environment()
    print(
        f"threads {args.threads} (mlpcore {mc.get_num_threads()}, BLAS "
        f"{env['blas_threads']}); kernels {env['kernels']}; rounds {args.rounds}"
    )
    share_before = core_share(args.threads)
    batches = [1, 32, 512] if args.quick else [1, 32, 128, 512]
    peak = PEAK_PER_CORE * args.threads
    rows = []
    for batch in batches:
        runs: dict[str, list[float]] = {"native": [], "numpy": [], "torch": []}
        for _ in range(args.rounds):  # A/B alternated within each round
            cool_down(args.threads)
            runs["native"].append(mlpcore_rate("native", batch))
            cool_down(args.threads)
            runs["numpy"].append(mlpcore_rate("numpy", batch))
            cool_down(args.threads)
            rate = torch_rate(batch)
            runs["torch"].append(rate if rate is not None else float("nan"))
        row: dict[str, object] = {"batch": batch}
        for name, values in runs.items():
            row[name] = statistics.median(values)
            row[f"{name}_peak_pct"] = 100 * row[name] * FLOP_PER_SAMPLE / peak  # type: ignore[operator]
        row["vs_numpy"] = statistics.median(
            a / b for a, b in zip(runs["native"], runs["numpy"])
        )
        row["vs_torch"] = statistics.median(
            a / b for a, b in zip(runs["native"], runs["torch"])
        )
        rows.append(row)
        print(f"  batch {batch}: done", file=sys.stderr)
    print_table(
        rows,
        [
            ("batch", "batch", ""),
            ("native", "native sm/s", ",.0f"),
            ("native_peak_pct", "% peak", ".1f"),
            ("numpy", "numpy-backend sm/s", ",.0f"),
            ("numpy_peak_pct", "% peak", ".1f"),
            ("torch", "torch sm/s", ",.0f"),
            ("torch_peak_pct", "% peak", ".1f"),
            ("vs_numpy", "native/numpy", ".2f"),
            ("vs_torch", "native/torch", ".2f"),
        ],
    )
    share_after = core_share(args.threads)
    if args.threads > 1:
        print(
            f"share of whole cores before / after: {share_before:.2f} / "
            f"{share_after:.2f}"
        )
    latency = forward_latency()
    print(
        "batch-1 forward latency (µs): "
        + ", ".join(f"{k} {v:.1f}" for k, v in latency.items())
    )
    memory = {} if args.no_memory else peak_memory()
    if memory:
        print(
            f"fit over 60,000 x 784 float32 ({memory['dataset_mib']:.0f} MiB of data), "
            f"batch 128: peak RSS of fit above the RSS before it: native "
            f"{memory['native_fit_extra_mib']:.1f} MiB, numpy backend "
            f"{memory['numpy_fit_extra_mib']:.1f} MiB"
        )
    if rows[0]["torch"] != rows[0]["torch"]:
        print("(PyTorch not installed: pip install torch==2.13.0)")
    path = write_json(
        f"train-{args.threads}t",
        {
            "environment": env,
            "flop_per_sample": FLOP_PER_SAMPLE,
            "peak_flops": peak,
            "results": rows,
            "forward_latency_us": latency,
            "core_share_before_after": [share_before, share_after],
            "memory": memory,
        },
    )
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
