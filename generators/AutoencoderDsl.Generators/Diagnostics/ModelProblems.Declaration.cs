using System.Collections.Generic;
using System.Linq;
using AutoencoderDsl.Generators.Parsing;
using AutoencoderDsl.Generators.Parts;
using AutoencoderDsl.Generators.Shapes;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AutoencoderDsl.Generators.Diagnostics;

/// <summary>How a model class, its attributes, its members and its Encoder and Decoder must be declared.</summary>
public static partial class ModelProblems
{
    private static void FindUndeclaredModel(INamedTypeSymbol type, List<ModelProblem> problems)
    {
        var input = type.GetAttributes().FirstOrDefault(attribute => AttributeInstances.Is<InputAttribute>(attribute.AttributeClass));
        var part = type.GetAttributes().FirstOrDefault(attribute => AttributeInstances.DerivesFrom<ModelPartAttribute>(attribute.AttributeClass));
        var layer = type.GetMembers().OfType<IPropertySymbol>()
            .SelectMany(property => property.GetAttributes())
            .FirstOrDefault(attribute => ModelReading.IsLayerAttribute(attribute.AttributeClass));
        if (input is not null)
        {
            problems.Add(Problem(DiagnosticDescriptors.MissingModelAttribute, LocationOf(input, type), type.Name, "[Input]"));
        }
        else if (part is not null)
        {
            problems.Add(Problem(DiagnosticDescriptors.MissingModelAttribute, LocationOf(part, type), type.Name, $"[{ShortName(part)}]"));
        }
        else if (layer is not null)
        {
            problems.Add(Problem(DiagnosticDescriptors.MissingModelAttribute, LocationOf(layer, type), type.Name, "layers"));
        }
    }

    private static void FindTypeProblems(ModelReading reading, List<ModelProblem> problems)
    {
        var type = reading.Type;
        foreach (var declaration in NonPartialDeclarations(type))
        {
            problems.Add(Problem(DiagnosticDescriptors.ModelNotPartial, declaration.Identifier.GetLocation(), new ProblemFix(FixKind.MakePartial), type.Name));
        }

        foreach (var (location, reason) in UnsupportedTypeFeatures(type))
        {
            problems.Add(Problem(DiagnosticDescriptors.UnsupportedModelType, location ?? IdentifierLocation(type), type.Name, reason));
        }

        var expectedBase = reading.ModelAttribute is null
            ? null
            : reading.ToParts().OfType<LatentPart>().Single().BaseClass.Replace("global::", string.Empty);
        if (expectedBase is not null
            && type.TypeKind == TypeKind.Class
            && type.BaseType is { SpecialType: not SpecialType.System_Object, TypeKind: not TypeKind.Error } baseType
            && baseType.ToDisplayString() != expectedBase)
        {
            problems.Add(Problem(DiagnosticDescriptors.ModelBaseClass, BaseTypeLocation(type, baseType), type.Name, baseType.ToDisplayString(), expectedBase));
        }
    }

    /// <summary>Each reason the type cannot be a model, with the keyword or type parameter list that makes it so.</summary>
    private static IEnumerable<(Location? Location, string Reason)> UnsupportedTypeFeatures(INamedTypeSymbol type)
    {
        var declarations = UserDeclarations<TypeDeclarationSyntax>(type).ToList();
        Location? Modifier(SyntaxKind kind) =>
            declarations.SelectMany(declaration => declaration.Modifiers).Where(modifier => modifier.IsKind(kind)).Select(modifier => modifier.GetLocation()).FirstOrDefault();
        Location? Keyword() => declarations.Select(declaration => declaration.Keyword.GetLocation()).FirstOrDefault();

        if (type.TypeKind == TypeKind.Struct)
        {
            yield return (Keyword(), type.IsRecord ? "a record struct" : "a struct");
        }
        else if (type.TypeKind == TypeKind.Interface)
        {
            yield return (Keyword(), "an interface");
        }
        else if (type.IsRecord)
        {
            yield return (Keyword(), "a record");
        }

        if (type.IsStatic)
        {
            yield return (Modifier(SyntaxKind.StaticKeyword), "static");
        }

        if (type.IsAbstract && type.TypeKind == TypeKind.Class)
        {
            yield return (Modifier(SyntaxKind.AbstractKeyword), "abstract");
        }

        if (!type.TypeParameters.IsEmpty)
        {
            var parameters = declarations.Select(declaration => declaration.TypeParameterList).FirstOrDefault(list => list is not null);
            yield return (parameters?.GetLocation(), "generic");
        }

        if (IsFileLocal(type))
        {
            yield return (Modifier(SyntaxKind.FileKeyword), type.IsFileLocal ? "file-local" : "nested in a file-local type");
        }
    }

    private static void FindModelAttributeProblems(ModelReading reading, Compilation compilation, List<ModelProblem> problems)
    {
        var first = reading.ModelAttributes[0];
        foreach (var repeated in reading.ModelAttributes.Skip(1))
        {
            problems.Add(Problem(DiagnosticDescriptors.ConflictingModelAttributes, LocationOf(repeated, reading.Type), reading.Type.Name, ShortName(first)));
        }

        if (reading.ModelAttribute is not { } attribute)
        {
            return;
        }

        // The reading made an instance only if every argument bound (telling needs a non-literal one bound a second
        // time), so only a reading without one has an argument to report.
        if (reading.Model is null)
        {
            foreach (var argument in attribute.NamedArguments.Where(argument => AttributeInstances.IsUnbound(attribute, argument, compilation)))
            {
                problems.Add(Problem(DiagnosticDescriptors.UnboundArguments, ArgumentLocation(attribute, argument.Key, reading.Type), ShortName(attribute), $"{argument.Key} is unknown"));
            }
        }

        FindModelOptionProblems(reading, attribute, problems);
    }

    private static void FindInputProblems(ModelReading reading, List<ModelProblem> problems)
    {
        var type = reading.Type;
        if (reading.InputAttributes.IsEmpty)
        {
            problems.Add(Problem(DiagnosticDescriptors.MissingInput, LocationOf(reading.ModelAttributes[0], type), type.Name));
            return;
        }

        foreach (var repeated in reading.InputAttributes.Skip(1))
        {
            problems.Add(Problem(DiagnosticDescriptors.RepeatedInput, LocationOf(repeated, type), type.Name));
        }

        if (reading.InputAttributes.Length == 1 && reading.InputShape is null)
        {
            problems.Add(Problem(DiagnosticDescriptors.UnboundArguments, LocationOf(reading.InputAttributes[0], type), "Input", "the input shape is unknown"));
        }
    }

    private static void FindStackProblems(ModelReading reading, StackReading? stack, string name, Compilation compilation, List<ModelProblem> problems)
    {
        var type = reading.Type;
        if (stack is null)
        {
            problems.Add(type.GetMembers(name).FirstOrDefault(member => !member.IsImplicitlyDeclared) is { } other
                ? Problem(DiagnosticDescriptors.WrongStackMember, IdentifierLocation(other), name, "a " + KindName(other))
                : Problem(DiagnosticDescriptors.MissingStackProperty, LocationOf(reading.ModelAttributes[0], type), type.Name, name));
            return;
        }

        var property = stack.Property;
        var syntax = UserDeclarations<PropertyDeclarationSyntax>(property).FirstOrDefault();
        if (!SymbolEqualityComparer.Default.Equals(property.Type, compilation.GetTypeByMetadataName(KnownNames.SequentialType)))
        {
            problems.Add(Problem(DiagnosticDescriptors.WrongStackMember, syntax?.Type.GetLocation() ?? IdentifierLocation(property), name, $"of type '{property.Type.ToDisplayString()}'"));
        }

        if (property.PartialImplementationPart is { } implementation && !stack.IsPartialWithoutBody)
        {
            problems.Add(Problem(DiagnosticDescriptors.StackNotPartial, IdentifierLocation(implementation), name, "remove this implementing declaration, the generator writes it"));
        }
        else if (!property.IsPartialDefinition)
        {
            bool hasBody = syntax is not null
                && (syntax.ExpressionBody is not null || syntax.Initializer is not null || syntax.AccessorList?.Accessors.Any(accessor => accessor.Body is not null || accessor.ExpressionBody is not null) == true);
            problems.Add(hasBody
                ? Problem(DiagnosticDescriptors.StackNotPartial, IdentifierLocation(property), name, "replace it with a partial declaration without a body")
                : Problem(DiagnosticDescriptors.StackNotPartial, IdentifierLocation(property), new ProblemFix(FixKind.MakePartial), name, "add 'partial'"));
        }

        if (property.IsStatic)
        {
            var keyword = syntax?.Modifiers.FirstOrDefault(modifier => modifier.IsKind(SyntaxKind.StaticKeyword));
            problems.Add(Problem(DiagnosticDescriptors.StackAccessors, keyword is { RawKind: not 0 } token ? token.GetLocation() : IdentifierLocation(property), name, "static"));
        }

        if (property.SetMethod is { } setter)
        {
            var accessor = syntax?.AccessorList?.Accessors.FirstOrDefault(accessor => accessor.IsKind(SyntaxKind.SetAccessorDeclaration) || accessor.IsKind(SyntaxKind.InitAccessorDeclaration));
            problems.Add(Problem(DiagnosticDescriptors.StackAccessors, accessor?.Keyword.GetLocation() ?? IdentifierLocation(property), name, setter.IsInitOnly ? "init" : "set"));
        }

        if (ModelReading.IsSplitAcrossDeclarations(property))
        {
            var misplaced = ModelReading.LayersOnImplementation(property).First();
            problems.Add(Problem(DiagnosticDescriptors.StackSplitAcrossDeclarations, LocationOf(misplaced, type), name));
        }

        foreach (var layer in stack.Layers.Where(layer => layer.Layer is null))
        {
            var layerName = ShortName(layer.Attribute);
            problems.Add(IsKnownLayer(layer.Attribute.AttributeClass)
                ? Problem(DiagnosticDescriptors.UnboundArguments, LocationOf(layer.Attribute, type), layerName, "the layer cannot be built")
                : Problem(DiagnosticDescriptors.UnknownLayer, LocationOf(layer.Attribute, type), layerName));
        }
    }

    private static void FindLayersOutsideStacks(INamedTypeSymbol type, List<ModelProblem> problems)
    {
        foreach (var property in type.GetMembers().OfType<IPropertySymbol>())
        {
            if (property.Name is KnownNames.EncoderProperty or KnownNames.DecoderProperty)
            {
                continue;
            }

            foreach (var attribute in property.GetAttributes().Where(attribute => ModelReading.IsLayerAttribute(attribute.AttributeClass)))
            {
                problems.Add(Problem(DiagnosticDescriptors.LayerOutsideStack, LocationOf(attribute, type), ShortName(attribute), property.Name));
            }
        }
    }

    /// <summary>Every member a part writes is protected: a user member of the same name (and, for a method, parameter types) would clash.</summary>
    private static void FindGeneratedMemberConflicts(ModelReading reading, List<ModelProblem> problems)
    {
        if (reading.ModelAttribute is null)
        {
            return;
        }

        var type = reading.Type;
        var description = new ModelDescription(string.Empty, null, default, string.Empty, type.Name, reading.ToParts(), default, Shapes: null);
        var reported = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var part in description.Parts)
        {
            foreach (var generated in part.Members(description))
            {
                // C# lets no member share its class's name (CS0542), and the generated one cannot be renamed.
                if (generated.Name == type.Name && !problems.Any(problem => problem.Descriptor == DiagnosticDescriptors.ModelNamedLikeGeneratedMember))
                {
                    problems.Add(Problem(DiagnosticDescriptors.ModelNamedLikeGeneratedMember, IdentifierLocation(type), generated.Name, part.DeclaredBy));
                }

                foreach (var member in type.GetMembers(generated.Name).Where(member => !member.IsImplicitlyDeclared && member.DeclaringSyntaxReferences.Any(reference => !GeneratedCode.IsOurs(reference))))
                {
                    bool clashes = generated is not GeneratedMethod generatedMethod || member is not IMethodSymbol method
                        || method.Parameters.Select(parameter => parameter.Type.ToDisplayString()).SequenceEqual(generatedMethod.Parameters.Select(parameter => parameter.Type.Display));
                    if (clashes && reported.Add(member))
                    {
                        var name = member is IMethodSymbol { MethodKind: MethodKind.Constructor } ? $"{type.Name}(long?)" : member.Name;
                        problems.Add(Problem(DiagnosticDescriptors.GeneratedMemberConflict, IdentifierLocation(member), type.Name, name, part.DeclaredBy));
                    }
                }
            }
        }
    }

    private static bool IsKnownLayer(INamedTypeSymbol? attributeClass) =>
        AttributeInstances.ClrType(attributeClass) is { } type && LayerCatalog.Knows(type);
}
