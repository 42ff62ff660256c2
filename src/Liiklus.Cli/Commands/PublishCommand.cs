using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Liiklus.Cli.Output;
using Liiklus.Client;

namespace Liiklus.Cli.Commands;

/// <summary>
/// <c>publish TOPIC [-k KEY] [-H k=v]... [VALUE | -]</c>: a plain value (the protocol's legacy form), or with
/// <c>-H</c> a CloudEvent whose attributes and extensions the headers give; <c>-</c> publishes each line of standard
/// input as a record, in order.
/// </summary>
internal static partial class PublishCommand
{
    private const string DefaultType = "liiklus.cli";
    private const string DefaultSource = "/liiklus-cli";

    public static Command Create(CliContext context)
    {
        var topic = new Argument<string>("TOPIC") { Description = "The topic" };
        var value = new Argument<string?>("VALUE")
        {
            Description = "The value (UTF-8); - publishes each line of standard input as a record",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var key = new Option<string?>("--key", "-k") { Description = "The key (UTF-8): it chooses the partition", HelpName = "KEY" };
        var headers = new Option<string[]>("--header", "-H")
        {
            Description = "name=value, repeatable: publishes a CloudEvent; id, type, source, time and datacontenttype set its attributes "
                + $"(defaults: a new UUID, {DefaultType}, {DefaultSource}, now), other names become extensions (ce_<name> headers)",
            HelpName = "NAME=VALUE",
        };
        var command = new Command("publish", "Publish a record, or one per line of standard input") { topic, value };
        command.Options.Add(key);
        command.Options.Add(headers);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var text = parsed.GetValue(value) ?? throw new UsageException("give a VALUE, or - to publish each line of standard input");
            var attributes = Attributes(parsed.GetValue(headers) ?? []);
            var keyBytes = parsed.GetValue(key) is { } k ? Encoding.UTF8.GetBytes(k) : [];
            var results = context.Results(parsed);
            using var client = context.Connect(parsed);
            var table = new StreamTable(("TOPIC", 16, false), ("PARTITION", 9, true), ("OFFSET", 0, true));
            var name = parsed.GetValue(topic)!;

            async Task PublishAsync(string line)
            {
                var data = Encoding.UTF8.GetBytes(line);
                var result = attributes is null
                    ? await client.PublishAsync(name, data, keyBytes, cancellationToken)
                    : await client.PublishAsync(name, Event(attributes, data), keyBytes, cancellationToken);
                if (results.Json)
                {
                    results.WriteJson(Documents.Published(result));
                }
                else
                {
                    results.Locked(w => table.Write(w, result.Topic, result.Partition.ToString(CultureInfo.InvariantCulture), result.Offset.ToString(CultureInfo.InvariantCulture)));
                }
            }

            if (text != "-")
            {
                await PublishAsync(text);
                return ExitCodes.Ok;
            }

            // In order, one call at a time: calls in flight together may overtake each other.
            while (await context.Console.In.ReadLineAsync(cancellationToken) is { } line)
            {
                await PublishAsync(line);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The -H pairs by name, or null without any.</summary>
    private static Dictionary<string, string>? Attributes(string[] headers)
    {
        if (headers.Length == 0)
        {
            return null;
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in headers)
        {
            var equals = header.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new UsageException($"-H '{header}' is not name=value");
            }

            var name = header[..equals];
            if (!ExtensionName().IsMatch(name))
            {
                throw new UsageException($"-H '{header}': a CloudEvent attribute name is lower-case letters and digits, was '{name}'");
            }

            attributes[name] = header[(equals + 1)..];
        }

        if (attributes.TryGetValue("time", out var time))
        {
            _ = Values.Time("-H time", time);
        }

        return attributes;
    }

    private static CloudEvent Event(Dictionary<string, string> attributes, byte[] data)
    {
        var extensions = attributes
            .Where(a => a.Key is not ("id" or "type" or "source" or "time" or "datacontenttype"))
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        return new CloudEvent(
            attributes.GetValueOrDefault("id") is { Length: > 0 } id ? id : Guid.NewGuid().ToString(),
            attributes.GetValueOrDefault("type") is { Length: > 0 } type ? type : DefaultType,
            new Uri(attributes.GetValueOrDefault("source") is { Length: > 0 } source ? source : DefaultSource, UriKind.RelativeOrAbsolute))
        {
            Time = attributes.TryGetValue("time", out var time) ? Values.Time("-H time", time) : DateTimeOffset.UtcNow,
            DataContentType = attributes.GetValueOrDefault("datacontenttype") is { Length: > 0 } contentType ? contentType : "text/plain; charset=utf-8",
            Data = data,
            Extensions = extensions,
        };
    }

    [GeneratedRegex("^[a-z0-9]+$")]
    private static partial Regex ExtensionName();
}
