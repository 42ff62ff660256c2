namespace Liiklus.Cli.Output;

/// <summary>
/// A table printed row by row as results arrive, whose widths cannot wait for the last row: each column but the
/// last has a fixed width (a wider cell pushes the rest of its row along), the last is printed whole.
/// </summary>
internal sealed class StreamTable
{
    private readonly (string Header, int Width, bool Right)[] _columns;
    private bool _headerWritten;

    /// <param name="columns">each column's header, width and alignment</param>
    public StreamTable(params (string Header, int Width, bool Right)[] columns) => _columns = columns;

    public void Write(TextWriter writer, params string?[] cells)
    {
        if (!_headerWritten)
        {
            _headerWritten = true;
            Line(writer, [.. _columns.Select(c => c.Header)]);
        }

        Line(writer, cells);
    }

    private void Line(TextWriter writer, string?[] cells)
    {
        var parts = cells.Select((cell, i) =>
        {
            var text = cell ?? "-";
            var (_, width, right) = _columns[i];
            return i == cells.Length - 1 ? text : right ? text.PadLeft(width) : text.PadRight(width);
        });
        writer.WriteLine(string.Join("  ", parts).TrimEnd());
    }
}
