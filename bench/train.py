"""Training throughput: one SGD step of a 784-256-128-10 ReLU/softmax network, float32.

    python bench/train.py [--threads 1] [--quick]

Samples/s for mlpcore's native backend, its numpy backend and PyTorch (when
installed: ``pip install torch==2.13.0``), same network, same thread count, at
batch 1/32/128/512; also batch-1 forward latency. Writes bench/results/train-<t>t.json.
"""

from __future__ import annotations

import argparse
import sys

from _harness import pin_threads

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--quick", action="store_true")
args = parser.parse_args()
pin_threads(args.threads)

import mlpcore as mc
import numpy as np
from _harness import environment, print_table, time_call, write_json
import itertools

SIZES = (784, 256, 128, 10)
#: flop per trained sample: forward + weight gradients + input gradients of layers 2..L
FLOP_PER_SAMPLE = 2 * (784 * 256 + 256 * 128 + 128 * 10) * 2 + 2 * (
    256 * 128 + 128 * 10
)


def mlpcore_step(backend: str, batch: int) -> tuple[float, float]:
    layers = [mc.Dense(a, b, "relu") for a, b in itertools.pairwise(SIZES[:-1])]
    layers.append(mc.Dense(SIZES[-2], SIZES[-1], "softmax"))
    net = mc.Network(
        layers, loss="cross_entropy", dtype="float32", backend=backend, seed=0
    )
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], size=batch)
    opt = mc.SGD(lr=1e-3)

    def step() -> None:
        _, grads, _ = net._backprop(x, y)
        opt.apply(net, grads)

    x1 = x[:1]
    return time_call(step, min_time=0.1), time_call(
        lambda: net.forward(x1), min_time=0.05
    )


def torch_step(batch: int) -> tuple[float, float] | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256),
        torch.nn.ReLU(),
        torch.nn.Linear(256, 128),
        torch.nn.ReLU(),
        torch.nn.Linear(128, 10),
    )
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    x = torch.randn(batch, 784)
    y = torch.randint(0, 10, (batch,))

    def step() -> None:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    def infer() -> None:
        with torch.inference_mode():
            model(x[:1])

    return time_call(step, min_time=0.1), time_call(infer, min_time=0.05)


def main() -> None:
    env = environment()
    print(
        f"threads {args.threads} (mlpcore {mc.get_num_threads()}); kernels {env['kernels']}"
    )
    batches = [1, 32, 512] if args.quick else [1, 32, 128, 512]
    rows = []
    for batch in batches:
        row: dict[str, object] = {"batch": batch}
        for name, timer in (
            ("native", lambda: mlpcore_step("native", batch)),
            ("numpy", lambda: mlpcore_step("numpy", batch)),
            ("torch", lambda: torch_step(batch)),
        ):
            timing = timer()
            row[name] = batch / timing[0] if timing else float("nan")
            row[f"{name}_fwd1_us"] = timing[1] * 1e6 if timing else float("nan")
        row["vs_numpy"] = row["native"] / row["numpy"]  # type: ignore[operator]
        row["vs_torch"] = row["native"] / row["torch"]  # type: ignore[operator]
        row["peak_pct"] = (
            100 * row["native"] * FLOP_PER_SAMPLE / 1e9 / (117 * args.threads)
        )  # type: ignore[operator]
        rows.append(row)
    print_table(
        rows,
        [
            ("batch", "batch", ""),
            ("native", "native sm/s", ",.0f"),
            ("numpy", "numpy sm/s", ",.0f"),
            ("torch", "torch sm/s", ",.0f"),
            ("vs_numpy", "native/numpy", ".2f"),
            ("vs_torch", "native/torch", ".2f"),
            ("peak_pct", "% peak", ".0f"),
        ],
    )
    print(
        f"batch-1 forward latency: native {rows[0]['native_fwd1_us']:.1f} µs, "
        f"numpy {rows[0]['numpy_fwd1_us']:.1f} µs, torch {rows[0]['torch_fwd1_us']:.1f} µs"
    )
    if rows[0]["torch"] != rows[0]["torch"]:
        print("(PyTorch not installed: pip install torch==2.13.0)")
    path = write_json(f"train-{args.threads}t", {"environment": env, "results": rows})
    print(f"wrote {path}", file=sys.stderr)


main()
