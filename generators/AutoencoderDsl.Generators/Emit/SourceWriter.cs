using System;
using System.Runtime.CompilerServices;
using System.Text;
using AutoencoderDsl.Generators.Shapes;

namespace AutoencoderDsl.Generators.Emit;

/// <summary>Writes indented C# line by line; generated code is laid out as a person would write it.</summary>
public sealed class SourceWriter
{
    private const string IndentUnit = "    ";

    /// <summary>A buffer above this many characters is not kept for the next model.</summary>
    private const int LargestKept = 1 << 20;

    /// <summary>
    /// The last finished writer's buffer on this thread: reused, a model's text goes into one block that has grown to
    /// fit, instead of a fresh chain of chunks per model that is copied once more at the end.
    /// </summary>
    [ThreadStatic]
    private static StringBuilder? spare;

    private readonly StringBuilder text;
    private int depth;

    public SourceWriter()
    {
        text = spare ?? new StringBuilder();
        spare = null;
    }

    public SourceWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            WriteIndent();
            text.Append(line);
        }

        text.Append('\n');
        return this;
    }

    /// <summary>
    /// Writes an interpolated line straight into the text: most generated lines are interpolated, and building each
    /// as a string first was most of what the emitter allocated.
    /// </summary>
    public SourceWriter Line([InterpolatedStringHandlerArgument("")] ref LineHandler line)
    {
        line.End();
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

    /// <summary>The text written; the writer must not be used after it, as its buffer goes to the next one.</summary>
    public string Finish()
    {
        string result = text.ToString();
        if (text.Capacity <= LargestKept)
        {
            spare = text.Clear();
        }

        return result;
    }

    private void WriteIndent()
    {
        for (int level = 0; level < depth; level++)
        {
            text.Append(IndentUnit);
        }
    }

    public readonly struct Block : IDisposable
    {
        private readonly SourceWriter writer;

        public Block(SourceWriter writer) => this.writer = writer;

        public void Dispose()
        {
            writer.depth--;
            writer.Line("}");
        }
    }

    /// <summary>An interpolated line written as it is formatted; numbers in the invariant culture, as <see cref="Literals"/> writes them.</summary>
    [InterpolatedStringHandler]
    public ref struct LineHandler
    {
        private readonly StringBuilder text;
        private readonly int lineStart;
        private readonly int contentStart;

        public LineHandler(int literalLength, int formattedCount, SourceWriter writer)
        {
            text = writer.text;
            lineStart = text.Length;
            writer.WriteIndent();
            contentStart = text.Length;
        }

        public void AppendLiteral(string value) => text.Append(value);

        public void AppendFormatted(string? value) => text.Append(value);

        public void AppendFormatted(int value) => text.Append(Literals.Of(value));

        public void AppendFormatted(long value) => text.Append(Literals.Of(value));

        public void AppendFormatted(double value) => text.Append(Literals.Of(value));

        public void AppendFormatted<T>(T value) => text.Append(value?.ToString());

        /// <summary>Ends the line; one that came out empty is left blank, without indentation, as <see cref="Line(string)"/> leaves it.</summary>
        internal void End()
        {
            if (text.Length == contentStart)
            {
                text.Length = lineStart;
            }

            text.Append('\n');
        }
    }
}
