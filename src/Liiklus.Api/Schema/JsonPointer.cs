using Newtonsoft.Json.Linq;

namespace Liiklus.Api.Schema;

/// <summary>
/// An RFC 6901 JSON Pointer (<c>/eventType</c>, <c>/meta/type</c>, <c>/a~1b</c> for the key <c>a/b</c>), evaluated
/// on the Newtonsoft tree NJsonSchema validates. Hand-written: the pointer libraries served here work on
/// System.Text.Json's tree, and parsing each event twice would cost more than these few lines.
/// </summary>
public sealed record JsonPointer(string Text, IReadOnlyList<string> Tokens)
{
    /// <exception cref="FormatException">not a pointer: it must be empty or start with '/', and '~' is only ~0 or ~1</exception>
    public static JsonPointer Parse(string text)
    {
        if (text.Length == 0)
        {
            return new JsonPointer(text, []);
        }

        if (text[0] != '/')
        {
            throw new FormatException($"'{text}' is not a JSON pointer: it must start with '/'");
        }

        var tokens = text[1..].Split('/').Select(token => Unescape(token, text)).ToList();
        return new JsonPointer(text, tokens);
    }

    /// <summary>The value at this pointer, or null when there is none.</summary>
    public JToken? Evaluate(JToken document)
    {
        JToken? current = document;
        foreach (var token in Tokens)
        {
            current = current switch
            {
                JObject obj => obj.TryGetValue(token, StringComparison.Ordinal, out var value) ? value : null,
                JArray array => ArrayIndex(token) is { } index && index < array.Count ? array[index] : null,
                _ => null,
            };
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    public override string ToString() => Text;

    private static int? ArrayIndex(string token) =>
        token.Length > 0 && token.All(char.IsAsciiDigit) && (token.Length == 1 || token[0] != '0') && int.TryParse(token, out var index)
            ? index
            : null;

    private static string Unescape(string token, string text)
    {
        if (!token.Contains('~'))
        {
            return token;
        }

        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] == '~' && (i + 1 == token.Length || token[i + 1] is not ('0' or '1')))
            {
                throw new FormatException($"'{text}' is not a JSON pointer: '~' must be followed by 0 or 1");
            }
        }

        return token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
    }
}
