using System.CommandLine;
using Liiklus.Cli.Output;
using Liiklus.Client;

namespace Liiklus.Cli.Commands;

/// <summary>
/// <c>consume TOPIC -g GROUP [--from earliest|latest] [-n N] [-e] [--no-ack] [-f FORMAT]</c>: joins the group
/// with the client library's consumer and prints its records; each printed record is acknowledged (in batches,
/// and at exit) unless <c>--no-ack</c>.
/// </summary>
internal static class ConsumeCommand
{
    public static Command Create(CliContext context)
    {
        var topic = new Argument<string>("TOPIC") { Description = "The topic" };
        var group = new Option<string>("--group", "-g") { Description = "The consumer group", Required = true, HelpName = "GROUP" };
        var version = new Option<uint>("--group-version") { Description = "The group's version (0: none)", HelpName = "V" };
        var from = new Option<string>("--from")
        {
            Description = "Where a group with no position starts",
            DefaultValueFactory = _ => "earliest",
            HelpName = "earliest|latest",
        };
        from.AcceptOnlyFromAmong("earliest", "latest");
        var count = new Option<int?>("--count", "-n") { Description = "Exit after N records", HelpName = "N" };
        var exitAtEnd = new Option<bool>("--exit", "-e") { Description = "Exit at the end: once every partition reached the end offset it had when the command started" };
        var noAck = new Option<bool>("--no-ack") { Description = "Acknowledge nothing: the group's positions stay where they are" };
        var format = new Option<string?>("--format", "-f")
        {
            Description = "Print each record as FORMAT: %t topic, %p partition, %o offset, %k key, %v value, %T timestamp, %h extensions, %% percent, \\t, \\n",
            HelpName = "FORMAT",
        };
        var command = new Command("consume", "Consume a topic as a member of a consumer group") { topic };
        foreach (var option in new Option[] { group, version, from, count, exitAtEnd, noAck, format })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parsed, cancellationToken) =>
        {
            var limit = parsed.GetValue(count);
            if (limit is <= 0)
            {
                throw new UsageException($"-n must be positive, was {limit}");
            }

            var printer = new RecordPrinter(context.Results(parsed), parsed.GetValue(format) is { } f ? RecordFormat.Parse(f) : null, withTime: false);
            using var client = context.Connect(parsed);
            var consumerGroup = new ConsumerGroup(parsed.GetValue(topic)!, parsed.GetValue(group)!, parsed.GetValue(version));
            var reset = parsed.GetValue(from) == "latest" ? OffsetReset.Latest : OffsetReset.Earliest;
            var run = new GroupRun(client, consumerGroup, reset, limit, parsed.GetValue(exitAtEnd), ack: !parsed.GetValue(noAck));
            await run.RunAsync(
                record =>
                {
                    printer.Print(
                        new RecordView(
                            record.Topic,
                            record.Partition,
                            record.Offset,
                            record.Timestamp,
                            record.Key.IsEmpty ? null : record.Key,
                            record.Value,
                            record.Event is { } e ? [.. e.Extensions.OrderBy(x => x.Key, StringComparer.Ordinal)] : []),
                        () => Documents.Consumed(record));
                    return Task.CompletedTask;
                },
                cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }
}
