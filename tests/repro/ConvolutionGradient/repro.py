# The same check as Program.cs, for PyTorch: a float32 CPU convolution (oneDNN) against a float64 reference built
# from unfold and matmul, which never reaches oneDNN. Prints one line per case; exits 1 if any case is wrong.
import sys
import torch
import torch.nn.functional as F

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, mkldnn enabled: {torch.backends.mkldnn.enabled}")
wrong = 0
for in_channels, out_channels in [(1, 3), (4, 1), (17, 1), (16, 16)]:
    torch.manual_seed(0)
    x = torch.randn(32, in_channels, 10, 10, dtype=torch.float64)
    w = torch.randn(out_channels, in_channels, 3, 3, dtype=torch.float64)
    g = torch.randn(32, out_channels, 10, 10, dtype=torch.float64)
    # Reference: y = W · patches, dL/dx = fold(Wᵀ · g).
    y_ref = (w.view(out_channels, -1) @ F.unfold(x, 3, padding=1)).view(32, out_channels, 10, 10)
    gx_ref = F.fold(w.view(out_channels, -1).t() @ g.view(32, out_channels, -1), (10, 10), 3, padding=1)
    xf = x.float().requires_grad_()
    y = F.conv2d(xf, w.float(), padding=1)
    y.backward(g.float())
    forward_error = (y.double() - y_ref).abs().max().item()
    gradient_error = (xf.grad.double() - gx_ref).abs().max().item()
    bad = not (forward_error < 1e-3 and gradient_error < 1e-3)
    wrong += bad
    print(f"conv2d {in_channels} -> {out_channels} channels: max forward error {forward_error:.3g}, "
          f"max input-gradient error {gradient_error:.3g}{'  WRONG' if bad else ''}")
sys.exit(1 if wrong else 0)
