namespace Liiklus.Api.WebConsole;

/// <summary>
/// The console's built files (console/dist, copied beside the binaries): read once at start, so a request can only
/// ever name one of them, and served with a content type of their own.
/// </summary>
internal sealed class ConsoleFiles
{
    public const string Folder = "console";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".map"] = "application/json; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
    };

    private readonly Dictionary<string, (string Path, string ContentType)> _files;

    private ConsoleFiles(Dictionary<string, (string Path, string ContentType)> files) => _files = files;

    /// <summary>The app's page: what every path under /console/ that names no file answers (the app routes it).</summary>
    public (string Path, string ContentType)? Index => Find("index.html");

    public static ConsoleFiles Load(string? folder = null)
    {
        folder ??= Path.Combine(AppContext.BaseDirectory, Folder);
        var files = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        if (Directory.Exists(folder))
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.TopDirectoryOnly))
            {
                if (ContentTypes.TryGetValue(Path.GetExtension(file), out var contentType))
                {
                    files[Path.GetFileName(file)] = (file, contentType);
                }
            }
        }

        return new ConsoleFiles(files);
    }

    public (string Path, string ContentType)? Find(string name) => _files.TryGetValue(name, out var file) ? file : null;
}
