using System.Text;
using System.Text.Json.Nodes;

namespace Liiklus.Cli.Output;

/// <summary>Keys, values and headers shown as text when they are UTF-8, as base64 otherwise.</summary>
internal static class Bytes
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The bytes as text, or null when they are not UTF-8.</summary>
    public static string? Text(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return Strict.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>The bytes as text for a table or a format: UTF-8 text, or <c>base64:…</c>.</summary>
    public static string Show(ReadOnlySpan<byte> bytes) => Text(bytes) ?? "base64:" + Convert.ToBase64String(bytes);

    /// <summary>
    /// Adds <paramref name="name"/> as text, or <c>&lt;name&gt;Base64</c> when the bytes are not UTF-8; a null
    /// <paramref name="bytes"/> (no key at all) is a JSON null under <paramref name="name"/>.
    /// </summary>
    public static void AddTo(JsonObject document, string name, ReadOnlyMemory<byte>? bytes)
    {
        if (bytes is not { } value)
        {
            document[name] = null;
        }
        else if (Text(value.Span) is { } text)
        {
            document[name] = text;
        }
        else
        {
            document[name + "Base64"] = Convert.ToBase64String(value.Span);
        }
    }
}
