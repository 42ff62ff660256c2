using Microsoft.Extensions.Logging;

namespace Liiklus.Storage.Positions;

/// <summary>
/// Logs a positions storage's changes of state only: unreachable once, reachable again once. A log line per
/// failed call would repeat the same news many times a second through an outage.
/// </summary>
/// <param name="store">the storage as an operator recognises it, e.g. "PostgreSQL positions storage at db:5432/liiklus"</param>
public sealed class OutageReport(ILogger logger, string store)
{
    private int _down;

    public void Failed(StorageUnavailableException failure)
    {
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            // The reason names the store and what failed; a stack trace would add nothing an operator can act on.
            logger.LogWarning("{Reason}; calls that need it answer UNAVAILABLE until it is back", failure.Message);
        }
    }

    public void Succeeded()
    {
        // A plain read first: the exchange, a write to a shared cache line, is only needed after an outage.
        if (Volatile.Read(ref _down) == 1 && Interlocked.Exchange(ref _down, 0) == 1)
        {
            logger.LogInformation("{Store} is reachable again", store);
        }
    }
}
