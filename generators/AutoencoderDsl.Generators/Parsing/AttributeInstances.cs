using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AutoencoderDsl.Generators.Parsing;

/// <summary>
/// Reads attribute applications into instances of the real attribute types of <c>AutoencoderDsl.Abstractions</c>, which
/// the generator is compiled against and ships beside it: the constructor the compiler bound is called with the written
/// arguments and the named arguments are set, so every name, overload and default is the attribute type's own.
/// </summary>
public static class AttributeInstances
{
    private static readonly Assembly Abstractions = typeof(ModelAttribute).Assembly;
    private static readonly string AbstractionsName = Abstractions.GetName().Name!;

    /// <summary>Whether <paramref name="type"/> is declared in AutoencoderDsl.Abstractions, not merely named like one of its types.</summary>
    public static bool IsOurs(ITypeSymbol? type) => type?.ContainingAssembly?.Name == AbstractionsName;

    /// <summary>Whether <paramref name="type"/> is <typeparamref name="T"/> or derives from it.</summary>
    public static bool DerivesFrom<T>(ITypeSymbol? type)
        where T : Attribute
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (IsOurs(current) && ClrType(current) == typeof(T))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="type"/> is exactly the attribute type <typeparamref name="T"/>.</summary>
    public static bool Is<T>(ITypeSymbol? type)
        where T : Attribute => ClrType(type) == typeof(T);

    /// <summary>Our attribute type a symbol denotes, or null.</summary>
    public static Type? ClrType(ITypeSymbol? type) =>
        IsOurs(type) && type is INamedTypeSymbol { ContainingType: null } named
            ? ClrTypes.GetValue(named, static symbol => new(Abstractions.GetType(symbol.ContainingNamespace.ToDisplayString() + "." + symbol.MetadataName, throwOnError: false))).Value
            : null;

    /// <summary>
    /// Each symbol's CLR type, looked up once: every layer of every model asks several times, and the lookup by name
    /// was a third of the generator's own time. The abstractions are a metadata reference, whose symbols the compiler
    /// shares between compilations; the table lets a symbol go with its last compilation.
    /// </summary>
    private static readonly ConditionalWeakTable<INamedTypeSymbol, StrongBox<Type?>> ClrTypes = new();

    /// <summary>
    /// The attribute as an instance of its real type, or null when it is not one of ours of type <typeparamref name="T"/>,
    /// an argument is missing, not a constant or not of its parameter's type, or the constructor refuses the arguments.
    /// </summary>
    /// <param name="compilation">The compilation the attribute is in, to bind a named argument whose type its data hides.</param>
    public static T? Create<T>(AttributeData attribute, Compilation compilation)
        where T : Attribute
    {
        if (ClrType(attribute.AttributeClass) is not { } type
            || !typeof(T).IsAssignableFrom(type)
            || type.IsAbstract
            || attribute.AttributeConstructor is not { } constructor
            || Bindings.GetValue(constructor, symbol => Bind(symbol, type)) is not { Constructor: { } clrConstructor } binding
            || attribute.ConstructorArguments.Length != binding.ParameterTypes.Length
            || attribute.ConstructorArguments.Any(IsUnbound)
            || attribute.NamedArguments.Any(argument => IsUnbound(attribute, argument, compilation))
            || binding.RequiredMembers.Any(name => !attribute.NamedArguments.Any(argument => argument.Key == name)))
        {
            return null;
        }

        try
        {
            var arguments = new object?[binding.ParameterTypes.Length];
            for (int index = 0; index < arguments.Length; index++)
            {
                arguments[index] = Value(attribute.ConstructorArguments[index], binding.ParameterTypes[index]);
            }

            var instance = (T)clrConstructor.Invoke(arguments);
            foreach (var named in attribute.NamedArguments)
            {
                if (Properties.GetOrAdd((type, named.Key), key => key.Type.GetProperty(key.Name, BindingFlags.Public | BindingFlags.Instance)) is not { CanWrite: true } property)
                {
                    return null;
                }

                property.SetValue(instance, Value(named.Value, property.PropertyType));
            }

            return instance;
        }
        catch (Exception exception) when (exception is TargetInvocationException or ArgumentException or InvalidCastException or OverflowException or MemberAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// What reading an application of one attribute constructor needs from reflection: every layer attribute of every
    /// model asks, and the lookups (overload selection, array types, the required members) were the larger part of
    /// reading a declaration. Kept per constructor symbol, which the compiler shares between compilations.
    /// </summary>
    private sealed record ConstructorBinding(ConstructorInfo? Constructor, Type[] ParameterTypes, ImmutableArray<string> RequiredMembers);

    private static readonly ConditionalWeakTable<IMethodSymbol, ConstructorBinding> Bindings = new();

    private static readonly ConcurrentDictionary<(Type Type, string Name), PropertyInfo?> Properties = new();

    private static ConstructorBinding Bind(IMethodSymbol constructor, Type type)
    {
        var parameterTypes = constructor.Parameters.Select(parameter => ClrTypeOf(parameter.Type)).ToArray();
        var clrConstructor = parameterTypes.Any(parameterType => parameterType is null)
            ? null
            : type.GetConstructor(BindingFlags.Public | BindingFlags.Instance, null, parameterTypes!, null);
        return new(clrConstructor, parameterTypes!, RequiredMembers(constructor));
    }

    private static bool IsUnbound(TypedConstant constant) =>
        constant.Kind == TypedConstantKind.Error || (constant.Kind == TypedConstantKind.Array && !constant.IsNull && constant.Values.Any(IsUnbound));

    /// <summary>
    /// Whether a named argument cannot be read: it is not a constant, or it is of a type the compiler converts to the
    /// property's only explicitly. That is an error (CS0266), but the compiler recovers by converting, and nothing in the
    /// attribute's data shows it: <c>LatentDim = 2.5</c> reads as 2, and would generate a model from code that does not
    /// compile. (A positional argument of such a type binds no constructor at all.)
    /// </summary>
    public static bool IsUnbound(AttributeData attribute, KeyValuePair<string, TypedConstant> argument, Compilation compilation)
    {
        if (IsUnbound(argument.Value))
        {
            return true;
        }

        if (attribute.ApplicationSyntaxReference?.GetSyntax() is not AttributeSyntax syntax
            || syntax.ArgumentList?.Arguments.FirstOrDefault(written => written.NameEquals?.Name.Identifier.ValueText == argument.Key) is not { } written
            || ConvertsImplicitly(written.Expression, argument.Value.Type))
        {
            return false;
        }

        var conversion = compilation.GetSemanticModel(syntax.SyntaxTree).GetConversion(written.Expression);
        return conversion.Exists && !conversion.IsImplicit;
    }

    /// <summary>
    /// True for the literals users write most, of the property's own type or an int for a double, which need not be
    /// bound again to know they convert implicitly: binding is most of what reading a declaration costs.
    /// </summary>
    private static bool ConvertsImplicitly(ExpressionSyntax expression, ITypeSymbol? type)
    {
        while (expression is ParenthesizedExpressionSyntax or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression or (int)SyntaxKind.UnaryPlusExpression })
        {
            expression = expression is ParenthesizedExpressionSyntax parenthesized ? parenthesized.Expression : ((PrefixUnaryExpressionSyntax)expression).Operand;
        }

        return expression is LiteralExpressionSyntax literal && (literal.Token.Value, type?.SpecialType) switch
        {
            (int, SpecialType.System_Int32 or SpecialType.System_Double) => true,
            (double, SpecialType.System_Double) => true,
            (bool, SpecialType.System_Boolean) => true,
            _ => false,
        };
    }

    /// <summary>
    /// The required members an application of <paramref name="constructor"/> must set: one left unset (the compiler
    /// reports CS9035) would read as its zero default, which the generator must not mistake for a written value.
    /// </summary>
    private static ImmutableArray<string> RequiredMembers(IMethodSymbol constructor)
    {
        if (constructor.GetAttributes().Any(marker => marker.AttributeClass?.Name == "SetsRequiredMembersAttribute"))
        {
            return [];
        }

        var required = ImmutableArray.CreateBuilder<string>();
        for (var type = constructor.ContainingType; type is not null; type = type.BaseType)
        {
            foreach (var property in type.GetMembers().OfType<IPropertySymbol>())
            {
                if (property.IsRequired)
                {
                    required.Add(property.Name);
                }
            }
        }

        return required.ToImmutable();
    }

    /// <summary>The CLR type of a constructor parameter: the primitives, arrays of them, and our enums.</summary>
    private static Type? ClrTypeOf(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => ClrTypeOf(array.ElementType)?.MakeArrayType(),
        { SpecialType: SpecialType.System_Int32 } => typeof(int),
        { SpecialType: SpecialType.System_Int64 } => typeof(long),
        { SpecialType: SpecialType.System_Double } => typeof(double),
        { SpecialType: SpecialType.System_Single } => typeof(float),
        { SpecialType: SpecialType.System_Boolean } => typeof(bool),
        { SpecialType: SpecialType.System_String } => typeof(string),
        { TypeKind: TypeKind.Enum } => ClrType(type),
        _ => null,
    };

    /// <summary>A constant as <paramref name="target"/>: arrays element by element, enums from their underlying value.</summary>
    private static object? Value(TypedConstant constant, Type target)
    {
        if (constant.Kind == TypedConstantKind.Array)
        {
            if (constant.IsNull)
            {
                return null;
            }

            var elementType = target.GetElementType() ?? throw new InvalidCastException("An array was given where a single value is expected.");
            var array = Array.CreateInstance(elementType, constant.Values.Length);
            for (int index = 0; index < array.Length; index++)
            {
                array.SetValue(Value(constant.Values[index], elementType), index);
            }

            return array;
        }

        if (constant.Value is null)
        {
            return null;
        }

        return target.IsEnum ? Enum.ToObject(target, constant.Value) : Convert.ChangeType(constant.Value, target, System.Globalization.CultureInfo.InvariantCulture);
    }
}
