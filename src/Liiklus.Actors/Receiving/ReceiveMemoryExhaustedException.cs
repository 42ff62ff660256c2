namespace Liiklus.Actors.Receiving;

/// <summary>The node's receive memory budget is spent: a new Receive is refused rather than let it grow.</summary>
public sealed class ReceiveMemoryExhaustedException(string message) : Exception(message);
