"""Yardstick for `npm run bench:train`: the same LSTM training step in PyTorch (CPU), on the same batches.

Reads the batches written by bench/train.ts (time-major x [T, B, I], y and w [T, B], float32; no numpy needed) and
serves timing requests on stdin, one JSON line each way, so that the bench can interleave it with tfjs:
  {"arm": "onednn" | "blas", "seconds": s}  ->  {"steps": n, "seconds": dt, "cpuSeconds": c, "supervisedDays": d}
The first line printed describes this torch: version, BLAS (build-time and the library loaded at run time), oneDNN,
threads. Model: LSTM(H) + Linear(H, 1) + softplus, masked weighted squared error, Adam.
"""
import json
import sys
import time

import torch

spec = json.load(open(sys.argv[1]))
torch.set_num_threads(spec["threads"])
torch.manual_seed(0)
T, B, I, H = spec["time"], spec["batch"], spec["input"], spec["hidden"]


def read(path, shape):
    with open(path, "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(shape)


batches = []
for b in spec["batches"]:
    x, y, w = read(b["x"], (T, B, I)), read(b["y"], (T, B)), read(b["w"], (T, B))
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


def loaded_blas():
    """Shared libraries of a BLAS that this process has mapped (what libblas.so.3 resolved to, MKL, OpenBLAS)."""
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            p = line.split()[-1]
            if "numpy.libs" in p:  # numpy's private OpenBLAS, loaded with numpy, not used by torch
                continue
            if any(k in p for k in ("blas", "mkl", "lapack")) and p.endswith((".so", ".3", ".so.0", ".2")):
                libs.add(p)
    return sorted(libs)


config = torch.__config__.show()
blas_info = next((s.split("=")[1] for s in config.replace(",", "\n").split("\n") if "BLAS_INFO" in s), "?")
# Run one step with oneDNN off so that the BLAS it uses is loaded before we look.
torch.backends.mkldnn.enabled = False
step(*batches[0])
print(
    json.dumps(
        {
            "torch": torch.__version__,
            "blasInfo": blas_info.strip(),
            "blasLoaded": loaded_blas(),
            "onednn": torch.backends.mkldnn.is_available(),
            "threads": torch.get_num_threads(),
        }
    ),
    flush=True,
)
warm = set()
for line in sys.stdin:
    req = json.loads(line)
    torch.backends.mkldnn.enabled = req["arm"] == "onednn"
    if req["arm"] not in warm:
        step(*batches[0])
        warm.add(req["arm"])
    steps, days = 0, 0.0
    t0, c0 = time.perf_counter(), time.process_time()
    while True:
        for x, y, w, n in batches:
            step(x, y, w, n)
            steps += 1
            days += n
        dt = time.perf_counter() - t0
        if dt >= req["seconds"]:
            break
    cpu = time.process_time() - c0
    print(json.dumps({"steps": steps, "seconds": dt, "cpuSeconds": cpu, "supervisedDays": days}), flush=True)
