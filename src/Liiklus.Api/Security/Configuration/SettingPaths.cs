namespace Liiklus.Api.Security.Configuration;

public static class SettingPaths
{
    /// <summary>
    /// A file setting as a path. Liiklus's settings are Spring resources, often written <c>file:/etc/tls/key.pem</c>
    /// or <c>file:///etc/tls/key.pem</c>: both are read as <c>/etc/tls/key.pem</c>.
    /// </summary>
    public static string? FilePath(string value)
    {
        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }

        if (trimmed.StartsWith("file://", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(trimmed, UriKind.Absolute, out var uri))
        {
            return uri.LocalPath;
        }

        return trimmed.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ? trimmed["file:".Length..] : trimmed;
    }
}
