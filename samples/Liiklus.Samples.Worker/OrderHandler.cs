using System.Text.Json;
using Liiklus.Client;

namespace Liiklus.Samples.Worker;

/// <summary>
/// Bills each created order. Other event types are skipped; an order that can never be billed goes to the
/// dead-letter topic at once; a billing outage throws, so the consumer retries (immediately, then with a growing
/// delay) and dead-letters the order once its retries are used up.
/// </summary>
public sealed class OrderHandler(FlakyBilling billing, ILogger<OrderHandler> logger) : IRecordHandler
{
    public const string OrderCreated = "com.example.order.created";

    public async ValueTask<HandleResult> HandleAsync(LiiklusRecord record, RecordContext context, CancellationToken cancellationToken)
    {
        if (record.Event?.Type != OrderCreated)
        {
            return HandleResult.Skip;
        }

        Order? order;
        try
        {
            order = JsonSerializer.Deserialize<Order>(record.Value.Span, JsonSerializerOptions.Web);
        }
        catch (JsonException e)
        {
            return HandleResult.DeadLetter($"not an order: {e.Message}");
        }

        if (order is null || order.Amount <= 0)
        {
            return HandleResult.DeadLetter($"order {order?.Id} has no positive amount");
        }

        await billing.ChargeAsync(order, cancellationToken);
        logger.LogInformation(
            "Billed order {OrderId} of {Customer}: {Amount} (partition {Partition}, offset {Offset}, attempt {Attempt})",
            order.Id,
            order.Customer,
            order.Amount,
            record.Partition,
            record.Offset,
            context.Attempt);
        return HandleResult.Success;
    }
}
