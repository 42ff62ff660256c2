using System.Collections.Concurrent;

namespace Liiklus.Api.Operations.Metrics;

/// <summary>
/// The first <c>max</c> distinct values of a label are admitted for good; later ones are refused, and each refusal of a
/// value not refused before is reported once. Refused values are remembered up to <c>max</c> as well, then forgotten
/// together, so memory stays bounded whatever clients send (a value may then be reported again).
/// </summary>
internal sealed class BoundedLabelValues(int max, Action refusedNewValue)
{
    private readonly ConcurrentDictionary<string, bool> _admitted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refused = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public bool Admit(string value)
    {
        if (_admitted.ContainsKey(value))
        {
            return true;
        }

        lock (_lock)
        {
            if (_admitted.ContainsKey(value))
            {
                return true;
            }

            if (_admitted.Count < max)
            {
                _admitted[value] = true;
                return true;
            }

            if (_refused.Count >= max)
            {
                _refused.Clear();
            }

            if (_refused.Add(value))
            {
                refusedNewValue();
            }

            return false;
        }
    }
}
