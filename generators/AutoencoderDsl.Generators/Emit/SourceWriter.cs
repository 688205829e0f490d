using System.Text;

namespace AutoencoderDsl.Generators.Emit;

/// <summary>Writes indented C# line by line; generated code is laid out as a person would write it.</summary>
public sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder text = new();
    private int depth;

    public SourceWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            for (int level = 0; level < depth; level++)
            {
                text.Append(IndentUnit);
            }

            text.Append(line);
        }

        text.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="header"/> and an opening brace; dispose the result to close it.</summary>
    public Block OpenBlock(string header)
    {
        Line(header);
        Line("{");
        depth++;
        return new Block(this);
    }

    /// <summary>Drops a blank line just written, so a block does not end with one.</summary>
    public void TrimTrailingBlankLine()
    {
        if (text.Length >= 2 && text[text.Length - 1] == '\n' && text[text.Length - 2] == '\n')
        {
            text.Length--;
        }
    }

    public void Indent() => depth++;

    public void Outdent() => depth--;

    public override string ToString() => text.ToString();

    public readonly struct Block : System.IDisposable
    {
        private readonly SourceWriter writer;

        public Block(SourceWriter writer) => this.writer = writer;

        public void Dispose()
        {
            writer.depth--;
            writer.Line("}");
        }
    }
}
