#!/usr/bin/env python3
"""Trains an AutoencoderDsl model's PyTorch twin with DistributedDataParallel.

Written by AutoencoderDsl's ExportPyTorch beside the twin (<Model>.py) and its weights (<Model>.pt). The data comes
from .npy files (NumPy, no pickle), which ExportData writes; the trained weights are written with torch.save, which
the .NET model's LoadPyTorch reads back.

One machine, N processes on the CPU (gloo) or one per GPU (NCCL):
    python3 train.py --model FashionVae --data train.npy --processes 2 --out trained.pt
Several machines: start this script on each with the launcher's environment (RANK, WORLD_SIZE, LOCAL_RANK,
MASTER_ADDR, MASTER_PORT), as torchrun sets it, or give --nodes, --node-rank and --master-addr yourself:
    python3 train.py --model FashionVae --data train.npy --nodes 2 --node-rank 0 --master-addr 10.0.0.1 --processes 4
"""
import argparse
import importlib.util
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="the model class, defined in <model>.py beside this script")
    parser.add_argument("--data", required=True, help="training examples, a .npy file of float32 [N, ...]")
    parser.add_argument("--labels", help="their classes, a .npy file of int64 [N], for a class-conditional model")
    parser.add_argument("--weights", help="weights to start from (torch.save format); the model's own initialisation when left out")
    parser.add_argument("--out", required=True, help="where rank 0 writes the trained weights (torch.save format)")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128, help="the total batch over every process; each takes its share")
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=int, default=1, help="processes on this machine: one per GPU, or any number on the CPU")
    parser.add_argument("--nodes", type=int, default=1, help="machines taking part")
    parser.add_argument("--node-rank", type=int, default=0, help="this machine's place among them, from 0")
    parser.add_argument("--master-addr", default="127.0.0.1", help="the address of the machine with node rank 0")
    parser.add_argument("--master-port", type=int, default=29500)
    parser.add_argument("--backend", choices=["auto", "gloo", "nccl"], default="auto", help="auto: NCCL when there are GPUs, gloo otherwise")
    return parser.parse_args()


def load_model_class(name):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


class LossOf(torch.nn.Module):
    """The twin's loss as its forward pass, so that DistributedDataParallel sees it and averages the gradients."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, batch, labels, epoch):
        return self.model.loss(batch, labels=labels, epoch=epoch)


def worker(local_rank, arguments):
    rank = int(os.environ.get("RANK", arguments.node_rank * arguments.processes + local_rank))
    world_size = int(os.environ.get("WORLD_SIZE", arguments.nodes * arguments.processes))
    local_rank = int(os.environ.get("LOCAL_RANK", local_rank))
    use_cuda = torch.cuda.is_available() and arguments.backend != "gloo"
    backend = "nccl" if use_cuda else "gloo"
    address = os.environ.get("MASTER_ADDR", arguments.master_addr)
    port = os.environ.get("MASTER_PORT", str(arguments.master_port))
    dist.init_process_group(backend, init_method=f"tcp://{address}:{port}", rank=rank, world_size=world_size)
    device = torch.device("cuda", local_rank) if use_cuda else torch.device("cpu")
    if not use_cuda:
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // max(1, arguments.processes)))

    # The same seed on every rank gives every replica the same initial weights; DistributedDataParallel checks them.
    torch.manual_seed(arguments.seed)
    model = load_model_class(arguments.model)()
    if arguments.weights:
        model.load_state_dict(torch.load(arguments.weights, map_location="cpu", weights_only=True), strict=True)
    model.to(device)
    torch.manual_seed(arguments.seed + rank)  # each rank its own noise and corruption draws
    ddp = DistributedDataParallel(LossOf(model), device_ids=[local_rank] if use_cuda else None)

    examples = torch.from_numpy(np.load(arguments.data, allow_pickle=False))
    tensors = [examples]
    if arguments.labels:
        tensors.append(torch.from_numpy(np.load(arguments.labels, allow_pickle=False)).long())
    data = TensorDataset(*tensors)
    sampler = DistributedSampler(data, num_replicas=world_size, rank=rank, shuffle=True, seed=arguments.seed)
    per_process = max(1, arguments.batch_size // world_size)
    loader = DataLoader(data, batch_size=per_process, sampler=sampler)
    optimizer = torch.optim.Adam(ddp.parameters(), lr=arguments.learning_rate)

    for epoch in range(1, arguments.epochs + 1):
        sampler.set_epoch(epoch)
        model.train()
        started = time.time()
        sums = torch.zeros(len(model.term_names) + 2, dtype=torch.float64)
        for batch in loader:
            inputs = batch[0].to(device)
            labels = batch[1].to(device) if len(batch) > 1 else None
            total, terms = ddp(inputs, labels, epoch)
            optimizer.zero_grad(set_to_none=True)
            total.backward()
            optimizer.step()
            count = inputs.shape[0]
            sums += torch.tensor([total.item() * count] + [value.item() * count for value in terms.values()] + [count], dtype=torch.float64)
        dist.all_reduce(sums)
        if rank == 0:
            means = ", ".join(f"{name} {value:.2f}" for name, value in zip(("total",) + tuple(model.term_names), (sums[:-1] / sums[-1]).tolist()))
            print(f"epoch {epoch}/{arguments.epochs}: {time.time() - started:.1f} s, train {means} ({world_size} processes)", flush=True)

    if rank == 0:
        state = {name: tensor.detach().cpu() for name, tensor in model.state_dict().items()}
        temporary = arguments.out + ".tmp"
        torch.save(state, temporary)
        os.replace(temporary, arguments.out)
        print(f"wrote {arguments.out}", flush=True)
    dist.barrier()
    dist.destroy_process_group()


def main():
    arguments = parse_arguments()
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
        worker(int(os.environ.get("LOCAL_RANK", 0)), arguments)
    elif arguments.processes == 1 and arguments.nodes == 1:
        worker(0, arguments)
    else:
        mp.spawn(worker, args=(arguments,), nprocs=arguments.processes, join=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
