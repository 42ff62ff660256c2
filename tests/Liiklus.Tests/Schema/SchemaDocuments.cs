namespace Liiklus.Tests.Schema;

/// <summary>Schema documents in Liiklus's format: draft-4, one schema per event type under <c>events.&lt;type&gt;</c>.</summary>
public static class SchemaDocuments
{
    /// <summary>Two event types: a CloudEvent one and a legacy one whose type is at <c>/eventType</c>.</summary>
    public const string TwoEventTypes = """
        events:
          com.example.order.created:
            type: object
            additionalProperties: false
            required: [orderId, amount]
            properties:
              orderId: { type: string }
              amount: { type: integer, minimum: 0 }
              note: { type: string, deprecated: true }
          userRegistered:
            type: object
            required: [eventType, email]
            properties:
              eventType: { type: string }
              email: { type: string }
        """;

    /// <summary>More of draft 4: nested arrays, exclusive bounds, $ref, deprecated events, odd type names.</summary>
    public const string Detailed = """
        events:
          com.example.order.created:
            type: object
            additionalProperties: false
            required: [orderId, amount]
            properties:
              orderId: { type: string }
              amount: { type: integer, minimum: 0 }
              note: { type: string, deprecated: true }
              lines:
                type: array
                items:
                  type: object
                  required: [sku]
                  properties:
                    sku: { type: string }
                    quantity: { type: integer, minimum: 1, maximum: 100, exclusiveMaximum: true }
          userRegistered:
            type: object
            required: [eventType, email]
            properties:
              eventType: { type: string }
              email: { type: string }
              nickname: { $ref: "#/definitions/oldName" }
              contact:
                anyOf:
                  - { type: object, required: [phone], properties: { phone: { type: string } } }
                  - { type: object, required: [fax], properties: { fax: { type: string, deprecated: true } } }
            definitions:
              oldName: { type: string, deprecated: true }
          accountClosed:
            type: object
            deprecated: true
          "event/type/with/slashes":
            type: object
            properties:
              foo: { type: string }
        """;

    /// <summary>A file holding <paramref name="text"/> in a folder of its own; deleted with the folder on dispose.</summary>
    public static TempSchemaFile Write(string text, string name = "events.yml") => new(text, name);
}
