using System.Net;
using Akka.Configuration;
using Google.Protobuf;
using Grpc.Core;
using Liiklus.Api.Hosting;
using Liiklus.Protocol;
using Liiklus.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Liiklus.Tests.Api.PublishAndReceiveSpecs;

namespace Liiklus.Tests.Schema;

/// <summary>A schema document served over HTTP, read once at start.</summary>
public sealed class SchemaOverHttpSpecs : IAsyncLifetime
{
    private WebApplication _server = null!;
    private string _address = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(["--Logging:LogLevel:Default=Warning"]);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _server = builder.Build();
        _server.MapGet("/schemas/events.yml", () => Results.Text(SchemaDocuments.TwoEventTypes, "application/yaml"));
        await _server.StartAsync();
        _address = _server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    }

    public async Task DisposeAsync()
    {
        await _server.StopAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Document_served_over_http_validates_events()
    {
        await using var gateway = await TestGateway.StartAsync($"""
            liiklus.schema.enabled = true
            liiklus.schema.schema-url = "{_address}/schemas/events.yml?token=s3cret"
            """);
        var topic = NewName("orders");

        await gateway.Client.PublishAsync(Publish(topic, """{"orderId":"o-1","amount":5}"""), deadline: Deadline());
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            gateway.Client.PublishAsync(Publish(topic, """{"orderId":"o-1"}"""), deadline: Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("$.amount: is missing but it is required", error.Status.Detail);
    }

    [Fact]
    public void Document_the_server_does_not_have_stops_start_up_without_showing_the_query()
    {
        var error = Assert.Throws<InvalidOperationException>(() => GatewayHost.Build([], ConfigurationFactory.ParseString($"""
            liiklus.schema.enabled = true
            liiklus.schema.schema-url = "{_address}/schemas/missing.yml?token=s3cret"
            """)));

        Assert.Equal($"schema_schemaURL '{_address}/schemas/missing.yml' cannot be read: the server answered 404 Not Found", error.Message);
    }

    private static DateTime Deadline() => DateTime.UtcNow + LiiklusClientExtensions.Deadline;

    private static PublishRequest Publish(string topic, string data) =>
        new() { Topic = topic, Key = ByteString.CopyFromUtf8("k"), LiiklusEvent = NewEvent("application/json", data) };
}
