using System.Globalization;
using System.Text;
using Liiklus.Plugins;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NJsonSchema.Validation;

namespace Liiklus.Api.Schema;

/// <summary>
/// Liiklus's schema plugin as a record pre-processor. A CloudEvent's <c>data</c> is validated against the schema of
/// its <c>type</c> (its content type must be JSON); a legacy value is parsed as JSON and its type read at the
/// configured JSON pointer. Every failure refuses the publish with INVALID_ARGUMENT naming where it is; unlike
/// Liiklus, which answers INTERNAL.
/// </summary>
public sealed class JsonSchemaPreProcessor(SchemaDocumentSource schemas, SchemaSettings settings) : IRecordPreProcessor
{
    private static readonly JsonSchemaValidator Validator = new();

    public ValueTask<PreProcessResult> PreProcessAsync(Envelope envelope, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Check(envelope) is { } problem
            ? PreProcessResult.Refuse(RefusalCode.InvalidArgument, problem)
            : PreProcessResult.Accept(envelope));

    /// <returns>why the envelope is refused, or null when it is valid</returns>
    private string? Check(Envelope envelope)
    {
        string where;
        string typeField;
        JToken data;
        string eventType;
        if (envelope.Event is { } attributes)
        {
            where = "liiklusEvent.data";
            typeField = "liiklusEvent.type";
            if (attributes.DataContentType is not { Length: > 0 } contentType)
            {
                return "liiklusEvent.data_content_type: is not set; schema validation needs JSON data (application/json or */*+json)";
            }

            if (!JsonMediaType.IsJson(contentType))
            {
                return $"liiklusEvent.data_content_type: '{contentType}' is not compatible with application/json (application/json or */*+json)";
            }

            if (envelope.Value.IsEmpty)
            {
                return $"{where}: data is missing";
            }

            if (ParseJson(envelope.Value, where, out var problem) is not { } parsed)
            {
                return problem;
            }

            data = parsed;
            eventType = attributes.Type;
        }
        else
        {
            where = "value";
            typeField = $"value{settings.EventTypePointer}";
            if (ParseJson(envelope.Value, where, out var problem) is not { } parsed)
            {
                return problem;
            }

            data = parsed;
            switch (settings.EventTypePointer.Evaluate(data))
            {
                case null or { Type: JTokenType.Null }:
                    return $"{typeField}: is missing; the event type is read there (schema_eventTypeJsonPointer)";
                case JValue { Value: { } scalar }:
                    eventType = Convert.ToString(scalar, CultureInfo.InvariantCulture) ?? "";
                    break;
                default:
                    return $"{typeField}: is not a string; the event type is read there (schema_eventTypeJsonPointer)";
            }
        }

        if (!schemas.Current.Events.TryGetValue(eventType, out var schema))
        {
            return $"{typeField}: No schema for '{eventType}'";
        }

        var failures = Failures(schema, data);
        return failures.Count == 0
            ? null
            : $"{where} does not match the schema of '{eventType}': {string.Join("; ", failures)}";
    }

    private List<string> Failures(EventSchema schema, JToken data)
    {
        var failures = ValidationMessages.Describe(Validator.Validate(data, schema.Schema)).ToList();
        if (schema.MarksDeprecated && !settings.AllowDeprecatedProperties)
        {
            failures.AddRange(DeprecatedProperties.Find(schema.Schema, data, Validator).Select(path => $"{path}: is deprecated"));
        }

        return failures;
    }

    private static JToken? ParseJson(ReadOnlyMemory<byte> bytes, string where, out string? problem)
    {
        try
        {
            // Strings that look like dates stay strings: the schema decides what a date is.
            using var reader = new JsonTextReader(new StringReader(Encoding.UTF8.GetString(bytes.Span)))
            {
                DateParseHandling = DateParseHandling.None,
            };
            var token = JToken.ReadFrom(reader);
            while (reader.Read())
            {
                if (reader.TokenType != JsonToken.Comment)
                {
                    throw new JsonReaderException($"additional content after the JSON value, line {reader.LineNumber}, position {reader.LinePosition}");
                }
            }

            problem = null;
            return token;
        }
        catch (JsonReaderException e)
        {
            problem = $"{where}: is not JSON: {e.Message}";
            return null;
        }
    }
}
