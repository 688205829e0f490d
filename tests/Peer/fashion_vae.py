"""PyTorch peer of examples/FashionVae: the same architecture, loss, optimiser and batch size, to compare test losses.

Run with Debian's PyTorch (apt-get install python3-torch):  /usr/bin/python3 tests/Peer/fashion_vae.py [epochs]
"""
import gzip
import struct
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F

FOLDER = "/usr/share/datasets/fashion-mnist"


def read_idx(name):
    with gzip.open(f"{FOLDER}/{name}", "rb") as file:
        data = file.read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return torch.frombuffer(bytearray(data[4 + 4 * rank:]), dtype=torch.uint8).reshape(dims)


class FashionVae(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU())
        self.mean = nn.Linear(256, 2)
        self.log_var = nn.Linear(256, 2)
        self.decoder = nn.Sequential(nn.Linear(2, 256), nn.ReLU(), nn.Linear(256, 512), nn.ReLU(), nn.Linear(512, 784))

    def loss(self, x):
        features = self.encoder(x)
        mean, log_var = self.mean(features), self.log_var(features)
        z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
        logits = self.decoder(z).view(-1, 1, 28, 28)
        reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
        kl = -0.5 * torch.sum(1 + log_var - mean.pow(2) - log_var.exp()) / x.shape[0]
        return reconstruction + kl, reconstruction, kl


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    torch.manual_seed(1)
    train = read_idx("train-images-idx3-ubyte.gz").float().div(255).unsqueeze(1)
    test = read_idx("t10k-images-idx3-ubyte.gz").float().div(255).unsqueeze(1)
    model = FashionVae()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(1, epochs + 1):
        started = time.time()
        model.train()
        for indices in torch.randperm(len(train)).split(128):
            optimizer.zero_grad()
            total, _, _ = model.loss(train[indices])
            total.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            terms = torch.stack([torch.stack(model.loss(batch)) * len(batch) for batch in test.split(256)]).sum(0) / len(test)
        print(f"epoch {epoch}: {time.time() - started:.1f} s; test total {terms[0]:.2f}, reconstruction {terms[1]:.2f}, kl {terms[2]:.2f}")


if __name__ == "__main__":
    main()
