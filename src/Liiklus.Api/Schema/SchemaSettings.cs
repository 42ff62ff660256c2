using Config = Akka.Configuration.Config;

namespace Liiklus.Api.Schema;

/// <summary>
/// <c>liiklus.schema</c>, with Liiklus's variables: <c>schema_enabled</c>, <c>schema_schemaURL</c>,
/// <c>schema_eventTypeJsonPointer</c>, <c>schema_allowDeprecatedProperties</c>.
/// </summary>
/// <param name="SchemaUrl">a <c>file:</c> or <c>http(s):</c> URL of the YAML or JSON document; null when disabled</param>
public sealed record SchemaSettings(bool Enabled, Uri? SchemaUrl, JsonPointer EventTypePointer, bool AllowDeprecatedProperties)
{
    /// <exception cref="InvalidOperationException">a value is not allowed; the message names the variable and what is</exception>
    public static SchemaSettings From(Config config)
    {
        var schema = config.GetConfig("liiklus.schema");
        var enabled = Boolean(schema, "enabled", "schema_enabled");
        if (!enabled)
        {
            return new SchemaSettings(false, null, JsonPointer.Parse("/eventType"), false);
        }

        var pointerText = schema.GetString("event-type-json-pointer", "/eventType");
        JsonPointer pointer;
        try
        {
            pointer = JsonPointer.Parse(pointerText);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"schema_eventTypeJsonPointer (liiklus.schema.event-type-json-pointer): {e.Message}", e);
        }

        return new SchemaSettings(
            true,
            ParseSchemaUrl(schema.GetString("schema-url", "").Trim()),
            pointer,
            Boolean(schema, "allow-deprecated-properties", "schema_allowDeprecatedProperties"));
    }

    private static Uri ParseSchemaUrl(string text)
    {
        if (text.Length == 0)
        {
            throw new InvalidOperationException(
                "schema_enabled is true but schema_schemaURL (liiklus.schema.schema-url) is not set; give a file: or http(s): URL of the schema document");
        }

        if (text.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return FileUrl(text);
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new InvalidOperationException(
                $"schema_schemaURL (liiklus.schema.schema-url) '{SchemaDocumentSource.Describe(text)}' is not a file: or http(s): URL");
    }

    /// <summary>
    /// <c>file:///etc/x.yml</c>, Java's <c>file:/etc/x.yml</c>, and <c>file:schemas/x.yml</c> relative to the working
    /// directory, as Liiklus reads them.
    /// </summary>
    private static Uri FileUrl(string text)
    {
        var path = Uri.UnescapeDataString(text["file:".Length..]);
        if (path.StartsWith("//", StringComparison.Ordinal))
        {
            var authorityEnd = path.IndexOf('/', 2);
            var host = authorityEnd < 0 ? path[2..] : path[2..authorityEnd];
            if (host.Length > 0 && !host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"schema_schemaURL (liiklus.schema.schema-url) '{text}' names host '{host}'; a file: URL must be local (file:///path)");
            }

            path = authorityEnd < 0 ? "/" : path[authorityEnd..];
        }

        return new Uri(Path.GetFullPath(path));
    }

    private static bool Boolean(Config schema, string key, string variable)
    {
        var text = schema.GetString(key, "false").Trim().ToLowerInvariant();
        return text switch
        {
            "true" or "on" or "yes" => true,
            "false" or "off" or "no" or "" => false,
            _ => throw new InvalidOperationException($"{variable} (liiklus.schema.{key}) '{text}' is not a boolean; use true or false"),
        };
    }
}
