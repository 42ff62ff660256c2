using System.Globalization;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Liiklus.Api.Schema;

/// <summary>
/// NJsonSchema's errors as one line each, <c>$.path: reason</c>, worded as Liiklus's validator words them
/// (<c>$.requiredField: is missing but it is required</c>, <c>$.intField: string found, integer expected</c>) so
/// clients that read them keep working.
/// </summary>
public static partial class ValidationMessages
{
    public static IEnumerable<string> Describe(IEnumerable<ValidationError> errors) => errors.SelectMany(Describe);

    private static IEnumerable<string> Describe(ValidationError error)
    {
        // A container's error only says that something inside failed: the failures inside say what.
        if (error is ChildSchemaValidationError child && error.Kind is not (ValidationErrorKind.NotAnyOf or ValidationErrorKind.NotOneOf))
        {
            return child.Errors.Values.SelectMany(Describe);
        }

        return [$"{PathOf(error)}: {Reason(error)}"];
    }

    /// <summary>NJsonSchema's <c>#/a.b[0]</c> as <c>$.a.b[0]</c>.</summary>
    private static string PathOf(ValidationError error)
    {
        var path = error.Path ?? "#";
        var inner = path.StartsWith("#/", StringComparison.Ordinal) ? path[2..] : path.TrimStart('#');
        return inner.Length == 0 ? "$" : inner.StartsWith('[') ? "$" + inner : "$." + inner;
    }

    private static string Reason(ValidationError error)
    {
        var schema = error.Schema;
        return error.Kind switch
        {
            ValidationErrorKind.PropertyRequired => "is missing but it is required",
            ValidationErrorKind.StringExpected => TypeMismatch(error, "string"),
            ValidationErrorKind.NumberExpected => TypeMismatch(error, "number"),
            ValidationErrorKind.IntegerExpected => TypeMismatch(error, "integer"),
            ValidationErrorKind.BooleanExpected => TypeMismatch(error, "boolean"),
            ValidationErrorKind.ObjectExpected => TypeMismatch(error, "object"),
            ValidationErrorKind.ArrayExpected => TypeMismatch(error, "array"),
            ValidationErrorKind.NullExpected => TypeMismatch(error, "null"),
            ValidationErrorKind.NoTypeValidates => TypeMismatch(error, TypesOf(schema)),
            ValidationErrorKind.NoAdditionalPropertiesAllowed =>
                "is not defined in the schema and the schema does not allow additional properties",
            ValidationErrorKind.NotInEnumeration =>
                $"does not have a value in the enumeration [{string.Join(", ", schema?.Enumeration.Select(v => v?.ToString() ?? "null") ?? [])}]",
            ValidationErrorKind.PatternMismatch => $"does not match the regex pattern {schema?.Pattern}",
            ValidationErrorKind.StringTooShort => $"must be at least {schema?.MinLength} characters long",
            ValidationErrorKind.StringTooLong => $"may only be {schema?.MaxLength} characters long",
            ValidationErrorKind.NumberTooSmall => schema is { IsExclusiveMinimum: true } || schema?.ExclusiveMinimum is not null
                ? $"must be greater than {Number(schema.ExclusiveMinimum ?? schema.Minimum)}"
                : $"must have a minimum value of {Number(schema?.Minimum)}",
            ValidationErrorKind.NumberTooBig or ValidationErrorKind.IntegerTooBig => schema is { IsExclusiveMaximum: true } || schema?.ExclusiveMaximum is not null
                ? $"must be less than {Number(schema.ExclusiveMaximum ?? schema.Maximum)}"
                : $"must have a maximum value of {Number(schema?.Maximum)}",
            ValidationErrorKind.NumberNotMultipleOf or ValidationErrorKind.IntegerNotMultipleOf => $"must be multiple of {Number(schema?.MultipleOf)}",
            ValidationErrorKind.TooManyItems => $"there must be a maximum of {schema?.MaxItems} items in the array",
            ValidationErrorKind.TooFewItems => $"there must be a minimum of {schema?.MinItems} items in the array",
            ValidationErrorKind.ItemsNotUnique => "the items in the array must be unique",
            ValidationErrorKind.TooManyItemsInTuple => "has more items than the schema allows",
            ValidationErrorKind.TooManyProperties => $"may only have a maximum of {schema?.MaxProperties} properties",
            ValidationErrorKind.TooFewProperties => $"should have a minimum of {schema?.MinProperties} properties",
            ValidationErrorKind.NotAnyOf => "should be valid to any of the schemas in anyOf",
            ValidationErrorKind.NotOneOf => "should be valid to one and only one of the schemas in oneOf",
            ValidationErrorKind.ExcludedSchemaValidates => "should not be valid to the schema in not",
            _ when schema?.Format is { } format => $"does not match the {format} pattern",
            var kind => Words(kind.ToString()),
        };
    }

    private static string TypeMismatch(ValidationError error, string expected) => $"{TypeOf(error.Token)} found, {expected} expected";

    private static string TypeOf(JToken? token) => token?.Type switch
    {
        JTokenType.Object => "object",
        JTokenType.Array => "array",
        JTokenType.Integer => "integer",
        JTokenType.Float => "number",
        JTokenType.Boolean => "boolean",
        JTokenType.Null or null => "null",
        _ => "string",
    };

    private static string TypesOf(JsonSchema? schema) =>
        schema is null
            ? "another type"
            : string.Join(" or ", Enum.GetValues<JsonObjectType>().Where(t => t != JsonObjectType.None && schema.Type.HasFlag(t)).Select(t => t.ToString().ToLowerInvariant()));

    private static string Number(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "?";

    // PropertyRequired → "property required", for kinds with no wording of their own.
    private static string Words(string kind) => UpperCase().Replace(kind, m => (m.Index > 0 ? " " : "") + m.Value.ToLowerInvariant());

    [GeneratedRegex("[A-Z]")]
    private static partial Regex UpperCase();
}
