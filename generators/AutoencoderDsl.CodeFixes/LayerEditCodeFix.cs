using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AutoencoderDsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AutoencoderDsl.CodeFixes;

/// <summary>
/// Inserts, replaces or removes one attribute as the analyzer prescribed: Flatten before a dense layer that gets a
/// feature map, the Unflatten that restores the input shape, Sigmoid for a Bernoulli decoder, no squashing before the
/// code, no [Sparse] on a variational model.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LayerEditCodeFix))]
[Shared]
public sealed class LayerEditCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
    [
        DiagnosticDescriptors.WrongRank.Id,
        DiagnosticDescriptors.EncoderOutputNotVector.Id,
        DiagnosticDescriptors.OutputShapeMismatch.Id,
        DiagnosticDescriptors.BernoulliOutputUnbounded.Id,
        DiagnosticDescriptors.SquashedLatentInput.Id,
        DiagnosticDescriptors.SparsityWithoutDeterministicCode.Id,
        DiagnosticDescriptors.QuantizedCombination.Id,
    ];

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (FixData.KindOf(diagnostic) is not ({ } kind and not FixKind.MakePartial and not FixKind.RemoveArgument)
                || FixData.AnchorOf(diagnostic) is not { SourceTree: { } tree } anchor
                || context.Document.Project.GetDocument(tree) is not { } document)
            {
                continue;
            }

            var root = await tree.GetRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root.FindNode(anchor.SourceSpan).FirstAncestorOrSelf<AttributeSyntax>() is not { Parent: AttributeListSyntax } attribute)
            {
                continue;
            }

            var layer = FixData.LayerOf(diagnostic);
            if (layer is null && kind != FixKind.RemoveAttribute)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    Title(kind, layer, attribute.ToString()),
                    cancellationToken => EditAsync(document, attribute, kind, layer, cancellationToken),
                    equivalenceKey: $"{kind}:{layer}"),
                diagnostic);
        }
    }

    private static string Title(FixKind kind, string? layer, string anchor) => kind switch
    {
        FixKind.InsertLayerBefore => $"Insert {layer} before {anchor}",
        FixKind.InsertLayerAfter => $"Insert {layer} after {anchor}",
        FixKind.ReplaceLayer => $"Replace {anchor} with {layer}",
        _ => $"Remove {anchor}",
    };

    private static async Task<Document> EditAsync(Document document, AttributeSyntax anchor, FixKind kind, string? layer, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var list = (AttributeListSyntax)anchor.Parent!;
        if (root is null)
        {
            return document;
        }

        int index = list.Attributes.IndexOf(anchor);
        var nodes = list.Attributes.ToList();
        var separators = list.Attributes.GetSeparators().ToList();
        var comma = SyntaxFactory.Token(SyntaxKind.CommaToken).WithTrailingTrivia(SyntaxFactory.Space);
        switch (kind)
        {
            case FixKind.InsertLayerBefore:
                nodes.Insert(index, Parse(layer!));
                separators.Insert(index, comma);
                break;
            case FixKind.InsertLayerAfter:
                nodes.Insert(index + 1, Parse(layer!));
                separators.Insert(index, comma);
                break;
            case FixKind.ReplaceLayer:
                nodes[index] = Parse(layer!).WithTriviaFrom(anchor);
                break;
            case FixKind.RemoveAttribute when nodes.Count == 1:
                return document.WithSyntaxRoot(root.RemoveNode(list, SyntaxRemoveOptions.KeepNoTrivia)!);
            default:
                return document.WithSyntaxRoot(root.ReplaceNode(list, list.WithAttributes(list.Attributes.Remove(anchor))));
        }

        var edited = list.WithAttributes(SyntaxFactory.SeparatedList(nodes, separators));
        return document.WithSyntaxRoot(root.ReplaceNode(list, edited));
    }

    /// <summary>A layer as the analyzer writes it, e.g. <c>Unflatten(1, 28, 28)</c>.</summary>
    private static AttributeSyntax Parse(string layer)
    {
        int open = layer.IndexOf('(');
        return open < 0
            ? SyntaxFactory.Attribute(SyntaxFactory.IdentifierName(layer))
            : SyntaxFactory.Attribute(SyntaxFactory.IdentifierName(layer.Substring(0, open)), SyntaxFactory.ParseAttributeArgumentList(layer.Substring(open)));
    }
}
