using System.CommandLine;
using System.Text.Json.Nodes;
using Liiklus.Cli.Output;
using Liiklus.Client;

namespace Liiklus.Cli.Commands;

/// <summary><c>cold status [TOPIC]</c>, through the admin API.</summary>
internal static class ColdCommand
{
    public static Command Create(CliContext context)
    {
        var topicArgument = new Argument<string?>("TOPIC") { Description = "An archived topic; every archived topic when left out", Arity = ArgumentArity.ZeroOrOne };
        var status = new Command("status", "Cold storage per partition: what the cold store holds, Kafka's retained range, the archiver's lag and headroom, gaps") { topicArgument };
        status.SetAction(async (parsed, cancellationToken) =>
        {
            var results = context.Results(parsed);
            using var client = context.Connect(parsed);
            var partitions = await new LiiklusAdminClient(client).ColdStatusAsync(parsed.GetValue(topicArgument), cancellationToken);
            if (results.Json)
            {
                results.WriteJson(new JsonArray([.. partitions.Select(Document)]));
            }
            else
            {
                var table = new Table("TOPIC", "PARTITION>", "COLD-FIRST>", "ARCHIVED>", "EARLIEST>", "END>", "LAG>", "HEADROOM>", "GAPS");
                foreach (var p in partitions)
                {
                    table.Add(
                        p.Topic,
                        TopicsCommand.Number(p.Partition),
                        p.Archived ? TopicsCommand.Number(p.ColdFirstOffset) : "-",
                        p.Archived ? TopicsCommand.Number(p.ArchivedOffset) : "-",
                        TopicsCommand.Number(p.EarliestOffset),
                        TopicsCommand.Number(p.EndOffset),
                        TopicsCommand.Number(p.Lag),
                        p.Archived ? TopicsCommand.Number(p.Headroom) : "-",
                        p.Gaps.Count == 0 ? "-" : string.Join(' ', p.Gaps.Select(g => $"[{g.FromOffset},{g.ToOffset})")));
                }

                table.WriteTo(results.Writer);
            }

            return ExitCodes.Ok;
        });

        return new Command("cold", "Cold storage of records past Kafka's retention") { status };
    }

    private static JsonObject Document(ColdPartitionStatus p) => new()
    {
        ["topic"] = p.Topic,
        ["partition"] = p.Partition,
        ["archived"] = p.Archived,
        ["cold_first_offset"] = p.ColdFirstOffset,
        ["archived_offset"] = p.ArchivedOffset,
        ["earliest_offset"] = p.EarliestOffset,
        ["end_offset"] = p.EndOffset,
        ["lag"] = p.Lag,
        ["headroom"] = p.Headroom,
        ["gaps"] = new JsonArray([.. p.Gaps.Select(g => (JsonNode)new JsonObject { ["from_offset"] = g.FromOffset, ["to_offset"] = g.ToOffset })]),
    };
}
