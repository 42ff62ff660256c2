namespace Liiklus.Storage.Records;

/// <summary>A holder queued in a <see cref="ByteBudget"/> for bytes it could not take.</summary>
public interface IByteBudgetWaiter
{
    /// <summary>
    /// The budget took <paramref name="bytes"/> on this holder's behalf: they are its own now, to hold or to release.
    /// Called once per queueing, outside the budget's lock, on the thread of the release that made room.
    /// </summary>
    void Granted(long bytes);
}
