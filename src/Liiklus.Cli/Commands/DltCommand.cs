using System.CommandLine;
using System.Globalization;
using Liiklus.Cli.Output;
using Liiklus.Client;

namespace Liiklus.Cli.Commands;

/// <summary>
/// <c>dlt replay DLT_TOPIC --to TOPIC</c>: publishes the dead letters the client library's consumer wrote back to
/// a topic as they were before they failed (the <c>dlt*</c> extensions removed; a record that had no CloudEvent
/// goes back as a plain value), acknowledging each on the dead-letter topic once republished, up to the end the
/// dead-letter topic had at the start.
/// </summary>
internal static class DltCommand
{
    /// <summary>The extensions <see cref="DeadLetters"/> adds, removed on the way back.</summary>
    private static readonly string[] DeadLetterExtensions =
    [
        DeadLetters.Topic, DeadLetters.Partition, DeadLetters.Offset, DeadLetters.Group, DeadLetters.GroupVersion,
        DeadLetters.Attempts, DeadLetters.Reason, DeadLetters.ExceptionType, DeadLetters.ExceptionMessage,
    ];

    public static Command Create(CliContext context)
    {
        var dltTopic = new Argument<string>("DLT_TOPIC") { Description = "The dead-letter topic (by default <topic>.dlt)" };
        var to = new Option<string>("--to") { Description = "The topic the records go back to", Required = true, HelpName = "TOPIC" };
        var group = new Option<string>("--group", "-g")
        {
            Description = "The consumer group reading the dead-letter topic: its position remembers what was replayed",
            DefaultValueFactory = _ => "liiklus-dlt-replay",
            HelpName = "GROUP",
        };
        var replay = new Command("replay", "Publish dead letters back to a topic, without their dead-letter extensions") { dltTopic };
        replay.Options.Add(to);
        replay.Options.Add(group);
        replay.SetAction(async (parsed, cancellationToken) =>
        {
            var results = context.Results(parsed);
            using var client = context.Connect(parsed);
            var target = parsed.GetValue(to)!;
            var table = new StreamTable(("FROM PARTITION", 14, true), ("FROM OFFSET", 11, true), ("PARTITION", 9, true), ("OFFSET", 0, true));
            var replayed = 0;
            // One record acknowledged at a time: an interrupted replay republishes at most the record in hand again.
            var run = new GroupRun(client, new ConsumerGroup(parsed.GetValue(dltTopic)!, parsed.GetValue(group)!), OffsetReset.Earliest, limit: null, exitAtEnd: true, ack: true, ackBatchSize: 1);
            await run.RunAsync(
                async letter =>
                {
                    var result = Original(letter) is { } original
                        ? await client.PublishAsync(target, original, letter.Key, cancellationToken)
                        : await client.PublishAsync(target, letter.Value, letter.Key, cancellationToken);
                    Interlocked.Increment(ref replayed);
                    if (results.Json)
                    {
                        results.WriteJson(Documents.Replayed(letter, result));
                    }
                    else
                    {
                        results.Locked(w => table.Write(
                            w,
                            letter.Partition.ToString(CultureInfo.InvariantCulture),
                            letter.Offset.ToString(CultureInfo.InvariantCulture),
                            result.Partition.ToString(CultureInfo.InvariantCulture),
                            result.Offset.ToString(CultureInfo.InvariantCulture)));
                    }
                },
                cancellationToken);
            if (!results.Json)
            {
                results.Writer.WriteLine($"Replayed {replayed} dead letters to topic {target}.");
            }

            return ExitCodes.Ok;
        });
        return new Command("dlt", "Dead-letter topics written by the client library's consumer") { replay };
    }

    /// <summary>The event as it was before it failed; null for a record that had no CloudEvent (a plain value).</summary>
    private static CloudEvent? Original(LiiklusRecord letter)
    {
        if (letter.Event is not { } e || e.Type == DeadLetters.PlainRecordType)
        {
            return null;
        }

        return e with { Extensions = e.Extensions.Where(x => !DeadLetterExtensions.Contains(x.Key)).ToDictionary(x => x.Key, x => x.Value) };
    }
}
