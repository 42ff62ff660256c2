namespace Liiklus.Api.Operations;

/// <summary>
/// Marks an endpoint served on the operations port alone: the gRPC port, open to clients and behind their
/// authentication, answers it 404. Told apart by the port the connection came in on, never by the Host header a
/// client chooses.
/// </summary>
internal sealed class OperationsPortOnly
{
    public static readonly OperationsPortOnly Instance = new();

    private OperationsPortOnly()
    {
    }

    public static void Enforce(WebApplication app)
    {
        var operations = app.Services.GetRequiredService<OperationsEndpoint>();
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<OperationsPortOnly>() is not null && context.Connection.LocalPort != operations.Port)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return next(context);
        });
    }
}
