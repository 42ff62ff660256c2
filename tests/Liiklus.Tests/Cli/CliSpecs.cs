using System.Text;
using System.Text.Json;
using Liiklus.Client;
using Xunit;

namespace Liiklus.Tests.Cli;

/// <summary>
/// The <c>liiklus</c> command line end to end: each verb run through its entry point against a gateway process,
/// its JSON parsed, its tables read, its exit codes checked.
/// </summary>
public sealed class CliSpecs(CliGatewayFixture fixture) : IClassFixture<CliGatewayFixture>
{
    [Fact]
    public async Task Published_records_are_consumed_to_the_end_as_json_documents()
    {
        var topic = NewName("orders");

        var plain = await Liiklus("publish", topic, "-k", "k1", "hello", "-o", "json");
        var evented = await Liiklus("publish", topic, "-k", "k1", "-H", "type=com.example.created", "-H", "tenant=acme", "wörld", "-o", "json");
        var consumed = await Liiklus("consume", topic, "-g", "g", "-e", "-o", "json");

        Assert.True(await plain.Exit == 0, plain.ToString());
        Assert.True(await evented.Exit == 0, evented.ToString());
        Assert.True(await consumed.Exit == 0, consumed.ToString());
        var first = Assert.Single(plain.Documents);
        var second = Assert.Single(evented.Documents);
        Assert.Equal(topic, first.GetProperty("topic").GetString());
        Assert.Equal(first.GetProperty("partition").GetInt32(), second.GetProperty("partition").GetInt32());
        Assert.Equal(first.GetProperty("offset").GetUInt64() + 1, second.GetProperty("offset").GetUInt64());

        var records = consumed.Documents;
        Assert.Equal(2, records.Count);
        Assert.Equal(["hello", "wörld"], records.Select(r => r.GetProperty("value").GetString()));
        Assert.All(records, r => Assert.Equal("k1", r.GetProperty("key").GetString()));
        Assert.Equal(second.GetProperty("offset").GetUInt64(), records[1].GetProperty("offset").GetUInt64());
        var e = records[1].GetProperty("event");
        Assert.Equal("com.example.created", e.GetProperty("type").GetString());
        Assert.Equal("acme", e.GetProperty("extensions").GetProperty("tenant").GetString());
        Assert.Equal("", consumed.Error);
    }

    [Fact]
    public async Task Publish_dash_publishes_each_line_of_standard_input_in_order()
    {
        var topic = NewName("lines");

        var published = await LiiklusWithInput("one\ntwo\nthree\n", "publish", topic, "-k", "same", "-", "-o", "json");
        var consumed = await Liiklus("consume", topic, "-g", "g", "-e", "-f", "%o %v");

        Assert.True(await published.Exit == 0, published.ToString());
        Assert.Equal(3, published.Documents.Count);
        Assert.Equal([0UL, 1UL, 2UL], published.Documents.Select(d => d.GetProperty("offset").GetUInt64()));
        Assert.Equal(0, await consumed.Exit);
        Assert.Equal("0 one\n1 two\n2 three\n", consumed.Out);
    }

    [Fact]
    public async Task Consume_with_a_count_acknowledges_what_it_printed_and_the_next_run_goes_on_from_there()
    {
        var topic = NewName("counted");
        await LiiklusWithInput("a\nb\nc\nd\n", "publish", topic, "-k", "same", "-");

        var firstTwo = await Liiklus("consume", topic, "-g", "g", "-n", "2", "-f", "%v");
        var rest = await Liiklus("consume", topic, "-g", "g", "-e", "-f", "%v");

        Assert.True(await firstTwo.Exit == 0, firstTwo.ToString());
        Assert.Equal("a\nb\n", firstTwo.Out);
        Assert.Equal("c\nd\n", rest.Out);
    }

    [Fact]
    public async Task Consume_with_no_ack_leaves_the_group_where_it_was()
    {
        var topic = NewName("peek");
        await LiiklusWithInput("a\nb\n", "publish", topic, "-k", "same", "-");

        var peeked = await Liiklus("consume", topic, "-g", "g", "-e", "--no-ack", "-f", "%v");
        var again = await Liiklus("consume", topic, "-g", "g", "-e", "-f", "%v");

        Assert.Equal("a\nb\n", peeked.Out);
        Assert.Equal("a\nb\n", again.Out);
    }

    [Fact]
    public async Task Consume_stopped_as_by_ctrl_c_exits_0_having_acknowledged_what_it_printed()
    {
        var topic = NewName("stopped");
        await LiiklusWithInput("a\nb\nc\n", "publish", topic, "-k", "same", "-");
        using var stop = new CancellationTokenSource();

        var consume = CliRun.Start(["-s", fixture.Server, "consume", topic, "-g", "g", "-f", "%v"], cancellationToken: stop.Token);
        await Until(() => consume.Out == "a\nb\nc\n" || consume.Exit.IsCompleted, consume);
        await stop.CancelAsync();
        var exitCode = await consume.Exit.WaitAsync(TimeSpan.FromSeconds(20));
        var rest = await Liiklus("consume", topic, "-g", "g", "-e", "-f", "%v");

        Assert.True(exitCode == 0, consume.ToString());
        Assert.Equal("a\nb\nc\n", consume.Out);
        Assert.Equal("", rest.Out);
    }

    [Fact]
    public async Task Consume_prints_an_aligned_table_by_default()
    {
        var topic = NewName("table");
        await Liiklus("publish", topic, "-k", "key-1", "first value");

        var consumed = await Liiklus("consume", topic, "-g", "g", "-e");

        var lines = consumed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^PARTITION +OFFSET +KEY +VALUE$", lines[0]);
        Assert.Matches(@"^ +\d+ +0  key-1 +first value$", lines[1]);
        Assert.Equal(lines[0].IndexOf("KEY", StringComparison.Ordinal), lines[1].IndexOf("key-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Topics_list_and_describe_show_the_published_topic_and_its_offsets()
    {
        var topic = NewName("described");
        var published = (await LiiklusWithInput("a\nb\nc\n", "publish", topic, "-k", "same", "-", "-o", "json")).Documents;
        var partition = published[0].GetProperty("partition").GetInt32();

        var listed = await Liiklus("topics", "list", "-o", "json");
        var described = await Liiklus("topics", "describe", topic, "-o", "json");
        var table = await Liiklus("topics", "describe", topic);

        Assert.Contains(topic, Assert.Single(listed.Documents).GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
        var document = Assert.Single(described.Documents);
        Assert.Equal(topic, document.GetProperty("topic").GetString());
        var partitionDocument = document.GetProperty("partitions").EnumerateArray().Single(p => p.GetProperty("partition").GetInt32() == partition);
        Assert.Equal(0UL, partitionDocument.GetProperty("earliestOffset").GetUInt64());
        Assert.Equal(3UL, partitionDocument.GetProperty("endOffset").GetUInt64());
        var lines = table.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("PARTITION  EARLIEST  END  RECORDS", lines[0]);
        Assert.Contains($"{partition,9}         0    3        3", lines);
        Assert.All(lines, line => Assert.True(line.Length <= 80, line));
    }

    [Fact]
    public async Task Groups_list_and_describe_show_the_acknowledged_position_as_the_next_record()
    {
        var topic = NewName("grouped");
        var published = (await LiiklusWithInput("a\nb\nc\n", "publish", topic, "-k", "same", "-", "-o", "json")).Documents;
        var partition = published[0].GetProperty("partition").GetInt32();
        await Liiklus("consume", topic, "-g", "billing", "-n", "2");

        var listed = await Liiklus("groups", "list", topic, "-o", "json");
        var described = await Liiklus("groups", "describe", topic, "billing", "-o", "json");
        var table = await Liiklus("groups", "describe", topic, "billing");

        var group = Assert.Single(Assert.Single(listed.Documents).GetProperty("groups").EnumerateArray());
        Assert.Equal("billing", group.GetProperty("group").GetString());
        var version = Assert.Single(group.GetProperty("versions").EnumerateArray());
        Assert.Equal(1UL, version.GetProperty("lag").GetUInt64());
        var state = Assert.Single(described.Documents).GetProperty("partitions").EnumerateArray().Single(p => p.GetProperty("partition").GetInt32() == partition);
        Assert.Equal(2UL, state.GetProperty("position").GetUInt64());
        Assert.Equal(3UL, state.GetProperty("endOffset").GetUInt64());
        Assert.Equal(1UL, state.GetProperty("lag").GetUInt64());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("ownerSessionId").ValueKind);
        Assert.True(DateTimeOffset.TryParse(state.GetProperty("lastAckTime").GetString(), out var lastAck), state.ToString());
        Assert.True(DateTimeOffset.UtcNow - lastAck < TimeSpan.FromMinutes(1), state.ToString());
        Assert.StartsWith($"Topic:        {topic}\nGroup:        billing, version 0\nLive members: 0\n", table.Out);
        Assert.Matches($@"\n {{0,8}}{partition} +2 +3 +1 ", table.Out);
        Assert.All(table.Out.Split('\n'), line => Assert.True(line.Length <= 80, line));
    }

    [Fact]
    public async Task Refused_call_exits_1_with_the_grpc_status_and_message_on_standard_error()
    {
        var run = await Liiklus("topics", "describe", NewName("missing"));

        Assert.Equal(1, await run.Exit);
        Assert.Equal("", run.Out);
        Assert.StartsWith("liiklus: NOT_FOUND: ", run.Error);
        Assert.Contains("does not exist", run.Error);
    }

    [Fact]
    public async Task Unreachable_gateway_exits_1_with_unavailable_and_never_prints_the_token()
    {
        const string token = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXN1YmplY3Q.c2lnbmF0dXJl";
        var closedPort = Support.GatewayProcess.FreePort();
        var environment = new Dictionary<string, string> { ["LIIKLUS_SERVER"] = $"127.0.0.1:{closedPort}", ["LIIKLUS_TOKEN"] = token };

        var fromEnvironment = await CliRun.RunAsync(["topics", "list"], environment: environment);
        var fromOption = await CliRun.RunAsync(["-s", $"127.0.0.1:{closedPort}", "--token", token, "publish", "t", "v"]);

        foreach (var run in new[] { fromEnvironment, fromOption })
        {
            Assert.Equal(1, await run.Exit);
            Assert.StartsWith("liiklus: UNAVAILABLE: ", run.Error);
            Assert.DoesNotContain(token, run.Out + run.Error);
            Assert.DoesNotContain("c2VjcmV0", run.Out + run.Error);
        }
    }

    [Fact]
    public async Task Server_comes_from_LIIKLUS_SERVER_when_no_option_names_one()
    {
        var topic = NewName("env");
        await Liiklus("publish", topic, "v");

        var run = await CliRun.RunAsync(["topics", "describe", topic, "-o", "json"], environment: new Dictionary<string, string> { ["LIIKLUS_SERVER"] = fixture.Server });

        Assert.True(await run.Exit == 0, run.ToString());
        Assert.Equal(topic, Assert.Single(run.Documents).GetProperty("topic").GetString());
    }

    [Theory]
    [InlineData("consume t")]
    [InlineData("nosuchverb")]
    [InlineData("topics list -o xml")]
    [InlineData("publish t")]
    [InlineData("publish t -H not-a-pair v")]
    [InlineData("publish t -H Upper=1 v")]
    [InlineData("consume t -g g -n 0")]
    [InlineData("consume t -g g -f %x")]
    [InlineData("tail t --from yesterday")]
    [InlineData("tail t -p one")]
    [InlineData("groups reset t g")]
    [InlineData("groups reset t g --to-earliest --to-latest")]
    [InlineData("groups reset t g --by-duration 1h")]
    [InlineData("groups reset t g --to-datetime noon")]
    [InlineData("dlt replay t.dlt")]
    [InlineData("--cert c.pem topics list")]
    public async Task Usage_errors_exit_2_with_the_reason_and_a_usage_hint_on_standard_error(string commandLine)
    {
        var run = await Liiklus(commandLine.Split(' '));

        Assert.True(await run.Exit == 2, run.ToString());
        Assert.Equal("", run.Out);
        Assert.StartsWith("liiklus: ", run.Error);
        Assert.Contains("--help' for usage.", run.Error);
    }

    [Fact]
    public async Task Help_exits_0_listing_every_verb()
    {
        var run = await Liiklus("--help");

        Assert.Equal(0, await run.Exit);
        foreach (var verb in new[] { "publish", "consume", "tail", "topics", "groups", "dlt" })
        {
            Assert.Contains($"\n  {verb} ", run.Out);
        }
    }

    [Fact]
    public async Task Dlt_replay_publishes_dead_letters_back_without_their_dead_letter_extensions_once()
    {
        var topic = NewName("payments");
        var target = NewName("payments-again");
        using var client = new LiiklusClient(new LiiklusClientOptions { Address = new Uri($"http://{fixture.Server}") });
        await client.PublishAsync(topic, new CloudEvent("e1", "com.example.paid", new Uri("/shop", UriKind.Relative))
        {
            Data = "paid"u8.ToArray(),
            Extensions = new Dictionary<string, string> { ["tenant"] = "acme" },
        }, "same"u8.ToArray());
        await client.PublishAsync(topic, "plain"u8.ToArray(), "same"u8.ToArray());
        await DeadLetterEverythingAsync(client, new ConsumerGroup(topic, "failing"), expected: 2);

        var replayed = await Liiklus("dlt", "replay", $"{topic}.dlt", "--to", target, "-o", "json");
        var consumed = await Liiklus("consume", target, "-g", "g", "-e", "-o", "json");
        var replayedAgain = await Liiklus("dlt", "replay", $"{topic}.dlt", "--to", target, "-o", "json");

        Assert.True(await replayed.Exit == 0, replayed.ToString());
        Assert.Equal(2, replayed.Documents.Count);
        Assert.All(replayed.Documents, d => Assert.Equal(target, d.GetProperty("topic").GetString()));
        var records = consumed.Documents;
        Assert.Equal(["paid", "plain"], records.Select(r => r.GetProperty("value").GetString()));
        Assert.All(records, r => Assert.Equal("same", r.GetProperty("key").GetString()));
        var e = records[0].GetProperty("event");
        Assert.Equal("e1", e.GetProperty("id").GetString());
        Assert.Equal("com.example.paid", e.GetProperty("type").GetString());
        Assert.Equal(["tenant"], e.GetProperty("extensions").EnumerateObject().Select(x => x.Name));
        Assert.Equal(JsonValueKind.Null, records[1].GetProperty("event").ValueKind);
        Assert.True(await replayedAgain.Exit == 0, replayedAgain.ToString());
        Assert.Empty(replayedAgain.Documents);
    }

    // The specs below drive the admin calls of branches i21-browse (Browse, WatchGroup) and i21-reset
    // (ResetPositions, DeleteGroup, the last ack time).

    [Fact]
    public async Task Tail_prints_records_from_the_start_offset_of_the_partitions_asked_and_follows_new_ones()
    {
        var topic = NewName("tailed");
        var published = (await LiiklusWithInput("a\nb\nc\n", "publish", topic, "-k", "same", "-", "-o", "json")).Documents;
        var partition = published[0].GetProperty("partition").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var stop = new CancellationTokenSource();

        var tail = CliRun.Start(["-s", fixture.Server, "tail", topic, "-p", partition, "--from", "1", "-o", "json"], cancellationToken: stop.Token);
        await Until(() => tail.Documents.Count == 2 || tail.Exit.IsCompleted, tail);
        await Liiklus("publish", topic, "-k", "same", "d");
        await Until(() => tail.Documents.Count == 3 || tail.Exit.IsCompleted, tail);
        await stop.CancelAsync();

        Assert.True(await tail.Exit.WaitAsync(TimeSpan.FromSeconds(20)) == 0, tail.ToString());
        Assert.Equal(["b", "c", "d"], tail.Documents.Select(d => d.GetProperty("value").GetString()));
        Assert.Equal([1UL, 2UL, 3UL], tail.Documents.Select(d => d.GetProperty("offset").GetUInt64()));
        var limited = await Liiklus("tail", topic, "--from", "earliest", "-n", "2", "-f", "%o:%v");
        Assert.Equal("0:a\n1:b\n", limited.Out);
    }

    [Fact]
    public async Task Groups_reset_is_a_dry_run_until_execute_and_then_moves_the_group()
    {
        var topic = NewName("reset");
        var published = (await LiiklusWithInput("a\nb\nc\n", "publish", topic, "-k", "same", "-", "-o", "json")).Documents;
        var partition = published[0].GetProperty("partition").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Liiklus("consume", topic, "-g", "g", "-e");

        var dryRun = await Liiklus("groups", "reset", topic, "g", "--to-offset", "1", "-p", partition);
        var afterDryRun = await Liiklus("consume", topic, "-g", "g", "-e", "-f", "%v");
        var executed = await Liiklus("groups", "reset", topic, "g", "--shift-by", "-2", "-p", partition, "--execute", "-o", "json");
        var afterReset = await Liiklus("consume", topic, "-g", "g", "-e", "-f", "%v");

        Assert.True(await dryRun.Exit == 0, dryRun.ToString());
        Assert.Matches($@"PARTITION +PREVIOUS +NEW +CLAMPED\n +{partition} +3 +1\n", dryRun.Out);
        Assert.EndsWith("Dry run: no position changed. Run again with --execute to apply.\n", dryRun.Out);
        Assert.Equal("", afterDryRun.Out);
        var reset = Assert.Single(executed.Documents);
        Assert.True(reset.GetProperty("executed").GetBoolean());
        var partitionReset = Assert.Single(reset.GetProperty("partitions").EnumerateArray());
        Assert.Equal(3UL, partitionReset.GetProperty("previousPosition").GetUInt64());
        Assert.Equal(1UL, partitionReset.GetProperty("newPosition").GetUInt64());
        Assert.Equal("b\nc\n", afterReset.Out);
    }

    [Fact]
    public async Task Groups_delete_removes_the_positions_and_the_group_is_then_not_found()
    {
        var topic = NewName("deleted");
        await Liiklus("publish", topic, "-k", "same", "a");
        await Liiklus("consume", topic, "-g", "g", "-e");

        var deleted = await Liiklus("groups", "delete", topic, "g", "-o", "json");
        var described = await Liiklus("groups", "describe", topic, "g");

        Assert.True(await deleted.Exit == 0, deleted.ToString());
        Assert.Equal([0U], Assert.Single(deleted.Documents).GetProperty("deletedVersions").EnumerateArray().Select(v => v.GetUInt32()));
        Assert.Equal(1, await described.Exit);
        Assert.StartsWith("liiklus: NOT_FOUND: ", described.Error);
    }

    [Fact]
    public async Task Groups_describe_watch_prints_a_snapshot_per_change_until_stopped()
    {
        var topic = NewName("watched");
        await LiiklusWithInput("a\nb\n", "publish", topic, "-k", "same", "-");
        await Liiklus("consume", topic, "-g", "g", "-n", "1");
        using var stop = new CancellationTokenSource();

        var watch = CliRun.Start(["-s", fixture.Server, "groups", "describe", topic, "g", "--watch", "-o", "json"], cancellationToken: stop.Token);
        await Until(() => watch.Documents.Count == 1 || watch.Exit.IsCompleted, watch);
        await Liiklus("consume", topic, "-g", "g", "-e");
        await Until(() => watch.Documents.Count == 2 || watch.Exit.IsCompleted, watch);
        await stop.CancelAsync();

        Assert.True(await watch.Exit.WaitAsync(TimeSpan.FromSeconds(20)) == 0, watch.ToString());
        Assert.Equal([1L, 0L], watch.Documents.Select(d => d.GetProperty("partitions").EnumerateArray().Sum(p => p.GetProperty("lag").GetInt64())));
    }

    private Task<CliRun> Liiklus(params string[] args) => CliRun.RunAsync(["-s", fixture.Server, .. args]);

    private Task<CliRun> LiiklusWithInput(string input, params string[] args) => CliRun.RunAsync(["-s", fixture.Server, .. args], input);

    private static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static Task Until(Func<bool> condition, CliRun run) =>
        Support.Eventually.Until(() => Task.FromResult(condition()), done => done, $"the command line's output ({run})");

    private async Task DeadLetterEverythingAsync(LiiklusClient client, ConsumerGroup group, int expected)
    {
        var handler = new Client.DelegateHandler((_, _, _) => ValueTask.FromResult(HandleResult.DeadLetter("refused by the spec")));
        var options = new LiiklusConsumerOptions { ImmediateRetries = 0, DelayedRetries = 0, LagInterval = TimeSpan.Zero };
        await using (Client.RunningConsumer.Start(client, group, handler, options))
        {
            await Support.Eventually.Until(
                async () => (await client.GetEndOffsetsAsync($"{group.Topic}.dlt")).Values.Sum(last => last + 1),
                count => count >= expected,
                "dead letters stored");
        }
    }
}
