namespace Liiklus.Api.Security.Scopes;

/// <summary>One right a call needs, written as the scope that grants it: <c>liiklus:consume:orders</c>.</summary>
public sealed record Right(RightKind Kind, string Name)
{
    public const string ScopePrefix = "liiklus:";

    public static Right Publish(string topic) => new(RightKind.Publish, topic);

    public static Right Consume(string topic) => new(RightKind.Consume, topic);

    public static Right Group(string group) => new(RightKind.Group, group);

    public static Right Admin(string topic) => new(RightKind.Admin, topic);

    public override string ToString() => $"{ScopePrefix}{Kind.ToString().ToLowerInvariant()}:{Name}";
}
