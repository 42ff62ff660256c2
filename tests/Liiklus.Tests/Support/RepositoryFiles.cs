namespace Liiklus.Tests.Support;

/// <summary>Files of this repository (ops/, hocon/), found from the test binaries upwards.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Liiklus.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Liiklus.sln above {AppContext.BaseDirectory}");
    }
}
