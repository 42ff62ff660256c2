namespace Liiklus.Api.Security.Scopes;

public enum RightKind
{
    Publish,
    Consume,
    Group,
}
