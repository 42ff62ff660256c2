using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Liiklus.Api.Schema;

/// <summary>
/// Finds the values an event holds that its schema marks <c>deprecated: true</c>, as Liiklus's <c>deprecated</c>
/// keyword does: the event as a whole, a property, an array item. NJsonSchema has no custom keywords, so this is a
/// small walk of the schema along the value, written here: it follows <c>$ref</c>, <c>properties</c>,
/// <c>patternProperties</c>, <c>additionalProperties</c>, <c>items</c>, <c>additionalItems</c> and <c>allOf</c>;
/// for <c>anyOf</c>/<c>oneOf</c>, a deprecation counts only when every branch the value matches has one.
/// </summary>
public static class DeprecatedProperties
{
    /// <returns>the paths (<c>$</c>, <c>$.field</c>, <c>$.list[0]</c>) of deprecated values</returns>
    public static List<string> Find(JsonSchema schema, JToken value, JsonSchemaValidator validator)
    {
        var found = new List<string>();
        Walk(schema, value, "$", validator, found);
        return found;
    }

    private static void Walk(JsonSchema schema, JToken value, string path, JsonSchemaValidator validator, List<string> found)
    {
        var actual = schema.ActualSchema;
        if (IsDeprecated(schema) || (!ReferenceEquals(actual, schema) && IsDeprecated(actual)))
        {
            found.Add(path);
        }

        foreach (var part in actual.AllOf)
        {
            Walk(part, value, path, validator, found);
        }

        WalkBranches(actual.AnyOf, value, path, validator, found);
        WalkBranches(actual.OneOf, value, path, validator, found);

        switch (value)
        {
            case JObject obj:
                WalkProperties(actual, obj, path, validator, found);
                break;
            case JArray array:
                WalkItems(actual, array, path, validator, found);
                break;
        }
    }

    private static void WalkProperties(JsonSchema schema, JObject obj, string path, JsonSchemaValidator validator, List<string> found)
    {
        foreach (var property in obj.Properties())
        {
            var childPath = $"{path}.{property.Name}";
            var matched = false;
            if (schema.Properties.TryGetValue(property.Name, out var declared))
            {
                Walk(declared, property.Value, childPath, validator, found);
                matched = true;
            }

            foreach (var (pattern, patternSchema) in schema.PatternProperties)
            {
                if (System.Text.RegularExpressions.Regex.IsMatch(property.Name, pattern))
                {
                    Walk(patternSchema, property.Value, childPath, validator, found);
                    matched = true;
                }
            }

            if (!matched && schema.AdditionalPropertiesSchema is { } additional)
            {
                Walk(additional, property.Value, childPath, validator, found);
            }
        }
    }

    private static void WalkItems(JsonSchema schema, JArray array, string path, JsonSchemaValidator validator, List<string> found)
    {
        var tuple = schema.Items.ToList();
        for (var i = 0; i < array.Count; i++)
        {
            var itemSchema = schema.Item ?? (i < tuple.Count ? tuple[i] : schema.AdditionalItemsSchema);
            if (itemSchema is not null)
            {
                Walk(itemSchema, array[i], $"{path}[{i}]", validator, found);
            }
        }
    }

    // As a failing keyword inside a branch fails that branch, a deprecation in one branch is forgiven when another
    // branch takes the value cleanly.
    private static void WalkBranches(ICollection<JsonSchema> branches, JToken value, string path, JsonSchemaValidator validator, List<string> found)
    {
        List<string>? deprecatedInEveryMatch = null;
        foreach (var branch in branches)
        {
            if (validator.Validate(value, branch).Count > 0)
            {
                continue;
            }

            var inBranch = new List<string>();
            Walk(branch, value, path, validator, inBranch);
            if (inBranch.Count == 0)
            {
                return;
            }

            deprecatedInEveryMatch ??= inBranch;
        }

        if (deprecatedInEveryMatch is not null)
        {
            found.AddRange(deprecatedInEveryMatch);
        }
    }

    private static bool IsDeprecated(JsonSchema schema) =>
        schema.ExtensionData is { } extensions
        && extensions.TryGetValue("deprecated", out var flag)
        && flag switch
        {
            bool b => b,
            JValue { Type: JTokenType.Boolean } token => token.Value<bool>(),
            _ => false,
        };
}
