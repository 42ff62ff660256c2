namespace Liiklus.Api.Security.Scopes;

public enum RightKind
{
    Publish,
    Consume,
    Group,

    /// <summary>Changing a topic's group positions through the admin API (reset, delete).</summary>
    Admin,
}
