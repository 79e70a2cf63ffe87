"""Yardstick for `npm run bench:train`: the same LSTM training step in PyTorch (CPU), on the same batches.

Reads the batches written by bench/train.ts (time-major x [T, B, I], y and w [T, B], float32) and times Adam steps of
LSTM(H) + Linear(H, 1) + softplus with the masked, weighted squared error. Prints one JSON line.
"""
import json
import sys
import time

import numpy as np
import torch

spec = json.load(open(sys.argv[1]))
torch.set_num_threads(spec["threads"])
torch.manual_seed(0)
T, B, I, H = spec["time"], spec["batch"], spec["input"], spec["hidden"]
batches = []
for b in spec["batches"]:
    x = torch.from_numpy(np.fromfile(b["x"], dtype=np.float32).reshape(T, B, I))
    y = torch.from_numpy(np.fromfile(b["y"], dtype=np.float32).reshape(T, B))
    w = torch.from_numpy(np.fromfile(b["w"], dtype=np.float32).reshape(T, B))
    batches.append((x, y, w, float((w > 0).sum())))

lstm = torch.nn.LSTM(I, H)
head = torch.nn.Linear(H, 1)
opt = torch.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=1e-3)


def step(x, y, w, n):
    opt.zero_grad()
    h, _ = lstm(x)
    pred = torch.nn.functional.softplus(head(h)).squeeze(-1)
    loss = (w * (pred - y) ** 2).sum() / max(n, 1.0)
    loss.backward()
    opt.step()
    return loss.item()


for x, y, w, n in batches[:1]:
    step(x, y, w, n)  # warm-up
days = 0.0
t0 = time.perf_counter()
for _ in range(spec["repeats"]):
    for x, y, w, n in batches:
        step(x, y, w, n)
        days += n
dt = time.perf_counter() - t0
print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "seconds": dt, "supervisedDays": days}))
