namespace Liiklus.Samples.Worker;

/// <summary>An order to bill, published as the data of a <c>com.example.order.created</c> event.</summary>
public sealed record Order(string Id, string Customer, decimal Amount);
