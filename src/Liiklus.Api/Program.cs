using Liiklus.Api.Hosting;

WebApplication app;
try
{
    app = GatewayHost.Build(args);
}
catch (InvalidOperationException e)
{
    // A configuration mistake: say what is wrong and how to fix it, without a stack trace.
    Console.Error.WriteLine($"Liiklus cannot start: {e.Message}");
    return 1;
}

await app.RunAsync();
return 0;
