using System.CommandLine;
using Liiklus.Cli.Output;
using Liiklus.Client;
using static Liiklus.Cli.Commands.TopicsCommand;

namespace Liiklus.Cli.Commands;

/// <summary>
/// <c>groups list [TOPIC]</c>, <c>groups describe TOPIC GROUP [--version V]</c>, <c>groups reset …</c> and
/// <c>groups delete TOPIC GROUP</c>, through the admin API. Positions are "the next record delivered".
/// </summary>
internal static class GroupsCommand
{
    public static Command Create(CliContext context) =>
        new("groups", "List, describe, reset and delete consumer groups")
        {
            List(context),
            Describe(context),
            GroupsResetCommand.Create(context),
            Delete(context),
        };

    private static Command List(CliContext context)
    {
        var topic = new Argument<string?>("TOPIC") { Description = "Only this topic's groups", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("list", "Consumer groups with stored positions: versions, live members, lag") { topic };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var results = context.Results(parsed);
            using var client = context.Connect(parsed);
            var groups = await new LiiklusAdminClient(client).ListGroupsAsync(parsed.GetValue(topic), cancellationToken);
            if (results.Json)
            {
                results.WriteJson(Documents.Groups(groups));
                return ExitCodes.Ok;
            }

            var table = new Table("TOPIC", "GROUP", "VERSION>", "LATEST", "MEMBERS>", "LAG>");
            foreach (var group in groups)
            {
                foreach (var version in group.Versions)
                {
                    table.Add(group.Topic, group.Name, Number(version.Version), version.IsLatest ? "yes" : "no", version.LiveMembers is { } m ? Number(m) : "?", Number(version.Lag));
                }
            }

            table.WriteTo(results.Writer);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Describe(CliContext context)
    {
        var topic = new Argument<string>("TOPIC") { Description = "The topic" };
        var group = new Argument<string>("GROUP") { Description = "The group's name" };
        var version = VersionOption();
        var watch = new Option<bool>("--watch", "-w") { Description = "Print the group again whenever it changes, until Ctrl+C" };
        var command = new Command("describe", "A group version per partition: position, end offset, lag, owner, last ack") { topic, group };
        command.Options.Add(version);
        command.Options.Add(watch);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var results = context.Results(parsed);
            using var client = context.Connect(parsed);
            var admin = new LiiklusAdminClient(client);
            var consumerGroup = new ConsumerGroup(parsed.GetValue(topic)!, parsed.GetValue(group)!, parsed.GetValue(version));
            if (!parsed.GetValue(watch))
            {
                Print(results, await admin.DescribeGroupAsync(consumerGroup, cancellationToken));
                return ExitCodes.Ok;
            }

            try
            {
                await foreach (var snapshot in admin.WatchGroupAsync(consumerGroup, cancellationToken: cancellationToken))
                {
                    Print(results, snapshot);
                }
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is OperationCanceledException or Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Cancelled })
            {
                // Ctrl+C ends the watch.
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var topic = new Argument<string>("TOPIC") { Description = "The topic" };
        var group = new Argument<string>("GROUP") { Description = "The group's name" };
        var version = new Option<uint?>("--version") { Description = "Only this version (default: every version of the name)", HelpName = "V" };
        var command = new Command("delete", "Delete a group's stored positions (refused while it has live members)") { topic, group };
        command.Options.Add(version);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var results = context.Results(parsed);
            using var client = context.Connect(parsed);
            var topicName = parsed.GetValue(topic)!;
            var groupName = parsed.GetValue(group)!;
            var deleted = await new LiiklusAdminClient(client).DeleteGroupAsync(topicName, groupName, parsed.GetValue(version), cancellationToken);
            if (results.Json)
            {
                results.WriteJson(Documents.Deleted(topicName, groupName, deleted));
            }
            else
            {
                results.Writer.WriteLine($"Deleted the positions of group {groupName} of topic {topicName}, versions {string.Join(", ", deleted)}.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    internal static Option<uint> VersionOption() => new("--version") { Description = "The group's version (0: none)", HelpName = "V" };

    private static void Print(ResultWriter results, GroupDescription group)
    {
        if (results.Json)
        {
            results.WriteJson(Documents.Group(group));
            return;
        }

        results.Locked(w =>
        {
            // One name a line: topic names alone may take most of 80 columns.
            w.WriteLine($"Topic:        {group.Group.Topic}");
            w.WriteLine($"Group:        {group.Group.Name}, version {group.Group.Version}");
            w.WriteLine($"Live members: {(group.LiveMembers is { } m ? Number(m) : "unknown")}");
            var table = new Table("PARTITION>", "POSITION>", "END>", "LAG>", "LAST ACK", "OWNER");
            foreach (var p in group.Partitions)
            {
                table.Add(
                    Number(p.Partition),
                    p.Position is { } position ? Number(position) : "-",
                    Number(p.EndOffset),
                    Number(p.Lag),
                    p.LastAckTime is { } time ? RecordFormat.Time(time)[..19] + "Z" : "-",
                    p.OwnerClientAddress ?? p.OwnerSessionId ?? "-");
            }

            table.WriteTo(w);
        });
    }
}
