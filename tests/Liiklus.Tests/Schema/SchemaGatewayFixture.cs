using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Schema;

/// <summary>A gateway validating against <see cref="SchemaDocuments.TwoEventTypes"/>, read from a file: URL.</summary>
public sealed class SchemaGatewayFixture : IAsyncLifetime
{
    private readonly TempSchemaFile _document = SchemaDocuments.Write(SchemaDocuments.TwoEventTypes);
    private TestGateway? _gateway;

    public TestGateway Gateway => _gateway ?? throw new InvalidOperationException("not started");

    public LiiklusService.LiiklusServiceClient Client => Gateway.Client;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync($"""
        liiklus.schema.enabled = true
        liiklus.schema.schema-url = "{_document.Url}"
        """);

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        _document.Dispose();
    }
}
