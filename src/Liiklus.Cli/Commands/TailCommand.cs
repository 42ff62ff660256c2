using System.CommandLine;
using System.Globalization;
using System.Text;
using Liiklus.Cli.Output;
using Liiklus.Client;

namespace Liiklus.Cli.Commands;

/// <summary>
/// <c>tail TOPIC [-p P,...] [--from earliest|latest|OFFSET|ISO-TIME]</c>: the admin API's Browse with follow, so no
/// group joins and no position moves; runs until Ctrl+C (or <c>-n</c> records).
/// </summary>
internal static class TailCommand
{
    public static Command Create(CliContext context)
    {
        var topic = new Argument<string>("TOPIC") { Description = "The topic" };
        var partitions = Values.PartitionsOption("Only these partitions (default: all)");
        var from = new Option<string>("--from")
        {
            Description = "Where each partition is read from: earliest, latest, an offset, or an ISO 8601 time",
            DefaultValueFactory = _ => "latest",
            HelpName = "earliest|latest|OFFSET|ISO-TIME",
        };
        var count = new Option<uint?>("--count", "-n") { Description = "Exit after N records", HelpName = "N" };
        var keyContains = new Option<string?>("--key-contains") { Description = "Only records whose key contains this text", HelpName = "TEXT" };
        var valueContains = new Option<string?>("--value-contains") { Description = "Only records whose value contains this text", HelpName = "TEXT" };
        var format = new Option<string?>("--format", "-f")
        {
            Description = "Print each record as FORMAT: %t topic, %p partition, %o offset, %k key, %v value, %T timestamp, %h headers, %% percent, \\t, \\n",
            HelpName = "FORMAT",
        };
        var command = new Command("tail", "Follow a topic's records without a consumer group (nothing is acknowledged)") { topic };
        foreach (var option in new Option[] { partitions, from, count, keyContains, valueContains, format })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parsed, cancellationToken) =>
        {
            if (parsed.GetValue(count) is 0)
            {
                throw new UsageException("-n must be positive, was 0");
            }

            var options = new BrowseOptions
            {
                Partitions = Values.Partitions(parsed.GetValue(partitions)),
                From = Start(parsed.GetValue(from)!),
                KeyContains = Encoding.UTF8.GetBytes(parsed.GetValue(keyContains) ?? ""),
                ValueContains = Encoding.UTF8.GetBytes(parsed.GetValue(valueContains) ?? ""),
                Limit = parsed.GetValue(count) ?? 0,
                Follow = true,
            };
            var printer = new RecordPrinter(context.Results(parsed), parsed.GetValue(format) is { } f ? RecordFormat.Parse(f) : null, withTime: true);
            using var client = context.Connect(parsed);
            var admin = new LiiklusAdminClient(client);
            try
            {
                await foreach (var record in admin.BrowseAsync(parsed.GetValue(topic)!, options, cancellationToken))
                {
                    printer.Print(
                        new RecordView(
                            record.Topic,
                            record.Partition,
                            record.Offset,
                            record.Timestamp,
                            record.Key,
                            record.Value,
                            [.. record.Headers.Select(h => KeyValuePair.Create(h.Name, Bytes.Show(h.Value.Span)))]),
                        () => Documents.Browsed(record));
                }
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Cancelled })
            {
                // Ctrl+C: the tail ends as asked.
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <exception cref="UsageException">neither a keyword, an offset nor a time</exception>
    private static BrowseStart Start(string from) => from switch
    {
        "earliest" => BrowseStart.Earliest,
        "latest" => BrowseStart.Latest,
        _ when ulong.TryParse(from, NumberStyles.None, CultureInfo.InvariantCulture, out var offset) => BrowseStart.Offset(offset),
        _ => BrowseStart.Time(Values.Time("--from", from)),
    };
}
