namespace Liiklus.Client;

/// <summary>The kinds of <see cref="HandleResult"/>.</summary>
public enum HandleOutcome
{
    /// <summary>Handled.</summary>
    Success = 0,

    /// <summary>Try again later.</summary>
    Retry = 1,

    /// <summary>Publish to the dead-letter topic.</summary>
    DeadLetter = 2,

    /// <summary>Done without handling.</summary>
    Skip = 3,
}
