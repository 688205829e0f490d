using System.IO;
using System.Linq;
using AutoencoderDsl.Tabular;

namespace AutoencoderDsl.Tests.Data;

/// <summary>Reading tables of numbers from CSV, and the errors that name the file, the line and the column.</summary>
public sealed class CsvTableTests
{
    private static string Write(TemporaryFolder folder, string text)
    {
        var path = folder.File("table.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ReadsFeaturesAndALabelColumnInNumericOrder()
    {
        using var folder = new TemporaryFolder();
        var path = Write(folder, "amount,class,age\n1.5,10,30\n-2,2,41\n3e2,10,\"52\"\n");

        using var table = CsvTable.Read(path, new CsvTableOptions { LabelColumn = "class" });

        Assert.Equal(["amount", "age"], table.FeatureNames);
        Assert.Equal(["2", "10"], table.LabelNames);
        Assert.Equal([1.5f, 30, -2, 41, 300, 52], table.Features.data<float>().ToArray());
        Assert.Equal([1L, 0, 1], table.Labels!.data<long>().ToArray());
    }

    [Fact]
    public void ChosenFeatureColumnsComeInTheOrderAsked()
    {
        using var folder = new TemporaryFolder();
        var path = Write(folder, "a;b;c\n1;2;3\n4;5;6\n");

        using var table = CsvTable.Read(path, new CsvTableOptions { FeatureColumns = ["c", "a"], Separator = ';' });

        Assert.Equal([3f, 1, 6, 4], table.Features.data<float>().ToArray());
        Assert.Null(table.Labels);
    }

    [Fact]
    public void AFieldThatIsNotANumberNamesTheFileLineAndColumn()
    {
        using var folder = new TemporaryFolder();
        var path = Write(folder, "a,b,c\n1,2,3\n4,five,6\n");

        var error = Assert.Throws<InvalidDataException>(() => CsvTable.Read(path));

        Assert.Equal($"'{path}', line 3, column 2 ('b'): expected a number but found 'five'.", error.Message);
    }

    [Fact]
    public void EmptyAndInfiniteFieldsAreNotNumbers()
    {
        using var folder = new TemporaryFolder();

        Assert.Contains("line 2, column 1 ('a'): expected a number but found an empty field", Assert.Throws<InvalidDataException>(() => CsvTable.Read(Write(folder, "a,b\n,2\n"))).Message);
        Assert.Contains("found 'Infinity', which is not finite", Assert.Throws<InvalidDataException>(() => CsvTable.Read(Write(folder, "a,b\n1,Infinity\n"))).Message);
    }

    [Fact]
    public void ARowWithTheWrongNumberOfFieldsNamesItsLine()
    {
        using var folder = new TemporaryFolder();
        var path = Write(folder, "a,b,c\n1,2,3\n\n4,5\n");

        var error = Assert.Throws<InvalidDataException>(() => CsvTable.Read(path));

        Assert.Equal($"'{path}', line 4: expected 3 fields, as in the header, but found 2.", error.Message);
    }

    [Fact]
    public void BrokenQuotingNamesItsLine()
    {
        using var folder = new TemporaryFolder();
        var path = Write(folder, "a,b\n1,2\n3,\"4\"x\n");

        var error = Assert.Throws<InvalidDataException>(() => CsvTable.Read(path));

        Assert.StartsWith($"'{path}', line 3: the row is malformed", error.Message);
    }

    [Fact]
    public void AMissingColumnOrFileSaysWhatThereIs()
    {
        using var folder = new TemporaryFolder();
        var path = Write(folder, "a,b\n1,2\n");

        Assert.Equal($"'{path}' has no column 'label'; its columns are 'a', 'b'.", Assert.Throws<InvalidDataException>(() => CsvTable.Read(path, new CsvTableOptions { LabelColumn = "label" })).Message);
        Assert.Throws<FileNotFoundException>(() => CsvTable.Read(folder.File("missing.csv")));
        Assert.Contains("no rows", Assert.Throws<InvalidDataException>(() => CsvTable.Read(Write(folder, "a,b\n"))).Message);
    }
}
