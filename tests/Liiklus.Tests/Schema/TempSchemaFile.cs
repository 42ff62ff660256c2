namespace Liiklus.Tests.Schema;

/// <summary>A schema document file in a folder of its own, deleted with the folder on dispose.</summary>
public sealed class TempSchemaFile : IDisposable
{
    private readonly string _folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"liiklus-schema-{Guid.NewGuid():N}");

    public TempSchemaFile(string text, string name)
    {
        Directory.CreateDirectory(_folder);
        Path = System.IO.Path.Combine(_folder, name);
        File.WriteAllText(Path, text);
    }

    public string Path { get; }

    /// <summary>The file as a <c>file:///</c> URL, as schema_schemaURL takes it.</summary>
    public string Url => new Uri(Path).AbsoluteUri;

    /// <summary>Replaces the document as an editor or a deployment would: a new file renamed over the old one.</summary>
    public void Replace(string text)
    {
        var next = Path + ".next";
        File.WriteAllText(next, text);
        File.Move(next, Path, overwrite: true);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
