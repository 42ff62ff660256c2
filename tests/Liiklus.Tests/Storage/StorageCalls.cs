using Liiklus.Storage;

namespace Liiklus.Tests.Storage;

/// <summary>Storage calls made while their store may be down or coming back.</summary>
public static class StorageCalls
{
    /// <summary>
    /// True once <paramref name="call"/> gets through, false while the storage answers unavailable: a probe for
    /// <see cref="Support.Eventually"/>. Any other failure ends the wait, as it is a bug, not an outage.
    /// </summary>
    public static async Task<bool> Succeeds(Func<Task> call)
    {
        try
        {
            await call();
            return true;
        }
        catch (StorageUnavailableException)
        {
            return false;
        }
    }
}
