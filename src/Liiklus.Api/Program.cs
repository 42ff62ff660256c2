using Liiklus.Api.Configuration;
using Liiklus.Api.Hosting;

WebApplication app;
try
{
    app = GatewayHost.Build(args);
}
catch (SettingsException e)
{
    // A configuration mistake: say what is wrong and what is allowed, one line each, without a stack trace.
    foreach (var problem in e.Problems)
    {
        Console.Error.WriteLine($"Liiklus cannot start: {problem}");
    }

    return 2;
}
catch (InvalidOperationException e)
{
    // The same kind of mistake, found while loading what a setting names (a certificate, a schema, a plugin).
    Console.Error.WriteLine($"Liiklus cannot start: {e.Message}");
    return 2;
}

try
{
    await app.RunAsync();
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException or System.Net.Sockets.SocketException)
{
    // The gRPC port is taken or cannot be bound: no stack trace for that either.
    Console.Error.WriteLine($"Liiklus cannot start: {e.Message}");
    return 1;
}

// 0, or what the node was stopped with: 2 when it found itself refused (SecondMemberGuard).
return Environment.ExitCode;
