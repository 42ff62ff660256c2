using System.Globalization;
using System.Text;

namespace Liiklus.Cli.Output;

/// <summary>
/// A record printed through a <c>-f</c> format, one line per record: <c>%t</c> topic, <c>%p</c> partition,
/// <c>%o</c> offset, <c>%k</c> key, <c>%v</c> value, <c>%T</c> timestamp (ISO 8601, UTC), <c>%h</c> extensions or
/// headers as <c>name=value</c> separated by commas, <c>%%</c> a percent sign; <c>\t</c> a tab, <c>\n</c> a new line.
/// </summary>
internal sealed class RecordFormat
{
    private const string Placeholders = "tpokvTh%";
    private readonly string _format;

    private RecordFormat(string format) => _format = format;

    /// <exception cref="UsageException">an unknown placeholder</exception>
    public static RecordFormat Parse(string format)
    {
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%')
            {
                continue;
            }

            if (i == format.Length - 1 || !Placeholders.Contains(format[i + 1], StringComparison.Ordinal))
            {
                throw new UsageException($"-f '{format}': unknown placeholder '{format[i..Math.Min(i + 2, format.Length)]}' (known: %t %p %o %k %v %T %h %%)");
            }

            i++;
        }

        return new RecordFormat(format.Replace("\\t", "\t", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal));
    }

    public string Render(RecordView record)
    {
        var builder = new StringBuilder(_format.Length + record.Value.Length);
        for (var i = 0; i < _format.Length; i++)
        {
            if (_format[i] != '%')
            {
                builder.Append(_format[i]);
                continue;
            }

            builder.Append(_format[++i] switch
            {
                't' => record.Topic,
                'p' => record.Partition.ToString(CultureInfo.InvariantCulture),
                'o' => record.Offset.ToString(CultureInfo.InvariantCulture),
                'k' => record.Key is { } key ? Bytes.Show(key.Span) : "",
                'v' => Bytes.Show(record.Value.Span),
                'T' => Time(record.Timestamp),
                'h' => string.Join(',', record.Attributes.Select(a => $"{a.Key}={a.Value}")),
                _ => "%",
            });
        }

        return builder.ToString();
    }

    /// <summary>A time as every verb prints it in tables.</summary>
    public static string Time(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
