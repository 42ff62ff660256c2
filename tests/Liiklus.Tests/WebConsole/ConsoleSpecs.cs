using System.Diagnostics;
using Google.Protobuf;
using Liiklus.Protocol;
using Liiklus.Protocol.Admin;
using Liiklus.Tests.Support;
using Microsoft.Playwright;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Liiklus.Tests.WebConsole;

/// <summary>
/// The web console in Debian's chromium against a gateway with real records: each screen shows what the gateway holds,
/// the live tail, the reset dialog, produce; no screen logs a JavaScript error. Screenshots go to console-screenshots/.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class ConsoleSpecs(ConsoleGatewayFixture fixture, ITestOutputHelper output) : IClassFixture<ConsoleGatewayFixture>
{
    private static readonly LocatorAssertionsToHaveCountOptions Soon = new() { Timeout = 10_000 };
    private static readonly LocatorAssertionsToHaveTextOptions SoonText = new() { Timeout = 10_000 };

    [Fact]
    public async Task Topics_screen_shows_each_topic_with_its_partitions_offsets_and_records_retained()
    {
        await using var console = await fixture.Browser.OpenAsync($"{fixture.Console}/topics");
        var orders = console.Page.Locator($"tr[data-topic='{ConsoleGatewayFixture.Orders}']");

        await Expect(orders.Locator("td[data-col='retained']")).ToHaveTextAsync((ConsoleGatewayFixture.OrderCount + 1).ToString(), SoonText);
        await Expect(orders.Locator("td").Nth(1)).ToHaveTextAsync("4");
        await Expect(console.Page).ToHaveTitleAsync("Topics · Liiklus console");
        // A figure for the README (how long the page takes on the same host), not a timed assertion.
        output.WriteLine("load event at {0:F0} ms, topics shown by {1:F0} ms after navigation started",
            await console.Page.EvaluateAsync<double>("performance.getEntriesByType('navigation')[0].loadEventEnd"),
            await console.Page.EvaluateAsync<double>("performance.now()"));
        await console.ScreenshotAsync("topics");
        Assert.Empty(console.Errors);
    }

    [Fact]
    public async Task Topic_screen_browses_keys_values_as_json_headers_and_cloud_event_attributes_and_filters_by_key()
    {
        await using var console = await fixture.Browser.OpenAsync($"{fixture.Console}/topics/{ConsoleGatewayFixture.Orders}");
        var page = console.Page;
        var records = page.Locator("table[data-testid='records'] tbody tr");

        await page.GetByLabel("Show values as").SelectOptionAsync("json");
        await page.GetByRole(AriaRole.Button, new() { Name = "Browse", Exact = true }).ClickAsync();
        await Expect(records).ToHaveCountAsync(ConsoleGatewayFixture.OrderCount + 1, Soon);
        var order3 = records.Filter(new() { HasText = "order-3" });
        var shipped = records.Filter(new() { HasText = "event-1" });
        await Expect(order3.Locator("pre.value")).ToHaveTextAsync("{\n  \"order\": 3,\n  \"amount\": 30\n}");
        await Expect(shipped.Locator("dl.headers div.ce")).ToContainTextAsync(["ce_type", "ce_source"]);
        await Expect(shipped.Locator("dl.headers")).ToContainTextAsync("com.example.order.shipped");
        await Expect(shipped.Locator("dl.headers")).ToContainTextAsync("acme");
        await console.ScreenshotAsync("topic");

        await page.GetByLabel("Key contains").FillAsync("order-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Browse", Exact = true }).ClickAsync();

        // order-1, order-10, order-11, order-12.
        await Expect(records).ToHaveCountAsync(4, Soon);
        await Expect(page.GetByTestId("browse-status")).ToHaveTextAsync("4 records");
        Assert.Empty(console.Errors);
    }

    [Fact]
    public async Task Live_tail_shows_a_record_published_after_it_started_within_two_seconds()
    {
        const string topic = "console-live";
        await fixture.Gateway.Client.PublishAsync(topic, "before the tail", key: "old");
        await using var console = await fixture.Browser.OpenAsync($"{fixture.Console}/topics/{topic}");
        var page = console.Page;

        await page.GetByRole(AriaRole.Button, new() { Name = "Live tail" }).ClickAsync();
        await Expect(page.GetByTestId("browse-status")).ToHaveTextAsync("Following new records", SoonText);
        var clock = Stopwatch.StartNew();
        var published = await fixture.Gateway.Client.PublishAsync(topic, "published while tailing", key: "new");
        var row = page.Locator($"table[data-testid='records'] tr[data-partition='{published.Partition}'][data-offset='{published.Offset}']");
        await Expect(row).ToContainTextAsync("published while tailing", new() { Timeout = 2_000 });
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"shown after {clock.Elapsed}");
        await Expect(page.Locator("table[data-testid='records'] tbody tr")).ToHaveCountAsync(1);
        await console.ScreenshotAsync("topic-live-tail");
        await page.GetByRole(AriaRole.Button, new() { Name = "Stop live tail" }).ClickAsync();
        await Expect(page.GetByTestId("browse-status")).ToHaveTextAsync("Live tail stopped");
        Assert.Empty(console.Errors);
    }

    [Fact]
    public async Task Groups_screen_lists_every_group_version_with_members_and_total_lag_sortable_by_lag()
    {
        await using var console = await fixture.Browser.OpenAsync($"{fixture.Console}/groups");
        var page = console.Page;
        var rows = page.Locator("table[data-testid='groups'] tbody tr");
        var billingLag = ConsoleGatewayFixture.OrderCount + 1 - fixture.OrdersPerPartition.Count;

        await Expect(page.Locator("tr[data-group='billing'] td[data-col='lag']")).ToHaveTextAsync(billingLag.ToString(), SoonText);
        await Expect(page.Locator("tr[data-group='audit'] td[data-col='lag']")).ToHaveTextAsync("0");
        var descending = await rows.Locator("td[data-col='lag']").AllTextContentsAsync();
        await console.ScreenshotAsync("groups");
        await page.GetByTestId("sort-lag").ClickAsync();
        await Expect(page.Locator("th[aria-sort='ascending']")).ToHaveCountAsync(1);
        var ascending = await rows.Locator("td[data-col='lag']").AllTextContentsAsync();

        Assert.Equal(descending.Select(Lag).OrderByDescending(l => l), descending.Select(Lag));
        Assert.Equal(ascending.Select(Lag).OrderBy(l => l), ascending.Select(Lag));
        Assert.Empty(console.Errors);
    }

    [Fact]
    public async Task Reset_through_the_dialog_moves_the_positions_exactly_as_its_preview_said()
    {
        const string topic = "console-payments";
        const string group = "settlement";
        var published = new List<PublishReply>();
        for (var i = 0; i < 16; i++)
        {
            published.Add(await fixture.Gateway.Client.PublishAsync(topic, $"payment {i}", key: $"payment-{i}"));
        }

        foreach (var last in published.GroupBy(p => p.Partition).Select(g => g.MaxBy(p => p.Offset)!))
        {
            await fixture.Gateway.Client.AckAsync(new AckRequest { Topic = topic, Group = group, Partition = last.Partition, Offset = last.Offset });
        }

        var before = await PositionsAsync(topic, group);
        await using var console = await fixture.Browser.OpenAsync($"{fixture.Console}/groups/{topic}/{group}?version=0");
        var page = console.Page;
        await Expect(page.Locator("table[data-testid='group-partitions'] tbody tr")).ToHaveCountAsync(4, Soon);
        await Expect(page.GetByTestId("total-lag")).ToHaveTextAsync("0");
        await Expect(page.GetByTestId("lag-chart")).ToBeVisibleAsync(new() { Timeout = 5_000 });
        await console.ScreenshotAsync("group");

        await page.GetByTestId("reset").ClickAsync();
        await page.GetByLabel("Target").SelectOptionAsync("shift");
        await page.GetByLabel("Records (negative: back)").FillAsync("-2");
        await page.GetByTestId("preview").ClickAsync();
        var previewRows = page.Locator("table[data-testid='reset-preview'] tbody tr");
        await Expect(page.GetByTestId("reset-status")).ToHaveTextAsync("Dry run: nothing changed yet.", SoonText);
        var preview = await PreviewAsync(previewRows);
        await console.ScreenshotAsync("group-reset-preview");
        Assert.Equal(before, await PositionsAsync(topic, group));

        await page.GetByTestId("execute").ClickAsync();
        await Expect(page.GetByTestId("reset-status")).ToHaveTextAsync("Executed: the positions below are now the group's.", SoonText);
        var after = await PositionsAsync(topic, group);

        Assert.Equal(before.Keys.Order(), preview.Keys.Order());
        // Shifted two records back; a partition without a position moves from its earliest retained offset (0 here).
        Assert.All(preview, p => Assert.Equal((before[p.Key], before[p.Key] is { } position ? Math.Max(0, (long)position - 2) : 0), (p.Value.Before, (long)p.Value.After)));
        Assert.Equal(preview.ToDictionary(p => p.Key, p => (ulong?)p.Value.After), after);
        await page.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();
        foreach (var (partition, position) in after)
        {
            await Expect(page.Locator($"table[data-testid='group-partitions'] tr[data-partition='{partition}'] td[data-col='position']"))
                .ToHaveTextAsync(position.ToString()!, SoonText);
        }

        Assert.Empty(console.Errors);
    }

    [Fact]
    public async Task Produce_screen_refuses_a_value_that_is_not_json_and_publishes_a_cloud_event()
    {
        const string topic = "console-produced";
        await using var console = await fixture.Browser.OpenAsync($"{fixture.Console}/produce/{topic}");
        var page = console.Page;

        await page.GetByLabel("Key").FillAsync("made-in-the-console");
        await page.GetByLabel("Extensions").FillAsync("tenant=acme");
        await page.GetByLabel("Data").FillAsync("{\"amount\": 12");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Expect(page.GetByTestId("produce-error")).ToContainTextAsync("not JSON");
        await page.GetByLabel("Data").FillAsync("{\"amount\": 12}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Expect(page.GetByTestId("produce-result")).ToContainTextAsync($"Published to {topic}", new() { Timeout = 10_000 });
        await console.ScreenshotAsync("produce");

        var records = await BrowseAsync(topic);
        var record = Assert.Single(records);
        Assert.Equal("made-in-the-console", record.Key.ToStringUtf8());
        Assert.Equal("{\"amount\": 12}", record.Value.ToStringUtf8());
        Assert.Contains(record.Headers, h => h.Name == "ce_tenant" && h.Value.ToStringUtf8() == "acme");
        Assert.Empty(console.Errors);
    }

    [Fact]
    public async Task Screens_fit_a_phone_width_and_are_reached_by_keyboard()
    {
        await using var console = await fixture.Browser.OpenAsync($"{fixture.Console}/groups/{ConsoleGatewayFixture.Orders}/billing?version=0", 390, 844);
        var page = console.Page;
        await Expect(page.Locator("table[data-testid='group-partitions'] tbody tr")).ToHaveCountAsync(4, Soon);
        await console.ScreenshotAsync("group-phone");

        var pageWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        // Tab from the top of the page: the first stops are the brand link and the screens' links.
        var focused = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            focused.Add(await page.EvaluateAsync<string>("document.activeElement.textContent"));
        }

        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync($"{fixture.Console}/produce");

        Assert.True(pageWidth <= 390, $"the page is {pageWidth} px wide at a 390 px viewport");
        Assert.Equal(["Liiklus", "Topics", "Groups", "Produce"], focused);
        Assert.Empty(console.Errors);
    }

    [Fact]
    public async Task Cluster_screen_shows_the_node_its_state_and_the_groups_it_coordinates()
    {
        // An ack goes through the group's coordinator: it runs now, whatever idled out since the fixture's acks.
        await fixture.Gateway.Client.AckAsync(new AckRequest { Topic = ConsoleGatewayFixture.Orders, Group = "cluster-watch", Partition = 0, Offset = 0 });
        await using var console = await fixture.Browser.OpenAsync($"{fixture.Console}/cluster");
        var node = console.Page.Locator($"table[data-testid='nodes'] tr[data-address='{fixture.Gateway.ClusterAddress}']");

        await Expect(node.Locator("td[data-col='status']")).ToHaveTextAsync("Up", SoonText);
        await Expect(node.Locator("td[data-col='groups']")).ToContainTextAsync($"{ConsoleGatewayFixture.Orders} / cluster-watch");
        await Expect(node).ToContainTextAsync("this node");
        await Expect(node).ToContainTextAsync("leader");
        await console.ScreenshotAsync("cluster");
        Assert.Empty(console.Errors);
    }

    [Fact]
    public async Task A_shared_link_opens_its_screen_after_a_reload()
    {
        await using var console = await fixture.Browser.OpenAsync($"{fixture.Console}/topics");
        var page = console.Page;

        await page.GetByRole(AriaRole.Link, new() { Name = ConsoleGatewayFixture.Orders, Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync($"{fixture.Console}/topics/{ConsoleGatewayFixture.Orders}");
        await page.ReloadAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = ConsoleGatewayFixture.Orders, Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator("table[data-testid='partitions'] tbody tr")).ToHaveCountAsync(4, Soon);
        Assert.Empty(console.Errors);
    }

    private static long Lag(string text) => long.Parse(text.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);

    private async Task<Dictionary<uint, ulong?>> PositionsAsync(string topic, string group)
    {
        var described = await fixture.Gateway.Admin.DescribeGroupAsync(new DescribeGroupRequest { Topic = topic, Group = group });
        return described.Partitions.ToDictionary(p => p.Partition, p => p.HasPosition ? p.Position : (ulong?)null);
    }

    private static async Task<Dictionary<uint, (ulong? Before, ulong After)>> PreviewAsync(ILocator rows)
    {
        var preview = new Dictionary<uint, (ulong?, ulong)>();
        foreach (var row in await rows.AllAsync())
        {
            var partition = uint.Parse((await row.GetAttributeAsync("data-partition"))!, System.Globalization.CultureInfo.InvariantCulture);
            var before = await row.Locator("td[data-col='before']").TextContentAsync();
            var after = await row.Locator("td[data-col='after']").TextContentAsync();
            preview[partition] = (before == "—" ? null : ulong.Parse(before!, System.Globalization.CultureInfo.InvariantCulture),
                ulong.Parse(after!, System.Globalization.CultureInfo.InvariantCulture));
        }

        return preview;
    }

    private async Task<List<BrowsedRecord>> BrowseAsync(string topic)
    {
        using var call = fixture.Gateway.Admin.Browse(new BrowseRequest { Topic = topic }, deadline: DateTime.UtcNow.AddSeconds(20));
        var records = new List<BrowsedRecord>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            records.Add(call.ResponseStream.Current);
        }

        return records;
    }
}
