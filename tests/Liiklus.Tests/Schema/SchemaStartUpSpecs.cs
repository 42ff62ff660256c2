using Akka.Configuration;
using Liiklus.Api.Hosting;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Schema;

/// <summary>A schema setting or document that cannot be used stops start-up with one line saying which and why.</summary>
public sealed class SchemaStartUpSpecs
{
    [Fact]
    public void Missing_document_stops_start_up_naming_the_url()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"liiklus-missing-{Guid.NewGuid():N}.yml");

        var error = StartUpError($"""
            liiklus.schema.enabled = true
            liiklus.schema.schema-url = "{new Uri(missing).AbsoluteUri}"
            """);

        Assert.StartsWith($"schema_schemaURL '{missing}' cannot be read: ", error);
    }

    [Theory]
    [InlineData("types:\n  a: {}\n", "it has no 'events' object")]
    [InlineData("events:\n  a: { type: object, properties: { x: { $ref: '#/definitions/gone' } } }\n", "events.a is not a valid JSON Schema")]
    public void Invalid_document_stops_start_up_saying_why(string text, string why)
    {
        using var document = SchemaDocuments.Write(text);

        var error = StartUpError($"""
            liiklus.schema.enabled = true
            liiklus.schema.schema-url = "{document.Url}"
            """);

        Assert.StartsWith($"schema_schemaURL '{document.Path}' is not a valid schema document: {why}", error);
    }

    [Theory]
    [InlineData("liiklus.schema.schema-url = \"\"", "schema_schemaURL (liiklus.schema.schema-url) is not set")]
    [InlineData("liiklus.schema.schema-url = \"ftp://host/events.yml\"", "schema_schemaURL (liiklus.schema.schema-url) 'ftp://host/events.yml' is not a file: or http(s): URL")]
    [InlineData("liiklus.schema.schema-url = \"file://elsewhere/events.yml\"", "a file: URL must be local")]
    [InlineData("liiklus.schema.schema-url = \"file:///events.yml\"\nliiklus.schema.event-type-json-pointer = eventType", "schema_eventTypeJsonPointer (liiklus.schema.event-type-json-pointer): 'eventType' is not a JSON pointer")]
    [InlineData("liiklus.schema.schema-url = \"file:///events.yml\"\nliiklus.schema.allow-deprecated-properties = maybe", "schema_allowDeprecatedProperties (liiklus.schema.allow-deprecated-properties) 'maybe' is not a boolean")]
    public void Unusable_setting_stops_start_up_naming_the_variable(string hocon, string message)
    {
        Assert.Contains(message, StartUpError($"liiklus.schema.enabled = true\n{hocon}"));
    }

    [Fact]
    public async Task Gateway_process_configured_by_liiklus_variables_exits_with_one_line_saying_what_is_wrong()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"liiklus-missing-{Guid.NewGuid():N}.yml");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatewayProcess.StartAsync(
            new Dictionary<string, string> { ["schema_enabled"] = "true", ["schema_schemaURL"] = $"file:{missing}" },
            GatewayProcess.FreePort(),
            seedNodes: null));

        Assert.Contains($"Liiklus cannot start: schema_schemaURL '{missing}' cannot be read: ", error.Message);
    }

    private static string StartUpError(string hocon)
    {
        var error = Assert.Throws<InvalidOperationException>(() => GatewayHost.Build([], ConfigurationFactory.ParseString(hocon)));
        Assert.DoesNotContain('\n', error.Message);
        return error.Message;
    }
}
