namespace Liiklus.Api.Security.Configuration;

/// <summary>
/// A password or key from the settings. It prints as a placeholder, so logging or formatting the settings that
/// hold it cannot leak it; <see cref="Reveal"/> is the one way to the value.
/// </summary>
public sealed class Secret(string value)
{
    public string Reveal() => value;

    public override string ToString() => "(secret)";
}
