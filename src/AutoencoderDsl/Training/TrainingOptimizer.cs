using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using AutoencoderDsl.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoencoderDsl.Training;

/// <summary>What the trainer needs of an optimizer: a step, cleared gradients, a rate to set, and a state to save.</summary>
internal abstract class TrainingOptimizer : IDisposable
{
    /// <summary>The step size of the next <see cref="Step()"/>.</summary>
    public abstract double LearningRate { get; set; }

    /// <summary>Clears the gradients before the next backward pass.</summary>
    public abstract void ZeroGrad();

    /// <summary>Applies one update from the gradients the last backward pass left.</summary>
    public abstract void Step();

    /// <summary>
    /// Whether every gradient the last backward pass left (after any clipping) is finite: a boolean scalar on the
    /// parameters' device, not read here, so the caller reads it with the loss in one transfer. Call it before
    /// <see cref="Step()"/>.
    /// </summary>
    public abstract Tensor GradientsFinite();

    /// <summary>
    /// Whether every element of <paramref name="values"/> is finite, from their sum: one pass that allocates nothing of
    /// their size (42 µs for the MLP VAE's 653k gradients, where <c>isfinite().all()</c> took 818 µs, 8 % of an epoch).
    /// A NaN or an infinity makes the sum non-finite; so does a sum past the float range, which only a diverging
    /// gradient reaches.
    /// </summary>
    protected static Tensor Finite(Tensor values) => values.sum().isfinite();

    /// <summary>Whether <see cref="Step(Tensor)"/> can skip an update on a flag it never reads on the host.</summary>
    public virtual bool SkipsOnDevice => false;

    /// <summary>
    /// <see cref="Step()"/> where <paramref name="apply"/>, a boolean scalar on the parameters' device, is true; where
    /// it is false every parameter and moment keeps its value. The flag stays on the device, so a GPU does not wait.
    /// </summary>
    public virtual void Step(Tensor apply) => throw new NotSupportedException($"{GetType().Name} reads every step's flag on the host.");

    public abstract void Save(BinaryWriter writer);

    /// <summary>
    /// The state in memory, for a rollback or the next <c>Fit</c>: copies of the state's tensors where the optimizer
    /// keeps them itself, otherwise what <see cref="Save"/> writes. <paramref name="reuse"/>, an earlier snapshot of
    /// this optimizer, is overwritten instead of allocating another.
    /// </summary>
    public virtual OptimizerSnapshot Snapshot(OptimizerSnapshot? reuse = null)
    {
        var snapshot = reuse as SavedState ?? new SavedState();
        snapshot.Bytes.SetLength(0);
        using var writer = new BinaryWriter(snapshot.Bytes, System.Text.Encoding.UTF8, leaveOpen: true);
        Save(writer);
        return snapshot;
    }

    /// <summary>Puts back a <see cref="Snapshot"/> of this optimizer, or of one made by the same choice for the same parameters.</summary>
    public virtual void Restore(OptimizerSnapshot snapshot)
    {
        var saved = (SavedState)snapshot;
        saved.Bytes.Position = 0;
        using var reader = new BinaryReader(saved.Bytes, System.Text.Encoding.UTF8, leaveOpen: true);
        Load(reader);
    }

    /// <summary>What <see cref="Save"/> wrote, kept in memory.</summary>
    private sealed class SavedState : OptimizerSnapshot
    {
        public MemoryStream Bytes { get; } = new();

        public override void Dispose() => Bytes.Dispose();
    }

    /// <summary>Restores what <see cref="Save"/> wrote for the same parameters; <see cref="InvalidDataException"/> when it does not fit.</summary>
    public abstract void Load(BinaryReader reader);

    /// <summary>
    /// <see cref="Load"/> of all of <paramref name="state"/>, or nothing: when it fails part-way (the bytes are damaged
    /// or another optimizer's), the state held before is put back and the failure rethrown.
    /// </summary>
    public void LoadOrKeep(ReadOnlyMemory<byte> state)
    {
        var before = new MemoryStream();
        using (var writer = new BinaryWriter(before, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            Save(writer);
        }

        try
        {
            using var reader = new BinaryReader(new MemoryStream(state.ToArray(), writable: false));
            Load(reader);
            if (reader.BaseStream.Position != reader.BaseStream.Length)
            {
                throw new InvalidDataException($"{reader.BaseStream.Length - reader.BaseStream.Position} bytes follow the optimizer's state.");
            }
        }
        catch
        {
            before.Position = 0;
            using var reader = new BinaryReader(before);
            Load(reader);
            throw;
        }
    }

    public abstract void Dispose();
}

/// <summary>An optimizer's state held in memory by <see cref="TrainingOptimizer.Snapshot"/>.</summary>
internal abstract class OptimizerSnapshot : IDisposable
{
    public abstract void Dispose();
}

/// <summary>One of TorchSharp's optimizers, its gradients set to none between steps rather than zeroed.</summary>
internal sealed class LibTorchOptimizer(OptimizerHelper optimizer, IReadOnlyList<Parameter> parameters) : TrainingOptimizer
{
    public override double LearningRate
    {
        get => optimizer.ParamGroups.First().LearningRate;
        set
        {
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = value;
            }
        }
    }

    // None rather than zeros: the backward pass then hands each gradient over instead of adding it to zeros, as
    // PyTorch's zero_grad(set_to_none=True) does; TorchSharp's optimizers skip a parameter without a gradient.
    public override void ZeroGrad()
    {
        foreach (var parameter in parameters)
        {
            parameter.grad = null;
        }
    }

    public override void Step() => optimizer.step();

    public override Tensor GradientsFinite()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var sums = parameters.Select(parameter => parameter.grad).OfType<Tensor>().Select(gradient => gradient.sum().reshape(1)).ToArray();
        return (sums.Length == 0 ? tensor(true, device: parameters[0].device) : Finite(cat(sums))).MoveToOuterDisposeScope();
    }

    public override void Save(BinaryWriter writer) => optimizer.save_state_dict(writer);

    public override void Load(BinaryReader reader) => optimizer.load_state_dict(reader);

    public override void Dispose() => optimizer.Dispose();
}

/// <summary>
/// Adam, or AdamW, over one contiguous buffer: while training, the parameters are views into one flat tensor, each
/// starting on a 256-byte boundary (for float32) as the matrix kernels prefer, so a step is one call of libtorch's fused
/// kernel (<c>_fused_adam_</c> or <c>_fused_adamw_</c>, reached through TorchScript since TorchSharp binds neither) over
/// all parameters at once: one pass that reads the weights, gradient and moments and writes them back, where seven
/// element-wise kernels took 1.8 times as long (docs/performance.md, "A fused Adam step"). The gradients are set to
/// none between steps, so the backward pass hands each one over instead of adding it to zeros, and a step first
/// gathers them into the flat gradient (one copy, cheaper than zeroing and accumulating). Within a few ulps of
/// <c>torch.optim.Adam</c> (the tests compare the two). <see cref="Dispose"/> gives every parameter its own storage again.
/// </summary>
internal sealed class FlatAdam : TrainingOptimizer
{
    private const string StateTag = "AutoencoderDsl.FlatAdam/1";

    /// <summary>Each parameter starts at a multiple of this many elements.</summary>
    private const long Alignment = 64;

    private Parameter[] parameters;
    private readonly long[] offsets;
    private readonly Tensor[] gradientViews;
    private readonly Tensor weights;

    /// <summary>
    /// While a bfloat16 working copy trains (<see cref="AttachWorkingCopy"/>), its flat buffer and its parameters, views
    /// into it: the passes run on them, their gradients are gathered into the float32 gradient, and each step casts the
    /// float32 weights, the masters, back into them. Null in float32.
    /// </summary>
    private Tensor? workingWeights;
    private Parameter[]? working;
    private readonly Tensor gradients;
    private readonly Tensor firstMoment;
    private readonly Tensor secondMoment;

    /// <summary>The step count the kernel reads: one float32 element on the parameters' device, as the kernels take it.</summary>
    private readonly Tensor stepCount;

    /// <summary>1 where a step is to be skipped, the kernels' <c>found_inf</c>: one float32 element on the parameters' device.</summary>
    private readonly Tensor skip;

    /// <summary>The <c>found_inf</c> of a step without a flag: always 0, so the kernel always steps.</summary>
    private readonly Tensor never;

    // Scalars held for the optimizer's life rather than numbers converted on each call (see Update).
    private readonly Scalar beta1;
    private readonly Scalar beta2;
    private readonly Scalar epsilon;
    private readonly Scalar weightDecay;

    /// <summary>The TorchScript function of <see cref="FusedKernels"/> this optimizer steps with.</summary>
    private readonly string kernel;
    private long steps;

    /// <summary>Whether <see cref="GradientsFinite"/> has already gathered this step's gradients into the flat buffer.</summary>
    private bool gathered;

    private FlatAdam(Parameter[] parameters, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, bool decoupledDecay)
    {
        this.parameters = parameters;
        LearningRate = learningRate;
        this.beta1 = beta1.ToScalar();
        this.beta2 = beta2.ToScalar();
        this.epsilon = epsilon.ToScalar();
        this.weightDecay = weightDecay.ToScalar();
        kernel = decoupledDecay ? "adamw" : "adam";
        offsets = new long[parameters.Length];
        long count = 0;
        for (int i = 0; i < parameters.Length; i++)
        {
            offsets[i] = count;
            count += (parameters[i].numel() + Alignment - 1) / Alignment * Alignment;
        }

        var first = parameters[0];
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // The padding between parameters stays zero in every buffer, so its update is zero too.
        weights = zeros(count, first.dtype, first.device).MoveToOuterDisposeScope();
        gradients = zeros(count, first.dtype, first.device).MoveToOuterDisposeScope();
        firstMoment = zeros(count, first.dtype, first.device).MoveToOuterDisposeScope();
        secondMoment = zeros(count, first.dtype, first.device).MoveToOuterDisposeScope();
        stepCount = zeros(1, ScalarType.Float32, first.device).MoveToOuterDisposeScope();
        skip = zeros(1, ScalarType.Float32, first.device).MoveToOuterDisposeScope();
        never = zeros(1, ScalarType.Float32, first.device).MoveToOuterDisposeScope();
        gradientViews = new Tensor[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            var parameter = parameters[i];
            long size = parameter.numel();
            var weightView = weights.narrow(0, offsets[i], size).view(parameter.shape);
            weightView.copy_(parameter);
            parameter.set_(weightView);
            parameter.grad = null;
            gradientViews[i] = gradients.narrow(0, offsets[i], size).view(parameter.shape).MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// A flat Adam over <paramref name="parameters"/>, or null when they cannot share one buffer (mixed element types or
    /// devices, or none that trains).
    /// </summary>
    public static TrainingOptimizer? TryCreate(IReadOnlyList<Parameter> parameters, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, bool decoupledDecay)
    {
        var trained = parameters.Where(parameter => parameter.requires_grad).ToArray();
        if (trained.Length == 0 || trained.Length != parameters.Count
            || trained.Any(parameter => parameter.dtype != trained[0].dtype || parameter.device_type != trained[0].device_type || parameter.device_index != trained[0].device_index || !is_floating_point(parameter)))
        {
            return null;
        }

        return new FlatAdam(trained, learningRate, beta1, beta2, epsilon, weightDecay, decoupledDecay);
    }

    public override double LearningRate { get; set; }

    public override void ZeroGrad()
    {
        gathered = false;
        foreach (var parameter in working ?? parameters)
        {
            parameter.grad = null;
        }
    }

    public override void Step() => Update(apply: null);

    public override bool SkipsOnDevice => true;

    public override void Step(Tensor apply) => Update(apply);

    /// <summary>One sum over the flat gradient, which the step needs gathered anyway.</summary>
    public override Tensor GradientsFinite()
    {
        Gather();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return Finite(gradients).MoveToOuterDisposeScope();
    }

    private void Gather()
    {
        gathered = true;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var source = working ?? parameters;
        for (int i = 0; i < source.Length; i++)
        {
            // A parameter the loss does not reach has no gradient: zero, as for torch.optim.Adam after its first step.
            // A working copy's bfloat16 gradient is cast to float32 by the copy.
            if (source[i].grad is { } gradient)
            {
                gradientViews[i].copy_(gradient);
            }
            else
            {
                gradientViews[i].zero_();
            }
        }
    }

    private void Update(Tensor? apply)
    {
        if (!gathered)
        {
            Gather();
        }

        gathered = false;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // A skipped step still counts: it happens only in a diverging epoch, which training then rolls back whole.
        steps++;
        // TorchSharp 0.107 frees a Scalar converted implicitly from a number in its finalizer, which can run on the
        // finalizer thread while the native call reading it is still running (the Scalar is garbage once its handle is
        // read): a "corrupt" scalar then fails the step at random under garbage-collection pressure. CompilationUnit's
        // invoke converts numbers so too; every number here is a Scalar held past the call.
        using var count = ((double)steps).ToScalar();
        using var rate = LearningRate.ToScalar();
        stepCount.fill_(count);
        // The kernel reads the flag itself and returns at once when it is 1, leaving weights and moments as they were.
        if (apply is not null)
        {
            skip.copy_(apply.logical_not());
        }

        var updated = FusedKernels.Value.invoke<Tensor[]>(kernel, weights, gradients, firstMoment, secondMoment, stepCount, rate, beta1, beta2, weightDecay, epsilon, apply is null ? never : skip);

        foreach (var handle in updated)
        {
            handle.Dispose();
        }

        if (working is not null)
        {
            workingWeights!.copy_(weights);
        }
    }

    /// <summary>
    /// Starts training a copy of the weights in <paramref name="type"/> (bfloat16): <paramref name="workingParameters"/>,
    /// the model's parameters after it was converted to that type, in the same order as the float32 ones, become views
    /// into one flat buffer holding the float32 weights cast, so a step updates them with one cast.
    /// </summary>
    public void AttachWorkingCopy(Parameter[] workingParameters, ScalarType type)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        workingWeights ??= empty(weights.numel(), type, weights.device).DetachFromDisposeScope();
        workingWeights.copy_(weights);
        for (int i = 0; i < workingParameters.Length; i++)
        {
            workingParameters[i].set_(workingWeights.narrow(0, offsets[i], workingParameters[i].numel()).view(workingParameters[i].shape));
        }

        working = workingParameters;
    }

    /// <summary>
    /// Ends a working copy's training: <paramref name="float32Parameters"/>, the model's parameters converted back, in
    /// the same order, become views into the float32 weights again, which hold every update unrounded.
    /// </summary>
    public void DetachWorkingCopy(Parameter[] float32Parameters)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        for (int i = 0; i < float32Parameters.Length; i++)
        {
            float32Parameters[i].set_(weights.narrow(0, offsets[i], float32Parameters[i].numel()).view(float32Parameters[i].shape));
        }

        parameters = float32Parameters;
        working = null;
    }

    /// <summary>
    /// Adam and AdamW through libtorch's fused kernels, each list holding one tensor (the flat buffers), with the skip
    /// flag as <c>found_inf</c>. Each function returns the list of weights it updated: TorchScript drops a call whose
    /// results nothing uses, and the in-place kernel returns none. Compiled once for the process and never disposed
    /// (TorchSharp 0.107's CompilationUnit frees nothing on disposal).
    /// </summary>
    private static readonly Lazy<jit.CompilationUnit> FusedKernels = new(() => jit.compile("""
        def adam(param: Tensor, grad: Tensor, exp_avg: Tensor, exp_avg_sq: Tensor, step: Tensor, lr: float, beta1: float, beta2: float, weight_decay: float, eps: float, found_inf: Tensor):
            params = [param]
            torch._fused_adam_(params, [grad], [exp_avg], [exp_avg_sq], [], [step], lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False, found_inf=found_inf)
            return params

        def adamw(param: Tensor, grad: Tensor, exp_avg: Tensor, exp_avg_sq: Tensor, step: Tensor, lr: float, beta1: float, beta2: float, weight_decay: float, eps: float, found_inf: Tensor):
            params = [param]
            torch._fused_adamw_(params, [grad], [exp_avg], [exp_avg_sq], [], [step], lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False, maximize=False, found_inf=found_inf)
            return params

        """));

    public override void Save(BinaryWriter writer)
    {
        writer.Write(StateTag);
        writer.Write(steps);
        writer.Write(weights.numel());
        firstMoment.Save(writer);
        secondMoment.Save(writer);
    }

    /// <summary>The step count and copies of the two moments: two memory copies, where writing them out took tens of milliseconds.</summary>
    public override OptimizerSnapshot Snapshot(OptimizerSnapshot? reuse = null)
    {
        using var noGrad = no_grad();
        if (reuse is Moments moments && moments.First.numel() == firstMoment.numel())
        {
            moments.First.copy_(firstMoment);
            moments.Second.copy_(secondMoment);
            moments.Steps = steps;
            return moments;
        }

        reuse?.Dispose();
        // Detached: a snapshot outlives any dispose scope the caller trains in.
        return new Moments(steps, firstMoment.clone().DetachFromDisposeScope(), secondMoment.clone().DetachFromDisposeScope());
    }

    public override void Restore(OptimizerSnapshot snapshot)
    {
        var moments = (Moments)snapshot;
        using var noGrad = no_grad();
        firstMoment.copy_(moments.First);
        secondMoment.copy_(moments.Second);
        steps = moments.Steps;
    }

    private sealed class Moments(long steps, Tensor first, Tensor second) : OptimizerSnapshot
    {
        public long Steps { get; set; } = steps;

        public Tensor First { get; } = first;

        public Tensor Second { get; } = second;

        public override void Dispose()
        {
            First.Dispose();
            Second.Dispose();
        }
    }

    public override void Load(BinaryReader reader)
    {
        string tag = reader.ReadString();
        if (tag != StateTag)
        {
            throw new InvalidDataException($"The optimizer state is not this library's Adam state (it starts '{FileText.Printable(tag, 32)}').");
        }

        long savedSteps = reader.ReadInt64();
        if (savedSteps < 0)
        {
            throw new InvalidDataException($"The optimizer state counts {savedSteps} steps; a count cannot be negative.");
        }

        long count = reader.ReadInt64();
        if (count != weights.numel())
        {
            throw new InvalidDataException($"The optimizer state is for a buffer of {count:N0} elements, but this model's parameters need {weights.numel():N0}.");
        }

        using var noGrad = no_grad();
        firstMoment.Load(reader);
        secondMoment.Load(reader);

        // Moments that are not finite, or a negative second moment (its square root is taken), would turn the next step's parameters to NaN.
        using (NewDisposeScope())
        {
            if (!firstMoment.isfinite().all().item<bool>() || !(secondMoment.isfinite() & secondMoment.ge(0)).all().item<bool>())
            {
                throw new InvalidDataException("The optimizer state holds moments that are not finite, or a negative second moment.");
            }
        }

        steps = savedSteps;
    }

    public override void Dispose()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var parameter in parameters)
        {
            parameter.set_(parameter.detach().clone());
        }

        foreach (var view in gradientViews)
        {
            view.Dispose();
        }

        weights.Dispose();
        gradients.Dispose();
        firstMoment.Dispose();
        secondMoment.Dispose();
        stepCount.Dispose();
        skip.Dispose();
        never.Dispose();
        beta1.Dispose();
        beta2.Dispose();
        epsilon.Dispose();
        weightDecay.Dispose();
        workingWeights?.Dispose();
    }
}
