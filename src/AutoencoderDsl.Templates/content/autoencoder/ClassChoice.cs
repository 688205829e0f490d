namespace AutoencoderApp;

/// <summary>Reads a class given on the command line by its name or its number.</summary>
internal static class ClassChoice
{
    /// <summary>The label of <paramref name="text"/> among <paramref name="classNames"/>; the first class when it is null.</summary>
    public static int Parse(string? text, IReadOnlyList<string> classNames, string option)
    {
        if (text is null)
        {
            return 0;
        }

        int byName = classNames.ToList().FindIndex(name => string.Equals(name, text, StringComparison.OrdinalIgnoreCase));
        if (byName >= 0)
        {
            return byName;
        }

        return int.TryParse(text, out int number) && number >= 0 && number < classNames.Count
            ? number
            : throw new ArgumentException($"{option} '{text}' is not a class of the data; give a name or a number from 0 to {classNames.Count - 1}: {string.Join(", ", classNames.Select((name, label) => $"{label} {name}"))}.");
    }
}
