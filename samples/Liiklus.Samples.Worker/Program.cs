using Liiklus.Client;
using Liiklus.Samples.Worker;

// dotnet run --project samples/Liiklus.Samples.Worker   (a gateway on localhost:6565, as the README's run command starts it)
var builder = Host.CreateApplicationBuilder(args);
// The consumers' partition assignments are Information lines, one per partition: keep the sample's output to its story.
builder.Logging.AddFilter("Liiklus.Client", LogLevel.Warning);
var settings = SampleSettings.From(builder.Configuration);
builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(new FlakyBilling(SampleSettings.BillingRefusals));
builder.Services.AddLiiklusClient(options => options.Address = settings.Address);
builder.Services.AddLiiklusPublisher();
builder.Services.AddLiiklusConsumer<OrderHandler>(settings.Topic, settings.Group, SampleSettings.ConfigureConsumer);
// The dead-letter topic is a topic like any other: here a second consumer logs what lands in it.
builder.Services.AddLiiklusConsumer<DeadLetterLogger>($"{settings.Topic}.dlt", $"{settings.Group}-dead-letters");
builder.Services.AddHostedService<OrderFeeder>();
builder.Build().Run();
