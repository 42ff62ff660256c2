namespace Liiklus.Client;

/// <summary>Where a <see cref="LiiklusConsumer"/> is.</summary>
public enum ConsumerState
{
    /// <summary>Not running.</summary>
    Stopped = 0,

    /// <summary>Subscribing for the first time.</summary>
    Starting = 1,

    /// <summary>Subscribed: partitions are being received.</summary>
    Subscribed = 2,

    /// <summary>The connection dropped or the subscription ended; subscribing again after a backoff.</summary>
    Reconnecting = 3,
}
