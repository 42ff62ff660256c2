namespace Liiklus.Api.Logging;

/// <summary>
/// How often one log line may repeat (liiklus.logging.repeats): past <see cref="Burst"/> writes of the same line within
/// <see cref="Interval"/>, its repeats are counted instead, and one line says how many were left out.
/// </summary>
/// <param name="Burst">writes of one line per interval; 0 writes every line</param>
public sealed record RepeatLimits(int Burst, TimeSpan Interval)
{
    public bool Enabled => Burst > 0;
}
