namespace Liiklus.Api.Security;

/// <summary>Material read from files (certificates, keys) that is read again when the files change.</summary>
public interface IReloadable
{
    /// <summary>The files it is read from.</summary>
    IEnumerable<string> Paths { get; }

    /// <summary>Reads the files; replaces what is in use when they changed and load, keeps it when they do not load.</summary>
    Task ReloadIfChangedAsync(CancellationToken cancellationToken);
}
