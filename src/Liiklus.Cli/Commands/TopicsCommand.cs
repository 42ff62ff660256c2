using System.CommandLine;
using System.Globalization;
using Liiklus.Cli.Output;
using Liiklus.Client;

namespace Liiklus.Cli.Commands;

/// <summary><c>topics list</c> and <c>topics describe TOPIC</c>, through the admin API.</summary>
internal static class TopicsCommand
{
    public static Command Create(CliContext context)
    {
        var list = new Command("list", "The topics the gateway's records storage holds");
        list.SetAction(async (parsed, cancellationToken) =>
        {
            var results = context.Results(parsed);
            using var client = context.Connect(parsed);
            var topics = await new LiiklusAdminClient(client).ListTopicsAsync(cancellationToken);
            if (results.Json)
            {
                results.WriteJson(Documents.Topics(topics));
            }
            else
            {
                var table = new Table("TOPIC");
                foreach (var topic in topics)
                {
                    table.Add(topic);
                }

                table.WriteTo(results.Writer);
            }

            return ExitCodes.Ok;
        });

        var topicArgument = new Argument<string>("TOPIC") { Description = "The topic" };
        var describe = new Command("describe", "A topic's partitions: earliest retained offset, end offset, records held") { topicArgument };
        describe.SetAction(async (parsed, cancellationToken) =>
        {
            var results = context.Results(parsed);
            using var client = context.Connect(parsed);
            var topic = await new LiiklusAdminClient(client).DescribeTopicAsync(parsed.GetValue(topicArgument)!, cancellationToken);
            if (results.Json)
            {
                results.WriteJson(Documents.Topic(topic));
            }
            else
            {
                var table = new Table("PARTITION>", "EARLIEST>", "END>", "RECORDS>");
                foreach (var p in topic.Partitions)
                {
                    table.Add(Number(p.Partition), Number(p.EarliestOffset), Number(p.EndOffset), Number(p.EndOffset - p.EarliestOffset));
                }

                table.WriteTo(results.Writer);
            }

            return ExitCodes.Ok;
        });

        return new Command("topics", "List and describe topics") { list, describe };
    }

    internal static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    internal static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
