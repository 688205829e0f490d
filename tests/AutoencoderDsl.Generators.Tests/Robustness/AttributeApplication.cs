using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;

namespace AutoencoderDsl.Generators.Tests.Robustness;

/// <summary>How an argument is drawn: a value a user would write, an extreme one of the right type, or one of the wrong type.</summary>
public enum Draw
{
    Realistic,
    Extreme,
    WrongType,
}

/// <summary>One written argument: its text, the value it denotes (for a text that binds), and the type it is written for.</summary>
public sealed record Argument(string Text, object? Value, Type Type, bool Binds = true)
{
    /// <summary>Draws an argument for a parameter or property of <paramref name="type"/>.</summary>
    /// <param name="size">For a dimension list: the element count it should usually split, or null for any small dimensions.</param>
    public static Argument Of(Random random, Type type, Draw draw, long? size = null)
    {
        if (draw == Draw.WrongType)
        {
            var texts = type == typeof(int) ? WrongForInt
                : type == typeof(double) ? WrongForDouble
                : type == typeof(bool) ? WrongForBool
                : type.IsEnum ? WrongForEnum
                : WrongForDims;
            return new Argument(Pick(random, texts), null, type, Binds: false);
        }

        if (type == typeof(int))
        {
            var (text, value) = draw == Draw.Extreme ? Pick(random, ExtremeInts) : Integer(Pick(random, RealisticInts));
            return new Argument(text, value, type);
        }

        if (type == typeof(double))
        {
            var (text, value) = draw == Draw.Extreme ? Pick(random, ExtremeDoubles) : Real(Pick(random, RealisticDoubles));
            return new Argument(text, value, type);
        }

        if (type == typeof(bool))
        {
            bool value = random.Next(2) == 0;
            return new Argument(value ? "true" : "false", value, type);
        }

        if (type.IsEnum)
        {
            if (draw == Draw.Extreme)
            {
                int undefined = Pick(random, [-1, Enum.GetValues(type).Length, 7, int.MaxValue]);
                return new Argument($"({type.Name})({Integer(undefined).Text})", Enum.ToObject(type, undefined), type);
            }

            var names = Enum.GetNames(type);
            var name = Pick(random, names);
            return new Argument($"{type.Name}.{name}", Enum.Parse(type, name), type);
        }

        if (type == typeof(int[]))
        {
            var dims = draw == Draw.Extreme ? Pick(random, ExtremeDims) : RealisticDims(random, size);
            return Dims(dims);
        }

        throw new NotSupportedException(
            $"The fuzzer cannot draw an argument of type {type}; teach {nameof(Argument)}.{nameof(Of)} to write one so that attributes taking it are fuzzed.");
    }

    /// <summary>A dimension list written in <c>params</c> form: <c>1, 28, 28</c>, nothing for an empty list, <c>null</c> for none.</summary>
    public static Argument Dims(int[]? dims) =>
        new(dims is null ? "null" : string.Join(", ", dims.Select(dim => Integer(dim).Text)), dims, typeof(int[]));

    public static Argument Of(int value) => new(Integer(value).Text, value, typeof(int));

    public static (string Text, int Value) Integer(int value) => value switch
    {
        int.MaxValue => ("int.MaxValue", value),
        int.MinValue => ("int.MinValue", value),
        _ => (value.ToString(CultureInfo.InvariantCulture), value),
    };

    private static (string Text, double Value) Real(double value) => (value.ToString("R", CultureInfo.InvariantCulture), value);

    /// <summary>Small sizes, and 0, the usual padding; shape inference keeps a layer only where they fit.</summary>
    private static readonly int[] RealisticInts = [0, 0, 1, 1, 2, 2, 2, 3, 3, 4, 4, 5, 6, 8, 16, 32];

    private static readonly double[] RealisticDoubles = [0.01, 0.05, 0.1, 0.2, 0.5, 0.9];

    private static readonly (string, int)[] ExtremeInts =
    [
        ("0", 0), ("-1", -1), ("-7", -7), ("int.MinValue", int.MinValue), ("int.MaxValue", int.MaxValue), ("1 << 16", 1 << 16),
        ("46341", 46341), ("1000000", 1000000), ("int.MaxValue / 2", int.MaxValue / 2),
    ];

    private static readonly (string, double)[] ExtremeDoubles =
    [
        ("double.NaN", double.NaN), ("double.PositiveInfinity", double.PositiveInfinity), ("double.NegativeInfinity", double.NegativeInfinity),
        ("-1", -1), ("0", 0), ("-0.0", -0.0), ("1", 1), ("2", 2), ("1e308", 1e308), ("-1e308", -1e308), ("double.MaxValue", double.MaxValue),
        ("double.Epsilon", double.Epsilon), ("1e-300", 1e-300), ("0.9999999999999999", 0.9999999999999999), ("1e308 * 10", double.PositiveInfinity),
    ];

    private static readonly int[]?[] ExtremeDims =
    [
        [], null, [0], [-1], [-1, 4], [4, 0, 4], [int.MaxValue], [int.MaxValue, int.MaxValue], [int.MaxValue, int.MaxValue, int.MaxValue],
        [1 << 16, 1 << 16, 1 << 16], [46341, 46341], [1, 2, 3, 4], [int.MinValue, 2], [1, 1, 1, 1, 1],
    ];

    // Each fails to bind: a string, a fraction for an int, a long that does not fit, an overflowing constant, a null value.
    private static readonly string[] WrongForInt = ["\"x\"", "2.5", "true", "null", "int.MaxValue + 1", "1L << 40", "'a' + 0.5"];

    private static readonly string[] WrongForDouble = ["\"x\"", "true", "null", "1m"];

    private static readonly string[] WrongForBool = ["1", "\"true\"", "null"];

    private static readonly string[] WrongForEnum = ["1", "\"Gaussian\"", "null", "2.0"];

    private static readonly string[] WrongForDims = ["\"x\"", "new[] { 1.5 }", "new long[] { 4 }", "1, \"x\""];

    /// <summary>Usually a factorisation of <paramref name="size"/> into one to three dimensions, as Reshape and Unflatten need.</summary>
    private static int[] RealisticDims(Random random, long? size)
    {
        int rank = random.Next(1, 4);
        if (size is not { } rest || rest > int.MaxValue || random.Next(6) == 0)
        {
            return Enumerable.Range(0, rank).Select(_ => random.Next(1, 9)).ToArray();
        }

        var dims = new List<int>();
        for (int index = 1; index < rank; index++)
        {
            var divisors = Enumerable.Range(1, (int)Math.Min(rest, 64)).Where(divisor => rest % divisor == 0).ToList();
            int dim = divisors[random.Next(divisors.Count)];
            dims.Add(dim);
            rest /= dim;
        }

        dims.Add((int)rest);
        return [.. dims];
    }

    public static T Pick<T>(Random random, IReadOnlyList<T> options) => options[random.Next(options.Count)];
}

/// <summary>
/// One application of an attribute type of <c>AutoencoderDsl.Abstractions</c>, drawn from the type itself by reflection:
/// a public constructor with its positional arguments (trailing optional ones may be left out) and named arguments for
/// its settable properties. It writes itself as C# and, when every argument binds, builds the instance the generator reads.
/// </summary>
public sealed class AttributeApplication
{
    private AttributeApplication(Type type, ConstructorInfo constructor, List<Argument> positional, List<(string Name, Argument Value)> named)
    {
        Type = type;
        Constructor = constructor;
        Positional = positional;
        Named = named;
    }

    public Type Type { get; }

    public ConstructorInfo Constructor { get; }

    /// <summary>The written positional arguments; parameters past the end take their defaults.</summary>
    public List<Argument> Positional { get; }

    public List<(string Name, Argument Value)> Named { get; }

    /// <summary>The name as written: the type's name without <c>Attribute</c>.</summary>
    public string Name => Type.Name[..^nameof(Attribute).Length];

    /// <summary>How many arguments a mutation can pick from.</summary>
    public int ArgumentCount => Positional.Count + Named.Count;

    /// <summary>The concrete attribute types of the abstractions that derive from <typeparamref name="T"/>, in a fixed order.</summary>
    public static IReadOnlyList<Type> TypesDerivedFrom<T>()
        where T : Attribute =>
        typeof(T).Assembly.GetTypes()
            .Where(type => typeof(T).IsAssignableFrom(type) && !type.IsAbstract && type.IsPublic)
            .OrderBy(type => type.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// Draws an application of <paramref name="type"/>: a random constructor, every parameter, the required members the
    /// constructor leaves unset, and each other settable property with probability <paramref name="namedRate"/>.
    /// </summary>
    /// <param name="size">The element count a dimension list should usually split.</param>
    public static AttributeApplication Random(Random random, Type type, Draw draw, double namedRate, long? size = null)
    {
        var constructor = Argument.Pick(random, type.GetConstructors());
        var parameters = constructor.GetParameters();
        int written = parameters.Length;
        while (written > 0 && parameters[written - 1].HasDefaultValue && random.Next(3) == 0)
        {
            written--;
        }

        var positional = parameters.Take(written).Select(parameter => Argument.Of(random, parameter.ParameterType, draw, size)).ToList();
        var named = SettableProperties(type)
            .Where(property => (IsRequired(property) && !SetsRequiredMembers(constructor)) || random.NextDouble() < namedRate)
            .Select(property => (property.Name, Argument.Of(random, property.PropertyType, draw, size)))
            .ToList();
        return new AttributeApplication(type, constructor, positional, named);
    }

    /// <summary>An application of the constructor of <paramref name="type"/> that takes exactly <paramref name="arguments"/>' types.</summary>
    public static AttributeApplication Of(Type type, params Argument[] arguments) =>
        new(type, type.GetConstructor(arguments.Select(argument => argument.Type).ToArray())!, [.. arguments], []);

    /// <summary>The public properties a named argument can set, excluding <see cref="Attribute"/>'s own.</summary>
    public static IEnumerable<PropertyInfo> SettableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.SetMethod is { IsPublic: true } && property.DeclaringType != typeof(Attribute))
            .OrderBy(property => property.Name, StringComparer.Ordinal);

    /// <summary>The instance the generator builds from this application, or null when an argument does not bind or a required member is unset.</summary>
    public Attribute? Instantiate()
    {
        if (Positional.Any(argument => !argument.Binds) || Named.Any(argument => !argument.Value.Binds)
            || Named.Select(argument => argument.Name).Distinct().Count() != Named.Count
            || (!SetsRequiredMembers(Constructor) && SettableProperties(Type).Any(property => IsRequired(property) && Named.All(argument => argument.Name != property.Name))))
        {
            return null;
        }

        var parameters = Constructor.GetParameters();
        // A mutation may have dropped an argument the constructor needs: that text binds no constructor.
        if (Positional.Count > parameters.Length || parameters.Skip(Positional.Count).Any(parameter => !parameter.HasDefaultValue))
        {
            return null;
        }

        var values = parameters.Select((parameter, index) => index < Positional.Count ? Positional[index].Value : parameter.DefaultValue).ToArray();
        try
        {
            var instance = (Attribute)Constructor.Invoke(values);
            foreach (var (name, value) in Named)
            {
                Type.GetProperty(name)!.SetValue(instance, value.Value);
            }

            return instance;
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }

    public override string ToString()
    {
        var arguments = Positional.Select(argument => argument.Text).Where(text => text.Length > 0)
            .Concat(Named.Select(argument => $"{argument.Name} = {argument.Value.Text}"))
            .ToList();
        return Positional.Count == 0 && arguments.Count == 0 ? Name : $"{Name}({string.Join(", ", arguments)})";
    }

    private static bool IsRequired(PropertyInfo property) =>
        property.GetCustomAttributes(inherit: false).Any(attribute => attribute.GetType().Name == "RequiredMemberAttribute");

    private static bool SetsRequiredMembers(ConstructorInfo constructor) =>
        constructor.GetCustomAttributes(inherit: false).Any(attribute => attribute.GetType().Name == "SetsRequiredMembersAttribute");
}
