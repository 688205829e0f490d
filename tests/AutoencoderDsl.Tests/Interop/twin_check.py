"""Loads a model's exported twin and weights, and writes what the .NET test compares: decoded codes, the codes and
(for a vector-quantized model) code indices of a fixed batch, its loss terms, and decoded codes after a perturbation of
every weight, saved for the way back."""
import importlib.util
import os
import sys

import numpy as np
import torch

folder, name = sys.argv[1], sys.argv[2]


def load(file):
    path = os.path.join(folder, file)
    return torch.from_numpy(np.load(path, allow_pickle=False)) if os.path.exists(path) else None


spec = importlib.util.spec_from_file_location(name, os.path.join(folder, name + ".py"))
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = getattr(module, name)()
model.load_state_dict(torch.load(os.path.join(folder, name + ".pt"), weights_only=True), strict=True)
model.eval()

codes, labels, batch, noise = load("codes.npy"), load("labels.npy"), load("batch.npy"), load("noise.npy")
with torch.no_grad():
    np.save(os.path.join(folder, "decoded.npy"), model.decode(codes, labels).numpy())
    np.save(os.path.join(folder, "embedded.npy"), model.embed(batch, labels).numpy())
    encoded = model.encode(batch, labels)
    if isinstance(encoded, torch.Tensor) and encoded.dtype == torch.int64:
        np.save(os.path.join(folder, "indices.npy"), encoded.numpy())
    total, terms = model.loss(batch, labels=labels, noise=noise)
    np.save(os.path.join(folder, "losses.npy"), np.array([total.item()] + [value.item() for value in terms.values()], dtype=np.float64))

    # The corruption and sampling run too, though their draws cannot match the .NET model's.
    model.train()
    assert model.corrupt(batch).shape == batch.shape
    model.loss(batch, labels=labels, epoch=1)
    model.eval()
    if hasattr(model, "sample"):
        assert model.sample(3, labels[:3] if labels is not None else None).shape[1:] == batch.shape[1:]

    generator = torch.Generator().manual_seed(5)
    for parameter in model.parameters():
        parameter.add_(0.05 * torch.randn(parameter.shape, generator=generator))
    torch.save(model.state_dict(), os.path.join(folder, "perturbed.pt"))
    np.save(os.path.join(folder, "decoded-perturbed.npy"), model.decode(codes, labels).numpy())
print("ok")
