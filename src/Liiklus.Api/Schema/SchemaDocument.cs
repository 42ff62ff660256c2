using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Liiklus.Api.Schema;

/// <summary>
/// A Liiklus schema document: one draft-4 JSON Schema per event type under <c>events.&lt;type&gt;</c>, in YAML or
/// JSON. Each event's schema is read on its own, as Liiklus reads it: a local <c>$ref</c> (<c>#/definitions/x</c>)
/// points inside that event's schema.
/// </summary>
public sealed class SchemaDocument
{
    private SchemaDocument(IReadOnlyDictionary<string, EventSchema> events) => Events = events;

    /// <summary>Event type → its schema.</summary>
    public IReadOnlyDictionary<string, EventSchema> Events { get; }

    /// <exception cref="FormatException">the text is not YAML or JSON, has no <c>events</c> object, or an event's schema cannot be read</exception>
    public static async Task<SchemaDocument> ParseAsync(string text)
    {
        var root = Parse(text);
        if (root is not JObject { } document || document["events"] is not JObject events)
        {
            throw new FormatException("it has no 'events' object (one JSON Schema per event type goes under events.<type>)");
        }

        var schemas = new Dictionary<string, EventSchema>(StringComparer.Ordinal);
        foreach (var (type, schema) in events)
        {
            if (schema is not JObject eventSchema)
            {
                throw new FormatException($"events.{type} is not a JSON Schema object");
            }

            try
            {
                var marksDeprecated = eventSchema.Descendants().OfType<JProperty>()
                    .Any(p => p is { Name: "deprecated", Value.Type: JTokenType.Boolean } && p.Value.Value<bool>());
                schemas[type] = new EventSchema(await JsonSchema.FromJsonAsync(eventSchema.ToString(Formatting.None)), marksDeprecated);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new FormatException($"events.{type} is not a valid JSON Schema: {e.Message}", e);
            }
        }

        return new SchemaDocument(schemas);
    }

    private static JToken? Parse(string text)
    {
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.IsEmpty)
        {
            throw new FormatException("it is empty");
        }

        try
        {
            if (trimmed[0] == '{')
            {
                return JToken.Parse(text);
            }

            // Plain scalars are typed as YAML's core schema types them (true, 5, 1.5, null), as Liiklus's parser
            // does; merge keys (<<: *base) are expanded.
            var yaml = new DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().Build()
                .Deserialize(new MergingParser(new Parser(new StringReader(text))));
            return yaml is null ? null : JToken.FromObject(yaml);
        }
        catch (Exception e) when (e is JsonException or YamlException)
        {
            throw new FormatException($"it is neither JSON nor YAML: {e.Message}", e);
        }
    }
}
