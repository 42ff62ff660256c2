namespace Liiklus.Bench;

/// <summary>What the bench was asked to do: its arguments, checked before anything runs.</summary>
/// <param name="Quick">the CI-sized workload</param>
/// <param name="Only">the benchmarks to run, in the catalogue's order; all of them when none was named</param>
/// <param name="Output">the JSON file of the figures</param>
public sealed record BenchCommandLine(bool Quick, IReadOnlyList<string> Only, string Output)
{
    public static string Usage(IEnumerable<string> known) => $"""
        Usage: dotnet run -c Release --project bench/Liiklus.Bench -- [--quick] [--only <name>[,<name>...]] [--out <file>]

          --quick          the CI-sized run (about 3 minutes on 2 cores), instead of the full one
          --only <names>   run these benchmarks only (comma-separated; --only may be repeated)
          --out <file>     write the figures there (default: bench-results/bench-<time>[-quick].json); the file is
                           written again after each benchmark, so a run that dies keeps what it measured
          --help, -h       print this and exit

        Benchmarks, in the order they run: {string.Join(", ", known)}
        A benchmark whose prerequisites are missing (acks: redis-server, PostgreSQL, dynalite; ./test.sh installs them)
        is skipped with a line saying what is missing.
        """;

    /// <summary>The parsed arguments, or the text to print and the exit code: 0 for --help, 2 for a mistake.</summary>
    public static (BenchCommandLine? CommandLine, string? Message, int ExitCode) Parse(IReadOnlyList<string> args, IReadOnlyList<string> known)
    {
        var quick = false;
        string? output = null;
        var only = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    return (null, Usage(known), 0);
                case "--quick":
                    quick = true;
                    break;
                case "--only" or "--out" when i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal):
                    return (null, $"{args[i]} needs a value\n\n{Usage(known)}", 2);
                case "--only":
                    only.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--out":
                    output = args[++i];
                    break;
                default:
                    return (null, $"unknown argument '{args[i]}'\n\n{Usage(known)}", 2);
            }
        }

        var unknown = only.Where(name => !known.Contains(name)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            return (null, $"unknown benchmark{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(n => $"'{n}'"))}; known: {string.Join(", ", known)}", 2);
        }

        var selected = only.Count == 0 ? known : [.. known.Where(only.Contains)];
        output ??= Path.Combine("bench-results", $"bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}{(quick ? "-quick" : "")}.json");
        return (new BenchCommandLine(quick, selected, output), null, 0);
    }
}
