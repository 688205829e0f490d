using System;
using System.Linq;
using AutoencoderDsl.Data;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace AutoencoderDsl.Tests.Models;

/// <summary>
/// A generated model is a TorchSharp module like any other: <c>call</c> runs its hooks, and it (or its encoder) can be a
/// child of a user's module, whose parameters, state dict and hand-written training loop then include it.
/// </summary>
public sealed class CompositionTests(ITestOutputHelper output)
{
    /// <summary>A user's classifier on the encoder of a generated VAE, as one would fine-tune a pretrained encoder.</summary>
    private sealed class ShapeClassifier : nn.Module<Tensor, Tensor>
    {
        private readonly SmallVae vae;
        private readonly Linear head;

        public ShapeClassifier(SmallVae vae)
            : base(nameof(ShapeClassifier))
        {
            this.vae = vae;
            head = nn.Linear(128, SyntheticShapes.ClassNames.Count);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => head.forward(vae.Encoder.forward(x));
    }

    /// <summary>A user's module that calls the whole generated model through TorchSharp's <c>call</c>.</summary>
    private sealed class Smoother : nn.Module<Tensor, Tensor>
    {
        private readonly SmallVae vae;

        public Smoother(SmallVae vae)
            : base(nameof(Smoother))
        {
            this.vae = vae;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var output = vae.call(x);
            return output.Reconstruction.alias();
        }
    }

    [Fact]
    public void AUsersModuleTrainsAGeneratedEncoderWithAHandWrittenLoop()
    {
        using var train = SyntheticShapes.Generate(1000, seed: 11);
        using var test = SyntheticShapes.Generate(500, seed: 12);
        using var vae = new SmallVae(seed: 13);
        using var classifier = new ShapeClassifier(vae);
        var names = classifier.named_parameters().Select(pair => pair.name).ToList();
        Assert.Contains("vae.encoder.1.weight", names);
        Assert.Contains("vae.mean.weight", names);
        Assert.Contains("head.weight", names);
        Assert.Contains("vae.encoder.1.weight", classifier.state_dict().Keys);

        torch.manual_seed(14);
        var optimizer = optim.Adam(classifier.parameters(), 1e-3);
        double Accuracy()
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            classifier.eval();
            return classifier.call(test.Images).argmax(1).eq(test.Labels).to(ScalarType.Float32).mean().item<float>();
        }

        double before = Accuracy();
        for (int epoch = 0; epoch < 3; epoch++)
        {
            classifier.train();
            for (int start = 0; start < train.Count; start += 50)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(classifier.call(train.Images.narrow(0, start, 50)), train.Labels.narrow(0, start, 50));
                loss.backward();
                optimizer.step();
            }
        }

        double after = Accuracy();
        output.WriteLine($"held-out accuracy of the classifier on the generated encoder: {before:P1} before training, {after:P1} after");

        // Ten balanced classes: chance is 10 %. The shapes are easy, so a trained encoder separates most of them.
        Assert.True(after > 0.6 && after > before + 0.3, $"accuracy went from {before:P1} to {after:P1}");
    }

    [Fact]
    public void CallRunsTheModelsForwardHooksAndAParentCallsItThroughThem()
    {
        using var data = SyntheticShapes.Generate(8, seed: 21);
        using var vae = new SmallVae(seed: 22);
        int pre = 0, post = 0;
        var preHook = vae.register_forward_pre_hook((module, input) =>
        {
            pre++;
            return input;
        });
        var postHook = vae.register_forward_hook((module, input, result) =>
        {
            post++;
            Assert.Equal(new long[] { 8, SmallVae.LatentDim }, result.Code.shape);
            return result;
        });

        using (var direct = vae.call(data.Images))
        {
            Assert.Equal(data.Images.shape, direct.Reconstruction.shape);
            Assert.Equal(new long[] { 8, SmallVae.LatentDim }, direct.Mean.shape);
        }

        using var smoother = new Smoother(vae);
        using var smoothed = smoother.call(data.Images);
        Assert.Equal(data.Images.shape, smoothed.shape);
        Assert.Equal((2, 2), (pre, post));

        // forward itself runs no hooks, as in TorchSharp, and a removed hook no longer runs.
        using (vae.forward(data.Images))
        {
            Assert.Equal((2, 2), (pre, post));
        }

        preHook.remove();
        postHook.remove();
        using (vae.call(data.Images))
        {
            Assert.Equal((2, 2), (pre, post));
        }
    }

    [Fact]
    public void AClassConditionalModelCalledWithoutLabelsSaysWhatItNeeds()
    {
        using var data = SyntheticShapes.Generate(4, seed: 31);
        using var cvae = new SmallCvae(seed: 32);
        nn.Module<Tensor, ModelOutput> module = cvae;
        var error = Assert.Throws<ArgumentNullException>(() => module.call(data.Images));
        Assert.Contains("conditioned on 10 classes", error.Message, StringComparison.Ordinal);

        using var output = cvae.forward(data.Images, data.Labels);
        Assert.Equal(data.Images.shape, output.Reconstruction.shape);

        // Sample(4) would bind to Sample(Tensor labels) through TorchSharp's implicit conversion, which ADSL039 reports
        // at compile time; a 0-d tensor of labels given outright gets a message that says what to call.
        var sampled = Assert.Throws<ArgumentException>(() => cvae.Sample(torch.tensor(4L)));
        Assert.Contains("call Sample(count, label)", sampled.Message, StringComparison.Ordinal);
    }
}
