"""PyTorch reference trajectories for the optimizers, clipping and schedules.

Run: /usr/bin/python3 tools/gen_optim_fixtures.py → test/fixtures/optim/*.safetensors
Optimizer cases: float64 parameters `param.<j>`, fixed gradients `grad.<step>.<j>` (absent
when a parameter gets no gradient at that step: PyTorch skips it) and the parameters
after each step `after.<step>.<j>`; options in metadata["config"] with our option names.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_write import write  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "optim")
STEPS = 5
SHAPES = [(3, 2), (4,), (1, 3)]

# (case name, torch class, torch kwargs, our class name, our options)
CASES = [
    ("sgd_plain", torch.optim.SGD, dict(lr=0.1), "SGD", dict(lr=0.1)),
    ("sgd_momentum", torch.optim.SGD, dict(lr=0.05, momentum=0.9), "SGD", dict(lr=0.05, momentum=0.9)),
    ("sgd_nesterov_wd", torch.optim.SGD, dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01), "SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weightDecay=0.01)),
    ("sgd_dampening_max", torch.optim.SGD, dict(lr=0.05, momentum=0.5, dampening=0.3, maximize=True), "SGD", dict(lr=0.05, momentum=0.5, dampening=0.3, maximize=True)),
    ("adam_plain", torch.optim.Adam, dict(lr=0.01), "Adam", dict(lr=0.01)),
    ("adam_amsgrad", torch.optim.Adam, dict(lr=0.01, amsgrad=True, betas=(0.8, 0.99)), "Adam", dict(lr=0.01, amsgrad=True, betas=[0.8, 0.99])),
    ("adam_wd", torch.optim.Adam, dict(lr=0.01, weight_decay=0.1, eps=1e-6), "Adam", dict(lr=0.01, weightDecay=0.1, eps=1e-6)),
    ("adamw", torch.optim.AdamW, dict(lr=0.01), "AdamW", dict(lr=0.01)),
    ("adamw_amsgrad_wd", torch.optim.AdamW, dict(lr=0.02, weight_decay=0.05, amsgrad=True), "AdamW", dict(lr=0.02, weightDecay=0.05, amsgrad=True)),
    ("rmsprop_plain", torch.optim.RMSprop, dict(lr=0.01), "RMSprop", dict(lr=0.01)),
    ("rmsprop_centered_momentum", torch.optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.9, weight_decay=0.01), "RMSprop", dict(lr=0.01, centered=True, momentum=0.9, weightDecay=0.01)),
    ("adagrad", torch.optim.Adagrad, dict(lr=0.1), "Adagrad", dict(lr=0.1)),
    ("adagrad_decay", torch.optim.Adagrad, dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.1, weight_decay=0.02), "Adagrad", dict(lr=0.1, lrDecay=0.05, initialAccumulatorValue=0.1, weightDecay=0.02)),
]


def run_case(name, cls, kw, ours, our_opts, groups=False):
    g = torch.Generator().manual_seed(hash(name) % 10000)
    params = [torch.randn(s, generator=g, dtype=torch.float64).float().double().requires_grad_(True) for s in SHAPES]
    tensors = {f"param.{j}": p.detach().clone() for j, p in enumerate(params)}
    if groups:
        opt = cls([{"params": params[:2]}, {"params": params[2:], "lr": kw["lr"] * 3}], **kw)
    else:
        opt = cls(params, **kw)
    for step in range(1, STEPS + 1):
        opt.zero_grad(set_to_none=True)
        for j, p in enumerate(params):
            if step == 2 and j == 1:
                continue  # no gradient for this parameter at this step
            gr = torch.randn(p.shape, generator=g, dtype=torch.float64).float().double()
            p.grad = gr.clone()
            tensors[f"grad.{step}.{j}"] = gr
        opt.step()
        for j, p in enumerate(params):
            tensors[f"after.{step}.{j}"] = p.detach().clone()
    cfg = dict(optimizer=ours, options=our_opts, steps=STEPS, numParams=len(params), groups=groups)
    write(os.path.join(OUT, name + ".safetensors"), tensors, {"config": json.dumps(cfg)})


def schedules():
    out = {}
    metrics = [1.0, 0.9, 0.95, 0.96, 0.97, 0.8, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86] * 3

    def trace(make, n=30, metric=False):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        sch = make(opt)
        lrs = []
        for e in range(n):
            opt.step()
            if metric:
                sch.step(metrics[e])
            else:
                sch.step()
            lrs.append(opt.param_groups[0]["lr"])
        return lrs

    out["StepLR"] = dict(args=dict(stepSize=7, gamma=0.5), lrs=trace(lambda o: torch.optim.lr_scheduler.StepLR(o, 7, 0.5)))
    out["ExponentialLR"] = dict(args=dict(gamma=0.9), lrs=trace(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9)))
    out["CosineAnnealingLR"] = dict(args=dict(tMax=30, etaMin=0.001), lrs=trace(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 30, 0.001)))
    out["ReduceLROnPlateau"] = dict(args=dict(patience=2, factor=0.5, cooldown=1, threshold=0.01), metrics=metrics[:30],
                                    lrs=trace(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, patience=2, factor=0.5, cooldown=1, threshold=0.01), metric=True))
    # Warm-up then cosine: PyTorch composes LinearLR and CosineAnnealingLR with SequentialLR.
    def warmup_cosine(o):
        lin = torch.optim.lr_scheduler.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5)
        cos = torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=0.002)
        return torch.optim.lr_scheduler.SequentialLR(o, [lin, cos], milestones=[5])
    out["WarmupCosineLR"] = dict(args=dict(warmup=5, total=25, etaMin=0.002, startFactor=0.1), lrs=trace(warmup_cosine))
    with open(os.path.join(OUT, "schedules.json"), "w") as f:
        json.dump(out, f, indent=1)


def clipping():
    out = []
    g = torch.Generator().manual_seed(3)
    for norm_type, max_norm in [(2.0, 1.0), (float("inf"), 0.5), (2.0, 100.0), (3.0, 0.7)]:
        params = [torch.zeros(s, dtype=torch.float64, requires_grad=True) for s in SHAPES]
        grads = [torch.randn(s, generator=g, dtype=torch.float64) * 2 for s in SHAPES]
        for p, gr in zip(params, grads):
            p.grad = gr.clone()
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
        out.append(dict(normType="inf" if norm_type == float("inf") else norm_type, maxNorm=max_norm, total=total.item(),
                        grads=[gr.flatten().tolist() for gr in grads], clipped=[p.grad.flatten().tolist() for p in params]))
    with open(os.path.join(OUT, "clip.json"), "w") as f:
        json.dump(out, f)


def main():
    os.makedirs(OUT, exist_ok=True)
    for c in CASES:
        run_case(*c)
    run_case("adam_two_groups", torch.optim.Adam, dict(lr=0.01), "Adam", dict(lr=0.01), groups=True)
    schedules()
    clipping()
    print("wrote optimizer, schedule and clipping fixtures to", os.path.relpath(OUT))


if __name__ == "__main__":
    main()
