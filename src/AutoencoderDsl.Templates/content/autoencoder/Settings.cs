using System.CommandLine;

namespace AutoencoderApp;

/// <summary>What a run takes from its command line; <c>dotnet run -- --help</c> lists it.</summary>
/// <param name="Data">A folder of images to train on, or null for the built-in shapes.</param>
/// <param name="Examples">How many built-in shapes to draw when there is no folder.</param>
/// <param name="Epochs">Passes over the training images.</param>
/// <param name="OutputFolder">Where the pictures and the model are written.</param>
/// <param name="Seed">Seeds the weights, the order of the images and every random draw, so a run repeats.</param>
/// <param name="Parsed">The whole command line, for the options a program adds.</param>
internal sealed record Settings(string? Data, int Examples, int Epochs, string OutputFolder, int Seed, ParseResult Parsed)
{
    /// <summary>Parses <paramref name="args"/> and calls <paramref name="run"/>, whose result is the exit code.</summary>
    /// <param name="extra">The program's own options, read back through <see cref="Parsed"/>.</param>
    public static int Run(string[] args, string description, Func<Settings, int> run, params Option[] extra)
    {
        var data = new Option<string?>("--data") { Description = "A folder of images (PNG, JPEG, BMP, GIF, WebP): one subfolder per class, or all directly in it. Without it, the built-in shapes." };
        var examples = new Option<int>("--examples") { Description = "How many built-in shapes to draw when there is no --data.", DefaultValueFactory = _ => 6000 };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training images.", DefaultValueFactory = _ => 10 };
        var output = new Option<string>("--out") { Description = "The folder to write the pictures and the model to.", DefaultValueFactory = _ => "output" };
        var seed = new Option<int>("--seed") { Description = "Seeds the weights, the order of the images and every random draw.", DefaultValueFactory = _ => 1 };
        AtLeast(examples, 10);
        AtLeast(epochs, 1);

        var command = new RootCommand(description) { data, examples, epochs, output, seed };
        foreach (var option in extra)
        {
            command.Options.Add(option);
        }

        command.SetAction(parsed =>
        {
            try
            {
                return run(new Settings(parsed.GetValue(data), parsed.GetValue(examples), parsed.GetValue(epochs), parsed.GetValue(output)!, parsed.GetValue(seed), parsed));
            }
            catch (Exception problem) when (problem is ArgumentException or IOException)
            {
                // A mistake in what was asked (a missing folder, an unknown class, a bad image): its message says what
                // to change, and a stack trace would only hide it.
                Console.Error.WriteLine(problem.Message);
                return 2;
            }
        });
        return command.Parse(args).Invoke();
    }

    /// <summary>The full path of <paramref name="fileName"/> in the output folder, which is created if need be.</summary>
    public string Output(string fileName)
    {
        Directory.CreateDirectory(OutputFolder);
        return Path.GetFullPath(Path.Combine(OutputFolder, fileName));
    }

    private static void AtLeast(Option<int> option, int least) => option.Validators.Add(result =>
    {
        if (result.GetValueOrDefault<int>() < least)
        {
            result.AddError($"{option.Name} must be at least {least}.");
        }
    });
}
