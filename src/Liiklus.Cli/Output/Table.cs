namespace Liiklus.Cli.Output;

/// <summary>
/// Rows under a header, each column as wide as its widest cell, two spaces apart; numbers right-aligned. Cells
/// of the last column are never cut.
/// </summary>
internal sealed class Table
{
    private readonly string[] _headers;
    private readonly bool[] _rightAligned;
    private readonly List<string[]> _rows = [];

    /// <param name="columns">the header of each column; one ending in '>' is right-aligned (the '>' is not shown)</param>
    public Table(params string[] columns)
    {
        _headers = [.. columns.Select(c => c.TrimEnd('>'))];
        _rightAligned = [.. columns.Select(c => c.EndsWith('>'))];
    }

    public Table Add(params string?[] cells)
    {
        if (cells.Length != _headers.Length)
        {
            throw new ArgumentException($"a row of {cells.Length} cells in a table of {_headers.Length} columns", nameof(cells));
        }

        _rows.Add([.. cells.Select(c => c ?? "-")]);
        return this;
    }

    public void WriteTo(TextWriter writer)
    {
        var widths = _headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        Line(writer, _headers, widths);
        foreach (var row in _rows)
        {
            Line(writer, row, widths);
        }
    }

    private void Line(TextWriter writer, string[] cells, int[] widths)
    {
        var parts = cells.Select((cell, i) =>
            _rightAligned[i] ? cell.PadLeft(widths[i]) : i == cells.Length - 1 ? cell : cell.PadRight(widths[i]));
        writer.WriteLine(string.Join("  ", parts).TrimEnd());
    }
}
