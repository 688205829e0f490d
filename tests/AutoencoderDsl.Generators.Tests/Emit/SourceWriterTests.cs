using System.Globalization;
using AutoencoderDsl.Generators.Emit;

namespace AutoencoderDsl.Generators.Tests.Emit;

/// <summary>Interpolated lines are written straight into the text, laid out as plain lines are and with numbers as C# spells them.</summary>
public sealed class SourceWriterTests
{
    [Fact]
    public void InterpolatedLinesAreIndentedLikePlainOnesAndAnEmptyOneStaysBlank()
    {
        var code = new SourceWriter();
        string name = "Encoder";
        string nothing = string.Empty;
        using (code.OpenBlock("class C"))
        {
            code.Line($"public int {name} => 1;");
            code.Line($"{nothing}");
            code.Line("public int Plain => 2;");
        }

        Assert.Equal("class C\n{\n    public int Encoder => 1;\n\n    public int Plain => 2;\n}\n", code.ToString());
    }

    [Fact]
    public void NumbersAreWrittenInTheInvariantCultureWhateverTheCompilersCulture()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            // Swedish writes a decimal comma and U+2212 for minus; generated code must not.
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("sv-SE");
            var code = new SourceWriter();
            int count = -3;
            long size = -7;
            double rate = 0.5;
            code.Line($"f({count}, {size}, {rate});");

            Assert.Equal("f(-3, -7, 0.5);\n", code.ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }
}
