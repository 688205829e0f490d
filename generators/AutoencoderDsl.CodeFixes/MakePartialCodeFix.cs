using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using AutoencoderDsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AutoencoderDsl.CodeFixes;

/// <summary>Adds <c>partial</c> to a model class, a type containing one, or an <c>Encoder</c>/<c>Decoder</c> property.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakePartialCodeFix))]
[Shared]
public sealed class MakePartialCodeFix : CodeFixProvider
{
    private const string Title = "Make partial";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
    [
        DiagnosticDescriptors.ModelNotPartial.Id,
        DiagnosticDescriptors.ContainingTypeNotPartial.Id,
        DiagnosticDescriptors.StackNotPartial.Id,
    ];

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in context.Diagnostics)
        {
            // The analyzer offers this fix only where adding the keyword is enough (not for a property with a body).
            if (!FixData.Is(diagnostic, FixKind.MakePartial)
                || root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent is not MemberDeclarationSyntax member
                || member is not (TypeDeclarationSyntax or PropertyDeclarationSyntax))
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(Title, cancellationToken => AddPartialAsync(context.Document, member, cancellationToken), equivalenceKey: Title),
                diagnostic);
        }
    }

    private static async Task<Document> AddPartialAsync(Document document, MemberDeclarationSyntax member, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        return root is null ? document : document.WithSyntaxRoot(root.ReplaceNode(member, WithPartial(member)));
    }

    /// <summary>C# requires <c>partial</c> right before the keyword or type, so it goes last among the modifiers.</summary>
    private static MemberDeclarationSyntax WithPartial(MemberDeclarationSyntax member)
    {
        var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (member.Modifiers.Count > 0)
        {
            return member.WithModifiers(member.Modifiers.Add(partial));
        }

        // Without modifiers the indentation sits on the keyword or type; it moves onto 'partial'.
        var first = member.AttributeLists.Count > 0 ? member.AttributeLists.Last().GetLastToken().GetNextToken() : member.GetFirstToken();
        var moved = member.ReplaceToken(first, first.WithLeadingTrivia());
        return moved.WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(first.LeadingTrivia)));
    }
}
