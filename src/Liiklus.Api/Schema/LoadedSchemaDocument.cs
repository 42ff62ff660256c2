namespace Liiklus.Api.Schema;

/// <summary>A schema document and the bytes it was parsed from, to tell a real change of the file from a touch.</summary>
public sealed record LoadedSchemaDocument(SchemaDocument Document, byte[] Bytes);
