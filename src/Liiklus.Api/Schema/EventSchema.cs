using NJsonSchema;

namespace Liiklus.Api.Schema;

/// <summary>One event type's schema.</summary>
/// <param name="MarksDeprecated">whether any part of it says <c>deprecated: true</c>; when not, events need no deprecation walk</param>
public sealed record EventSchema(JsonSchema Schema, bool MarksDeprecated);
