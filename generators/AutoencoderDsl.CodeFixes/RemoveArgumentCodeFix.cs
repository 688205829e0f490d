using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using AutoencoderDsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AutoencoderDsl.CodeFixes;

/// <summary>Removes a named attribute argument that cannot apply, such as <c>Sigma</c> on a Bernoulli model.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(RemoveArgumentCodeFix))]
[Shared]
public sealed class RemoveArgumentCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
    [
        DiagnosticDescriptors.LikelihoodOption.Id,
        DiagnosticDescriptors.InvalidSparsity.Id,
    ];

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            if (!FixData.Is(diagnostic, FixKind.RemoveArgument)
                || FixData.AnchorOf(diagnostic) is not { SourceTree: { } tree } anchor
                || context.Document.Project.GetDocument(tree) is not { } document)
            {
                continue;
            }

            var root = await tree.GetRootAsync(context.CancellationToken).ConfigureAwait(false);
            if (root.FindNode(anchor.SourceSpan).FirstAncestorOrSelf<AttributeArgumentSyntax>() is not { NameEquals: { } name, Parent: AttributeArgumentListSyntax list } argument)
            {
                continue;
            }

            var title = $"Remove {name.Name.Identifier.ValueText}";
            context.RegisterCodeFix(
                CodeAction.Create(title, cancellationToken => RemoveAsync(document, list, argument, cancellationToken), equivalenceKey: title),
                diagnostic);
        }
    }

    private static async Task<Document> RemoveAsync(Document document, AttributeArgumentListSyntax list, AttributeArgumentSyntax argument, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return document;
        }

        var remaining = list.Arguments.Remove(argument);
        SyntaxNode replacement = remaining.Count == 0 && list.Parent is AttributeSyntax attribute
            ? attribute.WithArgumentList(null)
            : list.WithArguments(remaining);
        return document.WithSyntaxRoot(root.ReplaceNode(remaining.Count == 0 && list.Parent is AttributeSyntax ? list.Parent : list, replacement));
    }
}
