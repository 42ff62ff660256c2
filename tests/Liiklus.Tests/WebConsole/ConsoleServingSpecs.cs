using System.Net;
using Grpc.Core;
using Liiklus.Api.WebConsole;
using Liiklus.Protocol.Admin;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.WebConsole;

/// <summary>How the gateway serves the console: on the operations port alone, under a strict CSP, and not at all when off.</summary>
public sealed class ConsoleServingSpecs
{
    [Fact]
    public async Task Every_path_under_console_serves_the_app_under_a_csp_that_allows_nothing_from_elsewhere()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(gateway.OperationsAddress) };

        var pages = new List<(string Path, HttpStatusCode Status, string? Type, string? Policy, bool LoadsApp)>();
        foreach (var path in new[] { "/console", "/console/", "/console/topics/orders", "/console/groups/orders/billing?version=2", "/console/no/such/screen" })
        {
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            pages.Add((path, response.StatusCode, response.Content.Headers.ContentType?.MediaType,
                response.Headers.TryGetValues("Content-Security-Policy", out var policy) ? policy.Single() : null,
                body.Contains("<script type=\"module\" src=\"/console/app.js\"></script>", StringComparison.Ordinal)));
        }

        using var script = await http.GetAsync("/console/app.js");
        var scriptText = await script.Content.ReadAsStringAsync();
        using var onGrpcPort = await new HttpClient(new SocketsHttpHandler()) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact }
            .GetAsync($"{gateway.Address}/console");

        Assert.All(pages, page => Assert.Equal((HttpStatusCode.OK, "text/html", WebConsoleRegistration.ContentSecurityPolicy, true), (page.Status, page.Type, page.Policy, page.LoadsApp)));
        Assert.DoesNotContain("'unsafe-inline'", WebConsoleRegistration.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        // Not minified, and it names its source map.
        Assert.Contains("//# sourceMappingURL=app.js.map", scriptText, StringComparison.Ordinal);
        Assert.True(scriptText.Split('\n').Length > 1000, "app.js is one long line: minified");
        Assert.Equal(HttpStatusCode.NotFound, onGrpcPort.StatusCode);
    }

    [Fact]
    public async Task Grpc_web_answers_on_the_operations_port_and_not_on_the_grpc_port()
    {
        await using var gateway = await TestGateway.StartAsync();
        await gateway.Client.PublishAsync("web-door", "a record");
        using var operations = GrpcWebChannels.For(gateway.OperationsAddress);
        using var grpcPort = GrpcWebChannels.For(gateway.Address, http2: true);

        var topics = await new LiiklusAdminService.LiiklusAdminServiceClient(operations).ListTopicsAsync(new ListTopicsRequest());
        var refused = await SecureClients.StatusOf(() => new LiiklusAdminService.LiiklusAdminServiceClient(grpcPort).ListTopicsAsync(new ListTopicsRequest()).ResponseAsync);

        Assert.Contains("web-door", topics.Topics);
        Assert.NotEqual(StatusCode.OK, refused.StatusCode);
    }

    [Fact]
    public async Task Console_enabled_off_serves_no_page_and_no_grpc_web()
    {
        await using var gateway = await TestGateway.StartAsync("liiklus.console.enabled = off");
        using var http = new HttpClient { BaseAddress = new Uri(gateway.OperationsAddress) };
        using var operations = GrpcWebChannels.For(gateway.OperationsAddress);

        using var page = await http.GetAsync("/console/topics");
        using var settings = await http.GetAsync("/console/settings.json");
        var call = await SecureClients.StatusOf(() => new LiiklusAdminService.LiiklusAdminServiceClient(operations).ListTopicsAsync(new ListTopicsRequest()).ResponseAsync);

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, settings.StatusCode);
        Assert.NotEqual(StatusCode.OK, call.StatusCode);
    }
}
