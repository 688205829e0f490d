using System;
using System.IO;
using System.Linq;
using AutoencoderDsl.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Training;

/// <summary>The flat-buffer Adam that <c>Fit</c> uses (libtorch's fused kernel), against TorchSharp's Adam and AdamW on the same losses.</summary>
public sealed class FlatAdamTests(ITestOutputHelper output)
{
    public static TheoryData<OptimizerChoice, string> Choices => new()
    {
        { new AdamOptimizer(), "Adam" },
        { new AdamOptimizer { WeightDecay = 0.05, Beta1 = 0.8, Epsilon = 1e-6 }, "Adam, L2" },
        { new AdamWOptimizer { WeightDecay = 0.1 }, "AdamW" },
    };

    [Theory]
    [MemberData(nameof(Choices))]
    public void Forty_steps_stay_within_a_few_ulps_of_TorchSharps_optimizer(OptimizerChoice choice, string name)
    {
        using var flatModel = new TinyVae(seed: 3);
        using var reference = new TinyVae(seed: 3);
        using var data = TinyData.Create(64, seed: 5);
        var flatParameters = flatModel.parameters().ToArray();
        using var flat = choice.Create(flatParameters, 1e-2);
        Assert.IsType<FlatAdam>(flat);
        using var torchSharp = choice switch
        {
            AdamWOptimizer w => (OptimizerHelper)optim.AdamW(reference.parameters(), 1e-2, w.Beta1, w.Beta2, w.Epsilon, w.WeightDecay),
            AdamOptimizer a => optim.Adam(reference.parameters(), 1e-2, a.Beta1, a.Beta2, a.Epsilon, a.WeightDecay),
            _ => throw new ArgumentException(name),
        };

        for (int step = 0; step < 40; step++)
        {
            using var scope = NewDisposeScope();
            flat.LearningRate = step < 20 ? 1e-2 : 3e-3;
            foreach (var group in torchSharp.ParamGroups)
            {
                group.LearningRate = flat.LearningRate;
            }

            // The same reparameterisation draws for both: the losses differ only by the weights.
            torch.manual_seed(step);
            var flatLoss = ((ITrainableAutoencoder)flatModel).ComputeLoss(data, data, null).Total;
            torch.manual_seed(step);
            var referenceLoss = ((ITrainableAutoencoder)reference).ComputeLoss(data, data, null).Total;
            flat.ZeroGrad();
            flatLoss.backward();
            flat.Step();
            torchSharp.zero_grad();
            referenceLoss.backward();
            torchSharp.step();
        }

        double largest = 0;
        foreach (var (mine, theirs) in flatParameters.Zip(reference.parameters()))
        {
            double difference = (mine - theirs).abs().max().item<float>();
            Assert.True(difference < 2e-5, $"{name}: a parameter is {difference:E2} away from TorchSharp's after 40 steps.");
            largest = Math.Max(largest, difference);
        }

        // docs/performance.md quotes this line.
        output.WriteLine($"{name}: largest difference from TorchSharp's optimizer after 40 steps {largest:E2}");

        using var untrained = new TinyVae(seed: 3);
        Assert.NotEqual(0.0, (flatParameters[0] - untrained.parameters().First()).abs().max().item<float>());
    }

    /// <summary>A step given the device-side flag goes through the kernel's other entry (with <c>found_inf</c>); set to apply, it must change nothing.</summary>
    [Theory]
    [MemberData(nameof(Choices))]
    public void A_step_flagged_to_apply_matches_a_plain_step_bit_for_bit(OptimizerChoice choice, string name)
    {
        using var plainModel = new TinyVae(seed: 4);
        using var flaggedModel = new TinyVae(seed: 4);
        using var data = TinyData.Create(32, seed: 6);
        using var plain = choice.Create(plainModel.parameters().ToArray(), 1e-2);
        using var flagged = choice.Create(flaggedModel.parameters().ToArray(), 1e-2);
        using var apply = tensor(true);
        for (int step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            torch.manual_seed(step);
            var plainLoss = ((ITrainableAutoencoder)plainModel).ComputeLoss(data, data, null).Total;
            torch.manual_seed(step);
            var flaggedLoss = ((ITrainableAutoencoder)flaggedModel).ComputeLoss(data, data, null).Total;
            plain.ZeroGrad();
            plainLoss.backward();
            plain.Step();
            flagged.ZeroGrad();
            flaggedLoss.backward();
            flagged.Step(apply);
        }

        foreach (var (a, b) in plainModel.parameters().Zip(flaggedModel.parameters()))
        {
            Assert.True(a.equal(b).all().item<bool>(), $"{name}: a step flagged to apply must match a plain step bit for bit.");
        }

        using var untrained = new TinyVae(seed: 4);
        Assert.False(untrained.parameters().First().equal(plainModel.parameters().First()).all().item<bool>(), $"{name}: the steps must have moved the weights.");
    }

    [Fact]
    public void The_state_round_trips_and_refuses_another_models_state()
    {
        using var model = new TinyVae(seed: 1);
        using var data = TinyData.Create(32, seed: 2);
        using var optimizer = new AdamOptimizer().Create(model.parameters().ToArray(), 1e-2);
        TrainSteps(model, optimizer, data, 3);
        var saved = new MemoryStream();
        optimizer.Save(new BinaryWriter(saved));
        var weights = model.parameters().Select(parameter => parameter.detach().clone()).ToArray();

        using var twin = new TinyVae(seed: 1);
        foreach (var (target, source) in twin.parameters().Zip(weights))
        {
            using var noGrad = no_grad();
            target.copy_(source);
        }

        using var twinOptimizer = new AdamOptimizer().Create(twin.parameters().ToArray(), 1e-2);
        saved.Position = 0;
        twinOptimizer.Load(new BinaryReader(saved));
        TrainSteps(model, optimizer, data, 2);
        TrainSteps(twin, twinOptimizer, data, 2);
        foreach (var (a, b) in model.parameters().Zip(twin.parameters()))
        {
            Assert.True(a.equal(b).all().item<bool>(), "Two steps after a restored state must match the original run bit for bit.");
        }

        using var other = new TinyWideAutoencoder(seed: 1);
        using var otherOptimizer = new AdamOptimizer().Create(other.parameters().ToArray(), 1e-2);
        saved.Position = 0;
        var error = Assert.Throws<InvalidDataException>(() => otherOptimizer.Load(new BinaryReader(saved)));
        Assert.Contains("but this model's parameters need", error.Message);
    }

    [Fact]
    public void Disposing_gives_every_parameter_its_own_storage_again()
    {
        using var model = new TinyVae(seed: 1);
        var parameters = model.parameters().ToArray();
        var optimizer = new AdamOptimizer().Create(parameters, 1e-2);
        long shared = parameters[0].storage_offset() + parameters[1].storage_offset();
        Assert.NotEqual(0, shared);
        optimizer.Dispose();
        Assert.All(parameters, parameter => Assert.Equal(0, parameter.storage_offset()));
        using var noGrad = no_grad();
        parameters[0].zero_();
        Assert.NotEqual(0.0, parameters[1].abs().sum().item<float>());
    }

    private static void TrainSteps(TinyVae model, TrainingOptimizer optimizer, Tensor data, int steps)
    {
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            torch.manual_seed(100 + step);
            var loss = ((ITrainableAutoencoder)model).ComputeLoss(data, data, null).Total;
            optimizer.ZeroGrad();
            loss.backward();
            optimizer.Step();
        }
    }
}
