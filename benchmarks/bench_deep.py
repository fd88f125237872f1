"""Deep feature throughput: volumes per second of MedicalNet backbones.

Times the whole extraction path (DataLoader, MedicalNet preprocessing, forward
pass, pooling). Weights do not change the arithmetic, so the seeded random
backbone is timed; on a GPU the forward pass runs in bfloat16 autocast.

    python benchmarks/bench_deep.py [--device cuda] [--volumes 8]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import torch

from difficulty.networks import medicalnet

CASES = [(10, (64, 64, 64)), (50, (64, 64, 64)), (10, (56, 224, 224)), (50, (56, 224, 224))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--volumes", type=int, default=8, help="volumes per case (more on a GPU)")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--workers", type=int, default=min(8, os.cpu_count() or 1) if torch.cuda.is_available() else 0)
    args = parser.parse_args()
    torch.set_num_threads(os.cpu_count() or 1)
    name = torch.cuda.get_device_name() if args.device.startswith("cuda") else f"CPU, {torch.get_num_threads()} threads"
    precision = "bf16 autocast" if args.device.startswith("cuda") else "fp32"
    print(f"# {name}, {precision}, batch {args.batch_size}, {args.workers} loader workers")
    print(f"{'model':<12}{'input':<14}{'volumes/s':>10}")
    rng = np.random.default_rng(0)
    for depth, size in CASES:
        model = medicalnet.build_backbone(depth, seed=0)
        images = rng.uniform(0, 255, (args.volumes, *size)).astype(np.float32)
        medicalnet.extract(
            model, images[: args.batch_size], size, args.batch_size, args.device, args.workers
        )  # warm-up
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        start = time.perf_counter()
        features = medicalnet.extract(model, images, size, args.batch_size, args.device, args.workers)
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        rate = len(images) / (time.perf_counter() - start)
        assert features.shape == (args.volumes, model.out_features)
        print(f"resnet{depth:<6}{'x'.join(map(str, size)):<14}{rate:>10.2f}", flush=True)


if __name__ == "__main__":
    main()
