using System.CommandLine;
using System.Globalization;
using System.Xml;

namespace Liiklus.Cli.Commands;

/// <summary>Option values the verbs share, parsed with usage errors that name the option.</summary>
internal static class Values
{
    /// <summary><c>-p 0,2</c> (or repeated, <c>-p 0 -p 2</c>): the partitions a verb is limited to.</summary>
    public static Option<string[]> PartitionsOption(string description) => new("--partitions", "-p")
    {
        Description = description,
        HelpName = "P,...",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <exception cref="UsageException">a partition that is not a number</exception>
    public static IReadOnlyList<int> Partitions(string[]? values)
    {
        var partitions = new SortedSet<int>();
        foreach (var part in (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
            {
                throw new UsageException($"-p: '{part}' is not a partition number");
            }

            partitions.Add(partition);
        }

        return [.. partitions];
    }

    /// <summary>An ISO 8601 time (<c>2026-12-06T10:00:00Z</c>); without an offset it is UTC.</summary>
    /// <exception cref="UsageException">not a time</exception>
    public static DateTimeOffset Time(string option, string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : throw new UsageException($"{option}: '{text}' is not an ISO 8601 time such as 2026-12-06T10:00:00Z");

    /// <summary>An ISO 8601 duration (<c>PT1H</c>, <c>P1DT12H</c>).</summary>
    /// <exception cref="UsageException">not a duration, or a negative one</exception>
    public static TimeSpan Duration(string option, string text)
    {
        TimeSpan duration;
        try
        {
            duration = XmlConvert.ToTimeSpan(text);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new UsageException($"{option}: '{text}' is not an ISO 8601 duration such as PT1H or P1DT12H");
        }

        return duration >= TimeSpan.Zero ? duration : throw new UsageException($"{option}: '{text}' is negative; it goes back by itself");
    }
}
