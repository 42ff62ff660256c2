namespace Liiklus.Bench;

/// <summary>
/// The programs a benchmark starts besides the gateway (the stores it measures), checked before the run: a benchmark
/// whose prerequisites are missing is skipped with one line saying what and how to install it, rather than failing the
/// whole run minutes in.
/// </summary>
public static class Prerequisites
{
    private const string Installs = "./test.sh installs it";

    /// <summary>What is missing for <paramref name="benchmark"/>, one description each; empty when it can run.</summary>
    public static IReadOnlyList<string> MissingFor(string benchmark) => benchmark switch
    {
        "acks" => [.. new[]
            {
                OnPath("redis-server") ? null : $"redis-server is not installed ({Installs}: apt-get install redis-server)",
                PostgresInstalled() ? null : $"PostgreSQL is not installed ({Installs}: apt-get install postgresql)",
                OnPath("dynalite") ? null : $"dynalite is not installed ({Installs}: npm install -g dynalite@4.0.0)",
            }.OfType<string>()],
        _ => [],
    };

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, program)));

    // Where the tests' PostgresServer looks for initdb and postgres: Debian's packages keep them off the PATH.
    private static bool PostgresInstalled() =>
        Directory.Exists("/usr/lib/postgresql")
        && Directory.GetDirectories("/usr/lib/postgresql").Any(version => File.Exists(Path.Combine(version, "bin", "initdb")));
}
