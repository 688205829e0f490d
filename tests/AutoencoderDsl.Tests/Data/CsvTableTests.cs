using System;
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

    [Fact]
    public void ADecimalCommaIsRefusedWithWhereItIsUnlessDeclared()
    {
        using var folder = new TemporaryFolder();
        var path = Write(folder, "a;b\n1,5;2,25\n");

        var error = Assert.Throws<InvalidDataException>(() => CsvTable.Read(path));
        using var table = CsvTable.Read(path, new CsvTableOptions { DecimalSeparator = ',' });

        Assert.StartsWith($"'{path}', line 2, column 1 ('a'): expected a number but found '1,5' (numbers have '.' as the decimal separator", error.Message);
        Assert.Contains("set CsvTableOptions.DecimalSeparator = ','", error.Message);
        Assert.Equal([1.5f, 2.25f], table.Features.data<float>().ToArray());
    }

    [Fact]
    public void ThousandsSeparatorsAreNotNumbersInEitherConvention()
    {
        using var folder = new TemporaryFolder();

        Assert.Contains("column 2 ('b'): expected a number but found '1,000'", Assert.Throws<InvalidDataException>(() => CsvTable.Read(Write(folder, "a;b\n1;1,000\n"))).Message);
        Assert.Contains("column 1 ('a'): expected a number but found '1.5'", Assert.Throws<InvalidDataException>(() => CsvTable.Read(Write(folder, "a;b\n1.5;2\n"), new CsvTableOptions { DecimalSeparator = ',' })).Message);
        Assert.Contains("expected a number but found '1.000,5'", Assert.Throws<InvalidDataException>(() => CsvTable.Read(Write(folder, "a;b\n1.000,5;2\n"), new CsvTableOptions { DecimalSeparator = ',' })).Message);
    }

    [Fact]
    public void ADecimalSeparatorThatIsAlsoTheFieldSeparatorIsRefused()
    {
        using var folder = new TemporaryFolder();
        var path = Write(folder, "a,b\n1,2\n");

        Assert.Contains("'.' or ','", Assert.Throws<ArgumentException>(() => CsvTable.Read(path, new CsvTableOptions { DecimalSeparator = ' ' })).Message);
        Assert.Contains("both ','", Assert.Throws<ArgumentException>(() => CsvTable.Read(path, new CsvTableOptions { DecimalSeparator = ',', Separator = ',' })).Message);
        Assert.Equal(
            $"'{path}' separates its fields with ',', the decimal separator asked for; set CsvTableOptions.Separator to its field separator.",
            Assert.Throws<InvalidDataException>(() => CsvTable.Read(path, new CsvTableOptions { DecimalSeparator = ',' })).Message);
    }

    [Fact]
    public void TwoColumnsOfOneNameAreRefusedNamingIt()
    {
        using var folder = new TemporaryFolder();
        var path = Write(folder, "label,x,label\n1,2,3\n4,5,6\n");

        var error = Assert.Throws<InvalidDataException>(() => CsvTable.Read(path, new CsvTableOptions { LabelColumn = "label" }));

        Assert.Equal($"'{path}' has two columns named 'label' (columns 1 and 3); rename one so that each name says which column it is.", error.Message);
        Assert.Throws<InvalidDataException>(() => CsvTable.Read(path));
    }

    [Fact]
    public void AHeaderOfTwoHundredThousandColumnsIsRead()
    {
        const int Columns = 200_000;
        using var folder = new TemporaryFolder();
        var path = Write(folder, string.Join(',', Enumerable.Range(0, Columns).Select(column => $"c{column}")) + "\n" + string.Join(',', Enumerable.Range(0, Columns).Select(column => column % 7)) + "\n");

        using var table = CsvTable.Read(path, new CsvTableOptions { LabelColumn = $"c{Columns - 1}" });

        Assert.Equal(Columns - 1, table.FeatureNames.Count);
        Assert.Equal($"c{Columns - 2}", table.FeatureNames[^1]);
        Assert.Equal([((Columns - 1) % 7).ToString()], table.LabelNames);
        var error = Assert.Throws<InvalidDataException>(() => CsvTable.Read(path, new CsvTableOptions { LabelColumn = "missing" }));
        Assert.EndsWith($"its columns are {string.Join(", ", Enumerable.Range(0, 20).Select(column => $"'c{column}'"))}, … ({Columns} in all).", error.Message);
    }
}
