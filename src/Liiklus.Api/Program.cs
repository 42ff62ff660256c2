using Liiklus.Api.Hosting;

var app = GatewayHost.Build(args);
await app.RunAsync();
