namespace Liiklus.Plugins;

/// <summary>A refused publish: the status the publisher gets and its message.</summary>
public sealed record Refusal(RefusalCode Code, string Reason);
