"""PyTorch reference values for the loss functions and softmax ops.

Run: /usr/bin/python3 tools/gen_ops_fixtures.py  → test/fixtures/ops/<case>.safetensors
Each case stores its inputs, `out` and `grad.<input>` for the loss L = Σ out·proj
(`proj` stored too), computed in float64 from float32 inputs; metadata["config"] holds
the options as JSON.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from safetensors_write import write  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "ops")


NO_GRAD = {"weight", "pos_weight"}  # PyTorch does not differentiate w.r.t. these weights


def case(name, fn, inputs, config, int_inputs=None):
    tensors = {}
    xs = {}
    for k, v in inputs.items():
        tensors[k] = v.float()
        xs[k] = v.double().requires_grad_(k not in NO_GRAD)
    for k, v in (int_inputs or {}).items():
        tensors[k] = v.to(torch.int32)
    out = fn(**xs, **{k: v.long() for k, v in (int_inputs or {}).items()})
    proj = torch.randn(out.shape, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    (out * proj).sum().backward()
    tensors["out"] = out.detach().float()
    tensors["proj"] = proj.float()
    for k, v in xs.items():
        if v.grad is not None:
            tensors["grad." + k] = v.grad.float()
    write(os.path.join(OUT, name + ".safetensors"), tensors, {"config": json.dumps(config)})


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    N, C = 5, 4
    logits = torch.randn(N, C) * 2
    target = torch.tensor([0, 3, 1, 3, 2])
    target_ign = torch.tensor([0, -100, 1, 3, -100])
    w = torch.rand(C) + 0.5
    for red in ["mean", "sum", "none"]:
        case(f"ce_{red}", lambda logits, target: F.cross_entropy(logits, target, reduction=red),
             {"logits": logits}, {"op": "crossEntropy", "reduction": red}, {"target": target})
    case("ce_ignore", lambda logits, target: F.cross_entropy(logits, target, ignore_index=-100),
         {"logits": logits}, {"op": "crossEntropy", "reduction": "mean"}, {"target": target_ign})
    case("ce_weight", lambda logits, target, weight: F.cross_entropy(logits, target, weight=weight, ignore_index=-100),
         {"logits": logits, "weight": w}, {"op": "crossEntropy", "reduction": "mean", "useWeight": True}, {"target": target_ign})
    case("ce_smooth", lambda logits, target: F.cross_entropy(logits, target, label_smoothing=0.2),
         {"logits": logits}, {"op": "crossEntropy", "reduction": "mean", "labelSmoothing": 0.2}, {"target": target})
    case("ce_smooth_weight_ignore", lambda logits, target, weight: F.cross_entropy(logits, target, weight=weight, label_smoothing=0.1),
         {"logits": logits, "weight": w}, {"op": "crossEntropy", "reduction": "mean", "labelSmoothing": 0.1, "useWeight": True}, {"target": target_ign})
    seq_logits = torch.randn(2, C, 3)
    seq_target = torch.tensor([[1, 0, 3], [2, -100, 0]])
    case("ce_ndim", lambda logits, target: F.cross_entropy(logits, target),
         {"logits": seq_logits}, {"op": "crossEntropy", "reduction": "mean"}, {"target": seq_target})
    x = torch.randn(3, 4)
    t = torch.randn(3, 4)
    for red in ["mean", "sum", "none"]:
        case(f"mse_{red}", lambda input, target: F.mse_loss(input, target, reduction=red),
             {"input": x, "target": t}, {"op": "mseLoss", "reduction": red})
    xb = torch.randn(3, 4) * 5
    tb = torch.rand(3, 4)
    pw = torch.rand(4) + 0.5
    case("bce_mean", lambda logits, target: F.binary_cross_entropy_with_logits(logits, target),
         {"logits": xb, "target": tb}, {"op": "bceWithLogits", "reduction": "mean"})
    case("bce_posweight_sum", lambda logits, target, pos_weight: F.binary_cross_entropy_with_logits(logits, target, pos_weight=pos_weight, reduction="sum"),
         {"logits": xb, "target": tb, "pos_weight": pw}, {"op": "bceWithLogits", "reduction": "sum", "usePosWeight": True})
    s = torch.randn(2, 3, 4) * 3
    case("softmax_dim1", lambda x: F.softmax(x, dim=1), {"x": s}, {"op": "softmax", "dim": 1})
    case("log_softmax_last", lambda x: F.log_softmax(x, dim=-1), {"x": s}, {"op": "logSoftmax", "dim": -1})
    print("wrote", len([f for f in os.listdir(OUT) if f.endswith('.safetensors')]), "op fixtures")


if __name__ == "__main__":
    main()
