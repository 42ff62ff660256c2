namespace Liiklus.Api.Configuration;

/// <summary>Settings the gateway cannot start with; each problem names its key or variable and what is allowed.</summary>
public sealed class SettingsException(IReadOnlyList<string> problems) : Exception(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
