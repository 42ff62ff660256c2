namespace Liiklus.Client;

/// <summary>What an <see cref="IRecordHandler"/> decided about a record.</summary>
public sealed class HandleResult
{
    private HandleResult(HandleOutcome outcome, TimeSpan delay, string? reason)
    {
        Outcome = outcome;
        Delay = delay;
        Reason = reason;
    }

    /// <summary>Handled: the record counts as done.</summary>
    public static HandleResult Success { get; } = new(HandleOutcome.Success, TimeSpan.Zero, null);

    /// <summary>Not for this consumer: the record counts as done without further ado.</summary>
    public static HandleResult Skip { get; } = new(HandleOutcome.Skip, TimeSpan.Zero, null);

    /// <summary>The outcome.</summary>
    public HandleOutcome Outcome { get; }

    /// <summary>For <see cref="HandleOutcome.Retry"/>: how long to wait before the next attempt.</summary>
    public TimeSpan Delay { get; }

    /// <summary>For <see cref="HandleOutcome.DeadLetter"/>: why, as written to the dead-letter record.</summary>
    public string? Reason { get; }

    /// <summary>
    /// Try again after <paramref name="delay"/>; the partition waits (order holds). Counts as an attempt: once the
    /// consumer's retries are used up, the record goes to the dead-letter topic.
    /// </summary>
    public static HandleResult Retry(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return new HandleResult(HandleOutcome.Retry, delay, null);
    }

    /// <summary>Cannot be handled: publish it to the dead-letter topic now, then count it as done.</summary>
    public static HandleResult DeadLetter(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return new HandleResult(HandleOutcome.DeadLetter, TimeSpan.Zero, reason);
    }

    /// <inheritdoc />
    public override string ToString() => Outcome switch
    {
        HandleOutcome.Retry => $"Retry({Delay})",
        HandleOutcome.DeadLetter => $"DeadLetter({Reason})",
        _ => Outcome.ToString(),
    };
}
