namespace Liiklus.Client;

/// <summary>When a record counts as done for the group's position.</summary>
public enum AckMode
{
    /// <summary>Acknowledged after it was handled: a crash repeats records handled since the last acknowledgement.</summary>
    AtLeastOnce = 0,

    /// <summary>Acknowledged before it is handled: a crash loses the records being handled, none is handled twice.</summary>
    AtMostOnce = 1,
}
