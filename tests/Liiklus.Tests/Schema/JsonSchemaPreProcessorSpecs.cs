using System.Text;
using Liiklus.Api.Schema;
using Liiklus.Plugins;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Liiklus.Tests.Schema;

/// <summary>The schema validator on its own: how a document written for Liiklus judges events.</summary>
public sealed class JsonSchemaPreProcessorSpecs
{
    private const string Order = "com.example.order.created";

    [Fact]
    public async Task Valid_event_is_passed_on_unchanged()
    {
        var envelope = Event(Order, """{"orderId":"o-1","amount":5,"lines":[{"sku":"a","quantity":99}]}""");

        var result = await Processor().PreProcessAsync(envelope, CancellationToken.None);

        Assert.Same(envelope, result.Accepted);
    }

    [Fact]
    public async Task Every_failing_path_is_listed_with_its_reason()
    {
        var reason = await RefusedAsync(Processor(), Event(Order, """{"amount":"five","extra":1}"""));

        Assert.StartsWith($"liiklusEvent.data does not match the schema of '{Order}': ", reason);
        Assert.Contains("$.orderId: is missing but it is required", reason);
        Assert.Contains("$.amount: string found, integer expected", reason);
        Assert.Contains("$.extra: is not defined in the schema and the schema does not allow additional properties", reason);
    }

    [Fact]
    public async Task Failures_inside_arrays_name_the_item()
    {
        var reason = await RefusedAsync(Processor(), Event(Order, """{"orderId":"o","amount":1,"lines":[{"sku":"a","quantity":100},{"quantity":1}]}"""));

        Assert.Contains("$.lines[0].quantity: must be less than 100", reason);
        Assert.Contains("$.lines[1].sku: is missing but it is required", reason);
    }

    [Fact]
    public async Task Deprecated_property_is_refused_unless_allowed()
    {
        var envelope = Event(Order, """{"orderId":"o","amount":1,"note":"old"}""");

        Assert.Contains("$.note: is deprecated", await RefusedAsync(Processor(), envelope));
        Assert.Same(envelope, (await Processor(allowDeprecated: true).PreProcessAsync(envelope, CancellationToken.None)).Accepted);
    }

    [Fact]
    public async Task Deprecation_is_followed_through_a_reference_and_marks_whole_event_types()
    {
        Assert.Contains("$.nickname: is deprecated", await RefusedAsync(Processor(), Legacy("""{"eventType":"userRegistered","email":"a@b.c","nickname":"x"}""")));
        Assert.Contains("$: is deprecated", await RefusedAsync(Processor(), Event("accountClosed", "{}")));
    }

    [Fact]
    public async Task Deprecated_branch_of_any_of_counts_only_when_no_clean_branch_matches()
    {
        var processor = Processor();

        await AcceptedAsync(processor, Legacy("""{"eventType":"userRegistered","email":"a@b.c","contact":{"phone":"1"}}"""));
        Assert.Contains("$.contact.fax: is deprecated",
            await RefusedAsync(processor, Legacy("""{"eventType":"userRegistered","email":"a@b.c","contact":{"fax":"1"}}""")));
    }

    [Fact]
    public async Task Event_type_is_the_literal_key_under_events_even_with_slashes()
    {
        await AcceptedAsync(Processor(), Event("event/type/with/slashes", """{"foo":"bar"}"""));
        Assert.Contains("$.foo: integer found, string expected",
            await RefusedAsync(Processor(), Event("event/type/with/slashes", """{"foo":1}""")));
    }

    [Fact]
    public async Task Unknown_event_type_is_refused_naming_the_type()
    {
        Assert.Equal("liiklusEvent.type: No schema for 'com.example.unknown'",
            await RefusedAsync(Processor(), Event("com.example.unknown", "{}")));
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON")]
    [InlineData("application/cloudevents+json")]
    [InlineData("application/vnd.acme.order+json; v=2")]
    public async Task Json_compatible_content_types_are_validated(string contentType)
    {
        await AcceptedAsync(Processor(), Event(Order, """{"orderId":"o","amount":1}""", contentType));
        Assert.Contains("$.amount", await RefusedAsync(Processor(), Event(Order, """{"orderId":"o","amount":"1"}""", contentType)));
    }

    [Theory]
    [InlineData("text/plain", "liiklusEvent.data_content_type: 'text/plain' is not compatible with application/json")]
    [InlineData("application/xml", "liiklusEvent.data_content_type: 'application/xml' is not compatible with application/json")]
    [InlineData(null, "liiklusEvent.data_content_type: is not set")]
    public async Task Other_content_types_are_refused(string? contentType, string reason)
    {
        Assert.StartsWith(reason, await RefusedAsync(Processor(), Event(Order, """{"orderId":"o","amount":1}""", contentType)));
    }

    [Fact]
    public async Task Event_without_data_or_with_data_that_is_not_json_is_refused()
    {
        Assert.Equal("liiklusEvent.data: data is missing", await RefusedAsync(Processor(), Event(Order, "")));
        Assert.StartsWith("liiklusEvent.data: is not JSON: ", await RefusedAsync(Processor(), Event(Order, "wtf")));
        Assert.StartsWith("liiklusEvent.data: is not JSON: ", await RefusedAsync(Processor(), Event(Order, """{"orderId":"o","amount":1} trailing""")));
    }

    [Fact]
    public async Task Legacy_value_is_judged_by_the_type_at_the_json_pointer()
    {
        await AcceptedAsync(Processor(), Legacy("""{"eventType":"userRegistered","email":"a@b.c"}"""));
        Assert.Contains("$.email: is missing but it is required", await RefusedAsync(Processor(), Legacy("""{"eventType":"userRegistered"}""")));
        Assert.Equal("value/eventType: is missing; the event type is read there (schema_eventTypeJsonPointer)",
            await RefusedAsync(Processor(), Legacy("""{"email":"a@b.c"}""")));
        Assert.StartsWith("value: is not JSON: ", await RefusedAsync(Processor(), Legacy("plain text")));
    }

    [Fact]
    public async Task Event_type_pointer_may_point_anywhere_in_the_value()
    {
        var processor = Processor(pointer: "/meta/types/1");

        await AcceptedAsync(processor, Legacy("""{"meta":{"types":["x","event/type/with/slashes"]},"foo":"bar"}"""));
        Assert.Equal("value/meta/types/1: No schema for 'nope'",
            await RefusedAsync(processor, Legacy("""{"meta":{"types":["x","nope"]}}""")));
    }

    [Fact]
    public async Task Json_document_validates_as_its_yaml_twin()
    {
        var processor = Processor(document: """
            {"events": {"com.example.order.created": {"type": "object", "required": ["orderId"],
              "properties": {"orderId": {"type": "string"}, "amount": {"type": "integer"}}}}}
            """);

        await AcceptedAsync(processor, Event(Order, """{"orderId":"o"}"""));
        Assert.Contains("$.amount: number found, integer expected", await RefusedAsync(processor, Event(Order, """{"orderId":"o","amount":1.5}""")));
    }

    [Theory]
    [InlineData("types:\n  a: {}\n", "it has no 'events' object")]
    [InlineData("events:\n  a: [1, 2]\n", "events.a is not a JSON Schema object")]
    [InlineData("events:\n  a: { $ref: '#/definitions/missing' }\n", "events.a is not a valid JSON Schema")]
    [InlineData("events: [\n", "it is neither JSON nor YAML")]
    [InlineData("  \n", "it is empty")]
    public async Task Invalid_documents_are_refused_saying_why(string document, string why)
    {
        var error = await Assert.ThrowsAsync<FormatException>(() => SchemaDocument.ParseAsync(document));

        Assert.StartsWith(why, error.Message);
    }

    private static JsonSchemaPreProcessor Processor(bool allowDeprecated = false, string pointer = "/eventType", string document = SchemaDocuments.Detailed)
    {
        var parsed = SchemaDocument.ParseAsync(document).GetAwaiter().GetResult();
        var settings = new SchemaSettings(true, new Uri("file:///unused.yml"), JsonPointer.Parse(pointer), allowDeprecated);
        var source = new SchemaDocumentSource(settings.SchemaUrl!, new LoadedSchemaDocument(parsed, []), NullLogger<SchemaDocumentSource>.Instance);
        return new JsonSchemaPreProcessor(source, settings);
    }

    private static Envelope Event(string type, string data, string? contentType = "application/json") =>
        new("topic", Encoding.UTF8.GetBytes("key"), Encoding.UTF8.GetBytes(data),
            new EventAttributes("id-1", type, "/tests", null, contentType, new Dictionary<string, string>()));

    private static Envelope Legacy(string value) => new("topic", Encoding.UTF8.GetBytes("key"), Encoding.UTF8.GetBytes(value), null);

    private static async Task AcceptedAsync(JsonSchemaPreProcessor processor, Envelope envelope)
    {
        var result = await processor.PreProcessAsync(envelope, CancellationToken.None);
        Assert.True(result.Accepted is not null, $"refused: {result.Refusal?.Reason}");
    }

    private static async Task<string> RefusedAsync(JsonSchemaPreProcessor processor, Envelope envelope)
    {
        var result = await processor.PreProcessAsync(envelope, CancellationToken.None);
        Assert.True(result.Refusal is not null, "accepted");
        Assert.Equal(RefusalCode.InvalidArgument, result.Refusal!.Code);
        return result.Refusal.Reason;
    }
}
