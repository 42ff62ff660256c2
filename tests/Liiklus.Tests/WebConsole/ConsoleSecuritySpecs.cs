using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Liiklus.Protocol;
using Liiklus.Protocol.Admin;
using Liiklus.Tests.Support;
using Microsoft.Playwright;
using Xunit;
using static Microsoft.Playwright.Assertions;

namespace Liiklus.Tests.WebConsole;

/// <summary>
/// The console on a gateway with JWT and required scopes: it asks for a token, shows only what the token allows, and
/// its gRPC-Web door checks every call as the gRPC port does.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class ConsoleSecuritySpecs(ConsoleSecuritySpecs.SecuredConsole fixture) : IClassFixture<ConsoleSecuritySpecs.SecuredConsole>
{
    private const string Topic = "secured-orders";
    private const string Group = "secured-billing";
    private const string ReadOnly = $"liiklus:consume:{Topic}";
    private const string Administrator = $"liiklus:consume:{Topic} liiklus:admin:{Topic} liiklus:publish:{Topic}";

    [Fact]
    public async Task A_read_only_token_sees_the_group_without_a_reset_button_and_an_admin_token_with_one()
    {
        await using var console = await fixture.Browser.OpenAsync($"{fixture.Console}/groups/{Topic}/{Group}?version=0");
        var page = console.Page;

        await page.GetByLabel("Token").FillAsync(fixture.Token(ReadOnly));
        await console.ScreenshotAsync("sign-in");
        await page.GetByRole(AriaRole.Button, new() { Name = "Use token" }).ClickAsync();
        await Expect(page.Locator("table[data-testid='group-partitions'] td[data-col='position']").First).ToHaveTextAsync("2", new() { Timeout = 10_000 });
        var readOnlyResetButtons = await page.GetByTestId("reset").CountAsync();
        var readOnlyProduceLinks = await page.GetByRole(AriaRole.Link, new() { Name = "Produce" }).CountAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Forget token" }).ClickAsync();
        var administrator = fixture.Token(Administrator);
        await page.GetByLabel("Token").FillAsync(administrator);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use token" }).ClickAsync();

        await Expect(page.GetByTestId("reset")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        Assert.Equal(0, readOnlyResetButtons);
        Assert.Equal(0, readOnlyProduceLinks);
        Assert.Equal(administrator, await page.EvaluateAsync<string>("sessionStorage.getItem('liiklus.console.token')"));
        Assert.Empty(console.Errors);
    }

    [Fact]
    public async Task A_forged_reset_through_the_consoles_grpc_web_door_is_refused()
    {
        using var channel = GrpcWebChannels.For(fixture.Gateway.OperationsAddress);
        var reset = new ResetPositionsRequest { Topic = Topic, Group = Group, ToEarliest = true, Execute = true };

        var readOnly = await SecureClients.StatusOf(() => channel.AdminWithToken(fixture.Token(ReadOnly)).ResetPositionsAsync(reset).ResponseAsync);
        var unsigned = await SecureClients.StatusOf(() => channel.AdminWithToken(TestTokens.Unsigned("forger", Administrator)).ResetPositionsAsync(reset).ResponseAsync);
        var none = await SecureClients.StatusOf(() => new LiiklusAdminService.LiiklusAdminServiceClient(channel).ResetPositionsAsync(reset).ResponseAsync);
        var described = await channel.AdminWithToken(fixture.Token(ReadOnly)).DescribeGroupAsync(new DescribeGroupRequest { Topic = Topic, Group = Group });

        Assert.Equal((StatusCode.PermissionDenied, $"the token's scope lacks liiklus:admin:{Topic}"), (readOnly.StatusCode, readOnly.Detail));
        Assert.Equal(StatusCode.Unauthenticated, unsigned.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        Assert.Equal(2ul, described.Partitions.Single(p => p.Partition == fixture.Partition).Position);
    }

    /// <summary>A gateway with HMAC512 tokens and required scopes, a group with a position, and a browser.</summary>
    public sealed class SecuredConsole : IAsyncLifetime
    {
        private readonly string _secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        private TestGateway? _gateway;
        private ConsoleBrowser? _browser;

        public TestGateway Gateway => _gateway ?? throw new InvalidOperationException("not started");

        public ConsoleBrowser Browser => _browser ?? throw new InvalidOperationException("not started");

        public string Console => $"{Gateway.OperationsAddress}/console";

        public uint Partition { get; private set; }

        public string Token(string scope) => TestTokens.Sign(TestTokens.Hmac512(Encoding.UTF8.GetBytes(_secret)), "console-user", scope);

        public async Task InitializeAsync()
        {
            _gateway = await TestGateway.StartAsync($"""
                liiklus.storage.memory.partitions-per-topic = 1
                liiklus.grpc.auth.alg = HMAC512
                liiklus.grpc.auth.secret = {JsonSerializer.Serialize(_secret)}
                liiklus.grpc.auth.require-scopes = true
                """);
            _browser = await ConsoleBrowser.LaunchAsync();
            using var channel = SecureClients.Channel(Gateway.Address, trusted: null);
            var client = channel.WithToken(Token(Administrator));
            PublishReply? published = null;
            for (var i = 0; i < 3; i++)
            {
                published = await client.PublishAsync(Topic, $"record {i}", key: "k");
            }

            Partition = published!.Partition;
            await client.AckAsync(new AckRequest { Topic = Topic, Group = Group, Partition = Partition, Offset = 1 });
        }

        public async Task DisposeAsync()
        {
            if (_browser is not null)
            {
                await _browser.DisposeAsync();
            }

            if (_gateway is not null)
            {
                await _gateway.DisposeAsync();
            }
        }
    }
}
