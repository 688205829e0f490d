using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Generators.Emit;
using AutoencoderDsl.Generators.Helpers;
using AutoencoderDsl.Generators.Shapes;

namespace AutoencoderDsl.Generators.Parts;

/// <summary>
/// A declared stack of layers, written as a TorchSharp <c>Sequential</c> whose children are named by their declared
/// positions, so state-dict names stay stable when a fused Sigmoid is left out.
/// </summary>
public abstract record StackPart(EquatableArray<Layer> Layers) : Part
{
    /// <summary>The user's property, e.g. <c>Encoder</c>.</summary>
    public abstract string PropertyName { get; }

    /// <summary>The field and the state-dict prefix, e.g. <c>encoder</c>.</summary>
    public abstract string Field { get; }

    /// <summary>The static list of inferred shapes, e.g. <c>EncoderShapes</c>.</summary>
    public string ShapesMember => PropertyName + "Shapes";

    /// <summary>The static list of the runtime's descriptions of the layers, e.g. <c>EncoderLayers</c>.</summary>
    public string LayersMember => PropertyName + "Layers";

    public override string DeclaredBy => "every model";

    public override string? StateDictNote => $"<c>{Field}.i</c> (the i-th declared {Field} layer)";

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) => [new(Field), new(ShapesMember), new(LayersMember)];

    public override IEnumerable<string> SpecEntries => [$"{PropertyName} = {LayersMember}"];

    /// <summary>The index of a layer the model applies elsewhere (a fused Sigmoid); -1 for none.</summary>
    protected virtual int SkippedIndex => -1;

    /// <summary>The shape the first layer receives.</summary>
    protected abstract Shape InputOf(ModelWriter writer);

    /// <summary>The shape after each layer, as inferred.</summary>
    protected abstract EquatableArray<Shape> ShapesOf(InferenceResult shapes);

    public override void WriteShapes(ModelWriter writer)
    {
        writer.Doc($"The shape of one example after each declared {Field} layer, as inferred at compile time.");
        writer.Code.Line($"public static IReadOnlyList<IReadOnlyList<long>> {ShapesMember} {{ get; }} = [{string.Join(", ", ShapesOf(writer.Shapes).Select(shape => shape.ToString()))}];");
        writer.Code.Line();
        WriteLayers(writer);
    }

    /// <summary>The layers as the runtime describes them, the ones the model applies elsewhere left out.</summary>
    private void WriteLayers(ModelWriter writer)
    {
        var code = writer.Code;
        var shapes = ShapesOf(writer.Shapes);
        writer.Doc($"The declared {Field} layers as the runtime describes them, for export to PyTorch and ONNX.");
        var described = Enumerable.Range(0, Layers.Count)
            .Where(index => index != SkippedIndex)
            .Select(index => Layers[index].Describe(index, index == 0 ? InputOf(writer) : shapes[index - 1], shapes[index]))
            .ToList();
        if (described.Count == 0)
        {
            code.Line($"public static IReadOnlyList<global::AutoencoderDsl.Export.Layer> {LayersMember} {{ get; }} = [];");
            code.Line();
            return;
        }

        code.Line($"public static IReadOnlyList<global::AutoencoderDsl.Export.Layer> {LayersMember} {{ get; }} =");
        code.Line("[");
        code.Indent();
        foreach (var layer in described)
        {
            code.Line($"{layer},");
        }

        code.Outdent();
        code.Line("];");
        code.Line();
    }

    public override void WriteFields(ModelWriter writer) =>
        writer.Code.Line($"private readonly global::TorchSharp.Modules.Sequential {Field};");

    public override void WriteConstruction(ModelWriter writer)
    {
        var code = writer.Code;
        var shapes = ShapesOf(writer.Shapes);
        var included = Enumerable.Range(0, Layers.Count).Where(index => index != SkippedIndex).ToList();
        if (included.Count == 0)
        {
            code.Line($"{Field} = nn.Sequential();");
            return;
        }

        code.Line($"{Field} = nn.Sequential(");
        code.Indent();
        for (int index = 0; index < Layers.Count; index++)
        {
            var layerInput = index == 0 ? InputOf(writer) : shapes[index - 1];
            if (index == SkippedIndex)
            {
                code.Line($"// {Literals.Of(index)}: Sigmoid, applied by Decode and fused into the Bernoulli loss as logits");
                continue;
            }

            var separator = index == included[included.Count - 1] ? ")" : "),";
            var previous = index == 0 || index - 1 == SkippedIndex ? null : Layers[index - 1];
            code.Line($"(\"{Literals.Of(index)}\", {Layers[index].Construct(layerInput, previous)}{separator} // {shapes[index]}");
        }

        code.Outdent();
        code.Line(");");
    }

    public override void WriteRegistration(ModelWriter writer) =>
        writer.Code.Line($"register_module(\"{Field}\", {Field});");

    public override void WriteProperties(ModelWriter writer)
    {
        foreach (var property in writer.Model.PartialProperties.Where(property => property.Name == PropertyName))
        {
            writer.Code.Line($"{property.Modifiers} {property.TypeName} {property.Name} => {Field};");
            writer.Code.Line();
        }
    }
}

/// <summary>The declared encoder: input to features.</summary>
public sealed record EncoderPart(EquatableArray<Layer> Layers) : StackPart(Layers)
{
    public override string PropertyName => "Encoder";

    public override string Field => "encoder";

    protected override Shape InputOf(ModelWriter writer) => Shape.Of(writer.Model.Find<CorePart>()!.InputShape);

    protected override EquatableArray<Shape> ShapesOf(InferenceResult shapes) => shapes.EncoderShapes;
}

/// <summary>
/// The declared decoder: code (joined with the condition) to output. A Bernoulli model's final Sigmoid is left out at
/// <paramref name="FusedSigmoidIndex"/>, applied by <c>Decode</c> and fused into the loss as logits.
/// </summary>
public sealed record DecoderPart(EquatableArray<Layer> Layers, int FusedSigmoidIndex) : StackPart(Layers)
{
    private static readonly ApiParameter Codes = new(ApiType.Tensor, "z", "Codes <c>[N, LatentDim]</c>.");

    private static readonly GeneratedMethod DecodeCore = new(
        "DecodeCore",
        [new ApiParameter(ApiType.Tensor, "z", "The codes."), new ApiParameter(ApiType.OptionalTensor, "condition", "The one-hot labels of a class-conditional model.")]);

    public override string PropertyName => "Decoder";

    public override string Field => "decoder";

    protected override int SkippedIndex => FusedSigmoidIndex;

    public override IEnumerable<GeneratedMember> Members(ModelDescription model) => [.. base.Members(model), DecodeCore, .. model.InheritsApi ? [] : new[] { Decode(model) }];

    /// <summary>A class-conditional model's <c>Decode(z, labels)</c>; the runtime's <c>Decode(z)</c> serves the others.</summary>
    private static ApiMethod Decode(ModelDescription model)
    {
        string probabilities = model.Find<ReconstructionPart>() is { Likelihood: Likelihood.Bernoulli } ? " (probabilities)" : string.Empty;
        return new(
            ApiSection.Coding,
            "public Tensor",
            "Decode",
            [Codes, model.Find<ClassConditioningPart>()!.Labels(ClassConditioningPart.LabelsName, "code")],
            $"DecodeBatch(z, {ClassConditioningPart.LabelsName})",
            $"Decodes codes <c>[N, {Literals.Of(model.Find<LatentPart>()!.LatentDim)}]</c> of the given classes into outputs <c>{model.Find<CorePart>()!.Batch}</c>{probabilities}.");
    }

    protected override Shape InputOf(ModelWriter writer) => writer.Shapes.CodeShape!;

    protected override EquatableArray<Shape> ShapesOf(InferenceResult shapes) => shapes.DecoderShapes;

    public override void WriteImplementation(ModelWriter writer)
    {
        writer.Code.Line("/// <inheritdoc/>");
        if (FusedSigmoidIndex >= 0)
        {
            writer.Code.Line("// Logits: Decode applies the declared final Sigmoid, and the Bernoulli loss reads the logits.");
        }

        writer.Code.Line($"protected override Tensor {DecodeCore.Name}({DecodeCore.ParameterList}) => {Field}.forward({writer.WithCondition("z")});");
        writer.Code.Line();
    }
}
