using System.Globalization;
using System.Text.Json.Nodes;

namespace Liiklus.Cli.Output;

/// <summary>Prints the records of consume and tail: a JSON document each, a <c>-f</c> format, or table rows.</summary>
internal sealed class RecordPrinter(ResultWriter results, RecordFormat? format, bool withTime)
{
    private readonly StreamTable _table = withTime
        ? new(("PARTITION", 9, true), ("OFFSET", 8, true), ("TIME", 24, false), ("KEY", 12, false), ("VALUE", 0, false))
        : new(("PARTITION", 9, true), ("OFFSET", 8, true), ("KEY", 12, false), ("VALUE", 0, false));

    public void Print(RecordView record, Func<JsonObject> document)
    {
        if (results.Json)
        {
            results.WriteJson(document());
        }
        else if (format is not null)
        {
            var line = format.Render(record);
            results.Locked(w => w.WriteLine(line));
        }
        else
        {
            var partition = record.Partition.ToString(CultureInfo.InvariantCulture);
            var offset = record.Offset.ToString(CultureInfo.InvariantCulture);
            var key = record.Key is { } k ? Bytes.Show(k.Span) : "-";
            var value = Bytes.Show(record.Value.Span);
            results.Locked(w =>
            {
                if (withTime)
                {
                    _table.Write(w, partition, offset, RecordFormat.Time(record.Timestamp), key, value);
                }
                else
                {
                    _table.Write(w, partition, offset, key, value);
                }
            });
        }
    }
}
