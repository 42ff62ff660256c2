using Liiklus.Cli;

return await LiiklusCli.RunAsync(args, CliConsole.System, Environment.GetEnvironmentVariable, CancellationToken.None);
