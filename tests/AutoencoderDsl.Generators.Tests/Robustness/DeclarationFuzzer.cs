using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using AutoencoderDsl.Generators.Shapes;

namespace AutoencoderDsl.Generators.Tests.Robustness;

/// <summary>One class of a fuzzed declaration, as attribute applications; a mutation edits it before it is written.</summary>
public sealed class FuzzedModel(string className)
{
    public string ClassName { get; } = className;

    /// <summary>Exactly one unless a mutation removed it or added another.</summary>
    public List<AttributeApplication> ModelAttributes { get; } = [];

    public List<AttributeApplication> Parts { get; } = [];

    public List<AttributeApplication> Inputs { get; } = [];

    /// <summary>The encoder's layers; null when the property is left out.</summary>
    public List<AttributeApplication>? Encoder { get; set; } = [];

    public List<AttributeApplication>? Decoder { get; set; } = [];

    /// <summary>Other members of the class, as written.</summary>
    public List<string> Members { get; } = [];

    /// <summary>Layers written on a property that is neither stack.</summary>
    public List<AttributeApplication> Stray { get; } = [];

    /// <summary>The shape each encoder layer received when the valid model was grown, for mutations that need it.</summary>
    public List<Shape> EncoderInputs { get; } = [];

    public IEnumerable<AttributeApplication> Applications =>
        ModelAttributes.Concat(Parts).Concat(Inputs).Concat(Encoder ?? []).Concat(Decoder ?? []).Concat(Stray);

    public void Write(StringBuilder source)
    {
        foreach (var attribute in ModelAttributes.Concat(Parts).Concat(Inputs))
        {
            source.Append('[').Append(attribute).Append("]\n");
        }

        source.Append("public partial class ").Append(ClassName).Append("\n{\n");
        WriteMember(source, Encoder, "public partial Sequential Encoder { get; }");
        WriteMember(source, Decoder, "public partial Sequential Decoder { get; }");
        if (Stray.Count > 0)
        {
            WriteMember(source, Stray, "public int Extra { get; set; }");
        }

        foreach (var member in Members)
        {
            source.Append("    ").Append(member).Append('\n');
        }

        source.Append("}\n\n");
    }

    private static void WriteMember(StringBuilder source, List<AttributeApplication>? layers, string member)
    {
        if (layers is null)
        {
            return;
        }

        source.Append("    ");
        if (layers.Count > 0)
        {
            source.Append('[').AppendJoin(", ", layers).Append("]\n    ");
        }

        source.Append(member).Append("\n\n");
    }
}

/// <summary>One fuzzed declaration: its seed, which reproduces it alone, its classes, the mutations applied and its source.</summary>
public sealed record FuzzCase(int Seed, IReadOnlyList<FuzzedModel> Models, IReadOnlyList<string> Mutations, string Source)
{
    /// <summary>Every case has its own namespace, so many can share a compilation; generated files are named after it.</summary>
    public string Namespace => $"Fuzz.S{Seed}";

    public override string ToString() => $"seed {Seed} ({(Mutations.Count == 0 ? "unmutated" : string.Join("; ", Mutations))})";
}

/// <summary>
/// A seeded generator of model declarations. Each grows a valid model first, with every layer, part and model attribute
/// of the abstractions drawn by reflection and arguments a user would write, keeping each layer only when shape inference
/// accepts it; about half are then mutated once or twice: an extreme or wrongly typed argument, a missing one, a layer of
/// any kind and rank anywhere, a stack that shrinks below nothing, an extreme input or part, or a broken structure.
/// Whether a case ends up valid is left to the generator and the analyzer to say.
/// </summary>
public static class DeclarationFuzzer
{
    public static readonly IReadOnlyList<Type> LayerTypes = AttributeApplication.TypesDerivedFrom<LayerAttribute>();
    public static readonly IReadOnlyList<Type> PartTypes = AttributeApplication.TypesDerivedFrom<ModelPartAttribute>();
    public static readonly IReadOnlyList<Type> ModelTypes = AttributeApplication.TypesDerivedFrom<ModelAttribute>();

    /// <summary>Valid models stay small enough that every weight fits and compiles fast; mutations go past any bound.</summary>
    private const long SizeCap = 1 << 14;

    private const double MutationRate = 0.4;

    /// <summary>
    /// Names for classes, namespaces and members that generated code might trip over: namespaces it names, the runtime's
    /// protected members it calls, and members it declares. Not yet the names it takes unqualified from TorchSharp's
    /// <c>using static torch</c> (<c>Tensor</c>, <c>nn</c>, <c>Generator</c>, <c>cat</c>, <c>zeros</c>): a class, namespace or
    /// member of one of those names still breaks the generated code, an open finding: a model class <c>nn</c> or <c>Tensor</c>,
    /// a method <c>nn()</c> on the model, or a model in namespace <c>Models.Tensor</c> gets generated code that does not compile.
    /// </summary>
    private static readonly string[] Names =
    [
        "torch", "TorchSharp", "AutoencoderDsl", "System", "Sequential", "Likelihood", "Noise",
        "EncodeBatch", "DecodeBatch", "LossBatch", "ReconstructBatch", "spec", "Sample", "Fit", "Classes", "LatentDim", "Beta", "Encode",
        "encoder", "decoder", "InputShape", "x", "labels", "Model", "Dense",
    ];

    private static readonly (string Name, Func<Random, FuzzedModel, string?> Apply)[] Mutations =
    [
        ("extreme layer argument", (random, model) => ReplaceLayerArgument(random, model, Draw.Extreme)),
        ("extreme layer argument", (random, model) => ReplaceLayerArgument(random, model, Draw.Extreme)),
        ("wrongly typed layer argument", (random, model) => ReplaceLayerArgument(random, model, Draw.WrongType)),
        ("missing layer argument", DropLayerArgument),
        ("layer inserted", InsertLayer),
        ("layer inserted", InsertLayer),
        ("shrinking stack", Shrink),
        ("extreme model option", ExtremeModelOption),
        ("extreme part", ExtremePart),
        ("extreme part", ExtremePart),
        ("extreme input", ExtremeInput),
        ("input of another rank", OtherRankInput),
        ("structure", BreakStructure),
        ("member of a telling name", AddMember),
    ];

    public static FuzzCase Generate(int seed)
    {
        var random = new Random(seed);
        var models = Enumerable.Range(0, random.Next(10) == 0 ? 2 : 1)
            .Select(index => Grow(random, random.Next(8) == 0 ? Argument.Pick(random, Names) + (index == 0 ? string.Empty : "2") : index == 0 ? "M" : "N"))
            .ToList();
        var mutations = new List<string>();
        if (random.NextDouble() < MutationRate)
        {
            int count = random.Next(4) == 0 ? 2 : 1;
            while (mutations.Count < count)
            {
                var model = Argument.Pick(random, models);
                var (name, apply) = Argument.Pick(random, Mutations);
                if (apply(random, model) is { } detail)
                {
                    mutations.Add($"{model.ClassName}: {name}: {detail}");
                }
            }
        }

        var namespaceSuffix = random.Next(8) == 0 ? "." + Argument.Pick(random, Names) : string.Empty;
        var source = new StringBuilder($"using AutoencoderDsl;\nusing TorchSharp.Modules;\n\nnamespace Fuzz.S{seed}{namespaceSuffix};\n\n");
        foreach (var model in models)
        {
            model.Write(source);
        }

        return new FuzzCase(seed, models, mutations, source.ToString());
    }

    /// <summary>A model whose every piece is drawn realistically, its stacks grown layer by layer where shape inference accepts them.</summary>
    private static FuzzedModel Grow(Random random, string className)
    {
        var model = new FuzzedModel(className);
        var modelAttribute = AttributeApplication.Random(random, Argument.Pick(random, ModelTypes), Draw.Realistic, namedRate: 0.15);
        if (modelAttribute.Named.All(argument => argument.Name != nameof(ModelAttribute.LatentDim)))
        {
            modelAttribute.Named.Insert(0, (nameof(ModelAttribute.LatentDim), Argument.Of(random, typeof(int), Draw.Realistic)));
        }

        model.ModelAttributes.Add(modelAttribute);
        model.Parts.AddRange(PartTypes.Where(_ => random.Next(5) == 0).Select(type => AttributeApplication.Random(random, type, Draw.Realistic, namedRate: 0.5)));
        var input = RealisticInput(random, rank: random.Next(1, 4));
        model.Inputs.Add(InputOf(input));

        var (encoder, encoderInputs, features) = GrowStack(random, input, random.Next(7));
        model.Encoder!.AddRange(encoder);
        model.EncoderInputs.AddRange(encoderInputs);
        if (features.Rank > 1)
        {
            Append(model.Encoder, model.EncoderInputs, ref features, AttributeApplication.Of(typeof(FlattenAttribute)));
        }

        var declared = (ModelAttribute?)modelAttribute.Instantiate();
        long condition = model.Parts.Select(part => part.Instantiate()).OfType<ClassConditionalAttribute>().FirstOrDefault()?.Classes ?? 0;
        var code = new Shape(Math.Max(1, (declared?.LatentDim ?? 1) + Math.Max(0, condition)));
        var (decoder, decoderInputs, output) = GrowStack(random, code, random.Next(6));
        model.Decoder!.AddRange(decoder);
        if (output.Rank > 1)
        {
            Append(model.Decoder, decoderInputs, ref output, AttributeApplication.Of(typeof(FlattenAttribute)));
        }

        if (output.Last != input.Size || random.Next(2) == 0)
        {
            Append(model.Decoder, decoderInputs, ref output, AttributeApplication.Of(typeof(DenseAttribute), Argument.Of(checked((int)input.Size))));
        }

        bool bernoulli = declared?.Likelihood != Likelihood.Gaussian;
        if (random.NextDouble() < (bernoulli ? 0.8 : 0.2))
        {
            Append(model.Decoder, decoderInputs, ref output, AttributeApplication.Of(typeof(SigmoidAttribute)));
        }

        if (input.Rank > 1)
        {
            Append(model.Decoder, decoderInputs, ref output, AttributeApplication.Of(typeof(UnflattenAttribute), Argument.Dims(input.Dims.Select(dim => (int)dim).ToArray())));
        }

        return model;
    }

    /// <summary>Up to <paramref name="length"/> layers of any kind, each kept only when shape inference accepts it on the shape so far.</summary>
    private static (List<AttributeApplication> Layers, List<Shape> Inputs, Shape Output) GrowStack(Random random, Shape start, int length)
    {
        var layers = new List<AttributeApplication>();
        var inputs = new List<Shape>();
        var current = start;
        for (int attempt = 0; attempt < 8 * length && layers.Count < length; attempt++)
        {
            var candidate = RandomLayer(random, current, Draw.Realistic);
            if (LayerOf(candidate)?.Apply(current).Output is { } next && next.Size <= SizeCap)
            {
                inputs.Add(current);
                layers.Add(candidate);
                current = next;
            }
        }

        return (layers, inputs, current);
    }

    private static void Append(List<AttributeApplication> layers, List<Shape> inputs, ref Shape current, AttributeApplication layer)
    {
        inputs.Add(current);
        layers.Add(layer);
        current = LayerOf(layer)!.Apply(current).Output!;
    }

    /// <summary>A layer of any kind; a dimension list usually splits the whole input or its first dimension, as Reshape and Unflatten need.</summary>
    /// <remarks>A layer drawn for no shape (a mutation's) sets more of its properties: the kept ones set only those that fit.</remarks>
    private static AttributeApplication RandomLayer(Random random, Shape? input, Draw draw) =>
        AttributeApplication.Random(random, Argument.Pick(random, LayerTypes), draw, namedRate: input is null ? 0.6 : 0.3, input is null ? null : random.Next(2) == 0 ? input.Size : input[0]);

    /// <summary>The layer the generator reads from <paramref name="application"/>, or null when it would not read one.</summary>
    public static Layer? LayerOf(AttributeApplication application) =>
        application.Instantiate() is LayerAttribute attribute ? LayerCatalog.Create(attribute) : null;

    private static Shape RealisticInput(Random random, int rank) => rank switch
    {
        1 => new Shape(Argument.Pick(random, [2, 4, 8, 16, 20, 64, 784])),
        2 => new Shape(random.Next(1, 5), random.Next(4, 65)),
        _ => new Shape(random.Next(1, 4), random.Next(4, 29), random.Next(4, 29)),
    };

    private static AttributeApplication InputOf(Shape shape) =>
        AttributeApplication.Of(typeof(InputAttribute), Argument.Dims(shape.Dims.Select(dim => (int)dim).ToArray()));

    private static List<AttributeApplication>? RandomStack(Random random, FuzzedModel model)
    {
        var stacks = new[] { model.Encoder, model.Decoder }.OfType<List<AttributeApplication>>().ToList();
        return stacks.Count == 0 ? null : Argument.Pick(random, stacks);
    }

    private static string? ReplaceLayerArgument(Random random, FuzzedModel model, Draw draw)
    {
        var candidates = (model.Encoder ?? []).Concat(model.Decoder ?? []).Where(layer => layer.ArgumentCount > 0).ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var layer = Argument.Pick(random, candidates);
        var before = layer.ToString();
        ReplaceArgument(random, layer, draw);
        return $"{before} → {layer}";
    }

    private static void ReplaceArgument(Random random, AttributeApplication application, Draw draw)
    {
        int index = random.Next(application.ArgumentCount);
        if (index < application.Positional.Count)
        {
            application.Positional[index] = Argument.Of(random, application.Positional[index].Type, draw);
        }
        else
        {
            var (name, value) = application.Named[index - application.Positional.Count];
            application.Named[index - application.Positional.Count] = (name, Argument.Of(random, value.Type, draw));
        }
    }

    private static string? DropLayerArgument(Random random, FuzzedModel model)
    {
        var candidates = (model.Encoder ?? []).Concat(model.Decoder ?? []).Where(layer => layer.ArgumentCount > 0).ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var layer = Argument.Pick(random, candidates);
        var before = layer.ToString();
        if (layer.Named.Count > 0 && (layer.Positional.Count == 0 || random.Next(2) == 0))
        {
            layer.Named.RemoveAt(random.Next(layer.Named.Count));
        }
        else
        {
            layer.Positional.RemoveAt(layer.Positional.Count - 1);
        }

        return $"{before} → {layer}";
    }

    private static string? InsertLayer(Random random, FuzzedModel model)
    {
        if (RandomStack(random, model) is not { } stack)
        {
            return null;
        }

        var layer = RandomLayer(random, input: null, random.Next(3) == 0 ? Draw.Extreme : Draw.Realistic);
        int index = random.Next(stack.Count + 1);
        stack.Insert(index, layer);
        return $"{layer} at {index}";
    }

    /// <summary>Repeats an encoder layer that shrank a feature map or sequence until, usually, nothing is left.</summary>
    private static string? Shrink(Random random, FuzzedModel model)
    {
        if (model.Encoder is not { } encoder || encoder.Count != model.EncoderInputs.Count)
        {
            return null;
        }

        var shrinking = Enumerable.Range(0, encoder.Count)
            .Where(index => model.EncoderInputs[index].Rank > 1 && LayerOf(encoder[index])?.Apply(model.EncoderInputs[index]).Output is { } output && output.Size < model.EncoderInputs[index].Size)
            .ToList();
        if (shrinking.Count == 0)
        {
            return null;
        }

        int chosen = Argument.Pick(random, shrinking);
        int copies = random.Next(4, 25);
        encoder.InsertRange(chosen + 1, Enumerable.Repeat(encoder[chosen], copies));
        return $"{encoder[chosen]} {copies + 1} times";
    }

    private static string? ExtremeModelOption(Random random, FuzzedModel model)
    {
        if (model.ModelAttributes.Count == 0)
        {
            return null;
        }

        var attribute = model.ModelAttributes[0];
        var property = Argument.Pick(random, AttributeApplication.SettableProperties(attribute.Type).ToList());
        var value = Argument.Of(random, property.PropertyType, random.Next(5) == 0 ? Draw.WrongType : Draw.Extreme);
        attribute.Named.RemoveAll(argument => argument.Name == property.Name);
        attribute.Named.Add((property.Name, value));
        return $"{property.Name} = {value.Text}";
    }

    private static string? ExtremePart(Random random, FuzzedModel model)
    {
        var type = Argument.Pick(random, PartTypes);
        var part = model.Parts.FirstOrDefault(part => part.Type == type);
        if (part is null)
        {
            part = AttributeApplication.Random(random, type, Draw.Realistic, namedRate: 0.5);
            model.Parts.Add(part);
        }

        var settable = AttributeApplication.SettableProperties(type).ToList();
        var draw = random.Next(6) == 0 ? Draw.WrongType : Draw.Extreme;
        if (settable.Count > 0 && (part.ArgumentCount == 0 || random.Next(2) == 0))
        {
            var property = Argument.Pick(random, settable);
            part.Named.RemoveAll(argument => argument.Name == property.Name);
            part.Named.Add((property.Name, Argument.Of(random, property.PropertyType, draw)));
        }
        else
        {
            ReplaceArgument(random, part, draw);
        }

        return part.ToString();
    }

    private static string? ExtremeInput(Random random, FuzzedModel model)
    {
        var input = AttributeApplication.Of(typeof(InputAttribute), Argument.Of(random, typeof(int[]), random.Next(8) == 0 ? Draw.WrongType : Draw.Extreme));
        model.Inputs.Clear();
        model.Inputs.Add(input);
        return input.ToString();
    }

    private static string? OtherRankInput(Random random, FuzzedModel model)
    {
        var input = InputOf(RealisticInput(random, rank: random.Next(1, 4)));
        model.Inputs.Clear();
        model.Inputs.Add(input);
        return input.ToString();
    }

    private static string? AddMember(Random random, FuzzedModel model)
    {
        // A member named as its class is a plain C# error (CS0542), not the DSL's.
        var name = Argument.Pick(random, Names.Where(name => name != model.ClassName).ToList());
        var member = Argument.Pick(random, [$"public int {name} => 0;", $"public void {name}() {{ }}", $"public sealed class {name} {{ }}", $"private readonly int {name};", $"public static int {name}(int value) => value;"]);
        model.Members.Add(member);
        return member;
    }

    private static string? BreakStructure(Random random, FuzzedModel model)
    {
        switch (random.Next(9))
        {
            case 0 when model.ModelAttributes.Count > 0:
                model.ModelAttributes.Clear();
                return "no model attribute";
            case 1:
                var other = ModelTypes.First(type => model.ModelAttributes.All(attribute => attribute.Type != type));
                model.ModelAttributes.Add(AttributeApplication.Random(random, other, Draw.Realistic, namedRate: 0.3));
                return $"a second model attribute [{model.ModelAttributes[^1]}]";
            case 2:
                model.Inputs.Clear();
                return "no [Input]";
            case 3 when model.Inputs.Count > 0:
                model.Inputs.Add(InputOf(RealisticInput(random, rank: random.Next(1, 4))));
                return "[Input] twice";
            case 4:
                model.Encoder = null;
                return "no Encoder";
            case 5:
                model.Decoder = null;
                return "no Decoder";
            case 6:
                model.Stray.Add(RandomLayer(random, input: null, Draw.Realistic));
                return $"[{model.Stray[0]}] on another property";
            case 7:
                (model.Encoder, model.Decoder) = (model.Decoder, model.Encoder);
                return "Encoder and Decoder swapped";
            default:
                var part = AttributeApplication.Random(random, Argument.Pick(random, PartTypes), Draw.Realistic, namedRate: 0.5);
                model.Parts.Add(part);
                model.Parts.Add(AttributeApplication.Random(random, part.Type, Draw.Realistic, namedRate: 0.5));
                return $"[{part.Name}] twice";
        }
    }
}
