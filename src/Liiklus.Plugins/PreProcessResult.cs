namespace Liiklus.Plugins;

/// <summary>What a pre-processor decided: pass an envelope on, or refuse the publish.</summary>
public sealed record PreProcessResult
{
    private PreProcessResult(Envelope? accepted, Refusal? refusal)
    {
        Accepted = accepted;
        Refusal = refusal;
    }

    /// <summary>The envelope to pass on; null when refused.</summary>
    public Envelope? Accepted { get; }

    /// <summary>Why the publish is refused; null when accepted.</summary>
    public Refusal? Refusal { get; }

    /// <param name="envelope">the record to pass on: the one received, or a changed copy</param>
    public static PreProcessResult Accept(Envelope envelope) => new(envelope ?? throw new ArgumentNullException(nameof(envelope)), null);

    /// <param name="code">the gRPC status the publisher gets</param>
    /// <param name="reason">the status message: say what is wrong and where, never a secret</param>
    public static PreProcessResult Refuse(RefusalCode code, string reason) =>
        new(null, new Refusal(code, string.IsNullOrWhiteSpace(reason) ? throw new ArgumentException("a refusal needs a reason", nameof(reason)) : reason));
}
