using System.Reflection;
using System.Text.RegularExpressions;
using Liiklus.Actors.Receiving;
using Liiklus.Plugins;
using Liiklus.Storage.Records;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Structure;

/// <summary>The boundaries the architecture promises, checked on the built assemblies and the source tree.</summary>
public sealed partial class ProjectStructureSpecs
{
    // Build-time only (Grpc.Tools) or the wire format of messages between nodes (Google.Protobuf) are allowed.
    private static readonly string[] TransportAndProtocol = ["Liiklus.Api", "Grpc.Core", "Grpc.Core.Api", "Grpc.AspNetCore", "Grpc.Net", "Microsoft.AspNetCore"];

    [Fact]
    public void Core_knows_no_grpc_type_no_transport_and_nothing_of_the_api()
    {
        var core = typeof(ReceiveStreamStarter).Assembly;

        Assert.Empty(ReferencesAmong(core, TransportAndProtocol));
        Assert.DoesNotContain(core.GetTypes(), type => type.Namespace?.StartsWith("Liiklus.Protocol", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Storages_know_nothing_of_actors_grpc_or_the_api()
    {
        var storage = typeof(IRecordsStorage).Assembly;

        Assert.Empty(ReferencesAmong(storage, [.. TransportAndProtocol, "Liiklus.Actors"]));
    }

    [Fact]
    public void Plugin_contract_depends_on_nothing_of_the_gateway()
    {
        var plugins = typeof(IRecordPreProcessor).Assembly;

        Assert.DoesNotContain(
            plugins.GetReferencedAssemblies(),
            name => name.Name!.StartsWith("Liiklus.", StringComparison.Ordinal) || name.Name.StartsWith("Akka", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_source_file_declares_one_type_except_an_actors_messages()
    {
        var files = new[] { "src", "samples", "tests", "bench" }
            .SelectMany(folder => Directory.EnumerateFiles(RepositoryFiles.PathOf(folder), "*.cs", SearchOption.AllDirectories))
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        var crowded = files
            .Where(path => !Path.GetFileName(path).EndsWith("Messages.cs", StringComparison.Ordinal))
            .Select(path => (Path: Path.GetRelativePath(RepositoryFiles.Root, path), Types: TopLevelType().Matches(File.ReadAllText(path)).Count))
            .Where(file => file.Types > 1)
            .Select(file => $"{file.Path}: {file.Types} types");

        Assert.NotEmpty(files);
        Assert.Empty(crowded);
    }

    private static IEnumerable<string> ReferencesAmong(Assembly assembly, string[] forbidden) =>
        assembly.GetReferencedAssemblies()
            .Select(name => name.Name!)
            .Where(name => forbidden.Any(prefix => name == prefix || name.StartsWith(prefix + ".", StringComparison.Ordinal)));

    // Types at the top of a file-scoped namespace start in the first column; nested ones are indented.
    [GeneratedRegex(@"^(?:(?:public|internal|file|static|sealed|abstract|partial|readonly)\s+)*(?:class|record(?:\s+(?:class|struct))?|struct|interface|enum)\s+[A-Z]", RegexOptions.Multiline)]
    private static partial Regex TopLevelType();
}
