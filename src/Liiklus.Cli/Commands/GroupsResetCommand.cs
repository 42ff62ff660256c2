using System.CommandLine;
using Liiklus.Cli.Output;
using Liiklus.Client;
using static Liiklus.Cli.Commands.TopicsCommand;

namespace Liiklus.Cli.Commands;

/// <summary>
/// <c>groups reset TOPIC GROUP (--to-earliest|--to-latest|--to-offset N|--to-datetime ISO|--by-duration PT1H|--shift-by N) [-p P,...] [--execute]</c>:
/// a dry run that prints what would change unless <c>--execute</c>.
/// </summary>
internal static class GroupsResetCommand
{
    public static Command Create(CliContext context)
    {
        var topic = new Argument<string>("TOPIC") { Description = "The topic" };
        var group = new Argument<string>("GROUP") { Description = "The group's name" };
        var version = GroupsCommand.VersionOption();
        var toEarliest = new Option<bool>("--to-earliest") { Description = "To the oldest retained record" };
        var toLatest = new Option<bool>("--to-latest") { Description = "To the end: only records published from now on" };
        var toOffset = new Option<ulong?>("--to-offset") { Description = "To this offset on every partition", HelpName = "N" };
        var toDatetime = new Option<string?>("--to-datetime") { Description = "To the first record at or after this ISO 8601 time", HelpName = "ISO-TIME" };
        var byDuration = new Option<string?>("--by-duration") { Description = "To the first record at or after now minus this ISO 8601 duration", HelpName = "PT1H" };
        var shiftBy = new Option<long?>("--shift-by") { Description = "Move each position by N records, back when negative", HelpName = "N" };
        var partitions = Values.PartitionsOption("Only these partitions (default: all)");
        var execute = new Option<bool>("--execute") { Description = "Change the positions; without it, only show what would change" };
        var command = new Command("reset", "Move a group's positions (a dry run unless --execute)") { topic, group };
        foreach (var option in new Option[] { version, toEarliest, toLatest, toOffset, toDatetime, byDuration, shiftBy, partitions, execute })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parsed, cancellationToken) =>
        {
            var targets = new List<ResetTarget>();
            if (parsed.GetValue(toEarliest))
            {
                targets.Add(ResetTarget.Earliest);
            }

            if (parsed.GetValue(toLatest))
            {
                targets.Add(ResetTarget.Latest);
            }

            if (parsed.GetValue(toOffset) is { } offset)
            {
                targets.Add(ResetTarget.Offset(offset));
            }

            if (parsed.GetValue(toDatetime) is { } time)
            {
                targets.Add(ResetTarget.Time(Values.Time("--to-datetime", time)));
            }

            if (parsed.GetValue(byDuration) is { } duration)
            {
                targets.Add(ResetTarget.Ago(Values.Duration("--by-duration", duration)));
            }

            if (parsed.GetValue(shiftBy) is { } shift)
            {
                targets.Add(ResetTarget.ShiftBy(shift));
            }

            if (targets.Count != 1)
            {
                throw new UsageException("give exactly one of --to-earliest, --to-latest, --to-offset, --to-datetime, --by-duration, --shift-by");
            }

            var results = context.Results(parsed);
            using var client = context.Connect(parsed);
            var reset = await new LiiklusAdminClient(client).ResetPositionsAsync(
                new ConsumerGroup(parsed.GetValue(topic)!, parsed.GetValue(group)!, parsed.GetValue(version)),
                targets[0],
                Values.Partitions(parsed.GetValue(partitions)),
                parsed.GetValue(execute),
                cancellationToken);
            if (results.Json)
            {
                results.WriteJson(Documents.Reset(reset));
                return ExitCodes.Ok;
            }

            var table = new Table("PARTITION>", "PREVIOUS>", "NEW>", "CLAMPED");
            foreach (var p in reset.Partitions)
            {
                table.Add(Number(p.Partition), p.PreviousPosition is { } previous ? Number(previous) : "-", Number(p.NewPosition), p.Clamped ? "yes" : "");
            }

            table.WriteTo(results.Writer);
            results.Writer.WriteLine(reset.Executed
                ? $"Reset group {reset.Group.Name} version {reset.Group.Version} of topic {reset.Group.Topic} to {targets[0]}."
                : "Dry run: no position changed. Run again with --execute to apply.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
