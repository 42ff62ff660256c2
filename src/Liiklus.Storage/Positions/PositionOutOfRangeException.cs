namespace Liiklus.Storage.Positions;

/// <summary>
/// The storage cannot hold this position: an offset, partition or group version beyond what the store can
/// represent, or a partition the store knows does not exist. The caller's input is at fault, not the store.
/// </summary>
/// <param name="field">the request field at fault, as the client names it (<c>offset</c>, <c>partition</c>, ...)</param>
public sealed class PositionOutOfRangeException(string field, string problem) : Exception($"{field}: {problem}")
{
    public string Field { get; } = field;

    /// <summary>What is wrong with the field, without its name.</summary>
    public string Problem { get; } = problem;
}
