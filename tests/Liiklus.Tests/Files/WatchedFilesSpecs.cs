using Liiklus.Api.Files;
using Liiklus.Tests.Support;
using Xunit;

namespace Liiklus.Tests.Files;

public sealed class WatchedFilesSpecs : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("liiklus-watched-").FullName;

    [Fact]
    public async Task File_swapped_behind_a_symbolic_link_as_kubernetes_updates_a_mounted_secret_is_reloaded()
    {
        // A mounted secret: tls.crt -> ..data/tls.crt, ..data -> ..v1; an update writes ..v2 and renames a new link over ..data.
        Directory.CreateDirectory(Path.Combine(_folder, "..v1"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "..v1", "tls.crt"), "first");
        Directory.CreateSymbolicLink(Path.Combine(_folder, "..data"), "..v1");
        var watched = Path.Combine(_folder, "tls.crt");
        File.CreateSymbolicLink(watched, Path.Combine("..data", "tls.crt"));
        var seen = new List<string>();
        await using var watch = new WatchedFiles([watched], async ct =>
        {
            var content = await File.ReadAllTextAsync(watched, ct);
            lock (seen)
            {
                seen.Add(content);
            }
        });

        Directory.CreateDirectory(Path.Combine(_folder, "..v2"));
        await File.WriteAllTextAsync(Path.Combine(_folder, "..v2", "tls.crt"), "second");
        Directory.CreateSymbolicLink(Path.Combine(_folder, "..data_tmp"), "..v2");
        // rename(2) of the new link over the old one, atomic as the kubelet's (.NET's moves refuse a link to a folder).
        using (var rename = System.Diagnostics.Process.Start("mv", ["-T", Path.Combine(_folder, "..data_tmp"), Path.Combine(_folder, "..data")]))
        {
            await rename.WaitForExitAsync();
            Assert.Equal(0, rename.ExitCode);
        }

        Assert.Equal("second", await File.ReadAllTextAsync(watched));

        var reloads = await Eventually.Until(
            () =>
            {
                lock (seen)
                {
                    return Task.FromResult(seen.ToList());
                }
            },
            contents => contents.Contains("second"),
            "the swapped file reloaded");

        Assert.DoesNotContain("first", reloads);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
