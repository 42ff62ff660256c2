using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Liiklus.Cli.Output;

/// <summary>Prints results as <c>-o</c> asked: tables, or one JSON document per result on a line of its own.</summary>
internal sealed class ResultWriter(TextWriter writer, bool json)
{
    private static readonly JsonSerializerOptions Compact = new()
    {
        WriteIndented = false,
        // Values are shown as they are ('<', '+', non-ASCII letters), still valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly object _gate = new();

    /// <summary>Whether results are JSON documents.</summary>
    public bool Json { get; } = json;

    /// <summary>The writer tables and notes go to.</summary>
    public TextWriter Writer { get; } = writer;

    /// <summary>One result as a JSON document on one line; safe from several threads.</summary>
    public void WriteJson(JsonNode document)
    {
        var text = document.ToJsonString(Compact);
        lock (_gate)
        {
            Writer.WriteLine(text);
            Writer.Flush();
        }
    }

    /// <summary>A row of a stream (or any line), written whole; safe from several threads.</summary>
    public void Locked(Action<TextWriter> write)
    {
        lock (_gate)
        {
            write(Writer);
            Writer.Flush();
        }
    }
}
