using System.Reflection;
using Liiklus.Client;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Client;

/// <summary>
/// The client's public surface is what src/Liiklus.Client/PublicApi.approved.txt lists: a change to it is a
/// reviewed change to that file (set LIIKLUS_APPROVE_API=1 to rewrite it from the build).
/// </summary>
public sealed class PublicApiSpecs
{
    private const string ApprovedFile = "src/Liiklus.Client/PublicApi.approved.txt";

    [Fact]
    public void Public_api_is_the_approved_one()
    {
        var actual = Describe(typeof(LiiklusClient).Assembly);
        if (Environment.GetEnvironmentVariable("LIIKLUS_APPROVE_API") == "1")
        {
            File.WriteAllText(RepositoryFiles.PathOf(ApprovedFile), actual);
        }

        Assert.Equal(File.ReadAllText(RepositoryFiles.PathOf(ApprovedFile)), actual);
    }

    [Fact]
    public void Protocol_types_are_not_public()
    {
        Assert.DoesNotContain(typeof(LiiklusClient).Assembly.GetExportedTypes(), t => t.Namespace != "Liiklus.Client");
    }

    private static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            lines.Add($"{Kind(type)} {type.FullName}{(type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum) ? $" : {b.Name}" : "")}");
            var members = type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m is not MethodInfo { IsSpecialName: true })
                .Select(m => "  " + m.ToString())
                .Order(StringComparer.Ordinal);
            lines.AddRange(members);
        }

        return string.Join('\n', lines) + '\n';
    }

    private static string Kind(Type type) =>
        type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" : type.IsSealed && type.IsAbstract ? "static class" : type.IsSealed ? "sealed class" : "class";
}
